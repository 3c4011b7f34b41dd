import { rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../test/helpers/browser.ts";
import { fleetIds } from "./alerts-fleet.ts";
import type { AlertsChildStats } from "./children/alerts-platform.ts";
import { ChildHandle } from "./ipc.ts";
import { machineCores, machineSample, sleep } from "./metrics.ts";
import type { WebOptions } from "./web-args.ts";
import { callsAlone, logIn, measureLoad } from "./web-browser.ts";
import { feedFleet } from "./web-feed.ts";
import { makeWebTerritory } from "./web-fleet.ts";
import { PAGES, reportLines, summaryLine, verdicts, type WebResult } from "./web-report.ts";

/**
 * `npm run bench -- web`: the supervision pages in the real browser (Debian's Chromium, headless)
 * over a platform holding a fleet of 20,000 assets, each with one reading, and a few open alerts.
 * The platform runs in a child process (the alerts benchmark's, on a territory of the same kind
 * with the assets spread over the demo communes); the browser logs the technician in once, then
 * each run loads /carte and /alertes cold (new context each: empty cache, only the session cookie)
 * and measures navigation to interactive, bytes on the wire and every API call behind the page.
 */
const PAGE_TIMEOUT_MS = 30_000;
const FEED_BOUND_MS = 120_000;
/** Each API call made this many times alone, after the loads. */
const ALONE_TIMES = 5;

export async function runWebBench(options: WebOptions): Promise<number> {
  const log = (line: string) => console.error(`[bench web] ${line}`);
  const ids = fleetIds(options.devices);
  const territory = makeWebTerritory(ids);
  const result: WebResult = {
    options,
    fed: { readings: 0, faults: 0, durable: 0, raised: 0, ms: 0 },
    runs: [],
    failures: [],
    stoppedEarly: false,
    alone: [],
  };
  let child: ChildHandle | undefined;
  let dataDir: string | undefined;
  let browser: Browser | undefined;
  try {
    log(`starting the platform on ${options.devices} assets`);
    const started = await ChildHandle.start<{ mqttPort: number; apiUrl: string; dataDir: string }>(
      "children/alerts-platform.ts",
      [],
      180_000,
      { LANTERNE_BENCH_TERRITORY: territory, LANTERNE_BENCH_RULES: "on" },
    );
    child = started.child;
    dataDir = started.ready.dataDir;
    const base = started.ready.apiUrl.replace(/\/$/, "");
    log(`feeding one reading per asset and ${options.alerts} fault readings`);
    const fed = await feedFleet(`mqtt://127.0.0.1:${started.ready.mqttPort}`, ids, options.alerts);
    const stats = await waitStored(child, fed.readings + fed.faults.length, fed.faults.length);
    result.fed = {
      readings: fed.readings,
      faults: fed.faults.length,
      durable: stats.durable,
      raised: stats.rules.raised,
      ms: fed.ms,
    };
    log(`${stats.durable} readings stored, ${stats.rules.raised} alerts raised; launching Chromium`);
    browser = await launchBrowser();
    const session = await logIn(browser, base);
    const deadline = Date.now() + options.budgetSeconds * 1000;
    await child.call("mark");
    const machineFrom = machineSample();
    for (let run = 0; run < options.runs; run++) {
      for (const page of PAGES) {
        if (Date.now() > deadline) {
          result.stoppedEarly = true;
          break;
        }
        try {
          const load = await measureLoad(browser, base, session, page, run, PAGE_TIMEOUT_MS);
          result.runs.push(load);
          log(`${page} #${run + 1}: interactive in ${Math.round(load.readyMs)} ms, ${load.bytes} bytes`);
        } catch (err) {
          const error = (err as Error)?.stack ?? String(err);
          log(`${page} #${run + 1} FAILED: ${error}`);
          result.failures.push({ page, run, error });
        }
      }
      if (result.stoppedEarly) break;
    }
    const during = await child.call<AlertsChildStats>("stats");
    result.platform = {
      platformCores: during.usage.cores,
      peakRssMb: during.usage.peakRssMb,
      eventLoopP99Ms: during.eventLoopP99,
      eventLoopMaxMs: during.eventLoopMax,
      machineCores: machineCores(machineFrom, machineSample()),
      cores: availableParallelism(),
    };
    log("the pages' calls one at a time");
    try {
      const urls = result.runs.flatMap((r) => r.api.map((a) => a.url));
      const assets = ["/carte", "/assets/js/map.js", "/assets/css/lanterne.css"].map((p) => `${base}${p}`);
      result.alone = await callsAlone(session, [...assets, ...urls], ALONE_TIMES);
    } catch (err) {
      const error = (err as Error)?.stack ?? String(err);
      log(`calls one at a time FAILED: ${error}`);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await child?.stop(30_000);
    rmSync(territory, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(reportLines(result).join("\n"));
  const vs = verdicts(result);
  const passed = result.failures.length === 0 && vs.every((v) => v.pass);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ bench: "web", passed, summary: summaryLine(result, vs), verdicts: vs, ...result })}`,
  );
  return passed ? 0 : 1;
}

/** Waits until the readings are stored and the alerts raised (bounded), and returns the figures. */
async function waitStored(child: ChildHandle, readings: number, alerts: number): Promise<AlertsChildStats> {
  const until = Date.now() + FEED_BOUND_MS;
  for (;;) {
    const stats = await child.call<AlertsChildStats>("stats");
    const done = stats.durable >= readings && stats.pending === 0 && stats.rules.raised >= alerts;
    if (done || Date.now() > until) {
      await child.call<boolean>("settle", 30_000, 40_000);
      return child.call<AlertsChildStats>("stats");
    }
    await sleep(200);
  }
}
