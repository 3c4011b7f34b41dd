import type { Principal } from "../../auth/principals.ts";
import { BadRequestError } from "../../domain/errors.ts";
import type { Device, EpochMs } from "../../domain/types.ts";
import type { GroupRollup, RollupStore } from "../../storage/store.ts";
import type { AccessPolicy } from "../policy.ts";
import { iso } from "../views.ts";
import { checkDays, type DayRange, wholeDays } from "./days.ts";
import { type DeviceRollupReadStore, dailyDeviceRollups } from "./rollup-range.ts";
import { requireStaff } from "./staff.ts";

export const LIGHTING_DOMAIN = "streetlight";
export const ENERGY_FIELD = "energy_kwh";
/** Per lamp or cabinet, each day of each period is one read per commune: a quarter at most. */
export const MAX_DEVICE_DAYS = 92;
/** Per commune, the group rollups are read in one query per period: ten years at most. */
export const MAX_COMMUNE_DAYS = 3_660;

export type EnergyGroupBy = "lamp" | "cabinet" | "commune";

export interface EnergyRequest {
  from: EpochMs;
  to: EpochMs;
  referenceFrom: EpochMs;
  referenceTo: EpochMs;
  groupBy: EnergyGroupBy;
  /** €/kWh; the territory's default when absent, and required when it has none. */
  tariff?: number;
  commune?: string;
}

/** A period's consumption: kWh over whole days. */
export interface PeriodEnergy {
  kwh: number;
  days: number;
}

/** The comparison of a period with the reference, scaled to the same number of days. */
export interface Savings {
  /** The reference's kWh per day times the period's days: what the period would have used. */
  referenceScaledKwh: number;
  /** Scaled reference less the period's kWh; negative when more was used. */
  savedKwh: number;
  /** savedKwh over the scaled reference, in %; null when the reference used nothing. */
  savedPercent: number | null;
  savedEur: number;
}

export function compareToReference(period: PeriodEnergy, reference: PeriodEnergy, tariff: number): Savings {
  const referenceScaledKwh = reference.days > 0 ? (reference.kwh / reference.days) * period.days : 0;
  const savedKwh = referenceScaledKwh - period.kwh;
  return {
    referenceScaledKwh,
    savedKwh,
    savedPercent: referenceScaledKwh > 0 ? (savedKwh / referenceScaledKwh) * 100 : null,
    savedEur: savedKwh * tariff,
  };
}

export interface EnergyFigures {
  kwh: number;
  kwhPerDay: number;
  /** Lamps of the group with a consumption row in the period. */
  lampsMeasured: number;
}

export interface EnergyGroupView extends Savings {
  /** The lamp id, cabinet id or INSEE code. */
  key: string;
  commune: string | null;
  cabinet: string | null;
  lamps: number;
  period: EnergyFigures;
  reference: EnergyFigures;
}

export interface EnergyAnswer {
  from: string;
  to: string;
  days: number;
  referenceFrom: string;
  referenceTo: string;
  referenceDays: number;
  groupBy: EnergyGroupBy;
  tariffEurPerKwh: number;
  scaling: "per day";
  groups: EnergyGroupView[];
  total: Omit<EnergyGroupView, "key" | "commune" | "cabinet">;
}

export interface LightingEnergyDeps {
  policy: Pick<AccessPolicy, "listDevices">;
  store: DeviceRollupReadStore & Pick<RollupStore, "groupRollups">;
  /** The territory's tariff in €/kWh, when it sets one. */
  defaultTariff?: number;
}

export interface LightingEnergy {
  energy(principal: Principal | undefined, q: EnergyRequest): Promise<EnergyAnswer>;
}

/**
 * kWh of each group key over one period, with the lamps measured: those with a rollup row (per
 * lamp or cabinet), or the most of any one day (per commune: the group rollups count per bucket).
 */
type Consumption = Map<string, { kwh: number; lamps: Set<string>; devices: number }>;

export function createLightingEnergy(deps: LightingEnergyDeps): LightingEnergy {
  return {
    async energy(principal, q) {
      requireStaff(principal, "lighting energy");
      const tariff = q.tariff ?? deps.defaultTariff;
      if (tariff === undefined)
        throw new BadRequestError("tariff (€/kWh) is required: the territory sets no default tariff");
      const max = q.groupBy === "commune" ? MAX_COMMUNE_DAYS : MAX_DEVICE_DAYS;
      const period = checkDays(wholeDays(q.from, q.to), max, "the period");
      const reference = checkDays(wholeDays(q.referenceFrom, q.referenceTo), max, "the reference period");
      const lamps = deps.policy
        .listDevices(principal, {
          domain: LIGHTING_DOMAIN,
          ...(q.commune !== undefined ? { commune: q.commune } : {}),
        })
        .map((g) => g.device);
      const read = (range: DayRange) => consumption(deps.store, lamps, range, q);
      const [now, before] = await Promise.all([read(period), read(reference)]);
      return answer(q, tariff, period, reference, groupsOf(lamps, q.groupBy), now, before);
    },
  };
}

/** Lamps per group key, with the group's commune and cabinet. */
function groupsOf(lamps: readonly Device[], groupBy: EnergyGroupBy) {
  const groups = new Map<string, { commune: string | null; cabinet: string | null; lamps: number }>();
  for (const lamp of lamps) {
    const key = keyOf(lamp, groupBy);
    const cabinet = groupBy === "commune" ? null : cabinetOf(lamp);
    const seen = groups.get(key);
    if (seen) {
      seen.lamps += 1;
      if (seen.commune !== lamp.commune) seen.commune = null;
    } else groups.set(key, { commune: lamp.commune, cabinet, lamps: 1 });
  }
  return groups;
}

function cabinetOf(lamp: Device): string | null {
  const cabinet = lamp.attributes.cabinet;
  return cabinet === undefined || cabinet === "" ? null : String(cabinet);
}

/** Lamps without a cabinet in the inventory are grouped under "(none)". */
function keyOf(lamp: Device, groupBy: EnergyGroupBy): string {
  if (groupBy === "lamp") return lamp.id;
  if (groupBy === "commune") return lamp.commune;
  return cabinetOf(lamp) ?? "(none)";
}

/**
 * The counter's consumption (`sum` of its rollups) per group over the range: per commune from
 * the commune rollups in one query; per lamp or cabinet from each lamp's daily rollups.
 */
async function consumption(
  store: LightingEnergyDeps["store"],
  lamps: readonly Device[],
  range: DayRange,
  q: EnergyRequest,
): Promise<Consumption> {
  const out: Consumption = new Map();
  if (lamps.length === 0) return out;
  if (q.groupBy === "commune") {
    const rows: GroupRollup[] = await store.groupRollups({
      tier: "1d",
      from: range.from,
      to: range.to,
      domain: LIGHTING_DOMAIN,
      field: ENERGY_FIELD,
      ...(q.commune !== undefined ? { commune: q.commune } : {}),
    });
    for (const row of rows) add(out, row.commune, row.sum ?? 0, row.devices);
    return out;
  }
  const byId = new Map(lamps.map((l) => [l.id, l]));
  const communes = [...new Set(lamps.map((l) => l.commune))].sort();
  const rows = await dailyDeviceRollups(store, {
    range,
    communes,
    domain: LIGHTING_DOMAIN,
    field: ENERGY_FIELD,
  });
  for (const row of rows) {
    const lamp = byId.get(row.deviceId);
    if (lamp) add(out, keyOf(lamp, q.groupBy), row.sum ?? 0, 0, lamp.id);
  }
  return out;
}

function add(out: Consumption, key: string, kwh: number, devices: number, lamp?: string): void {
  const seen = out.get(key) ?? { kwh: 0, lamps: new Set<string>(), devices: 0 };
  seen.kwh += kwh;
  seen.devices = Math.max(seen.devices, devices);
  if (lamp !== undefined) seen.lamps.add(lamp);
  out.set(key, seen);
}

function answer(
  q: EnergyRequest,
  tariff: number,
  period: DayRange,
  reference: DayRange,
  groups: ReturnType<typeof groupsOf>,
  now: Consumption,
  before: Consumption,
): EnergyAnswer {
  const views: EnergyGroupView[] = [];
  for (const [key, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const a = figures(now.get(key), period.days);
    const b = figures(before.get(key), reference.days);
    views.push({ key, ...g, period: a, reference: b, ...savingsOf(a, b, period, reference, tariff) });
  }
  const sum = (pick: (v: EnergyGroupView) => EnergyFigures) => ({
    kwh: views.reduce((s, v) => s + pick(v).kwh, 0),
    lampsMeasured: views.reduce((s, v) => s + pick(v).lampsMeasured, 0),
  });
  const totalNow = { ...sum((v) => v.period), kwhPerDay: 0 };
  const totalBefore = { ...sum((v) => v.reference), kwhPerDay: 0 };
  totalNow.kwhPerDay = totalNow.kwh / period.days;
  totalBefore.kwhPerDay = totalBefore.kwh / reference.days;
  return {
    from: iso(period.from),
    to: iso(period.to),
    days: period.days,
    referenceFrom: iso(reference.from),
    referenceTo: iso(reference.to),
    referenceDays: reference.days,
    groupBy: q.groupBy,
    tariffEurPerKwh: tariff,
    scaling: "per day",
    groups: views,
    total: {
      lamps: views.reduce((s, v) => s + v.lamps, 0),
      period: totalNow,
      reference: totalBefore,
      ...savingsOf(totalNow, totalBefore, period, reference, tariff),
    },
  };
}

function figures(
  c: { kwh: number; lamps: Set<string>; devices: number } | undefined,
  days: number,
): EnergyFigures {
  const kwh = c?.kwh ?? 0;
  return { kwh, kwhPerDay: kwh / days, lampsMeasured: Math.max(c?.lamps.size ?? 0, c?.devices ?? 0) };
}

function savingsOf(
  a: EnergyFigures,
  b: EnergyFigures,
  period: DayRange,
  reference: DayRange,
  tariff: number,
) {
  return compareToReference({ kwh: a.kwh, days: period.days }, { kwh: b.kwh, days: reference.days }, tariff);
}
