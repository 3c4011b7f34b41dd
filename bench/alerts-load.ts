import mqtt, { type MqttClient } from "mqtt";
import { DEMO_SECRETS } from "../territory/ccphva/demo-secrets.ts";
import { FAULT_POWER_W, FAULT_STATUS, OPERATOR, TOPIC } from "./alerts-fleet.ts";
import { sleep, UsageMeter } from "./metrics.ts";

/**
 * The fleet's publisher for the alerts benchmark: every device in turn, at a fixed rate (or as fast
 * as the sockets take, `rate: "max"`), QoS 0, spread over a few mqtt.js clients, each reading
 * stamped with its publish time (epoch ms, strictly increasing per device).
 *
 * On top of the load, at known times: a fault reading (a defective lamp, or a power far outside the
 * band, in turn) from one device at a time, on a client of its own so that its publish time is not
 * spent queued behind the load; and a set of devices that stop reporting at a given time (the
 * others take their turn, so the rate holds). A fault device's next ordinary reading clears its alert.
 */
export interface FleetLoadSpec {
  /** Messages per second over the whole fleet, or as fast as the sockets take. */
  rate: number | "max";
  startAt: number;
  seconds: number;
  silence?: { devices: readonly number[]; at: number };
  faults?: { devices: readonly number[]; everyMs: number; from: number; until: number };
}

export type FaultKind = "state" | "band";

export interface InjectedFault {
  deviceId: string;
  kind: FaultKind;
  /** Epoch ms just before the publish call; also the reading's time. */
  publishedAt: number;
}

export interface FleetLoadResult {
  sent: number;
  published: number;
  errors: number;
  publishMs: number;
  faults: InjectedFault[];
  /** The last reading's time of each device told to stop. */
  silenced: Map<string, number>;
  /** Generator CPU over the publishing window, in cores. */
  cores: number;
}

const TICK_MS = 10;
const BATCH = 64;
const DATA =
  '"power_state":"on","status":"ok","illuminance_level":1,"active_power_w":48.2,"energy_kwh":1234.5';

export function readingJson(deviceId: string, time: number, fault?: FaultKind): string {
  const data =
    fault === "state"
      ? DATA.replace('"status":"ok"', `"status":"${FAULT_STATUS}"`)
      : fault === "band"
        ? DATA.replace('"active_power_w":48.2', `"active_power_w":${FAULT_POWER_W}`)
        : DATA;
  return `{"device":"${deviceId}","time":${time},"data":{${data}}}`;
}

interface Stream {
  writableNeedDrain?: boolean;
}

export class FleetLoad {
  private clients: MqttClient[] = [];
  private faultClient: MqttClient | undefined;
  private readonly last: Float64Array;
  private readonly meter = new UsageMeter();
  private sent = 0;
  private published = 0;
  private errors = 0;
  private readonly done = (err?: Error) => {
    if (err) this.errors++;
    else this.published++;
  };

  constructor(private readonly ids: readonly string[]) {
    this.last = new Float64Array(ids.length);
  }

  async connect(url: string, clients: number): Promise<void> {
    for (let i = 0; i < clients; i++)
      this.clients.push(await connectClient(url, `bench-alerts-${process.pid}-${i}`));
    this.faultClient = await connectClient(url, `bench-alerts-${process.pid}-faults`);
  }

  async run(spec: FleetLoadSpec): Promise<FleetLoadResult> {
    this.sent = 0;
    this.published = 0;
    this.errors = 0;
    const silent = new Set(spec.silence?.devices ?? []);
    const silenced = new Map<string, number>();
    const faults: InjectedFault[] = [];
    await sleep(Math.max(0, spec.startAt - Date.now()));
    this.meter.mark();
    const start = Date.now();
    const endAt = start + spec.seconds * 1000;
    const faulting = spec.faults ? this.injectFaults(spec.faults, endAt, faults) : Promise.resolve();
    let cursor = 0;
    let issued = 0;
    for (let now = Date.now(); now < endAt; now = Date.now()) {
      const quiet = spec.silence !== undefined && now >= spec.silence.at;
      const due = spec.rate === "max" ? issued + this.room() : Math.floor((spec.rate * (now - start)) / 1000);
      for (; issued < due; issued++) {
        if (quiet && silent.size < this.ids.length)
          while (silent.has(cursor)) cursor = (cursor + 1) % this.ids.length;
        this.publishOne(cursor, this.clients[cursor % this.clients.length] as MqttClient);
        cursor = (cursor + 1) % this.ids.length;
      }
      if (spec.rate === "max") await new Promise((r) => setImmediate(r));
      else await sleep(Math.min(TICK_MS, endAt - now));
    }
    await faulting;
    const usage = this.meter.read();
    const publishMs = Date.now() - start;
    for (const i of silent) silenced.set(this.ids[i] as string, this.last[i] ?? 0);
    const drainUntil = Date.now() + 10_000;
    while (this.published + this.errors < this.sent && Date.now() < drainUntil) await sleep(20);
    return {
      sent: this.sent,
      published: this.published,
      errors: this.errors,
      publishMs,
      faults,
      silenced,
      cores: usage.cores,
    };
  }

  async disconnect(): Promise<void> {
    const all = [...this.clients, ...(this.faultClient ? [this.faultClient] : [])];
    await Promise.race([Promise.all(all.map((c) => c.endAsync(true).catch(() => undefined))), sleep(5000)]);
    this.clients = [];
    this.faultClient = undefined;
  }

  /** Flood mode: what the clients' sockets take without waiting for `drain`, BATCH per client at most. */
  private room(): number {
    const free = this.clients.filter((c) => !(c.stream as unknown as Stream).writableNeedDrain).length;
    return free === this.clients.length ? BATCH * this.clients.length : 0;
  }

  private publishOne(i: number, client: MqttClient, fault?: FaultKind): number {
    const now = Date.now();
    const prev = this.last[i] ?? 0;
    const time = now > prev ? now : prev + 1;
    this.last[i] = time;
    this.sent++;
    client.publish(TOPIC, readingJson(this.ids[i] as string, time, fault), { qos: 0 }, this.done);
    return time;
  }

  private async injectFaults(
    plan: NonNullable<FleetLoadSpec["faults"]>,
    endAt: number,
    out: InjectedFault[],
  ): Promise<void> {
    const client = this.faultClient;
    if (!client) throw new Error("not connected");
    const until = Math.min(plan.until, endAt);
    for (let k = 0; k < plan.devices.length; k++) {
      const at = plan.from + k * plan.everyMs;
      if (at >= until) return;
      await sleep(Math.max(0, at - Date.now()));
      const i = plan.devices[k] as number;
      const kind: FaultKind = k % 2 === 0 ? "state" : "band";
      const publishedAt = this.publishOne(i, client, kind);
      out.push({ deviceId: this.ids[i] as string, kind, publishedAt });
    }
  }
}

async function connectClient(url: string, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    username: OPERATOR,
    password: DEMO_SECRETS[OPERATOR],
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    keepalive: 300,
  });
  client.on("error", () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
      client.once("close", () => reject(new Error(`${clientId} closed while connecting`)));
    });
  } catch (err) {
    client.end(true);
    throw err;
  }
  return client;
}
