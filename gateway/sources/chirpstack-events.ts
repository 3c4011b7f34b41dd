import integration from "@chirpstack/chirpstack-api/integration/integration_pb.js";
import { DataCode, violation } from "../../services/domain/errors.ts";
import type { EpochMs, Violation } from "../../services/domain/types.ts";
import { valueOverLimits } from "../pipeline/bounded-json.ts";
import { base64Bytes, isRecord, parseJsonObject, parseTime } from "./lorawan-uplink.ts";

/**
 * ChirpStack v4's two event marshalers, read into one shape: `json` (the protobuf JSON mapping,
 * bytes as base64) and `protobuf` (the `integration.UplinkEvent` / `StatusEvent` messages of
 * `@chirpstack/chirpstack-api`). The marshaler is a setting of the ChirpStack server, not of the
 * topic, so each payload is recognised by its first byte: a JSON event is an object (`{`, 0x7b),
 * which can never start a protobuf message (0x7b would be field 15 with the deprecated
 * start-group wire type, which these messages do not have).
 */
export interface ChirpstackUp {
  devEui?: string;
  fPort: number;
  /** Undefined when `data` is not base64 (JSON marshaler only). */
  bytes: Uint8Array | undefined;
  object?: Record<string, unknown>;
  time?: EpochMs;
}

export interface ChirpstackStatus {
  devEui?: string;
  time?: EpochMs;
  /** 0 to 100, as ChirpStack reports it. */
  batteryLevel?: number;
  margin?: number;
  externalPowerSource?: boolean;
}

export type Read<T> = { ok: true; value: T } | { ok: false; violation: Violation };

export function isJsonEvent(payload: Buffer): boolean {
  return payload[0] === 0x7b;
}

export function readUplinkEvent(payload: Buffer): Read<ChirpstackUp> {
  if (isJsonEvent(payload)) return readJson(payload, jsonUplink);
  const read = readProtobuf(payload, "UplinkEvent", () => protobufUplink(payload));
  return read.ok ? boundedObject(read.value) : read;
}

/**
 * The JSON marshaler's `object` is bounded as it is parsed (bounded-json.ts); the protobuf
 * marshaler's Struct is not text, so its decoded object gets the same bounds here: a Struct
 * nested a thousand levels deep went on to the contract check and the quarantine, whose
 * walks recurse.
 */
function boundedObject(up: ChirpstackUp): Read<ChirpstackUp> {
  const over = up.object === undefined ? undefined : valueOverLimits(up.object);
  if (!over) return { ok: true, value: up };
  return { ok: false, violation: { ...over, path: over.path === "" ? "object" : `object.${over.path}` } };
}

export function readStatusEvent(payload: Buffer): Read<ChirpstackStatus> {
  const read = isJsonEvent(payload)
    ? readJson(payload, jsonStatus)
    : readProtobuf(payload, "StatusEvent", () => protobufStatus(payload));
  return read.ok ? plausibleStatus(read.value) : read;
}

/**
 * ChirpStack reports the battery as 0 to 100 and the margin in whole dB. A protobuf `float`
 * carries NaN and the infinities, which the health view could not write (a 500 on
 * GET /api/v1/lorawan/health for every reader until the device reported again): such a status
 * is refused with its reason, as a reading with a value of the wrong type is.
 */
function plausibleStatus(status: ChirpstackStatus): Read<ChirpstackStatus> {
  const { batteryLevel, margin } = status;
  if (batteryLevel !== undefined && !(batteryLevel >= 0 && batteryLevel <= 100)) {
    const detail = `battery level ${batteryLevel} is not a percentage`;
    return { ok: false, violation: violation(DataCode.PAYLOAD_SHAPE, "batteryLevel", detail) };
  }
  if (margin !== undefined && !Number.isFinite(margin)) {
    return {
      ok: false,
      violation: violation(DataCode.PAYLOAD_SHAPE, "margin", `margin ${margin} is not a number of dB`),
    };
  }
  return { ok: true, value: status };
}

function readJson<T>(payload: Buffer, read: (e: Record<string, unknown>) => T): Read<T> {
  const parsed = parseJsonObject(payload, "a ChirpStack event");
  return parsed.ok ? { ok: true, value: read(parsed.value) } : parsed;
}

function readProtobuf<T>(payload: Buffer, message: string, read: () => T): Read<T> {
  if (payload.length === 0) {
    return { ok: false, violation: violation(DataCode.PAYLOAD_PROTOBUF, "", `an empty ${message}`) };
  }
  try {
    return { ok: true, value: read() };
  } catch (err) {
    // google-protobuf reads a nested Struct by recursion: the stack runs out before any bound.
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      const detail = `a ${message} nested too deep to be read`;
      return { ok: false, violation: violation(DataCode.PAYLOAD_DEPTH, "object", detail) };
    }
    const detail = `not a ChirpStack ${message}: ${(err as Error).message}`;
    return { ok: false, violation: violation(DataCode.PAYLOAD_PROTOBUF, "", detail) };
  }
}

function jsonUplink(e: Record<string, unknown>): ChirpstackUp {
  const time = parseTime(e.time);
  return {
    ...devEuiOf(deviceInfoField(e, "devEui")),
    fPort: typeof e.fPort === "number" ? e.fPort : 0,
    bytes: typeof e.data === "string" ? base64Bytes(e.data) : new Uint8Array(),
    ...(isRecord(e.object) ? { object: e.object } : {}),
    ...(time !== undefined ? { time } : {}),
  };
}

function jsonStatus(e: Record<string, unknown>): ChirpstackStatus {
  const time = parseTime(e.time);
  const unavailable = e.batteryLevelUnavailable === true;
  return {
    ...devEuiOf(deviceInfoField(e, "devEui")),
    ...(time !== undefined ? { time } : {}),
    ...(typeof e.batteryLevel === "number" && !unavailable ? { batteryLevel: e.batteryLevel } : {}),
    ...(typeof e.margin === "number" ? { margin: e.margin } : {}),
    ...(typeof e.externalPowerSource === "boolean" ? { externalPowerSource: e.externalPowerSource } : {}),
  };
}

function protobufUplink(payload: Buffer): ChirpstackUp {
  const e = integration.UplinkEvent.deserializeBinary(payload);
  const object = e.getObject()?.toJavaScript();
  const time = e.getTime()?.toDate().getTime();
  return {
    ...devEuiOf(e.getDeviceInfo()?.getDevEui()),
    fPort: e.getFPort(),
    bytes: e.getData_asU8(),
    ...(object ? { object } : {}),
    ...(time !== undefined && Number.isFinite(time) ? { time } : {}),
  };
}

function protobufStatus(payload: Buffer): ChirpstackStatus {
  const e = integration.StatusEvent.deserializeBinary(payload);
  const time = e.getTime()?.toDate().getTime();
  return {
    ...devEuiOf(e.getDeviceInfo()?.getDevEui()),
    ...(time !== undefined && Number.isFinite(time) ? { time } : {}),
    ...(e.getBatteryLevelUnavailable() ? {} : { batteryLevel: e.getBatteryLevel() }),
    margin: e.getMargin(),
    externalPowerSource: e.getExternalPowerSource(),
  };
}

function devEuiOf(v: unknown): { devEui?: string } {
  return typeof v === "string" && v !== "" ? { devEui: v.toLowerCase() } : {};
}

function deviceInfoField(e: Record<string, unknown>, key: string): unknown {
  const info = e.deviceInfo;
  return isRecord(info) ? info[key] : undefined;
}
