import { BadRequestError } from "../../domain/errors.ts";
import type { EpochMs } from "../../domain/types.ts";
import { TIER_MS } from "../../storage/store.ts";

export const DAY_MS = TIER_MS["1d"];

/** A range widened to whole UTC days, the buckets of the daily rollups. */
export interface DayRange {
  from: EpochMs;
  to: EpochMs;
  days: number;
}

export function wholeDays(from: EpochMs, to: EpochMs): DayRange {
  const start = Math.floor(from / DAY_MS) * DAY_MS;
  const end = Math.max(Math.ceil(to / DAY_MS) * DAY_MS, start + DAY_MS);
  return { from: start, to: end, days: (end - start) / DAY_MS };
}

/** Refuses a range longer than a view reads bucket by bucket. */
export function checkDays(range: DayRange, max: number, name: string): DayRange {
  if (range.days > max) throw new BadRequestError(`${name} spans ${range.days} days; at most ${max}`);
  return range;
}

/** The start of each day of the range. */
export function dayStarts(range: DayRange): EpochMs[] {
  return Array.from({ length: range.days }, (_, i) => range.from + i * DAY_MS);
}
