import { join } from "node:path";
import { type Influxd, startInfluxd } from "../test/helpers/influxd.ts";
import type { BenchOptions } from "./args.ts";
import { GeneratorPool, type GeneratorTotals } from "./generators.ts";
import { ChildHandle } from "./ipc.ts";
import { type RunSpec, waitBound } from "./load.ts";
import { machineCores, machineSample, type ProcessUsage, sleep } from "./metrics.ts";
import { type PhaseFailure, type PhaseResult, printReport } from "./report.ts";

/**
 * The ingest benchmark, in one run so that ratios compare like with like:
 *   1. bare aedes (no hooks, same emitter): the broker's ceiling at QoS 0;
 *   1b. with `--store influx` only, naive: bare aedes parsing each message into line protocol,
 *      batched to InfluxDB (the ceiling of Lanterne on InfluxDB);
 *   2. Lanterne QoS 0 as fast as the generator can: capacity and loss, end to end (stored);
 *   3. Lanterne QoS 1 with a window of in-flight publishes per client;
 *   4. overload: a fixed offered rate of twice the QoS 0 capacity;
 *   5. steady: half the QoS 0 capacity, for the publish-to-stored latency of a platform that
 *      keeps up (the latency of the saturated phases is mostly queueing).
 * Each target runs in a fresh child process; the generator runs here or in child processes.
 * With `--store influx`, one private influxd serves the whole run, with a fresh database per phase
 * (`bench_<phase>`), and "stored" means acknowledged by InfluxDB, cross-checked with a COUNT query.
 */
interface TargetStats {
  received: number;
  durable?: number;
  lastDurableAt?: number;
  lastAt?: number;
  eventLoopP99?: number;
  eventLoopMax?: number;
  quarantined?: number;
  writeFailures?: number;
  pending?: number;
  peakPending?: number;
  flushes?: number;
  p50?: number;
  p99?: number;
  maxLatency?: number;
  spool?: { segments: number; bytes: number };
  usage: ProcessUsage;
}

type TargetKind = "bare" | "naive" | "platform";

const CHILD: Record<TargetKind, string> = {
  bare: "children/bare-broker.ts",
  naive: "children/naive-influx.ts",
  platform: "children/platform-child.ts",
};

const FIELDS_PER_READING = 5;
const STALL_MS = 5_000;
/** Waits are bounded as if the target went no faster than this (msgs/s): a slower one is reported. */
const SLOWEST_RATE = 5_000;

export async function runIngestBench(options: BenchOptions): Promise<number> {
  const log = (line: string) => console.error(`[bench ingest] ${line}`);
  log(
    `${options.seconds} s per phase, ${options.clients} clients, ` +
      `${options.generators === 0 ? "generator in this process" : `${options.generators} generator processes`}, ` +
      `window ${options.window}, store ${options.store}`,
  );
  const idle = await otherLoad();
  if (idle !== undefined) {
    log(
      `machine before the run: ${idle.toFixed(2)} cores busy with other work${idle > 0.3 ? " (figures will be noisy)" : ""}`,
    );
  }
  const phases: PhaseResult[] = [];
  const failures: PhaseFailure[] = [];
  let influx: Influxd | undefined;
  if (options.store === "influx") {
    influx = await startInfluxd();
    if (!influx) throw new Error("--store influx needs influxd on PATH (apt-get install influxdb)");
    log(`private influxd at ${influx.url} (${influx.dir})`);
  }
  const pool = await GeneratorPool.start(options.generators, options.clients).catch(async (err) => {
    await influx?.stop();
    throw err;
  });
  try {
    const spec = (qos: 0 | 1, rate?: number): Omit<RunSpec, "startAt"> => ({
      qos,
      window: options.window,
      seconds: options.seconds,
      drainMs: catchUpMs(options),
      slowestRate: SLOWEST_RATE,
      ...(rate !== undefined ? { rate } : {}),
    });
    const want = (key: string) => options.phases === undefined || options.phases.includes(key);
    /** A phase that fails (a target that does not start, a generator error) is reported, and the run goes on. */
    const attempt = async (key: string, name: string, kind: TargetKind, s: Omit<RunSpec, "startAt">) => {
      try {
        const result = await runPhase(key, name, kind, s, pool, options, log, influx);
        phases.push(result);
        return result;
      } catch (err) {
        const error = (err as Error).message ?? String(err);
        log(`${name} FAILED: ${error}`);
        failures.push({ key, name, error });
        return undefined;
      }
    };
    if (want("bare")) await attempt("bare", "bare aedes QoS 0", "bare", spec(0));
    if (want("naive") && influx) await attempt("naive", "naive aedes->Influx", "naive", spec(0));
    const qos0 = want("qos0") ? await attempt("qos0", "Lanterne QoS 0", "platform", spec(0)) : undefined;
    if (want("qos1")) await attempt("qos1", "Lanterne QoS 1", "platform", spec(1));
    if (want("overload") && qos0 && qos0.rate > 0) {
      await attempt("overload", "Lanterne overload 2x", "platform", spec(0, Math.round(2 * qos0.rate)));
    } else if (want("overload")) {
      failures.push({
        key: "overload",
        name: "Lanterne overload 2x",
        error: "no QoS 0 capacity was measured",
      });
    }
    if (want("steady") && qos0 && qos0.rate > 0) {
      await attempt("steady", "Lanterne steady 50%", "platform", spec(0, Math.round(0.5 * qos0.rate)));
    }
  } finally {
    await pool.stop();
    await influx?.stop();
  }
  const passed = printReport(phases, failures, options, idle);
  return passed ? 0 : 1;
}

/** Cores the rest of the machine keeps busy while the benchmark is idle, over one second. */
async function otherLoad(): Promise<number | undefined> {
  const before = machineSample();
  await sleep(1000);
  return machineCores(before, machineSample());
}

function catchUpMs(options: BenchOptions): number {
  return Math.max(options.quick ? 15_000 : 30_000, options.seconds * 2000);
}

async function runPhase(
  key: string,
  name: string,
  kind: TargetKind,
  spec: Omit<RunSpec, "startAt">,
  pool: GeneratorPool,
  options: BenchOptions,
  log: (line: string) => void,
  influx?: Influxd,
): Promise<PhaseResult> {
  const file = CHILD[kind];
  const database = `bench_${key}`;
  const env: Record<string, string> = !influx
    ? {}
    : kind === "platform"
      ? { LANTERNE_BENCH_STORE: `influx://127.0.0.1:${influx.port}/${database}` }
      : kind === "naive"
        ? { LANTERNE_BENCH_INFLUX: influx.url, LANTERNE_BENCH_DB: database }
        : {};
  log(`${name}: starting ${file}${env.LANTERNE_BENCH_STORE ? ` (store ${env.LANTERNE_BENCH_STORE})` : ""}`);
  let target: ChildHandle | undefined;
  try {
    const profile = options.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${join(options.cpuProf, key)}`] : [];
    const started = await ChildHandle.start<{ port: number }>(file, profile, 60_000, env).catch(
      (err: Error) => {
        throw new Error(
          `${name}: the ${kind === "platform" ? "platform" : kind === "naive" ? "naive pipeline" : "bare broker"} did not start: ${err.message}`,
        );
      },
    );
    target = started.child;
    const t = target;
    await pool.connect(`mqtt://127.0.0.1:${started.ready.port}`);
    await t.call("mark");
    const startAt = Date.now() + 300;
    const rateNote =
      spec.rate === undefined ? "as fast as possible" : `${Math.round(spec.rate)} msgs/s offered`;
    log(`${name}: publishing QoS ${spec.qos}, ${rateNote}, for ${spec.seconds} s`);
    await sleep(Math.max(0, startAt - Date.now()));
    const machineBefore = machineSample();
    const gen = await pool.run({ ...spec, startAt });
    // Every publish that did not fail is on its way (socket buffers are not dropped): it must arrive.
    const expected = gen.sent - gen.errors;
    log(`${name}: ${gen.published} published (${gen.sent} sent), waiting for the ${kind} to catch up`);
    const stats = await catchUp(t, kind, expected, waitBound(catchUpMs(options), expected, SLOWEST_RATE));
    const machine = machineCores(machineBefore, machineSample());
    const storedRows =
      influx && kind !== "bare"
        ? await influxCount(influx, database)
        : kind === "platform"
          ? Number(await t.call<number>("storedValues")) / FIELDS_PER_READING
          : undefined;
    await pool.disconnect();
    const result = toResult({ key, name, kind, spec, startAt, gen, ...stats, storedRows, machine });
    log(
      `${name}: ${result.stored} stored at ${Math.round(result.rate)} msgs/s, loss ${result.loss}` +
        (stats.caughtUp ? "" : " (did not catch up in time)"),
    );
    return result;
  } finally {
    await pool.disconnect().catch(() => undefined);
    await target?.stop();
  }
}

/** Polls the target until it holds everything published, stalls for 5 s, or the deadline passes. */
async function catchUp(
  target: ChildHandle,
  kind: TargetKind,
  published: number,
  deadlineMs: number,
): Promise<{ last: TargetStats; caughtUp: boolean }> {
  const deadline = Date.now() + deadlineMs;
  let last = await target.call<TargetStats>("stats");
  let progressAt = Date.now();
  for (;;) {
    const done = stored(kind, last);
    if (done >= published && (last.pending ?? 0) === 0 && (last.spool?.segments ?? 0) === 0)
      return { last, caughtUp: true };
    if (Date.now() > deadline || Date.now() - progressAt > STALL_MS) return { last, caughtUp: false };
    await sleep(100);
    const next = await target.call<TargetStats>("stats");
    if (
      stored(kind, next) > done ||
      (next.pending ?? 0) !== (last.pending ?? 0) ||
      (next.spool?.bytes ?? 0) !== (last.spool?.bytes ?? 0)
    )
      progressAt = Date.now();
    last = next;
  }
}

function stored(kind: TargetKind, s: TargetStats): number {
  return kind === "bare" ? s.received : (s.durable ?? 0);
}

interface Measured {
  key: string;
  name: string;
  kind: TargetKind;
  spec: Omit<RunSpec, "startAt">;
  startAt: number;
  gen: GeneratorTotals;
  last: TargetStats;
  caughtUp: boolean;
  storedRows: number | undefined;
  machine: number | undefined;
}

function toResult(m: Measured): PhaseResult {
  const { key, name, kind, spec, startAt, gen, last: s, caughtUp, storedRows, machine } = m;
  const count = stored(kind, s);
  const lastAt = (kind === "bare" ? s.lastAt : s.lastDurableAt) ?? 0;
  const elapsedMs = Math.max(1, lastAt - startAt);
  const rate = count > 0 ? (count * 1000) / elapsedMs : 0;
  const target = { ...s.usage, cores: s.usage.cpuMs / Math.max(elapsedMs, 1) };
  return {
    key,
    name,
    qos: spec.qos,
    ...(spec.rate !== undefined ? { offeredRate: spec.rate } : {}),
    generator: gen,
    sentRate: (gen.sent * 1000) / Math.max(1, gen.publishMs),
    ackRate:
      spec.qos === 1 && gen.published > 0
        ? (gen.published * 1000) / Math.max(1, gen.lastCallbackAt - startAt)
        : undefined,
    received: s.received,
    stored: count,
    storedRows,
    loss: gen.sent - gen.errors - count,
    rate,
    elapsedMs,
    caughtUp,
    p50: s.p50,
    p99: s.p99,
    maxLatency: s.maxLatency,
    quarantined: s.quarantined,
    writeFailures: s.writeFailures,
    peakPending: s.peakPending,
    flushes: s.flushes,
    spoolSegments: s.spool?.segments,
    spoolBytes: s.spool?.bytes,
    eventLoopP99: s.eventLoopP99,
    eventLoopMax: s.eventLoopMax,
    target,
    machineCores: machine,
    cpuUsPerMsg: count > 0 ? (s.usage.cpuMs * 1000) / count : undefined,
    genCpuUsPerMsg: gen.sent > 0 ? (gen.cores * gen.publishMs * 1000) / gen.sent : undefined,
  };
}

/** Readings in an InfluxDB database, counted by InfluxDB itself (one active_power_w per reading). */
async function influxCount(influx: Influxd, database: string): Promise<number> {
  const q = new URLSearchParams({ db: database, q: "SELECT COUNT(active_power_w) FROM streetlight" });
  const res = await fetch(`${influx.url}/query?${q}`, { signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new Error(`count in ${database}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as {
    results?: Array<{ error?: string; series?: Array<{ values?: unknown[][] }> }>;
  };
  const result = body.results?.[0];
  if (result?.error) throw new Error(`count in ${database}: ${result.error}`);
  return Number(result?.series?.[0]?.values?.[0]?.[1] ?? 0);
}
