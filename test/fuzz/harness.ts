import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Aedes } from "aedes";
import mqtt, { type MqttClient } from "mqtt";
import { buildGwmp, decodeRxpks, parseGwmp } from "../../gateway/lorawan/gwmp.ts";
import { decodeJsonPayload, payloadTooLarge, timeProblem } from "../../gateway/pipeline/decode.ts";
import { decodeProtobufPayload } from "../../gateway/pipeline/decode-protobuf.ts";
import { ChirpstackSource } from "../../gateway/sources/chirpstack.ts";
import { readStatusEvent } from "../../gateway/sources/chirpstack-events.ts";
import { createSparkplugSession, type SparkplugSession } from "../../gateway/sparkplug/session.ts";
import {
  admin,
  basic,
  connectOperator,
  DEMO_SECRETS,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";
import { freePort } from "../helpers/process.ts";
import { check, isCatalogued, PropertyViolation } from "./checks.ts";
import { GATEWAYS, type OperatorId } from "./inputs.ts";

/**
 * One platform under fuzzing and a client for each of its doors: MQTT over TCP and WebSocket as
 * each operator, the HTTP API, the Semtech UDP listener, and a stand-in for the collector's
 * ChirpStack broker that the platform follows. Every wait is bounded: a message that is neither
 * acknowledged nor accounted for within `WAIT_MS` fails the property that sent it.
 *
 * The accounting rests on the writer's counters (`observations_written`, `quarantined`), which
 * only grow: after a message is acknowledged (QoS 1 PUBACK, HTTP answer, ChirpStack PUBACK) they
 * must have grown by at least the number of verdicts it owes, which is computed by an oracle
 * that reads the message as the platform should (the same decoders, a Sparkplug session of its
 * own fed the same messages).
 */
export const WAIT_MS = 10_000;

export interface Counts {
  written: number;
  quarantined: number;
}

export interface Memory {
  rssMb: number;
  heapUsedMb: number;
}

export type Transport = "tcp" | "ws";

/** Races a promise against a deadline, so that a lost message fails the run instead of hanging it. */
export async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PropertyViolation(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A forced, full garbage collection: `--expose-gc` turned on from inside, so no flag is needed. */
const collect: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

export function memory(): Memory {
  collect();
  collect();
  const m = process.memoryUsage();
  return { rssMb: Math.round(m.rss / 1e5) / 10, heapUsedMb: Math.round(m.heapUsed / 1e5) / 10 };
}

/**
 * Why the heap did not come back near its level, or undefined. Generous on purpose: code
 * compiled for the first time and caches filled once are not growth; a leak per message is,
 * over thousands of them.
 */
export function memoryGrowth(before: Memory, after: Memory): string | undefined {
  const limit = before.heapUsedMb * 1.5 + 64;
  if (after.heapUsedMb < limit) return undefined;
  return `heap used grew from ${before.heapUsedMb} MB to ${after.heapUsedMb} MB (limit ${limit} MB)`;
}

interface StandIn {
  port: number;
  /** PUBACKs the platform's follower sent for what the stand-in delivered to it. */
  acks: number;
  close(): Promise<void>;
}

/** The collector's ChirpStack broker, as `npm start` stands it in: an aedes on a free port. */
async function startChirpstackBroker(): Promise<StandIn> {
  const port = await freePort();
  const aedes = await Aedes.createBroker();
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const standIn: StandIn = {
    port,
    acks: 0,
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
        server.unref();
      }),
  };
  aedes.on("ack", (_packet, client) => {
    if (client?.id === "lanterne-cs-collecte") standIn.acks++;
  });
  return standIn;
}

/** The demo territory, its ChirpStack integration pointed at the stand-in's port. */
function territoryFollowing(port: number): string {
  const dir = mkdtempSync(join(tmpdir(), "lanterne-fuzz-territory-"));
  cpSync("territory/ccphva", dir, { recursive: true });
  const path = join(dir, "territory.yaml");
  const yaml = readFileSync(path, "utf8");
  const url = "url: mqtt://127.0.0.1:1884";
  if (!yaml.includes(url)) throw new Error(`territory.yaml no longer has "${url}": update the fuzz harness`);
  writeFileSync(path, yaml.replace(url, `url: mqtt://127.0.0.1:${port}`));
  return dir;
}

export class Harness {
  private readonly clients = new Map<string, MqttClient>();
  private csPublisher: MqttClient | undefined;
  /** The Sparkplug state the platform should hold, fed the same messages: the oracle of verdicts. */
  private readonly sparkplugMirror: SparkplugSession = createSparkplugSession();
  private readonly devicesByEui: ReadonlyMap<string, string>;
  private readonly listedGateways = new Set(GATEWAYS);
  private udpToken = 0;
  /** The Things Stack webhook's shared secret (X-Lanterne-Secret). */
  readonly ttsSecret: string = DEMO_SECRETS["tts-collecte"];

  private constructor(
    readonly t: TestPlatform,
    private readonly standIn: StandIn,
    private readonly territoryDir: string,
    private readonly udp: Socket,
  ) {
    const byEui = new Map<string, string>();
    for (const d of t.platform.devices.list()) {
      const eui = d.attributes.dev_eui;
      if (typeof eui === "string") byEui.set(eui.toLowerCase(), d.id);
    }
    this.devicesByEui = byEui;
  }

  static async start(): Promise<Harness> {
    const standIn = await startChirpstackBroker();
    const territoryDir = territoryFollowing(standIn.port);
    const t = await startTestPlatform({ territoryDir });
    const udp = createSocket("udp4");
    udp.bind(0, "127.0.0.1");
    await once(udp, "listening");
    const harness = new Harness(t, standIn, territoryDir, udp);
    await harness.followerConnected();
    return harness;
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) client.end(true);
    this.csPublisher?.end(true);
    this.udp.close();
    await this.t.close();
    await this.standIn.close();
    rmSync(this.territoryDir, { recursive: true, force: true });
  }

  counts(): Counts {
    const s = this.t.platform.stats();
    return { written: s.observations_written ?? 0, quarantined: s.quarantined ?? 0 };
  }

  /**
   * The platform still answers (/health), and the views that show what sources left behind
   * (each gateway's and node's latest health, the newest quarantine entries, the counters) can
   * still be written: a value a view cannot serialise shows up right after the message that
   * left it, not only if it is still the latest when the API is fuzzed.
   */
  async alive(): Promise<void> {
    const res = await within(fetch(`${this.t.apiUrl}/health`), "GET /health");
    check(res.status === 200, () => `GET /health answered ${res.status}`);
    await res.arrayBuffer();
    for (const view of VIEWS) {
      const answer = await this.request("GET", view, { authorization: technician });
      check(
        answer.status === 200,
        () => `GET ${view} answered ${answer.status}: ${answer.text.slice(0, 300)}`,
      );
      if (view === LORAWAN_HEALTH) checkHealthTimes(answer.text);
    }
  }

  /**
   * Every message owes `expected` verdicts (readings stored or entries kept in quarantine): once
   * it is acknowledged, the writer's counters have grown by at least that much.
   */
  expectVerdicts(before: Counts, expected: number, what: string): void {
    const after = this.counts();
    const grown = after.written - before.written + (after.quarantined - before.quarantined);
    check(
      grown >= expected,
      () =>
        `${what}: acknowledged with ${grown} verdicts durable (written ${before.written}->${after.written}, ` +
        `quarantined ${before.quarantined}->${after.quarantined}), ${expected} owed`,
    );
  }

  // --- MQTT -----------------------------------------------------------------------------------

  private async client(transport: Transport, operator: OperatorId): Promise<MqttClient> {
    const key = `${transport}:${operator}`;
    const known = this.clients.get(key);
    if (known?.connected) return known;
    known?.end(true);
    const url = transport === "tcp" ? this.t.mqttUrl : this.t.wsUrl;
    const client = await within(
      connectOperator(url, operator, { clientId: `${operator}-fuzz-${transport}` }),
      `MQTT ${transport} connect as ${operator}`,
    );
    this.clients.set(key, client);
    return client;
  }

  /** A QoS 1 publish, resolved by its PUBACK: the platform says the message is durable. */
  async publish(transport: Transport, operator: OperatorId, topic: string, payload: Buffer): Promise<void> {
    const client = await this.client(transport, operator);
    await within(client.publishAsync(topic, payload, { qos: 1 }), `PUBACK for ${topic} (${transport})`);
  }

  /** Verdicts a JSON or protobuf readings message owes: one per item, or one for the whole. */
  readingsVerdicts(payload: Buffer, format: "json" | "protobuf", deviceId?: string): number {
    const context = { receivedAt: Date.now(), ...(deviceId !== undefined ? { deviceId } : {}) };
    const limits = this.t.platform.pipeline.limits;
    const decoded =
      format === "json"
        ? decodeJsonPayload(payload, context, limits)
        : decodeProtobufPayload(payload, context, limits);
    return decoded.ok ? decoded.items.length : 1;
  }

  /** Verdicts a Sparkplug message owes, from the mirror session (which it also advances). */
  sparkplugVerdicts(topic: string, payload: Buffer): number {
    const r = this.sparkplugMirror.handle(topic, payload, Date.now());
    const messageProblems = r.problems.filter((p) => p.scope === "message").length;
    const metricProblems = r.problems.length - messageProblems;
    return r.readings.length + messageProblems + (r.readings.length === 0 ? metricProblems : 0);
  }

  // --- HTTP -----------------------------------------------------------------------------------

  async request(
    method: "GET" | "POST",
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<{ status: number; text: string; contentType: string }> {
    const res = await within(
      fetch(`${this.t.apiUrl}${path}`, { method, headers, ...(body ? { body } : {}) }),
      `${method} ${path.slice(0, 120)}`,
    );
    const contentType = res.headers.get("content-type") ?? "";
    // A live stream (GET /api/v1/events) never ends: its status and headers are the answer.
    if (contentType.startsWith("text/event-stream")) {
      await res.body?.cancel();
      return { status: res.status, text: "", contentType };
    }
    const text = await within(res.text(), `body of ${method} ${path.slice(0, 120)}`);
    return { status: res.status, text, contentType };
  }

  /**
   * Fastify reads ingestion bodies up to twice the payload limit, so that an oversized message
   * is still kept in quarantine; past that it answers 413 unread (README, "HTTPS").
   */
  overHttpLimit(body: Buffer): boolean {
    return body.length > this.t.platform.config.maxPayloadBytes * 2;
  }

  /** Credentials by who is calling: staff tokens, operators' Basic, nobody, or malformed headers. */
  authorization(who: Caller): Record<string, string> {
    switch (who) {
      case "admin":
        return { authorization: admin };
      case "technician":
        return { authorization: technician };
      case "public":
        return {};
      case "malformed":
        // Headers that name no credential (never a wrong secret: failed logins are throttled
        // per address, and the fuzzer shares 127.0.0.1 with the rest of its clients).
        return { authorization: "Bearer no-dot-in-this-token" };
      default:
        return { authorization: basic(who, DEMO_SECRETS[who]) };
    }
  }

  // --- Semtech UDP ----------------------------------------------------------------------------

  /**
   * Sends a datagram, then waits until every frame and problem in it is accounted for in the
   * listener's counters and every problem and uplink has its verdict in the writer's: GWMP has
   * no acknowledgement of durability, so the listener's own counters stand for it.
   */
  async datagram(datagram: Buffer): Promise<void> {
    const source = this.t.platform.semtechUdp?.source;
    if (!source?.port) throw new Error("the demo territory lists gateways: the Semtech listener should run");
    const owed = this.udpOwed(datagram);
    const before = source.stats();
    const counts = this.counts();
    await new Promise<void>((resolve, reject) =>
      this.udp.send(datagram, source.port, "127.0.0.1", (err) => (err ? reject(err) : resolve())),
    );
    const handled = await this.until(() => {
      const s = source.stats();
      const problems = sum(s.problems) - sum(before.problems);
      const frames =
        s.uplinks - before.uplinks + (s.macOnly - before.macOnly) + (s.duplicates - before.duplicates);
      return problems + frames >= owed && s.datagrams > before.datagrams
        ? { problems, uplinks: s.uplinks - before.uplinks }
        : undefined;
    }, `Semtech UDP: ${owed} problems and frames of a datagram`);
    const verdicts = handled.problems + handled.uplinks;
    await this.until(() => {
      const now = this.counts();
      return now.written - counts.written + (now.quarantined - counts.quarantined) >= verdicts;
    }, `Semtech UDP: ${verdicts} verdicts of a datagram`);
    check(source.stats().handlerErrors === before.handlerErrors, () => "Semtech UDP: a handler threw");
  }

  /** The listener still answers a listed gateway's keep-alive (PULL_DATA -> PULL_ACK). */
  async udpAlive(): Promise<void> {
    const port = this.t.platform.semtechUdp?.source.port ?? 0;
    this.udpToken = (this.udpToken + 1) & 0xffff;
    const token = this.udpToken;
    const answer = new Promise<Buffer>((resolve) => {
      const onMessage = (m: Buffer) => {
        if (m.length >= 4 && m.readUInt16BE(1) === token && m[3] === 0x04) {
          this.udp.off("message", onMessage);
          resolve(m);
        }
      };
      this.udp.on("message", onMessage);
    });
    this.udp.send(buildGwmp({ type: "PULL_DATA", token, gatewayEui: GATEWAYS[0] ?? "" }), port, "127.0.0.1");
    await within(answer, "PULL_ACK from the Semtech listener");
  }

  /** Problems and frames a datagram holds, read as the listener reads it. */
  private udpOwed(datagram: Buffer): number {
    const parsed = parseGwmp(datagram);
    if (!parsed.ok) return 1;
    const packet = parsed.packet;
    if (!("gatewayEui" in packet) || !this.listedGateways.has(packet.gatewayEui)) return 1;
    if (packet.type !== "PUSH_DATA") return 0;
    const decoding = decodeRxpks(packet.body.rxpk ?? []);
    return decoding.problems.length + decoding.frames.length;
  }

  // --- ChirpStack -----------------------------------------------------------------------------

  private async followerConnected(): Promise<void> {
    await this.until(() => {
      const source = this.t.platform.integrations.sources.find((s) => s instanceof ChirpstackSource);
      return source instanceof ChirpstackSource && source.connected;
    }, "the platform following the ChirpStack stand-in");
  }

  /**
   * Publishes an event on the stand-in broker at QoS 1 and waits for the platform's PUBACK to
   * it, which the platform sends once the event is durable.
   */
  async chirpstack(kind: "up" | "status", topicEui: string, payload: Buffer): Promise<void> {
    if (!this.csPublisher?.connected) {
      this.csPublisher?.end(true);
      this.csPublisher = await within(
        mqtt.connectAsync(`mqtt://127.0.0.1:${this.standIn.port}`, {
          clientId: "chirpstack-fuzz",
          reconnectPeriod: 0,
        }),
        "connect to the ChirpStack stand-in",
      );
    }
    const acks = this.standIn.acks;
    await within(
      this.csPublisher.publishAsync(`application/app1/device/${topicEui}/event/${kind}`, payload, { qos: 1 }),
      "publish to the ChirpStack stand-in",
    );
    await this.until(() => this.standIn.acks > acks, `the platform's PUBACK of a ChirpStack ${kind} event`);
  }

  /** Verdicts a ChirpStack event owes: an uplink one; a status none, unless it is refused. */
  chirpstackVerdicts(kind: "up" | "status", topicEui: string, payload: Buffer): number {
    if (kind === "up" || payloadTooLarge(payload, this.t.platform.pipeline.limits)) return 1;
    const read = readStatusEvent(payload);
    if (!read.ok) return 1;
    const eui = read.value.devEui ?? topicEui.toLowerCase();
    if (!this.devicesByEui.has(eui)) return 1;
    const time = read.value.time;
    const limits = this.t.platform.pipeline.limits;
    return time !== undefined && timeProblem(time, Date.now(), limits.maxFutureMs) ? 1 : 0;
  }

  // --- the quarantine as stored ----------------------------------------------------------------

  /** How many entries the quarantine holds (all operators), and the newest one's id. */
  async quarantineMark(): Promise<QuarantineMark> {
    const res = await this.request("GET", "/api/v1/quarantine?limit=1", { authorization: technician });
    const page = JSON.parse(res.text) as QuarantinePage;
    return { total: page.total, newest: page.entries[0]?.id ?? 0, counts: this.counts() };
  }

  /**
   * Since `mark`: the store holds exactly the entries the writer counted (nothing acknowledged
   * and lost, nothing counted and not kept), and each has a reason coded from the catalogue.
   */
  async checkQuarantineSince(mark: QuarantineMark): Promise<number> {
    const now = await this.quarantineMark();
    const counted = now.counts.quarantined - mark.counts.quarantined;
    check(
      now.total - mark.total === counted,
      () => `the quarantine grew by ${now.total - mark.total} entries, the writer counted ${counted}`,
    );
    let before: number | undefined;
    let seen = 0;
    for (let page = 0; page < 10_000; page++) {
      const query = `/api/v1/quarantine?limit=1000${before !== undefined ? `&before=${before}` : ""}`;
      const res = await this.request("GET", query, { authorization: technician });
      const { entries } = JSON.parse(res.text) as QuarantinePage;
      const fresh = entries.filter((e) => e.id > mark.newest);
      for (const e of fresh) {
        const codes = e.reasons.map((r) => r.code);
        check(
          codes.length > 0 && codes.every(isCatalogued),
          () => `quarantine entry ${e.id} has reasons ${codes.join(",") || "(none)"}`,
        );
      }
      seen += fresh.length;
      const last = entries.at(-1);
      if (fresh.length < entries.length || entries.length < 1000 || !last) break;
      before = last.id;
    }
    return seen;
  }

  // --- waiting --------------------------------------------------------------------------------

  /** Polls (every 2 ms, at most `WAIT_MS`) until `ready` gives a value. */
  async until<T>(ready: () => T | undefined | false, what: string): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const value = ready();
      if (value) return value;
      if (Date.now() > deadline) throw new PropertyViolation(`${what}: not within ${WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/** Views over what ingestion keeps, read after every message. */
const LORAWAN_HEALTH = "/api/v1/lorawan/health";
const VIEWS = [LORAWAN_HEALTH, "/api/v1/quarantine?limit=3", "/api/v1/status"];

/** A device clock may run ahead of the platform's by this much (the pipeline's maxFutureMs). */
const MAX_SKEW_MS = 300_000;

interface LorawanHealthView {
  sparkplug: Array<{ edgeNode: string; time: string }>;
  devices: Array<{ deviceId: string; time: string }>;
  gateways: Array<{ eui: string; lastSeen?: string; stat?: unknown }>;
}

/**
 * The health shown is no later than now (give or take a clock's skew): "the newest status wins"
 * must not let a status dated years ahead hide every later one.
 */
function checkHealthTimes(text: string): void {
  const health = JSON.parse(text) as LorawanHealthView;
  const latest = Date.now() + MAX_SKEW_MS + 5_000;
  const times = [
    ...health.sparkplug.map((e) => [`node ${e.edgeNode}`, e.time]),
    ...health.devices.map((d) => [`device ${d.deviceId}`, d.time]),
    ...health.gateways.flatMap((g) => (g.lastSeen ? [[`gateway ${g.eui}`, g.lastSeen]] : [])),
  ];
  for (const [who, time] of times) {
    const ms = Date.parse(time ?? "");
    check(Number.isFinite(ms) && ms <= latest, () => `the LoRaWAN health shows ${who} at ${time}`);
  }
  // No field of this view is nullable: a null is a number JSON cannot write (NaN, Infinity)
  // that the serialiser turned into null. A gateway's `stat` is shown as the gateway sent it.
  const { gateways, ...rest } = health;
  const shown = [rest, gateways.map(({ stat: _stat, ...g }) => g)];
  check(!hasNull(shown), () => `the LoRaWAN health shows a null: ${text.slice(0, 600)}`);
}

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== "object") return false;
  return Object.values(value).some(hasNull);
}

export interface QuarantineMark {
  total: number;
  newest: number;
  counts: Counts;
}

interface QuarantinePage {
  total: number;
  entries: Array<{ id: number; reasons: Array<{ code: string }> }>;
}

export type Caller = "admin" | "technician" | "public" | "malformed" | OperatorId;

function sum(counts: Partial<Record<string, number>>): number {
  let total = 0;
  for (const n of Object.values(counts)) total += n ?? 0;
  return total;
}
