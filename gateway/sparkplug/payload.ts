import root from "sparkplug-payload/lib/sparkplugPayloadProto.js";
import type { FieldValue } from "../../services/domain/types.ts";

/**
 * Sparkplug B payload decoding (Sparkplug 3.0.0 §6.4, `sparkplug_b.proto`).
 *
 * The generated protobuf class of `sparkplug-payload` is used directly rather than its
 * `decodePayload`, because that helper reads a metric's value from the metric's own `datatype`:
 * DATA messages SHOULD NOT carry a datatype (tck-id-payloads-metric-datatype-not-req), so a
 * spec-abiding NDATA would decode to `null`. Here the value is kept raw (which oneof field was
 * set) and converted later with the datatype the BIRTH declared.
 */
const Payload = root.org.eclipse.tahu.protobuf.Payload;

/** Sparkplug data type codes (§6.4.16). */
export const DataType = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
} as const;

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  ...Object.entries(DataType).map(([name, code]) => [code, name] as const),
  [20, "PropertySet"],
  [21, "PropertySetList"],
]);

export function dataTypeName(code: number): string {
  return TYPE_NAMES.get(code) ?? (code >= 22 && code <= 34 ? `array type ${code}` : `unknown type ${code}`);
}

/** Which oneof field of the metric carried the value, with the value as received. */
export type RawValue =
  | { field: "int"; value: number }
  | { field: "long"; value: bigint }
  | { field: "float" | "double"; value: number }
  | { field: "boolean"; value: boolean }
  | { field: "string"; value: string }
  | { field: "other"; name: string }
  | { field: "none" };

export interface SparkplugMetric {
  name?: string;
  alias?: bigint;
  /** Epoch ms. */
  timestamp?: number;
  datatype?: number;
  isNull: boolean;
  isHistorical: boolean;
  isTransient: boolean;
  value: RawValue;
}

export interface SparkplugPayload {
  timestamp?: number;
  seq?: number;
  metrics: SparkplugMetric[];
}

export type DecodeResult = { ok: true; payload: SparkplugPayload } | { ok: false; detail: string };

/** protobufjs gives 64-bit fields as `Long` (or plain numbers when `long` is absent). */
interface LongLike {
  high: number;
  low: number;
}
type ProtoLong = number | LongLike;
type Proto = Record<string, unknown>;

export function decodeSparkplug(bytes: Uint8Array): DecodeResult {
  let message: Proto;
  try {
    message = Payload.decode(bytes) as unknown as Proto;
  } catch (error) {
    return { ok: false, detail: `not a Sparkplug B payload: ${(error as Error).message}` };
  }
  const payload: SparkplugPayload = { metrics: ((message.metrics as Proto[]) ?? []).map(toMetric) };
  const timestamp = own(message, "timestamp");
  if (timestamp !== undefined) payload.timestamp = toNumber(timestamp as ProtoLong);
  const seq = own(message, "seq");
  if (seq !== undefined) payload.seq = toNumber(seq as ProtoLong);
  return { ok: true, payload };
}

function toMetric(m: Proto): SparkplugMetric {
  const metric: SparkplugMetric = {
    isNull: m.isNull === true,
    isHistorical: m.isHistorical === true,
    isTransient: m.isTransient === true,
    value: rawValue(m),
  };
  const name = own(m, "name");
  if (typeof name === "string") metric.name = name;
  const alias = own(m, "alias");
  if (alias !== undefined) metric.alias = toBigUint(alias as ProtoLong);
  const timestamp = own(m, "timestamp");
  if (timestamp !== undefined) metric.timestamp = toNumber(timestamp as ProtoLong);
  const datatype = own(m, "datatype");
  if (typeof datatype === "number") metric.datatype = datatype;
  return metric;
}

function rawValue(m: Proto): RawValue {
  // The generated class exposes the name of the oneof member that was set as `value`.
  switch (m.value) {
    case "intValue":
      return { field: "int", value: m.intValue as number };
    case "longValue":
      return { field: "long", value: toBigUint(m.longValue as ProtoLong) };
    case "floatValue":
      return { field: "float", value: m.floatValue as number };
    case "doubleValue":
      return { field: "double", value: m.doubleValue as number };
    case "booleanValue":
      return { field: "boolean", value: m.booleanValue as boolean };
    case "stringValue":
      return { field: "string", value: m.stringValue as string };
    case undefined:
      return { field: "none" };
    default:
      return { field: "other", name: String(m.value) };
  }
}

function own(o: Proto, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** The 64 bits as an unsigned bigint (the wire type of every Sparkplug 64-bit field is uint64). */
export function toBigUint(v: ProtoLong): bigint {
  if (typeof v === "number") return BigInt.asUintN(64, BigInt(Math.trunc(v)));
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

function toNumber(v: ProtoLong): number {
  return Number(toBigUint(v));
}

export type ValueResult = { ok: true; value: FieldValue } | { ok: false; detail: string };

/**
 * A JS value for a metric of the given Sparkplug datatype (§6.4.16).
 *
 * - Int8/Int16/Int32 travel in a uint32 (`int_value`); senders disagree on sign extension
 *   (eclipse-tahu/tahu#71), so the low 8/16/32 bits are read as two's complement.
 * - UInt32 may come in `int_value` (spec) or `long_value` (Tahu reference, sparkplug#102).
 * - Int64/UInt64 become a number when exactly representable (|v| <= 2^53-1), otherwise a decimal
 *   string: never a silently rounded number. DateTime is epoch ms, a number.
 */
export function convertValue(datatype: number, raw: RawValue): ValueResult {
  const converter = CONVERTERS.get(datatype);
  if (!converter) return { ok: false, detail: `unsupported datatype ${dataTypeName(datatype)}` };
  const value = converter(raw);
  if (value === undefined)
    return { ok: false, detail: `${dataTypeName(datatype)} value in ${describe(raw)} field` };
  return { ok: true, value };
}

type Converter = (raw: RawValue) => FieldValue | undefined;

function integer(bits: 8 | 16 | 32 | 64, signed: boolean): Converter {
  return (raw) => {
    if (raw.field !== "int" && raw.field !== "long") return undefined;
    const big = BigInt(raw.value);
    return safeNumber(signed ? BigInt.asIntN(bits, big) : BigInt.asUintN(bits, big));
  };
}

const floating: Converter = (raw) =>
  raw.field === "float" || raw.field === "double" ? raw.value : undefined;
const boolean: Converter = (raw) => (raw.field === "boolean" ? raw.value : undefined);
const text: Converter = (raw) => (raw.field === "string" ? raw.value : undefined);

const CONVERTERS: ReadonlyMap<number, Converter> = new Map([
  [DataType.Int8, integer(8, true)],
  [DataType.Int16, integer(16, true)],
  [DataType.Int32, integer(32, true)],
  [DataType.Int64, integer(64, true)],
  [DataType.UInt8, integer(8, false)],
  [DataType.UInt16, integer(16, false)],
  [DataType.UInt32, integer(32, false)],
  [DataType.UInt64, integer(64, false)],
  [DataType.DateTime, integer(64, false)],
  [DataType.Float, floating],
  [DataType.Double, floating],
  [DataType.Boolean, boolean],
  [DataType.String, text],
  [DataType.Text, text],
  [DataType.UUID, text],
]);

function safeNumber(v: bigint): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

function describe(raw: RawValue): string {
  if (raw.field === "other") return raw.name;
  return raw.field === "none" ? "no value" : `${raw.field}_value`;
}

/** The integer a bdSeq metric carries (§6.4.2, an Int64 or UInt64 in NBIRTH and NDEATH). */
export function integerOf(raw: RawValue): bigint | undefined {
  return raw.field === "int" || raw.field === "long" ? BigInt(raw.value) : undefined;
}
