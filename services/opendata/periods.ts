import type { Granularity } from "../contracts/model.ts";
import type { EpochMs } from "../domain/types.ts";
import type { RollupTier } from "../storage/store.ts";

/** Buckets of a dataset, in UTC: an hour, a day, a calendar month. */

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The start of the bucket holding `t`. */
export function bucketStart(t: EpochMs, g: Granularity): EpochMs {
  const d = new Date(t);
  if (g === "hour") return Math.floor(t / HOUR) * HOUR;
  if (g === "day") return Math.floor(t / DAY) * DAY;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The start of the bucket after the one starting at `start`. */
export function bucketEnd(start: EpochMs, g: Granularity): EpochMs {
  if (g === "hour") return start + HOUR;
  if (g === "day") return start + DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Bucket starts from the one holding `from` to the last starting before `to`. */
export function bucketStarts(from: EpochMs, to: EpochMs, g: Granularity): EpochMs[] {
  const out: EpochMs[] = [];
  for (let t = bucketStart(from, g); t < to; t = bucketEnd(t, g)) out.push(t);
  return out;
}

/** The rollup tier a bucket is read from, and the tier buckets that make it up. */
export function tierBuckets(start: EpochMs, g: Granularity): { tier: RollupTier; times: EpochMs[] } {
  if (g === "hour") return { tier: "1h", times: [start] };
  if (g === "day") return { tier: "1d", times: [start] };
  const times: EpochMs[] = [];
  for (let t = start; t < bucketEnd(start, g); t += DAY) times.push(t);
  return { tier: "1d", times };
}

/** ISO 8601 duration of a bucket, as DCAT's temporal resolution says it. */
export function resolution(g: Granularity): string {
  return g === "hour" ? "PT1H" : g === "day" ? "P1D" : "P1M";
}
