import mqtt, { type MqttClient } from "mqtt";
import { DEMO_SECRETS } from "../territory/ccphva/demo-secrets.ts";
import { OPERATOR, TOPIC } from "./alerts-fleet.ts";
import { readingJson } from "./alerts-load.ts";
import { sleep } from "./metrics.ts";

/**
 * What the pages show: one ordinary reading from every asset (so that each has a known
 * condition), then a fault reading (a defective lamp) from a few assets spread over the fleet,
 * which opens one alert each. QoS 0 through the lighting operator's MQTT account, with at most
 * IN_FLIGHT publishes not yet written to the socket.
 */
const IN_FLIGHT = 1_000;

/** `count` asset indexes spread evenly over `devices`. */
export function faultIndexes(devices: number, count: number): number[] {
  const n = Math.min(devices, count);
  const step = devices / Math.max(1, n);
  return Array.from({ length: n }, (_, k) => Math.floor(k * step + step / 2));
}

export interface FeedResult {
  readings: number;
  faults: string[];
  errors: number;
  ms: number;
}

export async function feedFleet(url: string, ids: readonly string[], faults: number): Promise<FeedResult> {
  const started = Date.now();
  const client = await connect(url);
  let pending = 0;
  let errors = 0;
  const done = (err?: Error) => {
    pending--;
    if (err) errors++;
  };
  const publish = async (payload: string) => {
    while (pending >= IN_FLIGHT) await sleep(2);
    pending++;
    client.publish(TOPIC, payload, { qos: 0 }, done);
  };
  try {
    const time = Date.now();
    for (const id of ids) await publish(readingJson(id, time));
    const faulty = faultIndexes(ids.length, faults).map((i) => ids[i] as string);
    const later = Math.max(Date.now(), time + 1_000);
    for (const id of faulty) await publish(readingJson(id, later, "state"));
    const until = Date.now() + 10_000;
    while (pending > 0 && Date.now() < until) await sleep(10);
    return { readings: ids.length, faults: faulty, errors, ms: Date.now() - started };
  } finally {
    await Promise.race([client.endAsync().catch(() => undefined), sleep(5_000)]);
  }
}

async function connect(url: string): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    username: OPERATOR,
    password: DEMO_SECRETS[OPERATOR],
    clientId: `bench-web-${process.pid}`,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  client.on("error", () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
      client.once("close", () => reject(new Error("the MQTT client closed while connecting")));
    });
  } catch (err) {
    client.end(true);
    throw err;
  }
  return client;
}
