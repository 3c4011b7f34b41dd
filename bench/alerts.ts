import { rmSync } from "node:fs";
import { type AlertsOptions, fleetRate, phaseSeconds, SILENCE_AT_S } from "./alerts-args.ts";
import { fleetIds, makeTerritory } from "./alerts-fleet.ts";
import { FleetLoad, type FleetLoadResult, type FleetLoadSpec } from "./alerts-load.ts";
import {
  type AlertsResult,
  type LoadPhase,
  matchFaults,
  matchSilences,
  reportLines,
  type StateMeasure,
  summaryLine,
  verdicts,
} from "./alerts-report.ts";
import { AlertStream } from "./alerts-sse.ts";
import type { AlertsChildStats } from "./children/alerts-platform.ts";
import { ChildHandle } from "./ipc.ts";
import { sleep } from "./metrics.ts";

/**
 * `npm run bench -- alerts`, in one run so that ratios compare like with like:
 *   A. the fleet (20,000 generated streetlights under the bench contract) at 10x its contract's
 *      rate, rules off (the engine closed once the platform has started);
 *   B. the same load, rules on, with a technician's live stream open: a fault reading every
 *      second from a different device (publish to SSE `alert` latency), and a set of devices
 *      that stop reporting 10 s in (last reading to silence alert on the stream);
 *   C/D. as fast as the platform takes, rules off then on: capacity and CPU per message;
 *   E. in process: the rule engine's state for 1,000,000 devices (heap and RSS per device after
 *      full collections), and where its bytes go.
 * Each platform runs in a fresh child process on a temporary territory with the bench contract;
 * CPU is the platform process's own, from the first publish to the last reading judged.
 */
const STALL_MS = 5_000;
const FAULTS_FROM_S = 3;
/** Extra wait after the load for alerts still on their way to the stream. */
const STREAM_WAIT_MS = 20_000;
const CLOSE_GRACE_MS = 60_000;

interface Events {
  silent: number[];
  faulty: number[];
}

/** Silent devices spread over the fleet; fault devices spread over the others, one per fault. */
export function eventDevices(devices: number, silent: number, faults: number): Events {
  const step = silent > 0 ? Math.floor(devices / silent) : devices;
  const silentSet = new Set(Array.from({ length: silent }, (_, k) => k * step));
  const others = devices - silentSet.size;
  const count = Math.min(faults, others);
  const faultStep = others / Math.max(1, count);
  const pool: number[] = [];
  for (let i = 0; i < devices; i++) if (!silentSet.has(i)) pool.push(i);
  const faulty = Array.from(
    { length: count },
    (_, k) => pool[Math.floor(k * faultStep + faultStep / 2)] as number,
  );
  return { silent: [...silentSet], faulty };
}

export async function runAlertsBench(options: AlertsOptions): Promise<number> {
  const log = (line: string) => console.error(`[bench alerts] ${line}`);
  const rate = fleetRate(options);
  const seconds = phaseSeconds(options);
  const ids = fleetIds(options.devices);
  const events = eventDevices(
    options.devices,
    options.silent,
    Math.ceil((seconds * 1000) / options.faultEveryMs),
  );
  log(
    `${options.devices} devices, ${Math.round(rate)} msgs/s for ${seconds} s per phase, ` +
      `${options.silent} go silent, a fault every ${options.faultEveryMs} ms; state measure on ${options.stateDevices} devices`,
  );
  const territory = makeTerritory(ids, { cadenceMs: options.cadenceMs, graceMs: options.graceMs });
  const result: AlertsResult = { options, rate, phaseSeconds: seconds, phases: [], failures: [] };
  const ctx = { options, territory, ids, events, log };
  const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      const error = (err as Error)?.stack ?? String(err);
      log(`${name} FAILED: ${error}`);
      result.failures.push({ name, error });
      return undefined;
    }
  };
  try {
    const a = await attempt("A rules off", () =>
      runPhase(ctx, { key: "A", name: "A rules off", rulesOn: false, rate, seconds }),
    );
    if (a) result.phases.push(a.phase);
    const b = await attempt("B rules on", () =>
      runPhase(ctx, { key: "B", name: "B rules on + faults", rulesOn: true, rate, seconds, watch: true }),
    );
    if (b) {
      result.phases.push(b.phase);
      result.faults = matchFaults(b.gen.faults, b.received, b.startAt);
      result.silence = matchSilences(b.gen.silenced, b.received);
    }
    if (options.floodSeconds > 0) {
      const flood = { rate: "max" as const, seconds: options.floodSeconds };
      const c = await attempt("C flood rules off", () =>
        runPhase(ctx, { key: "C", name: "C flood rules off", rulesOn: false, ...flood }),
      );
      if (c) result.phases.push(c.phase);
      const d = await attempt("D flood rules on", () =>
        runPhase(ctx, { key: "D", name: "D flood rules on", rulesOn: true, ...flood }),
      );
      if (d) result.phases.push(d.phase);
    }
    const state = await attempt("E rule state", () => measureState(options, log));
    if (state) result.state = state;
  } finally {
    rmSync(territory, { recursive: true, force: true });
  }
  console.log(reportLines(result).join("\n"));
  const vs = verdicts(result);
  const passed = result.failures.length === 0 && vs.length > 0 && vs.every((v) => v.pass);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ bench: "alerts", passed, summary: summaryLine(result, vs), verdicts: vs, ...result })}`,
  );
  return passed ? 0 : 1;
}

interface Context {
  options: AlertsOptions;
  territory: string;
  ids: string[];
  events: Events;
  log: (line: string) => void;
}

interface PhaseDef {
  key: string;
  name: string;
  rulesOn: boolean;
  rate: number | "max";
  seconds: number;
  /** Open the live stream, inject faults and silence devices. */
  watch?: boolean;
}

interface PhaseRun {
  phase: LoadPhase;
  startAt: number;
  gen: FleetLoadResult;
  received: AlertStream["received"];
}

async function runPhase(ctx: Context, def: PhaseDef): Promise<PhaseRun> {
  const { options, log } = ctx;
  log(`${def.name}: starting the platform`);
  const env = { LANTERNE_BENCH_TERRITORY: ctx.territory, LANTERNE_BENCH_RULES: def.rulesOn ? "on" : "off" };
  const { child, ready } = await ChildHandle.start<{ mqttPort: number; apiUrl: string; dataDir: string }>(
    "children/alerts-platform.ts",
    [],
    120_000,
    env,
  );
  const load = new FleetLoad(ctx.ids);
  let stream: AlertStream | undefined;
  try {
    if (def.watch) stream = await AlertStream.open(ready.apiUrl);
    await load.connect(`mqtt://127.0.0.1:${ready.mqttPort}`, options.clients);
    await child.call("mark");
    const startAt = Date.now() + 300;
    const spec: FleetLoadSpec = { rate: def.rate, startAt, seconds: def.seconds };
    // The same silences and fault readings in A as in B, so that both carry the same load.
    if (def.rate !== "max") {
      spec.silence = { devices: ctx.events.silent, at: startAt + SILENCE_AT_S * 1000 };
      spec.faults = {
        devices: ctx.events.faulty,
        everyMs: options.faultEveryMs,
        from: startAt + FAULTS_FROM_S * 1000,
        until: startAt + def.seconds * 1000 - 5_000,
      };
    }
    log(
      `${def.name}: publishing ${def.rate === "max" ? "as fast as possible" : `${Math.round(def.rate)} msgs/s`} for ${def.seconds} s`,
    );
    const gen = await load.run(spec);
    const expected = gen.sent - gen.errors;
    const caught = await catchUp(child, expected, Math.max(30_000, def.seconds * 1000));
    const settled = def.rulesOn ? await child.call<boolean>("settle", 60_000, 70_000) : true;
    const stats = await child.call<AlertsChildStats>("stats");
    if (stream) {
      const s = stream;
      const want = gen.faults.length + gen.silenced.size;
      const seen = () => s.received.filter((r) => r.event === "raised").length >= want;
      await s.until(seen, Date.now() + STREAM_WAIT_MS);
    }
    const phase = toPhase(def, startAt, gen, stats, caught, settled);
    log(
      `${def.name}: ${phase.durable} stored at ${Math.round(phase.rate)}/s, ${phase.cpuUsPerMsg.toFixed(1)} us/msg, loss ${phase.loss}` +
        (def.rulesOn ? `, ${stats.rules.evaluated} evaluations, ${stats.rules.raised} raised` : ""),
    );
    return { phase, startAt, gen, received: stream ? [...stream.received] : [] };
  } finally {
    stream?.close();
    await load.disconnect();
    // Closing judges what the engine still has queued: it may take a while.
    await child.stop(CLOSE_GRACE_MS);
    rmSync(ready.dataDir, { recursive: true, force: true });
  }
}

/** Polls until the platform has made every sent reading durable, stalls for 5 s, or the deadline passes. */
async function catchUp(child: ChildHandle, expected: number, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  let last = await child.call<AlertsChildStats>("stats");
  let progressAt = Date.now();
  for (;;) {
    if (last.durable >= expected && last.pending === 0) return true;
    if (Date.now() > deadline || Date.now() - progressAt > STALL_MS) return false;
    await sleep(100);
    const next = await child.call<AlertsChildStats>("stats");
    if (next.durable > last.durable || next.pending !== last.pending) progressAt = Date.now();
    last = next;
  }
}

function toPhase(
  def: PhaseDef,
  startAt: number,
  gen: FleetLoadResult,
  s: AlertsChildStats,
  caughtUp: boolean,
  settled: boolean,
): LoadPhase {
  const elapsedMs = Math.max(1, s.lastDurableAt - startAt);
  return {
    key: def.key,
    name: def.name,
    rulesOn: def.rulesOn,
    offeredRate: def.rate === "max" ? undefined : def.rate,
    sent: gen.sent,
    errors: gen.errors,
    durable: s.durable,
    loss: gen.sent - gen.errors - s.durable,
    rate: s.durable > 0 ? (s.durable * 1000) / elapsedMs : 0,
    caughtUp,
    settled,
    cpuUsPerMsg: s.durable > 0 ? (s.usage.cpuMs * 1000) / s.durable : 0,
    cores: s.usage.cpuMs / elapsedMs,
    peakRssMb: s.usage.peakRssMb,
    eventLoopMaxMs: s.eventLoopMax,
    generatorCores: gen.cores,
    rules: s.rules,
  };
}

/** Phase E: the rule state of `stateDevices` devices, in a child with --expose-gc. */
async function measureState(options: AlertsOptions, log: (line: string) => void): Promise<StateMeasure> {
  log(`E rule state: ${options.stateDevices} devices, one reading each, in process`);
  const { child } = await ChildHandle.start("children/alerts-state.ts", [
    "--expose-gc",
    "--max-old-space-size=8192",
  ]);
  try {
    const args = {
      devices: options.stateDevices,
      steadyDevices: 10_000,
      batch: 10_000,
      silence: { cadenceMs: options.cadenceMs, graceMs: options.graceMs },
    };
    return await child.call<StateMeasure>("measure", args, 900_000);
  } finally {
    await child.stop();
  }
}
