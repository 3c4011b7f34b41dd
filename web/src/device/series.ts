import type { Contract, ContractField, FieldValue, RuleEntry, SeriesPoint } from "./types.ts";

/**
 * Pure helpers of the device page: the series answer turned into chart columns, the contract's
 * bands of a field, the period and resolution choices. No DOM here, so that unit tests reach them.
 */

export type Resolution = "raw" | "15m" | "1h" | "1d";
export type Period = "24h" | "7d" | "30d";

export const RESOLUTIONS: readonly Resolution[] = ["raw", "15m", "1h", "1d"];
export const PERIODS: readonly Period[] = ["24h", "7d", "30d"];

const HOUR = 3_600_000;
const PERIOD_MS: Record<Period, number> = { "24h": 24 * HOUR, "7d": 7 * 24 * HOUR, "30d": 30 * 24 * HOUR };

/** The API answers at most 10 000 buckets, raw readings counted by the minute: raw fits in a day. */
const MAX_BUCKETS = 10_000;
const BUCKET_MS: Record<Resolution, number> = { raw: 60_000, "15m": 900_000, "1h": HOUR, "1d": 24 * HOUR };

export function isResolution(value: string): value is Resolution {
  return (RESOLUTIONS as readonly string[]).includes(value);
}

export function isPeriod(value: string): value is Period {
  return (PERIODS as readonly string[]).includes(value);
}

/** The range a period covers, ending now. */
export function periodRange(period: Period, now: number): { from: number; to: number } {
  return { from: now - PERIOD_MS[period], to: now };
}

/** Whether the API can answer this resolution over this period (at most 10 000 buckets). */
export function fitsPeriod(resolution: Resolution, period: Period): boolean {
  return PERIOD_MS[period] / BUCKET_MS[resolution] <= MAX_BUCKETS;
}

/** The finest resolution that fits the period, when the one chosen does not. */
export function fittingResolution(resolution: Resolution, period: Period): Resolution {
  if (fitsPeriod(resolution, period)) return resolution;
  return RESOLUTIONS.find((r) => fitsPeriod(r, period)) ?? "1d";
}

/** The series query of a device. */
export function seriesPath(id: string, resolution: Resolution, period: Period, now: number): string {
  const { from, to } = periodRange(period, now);
  const query = new URLSearchParams({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    resolution,
  });
  return `/api/v1/devices/${encodeURIComponent(id)}/series?${query.toString()}`;
}

/** One field's points as chart columns: times in seconds, the mean (or value), min and max. */
export interface FieldSeries {
  field: string;
  times: number[];
  mean: Array<number | null>;
  min: Array<number | null>;
  max: Array<number | null>;
  /** Whether some point has a min or max other than its mean (a rollup): the band is drawn. */
  spread: boolean;
}

/**
 * A point's number: a bucket's mean (none for a bucket without numbers), a raw reading's value
 * when it is a number. Buckets carry the period they cover (`from`), raw points do not.
 */
export function pointNumber(p: SeriesPoint): number | null {
  if (typeof p.mean === "number") return p.mean;
  if (p.from !== undefined) return null;
  return typeof p.last === "number" ? p.last : null;
}

/** The numeric fields of the answer, in the order they first appear. */
export function numericFields(points: readonly SeriesPoint[]): string[] {
  const fields: string[] = [];
  for (const p of points) if (pointNumber(p) !== null && !fields.includes(p.field)) fields.push(p.field);
  return fields;
}

/** The fields whose values are states (text or yes/no), in the order they first appear. */
export function stateFields(points: readonly SeriesPoint[]): string[] {
  const numeric = new Set(numericFields(points));
  const fields: string[] = [];
  for (const p of points) if (!numeric.has(p.field) && !fields.includes(p.field)) fields.push(p.field);
  return fields;
}

export function fieldSeries(points: readonly SeriesPoint[], field: string): FieldSeries {
  const own = points
    .filter((p) => p.field === field && pointNumber(p) !== null)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const out: FieldSeries = { field, times: [], mean: [], min: [], max: [], spread: false };
  for (const p of own) {
    const value = pointNumber(p);
    out.times.push(Date.parse(p.time) / 1000);
    out.mean.push(value);
    out.min.push(p.min ?? value);
    out.max.push(p.max ?? value);
    if ((p.min !== undefined && p.min !== value) || (p.max !== undefined && p.max !== value))
      out.spread = true;
  }
  return out;
}

/** A state field's points, oldest first: time and value as shown. */
export function stateSeries(
  points: readonly SeriesPoint[],
  field: string,
): Array<{ time: string; value: FieldValue }> {
  return points
    .filter((p) => p.field === field)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
    .map((p) => ({ time: p.time, value: p.last }));
}

/** A band of the contract: the limits one of its `band` rules sets on a field. */
export interface Band {
  rule: string;
  min?: number;
  max?: number;
}

/** The contract's bands of a field: its `band` rules' min and max (params name the field). */
export function bandsOf(rules: readonly RuleEntry[], contract: string, field: string): Band[] {
  const bands: Band[] = [];
  for (const r of rules) {
    if (r.kind !== "band" || r.contract !== contract || r.params.field !== field) continue;
    const band: Band = { rule: r.rule };
    if (typeof r.params.min === "number") band.min = r.params.min;
    if (typeof r.params.max === "number") band.max = r.params.max;
    if (band.min !== undefined || band.max !== undefined) bands.push(band);
  }
  return bands;
}

/** The contract version in force at `now` among those of a domain (or of the id given). */
export function contractOf(
  contracts: readonly Contract[],
  device: { domain: string },
  now: number,
  id?: string,
): Contract | undefined {
  // A reading names its contract as `id@version`.
  const [name, version] = (id ?? "").split("@");
  const exact = contracts.find((c) => c.id === name && c.version === version);
  if (exact) return exact;
  const candidates = contracts
    .filter((c) => (name ? c.id === name : c.domain === device.domain))
    .sort((a, b) => Date.parse(a.validFrom) - Date.parse(b.validFrom));
  const started = candidates.filter((c) => Date.parse(c.validFrom) <= now);
  return started.at(-1) ?? candidates[0];
}

export function fieldOf(contract: Contract | undefined, name: string): ContractField | undefined {
  return contract?.fields.find((f) => f.name === name);
}

/** A value as shown, with the field's unit. */
export function showValue(value: FieldValue, unit: string | undefined): string {
  const text = typeof value === "number" ? String(Math.round(value * 1000) / 1000) : String(value);
  return unit && typeof value === "number" ? `${text} ${unit}` : text;
}
