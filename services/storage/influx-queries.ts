import { BadRequestError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type { FieldInfo, MeasurementInfo } from "./influx-schema.ts";
import { MAX_TIME_MS, storedTagValue, TAG } from "./line-protocol.ts";
import type { DeviceFilter, GroupDimension } from "./store.ts";

/**
 * InfluxQL text for the store's reads. Nothing a caller provides is ever spliced into it: tag
 * values go through bound parameters (`$p0`, sent as JSON in the `params` form field, which
 * InfluxDB substitutes as string literals, never as regexes or identifiers); times and
 * resolutions are checked whole numbers; measurement and field names are only those
 * `SHOW FIELD KEYS` listed, and are quoted.
 */

/** Bound parameters of one request, named in order. */
export class Params {
  readonly values: Record<string, string> = {};
  private count = 0;

  /** Binds a tag value (in its stored form) and returns the placeholder. */
  bind(tagValue: string): string {
    const name = `p${this.count++}`;
    this.values[name] = storedTagValue(tagValue);
    return `$${name}`;
  }
}

/** A double-quoted InfluxQL identifier (the scanner unescapes `\\`, `\"` and `\n`). */
export function ident(name: string): string {
  return `"${name.replace(/[\\"]/g, "\\$&").replace(/\n/g, "\\n")}"`;
}

export function fieldRef(field: FieldInfo, cast: "field" | "float" | "integer" = "field"): string {
  return `${ident(field.key)}::${cast}`;
}

export function tagRef(key: string): string {
  return `${ident(key)}::tag`;
}

/** `"tag"::tag = $pN`: the value bound in its stored form ("" also matches a missing tag). */
export function tagEquals(params: Params, tag: string, value: string): string {
  return `${tagRef(tag)} = ${params.bind(value)}`;
}

/**
 * Longest `device_id = $a OR ...` chain sent. InfluxDB 1.6.7 plans such chains in quadratic time:
 * LAST of two fields for 5,000 devices took 5 ms with 10 ids, 130 ms with 400, 640 ms with
 * 1,000 and 12 s with 5,000, against 320 ms for the whole fleet unfiltered. Past this length,
 * reads filter here or query in chunks.
 */
export const MAX_ID_TERMS = 200;

/** Distinct ids in chunks short enough for InfluxDB to plan quickly; [undefined] for no ids. */
export function idChunks(ids: readonly string[]): (readonly string[])[];
export function idChunks(ids: readonly string[] | undefined): (readonly string[] | undefined)[];
export function idChunks(ids: readonly string[] | undefined): (readonly string[] | undefined)[] {
  if (ids === undefined) return [undefined];
  const distinct = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < distinct.length; i += MAX_ID_TERMS) chunks.push(distinct.slice(i, i + MAX_ID_TERMS));
  return chunks;
}

/** `"device_id" = $p0 OR ...`, parenthesised. */
export function deviceIdsCondition(params: Params, ids: readonly string[]): string {
  return `(${[...new Set(ids)].map((id) => tagEquals(params, TAG.deviceId, id)).join(" OR ")})`;
}

/** Conditions on the reading's tags (commune, operator, device ids). The domain picks measurements. */
export function tagConditions(params: Params, filter: DeviceFilter): string[] {
  const conditions: string[] = [];
  if (filter.deviceIds) conditions.push(deviceIdsCondition(params, filter.deviceIds));
  if (filter.commune !== undefined) conditions.push(tagEquals(params, TAG.commune, filter.commune));
  if (filter.operatorId !== undefined) conditions.push(tagEquals(params, TAG.operator, filter.operatorId));
  return conditions;
}

function wholeMs(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new BadRequestError(`${what} must be a finite number of ms`);
  return Math.min(MAX_TIME_MS + 1, Math.max(-MAX_TIME_MS, Math.ceil(value)));
}

/**
 * [from, to) as InfluxQL, in whole ms (a fractional bound admits the same ms points as its
 * ceiling), clamped to the times InfluxDB can hold: a ms literal beyond them is a parse error.
 */
export function timeConditions(from?: EpochMs, to?: EpochMs): string[] {
  const conditions: string[] = [];
  if (from !== undefined) conditions.push(`time >= ${wholeMs(from, "from")}ms`);
  if (to !== undefined) {
    const upper = wholeMs(to, "to");
    conditions.push(upper > MAX_TIME_MS ? `time <= ${MAX_TIME_MS}ms` : `time < ${upper}ms`);
  }
  return conditions;
}

export function where(conditions: readonly string[]): string {
  return conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`;
}

/** `time(Nms)` for GROUP BY; InfluxDB aligns these buckets on the epoch, as the port requires. */
export function timeBucket(resolutionMs: number): string {
  if (!Number.isSafeInteger(resolutionMs) || resolutionMs <= 0) {
    throw new BadRequestError("resolution must be a positive whole number of milliseconds");
  }
  return `time(${resolutionMs}ms)`;
}

const DIMENSION_TAGS: Partial<Record<GroupDimension, string>> = {
  commune: TAG.commune,
  operator: TAG.operator,
};

/** Tag keys to GROUP BY for the requested dimensions ("domain" is the measurement itself). */
export function dimensionTags(dimensions: readonly GroupDimension[]): string[] {
  const tags: string[] = [];
  for (const dimension of new Set(dimensions)) {
    if (dimension === "domain") continue;
    const tag = DIMENSION_TAGS[dimension];
    if (tag === undefined) throw new BadRequestError(`unknown group dimension ${String(dimension)}`);
    tags.push(tag);
  }
  return tags;
}

/** One statement per field: several selectors in one statement would lose each point's time. */
export function latestStatement(m: MeasurementInfo, field: FieldInfo, conditions: readonly string[]): string {
  const tags = [TAG.commune, TAG.operator, TAG.contract].map(tagRef).join(", ");
  return `SELECT LAST(${fieldRef(field)}), ${tags} FROM ${ident(m.key)}${where(conditions)} GROUP BY ${ident(TAG.deviceId)}`;
}

export function rawSeriesStatement(
  m: MeasurementInfo,
  fields: readonly FieldInfo[],
  conditions: readonly string[],
): string {
  return `SELECT ${fields.map((f) => fieldRef(f)).join(", ")} FROM ${ident(m.key)}${where(conditions)}`;
}

export function bucketedSeriesStatement(
  m: MeasurementInfo,
  field: FieldInfo,
  conditions: readonly string[],
  resolutionMs: number,
): string {
  const all = fieldRef(field);
  const stats = field.numeric
    ? `, MEAN(${fieldRef(field, field.numeric)}), MIN(${fieldRef(field, field.numeric)}), MAX(${fieldRef(field, field.numeric)})`
    : "";
  return `SELECT COUNT(${all}), LAST(${all})${stats} FROM ${ident(m.key)}${where(conditions)} GROUP BY ${timeBucket(resolutionMs)} fill(none)`;
}

/**
 * Partial sums per device and group: merged in the store, they give exact counts, means and
 * distinct devices also across measurements (InfluxQL cannot COUNT(DISTINCT) a tag, nor
 * aggregate two measurements as one).
 */
export function aggregateStatement(
  m: MeasurementInfo,
  field: FieldInfo & { numeric: "float" | "integer" },
  conditions: readonly string[],
  groupTags: readonly string[],
  resolutionMs: number | undefined,
): string {
  const value = fieldRef(field, field.numeric);
  const keys = [
    ...(resolutionMs === undefined ? [] : [timeBucket(resolutionMs)]),
    ident(TAG.deviceId),
    ...groupTags.map(ident),
  ];
  return `SELECT COUNT(${value}), SUM(${value}), MIN(${value}), MAX(${value}) FROM ${ident(m.key)}${where(conditions)} GROUP BY ${keys.join(", ")} fill(none)`;
}

/** COUNT(*) counts the values of every field, each in its own column. */
export function countStatement(
  measurement: MeasurementInfo | undefined,
  conditions: readonly string[],
): string {
  const from = measurement ? ident(measurement.key) : "/.*/";
  return `SELECT COUNT(*) FROM ${from}${where(conditions)}`;
}

/** Devices with at least one reading under the tag conditions, from the index only. */
export function candidateDevicesStatement(
  measurement: MeasurementInfo | undefined,
  conditions: readonly string[],
): string {
  const from = measurement ? ` FROM ${ident(measurement.key)}` : "";
  return `SHOW TAG VALUES${from} WITH KEY = ${ident(TAG.deviceId)}${where(conditions)}`;
}
