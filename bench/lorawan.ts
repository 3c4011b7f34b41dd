import { rmSync } from "node:fs";
import { join } from "node:path";
import type { LorawanChildStats } from "./children/lorawan-platform.ts";
import { ChildHandle } from "./ipc.ts";
import type { LorawanOptions } from "./lorawan-args.ts";
import { ChirpstackPublisher } from "./lorawan-chirpstack.ts";
import { type CodecOverhead, measureCodecOverhead } from "./lorawan-codec.ts";
import { type Container, makeTerritory, readContainers, withSessions } from "./lorawan-fleet.ts";
import {
  type LorawanPath,
  type LorawanPhase,
  type PhaseFailure,
  printLorawanReport,
} from "./lorawan-report.ts";
import { Forwarders, FramePool, udpReceiveErrors } from "./lorawan-udp.ts";
import { machineCores, machineSample, sleep } from "./metrics.ts";

/**
 * The LoRaWAN benchmark, for the issue's target: "5,000 uplinks/s through Semtech UDP (MIC +
 * decrypt + codec + contract + store) and through the ChirpStack path, p99 under 100 ms, codec
 * sandbox overhead reported separately".
 *   - the demo's 400 EM310-UDL waste containers, each with an ABP session of its own, in a
 *     temporary copy of the demo territory (three gateways, a ChirpStack integration);
 *   - per path, a fresh platform child per phase: first as fast as the send window allows
 *     (capacity), then paced phases at `--rates` (the latency at a rate the platform keeps up);
 *   - Semtech UDP: PUSH_DATA from three gateway sockets, each frame heard by 1 to 3 of them;
 *   - ChirpStack: up events published at QoS 1 to ChirpStack's broker (Mosquitto, or aedes: a child) the platform follows;
 *   - the EM310 codec in the QuickJS sandbox against the same source as a plain function.
 * Loss counts uplinks sent and not stored; the store is asked what it holds at the end.
 */
const BROKER_CHILD = { aedes: "children/bare-broker.ts", mosquitto: "children/mosquitto-broker.ts" } as const;
const PLATFORM_CHILD = "children/lorawan-platform.ts";
const WATCHDOG_MS = 20 * 60_000;
const STALL_MS = 5_000;
const ACK_TIMEOUT_MS = 2_000;
/** Frames pre-encoded per second of a max-rate phase (a platform faster than this ends the phase early). */
const MAX_PHASE_RATE = 15_000;

type Log = (line: string) => void;

interface Run {
  options: LorawanOptions;
  fleet: Container[];
  guard: Guard;
  forwarders?: Forwarders;
  pool?: FramePool;
  log: Log;
}

export async function runLorawanBench(options: LorawanOptions): Promise<number> {
  const log: Log = (line) => console.error(`[bench lorawan] ${line}`);
  const guard = new Guard(log);
  guard.arm();
  try {
    const fleet = withSessions(readContainers());
    log(
      `${fleet.length} EM310-UDL containers, ${options.seconds} s per phase, rates ${options.rates.join(",")}`,
    );
    const run: Run = { options, fleet, guard, log };
    const phases: LorawanPhase[] = [];
    const failures: PhaseFailure[] = [];
    try {
      for (const path of options.paths) await runPath(run, path, phases, failures);
    } finally {
      await run.forwarders?.close();
    }
    log(`codec sandbox overhead: ${options.codecCalls} calls each`);
    const codec: CodecOverhead | undefined = await measureCodecOverhead(options.codecCalls).catch(
      (err: Error) => {
        failures.push({ key: "codec", name: "codec overhead", error: err.message });
        return undefined;
      },
    );
    return printLorawanReport(phases, failures, codec, options) ? 0 : 1;
  } finally {
    guard.disarm();
  }
}

async function runPath(run: Run, path: LorawanPath, phases: LorawanPhase[], failures: PhaseFailure[]) {
  const { options } = run;
  if (path === "semtech") {
    const need = Math.max(MAX_PHASE_RATE, ...options.rates) * options.seconds * 1.05;
    const perDevice = Math.ceil(need / run.fleet.length);
    run.log(`encoding ${perDevice * run.fleet.length} frames (MIC + encryption, as the devices would)`);
    const t0 = performance.now();
    run.pool = new FramePool(run.fleet, perDevice);
    run.log(`encoded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    run.forwarders = await Forwarders.open();
  }
  const label = path === "semtech" ? "Semtech UDP" : "ChirpStack";
  for (const rate of [undefined, ...options.rates]) {
    const key = `${path}-${rate ?? "max"}`;
    const name = `${label} ${rate === undefined ? "max" : `${rate}/s`}`;
    try {
      phases.push(await runPhase(run, path, key, name, rate));
    } catch (err) {
      const error = (err as Error).message ?? String(err);
      run.log(`${name} FAILED: ${error}`);
      failures.push({ key, name, error });
    }
  }
}

async function runPhase(
  run: Run,
  path: LorawanPath,
  key: string,
  name: string,
  rate: number | undefined,
): Promise<LorawanPhase> {
  const { options, log } = run;
  const profile = options.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${join(options.cpuProf, key)}`] : [];
  // A fresh broker and territory per phase: the platform's persistent ChirpStack session must not
  // carry a previous phase's backlog into this one.
  const { child: broker, ready: brokerReady } = await ChildHandle.start<{ port: number }>(
    BROKER_CHILD[options.broker],
  );
  const territory = makeTerritory(run.fleet, brokerReady.port);
  run.guard.dirs.push(territory.dir);
  const env = { LANTERNE_BENCH_TERRITORY: territory.dir, LANTERNE_SECRET_KEY: territory.masterHex };
  log(`${name}: starting the platform`);
  let child: ChildHandle | undefined;
  let publisher: ChirpstackPublisher | undefined;
  try {
    const started = await ChildHandle.start<{ udpPort: number }>(PLATFORM_CHILD, profile, 60_000, env);
    child = started.child;
    const ready = started.ready;
    if (path === "chirpstack")
      publisher = await ChirpstackPublisher.connect(`mqtt://127.0.0.1:${brokerReady.port}`, run.fleet);
    const phase: Phase = { run, broker, child, publisher, ready, path, key, name, rate };
    return await measurePhase(phase);
  } finally {
    await publisher?.close().catch(() => undefined);
    await child?.stop();
    await broker.stop();
    rmSync(territory.dir, { recursive: true, force: true });
  }
}

interface Phase {
  run: Run;
  broker: ChildHandle;
  child: ChildHandle;
  publisher: ChirpstackPublisher | undefined;
  ready: { udpPort: number };
  path: LorawanPath;
  key: string;
  name: string;
  rate: number | undefined;
}

async function measurePhase(phase: Phase): Promise<LorawanPhase> {
  const { run, broker, child, publisher, ready, path, key, name, rate } = phase;
  const { options, log } = run;
  await child.call("mark");
  await broker.call("mark");
  const brokerBefore = (await broker.call<{ received: number }>("stats")).received;
  const kernelBefore = await udpReceiveErrors();
  const machineBefore = machineSample();
  const startAt = Date.now();
  log(
    `${name}: sending ${rate === undefined ? "as fast as the window allows" : `${rate} uplinks/s`} for ${options.seconds} s`,
  );
  const window = options.window;
  const gen =
    path === "semtech"
      ? await sendUdp(run, ready.udpPort, rate, window)
      : await sendMqtt(run, publisher, rate, window);
  log(`${name}: ${gen.sent} uplinks sent, waiting for the platform to store them`);
  const { last, caughtUp } = await catchUp(child, gen.expected, deadlineMs(options, gen.expected));
  const machine = machineCores(machineBefore, machineSample());
  const kernelAfter = await udpReceiveErrors();
  const counts = await child.call<{ values: number; quarantine: number }>("storeCounts");
  const brokerAfter = (await broker.call<{ received: number }>("stats")).received;
  // Nothing stored: the phase lasted until the catch-up gave up.
  const elapsedMs = Math.max(1, (last.lastDurableAt || last.usage.wallMs + startAt) - startAt);
  const cpuMs = last.usage.cpuMs;
  const udpStats = last.udp;
  const result: LorawanPhase = {
    path,
    key,
    name,
    offeredRate: rate,
    offered: gen.offered,
    sent: gen.sent,
    sentRate: (gen.sent * 1000) / Math.max(1, gen.publishMs),
    stored: last.durable,
    storedValues: counts.values,
    expectedValues: last.durableValues,
    storeQuarantine: counts.quarantine,
    loss: gen.sent - last.durable,
    quarantined: last.quarantined,
    rate: last.durable > 0 ? (last.durable * 1000) / elapsedMs : 0,
    caughtUp,
    p50: last.p50,
    p99: last.p99,
    maxLatency: last.maxLatency,
    serverP50: last.serverP50,
    serverP99: last.serverP99,
    ackP99: gen.udp?.ackP99,
    ...(gen.udp && udpStats
      ? {
          udp: {
            datagrams: gen.udp.datagrams,
            acked: gen.udp.acked,
            unacked: gen.udp.unacked,
            sendErrors: gen.udp.sendErrors,
            exhausted: gen.udp.exhausted,
            copies: gen.udp.copies,
            listenerFrames: udpStats.frames,
            listenerDuplicates: udpStats.duplicates,
            listenerUplinks: udpStats.uplinks,
            problems: udpStats.problems as Record<string, number>,
            kernelDrops:
              kernelBefore === undefined || kernelAfter === undefined
                ? undefined
                : kernelAfter - kernelBefore,
          },
        }
      : {}),
    ...(gen.mqtt ? { mqtt: { ...gen.mqtt, brokerReceived: brokerAfter - brokerBefore } } : {}),
    srvCores: cpuMs / elapsedMs,
    srvUsPerUplink: last.durable > 0 ? (cpuMs * 1000) / last.durable : undefined,
    srvRssMb: last.usage.peakRssMb,
    genCores: gen.cores,
    sandboxUsPerCall: last.sandbox.calls > 0 ? last.sandbox.totalMicros / last.sandbox.calls : undefined,
    sandboxShareOfCpu: cpuMs > 0 ? last.sandbox.totalMicros / 1000 / cpuMs : undefined,
    eventLoopMax: last.eventLoopMax,
    peakPending: last.peakPending,
    machineCores: machine,
  };
  log(
    `${name}: ${result.stored} stored at ${Math.round(result.rate)}/s, loss ${result.loss}, ` +
      `quarantined ${result.quarantined}, p99 ${result.p99 ?? "-"} ms${caughtUp ? "" : " (did not catch up)"}`,
  );
  return result;
}

interface Sent {
  offered: number;
  sent: number;
  /** Uplinks the platform must end up holding. */
  expected: number;
  publishMs: number;
  cores: number;
  udp?: Awaited<ReturnType<Forwarders["run"]>>;
  mqtt?: { acked: number; errors: number; unfinished: number };
}

async function sendUdp(run: Run, port: number, rate: number | undefined, window: number): Promise<Sent> {
  const { forwarders, pool } = run;
  if (!forwarders || !pool) throw new Error("no forwarders");
  const spec = { seconds: run.options.seconds, window, ackTimeoutMs: ACK_TIMEOUT_MS };
  const r = await forwarders.run(port, pool, rate === undefined ? spec : { ...spec, rate });
  // Every frame sent must be stored: a datagram the kernel dropped is a lost uplink.
  return {
    offered: r.offered,
    sent: r.frames,
    expected: r.frames,
    publishMs: r.publishMs,
    cores: r.cores,
    udp: r,
  };
}

async function sendMqtt(
  run: Run,
  publisher: ChirpstackPublisher | undefined,
  rate: number | undefined,
  window: number,
): Promise<Sent> {
  if (!publisher) throw new Error("no publisher");
  const spec = { seconds: run.options.seconds, window, drainMs: 10_000 };
  const r = await publisher.run(rate === undefined ? spec : { ...spec, rate });
  const sent = r.sent - r.errors;
  return {
    offered: r.offered,
    sent,
    expected: sent,
    publishMs: r.publishMs,
    cores: r.cores,
    mqtt: { acked: r.acked, errors: r.errors, unfinished: r.unfinished },
  };
}

function deadlineMs(options: LorawanOptions, expected: number): number {
  // As if the platform went no faster than 1,000 uplinks/s, within [15 s, 5 min].
  return Math.min(300_000, Math.max(options.quick ? 15_000 : 30_000, expected));
}

/** Polls until everything sent is durable and nothing is pending, a 5 s stall, or the deadline. */
async function catchUp(
  child: ChildHandle,
  expected: number,
  deadlineMs: number,
): Promise<{ last: LorawanChildStats; caughtUp: boolean }> {
  const deadline = Date.now() + deadlineMs;
  let last = await child.call<LorawanChildStats>("stats");
  let progressAt = Date.now();
  for (;;) {
    if (last.durable >= expected && last.pending === 0) return { last, caughtUp: true };
    if (Date.now() > deadline || Date.now() - progressAt > STALL_MS) return { last, caughtUp: false };
    await sleep(100);
    const next = await child.call<LorawanChildStats>("stats");
    if (next.durable > last.durable || next.pending !== last.pending) progressAt = Date.now();
    last = next;
  }
}

/**
 * Temporary folders removed and children killed however the run ends: normally, on an error, on
 * SIGINT/SIGTERM (exit handlers; ipc.ts kills the children), or past the watchdog.
 */
class Guard {
  readonly dirs: string[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.log(`${signal}: cleaning up`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  private readonly onExit = () => {
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  constructor(private readonly log: Log) {}

  arm(): void {
    process.once("SIGINT", this.onSignal);
    process.once("SIGTERM", this.onSignal);
    process.on("exit", this.onExit);
    this.watchdog = setTimeout(() => {
      this.log(`still running after ${WATCHDOG_MS / 60_000} min: stopping`);
      process.exit(1);
    }, WATCHDOG_MS);
    this.watchdog.unref();
  }

  disarm(): void {
    this.onExit();
    process.removeListener("SIGINT", this.onSignal);
    process.removeListener("SIGTERM", this.onSignal);
    process.removeListener("exit", this.onExit);
    clearTimeout(this.watchdog);
  }
}
