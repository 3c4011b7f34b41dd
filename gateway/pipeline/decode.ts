import { DataCode, violation } from "../../services/domain/errors.ts";
import type { EpochMs, Violation } from "../../services/domain/types.ts";
import { parseBoundedJson } from "./bounded-json.ts";

/**
 * Decode stage: bytes of the canonical JSON format into candidate readings.
 *
 *   one reading:  {"device": "lum-57038-0001", "time": "2026-11-23T10:00:00Z", "data": {...}}
 *   a batch:      {"readings": [ reading, ... ]}   or a bare JSON array of readings
 *
 * `time` is ISO 8601 or epoch milliseconds; when absent the reception time is used. `device`
 * may be omitted when the transport names the device (MQTT topic .../devices/{id}/readings).
 * A payload that cannot be read at all is one problem for the whole message; a batch item that
 * cannot be read is a problem for that item only.
 */
export interface DecodeLimits {
  maxPayloadBytes: number;
  maxBatch: number;
  /** Readings later than reception by more than this are refused (clock errors). */
  maxFutureMs: number;
}

export const DEFAULT_LIMITS: DecodeLimits = {
  maxPayloadBytes: 256 * 1024,
  maxBatch: 1000,
  maxFutureMs: 300_000,
};

/**
 * The one size check of every ingest path (JSON, protobuf, network-server events): a payload
 * over the limit is refused unread, kept in quarantine in part.
 */
export function payloadTooLarge(
  payload: Buffer | Uint8Array | string,
  limits: Pick<DecodeLimits, "maxPayloadBytes">,
): Violation | undefined {
  const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  if (size <= limits.maxPayloadBytes) return undefined;
  return violation(DataCode.PAYLOAD_TOO_LARGE, "", `${size} bytes > limit of ${limits.maxPayloadBytes}`);
}

export interface DecodedItem {
  index: number;
  /** The item as received, kept for the quarantine. */
  raw: unknown;
  reading?: { deviceId: string; time: EpochMs; data: Record<string, unknown> };
  problems: Violation[];
}

export type DecodeResult = { ok: true; items: DecodedItem[] } | { ok: false; problem: Violation };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function decodeJsonPayload(
  payload: Buffer | string,
  context: { deviceId?: string; receivedAt: EpochMs },
  limits: DecodeLimits = DEFAULT_LIMITS,
): DecodeResult {
  const tooLarge = payloadTooLarge(payload, limits);
  if (tooLarge) return { ok: false, problem: tooLarge };
  const parsed = parseBoundedJson(payload);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  return decodeDocument(parsed.value, context, limits);
}

export function decodeDocument(
  doc: unknown,
  context: { deviceId?: string; receivedAt: EpochMs },
  limits: DecodeLimits = DEFAULT_LIMITS,
): DecodeResult {
  const list = Array.isArray(doc)
    ? doc
    : isObj(doc) && Array.isArray(doc.readings)
      ? doc.readings
      : undefined;
  if (list === undefined) {
    if (!isObj(doc)) return fail(DataCode.PAYLOAD_SHAPE, "", "expected a reading object or a batch");
    return { ok: true, items: [decodeItem(doc, 0, context, limits)] };
  }
  if (list.length === 0) return fail(DataCode.PAYLOAD_SHAPE, "readings", "empty batch");
  if (list.length > limits.maxBatch) {
    return fail(
      DataCode.BATCH_TOO_LARGE,
      "readings",
      `${list.length} readings > limit of ${limits.maxBatch}`,
    );
  }
  return { ok: true, items: list.map((item, i) => decodeItem(item, i, context, limits)) };
}

function decodeItem(
  item: unknown,
  index: number,
  context: { deviceId?: string; receivedAt: EpochMs },
  limits: DecodeLimits,
): DecodedItem {
  if (!isObj(item)) {
    return {
      index,
      raw: item,
      problems: [violation(DataCode.PAYLOAD_SHAPE, "", "a reading must be an object")],
    };
  }
  const problems: Violation[] = [];
  const deviceId = readDevice(item.device, context.deviceId, problems);
  const time = readTime(item.time, context.receivedAt, limits.maxFutureMs, problems);
  if (!isObj(item.data))
    problems.push(violation(DataCode.PAYLOAD_SHAPE, "data", "expected an object of fields"));
  if (problems.length > 0 || deviceId === undefined || time === undefined)
    return { index, raw: item, problems };
  return { index, raw: item, reading: { deviceId, time, data: item.data as Obj }, problems };
}

function readDevice(
  value: unknown,
  fromTopic: string | undefined,
  problems: Violation[],
): string | undefined {
  if (value === undefined) {
    if (fromTopic === undefined)
      problems.push(violation(DataCode.PAYLOAD_SHAPE, "device", "missing device id"));
    return fromTopic;
  }
  if (typeof value !== "string" || value.length === 0 || value.length > 128) {
    problems.push(
      violation(DataCode.PAYLOAD_SHAPE, "device", "device id must be a string of 1 to 128 characters"),
    );
    return undefined;
  }
  if (fromTopic !== undefined && value !== fromTopic) {
    problems.push(
      violation(DataCode.DEVICE_MISMATCH, "device", `payload names ${value}, topic names ${fromTopic}`),
    );
    return undefined;
  }
  return value;
}

function readTime(value: unknown, receivedAt: EpochMs, maxFutureMs: number, problems: Violation[]) {
  if (value === undefined) return receivedAt;
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    problems.push(violation(DataCode.TIME_INVALID, "time", "expected ISO 8601 or epoch milliseconds"));
    return undefined;
  }
  const wrong = timeProblem(ms, receivedAt, maxFutureMs);
  if (wrong) {
    problems.push(wrong);
    return undefined;
  }
  return Math.trunc(ms);
}

/** Readings are not older than the Unix epoch: anything earlier is a unit or clock error. */
export const EARLIEST_READING: EpochMs = 0;

/**
 * The one time check of every source (JSON, protobuf, network-server events, Sparkplug, codecs),
 * made with numbers only: a time beyond what a JavaScript Date holds (1e20, or nanoseconds sent as
 * milliseconds) must not reach `new Date(...).toISOString()`, which throws.
 */
export function timeProblem(ms: number, receivedAt: EpochMs, maxFutureMs: number): Violation | undefined {
  if (!Number.isFinite(ms)) return violation(DataCode.TIME_INVALID, "time", "not a finite number");
  if (ms < EARLIEST_READING) {
    return violation(DataCode.TIME_INVALID, "time", `${ms} ms is before 1970-01-01T00:00:00Z`);
  }
  if (ms > receivedAt + maxFutureMs) {
    const unit = ms > 1e15 ? " (microseconds or nanoseconds? times are epoch milliseconds)" : "";
    return violation(
      DataCode.TIME_INVALID,
      "time",
      `${ms} ms is more than ${maxFutureMs} ms after reception${unit}`,
    );
  }
  return undefined;
}

function fail(code: (typeof DataCode)[keyof typeof DataCode], path: string, detail: string): DecodeResult {
  return { ok: false, problem: violation(code, path, detail) };
}
