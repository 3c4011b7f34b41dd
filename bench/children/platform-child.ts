import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform, type Platform } from "../../cli/platform.ts";
import { loadConfig } from "../../services/config.ts";
import { serveParent } from "../ipc.ts";
import { LatencyHistogram, UsageMeter } from "../metrics.ts";
import { WriterProbe } from "./writer-probe.ts";

/**
 * The whole platform (broker, pipeline, DuckDB store or, with LANTERNE_BENCH_STORE set to an
 * influx:// URL, a disk spool into InfluxDB; API) on loopback ports chosen by the
 * system and a temporary data folder. Counts what the writer made durable, with the latency
 * from each reading's `time` (stamped by the generator when it published) to that moment.
 */
const meter = new UsageMeter();
const dataDir = mkdtempSync(join(tmpdir(), "lanterne-bench-"));
let platform: Platform | undefined;
let latency = new LatencyHistogram();
let durable = 0;
let lastDurableAt = 0;
const probe = new WriterProbe(() => platform?.writer);

async function start(): Promise<{ port: number; pid: number }> {
  const store = process.env.LANTERNE_BENCH_STORE || "duckdb";
  const config = loadConfig(
    { host: "127.0.0.1", mqttPort: 0, wsPort: 0, httpPort: 0, udpPort: 0, dataDir, store, logLevel: "error" },
    {},
  );
  const p = await createPlatform(config);
  const previous = p.writer.onDurable;
  p.writer.onDurable = (observations, seconds, refused) => {
    previous?.(observations, seconds, refused);
    if (observations.length === 0) return;
    const now = Date.now();
    for (const o of observations) latency.add(now - o.time);
    durable += observations.length;
    lastDurableAt = now;
  };
  await p.start();
  platform = p;
  return { port: p.broker.port, pid: process.pid };
}

function stats() {
  const p = platform;
  if (!p) throw new Error("platform not started");
  return {
    received: p.broker.stats.received,
    durable,
    lastDurableAt,
    quarantined: p.writer.stats.quarantined,
    writeFailures: p.writer.stats.failures,
    pending: p.writer.stats.pending,
    ...probe.read(),
    connections: p.broker.stats.connections,
    p50: latency.percentile(0.5),
    p99: latency.percentile(0.99),
    maxLatency: latency.max,
    ...(p.spool ? { spool: p.spool.stats() } : {}),
    usage: meter.read(),
  };
}

serveParent(start(), {
  mark: () => {
    meter.mark();
    latency = new LatencyHistogram();
    probe.mark();
  },
  stats,
  /** Rows in the store (one per field value): a cross-check of the writer's count. */
  storedValues: async () => (platform ? platform.store.countValues({}) : 0),
  close: async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
});

process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
