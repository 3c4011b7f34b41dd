import type { Socket } from "node:dgram";
import { once } from "node:events";
import sparkplug from "sparkplug-payload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeDataUp } from "../../gateway/lorawan/encode.ts";
import { pushData, rxpk } from "../helpers/gwmp.ts";
import {
  connectOperator,
  eventually,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";
import { SEMTECH_KEYS, type SemtechPlatform, startSemtechPlatform } from "../helpers/semtech-platform.ts";

/**
 * An edge node of the lighting operator relays two light points of a cabinet. When its MQTT
 * connection drops, the broker publishes its Will, the NDEATH: one alert stands for the node,
 * the two light points as its children; the node's next NBIRTH clears it.
 */
const codec = (sparkplug as unknown as { get(ns: string): { encodePayload(p: unknown): Uint8Array } }).get(
  "spBv1.0",
);
const BASE = "spBv1.0/lumiere-est";
const EDGE_NODE = "armoire-57038-02";
const SUBJECT = `edge-node:lumiere-est/${EDGE_NODE}`;
const LAMPS = ["lum-57038-0001", "lum-57038-0002"];

function payload(seq: number | undefined, metrics: unknown[], timestamp = Date.now()): Buffer {
  return Buffer.from(codec.encodePayload({ timestamp, ...(seq !== undefined ? { seq } : {}), metrics }));
}

const bdSeq = (value: number) => ({ name: "bdSeq", type: "UInt64", value });

interface AlertView {
  id: number;
  subject: string;
  rule: string;
  kind: string | null;
  cleared: boolean;
  status: string;
  children: string[];
  operator: string | null;
  detail: string;
}

async function nodeAlerts(t: TestPlatform, subject = SUBJECT): Promise<AlertView[]> {
  const res = await fetch(`${t.apiUrl}/api/v1/alerts?subject=${encodeURIComponent(subject)}`, {
    headers: { authorization: technician },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: AlertView[] }).entries;
}

/** Connects as the edge node, its Will the NDEATH of this session, then births it and its devices. */
async function birth(t: TestPlatform, session: number) {
  const node = await connectOperator(t.mqttUrl, "lumiere-est", {
    will: { topic: `${BASE}/NDEATH/${EDGE_NODE}`, payload: payload(undefined, [bdSeq(session)]), qos: 1 },
  });
  await node.publishAsync(`${BASE}/NBIRTH/${EDGE_NODE}`, payload(0, [bdSeq(session)]), { qos: 1 });
  for (const [i, lamp] of LAMPS.entries()) {
    const metrics = [{ name: "status", alias: 1, type: "String", value: "ok" }];
    await node.publishAsync(`${BASE}/DBIRTH/${EDGE_NODE}/${lamp}`, payload(i + 1, metrics), { qos: 1 });
  }
  return node;
}

describe("an edge node's NDEATH and NBIRTH on the platform", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  }, 30_000);
  afterAll(async () => {
    await t?.close();
  });

  it("raises one alert for the node with its devices, cleared at its next NBIRTH", async () => {
    const first = await birth(t, 0);
    expect(await nodeAlerts(t)).toEqual([]);
    // The connection drops without a DISCONNECT: the broker publishes the Will.
    first.stream.destroy();
    const [down] = await eventually(async () => {
      const alerts = await nodeAlerts(t);
      return alerts.length > 0 ? alerts : undefined;
    });
    expect(down).toMatchObject({
      rule: "platform/edge-node-offline",
      kind: "infrastructure",
      status: "open",
      cleared: false,
      operator: "lumiere-est",
      children: LAMPS,
    });
    expect(down?.detail).toContain(EDGE_NODE);
    // The devices raised nothing of their own.
    for (const lamp of LAMPS) {
      const res = await fetch(`${t.apiUrl}/api/v1/alerts?subject=${lamp}`, {
        headers: { authorization: technician },
      });
      expect(((await res.json()) as { entries: AlertView[] }).entries).toEqual([]);
    }

    const second = await birth(t, 1);
    try {
      const [up] = await eventually(async () => {
        const alerts = await nodeAlerts(t);
        return alerts[0]?.cleared ? alerts : undefined;
      });
      expect(up?.id).toBe(down?.id);
      expect((await nodeAlerts(t)).length).toBe(1);
    } finally {
      await second.endAsync();
    }
  });
});

/**
 * The collectivity's own gateway, heard over Semtech UDP, relays a container sensor's frames;
 * once it has sent nothing for longer than the timeout (the check is run at a later instant
 * rather than waited for), one alert stands for it with the sensor; its next datagram clears it.
 */
describe("a LoRaWAN gateway gone dark on the platform", () => {
  const GATEWAY = "aa555a0000000202";
  const KEYS = SEMTECH_KEYS;
  const CONTAINER = { deviceId: "pav-54521-001", devAddr: "26011bda" };
  const EM310 = Buffer.from("01755C03821A04040000", "hex");
  let t: TestPlatform;
  let gateway: Socket;

  let platform: SemtechPlatform | undefined;

  beforeAll(async () => {
    platform = await startSemtechPlatform(GATEWAY, CONTAINER);
    ({ t, gateway } = platform);
  }, 30_000);

  afterAll(async () => {
    await platform?.close();
  });

  async function push(fCnt: number): Promise<void> {
    const phy = encodeDataUp({ devAddr: CONTAINER.devAddr, fCnt, fPort: 85, payload: EM310 }, KEYS);
    const reply = once(gateway, "message");
    gateway.send(
      pushData(GATEWAY, 0x1234 + fCnt, [rxpk(phy)]),
      t.platform.semtechUdp?.source.port ?? 1,
      "127.0.0.1",
    );
    await reply;
  }

  it("raises one alert for the gateway with the devices only it heard, cleared when it is heard again", async () => {
    const subject = `gateway:${GATEWAY}`;
    await push(1);
    await eventually(async () => t.platform.semtechUdp?.lastUplinks.has(CONTAINER.deviceId));
    await t.platform.checkGateways(Date.now());
    expect(await nodeAlerts(t, subject)).toEqual([]);

    await t.platform.checkGateways(Date.now() + 6 * 60_000);
    const [down] = await nodeAlerts(t, subject);
    expect(down).toMatchObject({
      rule: "platform/gateway-offline",
      kind: "infrastructure",
      cleared: false,
      children: [CONTAINER.deviceId],
    });
    expect(down?.detail).toContain("Mairie de Thil");

    await push(2);
    await t.platform.checkGateways(Date.now());
    const [up] = await nodeAlerts(t, subject);
    expect(up).toMatchObject({ id: down?.id, cleared: true });
  });
});
