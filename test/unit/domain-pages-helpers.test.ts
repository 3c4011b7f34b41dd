import { describe, expect, it } from "vitest";
import { barLayout } from "../../web/src/domains/bar-layout.ts";
import { feedHealth } from "../../web/src/domains/feed-health.ts";
import { euros, number, percent } from "../../web/src/domains/format.ts";
import {
  choices,
  dayRange,
  defaultEnergyDays,
  energyPath,
  parseTariff,
  toCollectPath,
  trendRising,
} from "../../web/src/domains/params.ts";
import { alertsBySeverity } from "../../web/src/domains/severity.ts";

/** The domain pages' pure parts: the questions they ask the API and how they read the answers. */

const DAY = 86_400_000;

describe("the lighting page's question", () => {
  const form = {
    from: "2026-11-01",
    to: "2026-11-30",
    referenceFrom: "2025-11-01",
    referenceTo: "2025-11-30",
    groupBy: "cabinet" as const,
    tariff: "0,20",
  };

  it("asks for whole days, the last one included, with the tariff typed", () => {
    const asked = energyPath(form);
    expect("path" in asked).toBe(true);
    if (!("path" in asked)) return;
    const query = new URL(asked.path, "http://x").searchParams;
    expect(Object.fromEntries(query)).toEqual({
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-12-01T00:00:00.000Z",
      referenceFrom: "2025-11-01T00:00:00.000Z",
      referenceTo: "2025-12-01T00:00:00.000Z",
      groupBy: "cabinet",
      tariff: "0.2",
    });
  });

  it.each([
    [{ to: "2026-10-01" }, "period"],
    [{ referenceFrom: "" }, "reference"],
    [{ tariff: "" }, "tariff"],
    [{ tariff: "abc" }, "tariff"],
    [{ tariff: "101" }, "tariff"],
    [{ tariff: "-1" }, "tariff"],
  ])("names what is wrong in %o", (change, invalid) => {
    expect(energyPath({ ...form, ...change })).toEqual({ invalid });
  });

  it("reads a tariff with a comma or a point", () => {
    expect([parseTariff("0,1740"), parseTariff(" 0.2 "), parseTariff(".5"), parseTariff("1e3")]).toEqual([
      0.174,
      0.2,
      0.5,
      undefined,
    ]);
  });

  it("proposes the last 30 whole days against the same days a year before", () => {
    const days = defaultEnergyDays(Date.parse("2026-12-04T17:00:00Z"));
    expect(days).toEqual({
      from: "2026-11-04",
      to: "2026-12-03",
      referenceFrom: "2025-11-04",
      referenceTo: "2025-12-03",
    });
    expect(dayRange("2026-12-03", "2026-12-03")).toEqual({
      from: "2026-12-03T00:00:00.000Z",
      to: "2026-12-04T00:00:00.000Z",
    });
    expect(dayRange("2026-02-30", "2026-03-01")).toBeUndefined();
  });
});

describe("the waste page's question", () => {
  it("turns the threshold in percent into a level, and keeps the same filters for every format", () => {
    const filters = {
      thresholdPercent: "75",
      horizonDays: "2",
      commune: "54521",
      stream: "glass",
      all: true,
    };
    const json = new URL(toCollectPath(filters, "json"), "http://x").searchParams;
    expect(Object.fromEntries(json)).toEqual({
      threshold: "0.75",
      horizonDays: "2",
      commune: "54521",
      stream: "glass",
      all: "true",
      format: "json",
    });
    const csv = new URL(toCollectPath(filters, "csv"), "http://x").searchParams;
    expect(csv.get("format")).toBe("csv");
    expect(csv.get("commune")).toBe("54521");
  });

  it("leaves out what is empty or out of range, so the API's defaults apply", () => {
    const path = toCollectPath(
      { thresholdPercent: "", horizonDays: "99", commune: "", stream: "", all: false },
      "geojson",
    );
    expect(path).toBe("/api/v1/waste/to-collect?format=geojson");
  });

  it("offers each commune or stream once, sorted", () => {
    expect(choices(["57038", null, "54521", "57038", ""])).toEqual(["54521", "57038"]);
  });
});

describe("the water page's trend", () => {
  it("calls a night minimum rising by more than 0.01 m³/h a day rising", () => {
    expect([trendRising(0.5), trendRising(0.005), trendRising(-0.3), trendRising(null)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});

describe("the figures as each language writes them", () => {
  it("formats numbers, euros and ratios", () => {
    expect(number("fr", 1234.5, 1).replace(/\s/g, " ")).toBe("1 234,5");
    expect(number("en", 1234.5, 1)).toBe("1,234.5");
    expect(number("fr", null)).toBe("—");
    expect(euros("en", 0.04)).toBe("€0.04");
    expect(percent("fr", 0.25).replace(/\s/g, " ")).toBe("25 %");
  });
});

describe("the bar chart's layout", () => {
  it("puts zero where the negative values end", () => {
    expect(barLayout([1, 3], 300)).toEqual({ zero: 0, scale: 100 });
    expect(barLayout([-1, 3], 400)).toEqual({ zero: 100, scale: 100 });
    expect(barLayout([0, 0], 400)).toEqual({ zero: 0, scale: 0 });
  });
});

describe("the overview", () => {
  it("adds the open alerts up per severity, the gravest first", () => {
    const counts = alertsBySeverity([
      { domain: "streetlight", severity: "minor", count: 2 },
      { domain: "water_pressure", severity: "critical", count: 1 },
      { domain: "streetlight", severity: "critical", count: 3 },
    ]);
    expect([...counts]).toEqual([
      ["critical", 4],
      ["minor", 2],
    ]);
  });

  it("measures an operator's feed from the devices it holds now", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    const at = (ms: number) => ({ time: new Date(ms).toISOString() });
    const health = feedHealth(
      {
        count: 4,
        devices: [
          { id: "a", domain: "waste_container", commune: "1", operator: "c", state: at(now - 3_600_000) },
          { id: "b", domain: "waste_container", commune: "1", operator: "c", state: at(now - 2 * DAY) },
          { id: "c", domain: "streetlight", commune: "1", operator: "c", state: null },
          { id: "d", domain: "streetlight", commune: "1", operator: null, state: null },
        ],
      },
      now,
    );
    expect(health).toEqual({
      devices: 3,
      heard: 1,
      lastMessageAt: new Date(now - 3_600_000).toISOString(),
      perDomain: new Map([
        ["streetlight", 1],
        ["waste_container", 2],
      ]),
    });
  });
});
