import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform, type Platform } from "../../cli/platform.ts";
import { ChirpstackSource } from "../../gateway/sources/chirpstack.ts";
import type { LorawanUplink, SemtechUdpDeps } from "../../gateway/sources/semtech-udp.ts";
import { loadConfig } from "../../services/config.ts";
import { serveParent } from "../ipc.ts";
import { LatencyHistogram, UsageMeter } from "../metrics.ts";
import { WriterProbe } from "./writer-probe.ts";

/**
 * The whole platform on the benchmark's temporary territory (LANTERNE_BENCH_TERRITORY: three
 * Semtech UDP gateways, the containers' ABP sessions, a ChirpStack integration), every listener
 * on a loopback port chosen by the system, a temporary data folder. Counts what the writer made
 * durable and the latency from sending to durable:
 * - ChirpStack: a reading's time is the up event's `time`, stamped by the publisher when it sent;
 * - Semtech UDP: a reading's time is when the first copy reached the server, so the send time is
 *   taken from the gateways' `rxpk.time` (stamped by the bench when it sent), kept per uplink by
 *   a wrapper around the listener's `onUplink` (instrumentation only: the uplink is unchanged).
 * `serverLatency` is from a reading's time to durable (for UDP: from the first copy read by the listener).
 */
const meter = new UsageMeter();
const dataDir = mkdtempSync(join(tmpdir(), "lanterne-bench-lorawan-data-"));
let platform: Platform | undefined;
let latency = new LatencyHistogram();
let serverLatency = new LatencyHistogram();
let durable = 0;
let durableValues = 0;
let lastDurableAt = 0;
let sandboxAtMark = { calls: 0, totalMicros: 0 };
/** Send time of Semtech uplinks not yet durable, by `${deviceId}|${reading time}`. */
const sentAt = new Map<string, number>();
let unmatched = 0;
const probe = new WriterProbe(() => platform?.writer);

async function start(): Promise<{ udpPort: number; pid: number }> {
  const territoryDir = process.env.LANTERNE_BENCH_TERRITORY;
  if (!territoryDir) throw new Error("LANTERNE_BENCH_TERRITORY is not set");
  const config = loadConfig(
    {
      host: "127.0.0.1",
      mqttPort: 0,
      wsPort: 0,
      httpPort: 0,
      udpPort: 0,
      dataDir,
      territoryDir,
      logLevel: "error",
    },
    {},
  );
  const p = await createPlatform(config);
  const previous = p.writer.onDurable;
  p.writer.onDurable = (observations, seconds, refused) => {
    previous?.(observations, seconds, refused);
    if (observations.length === 0) return;
    const now = Date.now();
    for (const o of observations) {
      const key = `${o.deviceId}|${o.time}`;
      const sent = sentAt.get(key);
      if (sent !== undefined) sentAt.delete(key);
      latency.add(now - (sent ?? o.time));
      serverLatency.add(now - o.time);
      durableValues += Object.keys(o.values).length;
    }
    durable += observations.length;
    lastDurableAt = now;
  };
  if (p.semtechUdp) instrumentUdp(p.semtechUdp.source as unknown as { deps: SemtechUdpDeps });
  await p.start();
  platform = p;
  const udpPort = p.semtechUdp?.source.port;
  if (!udpPort) throw new Error("the territory has no semtech_udp section");
  await waitConnected(p);
  return { udpPort, pid: process.pid };
}

function instrumentUdp(source: { deps: SemtechUdpDeps }): void {
  const deps = source.deps;
  if (!deps || typeof deps.onUplink !== "function") {
    throw new Error("SemtechUdpSource no longer keeps its deps: update bench/children/lorawan-platform.ts");
  }
  const onUplink = deps.onUplink;
  deps.onUplink = (up: LorawanUplink) => {
    const times = up.receptions.map((r) => r.time ?? Number.POSITIVE_INFINITY);
    const sent = Math.min(...times);
    if (Number.isFinite(sent)) sentAt.set(`${up.deviceId}|${up.time}`, sent);
    else unmatched++;
    return onUplink(up);
  };
}

/** The ChirpStack source subscribes once connected: wait for it (bounded) before saying ready. */
async function waitConnected(p: Platform): Promise<void> {
  const deadline = Date.now() + 10_000;
  const sources = p.integrations.sources.filter((s) => s instanceof ChirpstackSource);
  while (sources.some((s) => !s.connected)) {
    if (Date.now() > deadline) throw new Error("the ChirpStack integration did not connect to the broker");
    await new Promise((r) => setTimeout(r, 50));
  }
  // The SUBSCRIBE follows the CONNACK: give it a moment to be granted.
  await new Promise((r) => setTimeout(r, 200));
}

function stats() {
  const p = platform;
  if (!p) throw new Error("platform not started");
  const sandbox = p.codecs.stats();
  const chirpstack = p.integrations.sources.map((s) => ({ ...s.stats }));
  return {
    durable,
    durableValues,
    lastDurableAt,
    quarantined: p.writer.stats.quarantined,
    writeFailures: p.writer.stats.failures,
    pending: p.writer.stats.pending,
    ...probe.read(),
    udp: p.semtechUdp?.source.stats(),
    chirpstack,
    sandbox: {
      calls: sandbox.calls - sandboxAtMark.calls,
      totalMicros: sandbox.totalMicros - sandboxAtMark.totalMicros,
      maxMicros: sandbox.maxMicros,
    },
    unmatched,
    waitingLatency: sentAt.size,
    p50: latency.percentile(0.5),
    p99: latency.percentile(0.99),
    maxLatency: latency.max,
    serverP50: serverLatency.percentile(0.5),
    serverP99: serverLatency.percentile(0.99),
    usage: meter.read(),
  };
}

export type LorawanChildStats = ReturnType<typeof stats>;

serveParent(start(), {
  mark: () => {
    meter.mark();
    latency = new LatencyHistogram();
    serverLatency = new LatencyHistogram();
    probe.mark();
    const s = platform?.codecs.stats();
    sandboxAtMark = { calls: s?.calls ?? 0, totalMicros: s?.totalMicros ?? 0 };
  },
  stats,
  /** What the store holds: values (one row per field) and quarantine entries. */
  storeCounts: async () => {
    const p = platform;
    if (!p) throw new Error("platform not started");
    const [values, quarantine] = await Promise.all([p.store.countValues({}), p.store.countQuarantine({})]);
    return { values, quarantine };
  },
  close: async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
});

process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
