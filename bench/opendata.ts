import { rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import type { OpenDataReady, ProbeArgs, ProbeResult } from "./children/opendata-platform.ts";
import { ChildHandle } from "./ipc.ts";
import { machineCores, machineSample, sleep } from "./metrics.ts";
import { loadSeconds, type OpenDataOptions } from "./opendata-args.ts";
import { makeOpenDataTerritory } from "./opendata-fleet.ts";
import {
  burstPhase,
  type Channel,
  channelPhases,
  coldCsvPath,
  coldRecordsPath,
  ordinaryPhase,
  type PhaseResult,
  popularRecordsPath,
  recovery,
  runPhase,
  warmupPhase,
  yearCsvPath,
} from "./opendata-load.ts";
import { type OpenDataResult, reportLines, summaryLine, verdicts } from "./opendata-report.ts";

/**
 * `npm run bench -- opendata`: the public open channel (/opendata) over a year of published
 * figures for a territory of 20,000 devices, with autocannon.
 *   1. the platform in a child process on a scaled copy of the demo territory (its contracts, so
 *      that its datasets exist), every dataset approved and a year of its figures recorded through
 *      the publication store; the publisher's own work for one day of 20,000 devices, timed;
 *   2. records pages and CSV downloads of a year, cold (each query new) and cached (revalidated
 *      with If-None-Match: the channel's own caching, a 304), p50/p99 at a few clients at once;
 *      requests per second on one popular URL over keep-alive connections;
 *   3. the ordinary load (a few visitors, each paced), then a burst of 50 times its rate from 50
 *      times as many visitors (a news item sends everyone at once): errors, timeouts, statuses.
 * Reading a year of device rollups for 20,000 devices (7.3 M rows a field) is what the publisher
 * does once a day, a day at a time, not what the public channel reads: the year is generated as
 * the published group figures it becomes, and one day of the publisher's work is measured apart.
 */
const START_TIMEOUT_MS = 240_000;
/** The rate limit for the run, per address and minute: far above anything one address sends here. */
const RATE_LIMIT = 100_000_000;
/** The whole run is stopped (and cleaned) past this, whatever it waits for. */
const WATCHDOG_MS = 9 * 60_000;
const WARMUP_S = 2;
/** At most this long for the platform to answer again after the burst. */
const RECOVERY_BOUND_MS = 45_000;
const POPULAR = "eclairage-energie-consommee";
/** Each step of a request timed this many times alone. */
const PROBE_TIMES = 20;

export async function runOpenDataBench(options: OpenDataOptions): Promise<number> {
  const log = (line: string) => console.error(`[bench opendata] ${line}`);
  const loadBefore = loadavg()[0] ?? 0;
  const idleFrom = machineSample();
  await sleep(2_000);
  const busyBefore = machineCores(idleFrom, machineSample());
  log(
    `${options.devices} devices; ${options.seconds} s per phase, burst ${options.burstSeconds} s ` +
      `(about ${loadSeconds(options)} s of load); load average ${loadBefore.toFixed(2)}, ` +
      `${busyBefore?.toFixed(2) ?? "-"} cores busy before the start`,
  );
  const territory = makeOpenDataTerritory(options.devices);
  let child: ChildHandle | undefined;
  let dataDir: string | undefined;
  const watchdog = setTimeout(() => {
    log(`watchdog: still running after ${WATCHDOG_MS / 60_000} min, stopping`);
    child?.kill();
    rmSync(territory, { recursive: true, force: true });
    process.exit(3);
  }, WATCHDOG_MS);
  watchdog.unref();
  let result: OpenDataResult | undefined;
  try {
    log("starting the platform, recording a year of figures, timing the publisher's day");
    const started = await ChildHandle.start<OpenDataReady>(
      "children/opendata-platform.ts",
      options.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProf}`] : [],
      START_TIMEOUT_MS,
      { LANTERNE_BENCH_TERRITORY: territory, LANTERNE_OPENDATA_RATE: String(RATE_LIMIT) },
    );
    child = started.child;
    const ready = started.ready;
    dataDir = ready.dataDir;
    const channel = channelOf(ready);
    log(
      `platform ready in ${(ready.startMs / 1000).toFixed(1)} s, figures in ${(ready.fillMs / 1000).toFixed(1)} s`,
    );
    const csv = await checkChannel(channel);
    log("timing each step of a request alone (no HTTP, nothing else queued)");
    const large = ready.datasets.filter((d) => d.level === "asset").sort((a, b) => b.figures - a.figures)[0];
    const probe = await child.call<ProbeResult>(
      "probe",
      {
        dataset: channel.popular,
        ...(large ? { large: large.id } : {}),
        year: ready.year,
        n: options.quick ? 5 : PROBE_TIMES,
      } satisfies ProbeArgs,
      120_000,
    );
    result = {
      options,
      rateLimitPerMinute: RATE_LIMIT,
      devices: ready.devices,
      startMs: ready.startMs,
      fillMs: ready.fillMs,
      year: ready.year,
      datasets: ready.datasets,
      rollups: ready.rollups,
      publisher: ready.publisher,
      csv,
      probe,
      phases: [],
      loadBefore,
      ...(busyBefore !== undefined ? { busyBefore } : {}),
      cores: availableParallelism(),
    };
    result.phases = await measure(child, channel, options, log);
    result.recovery = await drain(channel, log);
  } finally {
    clearTimeout(watchdog);
    await child?.stop(30_000);
    rmSync(territory, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(reportLines(result).join("\n"));
  const vs = verdicts(result);
  const passed = vs.every((v) => v.pass);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ bench: "opendata", passed, summary: summaryLine(result, vs), verdicts: vs, ...result })}`,
  );
  return passed ? 0 : 1;
}

function channelOf(ready: OpenDataReady): Channel {
  const daily = ready.datasets.filter((d) => d.granularity === "day" && d.figures > 0);
  const communal = daily.filter((d) => d.level === "commune");
  const popular = communal.find((d) => d.id === POPULAR) ?? communal[0];
  if (!popular) throw new Error("no daily per-commune dataset has figures");
  return {
    base: ready.apiUrl.replace(/\/$/, ""),
    year: ready.year,
    daily: daily.map((d) => d.id),
    popular: popular.id,
  };
}

/** One answer of each kind checked before anything is timed: a full page, a year's CSV. */
async function checkChannel(c: Channel): Promise<{ dataset: string; rows: number; bytes: number }> {
  const page = await getText(c, popularRecordsPath(c));
  const body = JSON.parse(page) as { total?: number; records?: unknown[] };
  if (!body.records || body.records.length === 0 || (body.total ?? 0) < body.records.length) {
    throw new Error(`the popular records page is empty: ${page.slice(0, 200)}`);
  }
  await getText(c, coldRecordsPath(c, 0));
  const text = await getText(c, coldCsvPath(c, 0));
  const year = await getText(c, yearCsvPath(c));
  if (text.length !== year.length) throw new Error("the cold CSV and the year's CSV differ in size");
  const rows = year.split("\n").filter((l) => l.trim() !== "").length - 1;
  return { dataset: c.popular, rows, bytes: Buffer.byteLength(year) };
}

async function getText(c: Channel, path: string): Promise<string> {
  const res = await fetch(`${c.base}${path}`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
  return text;
}

async function measure(
  child: ChildHandle,
  c: Channel,
  o: OpenDataOptions,
  log: (line: string) => void,
): Promise<PhaseResult[]> {
  const phases: PhaseResult[] = [];
  const run = async (spec: Parameters<typeof runPhase>[2]) => {
    const r = await runPhase(child, c.base, spec);
    log(
      `${r.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors, ` +
        `${r.unexpected} unexpected (${JSON.stringify(r.statuses)})`,
    );
    // Sockets of one phase closed before the next one opens its own.
    await sleep(500);
    return r;
  };
  await runPhase(child, c.base, warmupPhase(c, o.clients, WARMUP_S));
  for (const spec of await channelPhases(c, o)) phases.push(await run(spec));
  const ordinary = await run(ordinaryPhase(c, o.visitors, o.visitorRate, o.seconds));
  phases.push(ordinary);
  phases.push(await run(burstPhase(c, o.visitors, o.burstFactor, ordinary.rps, o.burstSeconds)));
  return phases;
}

/** The burst's queued requests served (bounded): no request is left in the platform when it stops. */
async function drain(
  c: Channel,
  log: (line: string) => void,
): Promise<{ ms: number; status: number | undefined }> {
  const r = await recovery(c, RECOVERY_BOUND_MS);
  log(`after the burst, the popular page answered ${r.status ?? "nothing"} in ${Math.round(r.ms)} ms`);
  return r;
}
