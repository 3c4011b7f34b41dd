import type { EpochMs } from "../domain/types.ts";
import { COUNTER_MAX_GAP_MS } from "./store.ts";

/**
 * A counter's consumption per bucket, from its readings, for adapters that cannot compute it in
 * their query language (InfluxQL has no window over a device's series merged with its past):
 * the rules of `RollupStore.summarize`, in one place, without I/O.
 */

/** One reading of a cumulative meter (one device, one field). */
export interface MeterReading {
  time: EpochMs;
  value: number;
}

/**
 * What a reading adds to the meter after `previous` (undefined: none known). A decrease is a reset
 * or a new meter, which counted from zero; over a gap longer than `maxGapMs`, when the energy was
 * used is unknown, so it counts in no bucket.
 */
export function increase(
  previous: MeterReading | undefined,
  current: MeterReading,
  maxGapMs: number = COUNTER_MAX_GAP_MS,
): number {
  if (previous === undefined || current.time - previous.time > maxGapMs) return 0;
  return current.value >= previous.value ? current.value - previous.value : current.value;
}

/**
 * The consumption per bucket start of one device's field: each reading at or after `from` adds its
 * increase over the reading before it to the bucket it falls in (buckets of `bucketMs` from the
 * epoch). Readings before `from` only serve as the first one's predecessor. They may come in any
 * order and from several series (a handover does not reset the meter); two at the same time are
 * taken smallest first, as a meter only grows between resets. Every bucket holding a reading from
 * `from` on is in the answer, with 0 when nothing was used.
 */
export function consumptionPerBucket(
  readings: readonly MeterReading[],
  from: EpochMs,
  bucketMs: number,
  maxGapMs: number = COUNTER_MAX_GAP_MS,
): Map<EpochMs, number> {
  const sorted = [...readings].sort((a, b) => a.time - b.time || a.value - b.value);
  const buckets = new Map<EpochMs, number>();
  let previous: MeterReading | undefined;
  for (const reading of sorted) {
    if (reading.time >= from) {
      const bucket = Math.floor(reading.time / bucketMs) * bucketMs;
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + increase(previous, reading, maxGapMs));
    }
    previous = reading;
  }
  return buckets;
}
