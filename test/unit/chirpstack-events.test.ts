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
});
