import { mapBounded } from "../access/domains/fit.ts";
import { alertPages } from "../alerts/pages.ts";
import type { AlertStore } from "../alerts/store.ts";
import type { Alert } from "../alerts/types.ts";
import type { Contract, DatasetSpec } from "../contracts/model.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import type { DeviceRollup, DeviceStateRollup, RollupStore, StateRollupStore } from "../storage/store.ts";
import { type IndicatorKind, indicatorKinds } from "./indicators.ts";
import { bucketEnd, bucketStart, tierBuckets } from "./periods.ts";
import type { RawFigure } from "./suppression.ts";

/**
 * The figures of a dataset over some buckets, before secrecy: for each bucket and place, the
 * indicator's value and the devices behind it. Read from the rollups the platform maintains
 * (never from raw readings at request time) and from the alert history. A place none of whose
 * devices said anything in a bucket has no figure there: a hole says nothing of anyone.
 */
export interface ComputeDeps {
  rollups: Pick<RollupStore, "deviceRollups"> & Pick<StateRollupStore, "deviceStateRollups">;
  alerts?: Pick<AlertStore, "list">;
  /** The inventory. */
  devices: () => readonly Device[];
  /** The code of the whole territory as a place (its EPCI's SIREN, else the owner's id). */
  territory: string;
}

/** Reads of one bucket of one commune, at once at most. */
const CONCURRENT_READS = 8;
/** At most this many pages of alerts (a bound, not a territory's reality). */
const MAX_ALERT_PAGES = 100;
const HOUR = 3_600_000;

export async function computeFigures(
  deps: ComputeDeps,
  contract: Pick<Contract, "id" | "domain">,
  spec: DatasetSpec,
  periods: readonly EpochMs[],
): Promise<RawFigure[]> {
  const kind = indicatorKinds.get(spec.indicator);
  if (!kind || periods.length === 0) return [];
  const devices = deps.devices().filter((d) => d.contractId === contract.id);
  const placeOf = placeFunction(spec, deps.territory);
  if (kind.source === "alerts") return alertFigures(deps, contract, spec, kind, devices, placeOf, periods);
  const communes = [...new Set(devices.map((d) => d.commune))].sort();
  const byId = new Map(devices.map((d) => [d.id, d]));
  const out: RawFigure[] = [];
  for (const period of periods) {
    const { tier, times } = kind.hourly
      ? hourBuckets(period, spec.granularity)
      : tierBuckets(period, spec.granularity);
    const reads = times.flatMap((time) =>
      communes.map((commune) => ({ tier, time, commune, domain: contract.domain })),
    );
    if (kind.source === "states") {
      const rows = (
        await mapBounded(reads, CONCURRENT_READS, (r) => deps.rollups.deviceStateRollups(r))
      ).flat();
      out.push(...shareFigures(rows, spec, byId, placeOf, period));
    } else {
      const rows = (await mapBounded(reads, CONCURRENT_READS, (r) => deps.rollups.deviceRollups(r))).flat();
      out.push(...rollupFigures(rows, spec, kind, byId, placeOf, period));
    }
  }
  return out;
}

type PlaceOf = (d: Device) => string | undefined;

function placeFunction(spec: DatasetSpec, territory: string): PlaceOf {
  if (spec.level === "commune") return (d) => d.commune;
  if (spec.level === "territory") return () => territory;
  if (spec.level === "asset") return (d) => d.id;
  return (d) => {
    const v = d.attributes[spec.sectorAttribute];
    return v === undefined || v === "" ? undefined : String(v);
  };
}

/** One device's rollup rows of the field over a bucket (several days for a month). */
interface DeviceSummary {
  count: number;
  total: number;
  max: number;
  sum?: number;
  /** The device's hourly rows (kinds that follow it hour by hour). */
  hours: DeviceRollup[];
}

function rollupFigures(
  rows: readonly DeviceRollup[],
  spec: DatasetSpec,
  kind: IndicatorKind,
  byId: ReadonlyMap<string, Device>,
  placeOf: PlaceOf,
  period: EpochMs,
): RawFigure[] {
  const field = spec.params.field;
  const perDevice = new Map<string, DeviceSummary>();
  for (const r of rows) {
    if (r.field !== field || r.count <= 0 || !byId.has(r.deviceId)) continue;
    const s = perDevice.get(r.deviceId) ?? { count: 0, total: 0, max: Number.NEGATIVE_INFINITY, hours: [] };
    if (r.tier === "1h") s.hours.push(r);
    s.count += r.count;
    s.total += r.mean * r.count;
    s.max = Math.max(s.max, r.max);
    if (r.sum !== undefined) s.sum = (s.sum ?? 0) + r.sum;
    perDevice.set(r.deviceId, s);
  }
  const perPlace = new Map<string, DeviceSummary[]>();
  for (const [id, s] of perDevice) {
    const place = placeOf(byId.get(id) as Device);
    if (place !== undefined) perPlace.set(place, [...(perPlace.get(place) ?? []), s]);
  }
  return [...perPlace].map(([place, list]) => ({ period, place, ...rollupValue(kind.kind, list, spec) }));
}

/** The hourly buckets of a bucket, for the kinds that follow a device hour by hour. */
function hourBuckets(start: EpochMs, g: DatasetSpec["granularity"]): { tier: "1h"; times: EpochMs[] } {
  const times: EpochMs[] = [];
  for (let t = start; t < bucketEnd(start, g); t += HOUR) times.push(t);
  return { tier: "1h", times };
}

/**
 * Falls of a gauge by at least `atLeast` over a device's hourly rollups, in time order: a fall is
 * counted when an hour's lowest reading is that far below the highest since the last fall (or
 * since the start), which is then reset to that lowest reading, so that an emptying in the middle
 * of an hour (its highest before, its lowest after) is counted once, not again in the next hour.
 */
export function countFalls(
  hours: ReadonlyArray<Pick<DeviceRollup, "time" | "min" | "max">>,
  atLeast: number,
): number {
  let falls = 0;
  let high = Number.NEGATIVE_INFINITY;
  for (const h of [...hours].sort((a, b) => a.time - b.time)) {
    if (high - h.min >= atLeast) {
      falls++;
      high = h.min;
      continue;
    }
    high = Math.max(high, h.max);
  }
  return falls;
}

function rollupValue(
  kind: string,
  list: readonly DeviceSummary[],
  spec: DatasetSpec,
): { value: number; devices: number } {
  if (kind === "sum") {
    const counted = list.filter((s) => s.sum !== undefined);
    return { value: counted.reduce((a, s) => a + (s.sum ?? 0), 0), devices: counted.length };
  }
  if (kind === "emptyings") {
    const atLeast = spec.params.atLeast ?? Number.POSITIVE_INFINITY;
    return { value: list.reduce((a, s) => a + countFalls(s.hours, atLeast), 0), devices: list.length };
  }
  if (kind === "devices-reaching") {
    const atLeast = spec.params.atLeast ?? Number.POSITIVE_INFINITY;
    return { value: list.filter((s) => s.max >= atLeast).length, devices: list.length };
  }
  const count = list.reduce((a, s) => a + s.count, 0);
  return { value: list.reduce((a, s) => a + s.total, 0) / count, devices: list.length };
}

function shareFigures(
  rows: readonly DeviceStateRollup[],
  spec: DatasetSpec,
  byId: ReadonlyMap<string, Device>,
  placeOf: PlaceOf,
  period: EpochMs,
): RawFigure[] {
  const wanted = new Set(spec.params.values ?? []);
  const perPlace = new Map<string, { seconds: number; within: number; devices: Set<string> }>();
  for (const r of rows) {
    const device = byId.get(r.deviceId);
    if (r.field !== spec.params.field || r.seconds <= 0 || !device) continue;
    const place = placeOf(device);
    if (place === undefined) continue;
    const p = perPlace.get(place) ?? { seconds: 0, within: 0, devices: new Set<string>() };
    p.seconds += r.seconds;
    if (wanted.has(r.state)) p.within += r.seconds;
    p.devices.add(r.deviceId);
    perPlace.set(place, p);
  }
  return [...perPlace].map(([place, p]) => ({
    period,
    place,
    value: (p.within / p.seconds) * 100,
    devices: p.devices.size,
  }));
}

/**
 * Alerts of the dataset's rules, by bucket and place. `alerts`: raised in the bucket, behind the
 * place's devices of the contract (a count of faults says something of every device that could
 * have failed). Times: the median, in hours, of the alerts that ended (cleared by data, or were
 * acknowledged) in the bucket, behind the distinct devices they concern.
 */
async function alertFigures(
  deps: ComputeDeps,
  contract: Pick<Contract, "id">,
  spec: DatasetSpec,
  kind: IndicatorKind,
  devices: readonly Device[],
  placeOf: PlaceOf,
  periods: readonly EpochMs[],
): Promise<RawFigure[]> {
  if (!deps.alerts) return [];
  const first = Math.min(...periods);
  const ruleIds = (spec.params.rules ?? []).map((r) => `${contract.id}/${r}`);
  const alerts = (await Promise.all(ruleIds.map((ruleId) => alertsOf(deps.alerts, ruleId, first)))).flat();
  const byId = new Map(devices.map((d) => [d.id, d]));
  const population = new Map<string, number>();
  for (const d of devices) {
    const place = placeOf(d);
    if (place !== undefined) population.set(place, (population.get(place) ?? 0) + 1);
  }
  const wanted = new Set(periods);
  const cells = new Map<
    string,
    { period: EpochMs; place: string; values: number[]; subjects: Set<string> }
  >();
  for (const a of alerts) {
    const at = alertTime(kind.kind, a);
    if (at === undefined) continue;
    const period = bucketStart(at, spec.granularity);
    const device = [a.subject, ...(a.children ?? [])].map((id) => byId.get(id)).find((d) => d !== undefined);
    const place = device && placeOf(device);
    if (!wanted.has(period) || place === undefined || !device) continue;
    const key = `${period}\u0000${place}`;
    const cell = cells.get(key) ?? { period, place, values: [], subjects: new Set<string>() };
    cell.values.push(kind.kind === "alerts" ? 1 : (at - a.openedAt) / HOUR);
    cell.subjects.add(device.id);
    cells.set(key, cell);
  }
  if (kind.kind === "alerts") return countFigures(cells, population, periods);
  return [...cells.values()].map((c) => ({
    period: c.period,
    place: c.place,
    value: median(c.values),
    devices: c.subjects.size,
  }));
}

/** Every place with devices has a count in every bucket, zero included: no fault is a figure too. */
function countFigures(
  cells: ReadonlyMap<string, { period: EpochMs; place: string; values: number[] }>,
  population: ReadonlyMap<string, number>,
  periods: readonly EpochMs[],
): RawFigure[] {
  const out: RawFigure[] = [];
  for (const period of periods) {
    for (const [place, devices] of [...population].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const cell = cells.get(`${period}\u0000${place}`);
      out.push({ period, place, value: cell?.values.length ?? 0, devices });
    }
  }
  return out;
}

/** When an alert counts: raised (counts), cleared or closed (repair), acknowledged (acknowledge). */
function alertTime(kind: string, a: Alert): EpochMs | undefined {
  if (kind === "alerts") return a.openedAt;
  if (kind === "acknowledge-time") return a.acknowledgedAt;
  return a.clearedAt ?? a.closedAt;
}

/**
 * The rule's alerts, newest first, back to a year before `from` (an alert raised that long before
 * the range ends in it rarely; past that page nothing older is read), bounded.
 */
async function alertsOf(store: ComputeDeps["alerts"], ruleId: string, from: EpochMs): Promise<Alert[]> {
  if (!store) return [];
  return alertPages(
    store,
    { ruleId },
    { maxPages: MAX_ALERT_PAGES, far: (a) => a.openedAt < from - 366 * 86_400_000 },
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
