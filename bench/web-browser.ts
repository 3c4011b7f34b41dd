import type { Browser, BrowserContext, CDPSession, Page, Request } from "playwright-core";
import { DEMO_SECRETS } from "../territory/ccphva/demo-secrets.ts";
import { logInThroughForm } from "../test/helpers/browser.ts";
import { sleep } from "./metrics.ts";
import {
  type AloneCall,
  type ApiCall,
  apiRoute,
  type PagePath,
  type PageRun,
  resourceRoute,
} from "./web-report.ts";

/**
 * One cold load of a page in the real browser: a new context (empty cache) holding only the
 * session cookie, the navigation, and the wait for the page's `data-ready` (set once its first
 * complete draw is done). Three views of the same load:
 *   - the page's own clock: `data-ready` time, DOMContentLoaded, Resource Timing of every
 *     resource, long tasks (a script injected before the page's, through DevTools, which the
 *     page's CSP does not govern);
 *   - DevTools' Network domain: bytes on the wire per response (encodedDataLength: headers and
 *     body as sent), content-encoding;
 *   - Playwright's request timing: each API call's duration, request start to last byte.
 */

export type Session = Awaited<ReturnType<BrowserContext["storageState"]>>;

const USER = "technicien";
/** After `data-ready`, the load is over when no request has been in flight this long (bounded). */
const QUIET_MS = 300;
const QUIET_BOUND_MS = 5_000;

const PROBE = `(() => {
  const w = window;
  w.__benchReady = null;
  w.__benchLong = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__benchLong.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {}
  const seen = () => {
    if (w.__benchReady === null && document.body && document.body.dataset.ready === "true")
      w.__benchReady = performance.now();
  };
  new MutationObserver(seen).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-ready"] });
})();`;

const COLLECT = `(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const ready = window.__benchReady;
  const long = window.__benchLong.filter(([start]) => start < ready).map(([, d]) => d);
  return {
    ready,
    dcl: nav ? nav.domContentLoadedEventEnd : 0,
    long: long.reduce((a, b) => a + b, 0),
    longest: long.reduce((a, b) => Math.max(a, b), 0),
    drawn: document.querySelectorAll(".map-mark").length + document.querySelectorAll("#alerts > li").length,
    resources: [nav, ...performance.getEntriesByType("resource")].filter(Boolean).map((e) => ({
      url: e.name,
      start: e.startTime,
      wait: e.responseStart > 0 ? e.responseStart - (e.requestStart || e.startTime) : 0,
      end: e.responseEnd,
      body: e.encodedBodySize,
    })),
  };
})()`;

interface Collected {
  ready: number;
  dcl: number;
  long: number;
  longest: number;
  drawn: number;
  resources: Array<{ url: string; start: number; wait: number; end: number; body: number }>;
}

/** Logs the technician in through the login form and returns the session (its cookie). */
export async function logIn(browser: Browser, base: string): Promise<Session> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logInThroughForm(page, base, { kind: "staff", identifier: USER, secret: DEMO_SECRETS[USER] });
    await page.waitForURL((url) => !url.pathname.startsWith("/connexion"), { timeout: 15_000 });
    const state = await context.storageState();
    if (state.cookies.length === 0) throw new Error("the login left no session cookie");
    return state;
  } finally {
    await context.close();
  }
}

/** Byte counts of one load, from the DevTools protocol. */
class WireMeter {
  bytes = 0;
  bodyBytes = 0;
  compressed = 0;
  requests = 0;
  private readonly inFlight = new Set<string>();
  private readonly streams = new Set<string>();
  private readonly headerBytes = new Map<string, number>();
  lastChange = Date.now();

  constructor(cdp: CDPSession) {
    cdp.on("Network.requestWillBeSent", (e) => {
      if (e.type === "EventSource") this.streams.add(e.requestId);
      else this.inFlight.add(e.requestId);
      this.lastChange = Date.now();
    });
    cdp.on("Network.responseReceived", (e) => {
      const h = e.response.headers;
      const encoding = h["content-encoding"] ?? h["Content-Encoding"];
      if (encoding && encoding !== "identity" && !this.streams.has(e.requestId)) this.compressed++;
      this.headerBytes.set(e.requestId, e.response.encodedDataLength ?? 0);
    });
    cdp.on("Network.loadingFinished", (e) => {
      this.finish(e.requestId);
      this.requests++;
      this.bytes += e.encodedDataLength;
      this.bodyBytes += Math.max(0, e.encodedDataLength - (this.headerBytes.get(e.requestId) ?? 0));
    });
    cdp.on("Network.loadingFailed", (e) => this.finish(e.requestId));
  }

  private finish(id: string): void {
    this.inFlight.delete(id);
    this.lastChange = Date.now();
  }

  /** Waits until nothing but the live stream has been in flight for QUIET_MS (bounded). */
  async quiet(): Promise<void> {
    const until = Date.now() + QUIET_BOUND_MS;
    while (Date.now() < until) {
      if (this.inFlight.size === 0 && Date.now() - this.lastChange >= QUIET_MS) return;
      await sleep(25);
    }
  }
}

/**
 * Polls the page for its `data-ready` time. (waitForFunction would evaluate a string inside
 * the page, which its CSP forbids; an evaluation through DevTools is not governed by it.)
 */
async function waitReady(tab: Page, deadline: number): Promise<void> {
  for (;;) {
    if ((await tab.evaluate("window.__benchReady !== null")) === true) return;
    if (performance.now() > deadline) throw new Error("no data-ready before the timeout");
    await sleep(10);
  }
}

export async function measureLoad(
  browser: Browser,
  base: string,
  session: Session,
  page: PagePath,
  run: number,
  timeoutMs: number,
): Promise<PageRun> {
  const context = await browser.newContext({ storageState: session });
  try {
    const tab = await context.newPage();
    tab.setDefaultTimeout(timeoutMs);
    await tab.addInitScript(PROBE);
    const cdp = await context.newCDPSession(tab);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
    const wire = new WireMeter(cdp);
    const api: ApiCall[] = [];
    const statuses = new WeakMap<Request, number>();
    tab.on("response", (r) => statuses.set(r.request(), r.status()));
    tab.on("requestfinished", (request) => {
      const route = apiRoute(request.url());
      if (route === null) return;
      const timing = request.timing();
      if (timing.responseEnd >= 0)
        api.push({ route, url: request.url(), ms: timing.responseEnd, status: statuses.get(request) ?? 0 });
    });
    const started = performance.now();
    await tab.goto(`${base}${page}`, { waitUntil: "commit", timeout: timeoutMs });
    if (new URL(tab.url()).pathname !== page) throw new Error(`${page} led to ${tab.url()}`);
    await waitReady(tab, started + timeoutMs);
    const wallMs = performance.now() - started;
    await wire.quiet();
    const c = (await tab.evaluate(COLLECT)) as Collected;
    const refused = api.filter((a) => a.status >= 400);
    if (refused.length > 0)
      throw new Error(`API refused: ${refused.map((a) => `${a.route} ${a.status}`).join(", ")}`);
    return {
      page,
      run,
      readyMs: c.ready,
      wallMs,
      domContentLoadedMs: c.dcl,
      bytes: wire.bytes,
      bodyBytes: wire.bodyBytes,
      compressed: wire.compressed,
      requests: wire.requests,
      longTasksMs: c.long,
      longestTaskMs: c.longest,
      resources: c.resources
        .filter((r) => !r.url.includes("/api/v1/events"))
        .map((r) => ({
          route: resourceRoute(r.url),
          startMs: r.start,
          waitMs: r.wait,
          endMs: r.end,
          bodyBytes: r.body,
        })),
      api,
      drawn: c.drawn,
    };
  } finally {
    await context.close();
  }
}

/**
 * Each distinct call (by route), made `times` times in turn from Node with the session's cookie:
 * what a call costs when nothing else is queued on the platform.
 */
export async function callsAlone(
  session: Session,
  urls: readonly string[],
  times: number,
): Promise<AloneCall[]> {
  const cookie = session.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const byRoute = new Map<string, string>();
  for (const url of urls) {
    const route = resourceRoute(url);
    if (!byRoute.has(route)) byRoute.set(route, url);
  }
  const out: AloneCall[] = [];
  for (const [route, url] of byRoute) {
    const ms: number[] = [];
    const headersMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      const res = await fetch(url, { headers: { cookie }, signal: AbortSignal.timeout(30_000) });
      headersMs.push(performance.now() - t0);
      const body = await res.arrayBuffer();
      ms.push(performance.now() - t0);
      if (!res.ok) throw new Error(`${route} answered ${res.status}`);
      bytes = body.byteLength;
    }
    out.push({ route, ms, headersMs, bytes });
  }
  return out;
}
