import { describe, expect, it } from "vitest";
import type { Observation } from "../../services/domain/types.ts";
import { aggregateFromRollups, planRollupQuery } from "../../services/rollups/aggregates.ts";
import { bucket, combine, combineStates, RollupMaintainer } from "../../services/rollups/maintainer.ts";
import { MirroredRollups } from "../../services/rollups/mirror.ts";
import { MemoryRollupStore } from "../helpers/memory-rollup-store.ts";

const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.UTC(2026, 10, 23, 12, 30);

function obs(deviceId: string, time: number, pressure: number, commune = "57038"): Observation {
  return {
    deviceId,
    time,
    domain: "water_pressure",
    commune,
    ownerId: "ccphva",
    operatorId: "eaux-alzette",
    contract: "ccphva-water-pressure@1.0.0",
    values: { pressure_bar: pressure, note: "text is not rolled up" } as Observation["values"],
  };
}

function setup() {
  const store = new MemoryRollupStore();
  const maintainer = new RollupMaintainer(
    store,
    { intervalMs: 60_000, recomputeAtStartMs: 0, tiers: ["1h", "1d"] },
    () => NOW,
  );
  const ingest = (batch: Observation[]) => {
    store.raw.push(...batch);
    maintainer.markDurable(batch);
  };
  return { store, maintainer, ingest };
}

describe("rollup maintainer", () => {
  it("rolls devices up per hour and day, and groups per commune and domain", async () => {
    const { store, maintainer, ingest } = setup();
    const hour = bucket(NOW, "1h");
    ingest([
      obs("a", hour + 1, 2),
      obs("a", hour + 2, 4),
      obs("b", hour + 3, 6),
      obs("c", hour + 4, 9, "54580"),
    ]);
    await maintainer.pass();
    const a = store.devices.get(`1h|${hour}|a|pressure_bar`);
    expect(a).toMatchObject({
      count: 2,
      mean: 3,
      min: 2,
      max: 4,
      domain: "water_pressure",
      commune: "57038",
    });
    expect(store.devices.get(`1d|${bucket(NOW, "1d")}|a|pressure_bar`)).toMatchObject({ count: 2, mean: 3 });
    const group = store.groups.get(`1h|${hour}|57038|water_pressure|pressure_bar`);
    expect(group).toMatchObject({ count: 3, devices: 2, mean: 4, min: 2, max: 6 });
    expect(store.groups.get(`1h|${hour}|54580|water_pressure|pressure_bar`)).toMatchObject({
      devices: 1,
      mean: 9,
    });
    expect([...store.devices.values()].some((r) => r.field === "note")).toBe(false);
  });

  it("updates the rollups of an old day when a reading arrives three days late", async () => {
    const { store, maintainer, ingest } = setup();
    const old = NOW - 3 * DAY;
    ingest([obs("a", old, 2)]);
    await maintainer.pass();
    ingest([obs("a", old + 60_000, 8)]);
    await maintainer.pass();
    expect(store.devices.get(`1h|${bucket(old, "1h")}|a|pressure_bar`)).toMatchObject({
      count: 2,
      mean: 5,
      max: 8,
    });
    expect(store.groups.get(`1d|${bucket(old, "1d")}|57038|water_pressure|pressure_bar`)).toMatchObject({
      count: 2,
      mean: 5,
    });
  });

  it("gives the same rows when a bucket is recomputed", async () => {
    const { store, maintainer, ingest } = setup();
    ingest([obs("a", NOW, 2), obs("a", NOW + 1, 3)]);
    await maintainer.pass();
    const first = structuredClone([...store.devices.values()]);
    maintainer.markDurable([obs("a", NOW, 2)]);
    await maintainer.pass();
    expect([...store.devices.values()]).toEqual(first);
  });

  it("keeps dirty buckets when a pass fails and finishes them on the next", async () => {
    const { store, maintainer, ingest } = setup();
    ingest([obs("a", NOW, 2)]);
    store.failNext = 1;
    await maintainer.pass();
    expect(maintainer.stats.failures).toBe(1);
    expect(store.devices.size).toBe(0);
    await maintainer.pass();
    expect(store.devices.size).toBe(2);
  });

  it("recomputes recent buckets of every device at start", async () => {
    const store = new MemoryRollupStore();
    store.raw.push(obs("a", NOW - H, 5));
    const maintainer = new RollupMaintainer(
      store,
      { intervalMs: 60_000, recomputeAtStartMs: 2 * H, tiers: ["1h"] },
      () => NOW,
    );
    maintainer.start(["a", "b"]);
    await maintainer.close();
    expect(store.devices.get(`1h|${bucket(NOW - H, "1h")}|a|pressure_bar`)).toMatchObject({
      count: 1,
      mean: 5,
    });
  });

  it("weights a group's mean by each device's count", () => {
    const rows = combine("1h", 0, { commune: "x", domain: "d" }, [
      {
        tier: "1h",
        time: 0,
        deviceId: "a",
        domain: "d",
        commune: "x",
        operatorId: "o",
        field: "f",
        count: 3,
        mean: 1,
        min: 0,
        max: 2,
      },
      {
        tier: "1h",
        time: 0,
        deviceId: "b",
        domain: "d",
        commune: "x",
        operatorId: "o",
        field: "f",
        count: 1,
        mean: 5,
        min: 5,
        max: 5,
      },
    ]);
    expect(rows).toEqual([
      {
        tier: "1h",
        time: 0,
        commune: "x",
        domain: "d",
        field: "f",
        count: 4,
        devices: 2,
        mean: 2,
        min: 0,
        max: 5,
      },
    ]);
  });
});

describe("state rollups", () => {
  const HOUR_START = bucket(NOW, "1h");

  function lamp(deviceId: string, time: number, powerState: string, commune = "57038"): Observation {
    return {
      deviceId,
      time,
      domain: "streetlight",
      commune,
      ownerId: "ccphva",
      operatorId: "lumiere-est",
      contract: "ccphva-streetlight@1.0.0",
      values: { power_state: powerState, active_power_w: powerState === "on" ? 40 : 0 },
    };
  }

  function setupStates(start = NOW) {
    const clock = { now: start };
    const store = new MemoryRollupStore();
    const maintainer = new RollupMaintainer(
      store,
      { intervalMs: 60_000, recomputeAtStartMs: 0, tiers: ["1h", "1d"] },
      () => clock.now,
      [],
      ["power_state"],
    );
    const ingest = (batch: Observation[]) => {
      store.raw.push(...batch);
      maintainer.markDurable(batch);
    };
    /** `{state: seconds}` of a group's field in one bucket. */
    const group = (tier: "1h" | "1d", time: number, commune = "57038") =>
      Object.fromEntries(
        store.groupStates
          .filter((r) => r.tier === tier && r.time === time && r.commune === commune)
          .map((r) => [r.state, r.seconds]),
      );
    return { clock, store, maintainer, ingest, group };
  }

  it("rolls each device's time per state up, and its group's, up to now", async () => {
    const { store, maintainer, ingest, group } = setupStates();
    ingest([
      lamp("a", HOUR_START + 5 * 60_000, "on"),
      lamp("a", HOUR_START + 20 * 60_000, "off"),
      lamp("b", HOUR_START + 10 * 60_000, "on"),
    ]);
    await maintainer.pass();
    // NOW is 12:30: a is on 15 min then off 10, b is on 20.
    expect(group("1h", HOUR_START)).toEqual({ on: 35 * 60, off: 10 * 60 });
    const rows = store.groupStates.filter((r) => r.tier === "1h");
    expect(rows.map((r) => [r.state, r.count, r.devices])).toEqual([
      ["on", 2, 2],
      ["off", 1, 2],
    ]);
    // The numeric fields keep their rollups.
    expect(store.groups.get(`1h|${HOUR_START}|57038|streetlight|active_power_w`)).toMatchObject({ count: 3 });
  });

  it("recomputes a bucket once it ends, and the next ones while the state goes on", async () => {
    const { clock, maintainer, ingest, group } = setupStates();
    ingest([lamp("a", HOUR_START + 10 * 60_000, "on")]);
    await maintainer.pass();
    expect(group("1h", HOUR_START)).toEqual({ on: 20 * 60 });
    // No reading for two and a half hours: the closed hours are completed, the current one counts.
    clock.now = HOUR_START + 3 * H + 30 * 60_000;
    await maintainer.pass();
    expect(group("1h", HOUR_START)).toEqual({ on: 50 * 60 });
    expect(group("1h", HOUR_START + H)).toEqual({ on: 3600 });
    expect(group("1h", HOUR_START + 2 * H)).toEqual({ on: 3600 });
    expect(group("1h", HOUR_START + 3 * H)).toEqual({ on: 30 * 60 });
    // An hour later the chain goes on, as the state holds up to a day.
    clock.now += H;
    await maintainer.pass();
    expect(group("1h", HOUR_START + 3 * H)).toEqual({ on: 3600 });
    expect(group("1h", HOUR_START + 4 * H)).toEqual({ on: 30 * 60 });
  });

  it("recomputes the hours a late reading's state reaches, and removes a state it replaced", async () => {
    const { maintainer, ingest, group } = setupStates();
    const old = HOUR_START - 5 * H;
    ingest([lamp("a", old + 10 * 60_000, "off"), lamp("a", old + 3 * H + 10 * 60_000, "off")]);
    await maintainer.pass();
    expect(group("1h", old + H)).toEqual({ off: 3600 });
    // A reading of 10:50 arrives late: the lamp was on until 13:10.
    ingest([lamp("a", old + 50 * 60_000, "on")]);
    await maintainer.pass();
    expect(group("1h", old)).toEqual({ off: 40 * 60, on: 10 * 60 });
    expect(group("1h", old + H)).toEqual({ on: 3600 });
    expect(group("1h", old + 2 * H)).toEqual({ on: 3600 });
    expect(group("1h", old + 3 * H)).toEqual({ on: 10 * 60, off: 50 * 60 });
  });

  it("adds a group's seconds and readings per state, devices per field", () => {
    const row = (deviceId: string, state: string, seconds: number, count: number) => ({
      ...{ tier: "1h" as const, time: 0, deviceId, domain: "d", commune: "x", operatorId: "o" },
      ...{ field: "power_state", state, seconds, count },
    });
    expect(
      combineStates("1h", 0, { commune: "x", domain: "d" }, [
        row("a", "on", 1800, 1),
        row("a", "off", 1800, 1),
        row("b", "on", 3600, 0),
      ]),
    ).toEqual([
      {
        tier: "1h",
        time: 0,
        commune: "x",
        domain: "d",
        field: "power_state",
        state: "on",
        seconds: 5400,
        count: 1,
        devices: 2,
      },
      {
        tier: "1h",
        time: 0,
        commune: "x",
        domain: "d",
        field: "power_state",
        state: "off",
        seconds: 1800,
        count: 1,
        devices: 2,
      },
    ]);
  });

  it("answers a state field with its seconds per state, added over groups and buckets", async () => {
    const store = new MemoryRollupStore();
    const state = (time: number, commune: string, s: string, seconds: number, devices: number) => ({
      ...{ tier: "1h" as const, time, commune, domain: "streetlight", field: "power_state", state: s },
      ...{ seconds, count: 1, devices },
    });
    await store.writeGroupStateRollups([
      state(0, "57038", "on", 3000, 2),
      state(0, "57038", "off", 600, 2),
      state(0, "54580", "on", 3600, 1),
      state(H, "57038", "on", 7200, 2),
    ]);
    // A numeric field declared a state has numeric rollups too: the state rows answer for it.
    await store.writeGroupRollups([
      {
        tier: "1h",
        time: 0,
        commune: "57038",
        domain: "streetlight",
        field: "power_state",
        count: 2,
        devices: 2,
        mean: 1,
        min: 0,
        max: 2,
      },
    ]);
    const query = { from: 0, to: 2 * H, groupBy: ["domain" as const] };
    const rows = await aggregateFromRollups(store, query, { tier: "1h", from: 0, to: 2 * H });
    expect(rows).toEqual([
      {
        time: 0,
        group: { domain: "streetlight" },
        field: "power_state",
        count: 4,
        devices: 3,
        mean: 0,
        min: 0,
        max: 0,
        states: { on: 13_800, off: 600 },
      },
    ]);
    // The rows read are left as they were.
    expect(store.groupStates[0]?.seconds).toBe(3000);
    const hourly = await aggregateFromRollups(
      store,
      { ...query, groupBy: ["commune", "domain"], resolutionMs: H },
      { tier: "1h", from: 0, to: 2 * H },
    );
    expect(hourly.map((r) => [r.time, r.group.commune, r.states, r.devices])).toEqual([
      [0, "54580", { on: 3600 }, 1],
      [0, "57038", { on: 3000, off: 600 }, 2],
      [H, "57038", { on: 7200 }, 2],
    ]);
  });
});

describe("aggregates from rollups", () => {
  const group = (
    time: number,
    commune: string,
    field: string,
    count: number,
    devices: number,
    mean: number,
  ) => ({
    tier: "1h" as const,
    time,
    commune,
    domain: "water_pressure",
    field,
    count,
    devices,
    mean,
    min: mean - 1,
    max: mean + 1,
  });

  it("chooses the coarsest tier that fits and widens the range to whole buckets", () => {
    const day = Date.UTC(2026, 10, 20);
    expect(planRollupQuery({ from: day, to: day + 3 * DAY, groupBy: ["commune"] })).toEqual({
      tier: "1d",
      from: day,
      to: day + 3 * DAY,
    });
    expect(planRollupQuery({ from: day + 90_000, to: day + 2 * H + 1, groupBy: [] })).toEqual({
      tier: "1h",
      from: day,
      to: day + 3 * H,
    });
    expect(
      planRollupQuery({ from: day, to: day + DAY, groupBy: ["domain"], resolutionMs: 6 * H }),
    ).toMatchObject({
      tier: "1h",
    });
    expect(planRollupQuery({ from: day, to: day + DAY, groupBy: [], resolutionMs: 7 * DAY })).toMatchObject({
      tier: "1d",
    });
    expect(
      planRollupQuery({ from: day, to: day + DAY, groupBy: [], resolutionMs: 15 * 60_000 }),
    ).toBeUndefined();
    expect(planRollupQuery({ from: day, to: day + DAY, groupBy: ["operator"] })).toBeUndefined();
  });

  it("adds devices across communes within a bucket, and keeps the largest bucket over a range", async () => {
    const store = new MemoryRollupStore();
    await store.writeGroupRollups([
      group(0, "57038", "pressure_bar", 10, 2, 3),
      group(0, "54580", "pressure_bar", 30, 3, 4),
      group(H, "57038", "pressure_bar", 10, 4, 5),
      group(0, "57038", "flow_m3h", 5, 1, 1),
    ]);
    const query = { from: 0, to: 2 * H, groupBy: ["domain" as const], field: "pressure_bar" };
    const plan = planRollupQuery(query);
    expect(plan).toBeDefined();
    const rows = await aggregateFromRollups(store, query, plan as NonNullable<typeof plan>);
    expect(rows).toEqual([
      {
        time: 0,
        group: { domain: "water_pressure" },
        field: "pressure_bar",
        count: 50,
        devices: 5,
        mean: (10 * 3 + 30 * 4 + 10 * 5) / 50,
        min: 2,
        max: 6,
      },
    ]);
    const hourly = await aggregateFromRollups(
      store,
      { ...query, groupBy: ["commune"], resolutionMs: H },
      {
        tier: "1h",
        from: 0,
        to: 2 * H,
      },
    );
    expect(hourly.map((r) => [r.time, r.group.commune, r.count, r.devices])).toEqual([
      [0, "54580", 30, 3],
      [0, "57038", 10, 2],
      [H, "57038", 10, 4],
    ]);
  });
});

describe("recent rollups in memory", () => {
  const DAY_MS = 24 * H;
  const TODAY = Math.floor(NOW / DAY_MS) * DAY_MS;
  const row = (tier: "1h" | "1d", time: number, commune: string, mean: number) => ({
    tier,
    time,
    commune,
    domain: "water_pressure",
    field: "pressure_bar",
    count: 4,
    devices: 2,
    mean,
    min: mean - 1,
    max: mean + 1,
  });

  function setupMirror() {
    const store = Object.assign(new MemoryRollupStore(), {
      applyRetention: async () => [],
      storageUsage: async () => [],
    });
    const mirror = new MirroredRollups(store, () => NOW, { dailyDays: 30, hourlyDays: 2, reloadMs: 60_000 });
    return { store, mirror };
  }

  it("answers recent ranges from memory and older ones from the store", async () => {
    const { store, mirror } = setupMirror();
    await store.writeGroupRollups([
      row("1d", TODAY - DAY_MS, "57038", 3),
      row("1d", TODAY - 100 * DAY_MS, "57038", 2),
    ]);
    await mirror.start();
    mirror.close();
    store.groups.clear();
    expect(await mirror.groupRollups({ tier: "1d", from: TODAY - 10 * DAY_MS, to: TODAY })).toEqual([
      row("1d", TODAY - DAY_MS, "57038", 3),
    ]);
    // Older than the window: the store is asked (and it no longer has the row).
    expect(await mirror.groupRollups({ tier: "1d", from: TODAY - 200 * DAY_MS, to: TODAY })).toEqual([]);
  });

  it("writes through: the store first, then memory, with filters applied on read", async () => {
    const { store, mirror } = setupMirror();
    await mirror.start();
    mirror.close();
    const hour = bucket(NOW, "1h");
    await mirror.writeGroupRollups([row("1h", hour, "57038", 3), row("1h", hour, "54580", 5)]);
    expect(store.groups.size).toBe(2);
    await mirror.writeGroupRollups([row("1h", hour, "57038", 4)]);
    const read = await mirror.groupRollups({ tier: "1h", from: hour, to: hour + H, commune: "57038" });
    expect(read).toEqual([row("1h", hour, "57038", 4)]);
  });

  it("starts while the store is down, reading through it, and loads once it is back", async () => {
    const { store, mirror } = setupMirror();
    await store.writeGroupRollups([row("1d", TODAY - DAY_MS, "57038", 3)]);
    const failing = Object.assign(Object.create(store), {
      groupRollups: async () => {
        throw new Error("store unavailable");
      },
    });
    const down = new MirroredRollups(failing, () => NOW, { dailyDays: 30, hourlyDays: 2, reloadMs: 60_000 });
    await down.start();
    down.close();
    await expect(down.groupRollups({ tier: "1d", from: TODAY - DAY_MS, to: TODAY })).rejects.toThrow(
      "store unavailable",
    );
    await mirror.start();
    mirror.close();
    expect(await mirror.groupRollups({ tier: "1d", from: TODAY - DAY_MS, to: TODAY })).toHaveLength(1);
  });

  it("keeps a row written while a reload reads the store", async () => {
    const { store, mirror } = setupMirror();
    await mirror.start();
    mirror.close();
    const hour = bucket(NOW, "1h");
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const read = store.groupRollups.bind(store);
    store.groupRollups = async (q) => {
      const rows = await read(q);
      await gate;
      return rows;
    };
    const reloading = mirror.reload();
    await mirror.writeGroupRollups([row("1h", hour, "57038", 7)]);
    release();
    await reloading;
    store.groups.clear();
    expect(await mirror.groupRollups({ tier: "1h", from: hour, to: hour + H })).toEqual([
      row("1h", hour, "57038", 7),
    ]);
  });
});
