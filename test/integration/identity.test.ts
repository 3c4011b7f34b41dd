import mqtt, { type ClientSubscribeCallback, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  connectOperator,
  DEMO_SECRETS,
  type OperatorId,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * Operator identity on a real platform, with real sockets and real clients: client ids cannot take
 * over another operator's session, each credential works in its own scheme only, failed logins are
 * throttled without slowing anyone else, and SUBACKs say which filters were refused.
 */
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

const LAMP = "lum-57038-0001";
const PRESSURE = "pre-57038-001";
const lampReading = () =>
  JSON.stringify(reading(LAMP, { power_state: "on", status: "ok", active_power_w: 48 }));
type Suback = NonNullable<Parameters<ClientSubscribeCallback>[2]>;
const stored = (deviceId: string) => t.platform.store.countValues({ deviceIds: [deviceId] });

async function api(path: string, auth?: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (auth) headers.set("authorization", auth);
  const res = await fetch(`${t.apiUrl}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const ingest = (auth: string, device: string, data: Record<string, unknown>) =>
  api("/api/v1/readings", auth, {
    method: "POST",
    body: JSON.stringify(reading(device, data)),
    headers: { "content-type": "application/json" },
  });

/** The CONNACK return code of a CONNECT that is expected to be refused. */
async function refusedConnect(username: OperatorId, password: string, clientId?: string): Promise<number> {
  const client = mqtt.connect(t.mqttUrl, {
    username,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...(clientId !== undefined ? { clientId } : {}),
  });
  try {
    const outcome = await new Promise<Error & { code?: number }>((resolve) => {
      client.once("error", resolve);
      client.once("connect", () => resolve(Object.assign(new Error("connected"), { code: 0 })));
    });
    return outcome.code ?? -1;
  } finally {
    client.end(true);
  }
}

describe("MQTT client ids", () => {
  it("refuses another operator's client id with CONNACK 2, and the first session goes on", async () => {
    const owner = await connectOperator(t.mqttUrl, "lumiere-est", { clientId: "lumiere-est-1" });
    let ownerClosed = false;
    owner.on("close", () => {
      ownerClosed = true;
    });
    expect(await refusedConnect("eaux-alzette", DEMO_SECRETS["eaux-alzette"], "lumiere-est-1")).toBe(2);
    const count = await stored(LAMP);
    await owner.publishAsync("lanterne/lumiere-est/readings", lampReading(), { qos: 1 });
    expect(await stored(LAMP)).toBe(count + 3);
    expect(ownerClosed).toBe(false);
    expect(owner.connected).toBe(true);
    expect(t.platform.broker.stats.clientIdRejected).toBeGreaterThanOrEqual(1);
    await owner.endAsync();
  });

  it("gives two operators using the same library-style id two sessions", async () => {
    const a = await connectOperator(t.mqttUrl, "lumiere-est", { clientId: "gateway-01" });
    const b = await connectOperator(t.mqttUrl, "eaux-alzette", { clientId: "gateway-01" });
    let aClosed = false;
    a.on("close", () => {
      aClosed = true;
    });
    const count = await stored(LAMP);
    await b.publishAsync(
      "lanterne/eaux-alzette/readings",
      JSON.stringify(reading(PRESSURE, { pressure_bar: 4.2 })),
      { qos: 1 },
    );
    await a.publishAsync("lanterne/lumiere-est/readings", lampReading(), { qos: 1 });
    expect(await stored(LAMP)).toBe(count + 3);
    expect(aClosed).toBe(false);
    await Promise.all([a.endAsync(), b.endAsync()]);
  });

  it("still takes empty client ids (clean sessions named by the broker)", async () => {
    const client = await connectOperator(t.mqttUrl, "collecte-nord", { clientId: "", clean: true });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});

describe("MQTT SUBACK", () => {
  it("grants the operator's own prefix and answers 128 for every other filter", async () => {
    const client: MqttClient = await connectOperator(t.mqttUrl, "lumiere-est");
    const refused = ["#", "+/#", "lanterne/+/readings", "lanterne/eaux-alzette/#", "$SYS/#"];
    const filters = [...refused, "lanterne/lumiere-estX/#", "lanterne/lumiere-est/#"];
    const suback = await new Promise<Suback>((resolve, reject) => {
      client.subscribe(filters, { qos: 1 }, (err, _grants, packet) =>
        // mqtt.js reports the refusals as an error, with the SUBACK (one code per filter) beside it.
        packet ? resolve(packet) : reject(err ?? new Error("no SUBACK")),
      );
    });
    expect(Object.fromEntries(filters.map((f, i) => [f, suback.granted[i]]))).toEqual({
      "#": 128,
      "+/#": 128,
      "lanterne/+/readings": 128,
      "lanterne/eaux-alzette/#": 128,
      "$SYS/#": 128,
      "lanterne/lumiere-estX/#": 128,
      "lanterne/lumiere-est/#": 1,
    });
    // A refusal is an answer, not a disconnection: the granted filter works.
    const message = new Promise<string>((resolve) => client.once("message", (topic) => resolve(topic)));
    await client.publishAsync("lanterne/lumiere-est/readings", lampReading(), { qos: 1 });
    expect(await message).toBe("lanterne/lumiere-est/readings");
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});

describe("HTTP credentials, each in its own scheme", () => {
  it("refuses a technician token over Basic and takes it over Bearer", async () => {
    const overBasic = await api("/api/v1/status", basic("technicien", DEMO_SECRETS.technicien));
    expect(overBasic).toMatchObject({ status: 401, body: { code: "ERR_AUTH_INVALID" } });
    expect((await api("/api/v1/status", technician)).status).toBe(200);
  });

  it("refuses an operator secret over Bearer and takes it over Basic", async () => {
    const overBearer = await api("/api/v1/quarantine", `Bearer lumiere-est.${DEMO_SECRETS["lumiere-est"]}`);
    expect(overBearer).toMatchObject({ status: 401, body: { code: "ERR_AUTH_INVALID" } });
    const overBasic = await api("/api/v1/quarantine", basic("lumiere-est", DEMO_SECRETS["lumiere-est"]));
    expect(overBasic.status).toBe(200);
  });
});

describe("failed logins", () => {
  it("throttles a username after repeated failures while other operators keep ingesting", async () => {
    // A real operator already connected over MQTT, and one pushing over HTTP.
    const honest = await connectOperator(t.mqttUrl, "lumiere-est");
    const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
    const before = { ...t.platform.authenticator.stats.failures };
    const throttledBefore = { ...t.platform.authenticator.stats.throttled };
    const count = await stored(LAMP);

    const wrong = Array.from({ length: 20 }, (_, i) =>
      api("/api/v1/quarantine", basic("collecte-nord", `x${i}`)),
    );
    // The QoS 1 publish resolves on its PUBACK, once the reading is durable.
    const [, httpIngest, ...attempts] = await Promise.all([
      honest.publishAsync("lanterne/lumiere-est/readings", lampReading(), { qos: 1 }),
      ingest(eaux, PRESSURE, { pressure_bar: 4.1 }),
      ...wrong,
    ]);
    expect(httpIngest.status).toBe(200);
    expect(httpIngest.body.accepted).toBe(1);
    expect(await stored(LAMP)).toBe(count + 3);
    const statuses = attempts.map((a) => a.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // At most the threshold plus the KDF gate's slots were checked; the rest refused before.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5 + 2);

    // Further guesses are refused before any check, over HTTP and MQTT.
    const after = await api("/api/v1/quarantine", basic("collecte-nord", "x20"));
    expect(after).toMatchObject({ status: 429, body: { code: "ERR_AUTH_THROTTLED" } });
    expect(Number(after.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refusedConnect("collecte-nord", "x21")).toBe(5);

    // Meanwhile other operators still log in, over HTTP (not cached yet) and MQTT.
    expect((await ingest(eaux, PRESSURE, { pressure_bar: 4.3 })).status).toBe(200);
    const other = await connectOperator(t.mqttUrl, "eaux-alzette");
    expect(other.connected).toBe(true);

    const stats = t.platform.authenticator.stats;
    expect(stats.failures.basic - before.basic).toBe(statuses.filter((s) => s === 401).length);
    expect(stats.throttled.basic - throttledBefore.basic).toBe(statuses.filter((s) => s === 429).length + 1);
    expect(stats.throttled.mqtt - throttledBefore.mqtt).toBe(1);
    await Promise.all([honest.endAsync(), other.endAsync()]);
  });

  it("cannot lock an operator out: its verified credential keeps working while its name is throttled", async () => {
    const own = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
    expect((await api("/api/v1/quarantine", own)).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await api("/api/v1/quarantine", basic("lumiere-est", `guess-${i}`))).status).toBe(401);
    }
    expect((await api("/api/v1/quarantine", basic("lumiere-est", "guess-5"))).status).toBe(429);
    expect((await ingest(own, LAMP, { power_state: "on", status: "ok", active_power_w: 50 })).status).toBe(
      200,
    );
  });
});
