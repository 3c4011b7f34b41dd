import { type CannonOptions, type CannonRequest, type CannonResult, cannon } from "./autocannon.ts";
import type { OpenDataChildStats } from "./children/opendata-platform.ts";
import type { ChildHandle } from "./ipc.ts";
import { machineCores, machineSample } from "./metrics.ts";

/**
 * The requests of the open-data benchmark and one measured phase: autocannon against the
 * platform child over keep-alive connections, the child's CPU and event loop over the same time.
 *
 * - cold: every request a query never asked before (another dataset, period, page or bound), no
 *   validator: the channel reads the publication store and writes the answer each time;
 * - cached: the client sends the ETag of an earlier answer (If-None-Match), as a portal, a proxy
 *   or a browser revalidating does; the channel answers 304 from the dataset's version alone;
 * - popular: one URL asked again and again, without a validator (throughput of full answers).
 */
const DAY = 86_400_000;
const PAGE = 100;
/** Distinct URLs whose ETags the cached phases revalidate. */
const CACHED_RECORDS = 50;
const CACHED_CSV = 10;
/** Seconds without an answer before autocannon counts a timeout. */
export const TIMEOUT_S = 10;

export interface Channel {
  base: string;
  year: { from: number; to: number };
  /** Daily datasets the cold record pages rotate over. */
  daily: readonly string[];
  /** The daily per-commune dataset of the CSV downloads and the popular URL. */
  popular: string;
}

export interface PhaseResult {
  key: string;
  name: string;
  connections: number;
  seconds: number;
  /** The status every answer should have. */
  expected: number;
  /** Requests per second asked (rate-limited phases). */
  offeredRate?: number;
  completed: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  errors: number;
  timeouts: number;
  resets: number;
  /** Answers with another status than `expected`, and every status seen. */
  unexpected: number;
  statuses: Record<string, number>;
  bytesPerSecond: number;
  server: OpenDataChildStats;
  /** This process's cores (autocannon), the machine's, and what neither process used (another job). */
  benchCores: number;
  machineCores: number | undefined;
  otherCores?: number;
}

export interface PhaseSpec {
  key: string;
  name: string;
  expected: number;
  options: Omit<CannonOptions, "url" | "timeout">;
}

/** Runs one phase against the child, with its CPU and event loop marked at the start. */
export async function runPhase(child: ChildHandle, base: string, spec: PhaseSpec): Promise<PhaseResult> {
  await child.call("mark");
  const from = machineSample();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const r = await cannon({ url: base, timeout: TIMEOUT_S, ...spec.options });
  const used = process.cpuUsage(cpu);
  const benchCores = (used.user + used.system) / 1000 / (performance.now() - wall);
  const machine = machineCores(from, machineSample());
  const server = await child.call<OpenDataChildStats>("stats");
  return summarize(spec, r, server, { machine, bench: benchCores });
}

function summarize(
  spec: PhaseSpec,
  r: CannonResult,
  server: OpenDataChildStats,
  cores: { machine: number | undefined; bench: number },
): PhaseResult {
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats).map(([s, v]) => [s, v.count]));
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  const seconds = r.duration > 0 ? r.duration : spec.options.duration;
  return {
    key: spec.key,
    name: spec.name,
    connections: spec.options.connections,
    seconds,
    expected: spec.expected,
    ...(spec.options.overallRate !== undefined ? { offeredRate: spec.options.overallRate } : {}),
    completed: r.requests.total,
    rps: r.requests.total / seconds,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    mean: r.latency.average,
    errors: r.errors,
    timeouts: r.timeouts,
    resets: r.resets,
    unexpected: answered - (statuses[String(spec.expected)] ?? 0),
    statuses,
    bytesPerSecond: r.throughput.total / seconds,
    server,
    benchCores: cores.bench,
    machineCores: cores.machine,
    ...(cores.machine !== undefined
      ? { otherCores: Math.max(0, cores.machine - cores.bench - server.usage.cores) }
      : {}),
  };
}

/** Requests of one connection's loop: a new URL each time from a counter shared by every connection. */
function distinct(url: (i: number) => string): CannonRequest[] {
  let next = 0;
  return [{ method: "GET", setupRequest: (request) => ({ ...request, path: url(next++) }) }];
}

/**
 * The i-th cold records page: datasets in turn, a window of 28 to 34 days starting anywhere in the
 * year, one of its first pages; `from` moved i ms earlier (before any period of that day's start
 * changes), so that no two requests are the same URL.
 */
export function coldRecordsPath(c: Channel, i: number): string {
  const dataset = c.daily[i % c.daily.length] as string;
  const round = Math.floor(i / c.daily.length);
  const days = 28 + (round % 7);
  const start = c.year.from + ((round * 37) % (365 - days)) * DAY;
  const offset = (round % 3) * PAGE;
  return (
    `/opendata/datasets/${dataset}/records?from=${start - (i % DAY) - 1}&to=${start + days * DAY}` +
    `&limit=${PAGE}&offset=${offset}`
  );
}

/** The i-th cold CSV download: the year of the popular dataset, `from` moved i + 1 ms earlier. */
export function coldCsvPath(c: Channel, i: number): string {
  return `/opendata/datasets/${c.popular}/data.csv?from=${c.year.from - (i % DAY) - 1}&to=${c.year.to}`;
}

export function popularRecordsPath(c: Channel): string {
  return `/opendata/datasets/${c.popular}/records?limit=${PAGE}`;
}

export function yearCsvPath(c: Channel): string {
  return `/opendata/datasets/${c.popular}/data.csv?from=${c.year.from}&to=${c.year.to}`;
}

/** What a visitor sent by a news item asks: the dataset's page, its first records, its CSV. */
export function visitorRequests(c: Channel): CannonRequest[] {
  return [`/opendata/datasets/${c.popular}`, popularRecordsPath(c), yearCsvPath(c)].map((path) => ({
    method: "GET",
    path,
  }));
}

/** Asks each path once and keeps its ETag: the requests of a cached phase send it back. */
export async function revalidating(base: string, paths: readonly string[]): Promise<CannonRequest[]> {
  const out: CannonRequest[] = [];
  for (const path of paths) {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    const etag = res.headers.get("etag");
    if (res.status !== 200 || etag === null) throw new Error(`${path}: ${res.status}, ETag ${etag}`);
    out.push({ method: "GET", path, headers: { "if-none-match": etag } });
  }
  return out;
}

export interface PhaseSizes {
  seconds: number;
  clients: number;
  connections: number;
}

/** The latency and throughput phases, in their order (cold numbers never follow their own cached ones). */
export async function channelPhases(c: Channel, s: PhaseSizes): Promise<PhaseSpec[]> {
  const cachedRecords = await revalidating(
    c.base,
    Array.from({ length: CACHED_RECORDS }, (_, i) => coldRecordsPath(c, 1_000_000 + i)),
  );
  const cachedCsv = await revalidating(
    c.base,
    Array.from({ length: CACHED_CSV }, (_, i) => coldCsvPath(c, 1_000_000 + i)),
  );
  const popularCached = await revalidating(c.base, [popularRecordsPath(c)]);
  const latency = { connections: s.clients, duration: s.seconds };
  const throughput = { connections: s.connections, duration: s.seconds };
  return [
    {
      key: "records-cold",
      name: "records page, cold (each query new)",
      expected: 200,
      options: { ...latency, requests: distinct((i) => coldRecordsPath(c, i)) },
    },
    {
      key: "records-cached",
      name: `records page, cached (If-None-Match, ${CACHED_RECORDS} URLs)`,
      expected: 304,
      options: { ...latency, requests: cachedRecords },
    },
    {
      key: "records-popular",
      name: "records page, one popular URL (full answers)",
      expected: 200,
      options: { ...throughput, requests: [{ method: "GET", path: popularRecordsPath(c) }] },
    },
    {
      key: "records-popular-cached",
      name: "records page, one popular URL, cached",
      expected: 304,
      options: { ...throughput, requests: popularCached },
    },
    {
      key: "csv-cold",
      name: "CSV of a year, cold (each query new)",
      expected: 200,
      options: { ...latency, requests: distinct((i) => coldCsvPath(c, i)) },
    },
    {
      key: "csv-cached",
      name: `CSV of a year, cached (If-None-Match, ${CACHED_CSV} URLs)`,
      expected: 304,
      options: { ...latency, requests: cachedCsv },
    },
    {
      key: "csv-popular",
      name: "CSV of a year, one popular URL (full answers)",
      expected: 200,
      options: { ...throughput, requests: [{ method: "GET", path: yearCsvPath(c) }] },
    },
  ];
}

/** Before the measures: cold pages and CSVs of URLs the measured phases never ask. */
export function warmupPhase(c: Channel, clients: number, seconds: number): PhaseSpec {
  const url = (i: number) =>
    i % 4 === 3 ? coldCsvPath(c, 2_000_000 + i) : coldRecordsPath(c, 2_000_000 + i);
  return {
    key: "warmup",
    name: "warm-up",
    expected: 200,
    options: { connections: clients, duration: seconds, requests: distinct(url) },
  };
}

/** The ordinary load: each visitor's connection paced at `rate` requests per second. */
export function ordinaryPhase(c: Channel, visitors: number, rate: number, seconds: number): PhaseSpec {
  return {
    key: "ordinary",
    name: `ordinary load: ${visitors} visitors at ${rate}/s each`,
    expected: 200,
    options: {
      connections: visitors,
      connectionRate: rate,
      duration: seconds,
      requests: visitorRequests(c),
      ignoreCoordinatedOmission: true,
    },
  };
}

/**
 * The burst: `factor` times the ordinary load's measured rate, from `factor` times as many
 * visitors. autocannon paces each connection per second of its own, and they all start together:
 * at the start of each second every visitor asks at once, which is what a news item does.
 */
export function burstPhase(
  c: Channel,
  visitors: number,
  factor: number,
  ordinaryRate: number,
  seconds: number,
): PhaseSpec {
  const rate = Math.max(1, Math.round(ordinaryRate * factor));
  return {
    key: "burst",
    name: `burst: ${factor}x the ordinary rate, ${visitors * factor} visitors`,
    expected: 200,
    options: {
      connections: visitors * factor,
      overallRate: rate,
      duration: seconds,
      requests: visitorRequests(c),
      ignoreCoordinatedOmission: true,
    },
  };
}

/**
 * After the burst: how long the popular page takes to answer again. The store's reads run one at
 * a time in arrival order, so this answer comes once the burst's queued requests are served.
 */
export async function recovery(
  c: Channel,
  boundMs: number,
): Promise<{ ms: number; status: number | undefined }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${c.base}${popularRecordsPath(c)}`, { signal: AbortSignal.timeout(boundMs) });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  } catch {
    return { ms: performance.now() - t0, status: undefined };
  }
}
