import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Observation } from "../../services/domain/types.ts";
import type { RetentionPlan, RetentionStore } from "../../services/retention/plan.ts";
import type {
  DeviceRollup,
  GroupRollup,
  RollupStore,
  StateRollupStore,
  TimeSeriesStore,
} from "../../services/storage/store.ts";

/**
 * Retention every store owes the contracts' sobriety clause, asserted through the ports only:
 * raw readings by the contract version they were accepted under, rollups by domain and tier.
 */
export type RetentionCapableStore = TimeSeriesStore & RollupStore & StateRollupStore & RetentionStore;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;
/** Monday 23 November 2026, midnight UTC. */
const NOW = Date.UTC(2026, 10, 23);

function reading(deviceId: string, time: number, contract: string, domain: string): Observation {
  return {
    deviceId,
    time,
    ownerId: "ccphva",
    domain,
    commune: "57038",
    operatorId: "op-a",
    contract,
    values: { v: 1, state: "ok" },
  };
}

function deviceRollup(tier: "1h" | "1d", time: number, domain: string): DeviceRollup {
  return {
    tier,
    time,
    deviceId: `${domain}-1`,
    domain,
    commune: "57038",
    operatorId: "op-a",
    field: "v",
    count: 1,
    mean: 1,
    min: 1,
    max: 1,
  };
}

function groupRollup(tier: "1h" | "1d", time: number, domain: string): GroupRollup {
  return { tier, time, commune: "57038", domain, field: "v", count: 1, devices: 1, mean: 1, min: 1, max: 1 };
}

/** Streetlights: version 1 keeps raw readings a year, version 2 two; water keeps them 30 days. */
const PLAN: RetentionPlan = {
  rules: [
    { tier: "raw", domain: "streetlight", contract: "streetlight@1", keepMs: YEAR },
    { tier: "raw", domain: "streetlight", contract: "streetlight@2", keepMs: 2 * YEAR },
    { tier: "raw", domain: "water", contract: "water@1", keepMs: 30 * DAY },
    { tier: "1h", domain: "streetlight", keepMs: 5 * YEAR },
    { tier: "1d", domain: "streetlight", keepMs: 20 * YEAR },
    { tier: "1h", domain: "water", keepMs: 90 * DAY },
    { tier: "1d", domain: "water", keepMs: YEAR },
  ],
  longest: { raw: 2 * YEAR, "1h": 5 * YEAR, "1d": 20 * YEAR },
};

export function retentionConformance<S extends RetentionCapableStore>(
  name: string,
  make: () => Promise<S>,
): void {
  describe(`${name} enforces retention from the contracts`, () => {
    const ctx = { store: undefined as unknown as S };
    beforeEach(async () => {
      ctx.store = await make();
    });
    afterEach(async () => {
      await ctx.store.close();
    });

    it("deletes raw readings by their contract version's duration, and nothing younger", async () => {
      await ctx.store.write([
        reading("lamp-1", NOW - YEAR - DAY, "streetlight@1", "streetlight"),
        reading("lamp-1", NOW - YEAR + DAY, "streetlight@1", "streetlight"),
        reading("lamp-2", NOW - YEAR - DAY, "streetlight@2", "streetlight"),
        reading("tank-1", NOW - 31 * DAY, "water@1", "water"),
        reading("tank-1", NOW - 29 * DAY, "water@1", "water"),
      ]);
      const results = await ctx.store.applyRetention(PLAN, NOW);
      const removed = Object.fromEntries(
        results.filter((r) => r.rule.tier === "raw").map((r) => [r.rule.contract, r.removed]),
      );
      // Two values (v, state) per reading.
      expect(removed).toEqual({ "streetlight@1": 2, "streetlight@2": 0, "water@1": 2 });
      expect(await ctx.store.countValues({ deviceIds: ["lamp-1"] })).toBe(2);
      expect(await ctx.store.countValues({ deviceIds: ["lamp-2"] })).toBe(2);
      expect(await ctx.store.countValues({ deviceIds: ["tank-1"] })).toBe(2);
      const points = await ctx.store.series({ deviceId: "tank-1", from: 0, to: NOW });
      expect(new Set(points.map((p) => p.time))).toEqual(new Set([NOW - 29 * DAY]));
    });

    it("forgets the last values of a device silent for longer than its raw duration", async () => {
      await ctx.store.write([
        reading("tank-1", NOW - 40 * DAY, "water@1", "water"),
        reading("tank-2", NOW - DAY, "water@1", "water"),
      ]);
      await ctx.store.applyRetention(PLAN, NOW);
      expect((await ctx.store.latest({})).map((s) => s.deviceId)).toEqual(["tank-2"]);
    });

    it("deletes device and group rollups by domain and tier", async () => {
      const times = [NOW - 100 * DAY, NOW - 80 * DAY, NOW - 2 * YEAR, NOW - 6 * YEAR];
      for (const domain of ["streetlight", "water"]) {
        await ctx.store.writeDeviceRollups(times.map((t) => deviceRollup("1h", t, domain)));
        await ctx.store.writeDeviceRollups(times.map((t) => deviceRollup("1d", t, domain)));
        await ctx.store.writeGroupRollups(times.map((t) => groupRollup("1h", t, domain)));
        await ctx.store.writeGroupRollups(times.map((t) => groupRollup("1d", t, domain)));
      }
      await ctx.store.applyRetention(PLAN, NOW);
      const kept = async (tier: "1h" | "1d", domain: string) =>
        (await ctx.store.groupRollups({ tier, from: 0, to: NOW, domain })).map((r) => r.time).sort();
      expect(await kept("1h", "water")).toEqual([NOW - 80 * DAY]);
      expect(await kept("1d", "water")).toEqual([NOW - 100 * DAY, NOW - 80 * DAY].sort());
      expect(await kept("1h", "streetlight")).toEqual(
        [NOW - 2 * YEAR, NOW - 100 * DAY, NOW - 80 * DAY].sort(),
      );
      expect(await kept("1d", "streetlight")).toEqual([...times].sort());
      const devices = await ctx.store.deviceRollups({
        tier: "1h",
        time: NOW - 100 * DAY,
        commune: "57038",
        domain: "water",
      });
      expect(devices).toEqual([]);
      expect(
        await ctx.store.deviceRollups({
          tier: "1h",
          time: NOW - 80 * DAY,
          commune: "57038",
          domain: "water",
        }),
      ).toHaveLength(1);
    });

    it("deletes state rollups with their domain's and tier's", async () => {
      const times = [NOW - 100 * DAY, NOW - 80 * DAY];
      for (const domain of ["streetlight", "water"]) {
        const at = {
          tier: "1h" as const,
          commune: "57038",
          domain,
          field: "state",
          state: "ok",
          seconds: 60,
        };
        await ctx.store.writeDeviceStateRollups(
          times.map((time) => ({ ...at, time, deviceId: `${domain}-1`, operatorId: "op-a", count: 1 })),
        );
        await ctx.store.writeGroupStateRollups(times.map((time) => ({ ...at, time, count: 1, devices: 1 })));
      }
      await ctx.store.applyRetention(PLAN, NOW);
      const kept = async (domain: string) =>
        (await ctx.store.groupStateRollups({ tier: "1h", from: 0, to: NOW, domain }))
          .map((r) => r.time)
          .sort();
      expect(await kept("water")).toEqual([NOW - 80 * DAY]);
      expect(await kept("streetlight")).toEqual([...times].sort());
      const device = (time: number) =>
        ctx.store.deviceStateRollups({ tier: "1h", time, commune: "57038", domain: "water" });
      expect(await device(NOW - 100 * DAY)).toEqual([]);
      expect(await device(NOW - 80 * DAY)).toHaveLength(1);
    });

    it("removes nothing more when applied twice", async () => {
      await ctx.store.write([reading("tank-1", NOW - 31 * DAY, "water@1", "water")]);
      await ctx.store.applyRetention(PLAN, NOW);
      const again = await ctx.store.applyRetention(PLAN, NOW);
      expect(again.every((r) => r.removed === 0)).toBe(true);
    });

    it("tells the rows each tier holds per domain, and the oldest", async () => {
      await ctx.store.write([
        reading("lamp-1", NOW - 10 * DAY, "streetlight@1", "streetlight"),
        reading("lamp-1", NOW - 5 * DAY, "streetlight@2", "streetlight"),
        reading("tank-1", NOW - DAY, "water@1", "water"),
      ]);
      await ctx.store.writeDeviceRollups([deviceRollup("1h", NOW - 3 * DAY, "water")]);
      await ctx.store.writeGroupRollups([groupRollup("1h", NOW - 3 * DAY, "water")]);
      const usage = await ctx.store.storageUsage();
      const byKey = Object.fromEntries(usage.map((u) => [`${u.tier}|${u.domain}`, u]));
      expect(byKey["raw|streetlight"]).toMatchObject({ rows: 4, oldest: NOW - 10 * DAY });
      expect(byKey["raw|water"]).toMatchObject({ rows: 2, oldest: NOW - DAY });
      expect(byKey["1h|water"]).toMatchObject({ rows: 2, oldest: NOW - 3 * DAY });
      expect(byKey["1d|water"]).toBeUndefined();
      for (const u of usage) if (u.bytes !== undefined) expect(u.bytes).toBeGreaterThanOrEqual(0);
    });
  });
}
