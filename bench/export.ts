import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createDuckdbStore } from "../services/storage/duckdb-store.ts";
import type { ExportOptions } from "./export-args.ts";
import { expectedCounts, loadExportFleet, makeExportTerritory } from "./export-fleet.ts";
import { runLanterne } from "./export-process.ts";
import { type ExportResult, printExportReport, type RoundTrip, type Scope } from "./export-report.ts";
import { seedStore } from "./export-seed.ts";

/**
 * `npm run bench -- export`: the reversibility bundle of a territory scaled to 20,000 devices,
 * against the target "a territory-year exported and imported in under 15 minutes each way, memory
 * not growing with the data".
 *   1. a data folder holding `--days` days of the fleet's readings at its contracts' cadences (the
 *      fraction of the year measured), their rollups, a few refusals (export-seed.ts);
 *   2. `lanterne export` of the whole folder, then `lanterne import` of that bundle into an empty
 *      folder, each as a child process (wall time, peak RSS, CPU), then the same for the first half
 *      of the days alone (--from/--to): two sizes in one run, whose peak memories are compared;
 *   3. each import checked whole: the imported store holds as many field values as the source did
 *      over the bundle's span, and as many readings as the bundle lists (a difference fails the run);
 *   4. the year extrapolated linearly from the measured fraction (time × 365 / days).
 * Everything lives in one temporary folder, removed at the end (and by the watchdog).
 */
const DAY = 86_400_000;
/** Each child is killed past this. */
const CHILD_TIMEOUT_MS = 20 * 60_000;
/** The whole run is stopped (and cleaned) past this, whatever it waits for. */
const WATCHDOG_MS = 50 * 60_000;

export async function runExportBench(options: ExportOptions): Promise<number> {
  const log = (line: string) => console.error(`[bench export] ${line}`);
  const loadBefore = loadavg()[0] ?? 0;
  const to = Math.floor(Date.now() / DAY) * DAY;
  const from = to - Math.round(options.days * DAY);
  const half = from + Math.round((to - from) / 2 / 60_000) * 60_000;
  const root = mkdtempSync(join(tmpdir(), "lanterne-bench-export-"));
  const territory = makeExportTerritory(options.devices);
  const clean = () => {
    rmSync(root, { recursive: true, force: true });
    rmSync(territory, { recursive: true, force: true });
  };
  const watchdog = setTimeout(() => {
    log(`watchdog: still running after ${WATCHDOG_MS / 60_000} min, stopping`);
    clean();
    process.exit(3);
  }, WATCHDOG_MS);
  watchdog.unref();
  try {
    const fleet = await loadExportFleet(territory, from);
    log(
      `${fleet.devices.length} devices, ${options.days} day(s) from ${iso(from)} to ${iso(to)}: ` +
        `${fmt(expectedCounts(fleet, to - from))} readings to seed`,
    );
    const source = join(root, "source");
    const seed = await seedStore(source, fleet, { from, to, half }, options.rollups, log);
    const storeBytes = folderBytes(source);
    log(
      `seeded ${fmt(seed.readings)} readings (${fmt(seed.fieldValues)} values) in ${(seed.wallMs / 1000).toFixed(1)} s`,
    );
    const scopes: Scope[] = [
      { name: "whole", from, to, values: seed.storedValues, readings: seed.readings, whole: true },
      {
        name: "first half",
        from,
        to: half,
        values: seed.storedValuesHalf,
        readings: expectedCounts(fleet, half - from),
        whole: false,
      },
    ];
    const trips: RoundTrip[] = [];
    for (const scope of scopes) trips.push(await roundTrip(root, territory, source, scope, options, log));
    const result: ExportResult = {
      loadBefore,
      options,
      from,
      to,
      devices: fleet.devices.length,
      periods: [...fleet.periods].sort((a, b) => a[0] - b[0]),
      yearReadings: expectedCounts(fleet, 365 * DAY),
      seed,
      storeBytes,
      trips,
    };
    return printExportReport(result) ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    clean();
  }
}

/** Export of the scope, import of its bundle into an empty folder, and the import checked whole. */
async function roundTrip(
  root: string,
  territory: string,
  source: string,
  scope: Scope,
  options: ExportOptions,
  log: (line: string) => void,
): Promise<RoundTrip> {
  const slug = scope.whole ? "whole" : "half";
  const bundle = join(root, `bundle-${slug}`);
  const target = join(root, `import-${slug}`);
  mkdirSync(target, { recursive: true });
  const range = scope.whole ? [] : ["--from", String(scope.from), "--to", String(scope.to)];
  const exported = await runLanterne(
    ["export", bundle, ...range, ...(options.parquet ? [] : ["--no-parquet"])],
    { LANTERNE_DATA_DIR: source, LANTERNE_TERRITORY: territory },
    CHILD_TIMEOUT_MS,
    profiled(options, `export-${slug}`),
  );
  log(`${scope.name}: export ${seconds(exported.wallMs)}, peak RSS ${Math.round(exported.peakRssMb)} MB`);
  requireSuccess("export", exported);
  const manifest = JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8")) as {
    counts: Record<string, number>;
    files: { path: string; bytes: number }[];
  };
  const bundleBytes = folderBytes(bundle);
  const imported = await runLanterne(
    ["import", bundle],
    { LANTERNE_DATA_DIR: target, LANTERNE_TERRITORY: territory },
    CHILD_TIMEOUT_MS,
    profiled(options, `import-${slug}`),
  );
  log(`${scope.name}: import ${seconds(imported.wallMs)}, peak RSS ${Math.round(imported.peakRssMb)} MB`);
  requireSuccess("import", imported);
  const check = await checkImported(target);
  const importedReadings = Number(/imported: (\d+) readings/.exec(imported.stdout)?.[1] ?? Number.NaN);
  rmSync(bundle, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
  return {
    scope,
    export: exported,
    import: imported,
    bundleBytes,
    bundleFiles: manifest.files.length,
    bundleParts: partsOf(manifest.files),
    manifest: manifest.counts,
    importedReadings,
    importedValues: check.values,
    importedQuarantine: check.quarantine,
  };
}

function profiled(options: ExportOptions, name: string): string[] {
  return options.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${join(options.cpuProf, name)}`] : [];
}

function requireSuccess(what: string, run: Awaited<ReturnType<typeof runLanterne>>): void {
  if (run.code === 0 && !run.timedOut) return;
  throw new Error(
    `lanterne ${what} ${run.timedOut ? "timed out" : `exited with ${run.code}`}:\n${run.stderr}\n${run.stdout}`,
  );
}

/** What the imported folder's store holds. */
async function checkImported(dataDir: string): Promise<{ values: number; quarantine: number }> {
  const store = createDuckdbStore({ path: join(dataDir, "lanterne.duckdb"), memoryMib: 512 });
  await store.start();
  try {
    return { values: await store.countValues({}), quarantine: await store.countQuarantine({}) };
  } finally {
    await store.close();
  }
}

/** Bytes by part of the bundle (readings, rollups, the rest) and format (CSV, Parquet). */
function partsOf(files: readonly { path: string; bytes: number }[]): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const f of files) {
    const top = f.path.split("/")[0] ?? "";
    const part = top === "readings" || top === "rollups" ? top : "other";
    const format = f.path.endsWith(".parquet") ? " Parquet" : f.path.endsWith(".csv") ? " CSV" : "";
    const key = `${part}${part === "other" ? "" : format}`;
    parts[key] = (parts[key] ?? 0) + f.bytes;
  }
  return parts;
}

function folderBytes(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return bytes;
}

function iso(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace("T", " ");
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
