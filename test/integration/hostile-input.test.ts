import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGwmp } from "../../gateway/lorawan/gwmp.ts";
import { answerTo } from "../helpers/gwmp.ts";
import {
  basic,
  connectOperator,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * One message must never stop the platform: inputs that once threw in a decoder (times beyond what
 * a Date holds, documents nested thousands of levels deep) go through every transport and each
 * gets a coded verdict, kept in quarantine; the platform keeps taking good readings.
 */
let t: TestPlatform;
const DEVICE = "pre-57041-001";
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
const deepReading = (levels: number) =>
  `{"device":"${DEVICE}","data":{"pressure_bar":2,"x":${deep(levels)}}}`;

const HOSTILE: Array<[string, string, string]> = [
  [
    "a time of 1e20 ms",
    JSON.stringify(reading(DEVICE, { pressure_bar: 2 }, 1e20 as never)),
    "ERR_TIME_INVALID",
  ],
  [
    "a time of -1e17 ms",
    JSON.stringify(reading(DEVICE, { pressure_bar: 2 }, -1e17 as never)),
    "ERR_TIME_INVALID",
  ],
  [
    "a time in nanoseconds",
    JSON.stringify(reading(DEVICE, { pressure_bar: 2 }, (Date.now() * 1e6) as never)),
    "ERR_TIME_INVALID",
  ],
  ["a document nested 12,000 levels", deepReading(12_000), "ERR_PAYLOAD_DEPTH"],
  ["a batch nested 12,000 levels", `{"readings":${deep(12_000)}}`, "ERR_PAYLOAD_DEPTH"],
];

async function quarantineCodes(operator = "eaux-alzette"): Promise<string[]> {
  const res = await fetch(`${t.apiUrl}/api/v1/quarantine?operator=${operator}&limit=500`, {
    headers: { authorization: technician },
  });
  const body = (await res.json()) as { entries: Array<{ reasons: Array<{ code: string }> }> };
  return body.entries.flatMap((e) => e.reasons.map((r) => r.code));
}

async function alive(): Promise<void> {
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    headers: { authorization: eaux, "content-type": "application/json" },
    body: JSON.stringify(reading(DEVICE, { pressure_bar: 2.5 }, new Date().toISOString())),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
}

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe("hostile input never stops the platform", () => {
  it.each(HOSTILE)("MQTT QoS 1: %s is acknowledged once kept in quarantine", async (_name, payload, code) => {
    const before = (await quarantineCodes()).filter((c) => c === code).length;
    const client = await connectOperator(t.mqttUrl, "eaux-alzette", { clientId: "eaux-alzette-hostile" });
    await client.publishAsync("lanterne/eaux-alzette/readings", payload, { qos: 1 });
    client.end(true);
    // The PUBACK means durable: the entry is there now, with its code.
    expect((await quarantineCodes()).filter((c) => c === code).length).toBe(before + 1);
    await alive();
  });

  it.each(HOSTILE)("HTTP: %s gets its code in the answer and is kept", async (_name, payload, code) => {
    const before = (await quarantineCodes()).filter((c) => c === code).length;
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      headers: { authorization: eaux, "content-type": "application/json" },
      body: payload,
    });
    expect([200, 422]).toContain(res.status);
    const body = (await res.json()) as {
      quarantined: number;
      items: Array<{ violations: Array<{ code: string }> }>;
    };
    expect(body.quarantined).toBe(1);
    expect(body.items.flatMap((i) => i.violations.map((v) => v.code))).toContain(code);
    expect((await quarantineCodes()).filter((c) => c === code).length).toBe(before + 1);
    await alive();
  });

  it("The Things Stack webhook: a deeply nested uplink is refused with its code", async () => {
    const body = `{"end_device_ids":{"dev_eui":"24e1245452110001"},"uplink_message":${deep(12_000)}}`;
    const before = (await quarantineCodes("collecte-nord")).filter((c) => c === "ERR_PAYLOAD_DEPTH").length;
    const res = await fetch(`${t.apiUrl}/api/v1/integrations/tts-collecte/uplink`, {
      method: "POST",
      headers: {
        "x-lanterne-secret": DEMO_SECRETS["tts-collecte"] ?? "",
        "content-type": "application/json",
      },
      body,
    });
    // Kept in quarantine with its code (the answer says it is kept, so the network server does not retry).
    expect(res.status).toBeLessThan(500);
    const after = (await quarantineCodes("collecte-nord")).filter((c) => c === "ERR_PAYLOAD_DEPTH").length;
    expect(after).toBe(before + 1);
    await alive();
  });

  it("Semtech UDP: a PUSH_DATA nested 12,000 levels is counted with its code, and the listener goes on", async () => {
    const port = t.platform.semtechUdp?.source.port;
    expect(port).toBeGreaterThan(0);
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const header = buildGwmp({ type: "PULL_DATA", token: 7, gatewayEui: "aa555a0000054521" });
    const datagram = Buffer.concat([
      Buffer.from([2, 0, 8, 0]),
      header.subarray(4, 12),
      Buffer.from(`{"rxpk":${deep(12_000)}}`),
    ]);
    socket.send(datagram, port, "127.0.0.1");
    await eventually(async () => (t.platform.semtechUdp?.source.stats().problems.ERR_PAYLOAD_DEPTH ?? 0) > 0);
    const answer = answerTo(socket, 7);
    socket.send(header, port, "127.0.0.1");
    expect((await answer)[3]).toBe(0x04); // PULL_ACK: the listener still answers
    socket.close();
    await alive();
  });
});
