import { createServer } from "node:net";
import { Aedes } from "aedes";
import { createFastEmitter } from "../../gateway/broker/fast-emitter.ts";
import { serveParent } from "../ipc.ts";
import { LatencyHistogram, UsageMeter } from "../metrics.ts";

/**
 * The naive pipeline, the ceiling of Lanterne on InfluxDB: a bare aedes broker (no hooks, the same
 * fast emitter and concurrency as bare-broker.ts) whose publish handler parses each JSON payload,
 * turns it into one line of line protocol (no contract check, no quarantine, no spool) and batches
 * lines to `/write?precision=ms` (5,000 lines or 100 ms, plain fetch, no gzip, writes not awaited
 * one by one). A reading counts as stored when the write holding it answered 204.
 * The InfluxDB URL and database come from LANTERNE_BENCH_INFLUX and LANTERNE_BENCH_DB.
 */
const CONCURRENCY = 1000;
const BATCH_LINES = 5_000;
const BATCH_MS = 100;
const influx = process.env.LANTERNE_BENCH_INFLUX ?? "";
const database = process.env.LANTERNE_BENCH_DB ?? "bench_naive";
const writeUrl = `${influx}/write?db=${encodeURIComponent(database)}&precision=ms`;

const meter = new UsageMeter();
let latency = new LatencyHistogram();
let received = 0;
let durable = 0;
let lastDurableAt = 0;
let writeFailures = 0;
let flushes = 0;
let flushesAtMark = 0;
/** Lines not yet acknowledged by InfluxDB (buffered or in a write under way). */
let pending = 0;
let peakPending = 0;

let lines: string[] = [];
let times: number[] = [];
let timer: NodeJS.Timeout | undefined;

interface Reading {
  device: string;
  time: number;
  data: Record<string, unknown>;
}

function fieldValue(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return `"${v.replace(/[\\"]/g, "\\$&")}"`;
  return undefined;
}

const escapeKey = (s: string) => s.replace(/[,= ]/g, "\\$&");

function toLine(r: Reading): string | undefined {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(r.data)) {
    const value = fieldValue(v);
    if (value !== undefined) fields.push(`${escapeKey(k)}=${value}`);
  }
  if (fields.length === 0) return undefined;
  return `streetlight,device_id=${escapeKey(r.device)} ${fields.join(",")} ${Math.round(r.time)}`;
}

function flush(): void {
  if (timer) {
    clearTimeout(timer);
    timer = undefined;
  }
  if (lines.length === 0) return;
  const body = lines.join("\n");
  const stamps = times;
  lines = [];
  times = [];
  flushes++;
  fetch(writeUrl, { method: "POST", body }).then(
    async (res) => {
      await res.arrayBuffer().catch(() => undefined);
      pending -= stamps.length;
      if (res.status !== 204) {
        writeFailures++;
        return;
      }
      const now = Date.now();
      for (const t of stamps) latency.add(now - t);
      durable += stamps.length;
      lastDurableAt = now;
    },
    () => {
      pending -= stamps.length;
      writeFailures++;
    },
  );
}

function accept(payload: Buffer | string): void {
  let line: string | undefined;
  let time = 0;
  try {
    const r = JSON.parse(payload.toString()) as Reading;
    line = toLine(r);
    time = r.time;
  } catch {
    line = undefined;
  }
  if (line === undefined) return;
  lines.push(line);
  times.push(time);
  pending++;
  if (pending > peakPending) peakPending = pending;
  if (lines.length >= BATCH_LINES) flush();
  else timer ??= setTimeout(flush, BATCH_MS);
}

async function start(): Promise<{ port: number; pid: number }> {
  if (!influx) throw new Error("LANTERNE_BENCH_INFLUX is not set");
  const created = await fetch(`${influx}/query`, {
    method: "POST",
    body: new URLSearchParams({ q: `CREATE DATABASE "${database}"` }),
  });
  if (!created.ok) throw new Error(`CREATE DATABASE ${database}: ${created.status} ${await created.text()}`);
  const aedes = await Aedes.createBroker({ mq: createFastEmitter(CONCURRENCY), concurrency: CONCURRENCY });
  aedes.on("publish", (packet, client) => {
    if (!client || packet.topic.startsWith("$SYS")) return;
    received++;
    accept(packet.payload);
  });
  const server = createServer((socket) => aedes.handle(socket));
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    });
  });
  closeAll = async () => {
    flush();
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { port, pid: process.pid };
}

let closeAll = async () => {};

serveParent(start(), {
  mark: () => {
    meter.mark();
    latency = new LatencyHistogram();
    peakPending = pending;
    flushesAtMark = flushes;
  },
  stats: () => ({
    received,
    durable,
    lastDurableAt,
    pending,
    peakPending,
    writeFailures,
    flushes: flushes - flushesAtMark,
    p50: latency.percentile(0.5),
    p99: latency.percentile(0.99),
    maxLatency: latency.max,
    usage: meter.read(),
  }),
  close: () => closeAll(),
});
