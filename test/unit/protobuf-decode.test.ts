import { describe, expect, it } from "vitest";
import {
  DEFAULT_LIMITS,
  type DecodedItem,
  type DecodeResult,
  decodeJsonPayload,
} from "../../gateway/pipeline/decode.ts";
import { decodeProtobufPayload } from "../../gateway/pipeline/decode-protobuf.ts";
import { lanterne } from "../../protos/generated/lanterne.js";
import { mulberry32 } from "../../services/domain/random.ts";

const NOW = Date.parse("2026-11-23T10:00:00Z");
const ctx = { receivedAt: NOW };
const { Readings } = lanterne.v1;

type JsonReading = {
  device?: string;
  time?: string | number;
  data: Record<string, number | string | boolean>;
};
type PbReading = lanterne.v1.Reading.$Properties;

// --- the same reading in both formats ------------------------------------------------------------

/** The protobuf Timestamp of a JSON time (ISO 8601 or epoch ms), as an operator's client would build it. */
function timestampOf(time: string | number): { seconds: number; nanos: number } {
  const ms = typeof time === "number" ? time : Date.parse(time);
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

function pbValueOf(v: number | string | boolean): lanterne.v1.Value.$Properties {
  if (typeof v === "number") return { number: v };
  return typeof v === "string" ? { text: v } : { flag: v };
}

function pbReadingOf(r: JsonReading): PbReading {
  const data = Object.fromEntries(Object.entries(r.data).map(([k, v]) => [k, pbValueOf(v)]));
  return {
    ...(r.device === undefined ? {} : { device: r.device }),
    ...(r.time === undefined ? {} : { time: timestampOf(r.time) }),
    data,
  };
}

function encode(readings: PbReading[]): Buffer {
  return Buffer.from(Readings.encode({ readings }).finish());
}

/** Items without `raw`, which differs on purpose (each format keeps its own rendering). */
function comparable(result: DecodeResult): unknown {
  if (!result.ok) return result;
  return { ok: true, items: result.items.map(({ raw: _raw, ...rest }: DecodedItem) => rest) };
}

// --- equivalence with the JSON decoder -----------------------------------------------------------

const reading = (over: Partial<JsonReading> = {}): JsonReading => ({
  device: "lum-57038-0001",
  data: { power_state: "on", active_power_w: 48.5 },
  ...over,
});

const EQUIVALENT: [string, JsonReading[], { deviceId?: string }?][] = [
  ["one reading with an ISO time", [reading({ time: "2026-11-23T09:00:00Z" })]],
  ["milliseconds kept, finer precision dropped", [reading({ time: "2026-11-23T09:00:00.123Z" })]],
  ["an epoch-ms time", [reading({ time: NOW - 5 })]],
  ["a time before 1970", [reading({ time: "1969-12-31T23:59:59.500Z" })]],
  ["no time: the reception time", [reading()]],
  ["a time exactly at the future limit", [reading({ time: NOW + DEFAULT_LIMITS.maxFutureMs })]],
  ["a time past the future limit", [reading({ time: NOW + DEFAULT_LIMITS.maxFutureMs + 1000 })]],
  [
    "numbers, texts and booleans",
    [reading({ data: { a: 1, b: -0.25, c: 1e300, s: "é ✓", t: true, f: false } })],
  ],
  ["empty text and zero", [reading({ data: { s: "", z: 0 } })]],
  ["a field named __proto__", [reading({ data: { ["__proto__"]: 3 } })]],
  ["an empty data object", [reading({ data: {} })]],
  ["a batch", [reading({ device: "a" }), reading({ device: "b", time: NOW - 60_000 })]],
  ["no device and no topic", [{ data: { a: 1 } }]],
  ["a device of 128 characters", [reading({ device: "d".repeat(128) })]],
  ["a device of 129 characters", [reading({ device: "d".repeat(129) })]],
  ["a batch with one bad item", [reading({ device: "a" }), { data: {} }, reading({ device: "c" })]],
  ["the device from the topic", [{ data: { a: 1 } }], { deviceId: "t1" }],
  ["the same device in topic and payload", [reading({ device: "t1" })], { deviceId: "t1" }],
  ["another device than the topic's", [reading({ device: "t2" })], { deviceId: "t1" }],
];

describe("protobuf decode stage: the same verdicts as JSON", () => {
  it.each(EQUIVALENT)("%s", (_name, readings, topic) => {
    const context = { ...ctx, ...topic };
    const json = decodeJsonPayload(JSON.stringify({ readings }), context);
    const pb = decodeProtobufPayload(encode(readings.map(pbReadingOf)), context);
    expect(comparable(pb)).toEqual(comparable(json));
    // The single-object JSON form is a batch of one in protobuf.
    if (readings.length === 1)
      expect(comparable(pb)).toEqual(comparable(decodeJsonPayload(JSON.stringify(readings[0]), context)));
  });

  it("accepts the stated cases as readings (the table is not vacuous)", () => {
    const pb = decodeProtobufPayload(
      encode([pbReadingOf(reading({ time: "2026-11-23T09:00:00.123Z" }))]),
      ctx,
    );
    expect(pb).toMatchObject({
      ok: true,
      items: [
        { index: 0, reading: { deviceId: "lum-57038-0001", time: NOW - 3_600_000 + 123 }, problems: [] },
      ],
    });
  });

  it("refuses an empty envelope as JSON refuses an empty batch", () => {
    const pb = decodeProtobufPayload(Buffer.alloc(0), ctx);
    expect(pb).toEqual(decodeJsonPayload('{"readings":[]}', ctx));
    expect(pb.ok ? "" : pb.problem.code).toBe("ERR_PAYLOAD_SHAPE");
  });

  it("applies the batch limit, with the same verdict as JSON", () => {
    const limits = { ...DEFAULT_LIMITS, maxBatch: 3 };
    const many = (n: number) => Array.from({ length: n }, (_, i) => reading({ device: `d${i}` }));
    expect(decodeProtobufPayload(encode(many(3).map(pbReadingOf)), ctx, limits).ok).toBe(true);
    const pb = decodeProtobufPayload(encode(many(4).map(pbReadingOf)), ctx, limits);
    expect(pb).toEqual(decodeJsonPayload(JSON.stringify({ readings: many(4) }), ctx, limits));
    expect(pb.ok ? "" : pb.problem).toMatchObject({ code: "ERR_BATCH_TOO_LARGE", path: "readings" });
  });

  it("applies the default batch limit of 1,000", () => {
    const empty = Array.from({ length: 1001 }, () => ({ device: "d" }));
    const r = decodeProtobufPayload(encode(empty), ctx);
    expect(r.ok ? "" : r.problem.code).toBe("ERR_BATCH_TOO_LARGE");
    expect(decodeProtobufPayload(encode(empty.slice(1)), ctx).ok).toBe(true);
  });

  it("refuses a payload over the size limit before parsing it", () => {
    const bytes = encode([pbReadingOf(reading())]);
    const at = { ...DEFAULT_LIMITS, maxPayloadBytes: bytes.length };
    expect(decodeProtobufPayload(bytes, ctx, at).ok).toBe(true);
    const under = { ...at, maxPayloadBytes: bytes.length - 1 };
    expect(decodeProtobufPayload(bytes, ctx, under)).toEqual({
      ok: false,
      problem: {
        code: "ERR_PAYLOAD_TOO_LARGE",
        path: "",
        detail: `${bytes.length} bytes > limit of ${bytes.length - 1}`,
      },
    });
    // Garbage is not even looked at when too large.
    const big = decodeProtobufPayload(Buffer.alloc(DEFAULT_LIMITS.maxPayloadBytes + 1, 0xff), ctx);
    expect(big.ok ? "" : big.problem.code).toBe("ERR_PAYLOAD_TOO_LARGE");
  });
});

// --- what only protobuf can get wrong -------------------------------------------------------------

/** Decodes a batch of [a good reading, `bad`] and returns the second item. */
function secondItem(bad: PbReading, topic: { deviceId?: string } = {}): DecodedItem | undefined {
  const r = decodeProtobufPayload(encode([{ device: topic.deviceId ?? "ok", data: {} }, bad]), {
    ...ctx,
    ...topic,
  });
  expect(r.ok).toBe(true);
  if (!r.ok) return undefined;
  expect(r.items[0]?.reading?.deviceId).toBe(topic.deviceId ?? "ok");
  return r.items[1];
}

describe("protobuf decode stage: protobuf-only problems", () => {
  it.each([
    ["a Value with no kind set", { u: {} }, "data.u"],
    ["a NaN", { n: { number: Number.NaN } }, "data.n"],
    ["an infinity", { i: { number: Number.POSITIVE_INFINITY } }, "data.i"],
    ["a negative infinity", { i: { number: Number.NEGATIVE_INFINITY } }, "data.i"],
  ])("refuses a reading with %s, at its path, and only that reading", (_name, data, path) => {
    const item = secondItem({ device: "d", data: { fine: { number: 1 }, ...data } });
    expect(item?.reading).toBeUndefined();
    expect(item?.problems).toEqual([{ code: "ERR_PAYLOAD_PROTOBUF", path, detail: expect.any(String) }]);
  });

  it("reports every unset Value and the device problem together", () => {
    const item = secondItem({ data: { a: {}, b: { text: "x" }, c: {} } });
    expect(item?.problems.map((p) => [p.code, p.path])).toEqual([
      ["ERR_PAYLOAD_SHAPE", "device"],
      ["ERR_PAYLOAD_PROTOBUF", "data.a"],
      ["ERR_PAYLOAD_PROTOBUF", "data.c"],
    ]);
  });

  it.each([
    ["seconds after 9999-12-31", { seconds: 253_402_300_800, nanos: 0 }],
    ["seconds before 0001-01-01", { seconds: -62_135_596_801, nanos: 0 }],
    ["negative nanos", { seconds: 1, nanos: -1 }],
    ["nanos of a whole second", { seconds: 1, nanos: 1_000_000_000 }],
  ])("refuses a Timestamp with %s as ERR_TIME_INVALID", (_name, time) => {
    const item = secondItem({ device: "d", time, data: {} });
    expect(item?.reading).toBeUndefined();
    expect(item?.problems).toEqual([{ code: "ERR_TIME_INVALID", path: "time", detail: expect.any(String) }]);
  });

  it("reads the Timestamp range's earliest bound, then refuses it as a reading before 1970", () => {
    const item = secondItem({
      device: "d",
      time: { seconds: -62_135_596_800, nanos: 999_999_999 },
      data: {},
    });
    expect(item?.reading).toBeUndefined();
    expect(item?.problems).toEqual([
      { code: "ERR_TIME_INVALID", path: "time", detail: expect.stringContaining("before 1970") },
    ]);
  });

  it("treats an empty device string as absent (proto3 has no presence for strings)", () => {
    expect(secondItem({ device: "", data: {} }, { deviceId: "t1" })?.reading?.deviceId).toBe("t1");
    expect(secondItem({ device: "", data: {} })?.problems.map((p) => p.code)).toEqual(["ERR_PAYLOAD_SHAPE"]);
  });

  it("keeps the last kind written when a Value sets several (protobuf oneof semantics)", () => {
    // Value bytes: number = 1.0 (field 1, fixed64), then text = "on" (field 2).
    const value = Buffer.concat([Buffer.from([0x09]), float64(1), Buffer.from([0x12, 0x02, 0x6f, 0x6e])]);
    const entry = Buffer.concat([Buffer.from([0x0a, 0x01, 0x73, 0x12, value.length]), value]);
    const body = Buffer.concat([Buffer.from([0x0a, 0x01, 0x64, 0x22, entry.length]), entry]);
    const r = decodeProtobufPayload(Buffer.concat([Buffer.from([0x0a, body.length]), body]), ctx);
    expect(r.ok && r.items[0]?.reading?.data).toEqual({ s: "on" });
  });

  it("skips unknown fields (a newer client talking to this platform)", () => {
    const known = encode([{ device: "d", data: { a: { number: 1 } } }]);
    // Field 99 (varint) appended inside the reading: tag 99<<3 = 0x318 -> varint 0x98 0x06.
    const inner = Buffer.concat([known.subarray(2), Buffer.from([0x98, 0x06, 0x2a])]);
    const r = decodeProtobufPayload(Buffer.concat([Buffer.from([0x0a, inner.length]), inner]), ctx);
    expect(comparable(r)).toEqual(comparable(decodeProtobufPayload(known, ctx)));
  });

  it("cannot be told from JSON by its first bytes (why MQTT uses a /pb topic suffix)", () => {
    // A first reading of 123 bytes: the envelope starts with 0x0a 0x7b, "\n{" in JSON terms.
    const bytes = encode([{ device: "d".repeat(121), data: {} }]);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("\n{");
    expect(decodeProtobufPayload(bytes, ctx).ok).toBe(true);
  });

  it("keeps a readable JSON rendering of each reading as raw", () => {
    const r = decodeProtobufPayload(
      encode([
        {
          device: "d",
          time: { seconds: 1_795_424_400, nanos: 5 },
          data: { n: { number: Number.NaN }, u: {} },
        },
      ]),
      ctx,
    );
    const raw = r.ok ? r.items[0]?.raw : undefined;
    expect(raw).toEqual({
      device: "d",
      time: { seconds: "1795424400", nanos: 5 },
      data: { n: { number: "NaN" }, u: {} },
    });
    expect(JSON.parse(JSON.stringify(raw))).toEqual(raw);
  });
});

function float64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return b;
}

// --- malformed bytes ------------------------------------------------------------------------------

/** What the decoder must answer, by protobuf semantics alone (an oracle independent of it). */
function expectedVerdict(bytes: Uint8Array): string {
  try {
    const n = Readings.decode(bytes).readings.length;
    return n === 0 ? "ERR_PAYLOAD_SHAPE" : `ok:${n}`;
  } catch {
    return "ERR_PAYLOAD_PROTOBUF";
  }
}

const verdict = (r: DecodeResult) => (r.ok ? `ok:${r.items.length}` : r.problem.code);

describe("protobuf decode stage: malformed bytes", () => {
  const readings: PbReading[] = [
    { device: "lum-57038-0001", time: { seconds: 1_795_420_000, nanos: 1 }, data: { a: { number: 1.5 } } },
    { device: "lum-57038-0002", data: { s: { text: "on" }, f: { flag: true } } },
    { device: "lum-57038-0003", data: {} },
  ];
  const full = encode(readings);
  const fullResult = decodeProtobufPayload(full, ctx);

  it("answers every truncation of a valid message: a prefix of whole readings, or ERR_PAYLOAD_PROTOBUF", () => {
    // Each top-level `readings` entry is self-delimited, so a cut exactly after entry n is a valid
    // envelope of the first n readings; a cut anywhere else leaves a length prefix unsatisfied.
    const ends = readings.map((_, i) => encode(readings.slice(0, i + 1)).length);
    expect(ends.at(-1)).toBe(full.length);
    for (let len = 0; len < full.length; len++) {
      const r = decodeProtobufPayload(full.subarray(0, len), ctx);
      const n = ends.indexOf(len) + 1;
      if (len === 0) expect(verdict(r), `length ${len}`).toBe("ERR_PAYLOAD_SHAPE");
      else if (n > 0)
        expect(r, `length ${len}`).toEqual({
          ok: true,
          items: fullResult.ok && fullResult.items.slice(0, n),
        });
      else expect(verdict(r), `length ${len}`).toBe("ERR_PAYLOAD_PROTOBUF");
    }
  });

  it("never throws on random garbage, and answers as protobuf semantics say", () => {
    const rng = mulberry32(20261123);
    const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rng() * 256)));
    const seen = new Set<string>();
    for (let run = 0; run < 4000; run++) {
      const body = randomBytes(1 + Math.floor(rng() * 64));
      // Half the runs frame the garbage as a `readings` entry, so that it reaches the Reading,
      // map and Value decoders instead of failing at the first top-level tag.
      const bytes = run % 2 === 0 ? body : Buffer.concat([Buffer.from([0x0a, body.length]), body]);
      const r = decodeProtobufPayload(bytes, ctx);
      expect(verdict(r), bytes.toString("hex")).toBe(expectedVerdict(bytes));
      seen.add(verdict(r));
    }
    expect([...seen].sort()).toEqual(["ERR_PAYLOAD_PROTOBUF", "ERR_PAYLOAD_SHAPE", "ok:1"]);
  });

  it("never throws on a valid message with one byte changed", () => {
    const rng = mulberry32(7);
    const seen = new Set<string>();
    for (let run = 0; run < 3000; run++) {
      const bytes = Buffer.from(full);
      bytes[Math.floor(rng() * bytes.length)] = Math.floor(rng() * 256);
      const r = decodeProtobufPayload(bytes, ctx);
      expect(verdict(r), bytes.toString("hex")).toBe(expectedVerdict(bytes));
      seen.add(verdict(r));
    }
    expect(seen).toContain("ERR_PAYLOAD_PROTOBUF");
    expect(seen).toContain("ok:3");
  });

  it.each([
    ["an invalid wire type", Buffer.from([0x0f])],
    ["a length past the end", Buffer.from([0x0a, 0x05, 0x0a])],
    ["an unterminated varint", Buffer.from([0x08, 0xff, 0xff])],
    ["a device that is not UTF-8", Buffer.from([0x0a, 0x04, 0x0a, 0x02, 0xc3, 0x28])],
    ["unknown groups nested past the recursion limit", Buffer.alloc(10_000, 0x7b)],
    ["JSON sent as protobuf", Buffer.from('{"device":"d","data":{}}')],
  ])("refuses %s as a whole with ERR_PAYLOAD_PROTOBUF", (_name, bytes) => {
    const r = decodeProtobufPayload(bytes, ctx);
    expect(r.ok ? "accepted" : r.problem).toEqual({
      code: "ERR_PAYLOAD_PROTOBUF",
      path: "",
      detail: expect.any(String),
    });
  });
});
