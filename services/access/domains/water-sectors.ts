import { localDateHour } from "../../alerts/rules/local-time.ts";
import type { Principal } from "../../auth/principals.ts";
import type { Device, EpochMs } from "../../domain/types.ts";
import type { DeviceRollup, SeriesBucket, TimeSeriesStore } from "../../storage/store.ts";
import type { AccessPolicy } from "../policy.ts";
import { iso } from "../views.ts";
import { checkDays, DAY_MS, type DayRange, wholeDays } from "./days.ts";
import { fitLine, mapBounded } from "./fit.ts";
import { type DeviceRollupReadStore, dailyDeviceRollups } from "./rollup-range.ts";
import { requireStaff } from "./staff.ts";

export const PRESSURE_DOMAIN = "water_pressure";
export const PRESSURE_FIELD = "pressure_bar";
export const FLOW_DOMAIN = "water_flow";
export const FLOW_FIELD = "flow_m3h";
/** Each day is one read per commune of the pressure sensors: a quarter at most. */
export const MAX_WATER_DAYS = 92;
const HOUR_MS = 3_600_000;

/**
 * The night window in which a sector's flow is least and leaks show: local hours [start, end)
 * of the territory's time zone, daylight saving time included.
 */
export interface NightWindow {
  timeZone: string;
  startHour: number;
  endHour: number;
}

export const NIGHT: NightWindow = { timeZone: "Europe/Paris", startHour: 2, endHour: 5 };

export interface NightMinimum {
  /** The local date of the night's window ("2026-11-03" for 02:00-05:00 on that date). */
  night: string;
  minFlowM3h: number;
}

/**
 * The least flow of each night, from hourly buckets (each with its `min`): a bucket counts in
 * the night of its local date when its local hour lies in the window. Hours of the zone start on
 * whole UTC hours, so each hourly bucket is one local hour.
 */
export function nightMinimums(buckets: readonly SeriesBucket[], window: NightWindow = NIGHT): NightMinimum[] {
  const byNight = new Map<string, number>();
  for (const b of buckets) {
    if (b.min === undefined) continue;
    const { date, hour } = localDateHour(b.time, window.timeZone);
    if (hour < window.startHour || hour >= window.endHour) continue;
    byNight.set(date, Math.min(byNight.get(date) ?? Number.POSITIVE_INFINITY, b.min));
  }
  return [...byNight]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([night, minFlowM3h]) => ({ night, minFlowM3h }));
}

/** The slope of the nightly minima in m³/h per day (least squares); null under two nights. */
export function trendPerDay(nights: readonly NightMinimum[]): number | null {
  const fit = fitLine(
    nights.map((n) => ({ x: Date.parse(`${n.night}T00:00:00Z`) / DAY_MS, y: n.minFlowM3h })),
  );
  return fit ? fit.slope : null;
}

export interface GaugeSummary {
  readings: number;
  mean: number | null;
  min: number | null;
  max: number | null;
}

/** Count-weighted mean, min and max of rollup rows. */
export function summarize(
  rows: readonly Pick<DeviceRollup, "count" | "mean" | "min" | "max">[],
): GaugeSummary {
  let readings = 0;
  let total = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    readings += r.count;
    total += r.mean * r.count;
    min = Math.min(min, r.min);
    max = Math.max(max, r.max);
  }
  if (readings === 0) return { readings: 0, mean: null, min: null, max: null };
  return { readings, mean: total / readings, min, max };
}

export interface SectorView {
  sector: string;
  communes: string[];
  pressure: GaugeSummary & {
    sensors: number;
    sensorsReporting: number;
    days: (GaugeSummary & { date: string })[];
  };
  flow: {
    meters: { device: string; commune: string; nights: NightMinimum[]; trendM3hPerDay: number | null }[];
  };
}

export interface WaterSectorsAnswer {
  from: string;
  to: string;
  days: number;
  night: NightWindow;
  sectors: SectorView[];
}

export interface WaterSectorsDeps {
  policy: Pick<AccessPolicy, "listDevices">;
  store: DeviceRollupReadStore & Pick<TimeSeriesStore, "series">;
}

export interface WaterSectors {
  sectors(principal: Principal | undefined, q: { from: EpochMs; to: EpochMs }): Promise<WaterSectorsAnswer>;
}

export function createWaterSectors(deps: WaterSectorsDeps): WaterSectors {
  return {
    async sectors(principal, q) {
      requireStaff(principal, "water sectors");
      const range = checkDays(wholeDays(q.from, q.to), MAX_WATER_DAYS, "the period");
      const sensors = deps.policy.listDevices(principal, { domain: PRESSURE_DOMAIN }).map((g) => g.device);
      const meters = deps.policy.listDevices(principal, { domain: FLOW_DOMAIN }).map((g) => g.device);
      const communes = [...new Set(sensors.map((s) => s.commune))].sort();
      const [pressure, nights] = await Promise.all([
        sensors.length > 0
          ? dailyDeviceRollups(deps.store, {
              range,
              communes,
              domain: PRESSURE_DOMAIN,
              field: PRESSURE_FIELD,
            })
          : [],
        mapBounded(meters, 8, (m) => meterNights(deps.store, m, range)),
      ]);
      const sectors = sectorViews(sensors, meters, pressure, nights, range);
      return { from: iso(range.from), to: iso(range.to), days: range.days, night: NIGHT, sectors };
    },
  };
}

/** A flow meter's hourly buckets (its gauge's min per hour) over the range, then its nights. */
async function meterNights(store: WaterSectorsDeps["store"], meter: Device, range: DayRange) {
  const buckets = await store.series({
    deviceId: meter.id,
    from: range.from,
    to: range.to,
    resolutionMs: HOUR_MS,
    fields: [FLOW_FIELD],
  });
  return nightMinimums(buckets.filter((b) => b.field === FLOW_FIELD));
}

function sectorOf(device: Device): string {
  const sector = device.attributes.sector;
  return sector === undefined || sector === "" ? "(none)" : String(sector);
}

function sectorViews(
  sensors: readonly Device[],
  meters: readonly Device[],
  pressure: readonly DeviceRollup[],
  nights: readonly NightMinimum[][],
  range: DayRange,
): SectorView[] {
  const names = new Set([...sensors, ...meters].map(sectorOf));
  const sectorById = new Map(sensors.map((s) => [s.id, sectorOf(s)]));
  return [...names].sort().map((sector) => {
    const own = sensors.filter((s) => sectorOf(s) === sector);
    const rows = pressure.filter((r) => sectorById.get(r.deviceId) === sector);
    const devices = [...own, ...meters.filter((m) => sectorOf(m) === sector)];
    return {
      sector,
      communes: [...new Set(devices.map((d) => d.commune))].sort(),
      pressure: {
        ...summarize(rows),
        sensors: own.length,
        sensorsReporting: new Set(rows.map((r) => r.deviceId)).size,
        days: dailySummaries(rows, range),
      },
      flow: {
        meters: meters.flatMap((m, i) =>
          sectorOf(m) === sector
            ? [
                {
                  device: m.id,
                  commune: m.commune,
                  nights: nights[i] ?? [],
                  trendM3hPerDay: trendPerDay(nights[i] ?? []),
                },
              ]
            : [],
        ),
      },
    };
  });
}

function dailySummaries(rows: readonly DeviceRollup[], range: DayRange) {
  const out: (GaugeSummary & { date: string })[] = [];
  for (let t = range.from; t < range.to; t += DAY_MS) {
    const day = rows.filter((r) => r.time === t);
    if (day.length > 0) out.push({ date: iso(t).slice(0, 10), ...summarize(day) });
  }
  return out;
}
