import type { EpochMs, FieldValue } from "../domain/types.ts";
import type { InfluxSeries, StatementResult } from "./influx-http.ts";
import type { FieldInfo, MeasurementInfo } from "./influx-schema.ts";
import { decodeStored, TAG } from "./line-protocol.ts";
import type { AggregateRow, DeviceState, GroupDimension, SeriesBucket } from "./store.ts";

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
