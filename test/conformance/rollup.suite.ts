import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FieldValue, Observation } from "../../services/domain/types.ts";
import type {
  DeviceRollup,
  DeviceStateRollup,
  GroupRollup,
  GroupStateRollup,
  RollupStore,
  RollupTier,
  StateRollupStore,
  TimeSeriesStore,
} from "../../services/storage/store.ts";

/**
 * The rollup port every adapter owes the maintainer (services/rollups/maintainer.ts) and the
 * aggregate routes, asserted only through the port so that DuckDB and InfluxDB run the same cases.
 * `summarize` reads the store's own raw readings, so the store under test is both ports.
 *
 * `make` returns a started store holding no data, isolated from the other tests; `reopen`, when
 * given, a started store over the same storage as the last one `make` returned.
 */
export type RollupCapableStore = TimeSeriesStore & RollupStore & StateRollupStore;

export interface RollupConformanceOptions<S extends RollupCapableStore> {
  reopen?: () => Promise<S>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 6 January 2025, midnight UTC. */
const T0 = Date.UTC(2025, 0, 6);

function reading(
  deviceId: string,
  time: number,
  values: Record<string, FieldValue>,
  attributes: Partial<Pick<Observation, "domain" | "commune" | "operatorId" | "contract">> = {},
): Observation {
  return {
    deviceId,
    time,
    ownerId: "ccphva",
    domain: "streetlight",
    commune: "57038",
    operatorId: "op-a",
    contract: "streetlight@1",
    ...attributes,
    values,
  };
}

function deviceRow(
  time: number,
  deviceId: string,
  field: string,
  stats: Pick<DeviceRollup, "count" | "mean" | "min" | "max">,
  attributes: Partial<DeviceRollup> = {},
): DeviceRollup {
  return {
    tier: "1h",
    time,
    deviceId,
    domain: "streetlight",
    commune: "57038",
    operatorId: "op-a",
    field,
    ...stats,
    ...attributes,
  };
}

function groupRow(
  time: number,
  field: string,
  stats: Pick<GroupRollup, "count" | "devices" | "mean" | "min" | "max">,
  attributes: Partial<GroupRollup> = {},
): GroupRollup {
  return { tier: "1h", time, commune: "57038", domain: "streetlight", field, ...stats, ...attributes };
}

function byKey<T extends { tier: RollupTier; time: number; field: string }>(
  rows: readonly T[],
  key: (r: T) => string,
): T[] {
  return [...rows].sort((a, b) => {
    const ka = `${a.tier}|${String(a.time).padStart(16, "0")}|${key(a)}|${a.field}`;
    const kb = `${b.tier}|${String(b.time).padStart(16, "0")}|${key(b)}|${b.field}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

const sortDevices = (rows: readonly DeviceRollup[]) => byKey(rows, (r) => r.deviceId);
const sortGroups = (rows: readonly GroupRollup[]) => byKey(rows, (r) => `${r.commune}|${r.domain}`);
const sortDeviceStates = (rows: readonly DeviceStateRollup[]) =>
  byKey(rows, (r) => `${r.deviceId}|${r.field}|${r.state}`);
const sortGroupStates = (rows: readonly GroupStateRollup[]) =>
  byKey(rows, (r) => `${r.commune}|${r.domain}|${r.field}|${r.state}`);

function deviceStateRow(
  time: number,
  deviceId: string,
  field: string,
  state: string,
  seconds: number,
  count: number,
  attributes: Partial<DeviceStateRollup> = {},
): DeviceStateRollup {
  return {
    tier: "1h",
    time,
    deviceId,
    domain: "streetlight",
    commune: "57038",
    operatorId: "op-a",
    field,
    state,
    seconds,
    count,
    ...attributes,
  };
}

function groupStateRow(
  time: number,
  field: string,
  state: string,
  figures: Pick<GroupStateRollup, "seconds" | "count" | "devices">,
  attributes: Partial<GroupStateRollup> = {},
): GroupStateRollup {
  return {
    tier: "1h",
    time,
    commune: "57038",
    domain: "streetlight",
    field,
    state,
    ...figures,
    ...attributes,
  };
}

/** Values with the syntax characters of line protocol, InfluxQL, SQL and regular expressions. */
const AWKWARD = ["a,b c=d", "quote\"and'apostrophe", "back\\slash", "new\nline", "Château d'eau — 💧"];
const HOSTILE = ["x' OR '1'='1", '"; DROP TABLE readings; --', ".*", "/.*/", "lamp-.*", "*", "%"];

export function rollupConformance<S extends RollupCapableStore>(
  name: string,
  make: () => Promise<S>,
  options: RollupConformanceOptions<S> = {},
): void {
  describe(`${name} conforms to the rollup port`, () => {
    const ctx = { store: undefined as unknown as S };
    beforeEach(async () => {
      ctx.store = await make();
    });
    afterEach(async () => {
      await ctx.store.close();
    });

    describe("counters: consumption per bucket", () => {
      const sums = (rows: readonly DeviceRollup[]) =>
        Object.fromEntries(
          sortDevices(rows)
            .filter((r) => r.field === "energy_kwh")
            .map((r) => [`${r.deviceId}@${(r.time - T0) / HOUR}h`, r.sum]),
        );

      it("counts each increase in the bucket of the later reading, the one before the range included", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 - 10 * MINUTE, { energy_kwh: 100 }),
          reading("lamp-1", T0 + 15 * MINUTE, { energy_kwh: 101.5 }),
          reading("lamp-1", T0 + 45 * MINUTE, { energy_kwh: 102 }),
          reading("lamp-1", T0 + 75 * MINUTE, { energy_kwh: 104 }),
          reading("lamp-2", T0 + 5 * MINUTE, { energy_kwh: 7, power_w: 40 }),
          reading("lamp-2", T0 + 65 * MINUTE, { energy_kwh: 7.25, power_w: 40 }),
        ]);
        const rows = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ["lamp-1", "lamp-2"],
          from: T0,
          to: T0 + 2 * HOUR,
          counters: ["energy_kwh"],
        });
        expect(sums(rows)).toEqual({ "lamp-1@0h": 2, "lamp-1@1h": 2, "lamp-2@0h": 0, "lamp-2@1h": 0.25 });
        // A gauge keeps its statistics and gets no consumption.
        expect(rows.filter((r) => r.field === "power_w").every((r) => r.sum === undefined)).toBe(true);
        const daily = await ctx.store.summarize({
          tier: "1d",
          deviceIds: ["lamp-1", "lamp-2"],
          from: T0,
          to: T0 + DAY,
          counters: ["energy_kwh"],
        });
        expect(sums(daily)).toEqual({ "lamp-1@0h": 4, "lamp-2@0h": 0.25 });
      });

      it("counts a reset from zero, and nothing across a gap longer than a day", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 + 10 * MINUTE, { energy_kwh: 500 }),
          reading("lamp-1", T0 + 20 * MINUTE, { energy_kwh: 501 }),
          // The meter was replaced: the new one starts near zero.
          reading("lamp-1", T0 + 30 * MINUTE, { energy_kwh: 0.5 }),
          reading("lamp-1", T0 + 40 * MINUTE, { energy_kwh: 1.5 }),
          // Silent for two days: the 10 kWh of the gap belong to no known hour.
          reading("lamp-1", T0 + 2 * DAY + 40 * MINUTE, { energy_kwh: 11.5 }),
          reading("lamp-1", T0 + 2 * DAY + 50 * MINUTE, { energy_kwh: 12 }),
        ]);
        const first = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ["lamp-1"],
          from: T0,
          to: T0 + HOUR,
          counters: ["energy_kwh"],
        });
        expect(sums(first)).toEqual({ "lamp-1@0h": 2.5 });
        const after = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ["lamp-1"],
          from: T0 + 2 * DAY,
          to: T0 + 2 * DAY + HOUR,
          counters: ["energy_kwh"],
        });
        expect(sums(after)).toEqual({ "lamp-1@48h": 0.5 });
      });

      it("follows the meter across a handover to another operator", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 + 10 * MINUTE, { energy_kwh: 10 }),
          reading("lamp-1", T0 + 40 * MINUTE, { energy_kwh: 12 }, { operatorId: "op-b" }),
        ]);
        const rows = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ["lamp-1"],
          from: T0,
          to: T0 + HOUR,
          counters: ["energy_kwh"],
        });
        expect(sums(rows)).toEqual({ "lamp-1@0h": 2 });
      });

      it("keeps a device's and a group's consumption through a write and a read", async () => {
        await ctx.store.writeDeviceRollups([
          deviceRow(T0, "lamp-1", "energy_kwh", { count: 2, mean: 11, min: 10, max: 12 }, { sum: 2 }),
        ]);
        await ctx.store.writeGroupRollups([
          groupRow(T0, "energy_kwh", { count: 2, devices: 1, mean: 11, min: 10, max: 12 }, { sum: 2 }),
          groupRow(T0, "power_w", { count: 2, devices: 1, mean: 40, min: 40, max: 40 }),
        ]);
        const devices = await ctx.store.deviceRollups({
          tier: "1h",
          time: T0,
          commune: "57038",
          domain: "streetlight",
        });
        expect(devices.map((r) => r.sum)).toEqual([2]);
        const groups = sortGroups(await ctx.store.groupRollups({ tier: "1h", from: T0, to: T0 + HOUR }));
        expect(groups.map((r) => [r.field, r.sum])).toEqual([
          ["energy_kwh", 2],
          ["power_w", undefined],
        ]);
      });
    });

    describe("states: time in each state", () => {
      /** `device@hour: {state: [seconds, readings]}`, hours from T0, for an easy read of a failure. */
      const times = (rows: readonly DeviceStateRollup[], unit = HOUR) => {
        const out: Record<string, Record<string, [number, number]>> = {};
        for (const r of sortDeviceStates(rows)) {
          const key = `${r.deviceId}.${r.field}@${(r.time - T0) / unit}`;
          out[key] = { ...out[key], [r.state]: [r.seconds, r.count] };
        }
        return out;
      };
      const summary = (
        from: number,
        to: number,
        now: number,
        more: Partial<Parameters<StateRollupStore["summarizeStates"]>[0]> = {},
      ) =>
        ctx.store.summarizeStates({
          tier: "1h",
          deviceIds: ["lamp-1"],
          fields: ["power_state"],
          from,
          to,
          now,
          ...more,
        });

      it("starts a bucket in the state read before it, and changes state mid-bucket", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 - 2 * HOUR, { power_state: "off" }),
          reading("lamp-1", T0 - 10 * MINUTE, { power_state: "on", active_power_w: 40 }),
          reading("lamp-1", T0 + 30 * MINUTE, { power_state: "off" }),
          reading("lamp-1", T0 + 45 * MINUTE, { power_state: "off" }),
          reading("lamp-2", T0 + 5 * MINUTE, { power_state: "low", status: "ok" }),
        ]);
        const rows = await summary(T0, T0 + HOUR, T0 + DAY, { deviceIds: ["lamp-1", "lamp-2"] });
        expect(times(rows)).toEqual({
          "lamp-1.power_state@0": { on: [1800, 0], off: [1800, 2] },
          // Nothing before it within a day: the first five minutes of lamp-2 are unknown.
          "lamp-2.power_state@0": { low: [3300, 1] },
        });
        expect(rows.every((r) => r.domain === "streetlight" && r.commune === "57038")).toBe(true);
        // At 00:20 the change of 00:30 (a device clock ahead) is a reading, but holds no time yet.
        expect(times(await summary(T0, T0 + HOUR, T0 + 20 * MINUTE))).toEqual({
          "lamp-1.power_state@0": { on: [1200, 0], off: [0, 2] },
        });
      });

      it("cuts a state at bucket ends, over every bucket it spans, hourly and daily", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 + 50 * MINUTE, { power_state: "on" }),
          reading("lamp-1", T0 + 2 * HOUR + 10 * MINUTE, { power_state: "off" }),
          reading("lamp-1", T0 + 2 * HOUR + 40 * MINUTE, { power_state: "on" }),
        ]);
        expect(times(await summary(T0, T0 + 3 * HOUR, T0 + DAY))).toEqual({
          "lamp-1.power_state@0": { on: [600, 1] },
          "lamp-1.power_state@1": { on: [3600, 0] },
          "lamp-1.power_state@2": { on: [1800, 1], off: [1800, 1] },
        });
        // The last reading holds to the end of the day's range: a day at most, never past now.
        const daily = await summary(T0, T0 + DAY, T0 + 5 * HOUR, { tier: "1d" });
        expect(times(daily, DAY)).toEqual({
          "lamp-1.power_state@0": { on: [4800 + 2 * 3600 + 20 * 60, 2], off: [1800, 1] },
        });
      });

      it("counts nothing past a day without a reading, nor past now", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 + 10 * MINUTE, { power_state: "on" }),
          reading("lamp-1", T0 + 2 * DAY + 30 * MINUTE, { power_state: "off" }),
        ]);
        const daily = await summary(T0, T0 + 3 * DAY, T0 + 2 * DAY + HOUR, { tier: "1d" });
        expect(times(daily, DAY)).toEqual({
          "lamp-1.power_state@0": { on: [DAY / 1000 - 600, 1] },
          "lamp-1.power_state@1": { on: [600, 0] },
          "lamp-1.power_state@2": { off: [1800, 1] },
        });
        // An hour of the second day, after the state ran out: nothing, the reading is too old.
        expect(await summary(T0 + DAY + HOUR, T0 + DAY + 2 * HOUR, T0 + 3 * DAY)).toEqual([]);
        // The current hour holds the time elapsed so far.
        expect(times(await summary(T0, T0 + HOUR, T0 + 40 * MINUTE))).toEqual({
          "lamp-1.power_state@0": { on: [1800, 1] },
        });
      });

      it("keys booleans as true and false, and numbers in their shortest form", async () => {
        await ctx.store.write([
          reading("lamp-1", T0, { lit: true, mode: 2 }),
          reading("lamp-1", T0 + 15 * MINUTE, { lit: false, mode: 0.5 }),
        ]);
        const rows = await summary(T0, T0 + HOUR, T0 + HOUR, { fields: ["lit", "mode"] });
        expect(times(rows)).toEqual({
          "lamp-1.lit@0": { true: [900, 1], false: [2700, 1] },
          "lamp-1.mode@0": { "2": [900, 1], "0.5": [2700, 1] },
        });
      });

      it("follows a device across a handover, with the newest reading's operator", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 + 10 * MINUTE, { power_state: "on" }),
          reading("lamp-1", T0 + 40 * MINUTE, { power_state: "off" }, { operatorId: "op-b" }),
        ]);
        const rows = await summary(T0, T0 + HOUR, T0 + HOUR);
        expect(sortDeviceStates(rows)).toEqual([
          deviceStateRow(T0, "lamp-1", "power_state", "off", 1200, 1, { operatorId: "op-b" }),
          deviceStateRow(T0, "lamp-1", "power_state", "on", 1800, 1, { operatorId: "op-b" }),
        ]);
      });

      it("answers the devices and fields asked only, and nothing for none", async () => {
        await ctx.store.write([
          reading("lamp-1", T0, { power_state: "on", status: "ok" }),
          reading("lamp-3", T0, { power_state: "on" }),
        ]);
        expect(times(await summary(T0, T0 + HOUR, T0 + HOUR))).toEqual({
          "lamp-1.power_state@0": { on: [3600, 1] },
        });
        expect(await summary(T0, T0 + HOUR, T0 + HOUR, { deviceIds: [] })).toEqual([]);
        expect(await summary(T0, T0 + HOUR, T0 + HOUR, { fields: [] })).toEqual([]);
        expect(await summary(T0, T0 + HOUR, T0 + HOUR, { deviceIds: HOSTILE })).toEqual([]);
      });

      it("round-trips values, device ids and communes with syntax characters", async () => {
        await ctx.store.write(
          AWKWARD.map((text, i) =>
            reading(`lamp ${text}`, T0 + i * MINUTE, { power_state: text }, { commune: text }),
          ),
        );
        const rows = await summary(T0, T0 + HOUR, T0 + HOUR, { deviceIds: AWKWARD.map((t) => `lamp ${t}`) });
        expect(sortDeviceStates(rows)).toEqual(
          sortDeviceStates(
            AWKWARD.map((text, i) =>
              deviceStateRow(T0, `lamp ${text}`, "power_state", text, 3600 - 60 * i, 1, { commune: text }),
            ),
          ),
        );
      });

      it("keeps device rows, and a rewrite replaces every state of the bucket, device and field", async () => {
        const before = [
          deviceStateRow(T0, "lamp-1", "power_state", "on", 1800, 1),
          deviceStateRow(T0, "lamp-1", "power_state", "off", 1800, 1),
          deviceStateRow(T0, "lamp-1", "status", "ok", 3600, 2),
          deviceStateRow(T0, "lamp-2", "power_state", "on", 3600, 1),
        ];
        await ctx.store.writeDeviceStateRollups(before);
        const read = () =>
          ctx.store.deviceStateRollups({ tier: "1h", time: T0, commune: "57038", domain: "streetlight" });
        expect(sortDeviceStates(await read())).toEqual(sortDeviceStates(before));
        // A late reading made the lamp on all hour: "off" is gone, the other keys stay.
        const after = deviceStateRow(T0, "lamp-1", "power_state", "on", 3600, 2);
        await ctx.store.writeDeviceStateRollups([after]);
        await ctx.store.writeDeviceStateRollups([after]);
        expect(sortDeviceStates(await read())).toEqual(
          sortDeviceStates([after, before[2], before[3]] as DeviceStateRollup[]),
        );
        // Moved to another commune: the row is found there only.
        const moved = { ...after, commune: "54580", operatorId: "op-b" };
        await ctx.store.writeDeviceStateRollups([moved]);
        expect(sortDeviceStates(await read())).toEqual(
          sortDeviceStates([before[2], before[3]] as DeviceStateRollup[]),
        );
        expect(
          await ctx.store.deviceStateRollups({
            tier: "1h",
            time: T0,
            commune: "54580",
            domain: "streetlight",
          }),
        ).toEqual([moved]);
        expect(
          await ctx.store.deviceStateRollups({
            tier: "1d",
            time: T0,
            commune: "57038",
            domain: "streetlight",
          }),
        ).toEqual([]);
      });

      it("keeps group rows, read by range and filters, and a rewrite replaces every state", async () => {
        const rows = [
          groupStateRow(T0, "power_state", "on", { seconds: 5400, count: 3, devices: 2 }),
          groupStateRow(T0, "power_state", "off", { seconds: 1800, count: 1, devices: 2 }),
          groupStateRow(
            T0,
            "power_state",
            "on",
            { seconds: 3600, count: 1, devices: 1 },
            { commune: "54580" },
          ),
          groupStateRow(T0, "status", "full", { seconds: 3600, count: 4, devices: 1 }, { domain: "waste" }),
          groupStateRow(T0 + HOUR, "power_state", "on", { seconds: 7200, count: 2, devices: 2 }),
          groupStateRow(T0, "power_state", "on", { seconds: 86_400, count: 96, devices: 1 }, { tier: "1d" }),
        ];
        await ctx.store.writeGroupStateRollups(rows);
        const read = (q: Partial<Parameters<StateRollupStore["groupStateRollups"]>[0]> = {}) =>
          ctx.store
            .groupStateRollups({ tier: "1h", from: T0, to: T0 + 2 * HOUR, ...q })
            .then(sortGroupStates);
        expect(await read()).toEqual(sortGroupStates(rows.slice(0, 5)));
        expect(await read({ from: T0 + HOUR })).toEqual([rows[4]]);
        expect(await read({ commune: "54580" })).toEqual([rows[2]]);
        expect(await read({ domain: "waste", field: "status" })).toEqual([rows[3]]);
        expect(await read({ tier: "1d", to: T0 + DAY })).toEqual([rows[5]]);
        const update = groupStateRow(T0, "power_state", "on", { seconds: 7200, count: 4, devices: 2 });
        await ctx.store.writeGroupStateRollups([update]);
        expect(await read({ commune: "57038", domain: "streetlight", to: T0 + HOUR })).toEqual([update]);
        for (const hostile of HOSTILE) {
          expect(await read({ commune: hostile })).toEqual([]);
          expect(await read({ field: hostile })).toEqual([]);
        }
      });

      it("round-trips states, communes and fields with syntax characters in group rows", async () => {
        const rows = AWKWARD.map((text, i) =>
          groupStateRow(
            T0,
            text,
            text,
            { seconds: i + 0.5, count: i, devices: 1 },
            { commune: text, domain: text },
          ),
        );
        await ctx.store.writeGroupStateRollups(rows);
        for (const [i, text] of AWKWARD.entries()) {
          expect(
            await ctx.store.groupStateRollups({
              tier: "1h",
              from: T0,
              to: T0 + HOUR,
              commune: text,
              field: text,
            }),
          ).toEqual([rows[i]]);
        }
      });
    });

    describe("summarize", () => {
      it("summarises numeric fields per device and bucket, within the range and the devices asked", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 + 10 * MINUTE, { power_w: 100, on: true, status: "ok" }),
          reading("lamp-1", T0 + 20 * MINUTE, { power_w: 50, energy_kwh: 1.5 }),
          reading("lamp-1", T0 + 70 * MINUTE, { power_w: 10 }),
          reading("lamp-2", T0 + 30 * MINUTE, { power_w: 30 }, { commune: "54580", operatorId: "op-b" }),
          reading("lamp-3", T0 + 30 * MINUTE, { power_w: 999 }),
          reading("lamp-1", T0 - 1, { power_w: 7 }),
          reading("lamp-1", T0 + 2 * HOUR, { power_w: 999 }),
        ]);
        const rows = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ["lamp-1", "lamp-2"],
          from: T0,
          to: T0 + 2 * HOUR,
        });
        expect(sortDevices(rows)).toEqual([
          deviceRow(T0, "lamp-1", "energy_kwh", { count: 1, mean: 1.5, min: 1.5, max: 1.5 }),
          deviceRow(T0, "lamp-1", "power_w", { count: 2, mean: 75, min: 50, max: 100 }),
          deviceRow(
            T0,
            "lamp-2",
            "power_w",
            { count: 1, mean: 30, min: 30, max: 30 },
            { commune: "54580", operatorId: "op-b" },
          ),
          deviceRow(T0 + HOUR, "lamp-1", "power_w", { count: 1, mean: 10, min: 10, max: 10 }),
        ]);
      });

      it("buckets a day on UTC midnight for the daily tier", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 + 1, { power_w: 1 }),
          reading("lamp-1", T0 + DAY - 1, { power_w: 3 }),
          reading("lamp-1", T0 + DAY, { power_w: 100 }),
        ]);
        const rows = await ctx.store.summarize({
          tier: "1d",
          deviceIds: ["lamp-1"],
          from: T0,
          to: T0 + 2 * DAY,
        });
        expect(sortDevices(rows)).toEqual([
          deviceRow(T0, "lamp-1", "power_w", { count: 2, mean: 2, min: 1, max: 3 }, { tier: "1d" }),
          deviceRow(
            T0 + DAY,
            "lamp-1",
            "power_w",
            { count: 1, mean: 100, min: 100, max: 100 },
            { tier: "1d" },
          ),
        ]);
      });

      it("gives one row per device and field when its operator changed within the bucket, with the newest operator", async () => {
        await ctx.store.write([
          reading(
            "lamp-1",
            T0 + 10 * MINUTE,
            { power_w: 10 },
            { operatorId: "op-a", contract: "streetlight@1" },
          ),
          reading(
            "lamp-1",
            T0 + 40 * MINUTE,
            { power_w: 30 },
            { operatorId: "op-b", contract: "streetlight@2" },
          ),
        ]);
        const rows = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ["lamp-1"],
          from: T0,
          to: T0 + HOUR,
        });
        expect(rows).toEqual([
          deviceRow(
            T0,
            "lamp-1",
            "power_w",
            { count: 2, mean: 20, min: 10, max: 30 },
            { operatorId: "op-b" },
          ),
        ]);
      });

      it("includes a reading written days late in its own bucket", async () => {
        await ctx.store.write([reading("lamp-1", T0 + 5 * MINUTE, { power_w: 10 })]);
        await ctx.store.write([reading("lamp-1", T0 + 3 * DAY, { power_w: 99 })]);
        await ctx.store.write([reading("lamp-1", T0 + 6 * MINUTE, { power_w: 20 })]);
        const rows = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ["lamp-1"],
          from: T0,
          to: T0 + HOUR,
        });
        expect(rows).toEqual([deviceRow(T0, "lamp-1", "power_w", { count: 2, mean: 15, min: 10, max: 20 })]);
      });

      it("answers nothing for no device, an unknown device or an empty range", async () => {
        await ctx.store.write([reading("lamp-1", T0, { power_w: 10 })]);
        expect(await ctx.store.summarize({ tier: "1h", deviceIds: [], from: T0, to: T0 + HOUR })).toEqual([]);
        expect(
          await ctx.store.summarize({ tier: "1h", deviceIds: ["nobody"], from: T0, to: T0 + HOUR }),
        ).toEqual([]);
        expect(await ctx.store.summarize({ tier: "1h", deviceIds: ["lamp-1"], from: T0, to: T0 })).toEqual(
          [],
        );
      });

      it("keeps negative, fractional and large values exact", async () => {
        await ctx.store.write([
          reading("lamp-1", T0 + 1, { v: -17.25 }),
          reading("lamp-1", T0 + 2, { v: 0.1 }),
          reading("lamp-1", T0 + 3, { v: 123_456_789_012.5 }),
        ]);
        const [row] = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ["lamp-1"],
          from: T0,
          to: T0 + HOUR,
        });
        expect(row).toMatchObject({ count: 3, min: -17.25, max: 123_456_789_012.5 });
        expect(row?.mean).toBeCloseTo((-17.25 + 0.1 + 123_456_789_012.5) / 3, 3);
      });

      it("summarises hundreds of devices in one call", async () => {
        const ids = Array.from({ length: 600 }, (_, i) => `lamp-${String(i).padStart(4, "0")}`);
        await ctx.store.write(ids.map((id, i) => reading(id, T0 + i, { power_w: i })));
        const rows = await ctx.store.summarize({
          tier: "1h",
          deviceIds: ids.slice(0, 500),
          from: T0,
          to: T0 + HOUR,
        });
        expect(rows).toHaveLength(500);
        expect(rows.reduce((sum, r) => sum + r.mean, 0)).toBe((499 * 500) / 2);
      });

      it("round-trips device ids, communes and field names with syntax characters", async () => {
        const observations = AWKWARD.map((text, i) =>
          reading(`lamp ${text}`, T0 + i, { [`f_${i}`]: i + 1 }, { commune: text, domain: `d ${text}` }),
        );
        await ctx.store.write(observations);
        const rows = await ctx.store.summarize({
          tier: "1h",
          deviceIds: observations.map((o) => o.deviceId),
          from: T0,
          to: T0 + HOUR,
        });
        expect(sortDevices(rows)).toEqual(
          sortDevices(
            AWKWARD.map((text, i) =>
              deviceRow(
                T0,
                `lamp ${text}`,
                `f_${i}`,
                { count: 1, mean: i + 1, min: i + 1, max: i + 1 },
                { commune: text, domain: `d ${text}` },
              ),
            ),
          ),
        );
      });

      it("treats hostile device ids as data", async () => {
        await ctx.store.write([reading("lamp-1", T0, { power_w: 10 })]);
        const rows = await ctx.store.summarize({ tier: "1h", deviceIds: HOSTILE, from: T0, to: T0 + HOUR });
        expect(rows).toEqual([]);
      });
    });

    describe("device rollups", () => {
      it("stores rows and finds them by tier, bucket, commune and domain", async () => {
        const rows = [
          deviceRow(T0, "lamp-1", "power_w", { count: 2, mean: 75, min: 50, max: 100 }),
          deviceRow(T0, "lamp-2", "power_w", { count: 1, mean: 30, min: 30, max: 30 }, { commune: "54580" }),
          deviceRow(T0 + HOUR, "lamp-1", "power_w", { count: 1, mean: 10, min: 10, max: 10 }),
          deviceRow(T0, "lamp-1", "power_w", { count: 60, mean: 70, min: 0, max: 100 }, { tier: "1d" }),
          deviceRow(
            T0,
            "tank-1",
            "pressure_bar",
            { count: 4, mean: 3, min: 2.5, max: 3.5 },
            { domain: "water" },
          ),
        ];
        await ctx.store.writeDeviceRollups(rows);
        const found = await ctx.store.deviceRollups({
          tier: "1h",
          time: T0,
          commune: "57038",
          domain: "streetlight",
        });
        expect(found).toEqual([rows[0]]);
        const daily = await ctx.store.deviceRollups({
          tier: "1d",
          time: T0,
          commune: "57038",
          domain: "streetlight",
        });
        expect(daily).toEqual([rows[3]]);
        expect(
          await ctx.store.deviceRollups({ tier: "1h", time: T0, commune: "57038", domain: "water" }),
        ).toEqual([rows[4]]);
      });

      it("replaces a row of the same tier, bucket, device and field (recomputing is idempotent)", async () => {
        await ctx.store.writeDeviceRollups([
          deviceRow(T0, "lamp-1", "power_w", { count: 1, mean: 10, min: 10, max: 10 }),
          deviceRow(T0, "lamp-1", "energy_kwh", { count: 1, mean: 1, min: 1, max: 1 }),
        ]);
        const update = deviceRow(
          T0,
          "lamp-1",
          "power_w",
          { count: 2, mean: 15, min: 10, max: 20 },
          { operatorId: "op-b" },
        );
        await ctx.store.writeDeviceRollups([update]);
        await ctx.store.writeDeviceRollups([update]);
        const found = await ctx.store.deviceRollups({
          tier: "1h",
          time: T0,
          commune: "57038",
          domain: "streetlight",
        });
        expect(sortDevices(found)).toEqual([
          deviceRow(T0, "lamp-1", "energy_kwh", { count: 1, mean: 1, min: 1, max: 1 }),
          update,
        ]);
      });

      it("accepts an empty write", async () => {
        await ctx.store.writeDeviceRollups([]);
        expect(
          await ctx.store.deviceRollups({ tier: "1h", time: T0, commune: "57038", domain: "streetlight" }),
        ).toEqual([]);
      });

      it("round-trips names with syntax characters and treats hostile filters as data", async () => {
        const rows = AWKWARD.map((text, i) =>
          deviceRow(
            T0,
            `lamp ${text}`,
            `f ${text}`,
            { count: i + 1, mean: i, min: i, max: i },
            {
              commune: text,
              domain: text,
              operatorId: `op ${text}`,
            },
          ),
        );
        await ctx.store.writeDeviceRollups(rows);
        for (const [i, text] of AWKWARD.entries()) {
          expect(
            await ctx.store.deviceRollups({ tier: "1h", time: T0, commune: text, domain: text }),
          ).toEqual([rows[i]]);
        }
        for (const hostile of HOSTILE) {
          expect(
            await ctx.store.deviceRollups({ tier: "1h", time: T0, commune: hostile, domain: hostile }),
          ).toEqual([]);
        }
      });
    });

    describe("group rollups", () => {
      const rows = [
        groupRow(T0, "power_w", { count: 3, devices: 2, mean: 60, min: 30, max: 100 }),
        groupRow(T0, "power_w", { count: 1, devices: 1, mean: 30, min: 30, max: 30 }, { commune: "54580" }),
        groupRow(
          T0,
          "pressure_bar",
          { count: 4, devices: 1, mean: 3, min: 2.5, max: 3.5 },
          { domain: "water" },
        ),
        groupRow(T0 + HOUR, "power_w", { count: 1, devices: 1, mean: 10, min: 10, max: 10 }),
        groupRow(T0, "power_w", { count: 50, devices: 2, mean: 40, min: 0, max: 100 }, { tier: "1d" }),
      ];

      it("stores rows and reads them back by tier and range, filtered on commune, domain and field", async () => {
        await ctx.store.writeGroupRollups(rows);
        const all = await ctx.store.groupRollups({ tier: "1h", from: T0, to: T0 + 2 * HOUR });
        expect(sortGroups(all)).toEqual(sortGroups(rows.slice(0, 4)));
        expect(await ctx.store.groupRollups({ tier: "1h", from: T0 + HOUR, to: T0 + 2 * HOUR })).toEqual([
          rows[3],
        ]);
        expect(
          await ctx.store.groupRollups({ tier: "1h", from: T0, to: T0 + HOUR, commune: "54580" }),
        ).toEqual([rows[1]]);
        expect(await ctx.store.groupRollups({ tier: "1h", from: T0, to: T0 + DAY, domain: "water" })).toEqual(
          [rows[2]],
        );
        expect(
          sortGroups(
            await ctx.store.groupRollups({
              tier: "1h",
              from: T0,
              to: T0 + DAY,
              field: "power_w",
              commune: "57038",
            }),
          ),
        ).toEqual([rows[0], rows[3]]);
        expect(await ctx.store.groupRollups({ tier: "1d", from: T0, to: T0 + DAY })).toEqual([rows[4]]);
      });

      it("replaces a row of the same tier, bucket, commune, domain and field", async () => {
        await ctx.store.writeGroupRollups(rows);
        const update = groupRow(T0, "power_w", { count: 4, devices: 3, mean: 50, min: 10, max: 100 });
        await ctx.store.writeGroupRollups([update]);
        const found = await ctx.store.groupRollups({
          tier: "1h",
          from: T0,
          to: T0 + 1,
          commune: "57038",
          domain: "streetlight",
        });
        expect(found).toEqual([update]);
      });

      it("reads a year of daily rows", async () => {
        const year = Array.from({ length: 365 }, (_, d) =>
          groupRow(
            T0 + d * DAY,
            "power_w",
            { count: 24, devices: 1, mean: d, min: 0, max: 2 * d },
            { tier: "1d" },
          ),
        );
        await ctx.store.writeGroupRollups(year);
        const found = await ctx.store.groupRollups({
          tier: "1d",
          from: T0,
          to: T0 + 365 * DAY,
          field: "power_w",
        });
        expect(sortGroups(found)).toEqual(year);
      });

      it("round-trips names with syntax characters and treats hostile filters as data", async () => {
        const awkward = AWKWARD.map((text, i) =>
          groupRow(
            T0,
            text,
            { count: i + 1, devices: 1, mean: i, min: i, max: i },
            { commune: text, domain: text },
          ),
        );
        await ctx.store.writeGroupRollups(awkward);
        for (const [i, text] of AWKWARD.entries()) {
          expect(
            await ctx.store.groupRollups({
              tier: "1h",
              from: T0,
              to: T0 + HOUR,
              commune: text,
              domain: text,
              field: text,
            }),
          ).toEqual([awkward[i]]);
        }
        for (const hostile of HOSTILE) {
          expect(
            await ctx.store.groupRollups({ tier: "1h", from: T0, to: T0 + HOUR, commune: hostile }),
          ).toEqual([]);
          expect(
            await ctx.store.groupRollups({ tier: "1h", from: T0, to: T0 + HOUR, field: hostile }),
          ).toEqual([]);
        }
      });
    });

    const reopen = options.reopen;
    if (reopen) {
      describe("persistence", () => {
        it("keeps state rollups across close and reopen", async () => {
          const device = deviceStateRow(T0, "lamp-1", "power_state", "on", 3600, 4);
          const group = groupStateRow(T0, "power_state", "on", { seconds: 3600, count: 4, devices: 1 });
          await ctx.store.writeDeviceStateRollups([device]);
          await ctx.store.writeGroupStateRollups([group]);
          await ctx.store.close();
          ctx.store = await reopen();
          expect(
            await ctx.store.deviceStateRollups({
              tier: "1h",
              time: T0,
              commune: "57038",
              domain: "streetlight",
            }),
          ).toEqual([device]);
          expect(await ctx.store.groupStateRollups({ tier: "1h", from: T0, to: T0 + HOUR })).toEqual([group]);
        });

        it("keeps device and group rollups across close and reopen", async () => {
          const device = deviceRow(T0, "lamp-1", "power_w", { count: 2, mean: 15, min: 10, max: 20 });
          const group = groupRow(T0, "power_w", { count: 2, devices: 1, mean: 15, min: 10, max: 20 });
          await ctx.store.writeDeviceRollups([device]);
          await ctx.store.writeGroupRollups([group]);
          await ctx.store.close();
          ctx.store = await reopen();
          expect(
            await ctx.store.deviceRollups({ tier: "1h", time: T0, commune: "57038", domain: "streetlight" }),
          ).toEqual([device]);
          expect(await ctx.store.groupRollups({ tier: "1h", from: T0, to: T0 + HOUR })).toEqual([group]);
        });
      });
    }
  });
}
