import integration from "@chirpstack/chirpstack-api/integration/integration_pb.js";
import structPb from "google-protobuf/google/protobuf/struct_pb.js";
import timestampPb from "google-protobuf/google/protobuf/timestamp_pb.js";
import { describe, expect, it } from "vitest";
import { readStatusEvent, readUplinkEvent } from "../../gateway/sources/chirpstack-events.ts";
import { DataCode } from "../../services/domain/errors.ts";

// CommonJS modules: Node's ESM loader does not see their named exports.
const { Timestamp } = timestampPb;
const { Struct } = structPb;

/**
 * ChirpStack's two marshalers give the same uplink and status: messages built with the types of
 * `@chirpstack/chirpstack-api`, as ChirpStack's protobuf marshaler sends them, read like their
 * JSON twins; a malformed message is a coded refusal, never an exception.
 */
const DEV_EUI = "24E124136B502217";
const TIME = Date.parse("2026-11-23T08:15:30.250Z");
const BYTES = Uint8Array.from(Buffer.from("0175640382d0070400", "hex"));

function deviceInfo(): integration.DeviceInfo {
  const info = new integration.DeviceInfo();
  info.setDevEui(DEV_EUI);
  info.setApplicationId("app1");
  return info;
}

function protobufUplink(object?: Record<string, unknown>): Buffer {
  const e = new integration.UplinkEvent();
  e.setDeduplicationId("3ac7e3c4-4401-4b8d-9386-a5c902f9202d");
  e.setTime(Timestamp.fromDate(new Date(TIME)));
  e.setDeviceInfo(deviceInfo());
  e.setFCnt(12);
  e.setFPort(85);
  e.setData(BYTES);
  // biome-ignore lint/suspicious/noExplicitAny: Struct.fromJavaScript takes protobuf's JavaScriptValue map.
  if (object) e.setObject(Struct.fromJavaScript(object as any));
  return Buffer.from(e.serializeBinary());
}

describe("ChirpStack events, JSON and protobuf marshalers", () => {
  it("reads a protobuf uplink like its JSON twin", () => {
    const fromProtobuf = readUplinkEvent(protobufUplink());
    const json = {
      time: new Date(TIME).toISOString(),
      deviceInfo: { devEui: DEV_EUI },
      fPort: 85,
      data: Buffer.from(BYTES).toString("base64"),
    };
    const fromJson = readUplinkEvent(Buffer.from(JSON.stringify(json)));
    const expected = { devEui: DEV_EUI.toLowerCase(), fPort: 85, bytes: BYTES, time: TIME };
    expect(fromProtobuf).toEqual({ ok: true, value: expected });
    expect(fromJson).toEqual({ ok: true, value: expected });
  });

  it("keeps the object ChirpStack decoded", () => {
    const read = readUplinkEvent(protobufUplink({ distance: 1234, battery: 100, status: "normal" }));
    expect(read.ok && read.value.object).toEqual({ distance: 1234, battery: 100, status: "normal" });
  });

  it("reads a status, with the battery only when it is known", () => {
    const e = new integration.StatusEvent();
    e.setDeviceInfo(deviceInfo());
    e.setTime(Timestamp.fromDate(new Date(TIME)));
    e.setMargin(9);
    e.setBatteryLevel(87.5);
    const read = readStatusEvent(Buffer.from(e.serializeBinary()));
    expect(read).toEqual({
      ok: true,
      value: {
        devEui: DEV_EUI.toLowerCase(),
        time: TIME,
        batteryLevel: 87.5,
        margin: 9,
        externalPowerSource: false,
      },
    });
    e.setBatteryLevelUnavailable(true);
    const unknown = readStatusEvent(Buffer.from(e.serializeBinary()));
    expect(unknown.ok && unknown.value.batteryLevel).toBeUndefined();
  });

  it("refuses a status whose battery is no percentage: NaN made the health view a 500 (found by fuzzing)", () => {
    for (const level of [Number.NaN, Infinity, -1, 101]) {
      const e = new integration.StatusEvent();
      e.setDeviceInfo(deviceInfo());
      // battery_level (field 8, float) by hand: google-protobuf's writer refuses some of these.
      const battery = Buffer.alloc(5);
      battery[0] = (8 << 3) | 5;
      battery.writeFloatLE(level, 1);
      const read = readStatusEvent(Buffer.concat([Buffer.from(e.serializeBinary()), battery]));
      expect(read.ok ? "read" : read.violation).toEqual(
        expect.objectContaining({ code: DataCode.PAYLOAD_SHAPE, path: "batteryLevel" }),
      );
    }
    const json = readStatusEvent(
      Buffer.from('{"deviceInfo":{"devEui":"24e1245452110001"},"batteryLevel":1e400}'),
    );
    expect(json.ok ? "read" : json.violation.code).toBe(DataCode.PAYLOAD_SHAPE);
    const margin = readStatusEvent(
      Buffer.from('{"deviceInfo":{"devEui":"24e1245452110001"},"margin":-1e400}'),
    );
    expect(margin.ok ? "read" : margin.violation.path).toBe("margin");
  });

  it("refuses malformed messages with a code", () => {
    const truncated = protobufUplink().subarray(0, 20);
    for (const payload of [truncated, Buffer.from([0xff, 0xff, 0xff]), Buffer.alloc(0)]) {
      const read = readUplinkEvent(payload);
      expect(read.ok ? "read" : read.violation.code).toBe(DataCode.PAYLOAD_PROTOBUF);
    }
    const json = readUplinkEvent(Buffer.from("{not json"));
    expect(json.ok ? "read" : json.violation.code).toBe(DataCode.PAYLOAD_JSON);
    const badBase64 = readUplinkEvent(Buffer.from(JSON.stringify({ fPort: 1, data: "!!" })));
    expect(badBase64.ok && badBase64.value.bytes).toBeUndefined();
  });

  it("bounds a protobuf object as JSON events are bounded (found by fuzzing)", () => {
    // A Struct of nested lists, {"a": [[[...true...]]]}, was handed on a thousand levels deep.
    const nested = (levels: number) => {
      let value: unknown = true;
      for (let i = 0; i < levels; i++) value = [value];
      return { a: value };
    };
    for (const levels of [40, 1000]) {
      const read = readUplinkEvent(protobufUplink(nested(levels)));
      expect(read.ok ? "read" : read.violation.code).toBe(DataCode.PAYLOAD_DEPTH);
    }
    const wide = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]));
    const read = readUplinkEvent(protobufUplink(wide));
    expect(read.ok ? "read" : read.violation).toEqual(
      expect.objectContaining({ code: DataCode.PAYLOAD_LIMIT, path: "object" }),
    );
    expect(readUplinkEvent(protobufUplink(nested(30))).ok).toBe(true);
  });

  it("refuses a Struct too deep for the protobuf reader with ERR_PAYLOAD_DEPTH", () => {
    // Written on the wire directly: Struct.fromJavaScript itself cannot build it.
    const field = (n: number, bytes: Buffer): Buffer => {
      const length: number[] = [];
      for (let v = bytes.length; ; v = Math.floor(v / 128)) {
        if (v < 0x80) {
          length.push(v);
          break;
        }
        length.push((v & 0x7f) | 0x80);
      }
      return Buffer.concat([Buffer.from([(n << 3) | 2, ...length]), bytes]);
    };
    let value: Buffer = Buffer.from([0x20, 0x01]); // Value.bool_value = true
    for (let i = 0; i < 20_000; i++) value = field(6, field(1, value)); // Value.list_value.values[0]
    const struct = field(1, Buffer.concat([field(1, Buffer.from("a")), field(2, value)]));
    const read = readUplinkEvent(Buffer.concat([protobufUplink(), field(11, struct)])); // UplinkEvent.object
    expect(read.ok ? "read" : read.violation.code).toBe(DataCode.PAYLOAD_DEPTH);
  });
});
