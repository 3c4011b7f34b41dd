import type { EpochMs, FieldValue } from "../domain/types.ts";
import { STATE_MAX_GAP_MS } from "./store.ts";

/**
 * The time a device spent in each value of a state field, per bucket, from its readings: the
 * state rule of store.ts (STATE_MAX_GAP_MS) in one place, without I/O, for adapters that cannot
 * compute it in their query language (InfluxQL has no window over a device's merged series) and
 * for the in-memory twin. DuckDB computes the same in SQL (duckdb/state-rollups.ts).
 */

/** One reading of a state field of one device, with whatever the caller keeps of its series. */
export interface StateReading<A> {
  time: EpochMs;
  state: string;
  attributes: A;
}

export interface StateWindow {
  /** Time and readings are counted within [from, to); readings before `from` only carry a state in. */
  from: EpochMs;
  to: EpochMs;
  bucketMs: number;
  /** Nothing is counted from here on. */
  now: EpochMs;
  maxGapMs?: number;
}

/** One bucket of one device's field. */
export interface StateBucket<A> {
  /** Per value: milliseconds in it and readings of it within the bucket. */
  states: Map<string, { ms: number; count: number }>;
  /** The attributes of the newest reading that gives the bucket time or a reading. */
  attributes: A;
  newest: EpochMs;
}

/** How a value is keyed: strings as they are, booleans "true"/"false", numbers in shortest form. */
export function stateText(value: FieldValue): string {
  return typeof value === "string" ? value : String(value);
}

/**
 * Buckets (by start) of one device's field. Readings may come in any order and from several
 * series; two at the same time are taken in the order of their text, so the last of them holds.
 */
export function stateDurations<A>(
  readings: readonly StateReading<A>[],
  window: StateWindow,
): Map<EpochMs, StateBucket<A>> {
  const sorted = [...readings].sort((a, b) => a.time - b.time || compareText(a.state, b.state));
  const buckets = new Map<EpochMs, StateBucket<A>>();
  const end = Math.min(window.to, window.now);
  const gap = window.maxGapMs ?? STATE_MAX_GAP_MS;
  sorted.forEach((reading, i) => {
    const next = sorted[i + 1]?.time ?? Number.POSITIVE_INFINITY;
    const until = Math.min(next, reading.time + gap, end);
    if (reading.time >= window.from && reading.time < window.to) {
      add(buckets, bucketOf(reading.time, window.bucketMs), reading, 0, 1);
    }
    spread(buckets, reading, Math.max(reading.time, window.from), until, window.bucketMs);
  });
  return buckets;
}

/** The reading's time within [start, until), cut at bucket ends. */
function spread<A>(
  buckets: Map<EpochMs, StateBucket<A>>,
  reading: StateReading<A>,
  start: EpochMs,
  until: EpochMs,
  bucketMs: number,
): void {
  // A reading at or after now (a device clock ahead) holds no time yet.
  if (until <= start) return;
  for (let b = bucketOf(start, bucketMs); b < until; b += bucketMs) {
    add(buckets, b, reading, Math.min(until, b + bucketMs) - Math.max(start, b), 0);
  }
}

function add<A>(
  buckets: Map<EpochMs, StateBucket<A>>,
  bucket: EpochMs,
  reading: StateReading<A>,
  ms: number,
  count: number,
): void {
  let b = buckets.get(bucket);
  if (!b) {
    b = { states: new Map(), attributes: reading.attributes, newest: reading.time };
    buckets.set(bucket, b);
  }
  const s = b.states.get(reading.state) ?? { ms: 0, count: 0 };
  s.ms += ms;
  s.count += count;
  b.states.set(reading.state, s);
  if (reading.time >= b.newest) {
    b.newest = reading.time;
    b.attributes = reading.attributes;
  }
}

/** Bucket start: a multiple of the width since the epoch (also before 1970). */
function bucketOf(time: EpochMs, bucketMs: number): EpochMs {
  return Math.floor(time / bucketMs) * bucketMs;
}

/** A fixed order (DuckDB's too, but for characters beyond U+FFFF): both stores let the same reading hold. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
