import { execFile } from "node:child_process";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectOperator,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

const run = promisify(execFile);
const LAMP = "lum-57038-0001";
const PRESSURE = "pre-57038-001";
const lamp = (extra: Record<string, unknown> = {}) => ({
  power_state: "on",
  status: "ok",
  active_power_w: 48,
  ...extra,
});

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

const quarantined = (code: string, operatorId?: string) =>
  t.platform.store.listQuarantine({ code, limit: 10, ...(operatorId ? { operatorId } : {}) });
const stored = (deviceId: string) => t.platform.store.countValues({ deviceIds: [deviceId] });

describe("embedded MQTT broker", () => {
  it("stores a QoS 1 reading before acknowledging it", async () => {
    const client = await connectOperator(t.mqttUrl, "lumiere-est");
    const before = await stored(LAMP);
    await client.publishAsync("lanterne/lumiere-est/readings", JSON.stringify(reading(LAMP, lamp())), {
      qos: 1,
    });
    // PUBACK received: the values are already in the store, no waiting.
    expect(await stored(LAMP)).toBe(before + 3);
    await client.endAsync();
  });

  it("takes QoS 0 batches and the per-device topic", async () => {
    const client = await connectOperator(t.mqttUrl, "eaux-alzette");
    const base = Date.now() - 60_000;
    const readings = Array.from({ length: 50 }, (_, i) =>
      reading(PRESSURE, { pressure_bar: 4 + i / 100 }, new Date(base + i * 100).toISOString()),
    );
    client.publish("lanterne/eaux-alzette/readings", JSON.stringify({ readings }), { qos: 0 });
    client.publish(
      `lanterne/eaux-alzette/devices/${PRESSURE}/readings`,
      JSON.stringify({ time: new Date(base + 10_000).toISOString(), data: { pressure_bar: 3.3 } }),
    );
    await eventually(async () => (await stored(PRESSURE)) >= 51);
    const [state] = await t.platform.store.latest({ deviceIds: [PRESSURE] });
    expect(state?.values.pressure_bar?.value).toBe(3.3);
    await client.endAsync();
  });

  it.each([
    ["malformed JSON", "{oops", "ERR_PAYLOAD_JSON"],
    [
      "wrong types",
      JSON.stringify(reading(LAMP, lamp({ active_power_w: "high" }))),
      "ERR_CONTRACT_WRONG_TYPE",
    ],
    ["an unknown device", JSON.stringify(reading("lum-99999-0001", lamp())), "ERR_DEVICE_UNKNOWN"],
    [
      "another operator's device",
      JSON.stringify(reading(PRESSURE, { pressure_bar: 4 })),
      "ERR_DEVICE_NOT_ASSIGNED",
    ],
    [
      "a missing required field",
      JSON.stringify(reading(LAMP, { power_state: "on" })),
      "ERR_CONTRACT_REQUIRED_MISSING",
    ],
  ])("keeps %s in quarantine with its reason and goes on serving", async (_name, payload, code) => {
    const client = await connectOperator(t.mqttUrl, "lumiere-est");
    const before = (await quarantined(code, "lumiere-est")).length;
    await client.publishAsync("lanterne/lumiere-est/readings", payload, { qos: 1 });
    const entries = await quarantined(code, "lumiere-est");
    expect(entries.length).toBe(before + 1);
    expect(entries[0]?.raw).toBe(payload);
    expect(entries[0]?.reasons.map((r) => r.code)).toContain(code);
    // Same connection still usable.
    const count = await stored(LAMP);
    await client.publishAsync("lanterne/lumiere-est/readings", JSON.stringify(reading(LAMP, lamp())), {
      qos: 1,
    });
    expect(await stored(LAMP)).toBe(count + 3);
    await client.endAsync();
  });

  it("keeps a 1 MB payload's head in quarantine as too large", async () => {
    const client = await connectOperator(t.mqttUrl, "collecte-nord");
    const big = JSON.stringify({
      device: "pav-57038-001",
      data: { filling_level: 0.5, junk: "x".repeat(1024 * 1024) },
    });
    await client.publishAsync("lanterne/collecte-nord/readings", big, { qos: 1 });
    const [entry] = await quarantined("ERR_PAYLOAD_TOO_LARGE", "collecte-nord");
    expect(entry?.truncated).toBe(true);
    expect(big.startsWith(entry?.raw ?? "-")).toBe(true);
    await client.endAsync();
  });

  it("disconnects a client publishing on another operator's topic, keeps the payload, serves others", async () => {
    const intruder = await connectOperator(t.mqttUrl, "collecte-nord");
    const honest = await connectOperator(t.mqttUrl, "lumiere-est");
    const closed = new Promise<void>((resolve) => intruder.once("close", () => resolve()));
    intruder.publish("lanterne/lumiere-est/readings", JSON.stringify(reading(LAMP, lamp())), { qos: 1 });
    await closed;
    const [entry] = await quarantined("ERR_TOPIC_FORBIDDEN", "collecte-nord");
    expect(entry?.reasons[0]?.detail).toContain("lanterne/lumiere-est/readings");
    const count = await stored(LAMP);
    await honest.publishAsync("lanterne/lumiere-est/readings", JSON.stringify(reading(LAMP, lamp())), {
      qos: 1,
    });
    expect(await stored(LAMP)).toBe(count + 3);
    intruder.end(true);
    await honest.endAsync();
  });

  it("refuses bad credentials with CONNACK 4, and keeps serving others", async () => {
    for (const [username, password] of [
      ["lumiere-est", "wrong"],
      ["nobody", "x"],
      ["lumiere-est", ""],
    ]) {
      const client = mqtt.connect(t.mqttUrl, { username, password, reconnectPeriod: 0 });
      const err = await new Promise<Error & { code?: number }>((resolve) => client.once("error", resolve));
      expect(err.code).toBe(4);
      client.end(true);
    }
    const ok = await connectOperator(t.mqttUrl, "lumiere-est");
    expect(ok.connected).toBe(true);
    await ok.endAsync();
  });

  it("refuses subscriptions outside the operator's own prefix", async () => {
    const client = await connectOperator(t.mqttUrl, "lumiere-est");
    // SUBACK 128: mqtt.js turns the refusal into an error; the connection stays up.
    for (const filter of ["lanterne/eaux-alzette/#", "lanterne/+/readings", "lanterne/lumiere-estX/#", "#"]) {
      const err = await client.subscribeAsync(filter).then(
        () => undefined,
        (e: Error & { packet?: { granted?: number[] } }) => e,
      );
      expect(err?.packet?.granted, filter).toEqual([128]);
    }
    const [own] = await client.subscribeAsync("lanterne/lumiere-est/#");
    expect(own?.qos).toBe(0);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it("accepts a real mosquitto_pub client", async () => {
    const count = await stored(LAMP);
    const port = String(t.platform.broker.port);
    const payload = JSON.stringify(reading(LAMP, lamp()));
    const args = [
      "-h",
      "127.0.0.1",
      "-p",
      port,
      "-u",
      "lumiere-est",
      "-P",
      DEMO_SECRETS["lumiere-est"],
      "-q",
      "1",
      // A client id of the operator's own namespace (README, "MQTT").
      "-i",
      "lumiere-est-mosquitto",
    ];
    await run("mosquitto_pub", [...args, "-t", "lanterne/lumiere-est/readings", "-m", payload]);
    expect(await stored(LAMP)).toBe(count + 3);
  });

  it("speaks MQTT over WebSocket", async () => {
    const client = await connectOperator(t.wsUrl, "lumiere-est");
    const count = await stored(LAMP);
    await client.publishAsync("lanterne/lumiere-est/readings", JSON.stringify(reading(LAMP, lamp())), {
      qos: 1,
    });
    expect(await stored(LAMP)).toBe(count + 3);
    await client.endAsync();
  });
});
