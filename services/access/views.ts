import type { EpochMs, FieldValue, QuarantineEntry } from "../domain/types.ts";
import type { AggregateRow, DeviceState, SeriesBucket } from "../storage/store.ts";
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
  time: string;
  commune?: string;
  domain?: string;
  operator?: string;
  field: string;
  /** gauge: count/mean/min/max of the values; counter: `sum`, the consumption over the bucket. */
  measure: "gauge" | "counter";
  count: number;
  devices: number;
  mean?: number;
  min?: number;
  max?: number;
  sum?: number;
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

function periodView(p: Period): PeriodView {
  return { from: iso(p.from), to: p.to === undefined ? null : iso(p.to) };
}

export function pointView(b: SeriesBucket): PointView {
  return { ...b, time: iso(b.time) };
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
 * Answer rows, built for a year of daily rows per commune (thousands): one ISO string per bucket
 * time, not per row, and no spread.
 */
export function aggregateViews(rows: readonly AggregateRow[]): AggregateView[] {
  const times = new Map<number, string>();
  return rows.map((r) => {
    let time = times.get(r.time);
    if (time === undefined) {
      time = iso(r.time);
      times.set(r.time, time);
    }
    // A counter's mean of cumulative meter readings means nothing: its consumption is the figure.
    const view: AggregateView =
      r.sum !== undefined
        ? { time, field: r.field, measure: "counter", count: r.count, devices: r.devices, sum: r.sum }
        : {
            time,
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
