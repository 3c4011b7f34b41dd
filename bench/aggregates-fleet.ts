import type { Device } from "../services/domain/types.ts";
import { combine } from "../services/rollups/maintainer.ts";
import type { DeviceRollup, GroupRollup } from "../services/storage/store.ts";

/**
 * A generated fleet for the aggregates benchmark: devices spread over the demo territory's
 * communes as its inventory spreads them, in the three domains, each with one published numeric
 * field, and their daily rollups, day by day (a day of 20,000 devices is 20,000 rows: nothing
 * larger is ever held). Everything derives from a seeded PRNG, so two runs write the same rows.
 */
export interface DomainPlan {
  domain: string;
  /** The open-data field rolled up (the contract publishes it). */
  field: string;
  /** Share of the fleet. */
  share: number;
  readingsPerDay: number;
  /** Per-device level, then a day's mean, min and max around it. */
  level(rand: () => number): number;
  day(level: number, dayOfYear: number, rand: () => number): { mean: number; min: number; max: number };
}

const RATED_W = [35, 50, 70, 100, 150];

/** Hours of darkness over the year at 49.5° N, as a share of the day (longest on 21 December). */
function nightShare(dayOfYear: number): number {
  return 0.5 + 0.17 * Math.cos((2 * Math.PI * (dayOfYear - 355)) / 365);
}

export const DOMAINS: readonly DomainPlan[] = [
  {
    domain: "streetlight",
    field: "active_power_w",
    share: 0.85,
    readingsPerDay: 96,
    level: (rand) => RATED_W[Math.floor(rand() * RATED_W.length)] as number,
    day: (rated, doy, rand) => ({
      mean: rated * nightShare(doy) * (0.95 + 0.1 * rand()),
      min: 0,
      max: rated,
    }),
  },
  {
    domain: "waste_container",
    field: "filling_level",
    share: 0.115,
    readingsPerDay: 24,
    level: (rand) => 0.2 + 0.5 * rand(),
    day: (fill, _doy, rand) => {
      const mean = fill * (0.6 + 0.8 * rand());
      return { mean, min: mean * rand(), max: Math.min(1, mean + 0.3 * rand()) };
    },
  },
  {
    domain: "water_pressure",
    field: "pressure_bar",
    share: 0.035,
    readingsPerDay: 288,
    level: (rand) => 3 + 3 * rand(),
    day: (bar, _doy, rand) => {
      const mean = bar + 0.2 * (rand() - 0.5);
      return { mean, min: mean - 0.5 * rand(), max: mean + 0.5 * rand() };
    },
  },
];

export interface FleetDevice {
  id: string;
  plan: DomainPlan;
  commune: string;
  operatorId: string;
  level: number;
}

export interface Fleet {
  devices: FleetDevice[];
  communes: string[];
  /** Devices per "commune|domain". */
  perGroup: Map<string, number>;
}

export const groupKey = (commune: string, domain: string) => `${commune}|${domain}`;

/**
 * `total` devices: split over the domains by share, then over the communes as the inventory
 * spreads that domain's devices (largest remainders, so the counts are exact and add up).
 * Operators are those of the inventory's devices of the same domain.
 */
export function generateFleet(total: number, inventory: readonly Device[], rand: () => number): Fleet {
  const communes = [...new Set(inventory.map((d) => d.commune))].sort();
  const perDomain = apportion(
    total,
    DOMAINS.map((p) => p.share),
  );
  const devices: FleetDevice[] = [];
  const perGroup = new Map<string, number>();
  DOMAINS.forEach((plan, i) => {
    const same = inventory.filter((d) => d.domain === plan.domain);
    if (same.length === 0) throw new Error(`the inventory has no ${plan.domain} device to copy`);
    const operatorId = mostCommon(same.flatMap((d) => d.assignments.map((a) => a.operatorId)));
    const weights = communes.map((c) => same.filter((d) => d.commune === c).length);
    apportion(perDomain[i] as number, weights).forEach((n, j) => {
      const commune = communes[j] as string;
      perGroup.set(groupKey(commune, plan.domain), n);
      for (let k = 1; k <= n; k++) {
        const id = `bench-${plan.domain}-${commune}-${String(k).padStart(5, "0")}`;
        devices.push({ id, plan, commune, operatorId, level: plan.level(rand) });
      }
    });
  });
  return { devices, communes, perGroup };
}

/** Whole numbers proportional to `weights` that add up to `total` (largest remainder method). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const counts = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest);
  let left = total - counts.reduce((a, b) => a + b, 0);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i] = (counts[i] as number) + 1;
    left--;
  }
  return counts;
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  if (!best) throw new Error("no operator assigned");
  return best[0];
}

/** Every device's daily rollup for the day starting at `time`. */
export function dayRows(fleet: Fleet, time: number, rand: () => number): DeviceRollup[] {
  const dayOfYear = Math.floor((time - Date.UTC(new Date(time).getUTCFullYear(), 0, 1)) / 86_400_000);
  return fleet.devices.map((d) => ({
    tier: "1d",
    time,
    deviceId: d.id,
    domain: d.plan.domain,
    commune: d.commune,
    operatorId: d.operatorId,
    field: d.plan.field,
    count: d.plan.readingsPerDay,
    ...d.plan.day(d.level, dayOfYear, rand),
  }));
}

/** The (commune, domain) rows of one day, as the rollup maintainer computes them. */
export function groupRows(time: number, rows: readonly DeviceRollup[]): GroupRollup[] {
  const groups = new Map<string, DeviceRollup[]>();
  for (const r of rows) {
    const key = groupKey(r.commune, r.domain);
    const members = groups.get(key);
    if (members) members.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].flatMap((members) => {
    const { commune, domain } = members[0] as DeviceRollup;
    return combine("1d", time, { commune, domain }, members);
  });
}
