import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import mqtt, { type MqttClient } from "mqtt";
import sparkplug from "sparkplug-payload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSparkplugSource,
  isSparkplugTopic,
  type SparkplugHealthEvent,
  type SparkplugReading,
  type SparkplugSource,
} from "../../gateway/sources/sparkplug.ts";
import { freePort } from "../helpers/process.ts";

/**
 * The bytes an edge node's MQTT client publishes reach the Sparkplug source intact through a real
 * broker over TCP: an aedes instance whose `publish` event calls the source, as Lanterne's broker
 * hook will. The NDEATH arrives the way it does in the field, as the MQTT Will of a client whose
 * connection drops (Sparkplug 3.0.0 §5.2, tck-id-payloads-ndeath-will-message).
 */
const codec = sparkplug.get("spBv1.0");
if (!codec) throw new Error("no spBv1.0 codec");
const { encodePayload } = codec;

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const GROUP = "ccphva-eclairage";
const NODE = "armoire-57038-01";
const topic = (type: string) => `spBv1.0/${GROUP}/${type}/${NODE}`;

describe("Sparkplug B over a real MQTT broker", () => {
  let server: Server;
  let aedes: Aedes;
  let port: number;
  let source: SparkplugSource;
  const readings: { operatorId: string | undefined; items: SparkplugReading[] }[] = [];
  const health: SparkplugHealthEvent[] = [];

  beforeAll(async () => {
    source = createSparkplugSource({
      onReadings: (operatorId, items) => readings.push({ operatorId, items }),
      onHealth: (event) => health.push(event),
    });
    aedes = await Aedes.createBroker();
    aedes.on("publish", (packet, client) => {
      if (!isSparkplugTopic(packet.topic)) return;
      source.handle(packet.topic, packet.payload as Buffer, Date.now(), client?.id);
    });
    port = await freePort();
    server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve())));
  });

  it("turns an NBIRTH and an alias-only NDATA into readings, and the Will NDEATH into offline", async () => {
    const now = Date.now();
    const will = encodePayload({ timestamp: now, metrics: [{ name: "bdSeq", type: "Int64", value: 3 }] });
    const edge: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: "cabinet-client",
      reconnectPeriod: 0,
      will: { topic: topic("NDEATH"), payload: Buffer.from(will), qos: 1, retain: false },
    });
    const nbirth = encodePayload({
      timestamp: now,
      seq: 0,
      metrics: [
        { name: "bdSeq", type: "Int64", value: 3 },
        { name: "Node Control/Rebirth", type: "Boolean", value: false },
        { name: "Power/Active", alias: 1, type: "Double", value: 1.25 },
        { name: "Energy", alias: 2, type: "UInt64", value: 123_456 },
      ],
    });
    await edge.publishAsync(topic("NBIRTH"), Buffer.from(nbirth), { qos: 0 });
    const ndata = encodePayload({
      timestamp: now + 1,
      seq: 1,
      metrics: [{ alias: 1, type: "Double", value: 2.5 }],
    });
    await edge.publishAsync(topic("NDATA"), Buffer.from(ndata), { qos: 1 });

    await waitFor(() => readings.length >= 2);
    expect(readings).toEqual([
      {
        operatorId: "cabinet-client",
        items: [{ deviceId: NODE, time: now, data: { power_active: 1.25, energy: 123_456 } }],
      },
      {
        operatorId: "cabinet-client",
        items: [{ deviceId: NODE, time: now + 1, data: { power_active: 2.5 } }],
      },
    ]);

    // An unclean drop: the broker publishes the Will, i.e. the NDEATH with the NBIRTH's bdSeq.
    edge.stream.destroy();
    await waitFor(() => health.some((h) => h.kind === "offline"));
    expect(health.map((h) => h.kind)).toEqual(["online", "offline"]);
    expect(source.session.nodeStatus(GROUP, NODE)).toMatchObject({ online: false, bdSeq: 3n });
    await edge.endAsync(true);
  });
});
