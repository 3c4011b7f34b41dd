import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createPlatform, type Platform } from "../../cli/platform.ts";
import { loadConfig } from "../../services/config.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { mulberry32 } from "../../services/domain/random.ts";
import { computeFigures } from "../../services/opendata/compute.ts";
import { openDatasets } from "../../services/opendata/datasets.ts";
import { FORMATS } from "../../services/opendata/formats/index.ts";
import { indicatorKinds } from "../../services/opendata/indicators.ts";
import { createPlaces } from "../../services/opendata/places.ts";
import { FIRST_PUBLICATION } from "../../services/opendata/publication-store.ts";
import { secure } from "../../services/opendata/suppression.ts";
import { datasetTable } from "../../services/opendata/tables.ts";
import { serveParent } from "../ipc.ts";
import { UsageMeter } from "../metrics.ts";
import { datasetFigures, dayRollups, population, yearPeriods } from "../opendata-fleet.ts";
import { latencySummary } from "../samples.ts";

/**
 * The whole platform on the open-data benchmark's territory (LANTERNE_BENCH_TERRITORY), its
 * listeners on loopback ports chosen by the system, a temporary data folder (removed by the parent
 * too). The open channel's rate limit is LANTERNE_OPENDATA_RATE, which the parent sets far above
 * the load: every request comes from 127.0.0.1, one address, and a 429 would count as an error.
 *
 * Before "ready": every dataset approved in its current definition, then a year of its figures
 * (ending the day before yesterday, UTC) recorded through the publication store as the publisher
 * records a release; then the publisher's own work for yesterday, timed: a day of device rollups
 * for the whole territory written, and for each daily dataset read from rollups its figures
 * computed, secured (suppressed, rounded) and recorded, as Publisher.publish does.
 */
const DAY = 86_400_000;
/**
 * Figures per release while the year is filled: a per-asset dataset of 20,000 devices is millions
 * of figures a year, recorded a few weeks at a time (the publisher releases far less at once).
 */
const RELEASE_FIGURES = 250_000;
const meter = new UsageMeter();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const dataDir = mkdtempSync(join(tmpdir(), "lanterne-bench-opendata-data-"));
let platform: Platform | undefined;

export interface FilledDataset {
  id: string;
  granularity: string;
  level: string;
  indicator: string;
  places: number;
  periods: number;
  /** Figures recorded for the year (and for yesterday when the publisher's day was measured). */
  figures: number;
  suppressed: number;
  recordMs: number;
}

export interface PublisherDay {
  dataset: string;
  devices: number;
  figures: number;
  computeMs: number;
  suppressMs: number;
  recordMs: number;
}

export interface OpenDataReady {
  apiUrl: string;
  pid: number;
  dataDir: string;
  devices: number;
  startMs: number;
  /** The year's periods start at or after `from` and end at or before `to` (yesterday's start). */
  year: { from: number; to: number };
  datasets: FilledDataset[];
  fillMs: number;
  rollups: { rows: number; devices: number; writeMs: number };
  publisher: PublisherDay[];
}

async function start(): Promise<OpenDataReady> {
  const territoryDir = process.env.LANTERNE_BENCH_TERRITORY;
  if (!territoryDir) throw new Error("LANTERNE_BENCH_TERRITORY is not set");
  const rate = Number(process.env.LANTERNE_OPENDATA_RATE ?? "");
  if (!Number.isInteger(rate) || rate < 1) throw new Error("LANTERNE_OPENDATA_RATE is not a whole number");
  const started = performance.now();
  const config = loadConfig(
    {
      host: "127.0.0.1",
      mqttPort: 0,
      wsPort: 0,
      httpPort: 0,
      udpPort: 0,
      dataDir,
      territoryDir,
      logLevel: "error",
      opendataRate: rate,
    },
    {},
  );
  const p = await createPlatform(config);
  platform = p;
  await p.start();
  // The start-up work that reads the store, done before anything is timed.
  await Promise.all([p.retention.run(), p.rollups.pass()]);
  const startMs = Math.round(performance.now() - started);
  const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
  const filled = performance.now();
  const datasets = await fillYear(p, yesterday);
  const fillMs = Math.round(performance.now() - filled);
  const { rollups, publisher } = await publisherDay(p, yesterday, datasets);
  return {
    apiUrl: p.apiUrl,
    pid: process.pid,
    dataDir,
    devices: p.devices.list().length,
    startMs,
    year: { from: yesterday - 365 * DAY, to: yesterday },
    datasets,
    fillMs,
    rollups,
    publisher,
  };
}

function territoryCode(p: Platform): string {
  return p.territory.epci ?? p.territory.owner.id;
}

/** Approves each dataset as it stands, then records its year of figures in one release. */
async function fillYear(p: Platform, end: number): Promise<FilledDataset[]> {
  const rand = mulberry32(20_250_601);
  const devices = p.devices.list();
  const out: FilledDataset[] = [];
  for (const dataset of openDatasets(p.contracts)) {
    const { spec } = dataset;
    const at = Date.now();
    await p.publications.approve({ dataset: spec.id, definition: dataset.definition, by: "bench", at });
    const places = population(dataset, devices, territoryCode(p));
    const periods = yearPeriods(dataset, end);
    const entry: FilledDataset = {
      id: spec.id,
      granularity: spec.granularity,
      level: spec.level,
      indicator: spec.indicator,
      places: places.size,
      periods: periods.length,
      figures: 0,
      suppressed: 0,
      recordMs: 0,
    };
    for (const chunk of chunks(
      periods,
      Math.max(1, Math.floor(RELEASE_FIGURES / Math.max(1, places.size))),
    )) {
      const figures = secure(datasetFigures(dataset, places, chunk, rand), spec);
      const t0 = performance.now();
      entry.figures += (await p.publications.record(spec.id, figures, FIRST_PUBLICATION, Date.now())).length;
      entry.recordMs += performance.now() - t0;
      entry.suppressed += figures.filter((f) => f.status !== "published").length;
    }
    out.push(entry);
  }
  return out;
}

/** Consecutive slices of at most `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Yesterday as the publisher would release it: the day's device rollups of every device written
 * (through the store's RollupStore port), then for each daily dataset read from the rollups the
 * three steps of Publisher.publish, timed: computeFigures, suppress, record.
 */
async function publisherDay(p: Platform, day: number, filled: FilledDataset[]) {
  const devices = p.devices.list();
  const contracts = new Map<string, Contract>();
  for (const c of p.contracts.all()) {
    const known = contracts.get(c.id);
    if (!known || known.validFrom <= c.validFrom) contracts.set(c.id, c);
  }
  const rows = dayRollups(devices, contracts, day, mulberry32(20_250_602));
  const t0 = performance.now();
  await p.store.writeDeviceRollups(rows);
  const rollups = {
    rows: rows.length,
    devices: new Set(rows.map((r) => r.deviceId)).size,
    writeMs: performance.now() - t0,
  };
  const deps = {
    rollups: p.store,
    alerts: p.alerts,
    devices: () => p.devices.list(),
    territory: territoryCode(p),
  };
  const publisher: PublisherDay[] = [];
  for (const dataset of openDatasets(p.contracts)) {
    const { spec } = dataset;
    if (spec.granularity !== "day" || indicatorKinds.get(spec.indicator)?.source !== "rollups") continue;
    const t1 = performance.now();
    const raw = await computeFigures(deps, dataset.contract, spec, [day]);
    const t2 = performance.now();
    const computed = secure(raw, spec);
    const t3 = performance.now();
    const written = await p.publications.record(spec.id, computed, "late data", Date.now());
    const t4 = performance.now();
    const entry = filled.find((d) => d.id === spec.id);
    if (entry) entry.figures += written.length;
    publisher.push({
      dataset: spec.id,
      devices: devices.filter((d) => d.contractId === dataset.contract.id).length,
      figures: raw.length,
      computeMs: t2 - t1,
      suppressMs: t3 - t2,
      recordMs: t4 - t3,
    });
  }
  return { rollups, publisher };
}

export interface ProbeArgs {
  /** The dataset of the popular page and of the year's CSV. */
  dataset: string;
  /** A per-asset dataset, when there is one: the largest table a summary reads. */
  large?: string;
  year: { from: number; to: number };
  n: number;
}

/**
 * Where one request's time goes, without HTTP nor other requests: each step the open channel
 * takes for a records page and a year's CSV, timed `n` times alone (services/opendata/service.ts
 * and the publication store under it).
 */
async function probe({ dataset, large, year, n }: ProbeArgs) {
  const p = platform;
  if (!p) throw new Error("platform not started");
  const store = p.publications;
  const service = p.opendata;
  const page = { dataset, limit: 100, offset: 0 };
  const yearQuery = { dataset, from: year.from, to: year.to };
  const steps: Array<[string, () => Promise<unknown> | unknown]> = [
    ["openDatasets(contracts): definition hashes", () => openDatasets(p.contracts)],
    ["store.approval", () => store.approval(dataset)],
    ["store.summary", () => store.summary(dataset)],
    ...(large
      ? [[`store.summary of ${large}`, () => store.summary(large)] as [string, () => Promise<unknown>]]
      : []),
    ["service.version (ETag: all of a 304's reads)", () => service.version(dataset)],
    ["store.figures, first page", () => store.figures(page)],
    ["store.countFigures, all", () => store.countFigures({ dataset })],
    ["service.records, first page", () => service.records(dataset, {}, 100, 0)],
    ["store.countFigures, a year", () => store.countFigures(yearQuery)],
    ["store.figures, a year", () => store.figures({ ...yearQuery, limit: 500_000 })],
    ["service.table, a year", () => service.table(dataset, yearQuery)],
    ["store.countDownload (a write)", () => store.countDownload(dataset, "probe")],
  ];
  const table = await service.table(dataset, yearQuery);
  steps.push(["CSV render of the year", () => FORMATS.csv.render(table)]);
  // The service's table step alone, with places built as cli/platform.ts builds them.
  const spec = openDatasets(p.contracts).find((d) => d.spec.id === dataset);
  const places = createPlaces({
    devices: () => p.devices.list(),
    device: (id) => p.devices.get(id),
    ...(p.territory.outlines ? { outlines: p.territory.outlines } : {}),
    territory: { code: territoryCode(p), name: p.territory.owner.name },
  });
  if (spec) {
    const first = await store.figures(page);
    const all = await store.figures({ ...yearQuery, limit: 500_000 });
    steps.push(["datasetTable, first page (rows and geometries)", () => datasetTable(spec, first, places)]);
    steps.push(["datasetTable, a year (rows and geometries)", () => datasetTable(spec, all, places)]);
  }
  const out: Array<{ step: string } & ReturnType<typeof latencySummary>> = [];
  for (const [step, run] of steps) {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await run();
      ms.push(performance.now() - t0);
    }
    out.push({ step, ...latencySummary(ms) });
  }
  return out;
}

export type ProbeResult = Awaited<ReturnType<typeof probe>>;

function stats() {
  return {
    usage: meter.read(),
    eventLoopP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
    eventLoopMaxMs: Math.round(loopDelay.max / 1e6),
  };
}

export type OpenDataChildStats = ReturnType<typeof stats>;

serveParent(start(), {
  mark: () => {
    meter.mark();
    loopDelay.reset();
  },
  stats,
  probe: (args: ProbeArgs) => probe(args),
  close: async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
});

process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
