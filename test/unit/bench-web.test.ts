import { describe, expect, it } from "vitest";
import { parseWebOptions } from "../../bench/web-args.ts";
import { faultIndexes } from "../../bench/web-feed.ts";
import { spreadInventory, spreadPosition, unit } from "../../bench/web-fleet.ts";
import {
  apiRoute,
  apiSummary,
  breakdown,
  type PageRun,
  pageSummary,
  percentile,
  resourceRoute,
  summaryLine,
  TARGETS,
  verdicts,
  type WebResult,
} from "../../bench/web-report.ts";

const run = (page: PageRun["page"], readyMs: number, over: Partial<PageRun> = {}): PageRun => ({
  page,
  run: 0,
  readyMs,
  wallMs: readyMs + 20,
  domContentLoadedMs: 100,
  bytes: 500_000,
  bodyBytes: 480_000,
  compressed: 0,
  requests: 8,
  longTasksMs: 0,
  longestTaskMs: 0,
  resources: [
    { route: "/api/v1/devices?at=", startMs: 300, waitMs: 200, endMs: readyMs - 100, bodyBytes: 400_000 },
  ],
  api: [{ route: "/api/v1/me", url: "http://127.0.0.1/api/v1/me", ms: 5, status: 200 }],
  drawn: 10,
  ...over,
});

const result = (runs: PageRun[]): WebResult => ({
  options: { devices: 20_000, runs: 1, alerts: 12, budgetSeconds: 300, quick: false },
  fed: { readings: 20_000, faults: 12, durable: 20_012, raised: 12, ms: 1_000 },
  runs,
  failures: [],
  stoppedEarly: false,
  alone: [],
});

describe("web benchmark: options, fleet and figures", () => {
  it("reads its options, with smaller defaults for --quick", () => {
    expect(parseWebOptions([])).toMatchObject({ devices: 20_000, runs: 5, alerts: 12 });
    expect(parseWebOptions(["--quick"])).toMatchObject({ devices: 2_000, runs: 2 });
    expect(parseWebOptions(["--runs", "3", "--devices=500"])).toMatchObject({ runs: 3, devices: 500 });
    expect(() => parseWebOptions(["--runs", "0"])).toThrow(/--runs/);
    expect(() => parseWebOptions(["--nope"])).toThrow();
  });

  it("names API routes by path and parameter names, the live stream and pages aside", () => {
    expect(apiRoute("http://h/api/v1/devices?at=2026-01-01T00%3A00%3A00Z")).toBe("/api/v1/devices?at=");
    expect(apiRoute("http://h/api/v1/alerts?status=open&limit=100")).toBe("/api/v1/alerts?limit=&status=");
    expect(apiRoute("http://h/api/v1/alerts/42/comments")).toBe("/api/v1/alerts/:id/comments");
    expect(apiRoute("http://h/api/v1/events")).toBeNull();
    expect(apiRoute("http://h/carte")).toBeNull();
    expect(apiRoute("not a url")).toBeNull();
    expect(resourceRoute("http://h/assets/js/map.js")).toBe("/assets/js/map.js");
  });

  it("takes nearest-rank percentiles", () => {
    expect(percentile([], 0.5)).toBeUndefined();
    expect(percentile([3, 1, 2], 0.5)).toBe(2);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
  });

  it("spreads positions deterministically, within about 60 m", () => {
    expect(spreadPosition(49.45, 5.95, 7)).toEqual(spreadPosition(49.45, 5.95, 7));
    expect(spreadPosition(49.45, 5.95, 7)).not.toEqual(spreadPosition(49.45, 5.95, 8));
    for (let i = 0; i < 200; i++) {
      const u = unit(i);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const p = spreadPosition(49.45, 5.95, i);
      expect(Math.abs(p.lat - 49.45) * 111_320).toBeLessThanOrEqual(61);
      expect(Math.abs(p.lon - 5.95) * 111_320 * Math.cos((49.45 * Math.PI) / 180)).toBeLessThanOrEqual(61);
    }
  });

  it("moves only the inventory's positions", () => {
    const csv = "id,domain,lat,lon\na,streetlight,49.45,5.95\nb,streetlight,49.45,5.95\n";
    const lines = spreadInventory(csv).split("\n");
    expect(lines[0]).toBe("id,domain,lat,lon");
    expect(lines[1]?.startsWith("a,streetlight,")).toBe(true);
    expect(lines[1]).not.toBe(lines[2]?.replace(/^b/, "a"));
    expect(lines.at(-1)).toBe("");
  });

  it("spreads the fault devices over the fleet", () => {
    expect(faultIndexes(100, 4)).toEqual([12, 37, 62, 87]);
    expect(faultIndexes(3, 10)).toEqual([0, 1, 2]);
    expect(faultIndexes(100, 0)).toEqual([]);
  });

  it("judges each page on its median cold load and the API on its p99", () => {
    const runs = [
      run("/carte", 1_500),
      run("/carte", 1_900),
      run("/carte", 9_000),
      run("/alertes", 300, { api: [{ route: "/api/v1/me", url: "u", ms: 80, status: 200 }] }),
    ];
    expect(pageSummary(runs, "/carte").ready).toMatchObject({ n: 3, p50: 1_900, max: 9_000 });
    const vs = verdicts(result(runs));
    expect(vs.map((v) => v.pass)).toEqual([true, true, true, true, false]);
    expect(vs.at(-1)?.value).toBe("80 ms");
    expect(summaryLine(result(runs), vs)).toMatch(/1 FAIL$/);
    const big = verdicts(
      result([run("/carte", 100, { bytes: TARGETS.firstLoadBytes }), run("/alertes", 100)]),
    );
    expect(big[1]?.pass).toBe(false);
  });

  it("fails what was not measured", () => {
    const vs = verdicts(result([]));
    expect(vs.every((v) => !v.pass)).toBe(true);
  });

  it("tables API routes by p99 and says where a page's time goes", () => {
    const runs = [
      run("/carte", 1_000, {
        api: [
          { route: "/api/v1/me", url: "u", ms: 4, status: 200 },
          { route: "/api/v1/devices?at=", url: "u", ms: 700, status: 200 },
        ],
      }),
    ];
    expect(apiSummary(runs).map((a) => a.route)).toEqual(["/api/v1/devices?at=", "/api/v1/me"]);
    const lines = breakdown(runs, "/carte");
    expect(lines.at(-1)).toMatch(/last API response 900 ms, data-ready 1000 ms: 100 ms in the browser/);
    expect(breakdown(runs, "/alertes")).toEqual([]);
  });
});
