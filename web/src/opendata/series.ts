import { type FigureRecord, isSuppressed } from "./types.ts";

/**
 * The records of a window turned into chart columns: the periods in order (seconds, as uPlot
 * reads time), and one row of values per place, null where the figure is under statistical
 * secrecy or absent, so that the line breaks there. No DOM here.
 */

export interface PlaceSeries {
  code: string;
  name: string;
  values: Array<number | null>;
}

export interface ChartData {
  times: number[];
  places: PlaceSeries[];
  /** Figures of the window under statistical secrecy. */
  hidden: number;
}

export function chartData(records: readonly FigureRecord[]): ChartData {
  const times = [...new Set(records.map((r) => Date.parse(r.period_start) / 1000))]
    .filter((s) => Number.isFinite(s))
    .sort((a, b) => a - b);
  const column = new Map(times.map((s, i) => [s, i]));
  const places = new Map<string, PlaceSeries>();
  let hidden = 0;
  for (const r of records) {
    let place = places.get(r.place_code);
    if (!place) {
      place = { code: r.place_code, name: r.place_name, values: times.map(() => null) };
      places.set(r.place_code, place);
    }
    const i = column.get(Date.parse(r.period_start) / 1000);
    if (isSuppressed(r.status) || r.value === null) hidden++;
    else if (i !== undefined) place.values[i] = r.value;
  }
  return { times, places: [...places.values()].sort((a, b) => a.name.localeCompare(b.name)), hidden };
}

const DAY_MS = 86_400_000;
/** How far back the chart looks from the latest period: enough to read a trend, light to load. */
const WINDOW_MS: Record<string, number> = { hour: 14 * DAY_MS, day: 92 * DAY_MS, month: 3 * 366 * DAY_MS };

export function windowStart(last: string, granularity: string): string {
  return new Date(Date.parse(last) - (WINDOW_MS[granularity] ?? 92 * DAY_MS)).toISOString();
}

/** Past this many places, the chart shows one place at a time, chosen in a list. */
export const MAX_SERIES = 8;
