import { describe, expect, it } from "vitest";
import { choices, feedHealth, matchesDevice, pageOf } from "../../web/src/device/list.ts";
import {
  bandsOf,
  contractOf,
  fieldSeries,
  fittingResolution,
  numericFields,
  seriesPath,
  showValue,
  stateFields,
  stateSeries,
} from "../../web/src/device/series.ts";
import type { Contract, DeviceView, RuleEntry, SeriesPoint } from "../../web/src/device/types.ts";

const T0 = Date.parse("2026-03-01T00:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const raw: SeriesPoint[] = [
  { time: at(30), field: "pressure_bar", count: 1, last: 3.5 },
  { time: at(0), field: "pressure_bar", count: 1, last: 3.25 },
  { time: at(0), field: "status", count: 1, last: "ok" },
  { time: at(30), field: "status", count: 1, last: "leak" },
];

const hourly: SeriesPoint[] = [
  {
    time: at(0),
    from: at(0),
    to: at(60),
    field: "pressure_bar",
    count: 4,
    mean: 3,
    min: 2.5,
    max: 3.5,
    last: 3.5,
  },
  { time: at(60), from: at(60), to: at(120), field: "pressure_bar", count: 0, last: 3.5 },
];

describe("series to chart columns", () => {
  it("orders a raw field's points by time, in seconds, without a spread", () => {
    expect(fieldSeries(raw, "pressure_bar")).toEqual({
      field: "pressure_bar",
      times: [T0 / 1000, T0 / 1000 + 1800],
      mean: [3.25, 3.5],
      min: [3.25, 3.5],
      max: [3.25, 3.5],
      spread: false,
    });
  });

  it("keeps a rollup's min and max for the band, and leaves out an empty bucket", () => {
    const s = fieldSeries(hourly, "pressure_bar");
    expect(s.times).toEqual([T0 / 1000]);
    expect([s.mean, s.min, s.max, s.spread]).toEqual([[3], [2.5], [3.5], true]);
  });

  it("tells numeric fields from state fields, and lists states in time order", () => {
    expect(numericFields(raw)).toEqual(["pressure_bar"]);
    expect(stateFields(raw)).toEqual(["status"]);
    expect(stateSeries(raw, "status").map((p) => p.value)).toEqual(["ok", "leak"]);
  });
});

describe("the contract's bands and version", () => {
  const rules: RuleEntry[] = [
    {
      rule: "w/out-of-band",
      contract: "w",
      kind: "band",
      severity: "major",
      params: { field: "pressure_bar", min: 1.5, max: 8 },
    },
    {
      rule: "w/drop",
      contract: "w",
      kind: "rate",
      severity: "critical",
      params: { field: "pressure_bar", maxDelta: 2 },
    },
    {
      rule: "x/band",
      contract: "x",
      kind: "band",
      severity: "minor",
      params: { field: "pressure_bar", max: 5 },
    },
    {
      rule: "w/full",
      contract: "w",
      kind: "band",
      severity: "minor",
      params: { field: "filling_level", max: 0.9 },
    },
  ];

  it("takes the min and max of the contract's band rules on the field only", () => {
    expect(bandsOf(rules, "w", "pressure_bar")).toEqual([{ rule: "w/out-of-band", min: 1.5, max: 8 }]);
    expect(bandsOf(rules, "w", "flow_m3h")).toEqual([]);
  });

  it("finds the version a reading names, else the one in force for the domain", () => {
    const c = (version: string, validFrom: string): Contract => ({
      id: "w",
      version,
      name: "Eau",
      domain: "water_pressure",
      validFrom,
      fields: [],
    });
    const all = [
      c("1.0.0", "2024-01-01T00:00:00Z"),
      c("2.0.0", "2026-01-01T00:00:00Z"),
      c("3.0.0", "2030-01-01T00:00:00Z"),
    ];
    expect(contractOf(all, { domain: "water_pressure" }, T0, "w@1.0.0")?.version).toBe("1.0.0");
    expect(contractOf(all, { domain: "water_pressure" }, T0)?.version).toBe("2.0.0");
    expect(contractOf(all, { domain: "streetlight" }, T0)).toBeUndefined();
  });
});

describe("resolutions and periods", () => {
  it("keeps raw readings to a day, the API's bucket limit", () => {
    expect(fittingResolution("raw", "24h")).toBe("raw");
    expect(fittingResolution("raw", "7d")).toBe("15m");
    expect(fittingResolution("1h", "30d")).toBe("1h");
  });

  it("asks the series of the period ending now, the id escaped", () => {
    const path = seriesPath("a/b", "1h", "24h", T0);
    expect(path.startsWith("/api/v1/devices/a%2Fb/series?")).toBe(true);
    const q = new URLSearchParams(path.split("?")[1]);
    expect([q.get("from"), q.get("to"), q.get("resolution")]).toEqual([
      new Date(T0 - 86_400_000).toISOString(),
      new Date(T0).toISOString(),
      "1h",
    ]);
  });

  it("shows numbers rounded with their unit, other values as they are", () => {
    expect(showValue(1.23456, "bar")).toBe("1.235 bar");
    expect(showValue("on", "W")).toBe("on");
    expect(showValue(true, undefined)).toBe("true");
  });
});

describe("the device list", () => {
  const device = (id: string, domain: string, operator: string | null, time?: string): DeviceView => ({
    id,
    domain,
    commune: "54521",
    operator,
    lat: 0,
    lon: 0,
    attributes: {},
    state: time ? { time, operator: operator ?? "", contract: "c@1", values: {} } : null,
  });
  const fleet = [
    device("lum-1", "streetlight", "lumiere-est", at(0)),
    device("lum-2", "streetlight", "lumiere-est", at(-120)),
    device("pre-1", "water_pressure", "eaux-alzette"),
  ];

  it("filters by domain, operator and id text", () => {
    const f = { domain: "", commune: "", operator: "", text: "" };
    expect(fleet.filter((d) => matchesDevice(d, { ...f, domain: "streetlight" })).length).toBe(2);
    expect(
      fleet.filter((d) => matchesDevice(d, { ...f, operator: "eaux-alzette" })).map((d) => d.id),
    ).toEqual(["pre-1"]);
    expect(fleet.filter((d) => matchesDevice(d, { ...f, text: " LUM-2 " })).map((d) => d.id)).toEqual([
      "lum-2",
    ]);
    expect(choices(fleet, (d) => d.operator)).toEqual(["eaux-alzette", "lumiere-est"]);
  });

  it("pages, keeping the page within bounds", () => {
    const items = Array.from({ length: 120 }, (_, i) => i);
    expect(pageOf(items, 3, 50)).toEqual({ items: items.slice(100), page: 3, pages: 3 });
    expect(pageOf(items, 9, 50).page).toBe(3);
    expect(pageOf([], 1, 50)).toEqual({ items: [], page: 1, pages: 1 });
  });

  it("counts the devices heard in the last hour and the newest message", () => {
    expect(feedHealth(fleet, T0 + 60_000, 3_600_000)).toEqual({ total: 3, recent: 1, last: at(0) });
  });
});
