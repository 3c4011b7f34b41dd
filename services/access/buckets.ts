import { BadRequestError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type { SeriesBucket } from "../storage/store.ts";

/** Refuses a query that would return more buckets than a screen can use. */
export function checkBucketCount(
  from: EpochMs,
  to: EpochMs,
  resolutionMs: number | undefined,
  max: number,
): void {
  if (resolutionMs !== undefined && (to - from) / resolutionMs > max) {
    throw new BadRequestError(`more than ${max} buckets: choose a coarser resolution or a shorter range`);
  }
}

/**
 * One series from the series of several windows (an operator's periods), in time order. Stores
 * cut buckets at multiples of the resolution since the epoch, whatever the range asked, so a
 * bucket spanning the gap between two periods (a device handed over at half past and back
 * before the hour, or within one day at a daily resolution) comes back with the same start from
 * each side: counts add up, means are weighted by counts, min and max combine, and the later
 * window's last value wins. Raw points never share a window, so they are only put in order.
 */
export function mergeSeries(parts: readonly (readonly SeriesBucket[])[]): SeriesBucket[] {
  if (parts.length === 1) return [...(parts[0] ?? [])];
  const byKey = new Map<string, SeriesBucket>();
  for (const part of parts) {
    for (const b of part) {
      const key = `${b.time}\u0000${b.field}`;
      const seen = byKey.get(key);
      byKey.set(key, seen ? combine(seen, b) : b);
    }
  }
  return [...byKey.values()].sort((a, b) => a.time - b.time || (a.field < b.field ? -1 : 1));
}

function combine(a: SeriesBucket, b: SeriesBucket): SeriesBucket {
  const count = a.count + b.count;
  const merged: SeriesBucket = { time: a.time, field: a.field, count, last: b.last };
  if (a.mean !== undefined && b.mean !== undefined)
    merged.mean = (a.mean * a.count + b.mean * b.count) / count;
  if (a.min !== undefined || b.min !== undefined) merged.min = Math.min(a.min ?? Infinity, b.min ?? Infinity);
  if (a.max !== undefined || b.max !== undefined)
    merged.max = Math.max(a.max ?? -Infinity, b.max ?? -Infinity);
  return merged;
}
