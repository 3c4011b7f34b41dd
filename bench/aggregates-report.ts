import type { AggregatesOptions } from "./aggregates-args.ts";
import { DOMAINS, type Fleet } from "./aggregates-fleet.ts";
import type { LatencySummary } from "./samples.ts";

/** The aggregates benchmark's table, its verdict, and the BENCH_RESULT line. */
export const AGGREGATES_TARGET = { p50Ms: 50 };

export interface WriteResult {
  deviceRows: number;
  groupRows: number;
  /** Time spent in writeDeviceRollups / writeGroupRollups (generation excluded). */
  deviceMs: number;
  groupMs: number;
  /** The whole write phase, generation, store start and close included. */
  wallMs: number;
}

export interface RouteResult {
  name: string;
  path: string;
  rows: number;
  bytes: number;
  answer: LatencySummary;
  problems: string[];
}

export interface AggregatesReport {
  options: AggregatesOptions;
  from: number;
  to: number;
  fleet: Fleet;
  write: WriteResult;
  routes: RouteResult[];
  probe: { groupRows: number; answerRows: number; read: LatencySummary; merge: LatencySummary };
  platformStartMs: number;
}

const COLUMNS: [string, number][] = [
  ["route", 8],
  ["rows", 7],
  ["KB", 7],
  ["p50 ms", 8],
  ["p95 ms", 8],
  ["max ms", 8],
  ["mean ms", 8],
  ["target", 13],
  ["", 4],
];

export function printAggregatesReport(r: AggregatesReport): boolean {
  const { options, write, routes, probe } = r;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i >= 7 ? c.padEnd(COLUMNS[i]?.[1] ?? 0) : c.padStart(COLUMNS[i]?.[1] ?? 0)))
      .join(" ");
  const header = line(COLUMNS.map(([c]) => c));
  const rows = routes.map((route) =>
    line([
      route.name,
      fmt(route.rows),
      fmt(route.bytes / 1024),
      ms(route.answer.p50),
      ms(route.answer.p95),
      ms(route.answer.max),
      ms(route.answer.mean),
      `p50 < ${AGGREGATES_TARGET.p50Ms} ms`,
      pass(route) ? "PASS" : "FAIL",
    ]),
  );
  const problems = routes.flatMap((route) => route.problems);
  const perDomain = DOMAINS.map(
    (p) => `${fmt(r.fleet.devices.filter((d) => d.plan === p).length)} ${p.domain}.${p.field}`,
  );
  const out = [
    "",
    `Lanterne aggregates benchmark — ${fmt(options.devices)} devices (${perDomain.join(", ")}) over ` +
      `${r.fleet.communes.length} communes, ${options.days} days of daily rollups ` +
      `(${day(r.from)} to ${day(r.to)}, exclusive), store ${options.store}`,
    `write: ${fmt(write.deviceRows)} device rows in ${sec(write.deviceMs)} = ${fmt(perSecond(write.deviceRows, write.deviceMs))} rows/s; ` +
      `${fmt(write.groupRows)} group rows in ${sec(write.groupMs)} = ${fmt(perSecond(write.groupRows, write.groupMs))} rows/s ` +
      `(a day per call; whole phase ${sec(write.wallMs)})`,
    `platform started in ${fmt(r.platformStartMs)} ms; ${options.requests} timed requests per route after a warm-up, ` +
      "one at a time, request to last byte",
    header,
    "-".repeat(header.length),
    ...rows,
    "",
    `inside the platform, no HTTP (p50 / max over ${probe.read.n}): store read of ${fmt(probe.groupRows)} group rows ` +
      `${ms(probe.read.p50)} / ${ms(probe.read.max)} ms, merge into ${fmt(probe.answerRows)} answer rows ` +
      `${ms(probe.merge.p50)} / ${ms(probe.merge.max)} ms; the rest of a request is validation, JSON and HTTP`,
    ...routes.map((route) => `  ${route.name.padEnd(7)} GET ${route.path}`),
    problems.length === 0
      ? "answers: every row equals the written group rollup; devices equal those generated per commune and domain; " +
        "staff counts add up to the device rollups' per domain; repeated answers identical"
      : `answers: ${problems.length} PROBLEMS\n  ${problems.join("\n  ")}`,
  ];
  console.log(out.join("\n"));
  const passed = problems.length === 0 && routes.length > 0 && routes.every(pass);
  console.log(`BENCH_RESULT ${JSON.stringify(summary(r, passed))}`);
  return passed;
}

function pass(route: RouteResult): boolean {
  return route.problems.length === 0 && route.rows > 0 && route.answer.p50 < AGGREGATES_TARGET.p50Ms;
}

function summary(r: AggregatesReport, passed: boolean) {
  const round = (n: number, d = 2) => Number(n.toFixed(d));
  const latency = (s: LatencySummary) => ({
    p50Ms: round(s.p50),
    p95Ms: round(s.p95),
    maxMs: round(s.max),
    meanMs: round(s.mean),
  });
  return {
    bench: "aggregates",
    options: r.options,
    target: AGGREGATES_TARGET,
    passed,
    range: { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() },
    communes: r.fleet.communes.length,
    write: {
      deviceRows: r.write.deviceRows,
      groupRows: r.write.groupRows,
      deviceRowsPerSec: Math.round(perSecond(r.write.deviceRows, r.write.deviceMs)),
      groupRowsPerSec: Math.round(perSecond(r.write.groupRows, r.write.groupMs)),
      seconds: round(r.write.wallMs / 1000, 1),
    },
    platformStartMs: r.platformStartMs,
    routes: Object.fromEntries(
      r.routes.map((route) => [
        route.name,
        {
          rows: route.rows,
          bytes: route.bytes,
          ...latency(route.answer),
          pass: pass(route),
          problems: route.problems,
        },
      ]),
    ),
    inPlatform: {
      groupRows: r.probe.groupRows,
      readP50Ms: round(r.probe.read.p50),
      readMaxMs: round(r.probe.read.max),
      mergeP50Ms: round(r.probe.merge.p50),
      mergeMaxMs: round(r.probe.merge.max),
    },
  };
}

function perSecond(rows: number, ms: number): number {
  return ms > 0 ? (rows * 1000) / ms : 0;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function ms(n: number): string {
  return n.toFixed(1);
}

function sec(msValue: number): string {
  return `${(msValue / 1000).toFixed(1)} s`;
}

function day(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
