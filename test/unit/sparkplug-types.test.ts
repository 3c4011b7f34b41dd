import sparkplug from "sparkplug-payload";
import root from "sparkplug-payload/lib/sparkplugPayloadProto.js";
import { describe, expect, it } from "vitest";
import { createSparkplugSession } from "../../gateway/sparkplug/session.ts";
import { DataCode } from "../../services/domain/errors.ts";

/**
 * Sparkplug datatypes (3.0.0 §6.4.16) to JS values. Integers that do not fit a double exactly
 * (Int64/UInt64 beyond 2^53 - 1) become decimal strings, never rounded numbers.
 */
const codec = sparkplug.get("spBv1.0");
if (!codec) throw new Error("no spBv1.0 codec");
const { encodePayload } = codec;
type BirthMetric = Parameters<typeof encodePayload>[0] extends { metrics?: (infer M)[] | null } ? M : never;
type RawMetric = root.org.eclipse.tahu.protobuf.Payload.IMetric;
const Payload = root.org.eclipse.tahu.protobuf.Payload;

const T0 = Date.UTC(2026, 0, 15, 18, 0, 0);
const NBIRTH = "spBv1.0/g/NBIRTH/n";
/** protobufjs takes 64-bit values as decimal strings. */
const long = (decimal: string) => decimal as unknown as number;

function readBirth(metrics: BirthMetric[]) {
  const session = createSparkplugSession({ fieldName: (name) => name });
  const r = session.handle(NBIRTH, Buffer.from(encodePayload({ timestamp: T0, seq: 0, metrics })), T0);
  return { session, r, data: r.readings[0]?.data ?? {} };
}

describe("Sparkplug datatypes, as the Tahu encoder writes them in a BIRTH", () => {
  const cases: [BirthMetric["type"], BirthMetric["value"], number | string | boolean][] = [
    ["Int8", -128, -128],
    ["Int8", 127, 127],
    ["Int16", -300, -300],
    ["Int32", -70_000, -70_000],
    ["Int64", -5, -5],
    ["Int64", long("-9223372036854775808"), "-9223372036854775808"],
    ["UInt8", 255, 255],
    ["UInt16", 65_535, 65_535],
    ["UInt32", 4_294_967_295, 4_294_967_295],
    ["UInt64", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ["UInt64", long("9007199254740993"), "9007199254740993"],
    ["UInt64", long("18446744073709551615"), "18446744073709551615"],
    ["Float", 1.5, 1.5],
    ["Double", 0.1, 0.1],
    ["Boolean", true, true],
    ["String", "defectiveLamp", "defectiveLamp"],
    ["Text", "armoire rue de la Gare", "armoire rue de la Gare"],
    ["UUID", "3ac7e3c4-4401-4b8d-9386-a5c902f9202d", "3ac7e3c4-4401-4b8d-9386-a5c902f9202d"],
    ["DateTime", T0, T0],
  ];
  it.each(cases)("%s %s -> %s", (type, value, expected) => {
    const { r, data } = readBirth([{ name: "m", alias: 1, type, value }]);
    expect(r.problems).toEqual([]);
    expect(data).toEqual({ m: expected });
  });

  it("skips DataSet, Bytes, File and Template metrics with a problem each, and keeps the rest", () => {
    const { r, data } = readBirth([
      { name: "kept", alias: 1, type: "Double", value: 2 },
      { name: "blob", alias: 2, type: "Bytes", value: new Uint8Array([1, 2]) },
      { name: "file", alias: 3, type: "File", value: new Uint8Array([3]) },
      {
        name: "table",
        alias: 4,
        type: "DataSet",
        value: { numOfColumns: 1, columns: ["a"], types: ["Int32"], rows: [[1]] },
      },
      { name: "udt", alias: 5, type: "Template", value: { isDefinition: true, metrics: [] } },
    ]);
    expect(data).toEqual({ kept: 2 });
    expect(r.problems.map((p) => [p.code, p.path, p.scope, p.detail])).toEqual([
      [DataCode.PAYLOAD_SHAPE, "metrics[1]", "metric", '"blob": unsupported datatype Bytes'],
      [DataCode.PAYLOAD_SHAPE, "metrics[2]", "metric", '"file": unsupported datatype File'],
      [DataCode.PAYLOAD_SHAPE, "metrics[3]", "metric", '"table": unsupported datatype DataSet'],
      [DataCode.PAYLOAD_SHAPE, "metrics[4]", "metric", '"udt": unsupported datatype Template'],
    ]);
  });
});

describe("Sparkplug datatypes in DATA metrics that carry no datatype", () => {
  const declared: BirthMetric[] = [
    { name: "i8", alias: 1, type: "Int8", value: 0 },
    { name: "i16", alias: 2, type: "Int16", value: 0 },
    { name: "u32", alias: 3, type: "UInt32", value: 0 },
    { name: "i64", alias: 4, type: "Int64", value: 0 },
    { name: "f", alias: 5, type: "Float", value: 0 },
  ];
  // Senders disagree on how a negative Int8/Int16 fills the uint32 (eclipse-tahu/tahu#71).
  const cases: [string, RawMetric, number | string][] = [
    ["Int8 sign-extended to 32 bits", { alias: 1, intValue: 0xffff_fffb }, -5],
    ["Int8 in its own 8 bits", { alias: 1, intValue: 0xfb }, -5],
    ["Int16 in its own 16 bits", { alias: 2, intValue: 0xffa9 }, -87],
    ["UInt32 in int_value (spec)", { alias: 3, intValue: 0xffff_ffff }, 4_294_967_295],
    ["UInt32 in long_value (Tahu)", { alias: 3, longValue: 4_000_000_000 }, 4_000_000_000],
    ["Int64 negative", { alias: 4, longValue: long("18446744073709551615") }, -1],
    ["Float", { alias: 5, floatValue: 0.25 }, 0.25],
  ];
  it.each(cases)("%s", (_name, metric, expected) => {
    const { session } = readBirth(declared);
    const bytes = Payload.encode(Payload.create({ timestamp: T0 + 1, seq: 1, metrics: [metric] })).finish();
    const r = session.handle("spBv1.0/g/NDATA/n", bytes, T0 + 1);
    expect(r.problems).toEqual([]);
    expect(Object.values(r.readings[0]?.data ?? {})).toEqual([expected]);
  });

  it("refuses a value in the wrong field for the declared datatype, keeping the rest", () => {
    const { session } = readBirth(declared);
    const metrics = [
      { alias: 5, stringValue: "0.25" },
      { alias: 1, intValue: 3 },
    ];
    const bytes = Payload.encode(Payload.create({ timestamp: T0 + 1, seq: 1, metrics })).finish();
    const r = session.handle("spBv1.0/g/NDATA/n", bytes, T0 + 1);
    expect(r.readings[0]?.data).toEqual({ i8: 3 });
    expect(r.problems).toEqual([
      expect.objectContaining({
        path: "metrics[0]",
        scope: "metric",
        detail: '"f": Float value in string_value field',
      }),
    ]);
  });
});
