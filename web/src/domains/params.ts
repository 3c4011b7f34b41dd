/**
 * The domain pages' questions to the API, built from what the forms hold. Dates are whole days as
 * a person picks them (`<input type="date">`, both ends included); the API counts in whole UTC days.
 */

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant (UTC). */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The start of a picked day, ISO 8601 (UTC midnight); undefined when the day is not a valid date. */
export function dayStart(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The end of a picked day (the next day's start), so that the last day picked is included. */
export function dayEnd(day: string): string | undefined {
  const start = dayStart(day);
  return start === undefined ? undefined : new Date(Date.parse(start) + DAY_MS).toISOString();
}

/** A period of whole days, both ends included, as the API's `from` and `to`. */
export function dayRange(first: string, last: string): { from: string; to: string } | undefined {
  const from = dayStart(first);
  const to = dayEnd(last);
  if (from === undefined || to === undefined || from >= to) return undefined;
  return { from, to };
}

/** The default periods of the lighting page: the last 30 whole days, against the same days a year before. */
export function defaultEnergyDays(now: number): {
  from: string;
  to: string;
  referenceFrom: string;
  referenceTo: string;
} {
  const last = Math.floor(now / DAY_MS) * DAY_MS - DAY_MS;
  const first = last - 29 * DAY_MS;
  const yearBefore = (ms: number) => {
    const d = new Date(ms);
    d.setUTCFullYear(d.getUTCFullYear() - 1);
    return d.getTime();
  };
  return {
    from: dayOf(first),
    to: dayOf(last),
    referenceFrom: dayOf(yearBefore(first)),
    referenceTo: dayOf(yearBefore(last)),
  };
}

export type GroupBy = "lamp" | "cabinet" | "commune";

export interface EnergyForm {
  from: string;
  to: string;
  referenceFrom: string;
  referenceTo: string;
  groupBy: GroupBy;
  /** € per kWh as typed (a comma is read as the decimal mark). */
  tariff: string;
}

/** A tariff as typed, in € per kWh; undefined when it is not a number from 0 to 100. */
export function parseTariff(text: string): number | undefined {
  const trimmed = text.trim().replace(",", ".");
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= 0 && value <= 100 ? value : undefined;
}

/** The path of `GET /api/v1/lighting/energy` for the form; a string naming what is wrong otherwise. */
export function energyPath(
  form: EnergyForm,
): { path: string } | { invalid: "period" | "reference" | "tariff" } {
  const period = dayRange(form.from, form.to);
  if (period === undefined) return { invalid: "period" };
  const reference = dayRange(form.referenceFrom, form.referenceTo);
  if (reference === undefined) return { invalid: "reference" };
  const tariff = parseTariff(form.tariff);
  if (tariff === undefined) return { invalid: "tariff" };
  const query = new URLSearchParams({
    from: period.from,
    to: period.to,
    referenceFrom: reference.from,
    referenceTo: reference.to,
    groupBy: form.groupBy,
    tariff: String(tariff),
  });
  return { path: `/api/v1/lighting/energy?${query}` };
}

export interface WasteFilters {
  /** Fill level from which to collect, in percent as typed. */
  thresholdPercent: string;
  horizonDays: string;
  commune: string;
  stream: string;
  all: boolean;
}

export type WasteFormat = "json" | "csv" | "geojson";

/** The path of `GET /api/v1/waste/to-collect` with the filters, in the given format. */
export function toCollectPath(filters: WasteFilters, format: WasteFormat): string {
  const query = new URLSearchParams();
  const percent = Number(filters.thresholdPercent.replace(",", "."));
  if (filters.thresholdPercent.trim() !== "" && Number.isFinite(percent) && percent >= 0 && percent <= 100) {
    query.set("threshold", String(Math.round(percent * 100) / 10_000));
  }
  const horizon = Number(filters.horizonDays.replace(",", "."));
  if (filters.horizonDays.trim() !== "" && Number.isFinite(horizon) && horizon >= 0 && horizon <= 60) {
    query.set("horizonDays", String(horizon));
  }
  if (filters.commune !== "") query.set("commune", filters.commune);
  if (filters.stream !== "") query.set("stream", filters.stream);
  if (filters.all) query.set("all", "true");
  query.set("format", format);
  return `/api/v1/waste/to-collect?${query}`;
}

/** A trend of the nightly minimum flow that deserves a look: rising by more than a hundredth of m³/h a day. */
export function trendRising(trendM3hPerDay: number | null): boolean {
  return trendM3hPerDay !== null && trendM3hPerDay > 0.01;
}

/** The distinct values of a list, sorted, without the empty ones. */
export function choices(values: ReadonlyArray<string | null>): string[] {
  return [...new Set(values.filter((v): v is string => v !== null && v !== ""))].sort();
}
