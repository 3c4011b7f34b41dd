import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FieldValue, Observation, QuarantineEntry } from "../../services/domain/types.ts";
import {
  type AggregateRow,
  LATEST_AT_LOOKBACK_MS,
  type QuarantineStore,
  type TimeSeriesStore,
} from "../../services/storage/store.ts";

/**
 * The behaviour every time-series adapter owes the rest of Lanterne, asserted only through the
 * port (never through SQL or Flux) so that the DuckDB and InfluxDB adapters run the same suite,
 * as every aedes persistence runs `aedes-persistence/abstract.js`.
 *
 * `make` returns a started store holding no data, isolated from the other tests. `reopen`, when
 * given, returns a started store over the same storage as the last store `make` returned (the
 * suite closes that one first): it enables the persistence tests.
 */
export type ConformantStore = TimeSeriesStore & QuarantineStore;

export interface TimeSeriesConformanceOptions<S extends TimeSeriesStore = TimeSeriesStore> {
  reopen?: () => Promise<S>;
  /**
   * The port's "the same device, time and field written twice keeps the last write". Enables
   * the duplicate cases; an adapter that does not enforce it yet leaves it off.
   */
  lastWriteWins?: boolean;
}

export type ConformanceOptions = TimeSeriesConformanceOptions<ConformantStore>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 6 January 2025, midnight UTC: a multiple of every resolution below a day. */
const T0 = Date.UTC(2025, 0, 6);

interface DeviceAttributes {
  domain: string;
  commune: string;
  operatorId: string;
  contract: string;
}

const DEVICES: Record<string, DeviceAttributes> = {
  "lamp-1": { domain: "streetlight", commune: "01053", operatorId: "op-a", contract: "streetlight@1" },
  "lamp-2": { domain: "streetlight", commune: "01004", operatorId: "op-b", contract: "streetlight@1" },
  "lamp-3": { domain: "streetlight", commune: "01053", operatorId: "op-a", contract: "streetlight@1" },
  "tank-1": { domain: "water", commune: "01053", operatorId: "op-a", contract: "water@2" },
  "bin-1": { domain: "waste", commune: "01004", operatorId: "op-b", contract: "waste@1" },
};

function reading(
  deviceId: string,
  time: number,
  values: Record<string, FieldValue>,
  attributes: Partial<DeviceAttributes> = {},
): Observation {
  const device = DEVICES[deviceId] ?? DEVICES["lamp-1"];
  return { deviceId, time, ownerId: "ccphva", ...device, ...attributes, values } as Observation;
}

/**
 * The shared fixture for latest, aggregate and countValues: 13 values over [T0, T0 + 2 h), plus
 * two readings just outside that range.
 */
const FLEET: Observation[] = [
  reading("lamp-1", T0 + 10 * MINUTE, { power_w: 100, on: true }),
  reading("lamp-1", T0 + 70 * MINUTE, { power_w: 50 }),
  reading("lamp-2", T0 + 20 * MINUTE, { power_w: 30 }),
  reading("lamp-2", T0 + 80 * MINUTE, { power_w: 10 }),
  reading("lamp-2", T0 + 90 * MINUTE, { power_w: 20, on: false }),
  reading("lamp-3", T0 + 30 * MINUTE, { power_w: 40 }),
  reading("tank-1", T0 + 15 * MINUTE, { pressure_bar: 3.5 }),
  reading("tank-1", T0 + 75 * MINUTE, { pressure_bar: 2.5 }),
  reading("bin-1", T0 + 5 * MINUTE, { fill_pct: 80, status: "ok", lid_open: false }),
  reading("lamp-1", T0 - 1, { power_w: 7 }),
  reading("lamp-1", T0 + 2 * HOUR, { power_w: 999 }),
];
const FLEET_VALUES = 15;

/** Values that must reach the database as data, never as query text (SQL, Flux, regex). */
const HOSTILE = [
  "x' OR '1'='1",
  "' OR 1=1 --",
  '"; DROP TABLE readings; --',
  "lamp-1' --",
  'lamp-1") or (r._measurement == "',
  '") |> drop() //',
  "*",
  "%",
  ".*",
  "lamp-.*",
  "/.*/",
  "\\",
];

/** The time-series port and the quarantine port, for a store that keeps both (the embedded one). */
export function storeConformance(
  name: string,
  make: () => Promise<ConformantStore>,
  options: ConformanceOptions = {},
): void {
  timeSeriesConformance(name, make, options);
  describe(`${name} conforms to the quarantine port`, () => {
    const ctx = storeContext(make);
    quarantine(ctx);
    hostileQuarantineValues(ctx);
    const reopen = options.reopen;
    if (reopen) quarantinePersistence(ctx, reopen);
  });
}

/** The time-series port alone, for a store that keeps no quarantine (InfluxDB). */
export function timeSeriesConformance<S extends TimeSeriesStore>(
  name: string,
  make: () => Promise<S>,
  options: TimeSeriesConformanceOptions<S> = {},
): void {
  describe(`${name} conforms to the time-series port`, () => {
    const ctx = storeContext(make);
    writeAndReadBack(ctx);
    latestValues(ctx);
    latestAtInstant(ctx);
    seriesQueries(ctx);
    seriesByOperator(ctx);
    aggregates(ctx);
    countingValues(ctx);
    largeRanges(ctx);
    hostileValues(ctx);
    awkwardNames(ctx);
    millisecondBounds(ctx);
    outOfOrder(ctx);
    longDeviceLists(ctx);
    if (options.lastWriteWins) duplicates(ctx);
    const reopen = options.reopen;
    if (reopen) persistence(ctx, reopen);
  });
}

interface Ctx<S extends TimeSeriesStore = TimeSeriesStore> {
  store: S;
}

function storeContext<S extends TimeSeriesStore>(make: () => Promise<S>): Ctx<S> {
  const ctx = { store: undefined as unknown as S };
  beforeEach(async () => {
    ctx.store = await make();
  });
  afterEach(async () => {
    await ctx.store.close();
  });
  return ctx;
}

// ---------------------------------------------------------------- write

const EVERY_KIND: Record<string, FieldValue> = {
  integer: 42,
  negative: -17.25,
  zero: 0,
  fraction: 0.1,
  tiny: 1.5e-9,
  large: 123_456_789_012.5,
  max_safe: Number.MAX_SAFE_INTEGER,
  quoted: `say "bonjour" à l'ami`,
  commas: "a,b, c",
  spaces: "  leading and trailing  ",
  newlines: "line 1\nline 2\r\nline 3",
  tab: "a\tb",
  unicode: "Château d'eau — 💧 ñ 東京",
  equals: "k=v;x==y",
  backslash: "C:\\temp\\",
  json_text: '{"json":[1,2]}',
  numeric_text: "42",
  true_text: "true",
  empty: "",
  on: true,
  off: false,
};

function writeAndReadBack(ctx: Ctx): void {
  describe("write", () => {
    it("round-trips every field value type exactly (latest and series)", async () => {
      await ctx.store.write([reading("lamp-1", T0, EVERY_KIND)]);
      const [state] = await ctx.store.latest({ deviceIds: ["lamp-1"] });
      const fromLatest = Object.fromEntries(
        Object.entries(state?.values ?? {}).map(([k, v]) => [k, v.value]),
      );
      expect(fromLatest).toStrictEqual(EVERY_KIND);
      const points = await ctx.store.series({ deviceId: "lamp-1", from: T0, to: T0 + 1 });
      expect(Object.fromEntries(points.map((p) => [p.field, p.last]))).toStrictEqual(EVERY_KIND);
    });

    it("keeps millisecond precision", async () => {
      const times = [T0 + 1, T0 + 2, T0 + 999, T0 + 1001];
      await ctx.store.write(times.map((t, i) => reading("lamp-1", t, { power_w: i })));
      const points = await ctx.store.series({ deviceId: "lamp-1", from: T0, to: T0 + 2000 });
      expect(points.map((p) => p.time)).toEqual(times);
      const [state] = await ctx.store.latest({ deviceIds: ["lamp-1"] });
      expect(state?.time).toBe(T0 + 1001);
    });

    it("orders readings written out of order", async () => {
      for (const minute of [3, 1, 2]) {
        await ctx.store.write([reading("lamp-1", T0 + minute * MINUTE, { power_w: minute })]);
      }
      const points = await ctx.store.series({ deviceId: "lamp-1", from: T0, to: T0 + HOUR });
      expect(points.map((p) => [p.time, p.last])).toEqual([
        [T0 + MINUTE, 1],
        [T0 + 2 * MINUTE, 2],
        [T0 + 3 * MINUTE, 3],
      ]);
      const [state] = await ctx.store.latest({ deviceIds: ["lamp-1"] });
      expect(state?.values.power_w).toEqual({ value: 3, time: T0 + 3 * MINUTE });
    });

    it("resolves an empty write and stores nothing", async () => {
      await ctx.store.write([]);
      expect(await ctx.store.countValues({})).toBe(0);
    });

    it("stores every one of many concurrent writes", async () => {
      const writes = Array.from({ length: 20 }, (_, w) =>
        ctx.store.write(
          Array.from({ length: 5 }, (_, i) => reading("lamp-2", T0 + w * 1000 + i, { power_w: i, on: true })),
        ),
      );
      await Promise.all(writes);
      expect(await ctx.store.countValues({ deviceIds: ["lamp-2"] })).toBe(200);
    });
  });
}

// ---------------------------------------------------------------- latest

function latestValues(ctx: Ctx): void {
  describe("latest", () => {
    beforeEach(async () => {
      await ctx.store.write(FLEET);
    });

    async function latestIds(filter: Parameters<TimeSeriesStore["latest"]>[0]): Promise<string[]> {
      return (await ctx.store.latest(filter)).map((d) => d.deviceId).sort();
    }

    it("returns each device with the latest value of each field and when it was read", async () => {
      const states = await ctx.store.latest({});
      expect(states.map((s) => s.deviceId).sort()).toEqual(["bin-1", "lamp-1", "lamp-2", "lamp-3", "tank-1"]);
      const lamp2 = states.find((s) => s.deviceId === "lamp-2");
      expect(lamp2).toEqual({
        deviceId: "lamp-2",
        domain: "streetlight",
        commune: "01004",
        operatorId: "op-b",
        contract: "streetlight@1",
        time: T0 + 90 * MINUTE,
        values: {
          power_w: { value: 20, time: T0 + 90 * MINUTE },
          on: { value: false, time: T0 + 90 * MINUTE },
        },
      });
    });

    it("keeps a field's own time when later readings do not carry it", async () => {
      const [lamp1] = await ctx.store.latest({ deviceIds: ["lamp-1"] });
      expect(lamp1?.time).toBe(T0 + 2 * HOUR);
      expect(lamp1?.values).toEqual({
        power_w: { value: 999, time: T0 + 2 * HOUR },
        on: { value: true, time: T0 + 10 * MINUTE },
      });
    });

    it("takes the device's contract and operator from its most recent reading", async () => {
      await ctx.store.write([
        reading("lamp-3", T0 + 3 * HOUR, { power_w: 1 }, { contract: "streetlight@2" }),
        reading("lamp-3", T0 + 150 * MINUTE, { power_w: 2 }, { contract: "streetlight@0" }),
      ]);
      const [lamp3] = await ctx.store.latest({ deviceIds: ["lamp-3"] });
      expect(lamp3).toMatchObject({ contract: "streetlight@2", operatorId: "op-a", time: T0 + 3 * HOUR });
      expect(lamp3?.values.power_w).toEqual({ value: 1, time: T0 + 3 * HOUR });
    });

    it("filters by device ids, domain, commune and operator", async () => {
      expect(await latestIds({ deviceIds: ["lamp-1", "tank-1", "nowhere"] })).toEqual(["lamp-1", "tank-1"]);
      expect(await latestIds({ domain: "streetlight" })).toEqual(["lamp-1", "lamp-2", "lamp-3"]);
      expect(await latestIds({ commune: "01004" })).toEqual(["bin-1", "lamp-2"]);
      expect(await latestIds({ operatorId: "op-a" })).toEqual(["lamp-1", "lamp-3", "tank-1"]);
      expect(await latestIds({ domain: "streetlight", commune: "01053" })).toEqual(["lamp-1", "lamp-3"]);
      expect(await latestIds({ deviceIds: ["lamp-1", "lamp-2"], operatorId: "op-b" })).toEqual(["lamp-2"]);
    });

    it("matches nothing for an unknown value or an empty device list", async () => {
      expect(await ctx.store.latest({ domain: "lighthouse" })).toEqual([]);
      expect(await ctx.store.latest({ deviceIds: [] })).toEqual([]);
    });
  });
}

// ---------------------------------------------------------------- latest at an instant

function latestAtInstant(ctx: Ctx): void {
  describe("latest at an instant", () => {
    beforeEach(async () => {
      await ctx.store.write(FLEET);
    });

    async function idsAt(
      at: number,
      filter: Parameters<TimeSeriesStore["latest"]>[0] = {},
    ): Promise<string[]> {
      return (await ctx.store.latest({ ...filter, at })).map((d) => d.deviceId).sort();
    }

    it("gives each field the value of its last reading at or before the instant", async () => {
      const [lamp2] = await ctx.store.latest({ deviceIds: ["lamp-2"], at: T0 + 80 * MINUTE });
      expect(lamp2).toEqual({
        deviceId: "lamp-2",
        domain: "streetlight",
        commune: "01004",
        operatorId: "op-b",
        contract: "streetlight@1",
        time: T0 + 80 * MINUTE,
        values: { power_w: { value: 10, time: T0 + 80 * MINUTE } },
      });
      const [before] = await ctx.store.latest({ deviceIds: ["lamp-2"], at: T0 + 80 * MINUTE - 1 });
      expect(before?.values).toEqual({ power_w: { value: 30, time: T0 + 20 * MINUTE } });
    });

    it("keeps a field's older value at the instant when it was read again later", async () => {
      const [lamp1] = await ctx.store.latest({ deviceIds: ["lamp-1"], at: T0 + HOUR });
      expect(lamp1?.time).toBe(T0 + 10 * MINUTE);
      expect(lamp1?.values).toEqual({
        power_w: { value: 100, time: T0 + 10 * MINUTE },
        on: { value: true, time: T0 + 10 * MINUTE },
      });
      const [later] = await ctx.store.latest({ deviceIds: ["lamp-1"], at: T0 + 100 * MINUTE });
      expect(later?.values).toEqual({
        power_w: { value: 50, time: T0 + 70 * MINUTE },
        on: { value: true, time: T0 + 10 * MINUTE },
      });
    });

    it("leaves out a device with no reading at or before the instant", async () => {
      expect(await idsAt(T0 + 12 * MINUTE)).toEqual(["bin-1", "lamp-1"]);
      expect(await idsAt(T0 - 2)).toEqual([]);
      expect(await idsAt(T0 + 25 * MINUTE, { deviceIds: ["lamp-3", "lamp-2"] })).toEqual(["lamp-2"]);
    });

    it("looks back no further than its window", async () => {
      const edge = T0 + 5 * MINUTE + LATEST_AT_LOOKBACK_MS;
      expect(await idsAt(edge, { deviceIds: ["bin-1"] })).toEqual(["bin-1"]);
      expect(await idsAt(edge + 1, { deviceIds: ["bin-1"] })).toEqual([]);
    });

    it("matches the device by its attributes at the instant, operator included", async () => {
      await ctx.store.write([reading("lamp-3", T0 + 3 * HOUR, { power_w: 1 }, { operatorId: "op-b" })]);
      expect(await idsAt(T0 + HOUR, { operatorId: "op-a" })).toEqual(["lamp-1", "lamp-3", "tank-1"]);
      expect(await idsAt(T0 + HOUR, { operatorId: "op-b" })).toEqual(["bin-1", "lamp-2"]);
      expect(await idsAt(T0 + 3 * HOUR, { operatorId: "op-b" })).toEqual(["bin-1", "lamp-2", "lamp-3"]);
      const [lamp3] = await ctx.store.latest({ deviceIds: ["lamp-3"], at: T0 + HOUR });
      expect(lamp3).toMatchObject({ operatorId: "op-a", time: T0 + 30 * MINUTE });
      expect(await idsAt(T0 + HOUR, { domain: "water", commune: "01053" })).toEqual(["tank-1"]);
    });

    it("answers every value type as it was read", async () => {
      const [bin] = await ctx.store.latest({ deviceIds: ["bin-1"], at: T0 + HOUR });
      expect(bin?.values).toEqual({
        fill_pct: { value: 80, time: T0 + 5 * MINUTE },
        status: { value: "ok", time: T0 + 5 * MINUTE },
        lid_open: { value: false, time: T0 + 5 * MINUTE },
      });
    });
  });
}

// ---------------------------------------------------------------- series

/** Hand-checked data: minute buckets [10, 20, 30] then [5, -5] then [7.5]; written out of order. */
const SERIES: Observation[] = [
  reading("lamp-1", T0, { power_w: 10 }),
  reading("lamp-1", T0 + 59_999, { power_w: 30 }),
  reading("lamp-1", T0 + 30_000, { power_w: 20 }),
  reading("lamp-1", T0 + 50_000, { state: "off" }),
  reading("lamp-1", T0 + 10_000, { state: "on" }),
  reading("lamp-1", T0 + 60_000, { power_w: 5 }),
  reading("lamp-1", T0 + 90_000, { power_w: -5 }),
  reading("lamp-1", T0 + 3 * MINUTE + 1, { power_w: 7.5 }),
  reading("lamp-2", T0 + 30_000, { power_w: 1000 }),
];

function seriesQueries(ctx: Ctx): void {
  describe("series", () => {
    beforeEach(async () => {
      await ctx.store.write(SERIES);
    });

    it("returns raw points in time then field order, numbers with mean = min = max = value", async () => {
      const points = await ctx.store.series({ deviceId: "lamp-1", from: T0, to: T0 + MINUTE });
      expect(points).toEqual([
        { time: T0, field: "power_w", count: 1, mean: 10, min: 10, max: 10, last: 10 },
        { time: T0 + 10_000, field: "state", count: 1, last: "on" },
        { time: T0 + 30_000, field: "power_w", count: 1, mean: 20, min: 20, max: 20, last: 20 },
        { time: T0 + 50_000, field: "state", count: 1, last: "off" },
        { time: T0 + 59_999, field: "power_w", count: 1, mean: 30, min: 30, max: 30, last: 30 },
      ]);
    });

    it("buckets on multiples of the resolution: count, mean, min, max and the last value by time", async () => {
      const buckets = await ctx.store.series({
        deviceId: "lamp-1",
        from: T0,
        to: T0 + 4 * MINUTE,
        resolutionMs: MINUTE,
      });
      expect(buckets).toEqual([
        { time: T0, field: "power_w", count: 3, mean: 20, min: 10, max: 30, last: 30 },
        { time: T0, field: "state", count: 2, last: "off" },
        { time: T0 + MINUTE, field: "power_w", count: 2, mean: 0, min: -5, max: 5, last: -5 },
        { time: T0 + 3 * MINUTE, field: "power_w", count: 1, mean: 7.5, min: 7.5, max: 7.5, last: 7.5 },
      ]);
    });

    it("aligns buckets on the epoch, not on `from`", async () => {
      const [first] = await ctx.store.series({
        deviceId: "lamp-1",
        from: T0 + 30_000,
        to: T0 + MINUTE,
        resolutionMs: MINUTE,
        fields: ["power_w"],
      });
      expect(first).toEqual({ time: T0, field: "power_w", count: 2, mean: 25, min: 20, max: 30, last: 30 });
      const week = 7 * DAY;
      const [weekly] = await ctx.store.series({
        deviceId: "lamp-1",
        from: T0,
        to: T0 + DAY,
        resolutionMs: week,
      });
      expect(weekly?.time).toBe(Math.floor(T0 / week) * week);
    });

    it("includes `from`, excludes `to`, and keeps to the requested fields and device", async () => {
      const points = await ctx.store.series({
        deviceId: "lamp-1",
        from: T0 + 10_000,
        to: T0 + 59_999,
        fields: ["state", "power_w"],
      });
      expect(points.map((p) => p.time)).toEqual([T0 + 10_000, T0 + 30_000, T0 + 50_000]);
      const states = await ctx.store.series({
        deviceId: "lamp-1",
        from: T0,
        to: T0 + HOUR,
        fields: ["state"],
      });
      expect(states.map((p) => p.last)).toEqual(["on", "off"]);
      expect(await ctx.store.series({ deviceId: "lamp-9", from: T0, to: T0 + HOUR })).toEqual([]);
    });
  });
}

/**
 * lamp-1 handed over from op-a to op-b at T0 + 30 s: minute 0 holds both operators' readings,
 * minute 1 op-b's only. lamp-2's reading under op-a must never come with lamp-1's.
 */
const HANDOVER: Observation[] = [
  reading("lamp-1", T0 + 10_000, { power_w: 10, state: "a" }),
  reading("lamp-1", T0 + 20_000, { power_w: 20 }),
  reading("lamp-1", T0 + 40_000, { power_w: 60, state: "b" }, { operatorId: "op-b" }),
  reading("lamp-1", T0 + 70_000, { power_w: 70 }, { operatorId: "op-b" }),
  reading("lamp-2", T0 + 30_000, { power_w: 1000 }, { operatorId: "op-a" }),
];

function seriesByOperator(ctx: Ctx): void {
  describe("series of one operator", () => {
    beforeEach(async () => {
      await ctx.store.write(HANDOVER);
    });
    const range = { deviceId: "lamp-1", from: T0, to: T0 + 2 * MINUTE };
    const raw = (time: number, field: string, last: FieldValue) =>
      typeof last === "number"
        ? { time, field, count: 1, mean: last, min: last, max: last, last }
        : { time, field, count: 1, last };

    it("returns only the raw points stored under that operator", async () => {
      expect(await ctx.store.series({ ...range, operatorId: "op-a" })).toEqual([
        raw(T0 + 10_000, "power_w", 10),
        raw(T0 + 10_000, "state", "a"),
        raw(T0 + 20_000, "power_w", 20),
      ]);
      expect(await ctx.store.series({ ...range, operatorId: "op-b" })).toEqual([
        raw(T0 + 40_000, "power_w", 60),
        raw(T0 + 40_000, "state", "b"),
        raw(T0 + 70_000, "power_w", 70),
      ]);
    });

    it("buckets only that operator's readings, also in a bucket both share", async () => {
      const bucketed = { ...range, resolutionMs: MINUTE };
      expect(await ctx.store.series({ ...bucketed, operatorId: "op-a" })).toEqual([
        { time: T0, field: "power_w", count: 2, mean: 15, min: 10, max: 20, last: 20 },
        { time: T0, field: "state", count: 1, last: "a" },
      ]);
      expect(await ctx.store.series({ ...bucketed, operatorId: "op-b" })).toEqual([
        { time: T0, field: "power_w", count: 1, mean: 60, min: 60, max: 60, last: 60 },
        { time: T0, field: "state", count: 1, last: "b" },
        { time: T0 + MINUTE, field: "power_w", count: 1, mean: 70, min: 70, max: 70, last: 70 },
      ]);
    });

    it("returns every operator's readings without one", async () => {
      const points = await ctx.store.series(range);
      expect(points.map((p) => [p.time, p.field, p.last])).toEqual([
        [T0 + 10_000, "power_w", 10],
        [T0 + 10_000, "state", "a"],
        [T0 + 20_000, "power_w", 20],
        [T0 + 40_000, "power_w", 60],
        [T0 + 40_000, "state", "b"],
        [T0 + 70_000, "power_w", 70],
      ]);
      expect(await ctx.store.series({ ...range, resolutionMs: MINUTE })).toEqual([
        { time: T0, field: "power_w", count: 3, mean: 30, min: 10, max: 60, last: 60 },
        { time: T0, field: "state", count: 2, last: "b" },
        { time: T0 + MINUTE, field: "power_w", count: 1, mean: 70, min: 70, max: 70, last: 70 },
      ]);
    });

    it("combines with the fields and range asked, and matches nothing for another operator", async () => {
      const states = await ctx.store.series({ ...range, fields: ["state"], operatorId: "op-a" });
      expect(states.map((p) => p.last)).toEqual(["a"]);
      const late = await ctx.store.series({ ...range, from: T0 + 30_000, operatorId: "op-a" });
      expect(late).toEqual([]);
      expect(await ctx.store.series({ ...range, operatorId: "op-z" })).toEqual([]);
      expect(await ctx.store.series({ ...range, resolutionMs: MINUTE, operatorId: "op-z" })).toEqual([]);
    });
  });
}

// ---------------------------------------------------------------- aggregate

function sortRows(rows: AggregateRow[]): AggregateRow[] {
  const key = (r: AggregateRow) => `${r.time}|${JSON.stringify(Object.entries(r.group).sort())}|${r.field}`;
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function row(
  time: number,
  group: AggregateRow["group"],
  field: string,
  stats: Omit<AggregateRow, "time" | "group" | "field">,
) {
  return { time, group, field, ...stats, mean: expect.closeTo(stats.mean, 9) };
}

function aggregates(ctx: Ctx): void {
  describe("aggregate", () => {
    beforeEach(async () => {
      await ctx.store.write(FLEET);
    });
    const range = { from: T0, to: T0 + 2 * HOUR };

    it("groups numeric values by commune over the whole range, with distinct devices", async () => {
      const rows = await ctx.store.aggregate({ ...range, groupBy: ["commune"], field: "power_w" });
      expect(sortRows(rows)).toEqual([
        row(T0, { commune: "01004" }, "power_w", { count: 3, devices: 1, mean: 20, min: 10, max: 30 }),
        row(T0, { commune: "01053" }, "power_w", { count: 3, devices: 2, mean: 190 / 3, min: 40, max: 100 }),
      ]);
    });

    it("groups by domain in hourly buckets, leaving text and booleans out", async () => {
      const rows = await ctx.store.aggregate({ ...range, groupBy: ["domain"], resolutionMs: HOUR });
      expect(sortRows(rows)).toEqual([
        row(T0, { domain: "streetlight" }, "power_w", {
          count: 3,
          devices: 3,
          mean: 170 / 3,
          min: 30,
          max: 100,
        }),
        row(T0, { domain: "waste" }, "fill_pct", { count: 1, devices: 1, mean: 80, min: 80, max: 80 }),
        row(T0, { domain: "water" }, "pressure_bar", { count: 1, devices: 1, mean: 3.5, min: 3.5, max: 3.5 }),
        row(T0 + HOUR, { domain: "streetlight" }, "power_w", {
          count: 3,
          devices: 2,
          mean: 80 / 3,
          min: 10,
          max: 50,
        }),
        row(T0 + HOUR, { domain: "water" }, "pressure_bar", {
          count: 1,
          devices: 1,
          mean: 2.5,
          min: 2.5,
          max: 2.5,
        }),
      ]);
    });

    it("groups by several dimensions and filters by domain, commune and field", async () => {
      const byBoth = await ctx.store.aggregate({
        ...range,
        groupBy: ["commune", "domain"],
        domain: "streetlight",
      });
      expect(sortRows(byBoth).map((r) => [r.group, r.field, r.count])).toEqual([
        [{ commune: "01004", domain: "streetlight" }, "power_w", 3],
        [{ commune: "01053", domain: "streetlight" }, "power_w", 3],
      ]);
      const byOperator = await ctx.store.aggregate({ ...range, groupBy: ["operator"], commune: "01004" });
      expect(sortRows(byOperator).map((r) => [r.group, r.field, r.count])).toEqual([
        [{ operator: "op-b" }, "fill_pct", 1],
        [{ operator: "op-b" }, "power_w", 3],
      ]);
    });

    it("returns one group over everything when no dimension is requested", async () => {
      const rows = await ctx.store.aggregate({ ...range, groupBy: [], field: "power_w" });
      expect(rows).toEqual([
        row(T0, {}, "power_w", { count: 6, devices: 3, mean: 250 / 6, min: 10, max: 100 }),
      ]);
    });
  });
}

// ---------------------------------------------------------------- countValues

function countingValues(ctx: Ctx): void {
  describe("countValues", () => {
    beforeEach(async () => {
      await ctx.store.write(FLEET);
    });

    it("counts stored field values under each filter", async () => {
      expect(await ctx.store.countValues({})).toBe(FLEET_VALUES);
      expect(await ctx.store.countValues({ deviceIds: ["lamp-1"] })).toBe(5);
      expect(await ctx.store.countValues({ domain: "waste" })).toBe(3);
      expect(await ctx.store.countValues({ commune: "01004" })).toBe(7);
      expect(await ctx.store.countValues({ operatorId: "op-a" })).toBe(8);
      expect(await ctx.store.countValues({ from: T0, to: T0 + 2 * HOUR })).toBe(FLEET_VALUES - 2);
      expect(await ctx.store.countValues({ deviceIds: ["lamp-1"], from: T0 + HOUR })).toBe(2);
      expect(await ctx.store.countValues({ deviceIds: [] })).toBe(0);
    });
  });
}

// ---------------------------------------------------------------- large ranges

function largeRanges(ctx: Ctx): void {
  describe("large ranges", () => {
    const points = 10_000;
    const step = Math.floor((365 * DAY) / points);
    const month = 30 * DAY;

    beforeEach(async () => {
      await ctx.store.write(
        Array.from({ length: points }, (_, i) => reading("tank-1", T0 + i * step, { level: i })),
      );
    });

    it("returns 10,000 raw points over a year in order", async () => {
      const series = await ctx.store.series({ deviceId: "tank-1", from: T0, to: T0 + 366 * DAY });
      expect(series).toHaveLength(points);
      expect(series.every((p, i) => p.time === T0 + i * step && p.last === i)).toBe(true);
      expect(await ctx.store.countValues({ deviceIds: ["tank-1"] })).toBe(points);
    });

    it("buckets a year into months without losing a point", async () => {
      const buckets = await ctx.store.series({
        deviceId: "tank-1",
        from: T0,
        to: T0 + 366 * DAY,
        resolutionMs: month,
      });
      expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(points);
      for (const b of buckets) {
        // Consecutive integers: the bucket's extremes and mean follow from its first and last.
        expect(b.max).toBe((b.min ?? 0) + b.count - 1);
        expect(b.mean).toBeCloseTo(((b.min ?? 0) + (b.max ?? 0)) / 2, 9);
        expect(b.last).toBe(b.max);
      }
      const [all] = await ctx.store.aggregate({ from: T0, to: T0 + 366 * DAY, groupBy: [], field: "level" });
      expect(all).toEqual({
        time: T0,
        group: {},
        field: "level",
        count: points,
        devices: 1,
        mean: 4999.5,
        min: 0,
        max: 9999,
      });
    });

    it("answers ranges centuries wider than the data", async () => {
      const wide = { from: Date.UTC(1900, 0, 1), to: Date.UTC(2200, 0, 1) };
      expect(await ctx.store.countValues({ ...wide, deviceIds: ["tank-1"] })).toBe(points);
      expect(await ctx.store.series({ deviceId: "tank-1", ...wide })).toHaveLength(points);
      const yearly = await ctx.store.series({ deviceId: "tank-1", ...wide, resolutionMs: 365 * DAY });
      expect(yearly.reduce((sum, b) => sum + b.count, 0)).toBe(points);
      const [all] = await ctx.store.aggregate({ ...wide, groupBy: ["domain"], field: "level" });
      expect(all).toMatchObject({ time: wide.from, count: points, devices: 1, min: 0, max: points - 1 });
    });
  });
}

// ---------------------------------------------------------------- awkward names

/**
 * Identifiers and attributes a line protocol or a query language treats as syntax: separators,
 * quotes, escapes, newlines, comment and escape markers, unicode. Each must come back exactly.
 */
const AWKWARD = [
  "a,b",
  "a b",
  "a=b",
  'say "x"',
  "it's",
  "line\nbreak",
  "cr\rlf",
  "tab\there",
  "back\\slash",
  "trailing\\",
  "\\,",
  "100%",
  "%41",
  "#hash",
  " lead",
  "trail ",
  "Château d'eau — 💧 東京",
];

/** Values shaped to smuggle another tag, field or line into line protocol. */
const INJECTIONS = ["a,operator=evil b=1", "x\nwater,device_id=z level=9 0", 'c" p=1', "d\\ e=1\\"];

function awkwardNames(ctx: Ctx): void {
  describe("names and attributes with syntax characters", () => {
    it("round-trips device ids exactly and finds each by its id", async () => {
      await ctx.store.write(AWKWARD.map((id, i) => reading(id, T0 + i, { power_w: i })));
      const states = await ctx.store.latest({});
      expect(states.map((s) => s.deviceId).sort()).toEqual([...AWKWARD].sort());
      for (const [i, id] of AWKWARD.entries()) {
        const [state] = await ctx.store.latest({ deviceIds: [id] });
        expect(state?.values.power_w).toEqual({ value: i, time: T0 + i });
        const points = await ctx.store.series({ deviceId: id, from: T0, to: T0 + HOUR });
        expect(points.map((p) => [p.time, p.last])).toEqual([[T0 + i, i]]);
        expect(await ctx.store.countValues({ deviceIds: [id] })).toBe(1);
      }
      expect(await ctx.store.countValues({})).toBe(AWKWARD.length);
    });

    it("round-trips communes, operators and contracts exactly, and filters and groups by them", async () => {
      const n = AWKWARD.length;
      const at = (i: number) => AWKWARD[i % n] as string;
      const attributes = (i: number) => ({ commune: at(i), operatorId: at(i + 1), contract: at(i + 2) });
      await ctx.store.write(
        AWKWARD.map((_, i) => reading(`dev-${i}`, T0 + i, { power_w: i }, attributes(i))),
      );
      const states = await ctx.store.latest({});
      expect(states).toHaveLength(n);
      for (const [i] of AWKWARD.entries()) {
        expect(states.find((s) => s.deviceId === `dev-${i}`)).toMatchObject(attributes(i));
        expect((await ctx.store.latest({ commune: at(i) })).map((s) => s.deviceId)).toEqual([`dev-${i}`]);
        expect((await ctx.store.latest({ operatorId: at(i) })).map((s) => s.deviceId)).toEqual([
          `dev-${(i + n - 1) % n}`,
        ]);
        expect(await ctx.store.countValues({ commune: at(i), operatorId: at(i + 1) })).toBe(1);
        const own = { deviceId: `dev-${i}`, from: T0, to: T0 + HOUR, operatorId: at(i + 1) };
        expect((await ctx.store.series(own)).map((p) => p.last)).toEqual([i]);
      }
      const rows = await ctx.store.aggregate({
        from: T0,
        to: T0 + HOUR,
        groupBy: ["commune", "operator"],
        field: "power_w",
      });
      const groups = rows.map((r) => [r.group.commune, r.group.operator, r.count, r.devices]);
      expect(groups.sort()).toEqual(AWKWARD.map((_, i) => [at(i), at(i + 1), 1, 1]).sort());
    });

    it("round-trips domains and field names exactly, including names a store reserves", async () => {
      const fields = [
        "time",
        "device_id",
        "commune",
        "operator",
        "a b,c=d",
        'q"uote',
        "new\nline",
        "50%",
        "#f",
      ];
      const values = Object.fromEntries(fields.map((f, i) => [f, i]));
      await ctx.store.write(AWKWARD.map((domain, i) => reading(`dev-${i}`, T0 + i, values, { domain })));
      for (const [i, domain] of AWKWARD.entries()) {
        const [state] = await ctx.store.latest({ domain });
        expect(state?.deviceId).toBe(`dev-${i}`);
        expect(state?.domain).toBe(domain);
        expect(Object.keys(state?.values ?? {}).sort()).toEqual([...fields].sort());
        expect(await ctx.store.countValues({ domain })).toBe(fields.length);
      }
      const rows = await ctx.store.aggregate({ from: T0, to: T0 + HOUR, groupBy: ["domain"], field: "time" });
      expect(rows.map((r) => r.group.domain).sort()).toEqual([...AWKWARD].sort());
      const points = await ctx.store.series({ deviceId: "dev-0", from: T0, to: T0 + HOUR, fields: ["time"] });
      expect(points.map((p) => [p.field, p.last])).toEqual([["time", 0]]);
    });

    it.each(INJECTIONS)("never lets %j create another tag, field or line", async (value) => {
      const odd = { commune: value, operatorId: value, contract: value };
      await ctx.store.write([reading(value, T0, { [value]: value, power_w: 1 }, odd)]);
      expect(await ctx.store.countValues({})).toBe(2);
      const states = await ctx.store.latest({});
      expect(states).toEqual([
        {
          deviceId: value,
          domain: "streetlight",
          ...odd,
          time: T0,
          values: { [value]: { value, time: T0 }, power_w: { value: 1, time: T0 } },
        },
      ]);
      expect(await ctx.store.latest({ operatorId: "evil" })).toEqual([]);
      expect(await ctx.store.latest({ deviceIds: ["z"] })).toEqual([]);
      expect(await ctx.store.latest({ domain: "water" })).toEqual([]);
    });
  });
}

// ---------------------------------------------------------------- millisecond bounds

function millisecondBounds(ctx: Ctx): void {
  describe("millisecond bounds", () => {
    const times = [T0 - 1, T0, T0 + 1, T0 + HOUR - 1, T0 + HOUR];

    beforeEach(async () => {
      await ctx.store.write(times.map((t) => reading("lamp-1", t, { power_w: t - T0 })));
    });

    it("includes `from` and excludes `to` to the millisecond in every read", async () => {
      const one = await ctx.store.series({ deviceId: "lamp-1", from: T0, to: T0 + 1 });
      expect(one.map((p) => p.time)).toEqual([T0]);
      expect(await ctx.store.countValues({ from: T0, to: T0 + HOUR })).toBe(3);
      expect(await ctx.store.countValues({ from: T0 + HOUR - 1, to: T0 + HOUR + 1 })).toBe(2);
      const [all] = await ctx.store.aggregate({ from: T0, to: T0 + HOUR, groupBy: [], field: "power_w" });
      expect(all).toMatchObject({ time: T0, count: 3, min: 0, max: HOUR - 1 });
    });

    it("puts a point one millisecond before a boundary in the earlier bucket", async () => {
      const buckets = await ctx.store.series({
        deviceId: "lamp-1",
        from: T0 - HOUR,
        to: T0 + 2 * HOUR,
        resolutionMs: HOUR,
      });
      expect(buckets.map((b) => [b.time, b.count, b.last])).toEqual([
        [T0 - HOUR, 1, -1],
        [T0, 3, HOUR - 1],
        [T0 + HOUR, 1, HOUR],
      ]);
      const rows = await ctx.store.aggregate({
        from: T0 - HOUR,
        to: T0 + 2 * HOUR,
        groupBy: [],
        field: "power_w",
        resolutionMs: HOUR,
      });
      expect(rows.map((r) => [r.time, r.count])).toEqual([
        [T0 - HOUR, 1],
        [T0, 3],
        [T0 + HOUR, 1],
      ]);
    });
  });
}

// ---------------------------------------------------------------- out of order

function outOfOrder(ctx: Ctx): void {
  describe("out-of-order writes", () => {
    it("orders one shuffled write and keeps the latest by reading time, not by arrival", async () => {
      // 37 is prime to 60: i -> 37 i mod 60 visits every minute once, out of order.
      const minutes = Array.from({ length: 60 }, (_, i) => (i * 37) % 60);
      await ctx.store.write(
        minutes.map((m) => reading("lamp-1", T0 + m * MINUTE, { power_w: m, state: `s${m}` })),
      );
      await ctx.store.write([reading("lamp-1", T0 - HOUR, { power_w: -1, state: "old" })]);
      const points = await ctx.store.series({
        deviceId: "lamp-1",
        from: T0,
        to: T0 + HOUR,
        fields: ["power_w"],
      });
      expect(points.map((p) => p.last)).toEqual(Array.from({ length: 60 }, (_, m) => m));
      const [state] = await ctx.store.latest({ deviceIds: ["lamp-1"] });
      expect(state?.time).toBe(T0 + 59 * MINUTE);
      expect(state?.values).toEqual({
        power_w: { value: 59, time: T0 + 59 * MINUTE },
        state: { value: "s59", time: T0 + 59 * MINUTE },
      });
      const buckets = await ctx.store.series({
        deviceId: "lamp-1",
        from: T0 - HOUR,
        to: T0 + HOUR,
        resolutionMs: HOUR,
      });
      expect(buckets).toEqual([
        { time: T0 - HOUR, field: "power_w", count: 1, mean: -1, min: -1, max: -1, last: -1 },
        { time: T0 - HOUR, field: "state", count: 1, last: "old" },
        { time: T0, field: "power_w", count: 60, mean: 29.5, min: 0, max: 59, last: 59 },
        { time: T0, field: "state", count: 60, last: "s59" },
      ]);
    });
  });
}

// ---------------------------------------------------------------- long device lists

function longDeviceLists(ctx: Ctx): void {
  describe("long device lists", () => {
    const ids = Array.from({ length: 600 }, (_, i) => `lamp-${String(i).padStart(3, "0")}`);

    beforeEach(async () => {
      await ctx.store.write(
        ids.map((id, i) => reading(id, T0 + i, { power_w: i }, { commune: i % 2 === 0 ? "01053" : "01004" })),
      );
    });

    it("filters by hundreds of device ids, repeated ids included, alone and with attributes", async () => {
      const wanted = ids.filter((_, i) => i % 3 !== 0);
      const asked = [...wanted, ...wanted.slice(0, 50), "lamp-none"];
      const states = await ctx.store.latest({ deviceIds: asked });
      expect(states.map((s) => s.deviceId).sort()).toEqual(wanted);
      expect(await ctx.store.countValues({ deviceIds: asked })).toBe(wanted.length);
      const even = wanted.filter((id) => Number(id.slice(5)) % 2 === 0);
      expect(
        (await ctx.store.latest({ deviceIds: asked, commune: "01053" })).map((s) => s.deviceId).sort(),
      ).toEqual(even);
      expect(await ctx.store.countValues({ deviceIds: asked, commune: "01053" })).toBe(even.length);
      expect(await ctx.store.latest({ commune: "01004" })).toHaveLength(300);
    });
  });
}

// ---------------------------------------------------------------- duplicates

function duplicates(ctx: Ctx): void {
  describe("duplicates: the last write wins", () => {
    it("keeps the last of two writes of the same device, time and field, counted once", async () => {
      await ctx.store.write([reading("lamp-1", T0, { power_w: 1, on: true })]);
      await ctx.store.write([reading("lamp-1", T0, { power_w: 2 })]);
      expect(await ctx.store.countValues({})).toBe(2);
      const points = await ctx.store.series({ deviceId: "lamp-1", from: T0, to: T0 + 1 });
      expect(points.map((p) => [p.field, p.last])).toEqual([
        ["on", true],
        ["power_w", 2],
      ]);
      const [state] = await ctx.store.latest({ deviceIds: ["lamp-1"] });
      expect(state?.values.power_w).toEqual({ value: 2, time: T0 });
      const [all] = await ctx.store.aggregate({ from: T0, to: T0 + 1, groupBy: [], field: "power_w" });
      expect(all).toMatchObject({ count: 1, devices: 1, mean: 2, min: 2, max: 2 });
    });

    it("keeps the last of duplicates inside one write", async () => {
      await ctx.store.write([1, 2, 3].map((v) => reading("lamp-1", T0, { power_w: v })));
      expect(await ctx.store.countValues({})).toBe(1);
      const [state] = await ctx.store.latest({ deviceIds: ["lamp-1"] });
      expect(state?.values.power_w).toEqual({ value: 3, time: T0 });
    });

    it("keeps the last of duplicates far apart in one large write", async () => {
      const n = 6_000;
      const version = (v: number) =>
        Array.from({ length: n }, (_, i) => reading("lamp-1", T0 + i, { power_w: v }));
      await ctx.store.write([...version(1), ...version(2)]);
      expect(await ctx.store.countValues({})).toBe(n);
      const [all] = await ctx.store.aggregate({ from: T0, to: T0 + n, groupBy: [], field: "power_w" });
      expect(all).toMatchObject({ count: n, min: 2, max: 2 });
    });
  });
}

// ---------------------------------------------------------------- quarantine

function entry(n: number, fields: Partial<QuarantineEntry>): QuarantineEntry {
  return {
    receivedAt: T0 + n * MINUTE,
    operatorId: "op-a",
    source: "mqtt",
    raw: `{"n":${n}}`,
    truncated: false,
    reasons: [{ code: "ERR_PAYLOAD_SHAPE", path: "", detail: "no device" }],
    ...fields,
  };
}

const QUARANTINED: QuarantineEntry[] = [
  entry(0, {
    deviceId: "lamp-1",
    contract: "streetlight@1",
    raw: '{"device":"lamp-1","data":{"power_w":"high"}}',
    reasons: [{ code: "ERR_CONTRACT_WRONG_TYPE", path: "data.power_w", detail: "expected a number" }],
  }),
  entry(1, {
    operatorId: "op-b",
    source: "http",
    raw: "not json\n\u00e9\u0000",
    reasons: [{ code: "ERR_PAYLOAD_JSON", path: "", detail: "Unexpected token" }],
  }),
  entry(2, {
    deviceId: "lamp-2",
    reasons: [
      { code: "ERR_DEVICE_NOT_ASSIGNED", path: "device", detail: "lamp-2 is not yours" },
      { code: "ERR_TIME_INVALID", path: "time", detail: "in the future" },
    ],
  }),
  entry(3, {
    operatorId: "",
    raw: "x".repeat(4096),
    truncated: true,
    reasons: [{ code: "ERR_PAYLOAD_TOO_LARGE", path: "", detail: "65537 bytes" }],
  }),
  entry(4, {
    deviceId: "lamp-1",
    contract: "streetlight@1",
    reasons: [{ code: "ERR_CONTRACT_REQUIRED_MISSING", path: "data.power_w", detail: "required" }],
  }),
];

/** Compares entries without their store-assigned ids. */
function withoutIds(entries: QuarantineEntry[]): QuarantineEntry[] {
  return entries.map(({ id: _, ...rest }) => rest);
}

function newestFirst(...indexes: number[]): QuarantineEntry[] {
  return indexes.map((i) => QUARANTINED[i] as QuarantineEntry);
}

function quarantine(ctx: Ctx<ConformantStore>): void {
  describe("quarantine", () => {
    beforeEach(async () => {
      await ctx.store.addQuarantine(QUARANTINED.slice(0, 3));
      await ctx.store.addQuarantine(QUARANTINED.slice(3));
    });

    it("keeps every entry as given, newest first, with increasing ids", async () => {
      const listed = await ctx.store.listQuarantine({ limit: 100 });
      expect(withoutIds(listed)).toEqual(newestFirst(4, 3, 2, 1, 0));
      const ids = listed.map((e) => e.id ?? Number.NaN);
      expect(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id < (ids[i - 1] ?? 0)))).toBe(true);
    });

    it("pages with limit and beforeId without gaps or repeats", async () => {
      const pages: QuarantineEntry[][] = [];
      let beforeId: number | undefined;
      for (let page = 0; page < 4; page++) {
        const entries = await ctx.store.listQuarantine({
          limit: 2,
          ...(beforeId === undefined ? {} : { beforeId }),
        });
        pages.push(entries);
        beforeId = entries.at(-1)?.id;
        if (beforeId === undefined) break;
      }
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1, 0]);
      expect(withoutIds(pages.flat())).toEqual(newestFirst(4, 3, 2, 1, 0));
    });

    it("filters by operator, device, code and reception time", async () => {
      const list = async (q: Omit<Parameters<ConformantStore["listQuarantine"]>[0], "limit">) =>
        withoutIds(await ctx.store.listQuarantine({ limit: 100, ...q }));
      expect(await list({ operatorId: "op-a" })).toEqual(newestFirst(4, 2, 0));
      expect(await list({ operatorId: "" })).toEqual(newestFirst(3));
      expect(await list({ deviceId: "lamp-1" })).toEqual(newestFirst(4, 0));
      expect(await list({ code: "ERR_TIME_INVALID" })).toEqual(newestFirst(2));
      expect(await list({ code: "ERR_CONTRACT_WRONG_TYPE" })).toEqual(newestFirst(0));
      expect(await list({ from: T0 + MINUTE, to: T0 + 3 * MINUTE })).toEqual(newestFirst(2, 1));
      expect(await list({ operatorId: "op-a", code: "ERR_CONTRACT_REQUIRED_MISSING" })).toEqual(
        newestFirst(4),
      );
      expect(await list({ code: "ERR" })).toEqual([]);
    });

    it("counts entries under the same filters", async () => {
      expect(await ctx.store.countQuarantine({})).toBe(5);
      expect(await ctx.store.countQuarantine({ operatorId: "op-a" })).toBe(3);
      expect(await ctx.store.countQuarantine({ code: "ERR_DEVICE_NOT_ASSIGNED" })).toBe(1);
      expect(await ctx.store.countQuarantine({ from: T0 + MINUTE, to: T0 + 3 * MINUTE })).toBe(2);
      expect(await ctx.store.countQuarantine({ deviceId: "lamp-9" })).toBe(0);
    });

    it("resolves an empty add", async () => {
      await ctx.store.addQuarantine([]);
      expect(await ctx.store.countQuarantine({})).toBe(5);
    });
  });
}

// ---------------------------------------------------------------- hostile values

function hostileValues(ctx: Ctx): void {
  describe("filter values are data, never query text", () => {
    beforeEach(async () => {
      await ctx.store.write(FLEET);
    });

    it.each(HOSTILE)("matches nothing for %j", async (value) => {
      const s = ctx.store;
      const range = { from: T0 - DAY, to: T0 + DAY };
      for (const filter of [
        { deviceIds: [value] },
        { domain: value },
        { commune: value },
        { operatorId: value },
      ]) {
        expect(await s.latest(filter)).toEqual([]);
        expect(await s.countValues(filter)).toBe(0);
      }
      expect(await s.series({ deviceId: value, ...range })).toEqual([]);
      expect(await s.series({ deviceId: "lamp-1", ...range, fields: [value] })).toEqual([]);
      expect(await s.series({ deviceId: "lamp-1", ...range, operatorId: value })).toEqual([]);
      expect(await s.series({ deviceId: "lamp-1", ...range, operatorId: value, resolutionMs: HOUR })).toEqual(
        [],
      );
      expect(await s.aggregate({ ...range, groupBy: ["commune"], domain: value })).toEqual([]);
      expect(await s.aggregate({ ...range, groupBy: [], commune: value })).toEqual([]);
      expect(await s.aggregate({ ...range, groupBy: [], field: value })).toEqual([]);
      expect(await s.countValues({})).toBe(FLEET_VALUES);
    });

    it("stores and finds values that look like query text, exactly", async () => {
      const odd = { commune: "01'053", operatorId: 'op"; --', contract: "c@1' OR '1'='1" };
      const id = 'o\'brien "lamp" -- ; DROP';
      await ctx.store.write([reading(id, T0, { "field'name": "it's", 'say "x"': 1 }, odd)]);
      const [state] = await ctx.store.latest({
        deviceIds: [id],
        operatorId: odd.operatorId,
        commune: odd.commune,
      });
      expect(state).toMatchObject({ deviceId: id, ...odd });
      expect(state?.values["field'name"]?.value).toBe("it's");
      const points = await ctx.store.series({ deviceId: id, from: T0, to: T0 + 1, fields: ["field'name"] });
      expect(points.map((p) => p.last)).toEqual(["it's"]);
      const own = await ctx.store.series({ deviceId: id, from: T0, to: T0 + 1, operatorId: odd.operatorId });
      expect(own.map((p) => p.field).sort()).toEqual(["field'name", 'say "x"']);
    });
  });
}

function hostileQuarantineValues(ctx: Ctx<ConformantStore>): void {
  describe("quarantine filter values are data, never query text", () => {
    beforeEach(async () => {
      await ctx.store.write(FLEET);
      await ctx.store.addQuarantine(QUARANTINED);
    });

    it.each(HOSTILE)("matches nothing for %j", async (value) => {
      const s = ctx.store;
      for (const filter of [{ operatorId: value }, { deviceId: value }, { code: value }]) {
        expect(await s.listQuarantine({ limit: 10, ...filter })).toEqual([]);
        expect(await s.countQuarantine(filter)).toBe(0);
      }
      expect(await s.countValues({})).toBe(FLEET_VALUES);
      expect(await s.countQuarantine({})).toBe(QUARANTINED.length);
    });

    it("stores and finds values that look like query text, exactly", async () => {
      const operatorId = 'op"; --';
      const id = 'o\'brien "lamp" -- ; DROP';
      await ctx.store.addQuarantine([entry(9, { operatorId, deviceId: id })]);
      expect(await ctx.store.countQuarantine({ operatorId, deviceId: id })).toBe(1);
    });
  });
}

// ---------------------------------------------------------------- persistence

function persistence(ctx: Ctx, reopen: () => Promise<TimeSeriesStore>): void {
  describe("persistence", () => {
    it("keeps readings across close and reopen", async () => {
      await ctx.store.write(FLEET);
      const before = {
        latest: await ctx.store.latest({}),
        series: await ctx.store.series({ deviceId: "lamp-2", from: T0, to: T0 + DAY, resolutionMs: HOUR }),
      };
      await ctx.store.close();
      ctx.store = await reopen();
      expect(await ctx.store.latest({})).toEqual(before.latest);
      expect(
        await ctx.store.series({ deviceId: "lamp-2", from: T0, to: T0 + DAY, resolutionMs: HOUR }),
      ).toEqual(before.series);
      expect(await ctx.store.countValues({})).toBe(FLEET_VALUES);
    });
  });
}

function quarantinePersistence(ctx: Ctx<ConformantStore>, reopen: () => Promise<ConformantStore>): void {
  describe("persistence", () => {
    it("keeps readings and quarantine across close and reopen, and never reuses an id", async () => {
      await ctx.store.write(FLEET);
      await ctx.store.addQuarantine(QUARANTINED);
      const before = await ctx.store.listQuarantine({ limit: 100 });
      await ctx.store.close();
      ctx.store = await reopen();
      expect(await ctx.store.listQuarantine({ limit: 100 })).toEqual(before);
      expect(await ctx.store.countValues({})).toBe(FLEET_VALUES);
      await ctx.store.addQuarantine([entry(10, {})]);
      const [newest] = await ctx.store.listQuarantine({ limit: 1 });
      expect(newest?.id).toBeGreaterThan(Math.max(...before.map((e) => e.id ?? 0)));
    });
  });
}
