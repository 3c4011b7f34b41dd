import { availableParallelism } from "node:os";
import type { LorawanOptions } from "./lorawan-args.ts";
import type { CodecOverhead } from "./lorawan-codec.ts";

/** The LoRaWAN benchmark's table, verdicts and BENCH_RESULT line. */
export const LORAWAN_TARGETS = { ratePerPath: 5_000, p99Ms: 100 };

export type LorawanPath = "semtech" | "chirpstack";

export interface LorawanPhase {
  path: LorawanPath;
  key: string;
  name: string;
  /** Paced phases: offered uplinks/s; undefined: as fast as the window allows. */
  offeredRate: number | undefined;
  offered: number;
  /** Uplinks sent (UDP: frames, each as 1 to 3 datagrams; MQTT: publishes). */
  sent: number;
  sentRate: number;
  /** Readings made durable by the writer, and what the store holds (values / quarantine rows). */
  stored: number;
  storedValues: number;
  expectedValues: number;
  storeQuarantine: number;
  loss: number;
  quarantined: number;
  /** Stored per second, from the start of sending until the last reading was durable. */
  rate: number;
  caughtUp: boolean;
  /** Send to durable, ms. */
  p50: number | undefined;
  p99: number | undefined;
  maxLatency: number | undefined;
  /** A reading's time (UDP: first copy read by the listener) to durable, ms. */
  serverP50: number | undefined;
  serverP99: number | undefined;
  /** UDP: send to PUSH_ACK. */
  ackP99: number | undefined;
  udp?: {
    datagrams: number;
    acked: number;
    unacked: number;
    sendErrors: number;
    exhausted: boolean;
    copies: number[];
    listenerFrames: number;
    listenerDuplicates: number;
    listenerUplinks: number;
    problems: Record<string, number>;
    /** Machine-wide Udp RcvbufErrors over the phase (Linux). */
    kernelDrops: number | undefined;
  };
  mqtt?: { acked: number; errors: number; unfinished: number; brokerReceived: number };
  srvCores: number;
  srvUsPerUplink: number | undefined;
  srvRssMb: number;
  genCores: number;
  /** Codec calls in the platform during the phase, mean µs (the sandbox's own counters). */
  sandboxUsPerCall: number | undefined;
  sandboxShareOfCpu: number | undefined;
  eventLoopMax: number;
  peakPending: number;
  machineCores: number | undefined;
}

export interface PhaseFailure {
  key: string;
  name: string;
  error: string;
}

interface Verdict {
  target: string;
  pass: boolean | undefined;
}

function clean(p: LorawanPhase): boolean {
  return (
    p.loss === 0 &&
    p.caughtUp &&
    p.quarantined === 0 &&
    p.storeQuarantine === 0 &&
    p.storedValues === p.expectedValues &&
    p.sent > 0
  );
}

/** The paced phase that carries the latency target: offered at the target rate, else the next one above. */
function latencyPhase(phases: LorawanPhase[], path: LorawanPath): LorawanPhase | undefined {
  return phases
    .filter(
      (p) => p.path === path && p.offeredRate !== undefined && p.offeredRate >= LORAWAN_TARGETS.ratePerPath,
    )
    .sort((a, b) => (a.offeredRate ?? 0) - (b.offeredRate ?? 0))[0];
}

function verdict(p: LorawanPhase, phases: LorawanPhase[]): Verdict {
  const rate = LORAWAN_TARGETS.ratePerPath;
  if (p.offeredRate === undefined)
    return { target: `>= ${fmt(rate)}/s, loss 0`, pass: clean(p) && p.rate >= 0.98 * rate };
  if (latencyPhase(phases, p.path) === p)
    return {
      target: `${fmt(p.offeredRate)}/s kept, p99 < ${LORAWAN_TARGETS.p99Ms} ms, loss 0`,
      pass:
        clean(p) &&
        p.rate >= 0.98 * p.offeredRate &&
        (p.p99 ?? Number.POSITIVE_INFINITY) < LORAWAN_TARGETS.p99Ms,
    };
  return { target: "loss 0 (step)", pass: undefined };
}

/** The highest stored rate of a phase with nothing lost, nothing quarantined, everything counted. */
function bestClean(phases: LorawanPhase[], path: LorawanPath): number {
  return Math.max(0, ...phases.filter((p) => p.path === path && clean(p)).map((p) => p.rate));
}

const COLUMNS: Array<[string, number]> = [
  ["phase", 24],
  ["offered/s", 9],
  ["sent/s", 8],
  ["sent", 8],
  ["stored", 8],
  ["loss", 6],
  ["quar.", 6],
  ["stored/s", 9],
  ["p50 ms", 7],
  ["p99 ms", 7],
  ["srv p99", 7],
  ["srv cores", 9],
  ["us/uplink", 9],
  ["RSS MB", 7],
  ["gen cores", 9],
  ["target", 36],
  ["", 4],
];

export function printLorawanReport(
  phases: LorawanPhase[],
  failures: PhaseFailure[],
  codec: CodecOverhead | undefined,
  options: LorawanOptions,
): boolean {
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i >= 15 ? c.padEnd(COLUMNS[i]?.[1] ?? 0) : c.padStart(COLUMNS[i]?.[1] ?? 0)))
      .join(" ");
  const header = line(COLUMNS.map(([c]) => c));
  const rows = phases.map((p) => {
    const v = verdict(p, phases);
    return line([
      p.name,
      p.offeredRate === undefined ? "max" : fmt(p.offeredRate),
      fmt(p.sentRate),
      fmt(p.sent),
      fmt(p.stored),
      fmt(p.loss),
      fmt(p.quarantined),
      fmt(p.rate),
      opt(p.p50),
      opt(p.p99),
      opt(p.serverP99),
      p.srvCores.toFixed(2),
      opt(p.srvUsPerUplink),
      fmt(p.srvRssMb),
      p.genCores.toFixed(2),
      v.target,
      v.pass === undefined ? "" : v.pass ? "PASS" : "FAIL",
    ]);
  });
  const summary = paths(options).map((path) => {
    const capacity = bestClean(phases, path);
    const lat = latencyPhase(phases, path);
    const rateOk = capacity >= 0.98 * LORAWAN_TARGETS.ratePerPath;
    const latOk = lat !== undefined && verdict(lat, phases).pass === true;
    return { path, capacity, rateOk, latency: lat, latOk };
  });
  const out = [
    "",
    `Lanterne LoRaWAN benchmark — ${options.seconds} s per phase, window ${options.window}, ChirpStack's broker ${options.broker}, ` +
      `EM310-UDL uplinks of the demo's waste containers, store duckdb, ${availableParallelism()} cores`,
    header,
    "-".repeat(header.length),
    ...rows,
    ...failures.map((f) => `${f.name.padEnd(24)} FAILED: ${f.error.split("\n").slice(0, 6).join("\n    ")}`),
    "",
    ...summary.map(
      (s) =>
        `${s.path.padEnd(10)} highest rate with zero loss ${fmt(s.capacity)}/s (target ${fmt(LORAWAN_TARGETS.ratePerPath)}/s): ` +
        `${s.rateOk ? "PASS" : "FAIL"}; p99 send->durable at ${s.latency ? `${fmt(s.latency.offeredRate ?? 0)}/s: ${opt(s.latency.p99)} ms` : "(no paced phase >= target)"} ` +
        `(target < ${LORAWAN_TARGETS.p99Ms} ms): ${s.latOk ? "PASS" : "FAIL"}`,
    ),
    ...codecLines(codec),
    ...notes(phases),
  ];
  console.log(out.join("\n"));
  const passed =
    failures.length === 0 &&
    summary.length > 0 &&
    summary.every((s) => s.rateOk && s.latOk) &&
    codec !== undefined;
  console.log(
    `BENCH_RESULT ${JSON.stringify({
      bench: "lorawan",
      options,
      targets: LORAWAN_TARGETS,
      passed,
      paths: Object.fromEntries(
        summary.map((s) => [
          s.path,
          {
            zeroLossRate: round(s.capacity),
            ratePass: s.rateOk,
            p99AtTargetMs: s.latency?.p99 ?? null,
            latencyPass: s.latOk,
          },
        ]),
      ),
      codec: codec
        ? {
            calls: codec.calls,
            sandboxUsPerCall: round(codec.sandboxUsPerCall, 2),
            plainUsPerCall: round(codec.plainUsPerCall, 3),
            overheadUsPerCall: round(codec.overheadUsPerCall, 2),
            workerUsPerCall: round(codec.workerUsPerCall, 2),
            workerMainUsPerCall: round(codec.workerMainUsPerCall, 2),
            sameOutput: codec.sameOutput,
          }
        : null,
      phases: Object.fromEntries(phases.map((p) => [p.key, phaseJson(p, phases)])),
      failures,
    })}`,
  );
  return passed;
}

function paths(options: LorawanOptions): LorawanPath[] {
  return options.paths;
}

function codecLines(codec: CodecOverhead | undefined): string[] {
  if (!codec) return ["codec sandbox overhead: not measured"];
  return [
    `codec sandbox overhead (EM310-UDL, ${fmt(codec.calls)} calls each): QuickJS sandbox ` +
      `${codec.sandboxUsPerCall.toFixed(1)} us/call, plain JS ${codec.plainUsPerCall.toFixed(2)} us/call, ` +
      `overhead ${codec.overheadUsPerCall.toFixed(1)} us/call (x${(codec.sandboxUsPerCall / Math.max(codec.plainUsPerCall, 1e-3)).toFixed(0)})` +
      (codec.sameOutput ? "" : " — OUTPUTS DIFFER"),
    `codec worker sandbox (${fmt(codec.workerWave)} concurrent calls at a time): ` +
      `${codec.workerUsPerCall.toFixed(1)} us/call, of which the main thread ${codec.workerMainUsPerCall.toFixed(1)} us/call`,
  ];
}

function notes(phases: LorawanPhase[]): string[] {
  const out: string[] = [];
  for (const p of phases) {
    const parts: string[] = [];
    if (p.udp) {
      const u = p.udp;
      parts.push(
        `${fmt(u.datagrams)} datagrams (frames heard by 1/2/3 gateways: ${u.copies.slice(1).map(fmt).join("/")}), ` +
          `listener: ${fmt(u.listenerFrames)} frames, ${fmt(u.listenerDuplicates)} duplicates merged, ` +
          `${fmt(u.listenerUplinks)} uplinks; PUSH_ACK p99 ${opt(p.ackP99)} ms, ${fmt(u.unacked)} unacknowledged` +
          (u.kernelDrops === undefined ? "" : `, kernel receive-buffer drops ${fmt(u.kernelDrops)}`),
      );
      if (u.exhausted) parts.push("the pre-encoded frames ran out (raise the pool)");
      const problems = Object.entries(u.problems);
      if (problems.length > 0) parts.push(`refused: ${problems.map(([c, n]) => `${c} ${n}`).join(", ")}`);
    }
    if (p.mqtt) {
      parts.push(
        `broker acknowledged ${fmt(p.mqtt.acked)} publishes (${p.mqtt.errors} errors, ${p.mqtt.unfinished} unfinished), ` +
          `received ${fmt(p.mqtt.brokerReceived)}`,
      );
    }
    parts.push(
      `store holds ${fmt(p.storedValues)} values (expected ${fmt(p.expectedValues)}), ${fmt(p.storeQuarantine)} quarantined`,
      `codec ${p.sandboxUsPerCall === undefined ? "-" : `${p.sandboxUsPerCall.toFixed(1)} us/call`}` +
        (p.sandboxShareOfCpu === undefined
          ? ""
          : ` = ${(100 * p.sandboxShareOfCpu).toFixed(0)} % of the platform's CPU`),
      `peak write backlog ${fmt(p.peakPending)}, event loop held up to ${fmt(p.eventLoopMax)} ms, ` +
        `machine ${p.machineCores === undefined ? "?" : p.machineCores.toFixed(2)} cores`,
    );
    if (!p.caughtUp) parts.push("DID NOT CATCH UP in time");
    out.push(`${p.name}: ${parts.join("; ")}`);
  }
  out.push(
    "p50/p99 = send to durable (UDP: from rxpk.time stamped at send; ChirpStack: from the event's time);",
    "srv p99 = a reading's time to durable (UDP: from the first copy read by the listener);",
    "srv cores / RSS / us per uplink: the platform child, from the start of sending to the last reading stored.",
  );
  return out;
}

function phaseJson(p: LorawanPhase, phases: LorawanPhase[]) {
  return {
    path: p.path,
    offeredRate: p.offeredRate ?? null,
    offered: p.offered,
    sent: p.sent,
    sentRate: round(p.sentRate),
    stored: p.stored,
    storedValues: p.storedValues,
    expectedValues: p.expectedValues,
    storeQuarantine: p.storeQuarantine,
    loss: p.loss,
    quarantined: p.quarantined,
    rate: round(p.rate),
    caughtUp: p.caughtUp,
    p50Ms: p.p50 ?? null,
    p99Ms: p.p99 ?? null,
    maxLatencyMs: p.maxLatency ?? null,
    serverP50Ms: p.serverP50 ?? null,
    serverP99Ms: p.serverP99 ?? null,
    ackP99Ms: p.ackP99 ?? null,
    udp: p.udp ?? null,
    mqtt: p.mqtt ?? null,
    serverCores: round(p.srvCores, 3),
    serverCpuUsPerUplink: p.srvUsPerUplink === undefined ? null : round(p.srvUsPerUplink, 1),
    serverPeakRssMb: p.srvRssMb,
    generatorCores: round(p.genCores, 3),
    sandboxUsPerCall: p.sandboxUsPerCall === undefined ? null : round(p.sandboxUsPerCall, 2),
    sandboxShareOfCpu: p.sandboxShareOfCpu === undefined ? null : round(p.sandboxShareOfCpu, 3),
    peakWriteBacklog: p.peakPending,
    eventLoopMaxMs: p.eventLoopMax,
    machineCores: p.machineCores === undefined ? null : round(p.machineCores, 3),
    pass: verdict(p, phases).pass ?? null,
  };
}

function round(n: number, d = 0): number {
  return Number(n.toFixed(d));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function opt(n: number | undefined): string {
  return n === undefined ? "-" : fmt(n);
}
