import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChirpstackSource } from "../../gateway/sources/chirpstack.ts";
import type { UplinkDecoder } from "../../gateway/sources/lorawan-uplink.ts";
import { DataCode, violation } from "../../services/domain/errors.ts";
import { eventually, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";
import { freePort } from "../helpers/process.ts";

/**
 * ChirpStack v4's MQTT integration, against a real broker over TCP (an aedes instance standing in
 * for the operator's Mosquitto) and the real platform: uplinks land in the store, refusals in
 * quarantine, and nothing is lost when the broker restarts or Lanterne is away.
 */
const CONTAINER = "pav-54521-001";
const DEV_EUI = "a840410000000101";

/** ChirpStack decoded the payload with the device profile's codec into the contract's names. */
const objectDecoder: UplinkDecoder = {
  decode: async ({ device, time, object, fPort, bytes }) =>
    object
      ? {
          ok: true,
          item: {
            index: 0,
            raw: { fPort, object },
            reading: { deviceId: device.id, time, data: object },
            problems: [],
          },
        }
      : {
          ok: false,
          violation: violation(
            DataCode.CODEC_UNKNOWN,
            "data",
            `no codec for ${bytes.length} bytes on fPort ${fPort}`,
          ),
        },
};

interface Broker {
  port: number;
  close(): Promise<void>;
}

async function startBroker(port: number): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
        // Connected clients keep the server open: close their sockets.
        server.unref();
      }),
  };
}

function upEvent(devEui: string, time: string, object?: Record<string, unknown>) {
  return JSON.stringify({
    deduplicationId: "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
    time,
    deviceInfo: { tenantId: "t", applicationId: "app1", deviceName: "pav", devEui },
    devAddr: "01ab23cd",
    fCnt: 10,
    fPort: 85,
    data: "AXVcA4JECAQAAQ==",
    ...(object ? { object } : {}),
    rxInfo: [{ gatewayId: "0016c001f153a14c", rssi: -97, snr: 7.5 }],
  });
}

describe("ChirpStack v4 integration", () => {
  let t: TestPlatform;
  let broker: Broker;
  let port: number;
  let source: ChirpstackSource;
  let publisher: MqttClient;

  const makeSource = () =>
    new ChirpstackSource(
      { id: "cs-test", operatorId: "collecte-nord", url: `mqtt://127.0.0.1:${port}`, reconnectMs: 100 },
      {
        limits: t.platform.pipeline.limits,
        deviceByEui: (eui) => (eui === DEV_EUI ? t.platform.devices.get(CONTAINER) : undefined),
        decoder: objectDecoder,
        ingestItems: (uplink, items) => t.platform.pipeline.ingestItems(uplink, items),
        refuse: (uplink, reason) => t.platform.pipeline.refuse(uplink, reason),
        now: () => Date.now(),
      },
    );

  const publish = (topic: string, payload: string | Buffer) =>
    publisher.publishAsync(topic, payload, { qos: 1 });
  const upTopic = (eui: string) => `application/app1/device/${eui}/event/up`;
  const fillingAt = async (time: number) => {
    const points = await t.platform.store.series({ deviceId: CONTAINER, from: time, to: time + 1 });
    return points.find((p) => p.field === "filling_level")?.last;
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    port = await freePort();
    broker = await startBroker(port);
    source = makeSource();
    await source.start();
    publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 100 });
  }, 30_000);

  afterAll(async () => {
    await publisher?.endAsync(true);
    await source?.close();
    await broker?.close();
    await t?.close();
  });

  it("stores an uplink ChirpStack decoded, for the integration's operator", async () => {
    const time = Date.now() - 60_000;
    await publish(upTopic(DEV_EUI), upEvent(DEV_EUI, new Date(time).toISOString(), { filling_level: 0.42 }));
    expect(await eventually(() => fillingAt(time))).toBe(0.42);
  });

  it("keeps what it cannot take in quarantine, with the reason, and goes on", async () => {
    await publish(upTopic("ffffffffffffffff"), upEvent("ffffffffffffffff", new Date().toISOString(), {}));
    await publish(upTopic(DEV_EUI), "{not json");
    await publish(upTopic(DEV_EUI), upEvent(DEV_EUI, new Date().toISOString()));
    const oversized = "x".repeat(t.platform.pipeline.limits.maxPayloadBytes);
    await publish(upTopic(DEV_EUI), JSON.stringify({ padding: oversized }));
    await publish(upTopic(DEV_EUI), Buffer.from([0x0a, 0xff, 0xff]));
    const codes = await eventually(async () => {
      const entries = await t.platform.store.listQuarantine({ operatorId: "collecte-nord", limit: 10 });
      const found = entries.flatMap((e) => e.reasons.map((r) => r.code));
      return found.length >= 5 ? found : undefined;
    });
    expect(codes).toEqual(
      expect.arrayContaining([
        DataCode.DEVICE_UNKNOWN,
        DataCode.PAYLOAD_JSON,
        DataCode.CODEC_UNKNOWN,
        DataCode.PAYLOAD_TOO_LARGE,
        DataCode.PAYLOAD_PROTOBUF,
      ]),
    );
    const time = Date.now() - 50_000;
    await publish(upTopic(DEV_EUI), upEvent(DEV_EUI, new Date(time).toISOString(), { filling_level: 0.5 }));
    expect(await eventually(() => fillingAt(time))).toBe(0.5);
  });

  it("keeps the newest status of a device as its health", async () => {
    const status = {
      time: new Date().toISOString(),
      deviceInfo: { devEui: DEV_EUI },
      margin: 12,
      batteryLevel: 87.5,
    };
    await publish(`application/app1/device/${DEV_EUI}/event/status`, JSON.stringify(status));
    const health = await eventually(async () => source.health.get(CONTAINER));
    expect(health).toMatchObject({ batteryLevel: 0.875, marginDb: 12 });
    // A status of a device the inventory does not know is kept in quarantine, not ignored.
    const stranger = { ...status, deviceInfo: { devEui: "0102030405060708" } };
    await publish("application/app1/device/0102030405060708/event/status", JSON.stringify(stranger));
    const kept = await eventually(async () => {
      const entries = await t.platform.store.listQuarantine({ operatorId: "collecte-nord", limit: 50 });
      return entries.find((e) => e.raw.includes("0102030405060708"));
    });
    expect(kept.reasons[0]?.code).toBe(DataCode.DEVICE_UNKNOWN);
  });

  it("refuses a status dated far ahead, which hid every later one (found by fuzzing)", async () => {
    const topic = `application/app1/device/${DEV_EUI}/event/status`;
    const ahead = { time: "+058000-01-01T00:00:00.000Z", deviceInfo: { devEui: DEV_EUI }, margin: 1 };
    await publish(topic, JSON.stringify(ahead));
    const kept = await eventually(async () => {
      const entries = await t.platform.store.listQuarantine({ operatorId: "collecte-nord", limit: 50 });
      return entries.find((e) => e.raw.includes("+058000"));
    });
    expect(kept.reasons[0]?.code).toBe(DataCode.TIME_INVALID);
    const now = { time: new Date().toISOString(), deviceInfo: { devEui: DEV_EUI }, margin: 7 };
    await publish(topic, JSON.stringify(now));
    expect(await eventually(async () => source.health.get(CONTAINER)?.marginDb === 7)).toBe(true);
  });

  it("reconnects by itself after the broker restarts", async () => {
    await broker.close();
    await eventually(async () => !source.connected, 5_000);
    broker = await startBroker(port);
    await eventually(async () => source.connected && publisher.connected, 10_000);
    // A new broker knows no session: the source subscribed again when it connected.
    const time = Date.now() - 40_000;
    await eventually(async () => {
      await publish(upTopic(DEV_EUI), upEvent(DEV_EUI, new Date(time).toISOString(), { filling_level: 0.6 }));
      return (await fillingAt(time)) === 0.6;
    }, 10_000);
  });

  it("receives what was published while it was away (persistent session)", async () => {
    await source.close();
    const time = Date.now() - 30_000;
    await publish(upTopic(DEV_EUI), upEvent(DEV_EUI, new Date(time).toISOString(), { filling_level: 0.7 }));
    source = makeSource();
    await source.start();
    expect(await eventually(() => fillingAt(time))).toBe(0.7);
  });
});
