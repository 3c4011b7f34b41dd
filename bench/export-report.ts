import { cpus, loadavg } from "node:os";
import type { ExportOptions } from "./export-args.ts";
import type { ChildRun } from "./export-process.ts";
import type { SeedResult } from "./export-seed.ts";

/** Figures of the export benchmark: targets, verdicts and the printed report. */

export const TARGETS = {
  /** A territory-year exported, and imported, each way within this. */
  yearMinutes: 15,
  /** Peak RSS of the whole span over that of its first half: memory does not grow with the data. */
  rssRatio: 1.2,
};

export interface Scope {
  name: string;
  from: number;
  to: number;
  /** Field values and readings the source holds over the scope. */
  values: number;
  readings: number;
  /** The whole platform (no --from/--to). */
  whole: boolean;
}

export interface RoundTrip {
  scope: Scope;
  export: ChildRun;
  import: ChildRun;
  bundleBytes: number;
  bundleFiles: number;
  /** Bytes of the bundle's files by part (readings, rollups, other) and format. */
  bundleParts: Record<string, number>;
  /** The bundle manifest's counts. */
  manifest: Record<string, number>;
  /** What `lanterne import` says it loaded, and what the imported store holds. */
  importedReadings: number;
  importedValues: number;
  importedQuarantine: number;
}

export interface ExportResult {
  options: ExportOptions;
  /** Load average (1 min) before the run: another job on the machine shows here. */
  loadBefore: number;
  from: number;
  to: number;
  devices: number;
  /** [period ms, devices]. */
  periods: [number, number][];
  yearReadings: number;
  seed: SeedResult;
  storeBytes: number;
  trips: RoundTrip[];
}

export interface Verdict {
  name: string;
  target: string;
  value: string;
  pass: boolean;
}

const DAY = 86_400_000;

/** Why a round trip is not whole; empty when it is. */
export function roundTripProblems(t: RoundTrip): string[] {
  const p: string[] = [];
  const m = t.manifest;
  if (m.readings !== t.scope.readings)
    p.push(`the bundle lists ${m.readings} readings, the source held ${t.scope.readings}`);
  if (m.fieldValues !== t.scope.values)
    p.push(`the bundle lists ${m.fieldValues} field values, the source held ${t.scope.values}`);
  if (t.importedReadings !== m.readings)
    p.push(`the import loaded ${t.importedReadings} readings of the bundle's ${m.readings}`);
  if (t.importedValues !== t.scope.values)
    p.push(`the imported store counts ${t.importedValues} field values, the source ${t.scope.values}`);
  if (t.importedQuarantine !== m.quarantine)
    p.push(`the imported quarantine holds ${t.importedQuarantine} entries, the bundle ${m.quarantine}`);
  return p;
}

function yearMinutes(run: ChildRun, scope: Scope): number {
  const days = (scope.to - scope.from) / DAY;
  return (run.wallMs * (365 / days)) / 60_000;
}

export function verdicts(r: ExportResult): Verdict[] {
  const [whole, half] = r.trips;
  const out: Verdict[] = [];
  if (!whole) return out;
  for (const way of ["export", "import"] as const) {
    const minutes = yearMinutes(whole[way], whole.scope);
    out.push({
      name: `${way} of a territory-year (${fmt(r.devices)} devices), extrapolated from ${r.options.days} day(s)`,
      target: `< ${TARGETS.yearMinutes} min`,
      value: `${minutes.toFixed(1)} min`,
      pass: minutes < TARGETS.yearMinutes,
    });
  }
  if (half) {
    for (const way of ["export", "import"] as const) {
      const ratio = whole[way].peakRssMb / half[way].peakRssMb;
      out.push({
        name: `${way} peak RSS, whole span over its first half (${mb(whole[way].peakRssMb)} / ${mb(half[way].peakRssMb)})`,
        target: `<= ${TARGETS.rssRatio} (flat)`,
        value: ratio.toFixed(2),
        pass: ratio <= TARGETS.rssRatio,
      });
    }
  }
  for (const t of r.trips) {
    const problems = roundTripProblems(t);
    out.push({
      name: `round trip whole, ${t.scope.name}: imported field values = exported`,
      target: "equal",
      value:
        problems.length === 0 ? `${fmt(t.importedValues)} = ${fmt(t.scope.values)}` : problems.join("; "),
      pass: problems.length === 0,
    });
  }
  return out;
}

/** Prints the report and the BENCH_RESULT line; true when every verdict passes. */
export function printExportReport(r: ExportResult): boolean {
  console.log(reportLines(r).join("\n"));
  const vs = verdicts(r);
  const passed = vs.every((v) => v.pass);
  for (const t of r.trips) {
    const problems = roundTripProblems(t);
    if (problems.length > 0) console.error(`ROUND TRIP BROKEN (${t.scope.name}): ${problems.join("; ")}`);
  }
  const failed = vs.filter((v) => !v.pass).length;
  const summary = `export ${fmt(r.devices)} devices, ${r.options.days} day(s): ${vs
    .slice(0, 2)
    .map((v) => `${v.name.split(" ")[0]} ${v.value}/year`)
    .join(", ")}: ${failed === 0 ? "all PASS" : `${failed} FAIL`}`;
  const trips = r.trips.map(({ export: e, import: i, ...t }) => ({
    ...t,
    export: brief(e),
    import: brief(i),
  }));
  console.log(
    `BENCH_RESULT ${JSON.stringify({ bench: "export", passed, summary, verdicts: vs, ...r, trips })}`,
  );
  return passed;
}

function brief(run: ChildRun) {
  return { wallMs: Math.round(run.wallMs), peakRssMb: Math.round(run.peakRssMb), cpuS: run.cpuS };
}

export function reportLines(r: ExportResult): string[] {
  const s = r.seed;
  const days = r.options.days;
  const cadences = r.periods.map(([p, n]) => `${fmt(n)} every ${period(p)}`).join(", ");
  const valuesPerReading = s.readings > 0 ? s.fieldValues / s.readings : 0;
  return [
    `export: ${fmt(r.devices)} devices (the demo inventory scaled, demo contracts at their cadences: ${cadences}), ` +
      `${days} day(s) of readings from ${when(r.from)} to ${when(r.to)} (excluded)`,
    `the source: ${fmt(s.readings)} readings, ${fmt(s.fieldValues)} field values ` +
      `(${valuesPerReading.toFixed(2)} a reading; the store counts ${fmt(s.storedValues)}), ` +
      `${fmt(s.rollupRows)} rollup rows, ${fmt(s.quarantine)} quarantined messages, ${fmt(s.violations)} dropped values; ` +
      `seeded in ${sec(s.wallMs)} (store writes ${sec(s.writeMs)}, rollups ${sec(s.rollupMs)}); ` +
      `data folder ${mb(r.storeBytes / 1e6)}`,
    `a year at these cadences: ${fmt(r.yearReadings)} readings, about ${fmt(r.yearReadings * valuesPerReading)} ` +
      `field values: the run measures ${(100 * (days / 365)).toFixed(2)} % of it and scales times by 365/${days}`,
    `machine: ${cpus().length} cores, load average ${r.loadBefore.toFixed(2)} before the run, ` +
      `${(loadavg()[0] ?? 0).toFixed(2)} after (each child shares the cores with whatever else runs)`,
    `parquet ${r.options.parquet ? "beside each CSV (the default)" : "off (--no-parquet)"}; each command a child ` +
      "process (node --import tsx cli/lanterne.ts), peak RSS its kernel VmHWM, CPU its user + system time",
    "",
    ...table(r),
    "  (readings/s and values/s: the scope's over the command's wall time, start-up and checks included;",
    "   a year: the wall time scaled by 365 / the scope's days; the import checks the whole bundle first)",
    "",
    ...r.trips.map(
      (t) =>
        `round trip, ${t.scope.name}: bundle ${fmt(t.manifest.readings ?? 0)} readings, ` +
        `${fmt(t.manifest.fieldValues ?? 0)} values, ${t.bundleFiles} files; imported ${fmt(t.importedReadings)} ` +
        `readings, the store counts ${fmt(t.importedValues)} values (source ${fmt(t.scope.values)}), quarantine ` +
        `${fmt(t.importedQuarantine)} (bundle ${fmt(t.manifest.quarantine ?? 0)})`,
    ),
    ...r.trips.map(partsLine),
    ...marginalLines(r),
    ...memoryLines(r),
    "",
    ...verdicts(r).map((v) => `${v.pass ? "PASS" : "FAIL"}  ${v.name}: ${v.value} (target ${v.target})`),
  ];
}

function table(r: ExportResult): string[] {
  const head =
    `${"scope".padEnd(11)} ${"way".padEnd(6)} ${"days".padStart(5)} ${"readings".padStart(11)} ` +
    `${"values".padStart(11)} ${"wall".padStart(8)} ${"readings/s".padStart(10)} ${"values/s".padStart(10)} ` +
    `${"peak RSS".padStart(9)} ${"CPU".padStart(7)} ${"bundle".padStart(9)} ${"a year".padStart(9)}`;
  const rows: string[] = [head];
  for (const t of r.trips) {
    const days = (t.scope.to - t.scope.from) / DAY;
    for (const way of ["export", "import"] as const) {
      const run = t[way];
      const secs = run.wallMs / 1000;
      rows.push(
        `${t.scope.name.padEnd(11)} ${way.padEnd(6)} ${days.toFixed(2).padStart(5)} ${fmt(t.scope.readings).padStart(11)} ` +
          `${fmt(t.scope.values).padStart(11)} ${sec(run.wallMs).padStart(8)} ${fmt(t.scope.readings / secs).padStart(10)} ` +
          `${fmt(t.scope.values / secs).padStart(10)} ${mb(run.peakRssMb).padStart(9)} ${`${run.cpuS.toFixed(1)} s`.padStart(7)} ` +
          `${mb(t.bundleBytes / 1e6).padStart(9)} ${`${yearMinutes(run, t.scope).toFixed(1)} min`.padStart(9)}`,
      );
    }
  }
  return rows;
}

/** Where the bundle's bytes are, and what a year's bundle would weigh at the same rate. */
function partsLine(t: RoundTrip): string {
  const days = (t.scope.to - t.scope.from) / DAY;
  const parts = Object.entries(t.bundleParts)
    .sort((a, b) => b[1] - a[1])
    .map(([part, bytes]) => `${part} ${mb(bytes / 1e6)}`)
    .join(", ");
  const year = (t.bundleBytes * 365) / days / 1e9;
  return `bundle, ${t.scope.name}: ${mb(t.bundleBytes / 1e6)} (${parts}): a year about ${year.toFixed(0)} GB`;
}

/**
 * The year from the two sizes' difference instead: a fixed part (start-up, inventory, the
 * bundle's small files) plus the time each further reading costs. Not a verdict, a cross-check.
 */
function marginalLines(r: ExportResult): string[] {
  const [whole, half] = r.trips;
  if (!whole || !half) return [];
  return (["export", "import"] as const).map((way) => {
    const perReading = (whole[way].wallMs - half[way].wallMs) / (whole.scope.readings - half.scope.readings);
    const fixed = whole[way].wallMs - perReading * whole.scope.readings;
    const year = fixed + perReading * r.yearReadings;
    return (
      `marginal, ${way}: ${fmt(1000 / perReading)} readings/s between the two sizes, ${sec(fixed)} fixed: ` +
      `a year ${(year / 60_000).toFixed(1)} min on that line`
    );
  });
}

/** Peak RSS at two sizes, and where a year would take it if it grew as measured. */
function memoryLines(r: ExportResult): string[] {
  const [whole, half] = r.trips;
  if (!whole || !half) return [];
  return (["export", "import"] as const).map((way) => {
    const growth =
      (whole[way].peakRssMb - half[way].peakRssMb) / (whole.scope.readings - half.scope.readings);
    const year = half[way].peakRssMb + growth * (r.yearReadings - half.scope.readings);
    return (
      `memory, ${way}: ${mb(half[way].peakRssMb)} for ${fmt(half.scope.readings)} readings, ${mb(whole[way].peakRssMb)} ` +
      `for ${fmt(whole.scope.readings)}: ${(growth * 1e6).toFixed(1)} MB per million readings more, ` +
      `${mb(Math.max(year, whole[way].peakRssMb))} for a year if it grew on that line (two points: the peak also ` +
      "moves by tens of MB with DuckDB's cache and the garbage collector's timing)"
    );
  });
}

function period(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${ms / 60_000} min`;
}

function when(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace("T", " ");
}

function fmt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-";
}

function mb(n: number): string {
  return `${Math.round(n)} MB`;
}

function sec(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
