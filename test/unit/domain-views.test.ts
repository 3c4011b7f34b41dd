import { describe, expect, it } from "vitest";
import { fitLine } from "../../services/access/domains/fit.ts";
import { compareToReference } from "../../services/access/domains/lighting-energy.ts";
import { domainCounts, worstCommunes } from "../../services/access/domains/overview.ts";
import { toCollectCsv, toCollectGeoJson } from "../../services/access/domains/waste-export.ts";
import { type FillPoint, fitFill, toCollect } from "../../services/access/domains/waste-to-collect.ts";
import { nightMinimums, summarize, trendPerDay } from "../../services/access/domains/water-sectors.ts";
import type { SeriesBucket } from "../../services/storage/store.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 2); // Monday 2 November 2026, 00:00 UTC (01:00 in Paris, winter time)

describe("fitting a line", () => {
  it.each([
    {
      name: "exact line",
      points: [0, 1, 2, 3].map((x) => ({ x, y: 2 + 0.5 * x })),
      slope: 0.5,
      intercept: 2,
    },
    { name: "epoch-sized x", points: [0, 1, 2].map((d) => ({ x: T0 / DAY + d, y: 0.1 * d })), slope: 0.1 },
    {
      name: "noise around a line",
      points: [
        { x: 0, y: 1 },
        { x: 1, y: 2 },
        { x: 2, y: 2 },
        { x: 3, y: 3 },
      ],
      slope: 0.6,
    },
  ])("$name", ({ points, slope, intercept }) => {
    const fit = fitLine(points);
    expect(fit?.slope).toBeCloseTo(slope, 9);
    if (intercept !== undefined) expect(fit?.intercept).toBeCloseTo(intercept, 9);
  });

  it("says nothing of one point or of points with one x", () => {
    expect(fitLine([{ x: 1, y: 1 }])).toBeUndefined();
    expect(
      fitLine([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeUndefined();
  });
});

describe("a container's fill rate and predicted-full date", () => {
  const at = (day: number, level: number): FillPoint => ({ time: T0 + day * DAY, level });

  it("fits the readings since the last emptying only", () => {
    // Filled at 0.2 a day, emptied on day 3 (0.8 -> 0.05), then 0.1 a day.
    const points = [
      at(0, 0.2),
      at(1, 0.4),
      at(2, 0.6),
      at(3, 0.8),
      at(3.5, 0.05),
      at(4.5, 0.15),
      at(5.5, 0.25),
    ];
    const fit = fitFill(points);
    expect(fit.emptiedAt).toBe(T0 + 3.5 * DAY);
    expect(fit.readings).toBe(3);
    expect(fit.ratePerDay).toBeCloseTo(0.1, 9);
    // 0.25 on day 5.5 at 0.1 a day: 1.0 on day 13.
    expect(fit.predictedFullAt).toBe(T0 + 13 * DAY);
  });

  it("takes a fall of 0.3 or less for noise, not an emptying", () => {
    const fit = fitFill([at(0, 0.5), at(1, 0.6), at(2, 0.31), at(3, 0.7)]);
    expect(fit.emptiedAt).toBeNull();
    expect(fit.readings).toBe(4);
  });

  it("finds the emptying whatever the order the readings come in", () => {
    const fit = fitFill([at(5, 0.3), at(0, 0.9), at(4, 0.2), at(3, 0.1), at(1, 0.95)]);
    expect(fit.emptiedAt).toBe(T0 + 3 * DAY);
    expect(fit.ratePerDay).toBeCloseTo(0.1, 9);
  });

  it.each([
    { name: "no reading", points: [] as FillPoint[] },
    { name: "one reading since the emptying", points: [at(0, 0.9), at(1, 0.1)] },
  ])("has no rate nor date with $name", ({ points }) => {
    const fit = fitFill(points);
    expect(fit.ratePerDay).toBeNull();
    expect(fit.predictedFullAt).toBeNull();
  });

  it("predicts nothing when the level does not rise", () => {
    const fit = fitFill([at(0, 0.5), at(1, 0.5), at(2, 0.45)]);
    expect(fit.ratePerDay).toBeLessThanOrEqual(0);
    expect(fit.predictedFullAt).toBeNull();
  });

  it("predicts nothing past the dates a Date holds", () => {
    expect(fitFill([at(0, 0.1), at(1, 0.1 + 1e-15)]).predictedFullAt).toBeNull();
  });

  it.each([
    { level: 0.85, predicted: null, expected: true, why: "above the threshold" },
    { level: 0.5, predicted: T0 + 2 * DAY, expected: true, why: "full within the horizon" },
    { level: 0.5, predicted: T0 + 4 * DAY, expected: false, why: "full after the horizon" },
    { level: null, predicted: null, expected: false, why: "never read" },
  ])("is to collect or not: $why", ({ level, predicted, expected }) => {
    expect(toCollect(level, predicted, { threshold: 0.8, horizonMs: 3 * DAY, now: T0 })).toBe(expected);
  });
});

describe("the minimum night flow", () => {
  const bucket = (time: number, min: number): SeriesBucket => ({
    time,
    field: "flow_m3h",
    count: 4,
    min,
    last: min,
  });

  it("keeps the least hourly minimum of 02:00-05:00 Paris time of each night", () => {
    const buckets: SeriesBucket[] = [];
    for (let night = 0; night < 3; night++) {
      for (let h = 0; h < 24; h++) buckets.push(bucket(T0 + night * DAY + h * HOUR, 10 + h + night));
    }
    const nights = nightMinimums(buckets);
    // In winter Paris is UTC+1: 02:00 local is 01:00 UTC, the hour whose minimum is 11 + night.
    expect(nights).toEqual([
      { night: "2026-11-02", minFlowM3h: 11 },
      { night: "2026-11-03", minFlowM3h: 12 },
      { night: "2026-11-04", minFlowM3h: 13 },
    ]);
    expect(trendPerDay(nights)).toBeCloseTo(1, 9);
  });

  it("follows summer time (UTC+2) and ignores the hours outside the window", () => {
    const summer = Date.UTC(2026, 6, 1);
    const nights = nightMinimums([
      bucket(summer - HOUR, 1), // 01:00 local: before the window
      bucket(summer, 5), // 02:00 local
      bucket(summer + 2 * HOUR, 4), // 04:00 local
      bucket(summer + 3 * HOUR, 0.5), // 05:00 local: after the window
    ]);
    expect(nights).toEqual([{ night: "2026-07-01", minFlowM3h: 4 }]);
    expect(trendPerDay(nights)).toBeNull();
  });

  it("summarises gauges weighted by their counts", () => {
    expect(
      summarize([
        { count: 1, mean: 2, min: 2, max: 2 },
        { count: 3, mean: 4, min: 3, max: 5 },
      ]),
    ).toEqual({
      readings: 4,
      mean: 3.5,
      min: 2,
      max: 5,
    });
    expect(summarize([])).toEqual({ readings: 0, mean: null, min: null, max: null });
  });
});

describe("energy against a reference period", () => {
  it("scales the reference per day to the period's days", () => {
    // 10 days at 100 kWh a day in the reference; 5 days using 400 kWh now.
    const s = compareToReference({ kwh: 400, days: 5 }, { kwh: 1000, days: 10 }, 0.2);
    expect(s.referenceScaledKwh).toBeCloseTo(500, 9);
    expect(s.savedKwh).toBeCloseTo(100, 9);
    expect(s.savedPercent).toBeCloseTo(20, 9);
    expect(s.savedEur).toBeCloseTo(20, 9);
  });

  it("counts an overuse as negative savings, and no percentage without a reference", () => {
    const more = compareToReference({ kwh: 120, days: 1 }, { kwh: 100, days: 1 }, 0.25);
    expect(more.savedKwh).toBeCloseTo(-20, 9);
    expect(more.savedEur).toBeCloseTo(-5, 9);
    expect(compareToReference({ kwh: 5, days: 1 }, { kwh: 0, days: 1 }, 0.2).savedPercent).toBeNull();
  });
});

describe("the overview's figures", () => {
  it("counts conditions per domain", () => {
    const counts = domainCounts([
      { domain: "streetlight", condition: "ok" },
      { domain: "streetlight", condition: "silent" },
      { domain: "waste_container", condition: "fault" },
    ]);
    expect(counts).toEqual([
      { domain: "streetlight", devices: 2, conditions: { ok: 1, fault: 0, silent: 1, unknown: 0 } },
      { domain: "waste_container", devices: 1, conditions: { ok: 0, fault: 1, silent: 0, unknown: 0 } },
    ]);
  });

  it("ranks communes by open alerts per 100 devices", () => {
    const views = [...Array(4).fill({ commune: "A" }), ...Array(50).fill({ commune: "B" })];
    const worst = worstCommunes(views, [{ commune: "A" }, { commune: "B" }, { commune: "B" }, {}]);
    expect(worst.map((w) => [w.commune, w.openAlertsPer100Devices])).toEqual([
      ["A", 25],
      ["B", 4],
    ]);
  });
});

describe("the round's exports", () => {
  const answer = {
    at: "2026-11-02T00:00:00.000Z",
    threshold: 0.8,
    horizonDays: 3,
    count: 1,
    containers: [
      {
        device: "pav-1",
        commune: "57038",
        stream: '=cmd|"x"',
        lat: 49.47,
        lon: 5.95,
        fillingLevel: 0.9,
        measuredAt: "2026-11-01T23:00:00.000Z",
        emptiedAt: null,
        fillRatePerDay: 0.1,
        predictedFullAt: "2026-11-02T23:00:00.000Z",
        toCollect: true,
      },
    ],
  };

  it("writes CSV with a header, CRLF, quoting and no formula", () => {
    const csv = toCollectCsv(answer);
    expect(csv.split("\r\n")[0]).toBe(
      "device,commune,stream,lat,lon,filling_level,measured_at,emptied_at,fill_rate_per_day,predicted_full_at,to_collect",
    );
    expect(csv).toContain(`pav-1,57038,"'=cmd|""x""",49.47,5.95,0.9,`);
  });

  it("puts longitude first in GeoJSON", () => {
    const geo = toCollectGeoJson(answer);
    expect(geo.features[0]?.geometry.coordinates).toEqual([5.95, 49.47]);
    expect(geo.features[0]?.properties).not.toHaveProperty("lat");
  });
});
