import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, decodeJsonPayload } from "../../gateway/pipeline/decode.ts";

const NOW = Date.parse("2026-11-23T10:00:00Z");
const ctx = { receivedAt: NOW };

describe("decode stage", () => {
  it("reads one reading, with ISO or epoch time", () => {
    const r = decodeJsonPayload('{"device":"d1","time":"2026-11-23T09:00:00Z","data":{"a":1}}', ctx);
    expect(r).toMatchObject({
      ok: true,
      items: [{ reading: { deviceId: "d1", time: NOW - 3_600_000, data: { a: 1 } } }],
    });
    const e = decodeJsonPayload(JSON.stringify({ device: "d1", time: NOW - 5, data: {} }), ctx);
    expect(e.ok && e.items[0]?.reading?.time).toBe(NOW - 5);
  });

  it("uses the reception time when the reading has none", () => {
    const r = decodeJsonPayload('{"device":"d1","data":{}}', ctx);
    expect(r.ok && r.items[0]?.reading?.time).toBe(NOW);
  });

  it("reads a batch object and a bare array", () => {
    const batch = decodeJsonPayload('{"readings":[{"device":"a","data":{}},{"device":"b","data":{}}]}', ctx);
    expect(batch.ok && batch.items.map((i) => i.reading?.deviceId)).toEqual(["a", "b"]);
    const arr = decodeJsonPayload('[{"device":"a","data":{}}]', ctx);
    expect(arr.ok && arr.items).toHaveLength(1);
  });

  it.each([
    ["malformed JSON", "{not json", "ERR_PAYLOAD_JSON"],
    ["a JSON scalar", "42", "ERR_PAYLOAD_SHAPE"],
    ["an empty batch", '{"readings":[]}', "ERR_PAYLOAD_SHAPE"],
    ["an oversized payload", `{"x":"${"a".repeat(300_000)}"}`, "ERR_PAYLOAD_TOO_LARGE"],
    [
      "too many readings",
      JSON.stringify({ readings: Array.from({ length: 1001 }, () => ({})) }),
      "ERR_BATCH_TOO_LARGE",
    ],
  ])("refuses %s as a whole", (_name, payload, code) => {
    const r = decodeJsonPayload(payload, ctx);
    expect(r.ok ? "accepted" : r.problem.code).toBe(code);
  });

  it.each([
    ["no device", { data: {} }, "ERR_PAYLOAD_SHAPE"],
    ["a numeric device", { device: 7, data: {} }, "ERR_PAYLOAD_SHAPE"],
    ["no data", { device: "a" }, "ERR_PAYLOAD_SHAPE"],
    ["data as array", { device: "a", data: [1] }, "ERR_PAYLOAD_SHAPE"],
    ["an unreadable time", { device: "a", time: "yesterday", data: {} }, "ERR_TIME_INVALID"],
    ["a time in the future", { device: "a", time: NOW + 3_600_000, data: {} }, "ERR_TIME_INVALID"],
  ])("refuses a batch item with %s, and only that item", (_name, bad, code) => {
    const r = decodeJsonPayload(JSON.stringify({ readings: [{ device: "ok", data: {} }, bad] }), ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.items[0]?.reading?.deviceId).toBe("ok");
    expect(r.items[1]?.reading).toBeUndefined();
    expect(r.items[1]?.problems.map((p) => p.code)).toEqual([code]);
  });

  it("takes the device from the topic, and refuses a payload naming another", () => {
    const topic = { receivedAt: NOW, deviceId: "t1" };
    const r = decodeJsonPayload('{"data":{"a":1}}', topic);
    expect(r.ok && r.items[0]?.reading?.deviceId).toBe("t1");
    const m = decodeJsonPayload('{"device":"t2","data":{}}', topic);
    expect(m.ok && m.items[0]?.problems.map((p) => p.code)).toEqual(["ERR_DEVICE_MISMATCH"]);
  });

  it("has limits a deployment can set", () => {
    const r = decodeJsonPayload('{"device":"a","data":{}}', ctx, { ...DEFAULT_LIMITS, maxPayloadBytes: 10 });
    expect(r.ok ? "" : r.problem.code).toBe("ERR_PAYLOAD_TOO_LARGE");
  });
});
