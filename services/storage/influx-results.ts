import type { EpochMs, FieldValue, Observation } from "../domain/types.ts";
import type { InfluxSeries, StatementResult } from "./influx-http.ts";
import type { FieldInfo, MeasurementInfo } from "./influx-schema.ts";
import { decodeStored, TAG } from "./line-protocol.ts";
import type {
  AggregateRow,
  DeviceRollup,
  DeviceState,
  DeviceStateRollup,
  GroupDimension,
  GroupRollup,
  GroupStateRollup,
  RollupTier,
  SeriesBucket,
} from "./store.ts";

/**
 * InfluxQL answers shaped into the port's types. Each function reads the statements that
 * influx-queries.ts built for the same plan, in the same order, so columns are read by position.
 * Names and tag values come back in their stored form and are decoded here.
 */

/** One statement's measurement and field. */
export interface FieldPlan {
  measurement: MeasurementInfo;
  field: FieldInfo;
}

/** A missing tag reads as null; the pipeline wrote it as "" (line protocol cannot hold it). */
export function tagValue(value: unknown): string {
  return typeof value === "string" ? decodeStored(value) : "";
}

function deviceIdOf(series: InfluxSeries): string {
  return tagValue(series.tags?.[TAG.deviceId]);
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- latest

/** Rows of `latestStatement`: time, last, commune, operator, contract. */
type LatestRow = [EpochMs, FieldValue | null, string | null, string | null, string | null];

/**
 * Each field keeps its own latest value and time; the device takes its time, domain and tags
 * from its most recent reading of any field.
 */
export function latestStates(plan: readonly FieldPlan[], results: readonly StatementResult[]): DeviceState[] {
  const states = new Map<string, DeviceState>();
  plan.forEach((p, i) => {
    for (const series of results[i] ?? []) {
      const row = series.values[0] as LatestRow | undefined;
      if (row && row[1] !== null) addLatest(states, p, deviceIdOf(series), row);
    }
  });
  return [...states.values()].sort((a, b) => compare(a.deviceId, b.deviceId));
}

function addLatest(states: Map<string, DeviceState>, p: FieldPlan, deviceId: string, row: LatestRow): void {
  const [time, value, commune, operator, contract] = row;
  let state = states.get(deviceId);
  if (!state) {
    state = { deviceId, domain: "", commune: "", operatorId: "", contract: "", time, values: {} };
    states.set(deviceId, state);
  }
  const current = state.values[p.field.name];
  if (!current || time > current.time) state.values[p.field.name] = { value: value as FieldValue, time };
  if (time >= state.time) {
    state.time = time;
    state.domain = p.measurement.domain;
    state.commune = tagValue(commune);
    state.operatorId = tagValue(operator);
    state.contract = tagValue(contract);
  }
}

// ---------------------------------------------------------------- series

function rawPoint(time: EpochMs, field: string, value: FieldValue): SeriesBucket {
  return typeof value === "number"
    ? { time, field, count: 1, mean: value, min: value, max: value, last: value }
    : { time, field, count: 1, last: value };
}

function byTimeThenField(a: SeriesBucket, b: SeriesBucket): number {
  return a.time - b.time || compare(a.field, b.field);
}

/** Rows of `rawSeriesStatement`: time, then one column per field (null where it has no value). */
export function rawPoints(
  fieldsPerStatement: readonly (readonly FieldInfo[])[],
  results: readonly StatementResult[],
): SeriesBucket[] {
  const points: SeriesBucket[] = [];
  fieldsPerStatement.forEach((fields, i) => {
    for (const series of results[i] ?? []) {
      for (const row of series.values) {
        fields.forEach((f, j) => {
          const value = row[j + 1] as FieldValue | null;
          if (value !== null) points.push(rawPoint(row[0] as EpochMs, f.name, value));
        });
      }
    }
  });
  return points.sort(byTimeThenField);
}

/** Rows of `bucketedSeriesStatement`: time, count, last, then mean, min, max for numeric fields. */
type BucketRow = [EpochMs, number, FieldValue, number | null, number | null, number | null];

function bucket(field: string, row: BucketRow): SeriesBucket {
  const [time, count, last, mean, min, max] = row;
  if (mean === null || mean === undefined || min === null || max === null)
    return { time, field, count, last };
  return { time, field, count, mean, min: min as number, max: max as number, last };
}

export function seriesBuckets(
  plan: readonly FieldPlan[],
  results: readonly StatementResult[],
): SeriesBucket[] {
  const buckets: SeriesBucket[] = [];
  plan.forEach((p, i) => {
    for (const series of results[i] ?? []) {
      for (const row of series.values) buckets.push(bucket(p.field.name, row as BucketRow));
    }
  });
  return buckets.sort(byTimeThenField);
}

// ---------------------------------------------------------------- aggregate

/** Rows of `aggregateStatement`: time, count, sum, min, max, per device and group. */
type PartialRow = [EpochMs, number, number, number, number];

interface Accumulator {
  row: AggregateRow;
  sum: number;
  devices: Set<string>;
}

export interface AggregateShape {
  dimensions: readonly GroupDimension[];
  /** Row time when no resolution was asked (the whole range is one bucket starting at `from`). */
  from?: EpochMs;
}

function groupOf(
  dimensions: readonly GroupDimension[],
  p: FieldPlan,
  series: InfluxSeries,
): AggregateRow["group"] {
  const group: AggregateRow["group"] = {};
  for (const d of dimensions) {
    group[d] =
      d === "domain"
        ? p.measurement.domain
        : tagValue(series.tags?.[d === "commune" ? TAG.commune : TAG.operator]);
  }
  return group;
}

function accumulate(acc: Accumulator, deviceId: string, [, count, sum, min, max]: PartialRow): void {
  acc.row.count += count;
  acc.sum += sum;
  acc.row.min = Math.min(acc.row.min, min);
  acc.row.max = Math.max(acc.row.max, max);
  acc.devices.add(deviceId);
}

/** Merges per-device partial sums into the port's rows: exact counts, means and distinct devices. */
export function aggregateRows(
  plan: readonly FieldPlan[],
  results: readonly StatementResult[],
  shape: AggregateShape,
): AggregateRow[] {
  const groups = new Map<string, Accumulator>();
  plan.forEach((p, i) => {
    for (const series of results[i] ?? []) {
      const group = groupOf(shape.dimensions, p, series);
      for (const row of series.values as PartialRow[]) {
        const time = shape.from ?? row[0];
        const key = JSON.stringify([time, Object.entries(group), p.field.name]);
        let acc = groups.get(key);
        if (!acc) {
          const first: AggregateRow = {
            time,
            group,
            field: p.field.name,
            count: 0,
            devices: 0,
            mean: 0,
            min: Infinity,
            max: -Infinity,
          };
          acc = { row: first, sum: 0, devices: new Set() };
          groups.set(key, acc);
        }
        accumulate(acc, deviceIdOf(series), row);
      }
    }
  });
  return [...groups.entries()]
    .sort(([ka, a], [kb, b]) => a.row.time - b.row.time || compare(ka, kb))
    .map(([, acc]) => ({ ...acc.row, devices: acc.devices.size, mean: acc.sum / acc.row.count }));
}

// ---------------------------------------------------------------- count

/** COUNT(*) answers one `count_<field>` column per field, null where a measurement lacks it. */
export function countOf(result: StatementResult | undefined): number {
  let total = 0;
  for (const series of result ?? []) {
    for (const row of series.values) {
      for (const cell of row.slice(1)) if (typeof cell === "number") total += cell;
    }
  }
  return total;
}

// ---------------------------------------------------------------- archive scans

/** A row of `SELECT *` read by column name: tags and fields alike, as InfluxDB named them. */
export type NamedRow = ReadonlyMap<string, unknown>;

/** The rows of one answer by column name, each with its series' GROUP BY tags (none here). */
export function namedRows(result: StatementResult | undefined): { measurement: string; row: NamedRow }[] {
  const out: { measurement: string; row: NamedRow }[] = [];
  for (const series of result ?? []) {
    for (const values of series.values) {
      const row = new Map<string, unknown>(Object.entries(series.tags ?? {}));
      series.columns.forEach((column, i) => {
        row.set(column, values[i]);
      });
      out.push({ measurement: series.name, row });
    }
  }
  return out;
}

const READING_TAGS: ReadonlySet<string> = new Set(Object.values(TAG));

/**
 * A stored point of a domain's measurement as the observation written: every tag, the owner
 * included, and every field the point holds (a column of the measurement's other fields reads
 * null there). Values come as InfluxDB's JSON gives them to latest(): floats as numbers,
 * strings, booleans.
 */
export function observationOf(domain: string, row: NamedRow): Observation {
  const values: Record<string, FieldValue> = {};
  for (const [column, value] of row) {
    if (column === "time" || READING_TAGS.has(column) || value === null || value === undefined) continue;
    values[decodeStored(column)] = value as FieldValue;
  }
  return {
    deviceId: tagValue(row.get(TAG.deviceId)),
    time: row.get("time") as EpochMs,
    domain,
    commune: tagValue(row.get(TAG.commune)),
    ownerId: tagValue(row.get(TAG.owner)),
    operatorId: tagValue(row.get(TAG.operator)),
    contract: tagValue(row.get(TAG.contract)),
    values,
  };
}

function numberOf(row: NamedRow, column: string): number | undefined {
  const value = row.get(column);
  return typeof value === "number" ? value : undefined;
}

/** A device rollup point (influx-rollups.ts); undefined for a point of another kind. */
export function deviceRollupOfRow(tier: RollupTier, domain: string, row: NamedRow): DeviceRollup | undefined {
  const [count, mean, min, max] = ["count", "mean", "min", "max"].map((c) => numberOf(row, c));
  if (count === undefined || mean === undefined || min === undefined || max === undefined) return undefined;
  const sum = numberOf(row, "sum");
  return {
    tier,
    time: row.get("time") as EpochMs,
    deviceId: tagValue(row.get(TAG.deviceId)),
    domain,
    commune: tagValue(row.get(TAG.commune)),
    operatorId: tagValue(row.get(TAG.operator)),
    field: tagValue(row.get("field")),
    count,
    mean,
    min,
    max,
    ...(sum === undefined ? {} : { sum }),
  };
}

/** A device state rollup point (influx-state-rollups.ts: `readings` is the row's count). */
export function deviceStateOfRow(
  tier: RollupTier,
  domain: string,
  row: NamedRow,
): DeviceStateRollup | undefined {
  const seconds = numberOf(row, "seconds");
  const count = numberOf(row, "readings");
  if (seconds === undefined || count === undefined) return undefined;
  return {
    tier,
    time: row.get("time") as EpochMs,
    deviceId: tagValue(row.get(TAG.deviceId)),
    domain,
    commune: tagValue(row.get(TAG.commune)),
    operatorId: tagValue(row.get(TAG.operator)),
    field: tagValue(row.get("field")),
    state: tagValue(row.get("state")),
    seconds,
    count,
  };
}

export function groupRollupOfRow(tier: RollupTier, row: NamedRow): GroupRollup | undefined {
  const [count, devices, mean, min, max] = ["count", "devices", "mean", "min", "max"].map((c) =>
    numberOf(row, c),
  );
  if (
    count === undefined ||
    devices === undefined ||
    mean === undefined ||
    min === undefined ||
    max === undefined
  )
    return undefined;
  const sum = numberOf(row, "sum");
  return {
    tier,
    time: row.get("time") as EpochMs,
    commune: tagValue(row.get(TAG.commune)),
    domain: tagValue(row.get("domain")),
    field: tagValue(row.get("field")),
    count,
    devices,
    mean,
    min,
    max,
    ...(sum === undefined ? {} : { sum }),
  };
}

export function groupStateOfRow(tier: RollupTier, row: NamedRow): GroupStateRollup | undefined {
  const [seconds, count, devices] = ["seconds", "readings", "devices"].map((c) => numberOf(row, c));
  if (seconds === undefined || count === undefined || devices === undefined) return undefined;
  return {
    tier,
    time: row.get("time") as EpochMs,
    commune: tagValue(row.get(TAG.commune)),
    domain: tagValue(row.get("domain")),
    field: tagValue(row.get("field")),
    state: tagValue(row.get("state")),
    seconds,
    count,
    devices,
  };
}
