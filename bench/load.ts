import mqtt, { type MqttClient } from "mqtt";
import { DEMO_SECRETS } from "../territory/ccphva/demo-secrets.ts";
import { OPERATOR, shareOf, streetlightIds, TOPIC } from "./devices.ts";
import { sleep, UsageMeter } from "./metrics.ts";
import { Waker } from "./waker.ts";

/**
 * The load generator: N mqtt.js clients publishing one streetlight reading per message as
 * operator `lumiere-est`. Each client owns every N-th device of the inventory and stamps each
 * reading with the publish time (epoch ms, strictly increasing per device), so the platform can
 * compute publish-to-stored latency and nothing is a duplicate.
 *
 * Nothing is dropped on the client side: in-flight publishes are bounded by a window per client
 * (QoS 1: publishes not yet acknowledged; QoS 0: publishes whose callback has not run, i.e.
 * not yet handed to the socket) and, at QoS 0, sending also stops while the socket waits for
 * `drain`. A publish is counted as published only when its callback reports success.
 */
export interface ClientPlan {
  url: string;
  /** Clients of this generator, and where they sit among all the benchmark's clients. */
  clients: number;
  offset: number;
  totalClients: number;
}

export interface RunSpec {
  qos: 0 | 1;
  /** In-flight publishes per client. */
  window: number;
  /** Epoch ms at which every generator starts (they are told in advance, to start together). */
  startAt: number;
  seconds: number;
  /** Fixed offered rate for this generator (msgs/s, paced per 10 ms tick); as fast as possible when absent. */
  rate?: number;
  /**
   * Wait for outstanding callbacks after the publishing window: at least `drainMs`, longer when
   * much was sent (kernel buffers may hold a long backlog), at `sent / slowestRate` seconds,
   * never more than 10 minutes.
   */
  drainMs: number;
  slowestRate: number;
}

export interface LoadResult {
  /** Messages the schedule asked for (paced runs), or the sent count (flood). */
  offered: number;
  /** publish() calls made. */
  sent: number;
  /** Publishes whose callback reported success: written to the socket (QoS 0) or acknowledged (QoS 1). */
  published: number;
  errors: number;
  /** Publishes still without a callback when the drain wait ended. */
  unfinished: number;
  disconnects: number;
  /** Wall time of the publishing window, and until the last callback. */
  publishMs: number;
  lastCallbackAt: number;
  /** Generator CPU over the publishing window, in cores. */
  cores: number;
  peakRssMb: number;
}

const DATA =
  '"data":{"power_state":"on","status":"ok","illuminance_level":1,"active_power_w":48.2,"energy_kwh":1234.5}}';
const BATCH = 64;
const TICK_MS = 10;

class Publisher {
  issued = 0;
  published = 0;
  errors = 0;
  inflight = 0;
  closed = false;
  lastCallbackAt = 0;
  private cursor = 0;
  private readonly last: Float64Array;
  private readonly waker = new Waker();
  private readonly opts: { qos: 0 | 1 };
  private readonly stream: { writableNeedDrain?: boolean; once(e: "drain", f: () => void): unknown };
  private drainListening = false;

  constructor(
    readonly client: MqttClient,
    private readonly devices: readonly string[],
    private readonly qos: 0 | 1,
    private readonly window: number,
  ) {
    this.last = new Float64Array(devices.length);
    this.opts = { qos };
    this.stream = client.stream as unknown as Publisher["stream"];
    client.on("close", () => {
      this.closed = true;
      this.notify();
    });
  }

  canSend(): boolean {
    if (this.closed || this.inflight >= this.window) return false;
    return this.qos === 1 || !this.stream.writableNeedDrain;
  }

  /** Publishes up to `n` messages, as many as the window and the socket allow. */
  sendUpTo(n: number): number {
    let k = 0;
    while (k < n && this.canSend()) {
      this.publishOne();
      k++;
    }
    return k;
  }

  /** Resolves when a callback runs, the socket drains, the client closes, or after `ms`. */
  waitRoom(ms: number): Promise<void> {
    const nap = this.waker.sleep(Math.max(1, ms));
    if (this.qos === 0 && this.stream.writableNeedDrain && !this.drainListening) {
      this.drainListening = true;
      this.stream.once("drain", () => {
        this.drainListening = false;
        this.notify();
      });
    }
    return nap;
  }

  private publishOne(): void {
    const i = this.cursor;
    this.cursor = i + 1 === this.devices.length ? 0 : i + 1;
    const now = Date.now();
    const prev = this.last[i] ?? 0;
    const time = now > prev ? now : prev + 1;
    this.last[i] = time;
    this.inflight++;
    this.issued++;
    this.client.publish(TOPIC, `{"device":"${this.devices[i]}","time":${time},${DATA}`, this.opts, this.done);
  }

  private readonly done = (err?: Error): void => {
    this.inflight--;
    if (err) this.errors++;
    else this.published++;
    this.lastCallbackAt = Date.now();
    this.notify();
  };

  private notify(): void {
    this.waker.wake();
  }
}

export class LoadGenerator {
  private clients: MqttClient[] = [];
  private devices: string[][] = [];
  private disconnects = 0;
  private readonly meter = new UsageMeter();

  async connect(plan: ClientPlan): Promise<void> {
    const ids = streetlightIds();
    for (let c = 0; c < plan.clients; c++) {
      const index = plan.offset + c;
      const client = mqtt.connect(plan.url, {
        username: OPERATOR,
        password: DEMO_SECRETS[OPERATOR],
        clientId: `bench-${process.pid}-${index}`,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        keepalive: 300,
      });
      client.on("error", () => undefined);
      client.on("close", () => this.disconnects++);
      this.clients.push(client);
      try {
        await new Promise<void>((resolve, reject) => {
          client.once("connect", () => resolve());
          client.once("error", reject);
          client.once("close", () => reject(new Error(`client ${index} closed while connecting`)));
        });
      } catch (err) {
        await this.disconnect();
        throw err;
      }
      this.devices.push(shareOf(ids, index, plan.totalClients));
    }
  }

  async run(spec: RunSpec): Promise<LoadResult> {
    const publishers = this.clients.map(
      (c, i) => new Publisher(c, this.devices[i] ?? [], spec.qos, spec.window),
    );
    const disconnectsBefore = this.disconnects;
    await sleep(Math.max(0, spec.startAt - Date.now()));
    this.meter.mark();
    const start = Date.now();
    const endAt = start + spec.seconds * 1000;
    let offered: number;
    if (spec.rate === undefined) {
      await Promise.all(publishers.map((p) => flood(p, endAt)));
      offered = sum(publishers.map((p) => p.issued));
    } else {
      offered = await paced(publishers, spec.rate, start, endAt);
    }
    const usage = this.meter.read();
    const publishMs = Date.now() - start;
    const sent = sum(publishers.map((p) => p.issued));
    const drainUntil = Date.now() + waitBound(spec.drainMs, sent, spec.slowestRate);
    while (publishers.some((p) => p.inflight > 0 && !p.closed) && Date.now() < drainUntil) await sleep(20);
    return {
      offered,
      sent,
      published: sum(publishers.map((p) => p.published)),
      errors: sum(publishers.map((p) => p.errors)),
      unfinished: sum(publishers.map((p) => p.inflight)),
      disconnects: this.disconnects - disconnectsBefore,
      publishMs,
      lastCallbackAt: Math.max(0, ...publishers.map((p) => p.lastCallbackAt)),
      cores: usage.cores,
      peakRssMb: usage.peakRssMb,
    };
  }

  async disconnect(): Promise<void> {
    const ends = Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await Promise.race([ends, sleep(5000)]);
    this.clients = [];
    this.devices = [];
  }
}

/** As fast as the window and the socket allow, yielding to I/O between batches. */
async function flood(p: Publisher, endAt: number): Promise<void> {
  for (let now = Date.now(); now < endAt && !p.closed; now = Date.now()) {
    if (p.sendUpTo(BATCH) === 0) await p.waitRoom(Math.min(50, endAt - now));
    else await new Promise((r) => setImmediate(r));
  }
}

/**
 * A fixed rate, split evenly over the clients and paced per 10 ms tick. What a client could
 * not send in its tick (window full, socket held by the broker) is sent as soon as it can,
 * until the end of the window: what is still unsent then was held back by backpressure.
 */
async function paced(publishers: Publisher[], rate: number, start: number, endAt: number): Promise<number> {
  const n = publishers.length;
  for (let now = Date.now(); now < endAt; now = Date.now()) {
    const due = Math.floor((rate * (now - start)) / 1000);
    publishers.forEach((p, i) => {
      const target = Math.floor((due * (i + 1)) / n) - Math.floor((due * i) / n);
      p.sendUpTo(target - p.issued);
    });
    await sleep(Math.min(TICK_MS, endAt - now));
  }
  return Math.floor((rate * (endAt - start)) / 1000);
}

/** How long to wait for `count` messages to go through at no less than `slowestRate` msgs/s (bounded). */
export function waitBound(minMs: number, count: number, slowestRate: number): number {
  return Math.min(600_000, Math.max(minMs, (count / slowestRate) * 1000));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
