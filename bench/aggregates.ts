import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Contract } from "../services/contracts/model.ts";
import { loadContractDir } from "../services/contracts/registry.ts";
import { mulberry32 } from "../services/domain/random.ts";
import { loadInventoryFile } from "../services/inventory/load.ts";
import { loadTerritoryFile } from "../services/inventory/territory-file.ts";
import { createDuckdbWorkerStore } from "../services/storage/duckdb-worker-store.ts";
import { createInfluxStore, parseInfluxUrl } from "../services/storage/influx-store.ts";
import type { GroupRollup, RollupStore } from "../services/storage/store.ts";
import { DEMO_SECRETS } from "../territory/ccphva/demo-secrets.ts";
import { type Influxd, startInfluxd } from "../test/helpers/influxd.ts";
import type { AggregatesOptions } from "./aggregates-args.ts";
import { type ApiRow, checkAnswer, type Expected, publishable } from "./aggregates-check.ts";
import { DOMAINS, dayRows, type Fleet, generateFleet, groupRows } from "./aggregates-fleet.ts";
import { printAggregatesReport, type RouteResult, type WriteResult } from "./aggregates-report.ts";
import { ChildHandle } from "./ipc.ts";
import { latencySummary } from "./samples.ts";

/**
 * The aggregates benchmark, for the target: "a daily-per-commune aggregate over one year
 * for 20,000 devices answered in under 50 ms from rollups".
 *   1. a fleet of generated devices over the demo territory's communes and domains;
 *   2. a year (ending yesterday, UTC) of their daily rollups, one published field per domain,
 *      written through the store's RollupStore port a day at a time, with the (commune, domain)
 *      rows computed by the rollup maintainer's `combine()`: the write rate is reported;
 *   3. the whole platform, started in a child process on that storage, asked over HTTP for the
 *      year of daily values per commune on the public (open data) and the staff route: warm-up
 *      requests, then timed ones; every answer is checked against what was written.
 * With `--store influx`, a private influxd holds the rollups (database `bench_aggregates`).
 */
const DAY = 86_400_000;
const WARMUP = 5;
const DATABASE = "bench_aggregates";
const REQUEST_TIMEOUT_MS = 30_000;
const STORE_CALL_TIMEOUT_MS = 120_000;
/** The whole run is stopped (and cleaned) past this, whatever it is waiting for. */
const WATCHDOG_MS = 30 * 60_000;
const TERRITORY = fileURLToPath(new URL("../territory/ccphva", import.meta.url));

type WritableRollups = RollupStore & { start(): Promise<void>; close(): Promise<void> };

export async function runAggregatesBench(options: AggregatesOptions): Promise<number> {
  const log = (line: string) => console.error(`[bench aggregates] ${line}`);
  const to = Math.floor(Date.now() / DAY) * DAY;
  const from = to - options.days * DAY;
  log(
    `${options.devices} devices, ${options.days} days of daily rollups (${iso(from)} to ${iso(to)}), ` +
      `${options.requests} requests per route, store ${options.store}`,
  );
  const territory = await loadTerritoryFile(TERRITORY);
  const contracts = (await loadContractDir(territory.contractsDir)).all();
  checkPublished(contracts);
  const inventory = await loadInventoryFile(territory.inventoryPath, { ownerId: territory.owner.id });
  const fleet = generateFleet(options.devices, inventory, mulberry32(20_240_101));

  const scratch = new Scratch();
  scratch.guard();
  try {
    const dataDir = scratch.dir(mkdtempSync(join(tmpdir(), "lanterne-bench-aggregates-")));
    let storeUrl: string | undefined;
    if (options.store === "influx") {
      const influx = await scratch.influxd();
      storeUrl = `influx://127.0.0.1:${influx.port}/${DATABASE}`;
      log(`private influxd at ${influx.url} (${influx.dir})`);
    }
    const store: WritableRollups = storeUrl
      ? createInfluxStore(parseInfluxUrl(storeUrl))
      : createDuckdbWorkerStore({ path: join(dataDir, "lanterne.duckdb") });
    const { write, expected } = await writeRollups(store, fleet, from, options.days, log);
    const measured = await measure({ dataDir, storeUrl, from, to, options, expected, contracts, log });
    const passed = printAggregatesReport({ options, from, to, fleet, write, ...measured });
    return passed ? 0 : 1;
  } finally {
    await scratch.clean();
  }
}

function iso(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The fields the bench rolls up must be published, or the public route would answer nothing. */
function checkPublished(contracts: readonly Contract[]): void {
  for (const plan of DOMAINS) {
    const published = contracts.some(
      (c) => c.domain === plan.domain && c.openData.publish && c.openData.fields.includes(plan.field),
    );
    if (!published)
      throw new Error(`no contract publishes ${plan.domain}.${plan.field}: fix bench/aggregates-fleet.ts`);
  }
}

/**
 * Writes the device rollups and the group rows a day at a time through the port, as the rollup
 * maintainer does, and closes the store (the platform opens the same file or database next).
 */
async function writeRollups(
  store: WritableRollups,
  fleet: Fleet,
  from: number,
  days: number,
  log: (line: string) => void,
): Promise<{ write: WriteResult; expected: Expected }> {
  await bounded(store.start(), "store start");
  const rand = mulberry32(20_250_101);
  const groups: GroupRollup[] = [];
  const countsPerDomain = new Map<string, number>();
  const result: WriteResult = { deviceRows: 0, groupRows: 0, deviceMs: 0, groupMs: 0, wallMs: 0 };
  const started = performance.now();
  let lastLog = started;
  try {
    for (let day = 0; day < days; day++) {
      const time = from + day * DAY;
      const rows = dayRows(fleet, time, rand);
      const dayGroups = groupRows(time, rows);
      for (const r of rows) countsPerDomain.set(r.domain, (countsPerDomain.get(r.domain) ?? 0) + r.count);
      const t0 = performance.now();
      await bounded(store.writeDeviceRollups(rows), `device rollups of ${iso(time)}`);
      const t1 = performance.now();
      await bounded(store.writeGroupRollups(dayGroups), `group rollups of ${iso(time)}`);
      result.deviceMs += t1 - t0;
      result.groupMs += performance.now() - t1;
      result.deviceRows += rows.length;
      result.groupRows += dayGroups.length;
      groups.push(...dayGroups);
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`written ${day + 1}/${days} days, ${result.deviceRows} device rows`);
      }
    }
  } finally {
    await bounded(store.close(), "store close");
  }
  result.wallMs = performance.now() - started;
  log(
    `written ${result.deviceRows} device rows at ${Math.round(rate(result.deviceRows, result.deviceMs))}/s ` +
      `and ${result.groupRows} group rows, in ${(result.wallMs / 1000).toFixed(1)} s`,
  );
  return { write: result, expected: { groups, fleet, countsPerDomain } };
}

function rate(rows: number, ms: number): number {
  return ms > 0 ? (rows * 1000) / ms : 0;
}

function bounded<T>(task: Promise<T>, what: string, ms = STORE_CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([task, timeout]).finally(() => clearTimeout(timer));
}

interface MeasureInput {
  dataDir: string;
  storeUrl: string | undefined;
  from: number;
  to: number;
  options: AggregatesOptions;
  expected: Expected;
  contracts: readonly Contract[];
  log: (line: string) => void;
}

export interface ProbeResult {
  groupRows: number;
  answerRows: number;
  read: ReturnType<typeof latencySummary>;
  merge: ReturnType<typeof latencySummary>;
}

/** Starts the platform on the written storage, times both routes, checks their answers. */
async function measure(input: MeasureInput) {
  const { dataDir, storeUrl, from, to, options, expected, contracts, log } = input;
  const env: Record<string, string> = { LANTERNE_BENCH_DATA_DIR: dataDir };
  if (storeUrl) env.LANTERNE_BENCH_STORE = storeUrl;
  const { child, ready } = await ChildHandle.start<{ apiUrl: string; startMs: number }>(
    "children/aggregates-platform.ts",
    options.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProf}`] : [],
    120_000,
    env,
  );
  try {
    log(`platform at ${ready.apiUrl}, started in ${ready.startMs} ms`);
    const range = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&resolution=1d`;
    const isPublic = publishable(contracts);
    const routes: RouteResult[] = [];
    const routeList: {
      name: string;
      path: string;
      headers: Record<string, string>;
      only?: (g: GroupRollup) => boolean;
    }[] = [
      {
        // One quantity, daily per commune over the year: what a dashboard panel or a re-user asks.
        name: "public 1 field",
        path: `/api/v1/public/aggregates?${range}&groupBy=commune&domain=waste_container&field=filling_level`,
        headers: {},
        only: (g) => isPublic(g) && g.domain === "waste_container" && g.field === "filling_level",
      },
      {
        name: "public",
        path: `/api/v1/public/aggregates?${range}&groupBy=commune`,
        headers: {},
        only: isPublic,
      },
      {
        name: "staff",
        path: `/api/v1/aggregates?${range}&groupBy=commune,domain`,
        headers: { authorization: `Bearer technicien.${DEMO_SECRETS.technicien}` },
      },
    ];
    for (const route of routeList) {
      const timed = await timeRoute(`${ready.apiUrl}${route.path}`, route.headers, options.requests);
      const problems = [...timed.problems, ...checkAnswer(route.name, timed.rows, expected, route.only)];
      const answer = latencySummary(timed.samples);
      routes.push({
        name: route.name,
        path: route.path,
        rows: timed.rows.length,
        bytes: timed.bytes,
        answer,
        problems,
      });
      log(
        `${route.name}: ${timed.rows.length} rows, p50 ${answer.p50.toFixed(1)} ms, ${problems.length} problems`,
      );
    }
    const probe = await child.call<ProbeResult>(
      "probe",
      { from, to, resolutionMs: DAY, n: options.requests },
      STORE_CALL_TIMEOUT_MS,
    );
    return { routes, probe, platformStartMs: ready.startMs };
  } finally {
    await child.stop();
  }
}

interface Timed {
  samples: number[];
  rows: ApiRow[];
  bytes: number;
  problems: string[];
}

/**
 * `WARMUP` requests, then `n` timed ones, one at a time on a kept-alive connection. The time is
 * from the request to the last byte of the answer (parsing the JSON here is not the server's).
 */
async function timeRoute(url: string, headers: Record<string, string>, n: number): Promise<Timed> {
  const samples: number[] = [];
  const problems: string[] = [];
  let first: { text: string; rows: ApiRow[] } | undefined;
  for (let i = 0; i < WARMUP + n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    const ms = performance.now() - t0;
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 500)}`);
    if (i < WARMUP) continue;
    samples.push(ms);
    if (!first) first = { text, rows: (JSON.parse(text) as { rows: ApiRow[] }).rows };
    else if (text !== first.text) problems.push(`answer ${i - WARMUP + 1} differs from the first`);
  }
  return { samples, rows: first?.rows ?? [], bytes: first?.text.length ?? 0, problems };
}

/**
 * What the run leaves on disk and running, removed however it ends: normally, on an error, or
 * on SIGINT/SIGTERM (exit handlers then remove the folders; ipc.ts and the influxd helper kill
 * the children), and past the watchdog.
 */
class Scratch {
  private readonly dirs: string[] = [];
  private influx: Influxd | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    console.error(`[bench aggregates] ${signal}: cleaning up`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  private readonly onExit = () => {
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  private watchdog: NodeJS.Timeout | undefined;

  guard(): void {
    process.once("SIGINT", this.onSignal);
    process.once("SIGTERM", this.onSignal);
    process.on("exit", this.onExit);
    this.watchdog = setTimeout(() => {
      console.error(`[bench aggregates] still running after ${WATCHDOG_MS / 60_000} min: stopping`);
      process.exit(1);
    }, WATCHDOG_MS);
    this.watchdog.unref();
  }

  dir(path: string): string {
    this.dirs.push(path);
    return path;
  }

  async influxd(): Promise<Influxd> {
    const influx = await startInfluxd();
    if (!influx) throw new Error("--store influx needs influxd on PATH (apt-get install influxdb)");
    this.influx = influx;
    this.dirs.push(influx.dir);
    return influx;
  }

  async clean(): Promise<void> {
    await this.influx?.stop();
    this.onExit();
    process.removeListener("SIGINT", this.onSignal);
    process.removeListener("SIGTERM", this.onSignal);
    process.removeListener("exit", this.onExit);
    clearTimeout(this.watchdog);
  }
}
