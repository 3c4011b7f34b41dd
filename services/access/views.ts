import type { Assignment, EpochMs, FieldValue, QuarantineEntry } from "../domain/types.ts";
import type { AggregateRow, DeviceState, SeriesBucket, ViolationRecord } from "../storage/store.ts";
import type { Period } from "./periods.ts";
import type { DeviceGrant } from "./policy.ts";

/**
 * What readers get back: the API's answers (services/api/schemas.ts describes them), with times
 * as ISO 8601 strings. Views are built from what the policy let through, never from raw rows.
 */
export interface DeviceView {
  id: string;
  domain: string;
  commune: string;
  operator: string | null;
  lat: number;
  lon: number;
  attributes: Record<string, string | number>;
  state: StateView | null;
  /** For an operator: the periods it held the device, to which its data are clipped. */
  periods?: PeriodView[];
  /** For staff, on one device's answer: every operator's periods, oldest first. */
  assignments?: AssignmentView[];
}

export interface AssignmentView {
  operator: string;
  from: string;
  to: string | null;
}

export interface StateView {
  time: string;
  operator: string;
  contract: string;
  values: Record<string, { value: FieldValue; time: string }>;
}

export interface PeriodView {
  from: string;
  to: string | null;
}

export interface PointView {
  time: string;
  /** Bucketed series only: the period the bucket covers within the range asked, `to` exclusive. */
  from?: string;
  to?: string;
  field: string;
  count: number;
  mean?: number;
  min?: number;
  max?: number;
  last: FieldValue;
}

export interface QuarantineView {
  id: number;
  receivedAt: string;
  operator: string;
  device: string | null;
  contract: string | null;
  source: string;
  raw: string;
  truncated: boolean;
  reasons: QuarantineEntry["reasons"];
}

export interface AggregateView {
  /** The bucket's start, as before `from` and `to` were added (equal to `from` unless the range cuts the bucket). */
  time: string;
  /** The period the row covers, `to` exclusive: its bucket within the answer's range. */
  from: string;
  to: string;
  commune?: string;
  domain?: string;
  operator?: string;
  field: string;
  /**
   * gauge: count/mean/min/max of the values; counter: `sum`, the consumption over the bucket;
   * state: `states`, the seconds spent in each value.
   */
  measure: "gauge" | "counter" | "state";
  count: number;
  devices: number;
  mean?: number;
  min?: number;
  max?: number;
  sum?: number;
  states?: Record<string, number>;
}

export const iso = (ms: EpochMs): string => new Date(ms).toISOString();

/** `state` is what the policy let through (services/access/policy.ts `currentState`). */
export function deviceView(g: DeviceGrant, state: DeviceState | undefined): DeviceView {
  const d = g.device;
  return {
    id: d.id,
    domain: d.domain,
    commune: d.commune,
    operator: g.holder ?? null,
    lat: d.lat,
    lon: d.lon,
    attributes: d.attributes,
    state: state ? stateView(state) : null,
    ...(g.held ? { periods: g.held.periods.map(periodView) } : {}),
  };
}

function stateView(s: DeviceState): StateView {
  const values: StateView["values"] = {};
  for (const [name, v] of Object.entries(s.values)) values[name] = { value: v.value, time: iso(v.time) };
  return { time: iso(s.time), operator: s.operatorId, contract: s.contract, values };
}

export function assignmentView(a: Assignment): AssignmentView {
  return { operator: a.operatorId, from: iso(a.from), to: a.to === undefined ? null : iso(a.to) };
}

function periodView(p: Period): PeriodView {
  return { from: iso(p.from), to: p.to === undefined ? null : iso(p.to) };
}

/** A range and the width of its buckets; one bucket for the whole range when the width is absent. */
export interface Buckets {
  from: EpochMs;
  to: EpochMs;
  resolutionMs?: number;
}

/**
 * The period a bucket starting at `time` covers: the bucket cut to the range (stores cut buckets
 * at multiples of the resolution since the epoch, so the first and last may reach outside it),
 * or the whole range when there is one bucket.
 */
export function bucketPeriod(time: EpochMs, b: Buckets): { from: EpochMs; to: EpochMs } {
  if (b.resolutionMs === undefined) return { from: b.from, to: b.to };
  return { from: Math.max(time, b.from), to: Math.min(time + b.resolutionMs, b.to) };
}

/** Raw points are instants, not buckets: they get no period. */
export function pointView(b: SeriesBucket, buckets?: Buckets & { resolutionMs: number }): PointView {
  if (!buckets) return { ...b, time: iso(b.time) };
  const period = bucketPeriod(b.time, buckets);
  return { ...b, time: iso(b.time), from: iso(period.from), to: iso(period.to) };
}

export function quarantineView(e: QuarantineEntry): QuarantineView {
  return {
    id: e.id ?? 0,
    receivedAt: iso(e.receivedAt),
    operator: e.operatorId,
    device: e.deviceId ?? null,
    contract: e.contract ?? null,
    source: e.source,
    raw: e.raw,
    truncated: e.truncated,
    reasons: e.reasons,
  };
}

/**
 * Answer rows, built for a year of daily rows per commune (thousands): the ISO strings once per
 * bucket time, not per row, and no spread. Each row is labelled with the period it covers.
 */
export function aggregateViews(rows: readonly AggregateRow[], buckets: Buckets): AggregateView[] {
  const labels = new Map<number, { time: string; from: string; to: string }>();
  return rows.map((r) => {
    let label = labels.get(r.time);
    if (label === undefined) {
      const period = bucketPeriod(r.time, buckets);
      label = { time: iso(r.time), from: iso(period.from), to: iso(period.to) };
      labels.set(r.time, label);
    }
    const { time, from, to } = label;
    // A counter's mean of cumulative meter readings means nothing: its consumption is the figure.
    // A state has no mean either: its time in each value is.
    const view: AggregateView =
      r.states !== undefined
        ? { ...label, field: r.field, measure: "state", count: r.count, devices: r.devices, states: r.states }
        : r.sum !== undefined
          ? {
              time,
              from,
              to,
              field: r.field,
              measure: "counter",
              count: r.count,
              devices: r.devices,
              sum: r.sum,
            }
          : {
              time,
              from,
              to,
              field: r.field,
              measure: "gauge",
              count: r.count,
              devices: r.devices,
              mean: r.mean,
              min: r.min,
              max: r.max,
            };
    if (r.group.commune !== undefined) view.commune = r.group.commune;
    if (r.group.domain !== undefined) view.domain = r.group.domain;
    if (r.group.operator !== undefined) view.operator = r.group.operator;
    return view;
  });
}

/** One dropped or refused field of an accepted reading, for its operator and the staff. */
export interface ViolationView {
  id: number;
  receivedAt: string;
  /** The reading's own time. */
  time: string;
  operator: string;
  device: string;
  contract: string;
  /** The violation's path in the reading, `data.<field>` for a field. */
  field: string;
  /** The value that was dropped, as sent; absent when none was kept (unknown or personal fields). */
  value?: string | number;
  code: string;
  reason: string;
}

export function violationView(r: ViolationRecord): ViolationView {
  const view: ViolationView = {
    id: r.id ?? 0,
    receivedAt: iso(r.receivedAt),
    time: iso(r.time),
    operator: r.operatorId,
    device: r.deviceId,
    contract: r.contract,
    field: r.path,
    code: r.code,
    reason: r.detail,
  };
  if (r.value !== undefined) view.value = r.value;
  return view;
}
