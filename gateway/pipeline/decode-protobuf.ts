import { lanterne } from "../../protos/generated/lanterne.js";
import { DataCode, violation } from "../../services/domain/errors.ts";
import type { EpochMs, Violation } from "../../services/domain/types.ts";
import {
  DEFAULT_LIMITS,
  type DecodedItem,
  type DecodeLimits,
  type DecodeResult,
  decodeDocument,
  payloadTooLarge,
} from "./decode.ts";

/**
 * Decode stage for the binary envelope `lanterne.v1.Readings` (protos/lanterne/v1/readings.proto).
 *
 * The protobuf message is translated into the document the JSON format would carry, and that
 * document goes through the JSON decoder's own `decodeDocument`: both formats therefore share one
 * definition of the rules (device from the topic, device mismatch, time default and future limit,
 * empty batch, batch limit) and refuse with the same codes. What only protobuf can get wrong is
 * checked here and added to the item's problems:
 *   - bytes that do not parse: the whole message, ERR_PAYLOAD_PROTOBUF (as unreadable JSON is);
 *   - a `Value` with no kind set, or a number JSON cannot carry (NaN, infinities): that reading,
 *     ERR_PAYLOAD_PROTOBUF at `data.<name>`;
 *   - a Timestamp outside its own specification's range: that reading, ERR_TIME_INVALID at `time`.
 * Proto3 cannot tell an empty string or map from an absent one: an empty `device` means "not
 * given" (the topic's device is used) and an empty `data` is an empty reading.
 * `raw` of each item is the reading as protobuf.js renders it to plain JSON, for the quarantine.
 */

type DecodeContext = { deviceId?: string; receivedAt: EpochMs };
type PbReading = lanterne.v1.Reading.$Properties;
type PbValue = lanterne.v1.Value.$Properties;
type PbTimestamp = NonNullable<PbReading["time"]>;
type Plain = number | string | boolean;

/** The JSON-equivalent document of one reading and what was wrong before it could be one. */
interface Translated {
  doc: Record<string, unknown>;
  problems: Violation[];
}

// google/protobuf/timestamp.proto: seconds must lie in 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z.
const MIN_SECONDS = -62_135_596_800;
const MAX_SECONDS = 253_402_300_799;

export function decodeProtobufPayload(
  payload: Buffer | Uint8Array,
  context: DecodeContext,
  limits: DecodeLimits = DEFAULT_LIMITS,
): DecodeResult {
  const tooLarge = payloadTooLarge(payload, limits);
  if (tooLarge) return { ok: false, problem: tooLarge };
  const readings = parseEnvelope(payload);
  if (typeof readings === "string") return fail(DataCode.PAYLOAD_PROTOBUF, "", readings);
  const count = readings.length;
  // Empty or oversized batches: the JSON decoder's whole-message verdict, decided on the count
  // alone, before any reading is translated.
  if (count === 0 || count > limits.maxBatch) return decodeDocument({ readings }, context, limits);
  const translated = readings.map(translateReading);
  const result = decodeDocument({ readings: translated.map((t) => t.doc) }, context, limits);
  return result.ok ? mergeItems(result.items, translated, readings) : result;
}

/** The readings of the envelope, or why the bytes are not one (protobuf.js throws on bad input). */
function parseEnvelope(payload: Uint8Array): PbReading[] | string {
  try {
    return lanterne.v1.Readings.decode(payload).readings;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function translateReading(reading: PbReading): Translated {
  const problems: Violation[] = [];
  const doc: Record<string, unknown> = {};
  // Proto3 has no presence for strings: "" is "absent", so the topic's device applies.
  if (reading.device) doc.device = reading.device;
  if (reading.time) {
    const ms = timestampToMs(reading.time);
    if (typeof ms === "string") problems.push(violation(DataCode.TIME_INVALID, "time", ms));
    else doc.time = ms;
  }
  doc.data = translateData(reading.data ?? {}, problems);
  return { doc, problems };
}

function translateData(data: Record<string, PbValue>, problems: Violation[]): Record<string, Plain> {
  const entries: [string, Plain][] = [];
  for (const [name, value] of Object.entries(data)) {
    const plain = plainValue(value);
    if (typeof plain === "object")
      problems.push(violation(DataCode.PAYLOAD_PROTOBUF, `data.${name}`, plain.why));
    else entries.push([name, plain]);
  }
  // fromEntries defines own properties, so a field named "__proto__" stays a field, as in JSON.parse.
  return Object.fromEntries(entries);
}

/** The value a JSON payload would have carried, or why there is none. */
function plainValue(value: PbValue): Plain | { why: string } {
  switch (value.kind) {
    case "number":
      return Number.isFinite(value.number)
        ? (value.number as number)
        : { why: `${value.number} is not a finite number` };
    case "text":
      return value.text ?? "";
    case "flag":
      return value.flag ?? false;
    default:
      return { why: "a Value must set one of number, text or flag" };
  }
}

/** Epoch milliseconds of a Timestamp (sub-millisecond part dropped), or why it is not a valid one. */
function timestampToMs(time: PbTimestamp): EpochMs | string {
  const seconds = toNumber(time.seconds);
  const nanos = time.nanos ?? 0;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS)
    return `timestamp seconds ${String(time.seconds)} outside 0001-01-01..9999-12-31`;
  if (nanos < 0 || nanos > 999_999_999) return `timestamp nanos ${nanos} outside 0..999999999`;
  // Timestamp nanos always count forward from `seconds`, also before 1970: floor, not trunc.
  return seconds * 1000 + Math.floor(nanos / 1_000_000);
}

/** int64 fields decode to Long objects when the `long` package is present, to numbers otherwise. */
function toNumber(value: PbTimestamp["seconds"]): number {
  if (value === null || value === undefined) return 0;
  return typeof value === "number" ? value : value.toNumber();
}

/** Adds the protobuf-only problems to the JSON decoder's items and swaps in the protobuf raw. */
function mergeItems(items: DecodedItem[], translated: Translated[], readings: PbReading[]): DecodeResult {
  const merged = items.map((item, i) => {
    const extra = translated[i]?.problems ?? [];
    const raw = rawOf(readings[i]);
    if (extra.length === 0) return { ...item, raw };
    const { reading: _refused, ...rest } = item;
    return { ...rest, raw, problems: [...item.problems, ...extra] };
  });
  return { ok: true, items: merged };
}

/**
 * A readable JSON rendering of the reading for the quarantine: int64 as strings (no precision
 * lost), bytes as base64, NaN and infinities as strings (`json: true`), unset fields omitted.
 */
function rawOf(reading: PbReading | undefined): unknown {
  if (reading === undefined) return undefined;
  return lanterne.v1.Reading.toObject(reading as lanterne.v1.Reading, {
    longs: String,
    bytes: String,
    json: true,
  });
}

function fail(code: DataCode, path: string, detail: string): DecodeResult {
  return { ok: false, problem: violation(code, path, detail) };
}
