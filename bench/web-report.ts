import type { WebOptions } from "./web-args.ts";

/** Figures of the web benchmark: what one cold page load gives, their summary, targets and report. */

export const TARGETS = {
  /** Navigation to the page's first complete draw (its `data-ready`), median of the cold loads. */
  interactiveMs: 2_000,
  /** Bytes on the wire for one cold load of a page (every response, headers included). */
  firstLoadBytes: 1_500_000,
  /** Every API call of the pages' loads (the live stream aside), 99th percentile. */
  apiP99Ms: 50,
};

export const PAGES = ["/carte", "/alertes"] as const;
export type PagePath = (typeof PAGES)[number];

/** One API call seen by the browser: its route, duration, and the server's share of it. */
export interface ApiCall {
  route: string;
  url: string;
  /** Request start to the last byte of the response (Playwright's request timing). */
  ms: number;
  status: number;
}

/** A resource of the page as Resource Timing sees it (ms since the navigation started). */
export interface ResourceTiming {
  route: string;
  startMs: number;
  /** Time to first byte from sending the request: the server's work plus loopback. */
  waitMs: number;
  endMs: number;
  bodyBytes: number;
}

export interface PageRun {
  page: PagePath;
  run: number;
  /** Navigation start to `data-ready`, from the page's clock. */
  readyMs: number;
  /** `page.goto` called to `data-ready` seen, from the benchmark's clock. */
  wallMs: number;
  domContentLoadedMs: number;
  /** Bytes on the wire (CDP encodedDataLength: headers and body, as sent: the server does not compress). */
  bytes: number;
  /** Response bodies alone, and how many were compressed. */
  bodyBytes: number;
  compressed: number;
  requests: number;
  /** Main-thread tasks over 50 ms before `data-ready`: their total and the longest. */
  longTasksMs: number;
  longestTaskMs: number;
  resources: ResourceTiming[];
  api: ApiCall[];
  /** What the page drew: markers (map) or alert items (desk). */
  drawn: number;
}

/** The same API calls made one at a time from Node (no other call queued on the platform). */
export interface AloneCall {
  route: string;
  ms: number[];
  /** Request sent to the response's headers: the server's work before it sends the body. */
  headersMs: number[];
  bytes: number;
}

export interface PageFailure {
  page: PagePath;
  run: number;
  error: string;
}

export interface WebResult {
  options: WebOptions;
  fed: { readings: number; faults: number; durable: number; raised: number; ms: number };
  runs: PageRun[];
  failures: PageFailure[];
  stoppedEarly: boolean;
  alone: AloneCall[];
  /**
   * Over the loads: the platform process's CPU (cores), RSS peak and how long its event loop was
   * held; the whole machine's busy cores (every process, the browser's and any other) of `cores`.
   */
  platform?: {
    platformCores: number;
    peakRssMb: number;
    eventLoopP99Ms: number;
    eventLoopMaxMs: number;
    machineCores: number | undefined;
    cores: number;
  };
}

export interface Spread {
  n: number;
  p50: number | undefined;
  p99: number | undefined;
  max: number | undefined;
}

/** Nearest-rank percentile (q in 0..1); undefined without samples. */
export function percentile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function spread(samples: readonly number[]): Spread {
  return {
    n: samples.length,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: samples.length === 0 ? undefined : Math.max(...samples),
  };
}

/** The live stream stays open as long as the page: it is no call to time. */
export const STREAM_PATH = "/api/v1/events";

/**
 * A URL's route for the tables, or null when it is not an API call: the path, numbers replaced by
 * `:id`, and the names of the query's parameters (not their values), sorted.
 */
export function apiRoute(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!u.pathname.startsWith("/api/") || u.pathname === STREAM_PATH) return null;
  return routeOf(u);
}

/** Any URL's route (path with `:id` for numbers, then the query's parameter names). */
export function resourceRoute(url: string): string {
  try {
    return routeOf(new URL(url));
  } catch {
    return url;
  }
}

function routeOf(u: URL): string {
  const path = u.pathname.replace(/\/\d+(?=\/|$)/g, "/:id");
  const keys = [...new Set(u.searchParams.keys())].sort();
  return keys.length === 0 ? path : `${path}?${keys.map((k) => `${k}=`).join("&")}`;
}

export interface PageSummary {
  page: PagePath;
  loads: number;
  ready: Spread;
  wall: Spread;
  bytes: Spread;
  drawn: number | undefined;
}

export function pageSummary(runs: readonly PageRun[], page: PagePath): PageSummary {
  const mine = runs.filter((r) => r.page === page);
  return {
    page,
    loads: mine.length,
    ready: spread(mine.map((r) => r.readyMs)),
    wall: spread(mine.map((r) => r.wallMs)),
    bytes: spread(mine.map((r) => r.bytes)),
    drawn: percentile(
      mine.map((r) => r.drawn),
      0.5,
    ),
  };
}

/** Durations per API route over every load, slowest p99 first. */
export function apiSummary(runs: readonly PageRun[]): Array<{ route: string } & Spread> {
  const by = new Map<string, number[]>();
  for (const call of runs.flatMap((r) => r.api)) {
    const list = by.get(call.route) ?? [];
    list.push(call.ms);
    by.set(call.route, list);
  }
  return [...by.entries()]
    .map(([route, ms]) => ({ route, ...spread(ms) }))
    .sort((a, b) => (b.p99 ?? 0) - (a.p99 ?? 0));
}

export interface Verdict {
  name: string;
  target: string;
  value: string;
  pass: boolean;
}

export function verdicts(result: WebResult): Verdict[] {
  const out: Verdict[] = [];
  for (const page of PAGES) {
    const s = pageSummary(result.runs, page);
    out.push({
      name: `${page} interactive (median of ${s.loads} cold loads)`,
      target: `< ${TARGETS.interactiveMs} ms`,
      value: ms(s.ready.p50),
      pass: s.ready.p50 !== undefined && s.ready.p50 < TARGETS.interactiveMs,
    });
    out.push({
      name: `${page} bytes on first load (largest)`,
      target: `< ${mbText(TARGETS.firstLoadBytes)}`,
      value: s.bytes.max === undefined ? "-" : mbText(s.bytes.max),
      pass: s.bytes.max !== undefined && s.bytes.max < TARGETS.firstLoadBytes,
    });
  }
  const all = result.runs.flatMap((r) => r.api.map((a) => a.ms));
  const p99 = percentile(all, 0.99);
  out.push({
    name: `API p99 (${all.length} calls, stream aside)`,
    target: `< ${TARGETS.apiP99Ms} ms`,
    value: ms(p99),
    pass: p99 !== undefined && p99 < TARGETS.apiP99Ms,
  });
  return out;
}

export function summaryLine(result: WebResult, vs: readonly Verdict[]): string {
  const map = pageSummary(result.runs, "/carte");
  const desk = pageSummary(result.runs, "/alertes");
  const failed = vs.filter((v) => !v.pass).length + result.failures.length;
  return (
    `web ${fmt(result.options.devices)} assets: /carte ${ms(map.ready.p50)} (${mbText(map.bytes.max)}), ` +
    `/alertes ${ms(desk.ready.p50)} (${mbText(desk.bytes.max)}), API p99 ${vs.at(-1)?.value ?? "-"}: ` +
    (failed === 0 ? "all PASS" : `${failed} FAIL`)
  );
}

/** Medians over the loads of one page: where its time goes, resource by resource. */
export function breakdown(runs: readonly PageRun[], page: PagePath): string[] {
  const mine = runs.filter((r) => r.page === page);
  if (mine.length === 0) return [];
  const med = (xs: number[]) => percentile(xs, 0.5) ?? 0;
  const routes = [...new Set(mine.flatMap((r) => r.resources.map((x) => x.route)))];
  const rows = routes.map((route) => {
    const of = mine.flatMap((r) => r.resources.filter((x) => x.route === route));
    return {
      route,
      start: med(of.map((x) => x.startMs)),
      wait: med(of.map((x) => x.waitMs)),
      end: med(of.map((x) => x.endMs)),
      bytes: med(of.map((x) => x.bodyBytes)),
    };
  });
  rows.sort((a, b) => a.start - b.start);
  const ready = med(mine.map((r) => r.readyMs));
  const lastApi = rows.filter((r) => r.route.startsWith("/api/")).reduce((m, r) => Math.max(m, r.end), 0);
  const lines = [
    `${page}: where the time goes (medians, ms since navigation start)`,
    `  ${"resource".padEnd(40)} ${"start".padStart(7)} ${"server".padStart(7)} ${"end".padStart(7)} ${"body".padStart(10)}`,
    ...rows.map(
      (r) =>
        `  ${r.route.padEnd(40)} ${r.start.toFixed(0).padStart(7)} ${r.wait.toFixed(0).padStart(7)} ` +
        `${r.end.toFixed(0).padStart(7)} ${kb(r.bytes).padStart(10)}`,
    ),
    `  DOMContentLoaded ${med(mine.map((r) => r.domContentLoadedMs)).toFixed(0)} ms, last API response ` +
      `${lastApi.toFixed(0)} ms, data-ready ${ready.toFixed(0)} ms: ${Math.max(0, ready - lastApi).toFixed(0)} ms ` +
      `in the browser after the last API answer (parse, draw); long tasks ${med(mine.map((r) => r.longTasksMs)).toFixed(0)} ms ` +
      `(longest ${med(mine.map((r) => r.longestTaskMs)).toFixed(0)} ms)`,
  ];
  return lines;
}

export function reportLines(result: WebResult): string[] {
  const vs = verdicts(result);
  const f = result.fed;
  const lines = [
    `web: ${fmt(result.options.devices)} assets, ${fmt(f.readings)} readings and ${f.faults} fault readings fed in ` +
      `${(f.ms / 1000).toFixed(1)} s (${fmt(f.durable)} stored, ${f.raised} alerts raised); ` +
      `${result.options.runs} cold loads per page (new browser context each, empty cache, logged-in cookie)`,
    "",
    `${"page".padEnd(10)} ${"loads".padStart(5)} ${"ready p50".padStart(10)} ${"ready max".padStart(10)} ` +
      `${"wall p50".padStart(10)} ${"bytes max".padStart(10)} ${"drawn".padStart(6)}`,
    ...PAGES.map((page) => {
      const s = pageSummary(result.runs, page);
      return (
        `${page.padEnd(10)} ${String(s.loads).padStart(5)} ${ms(s.ready.p50).padStart(10)} ${ms(s.ready.max).padStart(10)} ` +
        `${ms(s.wall.p50).padStart(10)} ${mbText(s.bytes.max).padStart(10)} ${String(s.drawn ?? "-").padStart(6)}`
      );
    }),
    "  (drawn: markers and clusters on the map, alert items on the desk)",
    "",
    "each load: ready ms / bytes on the wire (bodies; compressed responses)",
    ...result.runs.map(
      (r) =>
        `  ${r.page.padEnd(9)} #${r.run + 1}: ${ms(r.readyMs)} / ${mbText(r.bytes)} (${mbText(r.bodyBytes)}; ` +
        `${r.compressed} of ${r.requests})`,
    ),
    "",
    `API calls behind the pages (browser-side durations, request start to last byte):`,
    `  ${"route".padEnd(40)} ${"n".padStart(4)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"max".padStart(8)}`,
    ...apiSummary(result.runs).map(
      (a) =>
        `  ${a.route.padEnd(40)} ${String(a.n).padStart(4)} ${ms(a.p50).padStart(8)} ${ms(a.p99).padStart(8)} ${ms(a.max).padStart(8)}`,
    ),
    ...(result.platform ? [platformLine(result.platform)] : []),
    ...aloneLines(result.alone),
    "",
    ...breakdown(result.runs, "/carte"),
    ...breakdown(result.runs, "/alertes"),
    "",
    ...result.failures.map((x) => `FAILED ${x.page} #${x.run + 1}: ${x.error.split("\n")[0]}`),
    ...(result.stoppedEarly ? ["the time budget ran out: fewer loads than asked"] : []),
    ...vs.map((v) => `${v.pass ? "PASS" : "FAIL"}  ${v.name}: ${v.value} (target ${v.target})`),
  ];
  return lines;
}

function platformLine(p: NonNullable<WebResult["platform"]>): string {
  const machine = p.machineCores === undefined ? "-" : p.machineCores.toFixed(2);
  return (
    `over the loads: platform process ${p.platformCores.toFixed(2)} cores, RSS peak ${fmt(p.peakRssMb)} MB, ` +
    `event loop delay p99 ${p.eventLoopP99Ms} ms, max ${p.eventLoopMaxMs} ms; whole machine ${machine} of ${p.cores} cores busy`
  );
}

function aloneLines(alone: readonly AloneCall[]): string[] {
  if (alone.length === 0) return [];
  const head = ["n", "headers", "p50", "max", "body"];
  return [
    "",
    "the same calls one at a time from Node after the loads, session cookie (nothing else queued):",
    `  ${"route".padEnd(40)} ${head.map((h, i) => h.padStart(i === 0 ? 4 : i === 4 ? 10 : 8)).join(" ")}`,
    ...alone.map((a) => {
      const s = spread(a.ms);
      const h = percentile(a.headersMs, 0.5);
      return (
        `  ${a.route.padEnd(40)} ${String(s.n).padStart(4)} ${ms(h).padStart(8)} ${ms(s.p50).padStart(8)} ` +
        `${ms(s.max).padStart(8)} ${kb(a.bytes).padStart(10)}`
      );
    }),
    "  (headers: p50 of request sent to headers received, the server's work before the body)",
  ];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function ms(n: number | undefined): string {
  return n === undefined ? "-" : `${Math.round(n)} ms`;
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function mbText(bytes: number | undefined): string {
  return bytes === undefined ? "-" : `${(bytes / 1_000_000).toFixed(2)} MB`;
}
