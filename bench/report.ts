import { availableParallelism } from "node:os";
import type { BenchOptions } from "./args.ts";
import type { GeneratorTotals } from "./generators.ts";
import type { ProcessUsage } from "./metrics.ts";

/** One phase's figures, as printed in the table and in the BENCH_RESULT line. */
export interface PhaseResult {
  key: string;
  name: string;
  qos: 0 | 1;
  offeredRate?: number;
  generator: GeneratorTotals;
  /** Rate at which the generator issued publishes over its window. */
  sentRate: number;
  /** QoS 1: acknowledged publishes per second, until the last PUBACK. */
  ackRate: number | undefined;
  /** Messages the broker handed to its code (bare: everything it received). */
  received: number;
  /** Stored (made durable by the writer) or, for the bare broker, received. */
  stored: number;
  /** Stored readings according to the store itself (rows / fields per reading). */
  storedRows: number | undefined;
  /** Sent without error (published, or still in the client's socket buffer) minus stored. */
  loss: number;
  /** Stored per second, from the start until the last one was stored. */
  rate: number;
  elapsedMs: number;
  caughtUp: boolean;
  p50: number | undefined;
  p99: number | undefined;
  maxLatency: number | undefined;
  quarantined: number | undefined;
  writeFailures: number | undefined;
  /** Peak of the writer's backlog (observations not yet durable). */
  peakPending: number | undefined;
  /** Event-loop delay of the platform process over the phase (ms): how long it could not serve anything. */
  eventLoopP99: number | undefined;
  eventLoopMax: number | undefined;
  /** Writer flushes (store transactions) during the phase. */
  flushes: number | undefined;
  /** With InfluxDB: what the disk spool still held at the end (0 when everything reached InfluxDB). */
  spoolSegments: number | undefined;
  spoolBytes: number | undefined;
  /** Broker or platform process: cores over the phase (start to last stored), RSS. */
  target: ProcessUsage;
  /** Cores busy on the whole machine over the phase, all processes included (Linux). */
  machineCores: number | undefined;
  cpuUsPerMsg: number | undefined;
  genCpuUsPerMsg: number | undefined;
}

export interface PhaseFailure {
  key: string;
  name: string;
  error: string;
}

export const TARGETS = { qos0Rate: 20_000, qos1Rate: 10_000, overloadShare: 0.9, naiveShare: 0.9 };

interface Verdict {
  target: string;
  pass: boolean | undefined;
}

/**
 * `naive` is the rate of the naive aedes -> InfluxDB pipeline when it ran (`--store influx`): Lanterne
 * QoS 0 on InfluxDB is then held to a share of it; on DuckDB, to the absolute target.
 */
function verdict(p: PhaseResult, capacity: number, naive?: number): Verdict {
  const clean =
    p.loss === 0 &&
    p.caughtUp &&
    (p.quarantined ?? 0) === 0 &&
    // On InfluxDB, also: nothing left in the spool, and InfluxDB counts exactly what was stored.
    (p.spoolSegments === undefined || (p.spoolSegments === 0 && p.storedRows === p.stored));
  switch (p.key) {
    case "qos0":
      if (naive !== undefined) {
        return {
          target: `>= ${TARGETS.naiveShare * 100} % of naive, loss 0`,
          pass: clean && naive > 0 && p.rate >= TARGETS.naiveShare * naive,
        };
      }
      return { target: `>= ${fmt(TARGETS.qos0Rate)}/s, loss 0`, pass: clean && p.rate >= TARGETS.qos0Rate };
    case "qos1":
      return { target: `>= ${fmt(TARGETS.qos1Rate)}/s, loss 0`, pass: clean && p.rate >= TARGETS.qos1Rate };
    case "overload":
      return {
        target: `>= ${TARGETS.overloadShare * 100} % of capacity, loss 0`,
        pass: clean && capacity > 0 && p.rate >= TARGETS.overloadShare * capacity,
      };
    case "steady":
      return { target: "latency at half capacity, loss 0", pass: clean };
    case "naive":
      return { target: "(ceiling on InfluxDB)", pass: undefined };
    default:
      return { target: "(ceiling)", pass: undefined };
  }
}

const COLUMNS: Array<[string, number]> = [
  ["phase", 22],
  ["offered/s", 10],
  ["sent/s", 9],
  ["published", 10],
  ["stored", 10],
  ["loss", 6],
  ["stored/s", 9],
  ["p50 ms", 7],
  ["p99 ms", 7],
  ["srv cores", 9],
  ["srv us/msg", 10],
  ["srv RSS MB", 10],
  ["gen cores", 10],
  ["gen us/msg", 10],
  ["target", 30],
  ["", 4],
];

/** Prints the table, the ratios, the bottleneck notes and the BENCH_RESULT line; true when every target is met. */
export function printReport(
  phases: PhaseResult[],
  failures: PhaseFailure[],
  options: BenchOptions,
  otherLoad: number | undefined,
): boolean {
  const byKey = new Map(phases.map((p) => [p.key, p]));
  const capacity = byKey.get("qos0")?.rate ?? 0;
  const naive = byKey.get("naive")?.rate;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i >= 14 ? c.padEnd(COLUMNS[i]?.[1] ?? 0) : c.padStart(COLUMNS[i]?.[1] ?? 0)))
      .join(" ");
  const rows = phases.map((p) => {
    const v = verdict(p, capacity, naive);
    const gen = p.generator;
    return line([
      p.name,
      p.offeredRate === undefined ? "max" : fmt(p.offeredRate),
      fmt(p.sentRate),
      fmt(gen.published),
      fmt(p.stored),
      fmt(p.loss),
      fmt(p.rate),
      opt(p.p50),
      opt(p.p99),
      p.target.cores.toFixed(2),
      opt(p.cpuUsPerMsg, 1),
      fmt(p.target.peakRssMb),
      gen.processes > 1 ? `${gen.cores.toFixed(2)}/${gen.maxCores.toFixed(2)}` : gen.cores.toFixed(2),
      opt(p.genCpuUsPerMsg, 1),
      v.target,
      v.pass === undefined ? "" : v.pass ? "PASS" : "FAIL",
    ]);
  });
  const header = line(COLUMNS.map(([c]) => c));
  const out = [
    "",
    `Lanterne ingest benchmark — ${options.seconds} s per phase, ${options.clients} clients, ` +
      `${options.generators === 0 ? "generator in the bench process" : `${options.generators} generator processes`}, ` +
      `window ${options.window}, one reading per message, store ${options.store}`,
    header,
    "-".repeat(header.length),
    ...rows,
    ...failures.map((f) => `${f.name.padEnd(22)} FAILED: ${f.error.split("\n").slice(0, 6).join("\n    ")}`),
    "",
    ...notes(byKey, capacity),
    otherLoad === undefined
      ? ""
      : `machine before the run: ${otherLoad.toFixed(2)} cores busy with other work`,
  ];
  console.log(out.join("\n"));
  const verdicts = phases.map((p) => verdict(p, capacity, naive).pass).filter((v) => v !== undefined);
  const passed = failures.length === 0 && verdicts.length > 0 && verdicts.every(Boolean);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ ...summary(phases, options, capacity, passed, naive), failures, otherLoad: otherLoad === undefined ? null : Number(otherLoad.toFixed(3)) })}`,
  );
  return passed;
}

function notes(byKey: Map<string, PhaseResult>, capacity: number): string[] {
  const bare = byKey.get("bare");
  const qos0 = byKey.get("qos0");
  const qos1 = byKey.get("qos1");
  const over = byKey.get("overload");
  const naive = byKey.get("naive");
  const out: string[] = [];
  if (bare && qos0 && bare.rate > 0) {
    out.push(`ratio Lanterne QoS 0 / bare aedes: ${(qos0.rate / bare.rate).toFixed(2)}`);
  }
  if (naive && qos0) {
    const ratio = naive.rate > 0 ? qos0.rate / naive.rate : 0;
    const v = verdict(qos0, capacity, naive.rate);
    out.push(
      `ratio Lanterne QoS 0 / naive: ${ratio.toFixed(2)} (${fmt(qos0.rate)}/s vs ${fmt(naive.rate)}/s; ` +
        `target >= ${TARGETS.naiveShare.toFixed(2)}: ${v.pass ? "PASS" : "FAIL"})`,
    );
  }
  if (qos1 && qos0 && qos0.rate > 0) {
    const ack = qos1.ackRate === undefined ? "" : `, acknowledged ${fmt(qos1.ackRate)}/s`;
    out.push(`ratio Lanterne QoS 1 / QoS 0: ${(qos1.rate / qos0.rate).toFixed(2)}${ack}`);
  }
  if (over && capacity > 0) {
    const held = over.generator.offered - over.generator.sent;
    out.push(
      `overload: offered ${fmt(over.offeredRate ?? 0)}/s, generator sent ${fmt(over.sentRate)}/s ` +
        `(${fmt(held)} held back by backpressure), stored ${fmt(over.rate)}/s = ` +
        `${((100 * over.rate) / capacity).toFixed(0)} % of QoS 0 capacity, loss ${fmt(over.loss)}`,
    );
  }
  for (const p of byKey.values()) {
    const checks = [
      p.caughtUp ? "" : "did not catch up in time",
      p.generator.errors > 0 ? `${p.generator.errors} publish errors` : "",
      p.generator.unfinished > 0 ? `${p.generator.unfinished} publishes without callback` : "",
      p.generator.disconnects > 0 ? `${p.generator.disconnects} client disconnects` : "",
      p.quarantined ? `${p.quarantined} quarantined` : "",
      p.writeFailures ? `${p.writeFailures} write failures` : "",
      p.storedRows !== undefined && p.storedRows !== p.stored ? `store holds ${p.storedRows} readings` : "",
      p.spoolSegments
        ? `spool still holds ${p.spoolSegments} segments (${fmt(p.spoolBytes ?? 0)} bytes)`
        : "",
    ].filter(Boolean);
    if (checks.length > 0) out.push(`${p.name}: ${checks.join(", ")}`);
  }
  const lanterne = [...byKey.values()].filter((p) => p.storedRows !== undefined);
  if (lanterne.length > 0) {
    const same = lanterne.every((p) => p.storedRows === p.stored);
    out.push(
      `store check: ${same ? "the store holds exactly the stored count in every phase" : "MISMATCH (see above)"}` +
        (lanterne.some((p) => p.spoolSegments !== undefined)
          ? " (InfluxDB: SELECT COUNT(active_power_w) FROM streetlight, per phase database)"
          : ""),
    );
    for (const p of lanterne) {
      const spool =
        p.spoolSegments === undefined
          ? ""
          : `spool at end ${p.spoolSegments} segments/${fmt(p.spoolBytes ?? 0)} bytes, `;
      out.push(
        `  ${p.name.padEnd(22)} in store ${fmt(p.storedRows ?? 0)} (published ${fmt(p.generator.published)}), ${spool}` +
          `peak write backlog ${fmt(p.peakPending ?? 0)}, ` +
          `${fmt(p.flushes ?? 0)} store transactions of ${fmt(p.flushes ? p.stored / p.flushes : 0)} readings, ` +
          `event loop held up to ${fmt(p.eventLoopMax ?? 0)} ms (p99 ${fmt(p.eventLoopP99 ?? 0)} ms)`,
      );
    }
  }
  const cores = availableParallelism();
  out.push(`bottleneck (cores over each phase; 1.0 = one core; the machine has ${cores}):`);
  for (const p of byKey.values()) {
    out.push(
      `  ${p.name.padEnd(22)} server ${p.target.cores.toFixed(2)}, generator ${p.generator.cores.toFixed(2)} ` +
        `(busiest process ${p.generator.maxCores.toFixed(2)}, ${p.generator.processes} process` +
        `${p.generator.processes > 1 ? "es" : ""}), machine ${p.machineCores === undefined ? "?" : p.machineCores.toFixed(2)}` +
        ` -> ${bottleneck(p, cores)}`,
    );
  }
  out.push(
    "srv = the broker or platform child process; us/msg = CPU microseconds per message stored (srv) or sent (gen);",
    "generator cores are over its publishing window, server and machine cores from the start to the last message stored;",
    "machine = every process on the box (a figure well above server + generator means something else was running).",
  );
  return out;
}

/** Who ran out of CPU: a process near a full core (Node runs JavaScript on one), or the whole machine. */
function bottleneck(p: PhaseResult, cores: number): string {
  const srv = p.target.cores >= 0.9;
  const gen = p.generator.maxCores >= 0.9;
  const machine = p.machineCores !== undefined && p.machineCores >= 0.9 * cores;
  const who = srv && gen ? "server and generator" : srv ? "server" : gen ? "generator" : "";
  if (machine) return `machine saturated (all ${cores} cores busy)${who ? `; ${who} near a full core` : ""}`;
  return who ? `${who} near a full core` : "no process near a full core (latency-bound or waiting)";
}

function summary(
  phases: PhaseResult[],
  options: BenchOptions,
  capacity: number,
  passed: boolean,
  naive: number | undefined,
) {
  const bare = phases.find((p) => p.key === "bare");
  const qos0 = phases.find((p) => p.key === "qos0");
  const round = (n: number | undefined, d = 0) => (n === undefined ? null : Number(n.toFixed(d)));
  return {
    bench: "ingest",
    options,
    targets: TARGETS,
    passed,
    ratioLanterneToBare: bare && qos0 && bare.rate > 0 ? round(qos0.rate / bare.rate, 3) : null,
    ratioLanterneToNaive: naive && qos0 ? round(qos0.rate / naive, 3) : null,
    phases: Object.fromEntries(
      phases.map((p) => [
        p.key,
        {
          qos: p.qos,
          offeredRate: round(p.offeredRate),
          sentRate: round(p.sentRate),
          ackRate: round(p.ackRate),
          published: p.generator.published,
          stored: p.stored,
          loss: p.loss,
          rate: round(p.rate),
          shareOfCapacity: p.key === "overload" && capacity > 0 ? round(p.rate / capacity, 3) : undefined,
          caughtUp: p.caughtUp,
          p50Ms: p.p50 ?? null,
          p99Ms: p.p99 ?? null,
          maxLatencyMs: p.maxLatency ?? null,
          quarantined: p.quarantined ?? null,
          peakWriteBacklog: p.peakPending ?? null,
          flushes: p.flushes ?? null,
          eventLoopDelayP99Ms: p.eventLoopP99 ?? null,
          eventLoopDelayMaxMs: p.eventLoopMax ?? null,
          storedInStore: p.storedRows ?? null,
          spoolSegmentsAtEnd: p.spoolSegments ?? null,
          spoolBytesAtEnd: p.spoolBytes ?? null,
          serverCores: round(p.target.cores, 3),
          serverCpuUsPerMsg: round(p.cpuUsPerMsg, 2),
          serverPeakRssMb: p.target.peakRssMb,
          generatorCores: round(p.generator.cores, 3),
          generatorMaxCores: round(p.generator.maxCores, 3),
          generatorCpuUsPerMsg: round(p.genCpuUsPerMsg, 2),
          generatorProcesses: p.generator.processes,
          machineCores: round(p.machineCores, 3),
          pass: verdict(p, capacity, naive).pass ?? null,
        },
      ]),
    ),
  };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function opt(n: number | undefined, digits = 0): string {
  return n === undefined ? "-" : digits === 0 ? fmt(n) : n.toFixed(digits);
}
