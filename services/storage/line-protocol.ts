import { InfrastructureError } from "../domain/errors.ts";
import type { EpochMs, FieldValue, Observation } from "../domain/types.ts";

/**
 * Observations as InfluxDB line protocol (the 1.x grammar, which 2.x and 3.x accept on `/write`),
 * with ms timestamps (`precision=ms`).
 *
 * Schema: measurement = the observation's domain; tags (low cardinality, sorted by key as InfluxDB
 * sorts them anyway) = commune, contract, device_id, operator, owner; fields = the values, numbers
 * always as floats (`1`, never `1i`: one field type per key, whatever the value), strings quoted,
 * booleans as `true`/`false`. InfluxDB keeps those three types apart, so "42" reads back as a
 * string and 42 as a number.
 *
 * Escaping follows the line protocol reference: commas and spaces in measurements; commas, equals
 * signs and spaces in tag keys, tag values and field keys; double quotes and backslashes in string
 * field values. What the 1.x parser cannot carry at all, measured on 1.6.7:
 * - a newline ends the line anywhere outside a string field value;
 * - a backslash in a name or tag value is kept as is (`\\` is not unescaped there), so a value
 *   ending in `\` swallows the separator after it ("invalid tag format");
 * - an empty tag value is refused ("missing tag value");
 * - a line starting with `#` is a comment: a measurement "#x" is silently not written (204);
 * - a field named `time` is dropped ("invalid field name"), and a field named like a tag key hides
 *   that tag from every WHERE clause on the measurement (even written `"device_id"::tag`);
 * - InfluxQL cannot name a measurement or field holding a carriage return or a NUL: its quoted
 *   identifiers end there ("found ..., expected identifier"), and have no escape for them.
 *
 * Decision: names and tag values are *stored* percent-encoded for exactly those characters (`%`
 * itself, `\`, newline, carriage return, NUL; a leading `#` of a measurement; the first character
 * of a reserved field name) and decoded on read. The encoding is reversible, so any string round-trips exactly, and
 * leaves ordinary values ("lamp-1", "57038", "op-a") untouched for Grafana and InfluxQL users.
 * Filters are encoded the same way before they are compared. An empty tag value is left out:
 * InfluxDB reads a missing tag as "", which is what comes back. Nothing a value holds can end a
 * line or start another tag or field: every separator it contains is escaped or encoded.
 */

/** Tag keys, in the order they are written (sorted). */
export const TAG = {
  commune: "commune",
  contract: "contract",
  deviceId: "device_id",
  operator: "operator",
  owner: "owner",
} as const;

/** A value the line protocol cannot carry (non-finite number, empty name, time out of range). */
export const UNREPRESENTABLE = "ERR_STORE_UNREPRESENTABLE";

/** Bound of the encoder's caches (series prefixes per device, field keys). */
const PREFIX_CACHE_LIMIT = 100_000;

/** InfluxDB stores int64 nanoseconds within ±9223372036854775806: whole ms within this bound. */
export const MAX_TIME_MS = 9_223_372_036_854;

const RESERVED_FIELD_KEYS: ReadonlySet<string> = new Set(["time", ...Object.values(TAG)]);
const NEEDS_PERCENT = /[%\\\n\r\0]/;
const PERCENT_CHARS = /[%\\\n\r\0]/g;
const ENCODED = /%([0-9A-F]{2})/g;

function percent(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
}

/** The form InfluxDB stores (and InfluxQL compares) for a tag value. */
export function storedTagValue(value: string): string {
  return NEEDS_PERCENT.test(value) ? value.replace(PERCENT_CHARS, percent) : value;
}

/** The stored form of a domain, used as the measurement name. */
export function storedMeasurement(domain: string): string {
  const stored = storedTagValue(domain);
  return stored.startsWith("#") ? `%23${stored.slice(1)}` : stored;
}

/** The stored form of a field name. */
export function storedFieldKey(name: string): string {
  const stored = storedTagValue(name);
  return RESERVED_FIELD_KEYS.has(stored) ? percent(stored) + stored.slice(1) : stored;
}

/** Inverse of the three `stored*` functions: every `%` in a stored name starts an escape. */
export function decodeStored(stored: string): string {
  return stored.includes("%")
    ? stored.replace(ENCODED, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    : stored;
}

const MEASUREMENT_SPECIAL = /[, ]/;
const MEASUREMENT_SPECIALS = /[, ]/g;
const KEY_SPECIAL = /[,= ]/;
const KEY_SPECIALS = /[,= ]/g;
const STRING_SPECIAL = /["\\]/;
const STRING_SPECIALS = /["\\]/g;

function escapeMeasurement(stored: string): string {
  return MEASUREMENT_SPECIAL.test(stored) ? stored.replace(MEASUREMENT_SPECIALS, "\\$&") : stored;
}

function escapeKey(stored: string): string {
  return KEY_SPECIAL.test(stored) ? stored.replace(KEY_SPECIALS, "\\$&") : stored;
}

function escapeString(value: string): string {
  return STRING_SPECIAL.test(value) ? value.replace(STRING_SPECIALS, "\\$&") : value;
}

function unrepresentable(detail: string): InfrastructureError {
  return new InfrastructureError(UNREPRESENTABLE, `Not representable in line protocol: ${detail}`, false);
}

/** Anything a tag value or field key needs encoded or escaped: one test for the usual plain value. */
const NAME_SPECIAL = /[%\\\n\r\0,= ]/;

function tagText(value: string): string {
  return NAME_SPECIAL.test(value) ? escapeKey(storedTagValue(value)) : value;
}

function fieldKeyText(name: string): string {
  return NAME_SPECIAL.test(name) || RESERVED_FIELD_KEYS.has(name) ? escapeKey(storedFieldKey(name)) : name;
}

function tag(key: string, value: string): string {
  return value === "" ? "" : `,${key}=${tagText(value)}`;
}

function tagSet(o: Observation): string {
  return (
    tag(TAG.commune, o.commune) +
    tag(TAG.contract, o.contract) +
    tag(TAG.deviceId, o.deviceId) +
    tag(TAG.operator, o.operatorId) +
    tag(TAG.owner, o.ownerId)
  );
}

function fieldValue(name: string, value: FieldValue): string {
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw unrepresentable(`field ${JSON.stringify(name)} is ${value}`);
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return `"${escapeString(value)}"`;
    default:
      throw unrepresentable(`field ${JSON.stringify(name)} has type ${typeof value}`);
  }
}

/** `key=` of each field name seen (a contract has a handful): escaped once. */
const fieldKeys = new Map<string, string>();

function fieldKey(name: string): string {
  let key = fieldKeys.get(name);
  if (key === undefined) {
    if (name === "") throw unrepresentable("empty field name");
    key = `${fieldKeyText(name)}=`;
    if (fieldKeys.size >= PREFIX_CACHE_LIMIT) fieldKeys.clear();
    fieldKeys.set(name, key);
  }
  return key;
}

function fieldSet(values: Record<string, FieldValue>): string {
  let out = "";
  for (const name in values) {
    const value = values[name] as FieldValue;
    out +=
      out === "" ? fieldKey(name) + fieldValue(name, value) : `,${fieldKey(name)}${fieldValue(name, value)}`;
  }
  return out;
}

function timestamp(time: EpochMs): string {
  if (!Number.isInteger(time) || Math.abs(time) > MAX_TIME_MS) {
    throw unrepresentable(`time ${time} is not a whole number of ms within InfluxDB's range`);
  }
  return String(time);
}

/**
 * A device keeps its measurement and tags for months: its last prefix is reused while its
 * attributes are the same (five string comparisons instead of escaping and joining five tags).
 * Bounded: the cache starts over past PREFIX_CACHE_LIMIT devices.
 */
interface CachedPrefix {
  domain: string;
  commune: string;
  contract: string;
  operatorId: string;
  ownerId: string;
  prefix: string;
}

const prefixes = new Map<string, CachedPrefix>();

function seriesPrefix(o: Observation): string {
  const cached = prefixes.get(o.deviceId);
  if (
    cached !== undefined &&
    cached.domain === o.domain &&
    cached.commune === o.commune &&
    cached.contract === o.contract &&
    cached.operatorId === o.operatorId &&
    cached.ownerId === o.ownerId
  )
    return cached.prefix;
  if (o.domain === "") throw unrepresentable("empty domain (measurement)");
  const prefix = `${escapeMeasurement(storedMeasurement(o.domain))}${tagSet(o)} `;
  if (prefixes.size >= PREFIX_CACHE_LIMIT) prefixes.clear();
  prefixes.set(o.deviceId, {
    domain: o.domain,
    commune: o.commune,
    contract: o.contract,
    operatorId: o.operatorId,
    ownerId: o.ownerId,
    prefix,
  });
  return prefix;
}

/** One observation as one line (no trailing newline), or "" when it has no values. */
export function encodeLine(o: Observation): string {
  const fields = fieldSet(o.values);
  return fields === "" ? "" : `${seriesPrefix(o)}${fields} ${timestamp(o.time)}`;
}

export interface EncodedBatch {
  /** Newline-separated lines, ready for `/write?precision=ms`. */
  text: string;
  /** Number of lines (points) in `text`. */
  lines: number;
}

/**
 * Encodes every observation up front, so that one unrepresentable value refuses the whole write
 * before anything is sent, and splits the lines into batches of at most `batchLines`.
 */
export function encodeBatches(observations: readonly Observation[], batchLines: number): EncodedBatch[] {
  const lines: string[] = [];
  for (const o of observations) {
    const encoded = encodeLine(o);
    if (encoded !== "") lines.push(encoded);
  }
  return splitBatches(lines, batchLines);
}

/** Encoded lines in batches of at most `batchLines`. */
export function splitBatches(lines: readonly string[], batchLines: number): EncodedBatch[] {
  const batches: EncodedBatch[] = [];
  for (let i = 0; i < lines.length; i += batchLines) {
    const batch = lines.slice(i, i + batchLines);
    batches.push({ text: batch.join("\n"), lines: batch.length });
  }
  return batches;
}

/**
 * A point of a measurement Lanterne derives itself (the rollups): its name, tag values and field
 * keys are stored and escaped exactly as a reading's (so they round-trip the same way), tags are
 * sorted by key, an empty tag value is left out, and every field is a float.
 */
export interface DerivedPoint {
  measurement: string;
  tags: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, number>>;
  time: EpochMs;
}

export function encodePoint(p: DerivedPoint): string {
  if (p.measurement === "") throw unrepresentable("empty measurement");
  let tags = "";
  for (const key of Object.keys(p.tags).sort()) tags += tag(key, p.tags[key] as string);
  return `${escapeMeasurement(storedMeasurement(p.measurement))}${tags} ${fieldSet(p.fields)} ${timestamp(p.time)}`;
}
