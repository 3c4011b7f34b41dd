import type { FilledDataset, ProbeResult, PublisherDay } from "./children/opendata-platform.ts";
import type { OpenDataOptions } from "./opendata-args.ts";
import type { PhaseResult } from "./opendata-load.ts";

/** Figures of the open-data benchmark: targets, verdicts and the printed report. */

export const TARGETS = {
  /** p99 of a revalidated answer (304), records page and CSV alike. */
  cachedP99Ms: 20,
  /** p99 of an answer to a query never asked before, records page and CSV alike. */
  coldP99Ms: 100,
  /** Full answers per second on one popular records URL, keep-alive connections. */
  requestsPerSecond: 2_000,
  /** Errors, timeouts and unexpected statuses under the burst. */
  burstErrors: 0,
};

export interface OpenDataResult {
  options: OpenDataOptions;
  /** The open channel's rate limit during the run (per address, per minute). */
  rateLimitPerMinute: number;
  devices: number;
  startMs: number;
  fillMs: number;
  year: { from: number; to: number };
  datasets: FilledDataset[];
  rollups: { rows: number; devices: number; writeMs: number };
  publisher: PublisherDay[];
  /** What one year's CSV of the popular dataset is: rows and bytes. */
  csv: { dataset: string; rows: number; bytes: number };
  /** Each step of a request timed alone in the platform process. */
  probe: ProbeResult;
  phases: PhaseResult[];
  /** After the burst: the time the popular page took to answer again (its status; none past the bound). */
  recovery?: { ms: number; status: number | undefined };
  /** Load average (1 min) before the measures: another job on the machine shows here. */
  loadBefore: number;
  /** Cores busy on the machine over 2 s before the start (every process). */
  busyBefore?: number;
  cores: number;
}

export interface Verdict {
  name: string;
  target: string;
  value: string;
  pass: boolean;
}

export function verdicts(result: OpenDataResult): Verdict[] {
  const of = (key: string) => result.phases.find((p) => p.key === key);
  const out: Verdict[] = [];
  const p99 = (key: string, label: string, target: number) => {
    const p = of(key);
    out.push({
      name: `${label} p99`,
      target: `< ${target} ms`,
      value: p ? `${p.p99} ms` : "-",
      pass: p !== undefined && p.completed > 0 && p.p99 < target && p.errors === 0 && p.unexpected === 0,
    });
  };
  p99("records-cached", "records page cached (304)", TARGETS.cachedP99Ms);
  p99("csv-cached", "CSV of a year cached (304)", TARGETS.cachedP99Ms);
  p99("records-cold", "records page cold", TARGETS.coldP99Ms);
  p99("csv-cold", "CSV of a year cold", TARGETS.coldP99Ms);
  const popular = of("records-popular");
  out.push({
    name: `records page, one popular URL, ${result.options.connections} keep-alive connections`,
    target: `>= ${fmt(TARGETS.requestsPerSecond)} req/s`,
    value: popular ? `${fmt(popular.rps)} req/s` : "-",
    pass:
      popular !== undefined &&
      popular.rps >= TARGETS.requestsPerSecond &&
      popular.errors === 0 &&
      popular.unexpected === 0,
  });
  const burst = of("burst");
  const failed = burst ? burst.errors + burst.unexpected : undefined;
  out.push({
    name: "errors under the burst (connection errors, timeouts, statuses other than 200)",
    target: `${TARGETS.burstErrors}`,
    value: failed === undefined ? "-" : `${failed} of ${fmt((burst?.completed ?? 0) + (burst?.errors ?? 0))}`,
    pass: burst !== undefined && burst.completed > 0 && failed === TARGETS.burstErrors,
  });
  return out;
}

export function summaryLine(result: OpenDataResult, vs: readonly Verdict[]): string {
  const of = (key: string) => result.phases.find((p) => p.key === key);
  const failed = vs.filter((v) => !v.pass).length;
  return (
    `opendata ${fmt(result.devices)} devices: records p99 cold ${of("records-cold")?.p99 ?? "-"} ms / cached ` +
    `${of("records-cached")?.p99 ?? "-"} ms, CSV p99 cold ${of("csv-cold")?.p99 ?? "-"} ms / cached ` +
    `${of("csv-cached")?.p99 ?? "-"} ms, popular ${fmt(of("records-popular")?.rps ?? 0)} req/s, burst ` +
    `${vs.at(-1)?.value ?? "-"} errors: ${failed === 0 ? "all PASS" : `${failed} FAIL`}`
  );
}

export function reportLines(result: OpenDataResult): string[] {
  const figures = result.datasets.reduce((a, d) => a + d.figures, 0);
  const ordinary = result.phases.find((p) => p.key === "ordinary");
  const burst = result.phases.find((p) => p.key === "burst");
  return [
    `opendata: ${fmt(result.devices)} devices (the demo inventory scaled, demo contracts), ${result.datasets.length} ` +
      `datasets, ${fmt(figures)} figures recorded for the year ${day(result.year.from)} to ${day(result.year.to)} ` +
      `(excluded) in ${(result.fillMs / 1000).toFixed(1)} s; platform started in ${(result.startMs / 1000).toFixed(1)} s`,
    `the open channel's rate limit raised to ${fmt(result.rateLimitPerMinute)}/min for the run: the limit is per ` +
      "address and every request here comes from 127.0.0.1 (the default, 600/min, would answer 429 after 10 s)",
    `machine: ${result.cores} cores, load average ${result.loadBefore.toFixed(2)} and ` +
      `${result.busyBefore?.toFixed(2) ?? "-"} cores busy before the start; autocannon ` +
      "runs in the benchmark's process, the platform in its child: both share the cores",
    "",
    ...datasetLines(result.datasets),
    "",
    ...publisherLines(result),
    "",
    `the CSV of a year: ${result.csv.dataset}, ${fmt(result.csv.rows)} rows, ${kb(result.csv.bytes)}`,
    "",
    ...phaseTable(result.phases),
    "  (latency: sent to answered, whole ms, autocannon's HDR histogram; unexpected: answers with another",
    "   status than the phase's own, 200 or 304; server: the platform process's CPU in cores (DuckDB's",
    "   threads included) and its event loop delay p99 (ms); bench: autocannon's process; other: busy",
    "   cores of every other process on the machine, another job shows here)",
    "",
    ...(ordinary && burst ? burstLines(ordinary, burst) : []),
    ...(result.recovery
      ? [
          `after the burst: the popular records page answered ${result.recovery.status ?? "nothing"} in ` +
            `${fmt(result.recovery.ms)} ms (the burst's queued requests served before it)`,
        ]
      : []),
    "",
    ...probeLines(result),
    "",
    ...verdicts(result).map((v) => `${v.pass ? "PASS" : "FAIL"}  ${v.name}: ${v.value} (target ${v.target})`),
  ];
}

function datasetLines(datasets: readonly FilledDataset[]): string[] {
  return [
    `${"dataset".padEnd(36)} ${"indicator".padEnd(16)} ${"grain".padEnd(6)} ${"level".padEnd(9)} ` +
      `${"places".padStart(6)} ${"periods".padStart(7)} ${"figures".padStart(8)} ${"hidden".padStart(6)} ${"record".padStart(8)}`,
    ...datasets.map(
      (d) =>
        `${d.id.padEnd(36)} ${d.indicator.padEnd(16)} ${d.granularity.padEnd(6)} ${d.level.padEnd(9)} ` +
        `${String(d.places).padStart(6)} ${String(d.periods).padStart(7)} ${fmt(d.figures).padStart(8)} ` +
        `${String(d.suppressed).padStart(6)} ${`${Math.round(d.recordMs)} ms`.padStart(8)}`,
    ),
    "  (hidden: figures under statistical secrecy; record: the year's release through the publication store)",
  ];
}

function publisherLines(result: OpenDataResult): string[] {
  const r = result.rollups;
  return [
    `the publisher's work for one day (yesterday): ${fmt(r.rows)} device rollups of ${fmt(r.devices)} devices ` +
      `written in ${Math.round(r.writeMs)} ms, then per daily dataset read from rollups (no target):`,
    `  ${"dataset".padEnd(36)} ${"devices".padStart(8)} ${"figures".padStart(8)} ${"compute".padStart(9)} ` +
      `${"suppress".padStart(9)} ${"record".padStart(9)} ${"total".padStart(9)}`,
    ...result.publisher.map(
      (p) =>
        `  ${p.dataset.padEnd(36)} ${fmt(p.devices).padStart(8)} ${String(p.figures).padStart(8)} ` +
        `${msf(p.computeMs).padStart(9)} ${msf(p.suppressMs).padStart(9)} ${msf(p.recordMs).padStart(9)} ` +
        `${msf(p.computeMs + p.suppressMs + p.recordMs).padStart(9)}`,
    ),
  ];
}

function phaseTable(phases: readonly PhaseResult[]): string[] {
  const head =
    `${"phase".padEnd(46)} ${"conns".padStart(5)} ${"secs".padStart(5)} ${"answers".padStart(8)} ` +
    `${"req/s".padStart(7)} ${"p50".padStart(5)} ${"p90".padStart(5)} ${"p99".padStart(5)} ${"max".padStart(6)} ` +
    `${"errors".padStart(6)} ${"t/o".padStart(4)} ${"unexp".padStart(5)} ${"MB/s".padStart(6)} ` +
    `${"server".padStart(6)} ${"loop".padStart(5)} ${"bench".padStart(5)} ${"other".padStart(5)}`;
  return [
    head,
    ...phases.map(
      (p) =>
        `${p.name.slice(0, 46).padEnd(46)} ${String(p.connections).padStart(5)} ${p.seconds.toFixed(1).padStart(5)} ` +
        `${fmt(p.completed).padStart(8)} ${fmt(p.rps).padStart(7)} ${String(p.p50).padStart(5)} ` +
        `${String(p.p90).padStart(5)} ${String(p.p99).padStart(5)} ${String(p.max).padStart(6)} ` +
        `${String(p.errors).padStart(6)} ${String(p.timeouts).padStart(4)} ${String(p.unexpected).padStart(5)} ` +
        `${(p.bytesPerSecond / 1e6).toFixed(1).padStart(6)} ${p.server.usage.cores.toFixed(2).padStart(6)} ` +
        `${String(p.server.eventLoopP99Ms).padStart(5)} ${p.benchCores.toFixed(2).padStart(5)} ` +
        `${(p.otherCores?.toFixed(2) ?? "-").padStart(5)}`,
    ),
  ];
}

function probeLines(result: OpenDataResult): string[] {
  return [
    `where one request's time goes: each step alone in the platform process, ${result.csv.dataset} ` +
      "(no HTTP, nothing else queued; the store's reads run one at a time on its read connection)",
    `  ${"step".padEnd(52)} ${"n".padStart(3)} ${"p50".padStart(9)} ${"p95".padStart(9)} ${"max".padStart(9)}`,
    ...result.probe.map(
      (s) =>
        `  ${s.step.padEnd(52)} ${String(s.n).padStart(3)} ${msf(s.p50).padStart(9)} ${msf(s.p95).padStart(9)} ` +
        `${msf(s.max).padStart(9)}`,
    ),
  ];
}

function burstLines(ordinary: PhaseResult, burst: PhaseResult): string[] {
  const offered = burst.offeredRate ?? 0;
  const kept = offered > 0 ? burst.rps / offered : 0;
  const statuses = Object.entries(burst.statuses)
    .map(([s, n]) => `${s}: ${fmt(n)}`)
    .join(", ");
  return [
    `ordinary load: ${fmt(ordinary.rps)} req/s measured (${ordinary.connections} visitors, each paced; metadata, ` +
      "records page, CSV of a year in turn)",
    `burst: ${fmt(offered)} req/s offered from ${burst.connections} visitors for ${burst.seconds.toFixed(1)} s, ` +
      `${fmt(burst.rps)} req/s answered (${(kept * 100).toFixed(0)} % of the offered rate), p99 ${burst.p99} ms, ` +
      `max ${burst.max} ms; statuses ${statuses || "none"}; ${burst.errors} errors (${burst.timeouts} timeouts), ` +
      `${burst.resets} resets`,
    "  (each visitor's connection waits for its answer before its next request: a server that falls behind",
    "   answers late and lowers the answered rate rather than failing; see the answered share and the p99)",
  ];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function msf(n: number): string {
  return `${n.toFixed(1)} ms`;
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function day(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}
