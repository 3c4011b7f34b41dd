/** Durations in contracts: ODCS `value` + `unit` pairs, or ISO 8601 durations ("P1Y", "PT15M"). */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

const MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 7 * 86_400_000,
  week: 7 * 86_400_000,
  weeks: 7 * 86_400_000,
  // Calendar months and years are taken at their mean length: retention is not to the day.
  month: 30 * 86_400_000,
  months: 30 * 86_400_000,
  y: 365 * 86_400_000,
  yr: 365 * 86_400_000,
  year: 365 * 86_400_000,
  years: 365 * 86_400_000,
};

/** Converts `value` in `unit` to ms; undefined when the unit is unknown or the value not a positive number. */
export function unitToMs(value: unknown, unit: unknown): number | undefined {
  if (typeof value === "string" && unit === undefined) return isoDurationToMs(value);
  if (typeof value !== "number" || !(value > 0) || typeof unit !== "string") return undefined;
  const factor = MS[unit.toLowerCase()];
  return factor === undefined ? undefined : value * factor;
}

const ISO =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function isoDurationToMs(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  const [, y, mo, w, d, h, mi, s] = m.map((part) => (part === undefined ? 0 : Number(part)));
  const ms =
    (y ?? 0) * YEAR +
    (mo ?? 0) * MONTH +
    (w ?? 0) * 7 * DAY +
    (d ?? 0) * DAY +
    (h ?? 0) * HOUR +
    (mi ?? 0) * MINUTE +
    (s ?? 0) * 1000;
  return ms > 0 ? ms : undefined;
}
