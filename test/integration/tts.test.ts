import { createServer } from "node:net";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TtsSource } from "../../gateway/sources/tts.ts";
import { createUplinkDecoder } from "../../gateway/sources/uplink-decoder.ts";
import { DataCode } from "../../services/domain/errors.ts";
import { DEMO_SECRETS, eventually, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";
import { freePort } from "../helpers/process.ts";

/**
 * The Things Stack v3: its webhook into the API (the path that loses nothing) and its MQTT
 * server (QoS 0), with the demo territory's containers (DevEUI in the inventory).
 */
const CONTAINER = "pav-54521-001";
const DEV_EUI = "24E1245452110001";
const HOOK = "/api/v1/integrations/tts-collecte/uplink";

function ttsUplink(
  devEui: string,
  time: number,
  decoded?: Record<string, unknown>,
  frm = "AXVcA4JECAQAAQ==",
) {
  return JSON.stringify({
    end_device_ids: {
      device_id: "eui-24e1245452110001",
      application_ids: { application_id: "conteneurs" },
      dev_eui: devEui,
      dev_addr: "260B1234",
    },
    received_at: new Date(time + 150).toISOString(),
    uplink_message: {
      f_port: 85,
      f_cnt: 42,
      frm_payload: frm,
      ...(decoded ? { decoded_payload: decoded } : {}),
      rx_metadata: [{ gateway_ids: { gateway_id: "gw-thil" }, rssi: -101, snr: 6.25 }],
      received_at: new Date(time).toISOString(),
    },
  });
}

describe("The Things Stack v3 integration", () => {
  let t: TestPlatform;

  const post = async (body: string, secret: string | null = DEMO_SECRETS["tts-collecte"], path = HOOK) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret !== null) headers["x-lanterne-secret"] = secret;
    const res = await fetch(`${t.apiUrl}${path}`, { method: "POST", headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const fillingAt = async (time: number) => {
    const points = await t.platform.store.series({ deviceId: CONTAINER, from: time, to: time + 1 });
    return points.find((p) => p.field === "filling_level")?.last;
  };
  const quarantinedCodes = async () =>
    (await t.platform.store.listQuarantine({ operatorId: "collecte-nord", limit: 20 })).flatMap((e) =>
      e.reasons.map((r) => r.code),
    );

  beforeAll(async () => {
    t = await startTestPlatform();
  }, 30_000);
  afterAll(async () => {
    await t?.close();
  });

  it("stores a webhook uplink before answering, as the integration's operator", async () => {
    const time = Date.now() - 120_000;
    const res = await post(ttsUplink(DEV_EUI, time, { filling_level: 0.33 }));
    expect(res).toEqual({ status: 200, body: { ok: true } });
    // Answered once durable: no waiting needed.
    expect(await fillingAt(time)).toBe(0.33);
  });

  it("decodes the bytes with the device's codec when The Things Stack did not", async () => {
    const time = Date.now() - 115_000;
    // Milesight EM310-UDL vector: battery 92 %, distance 2116 mm, tilted; this container is 2100 mm deep.
    expect((await post(ttsUplink(DEV_EUI, time))).status).toBe(200);
    const points = await t.platform.store.series({ deviceId: CONTAINER, from: time, to: time + 1 });
    expect(Object.fromEntries(points.map((p) => [p.field, p.last]))).toEqual({
      battery_level: 0.92,
      filling_level: 0,
      status: "lidOpen",
    });
  });

  it("maps a vendor codec's decoded payload to the contract's fields", async () => {
    const time = Date.now() - 114_000;
    await post(ttsUplink(DEV_EUI, time, { battery: 80, distance: 1050, position: "normal" }));
    const points = await t.platform.store.series({ deviceId: CONTAINER, from: time, to: time + 1 });
    expect(Object.fromEntries(points.map((p) => [p.field, p.last]))).toEqual({
      battery_level: 0.8,
      filling_level: 0.5,
      status: "ok",
    });
  });

  it("refuses a wrong or missing secret and an unknown integration", async () => {
    const body = ttsUplink(DEV_EUI, Date.now(), { filling_level: 0.1 });
    expect((await post(body, "wrong")).status).toBe(401);
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, DEMO_SECRETS["tts-collecte"], "/api/v1/integrations/nope/uplink")).status).toBe(
      404,
    );
  });

  it("keeps what it cannot take in quarantine with the reason", async () => {
    expect((await post("{broken")).status).toBe(200);
    expect((await post(ttsUplink("0000000000000000", Date.now(), { filling_level: 0.1 }))).status).toBe(200);
    expect((await post(ttsUplink(DEV_EUI, Date.now(), undefined, "not base64!"))).status).toBe(200);
    expect((await post(JSON.stringify({ end_device_ids: { dev_eui: DEV_EUI } }))).status).toBe(200);
    const oversized = "x".repeat(t.platform.pipeline.limits.maxPayloadBytes);
    const padded = JSON.stringify({ end_device_ids: { dev_eui: DEV_EUI }, padding: oversized });
    expect((await post(padded)).status).toBe(200);
    expect(await quarantinedCodes()).toEqual(
      expect.arrayContaining([
        DataCode.PAYLOAD_JSON,
        DataCode.DEVICE_UNKNOWN,
        DataCode.PAYLOAD_BASE64,
        DataCode.PAYLOAD_SHAPE,
        DataCode.PAYLOAD_TOO_LARGE,
      ]),
    );
  });

  it("faces the contract: an implausible value is dropped and reported", async () => {
    const time = Date.now() - 110_000;
    await post(ttsUplink(DEV_EUI, time, { filling_level: 0.5, temperature_c: 900 }));
    expect(await fillingAt(time)).toBe(0.5);
    const compliance = await t.platform.store.countViolations({ operatorId: "collecte-nord" });
    expect(compliance.map((c) => c.code)).toContain(DataCode.OUT_OF_RANGE);
  });

  it("reads The Things Stack's MQTT server too", async () => {
    const port = await freePort();
    const aedes = await Aedes.createBroker();
    const server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    const source = new TtsSource(
      {
        id: "tts-mqtt",
        operatorId: "collecte-nord",
        url: `mqtt://127.0.0.1:${port}`,
        username: "conteneurs@ttn",
      },
      {
        limits: t.platform.pipeline.limits,
        deviceByEui: (eui) => (eui === DEV_EUI.toLowerCase() ? t.platform.devices.get(CONTAINER) : undefined),
        decoder: createUplinkDecoder(),
        ingestItems: (uplink, items) => t.platform.pipeline.ingestItems(uplink, items),
        refuse: (uplink, reason) => t.platform.pipeline.refuse(uplink, reason),
        now: () => Date.now(),
      },
    );
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    try {
      await source.start();
      const time = Date.now() - 100_000;
      await eventually(async () => {
        await publisher.publishAsync(
          "v3/conteneurs@ttn/devices/eui-24e1245452110001/up",
          ttsUplink(DEV_EUI, time, { filling_level: 0.8 }),
        );
        return (await fillingAt(time)) === 0.8;
      });
    } finally {
      await publisher.endAsync(true);
      await source.close();
      await new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve())));
    }
  });
});
