import type { EpochMs, FieldValue } from "../../domain/types.ts";
import { clear, fire, NONE, type Verdict } from "./types.ts";

/**
 * The debounce shared by level kinds: a condition must hold for `minDurationMs` before it fires, and
 * once fired only a clearly good value (past the hysteresis margin, decided by the caller) clears it.
 * So a value flapping around a limit fires at most once and never clears and fires endlessly.
 * Size: a boolean, a time or null, a value or null (under 100 bytes as JSON
 * for a number; a state string adds its length).
 */
export interface LatchState {
  active: boolean;
  /** When the condition started to hold while inactive; null when it does not hold. */
  since: EpochMs | null;
  /** The value that made the condition hold, reported when a tick completes the duration. */
  pending: FieldValue | null;
}

export const LATCH_BYTES = 100;

/**
 * The state of a healthy device, shared by all of them: states are never changed in place (a
 * kind returns a new one), so one frozen object serves every device whose condition does not
 * hold, instead of one object each (rule-states.ts, memory per device).
 */
const INITIAL: LatchState = Object.freeze({ active: false, since: null, pending: null });

export function initialLatch(): LatchState {
  return INITIAL;
}

export interface LatchStep {
  time: EpochMs;
  /** The condition holds (e.g. the value is outside the band). */
  bad: boolean;
  /** The value is good enough to clear (e.g. inside the band by the margin). */
  good: boolean;
  value: FieldValue;
  fireDetail: string;
  clearDetail: string;
}

export function stepLatch(
  s: LatchState,
  step: LatchStep,
  minDurationMs: number,
): { state: LatchState; verdict: Verdict } {
  if (s.active) {
    if (!step.good) return { state: s, verdict: NONE };
    return { state: initialLatch(), verdict: clear(step.clearDetail, step.value) };
  }
  if (!step.bad) return { state: initialLatch(), verdict: NONE };
  const since = s.since ?? step.time;
  if (step.time - since >= minDurationMs) {
    return {
      state: { active: true, since: null, pending: null },
      verdict: fire(step.fireDetail, step.value),
    };
  }
  return { state: { active: false, since, pending: step.value }, verdict: NONE };
}

/** A tick completes a pending duration even when the device reports rarely. */
export function tickLatch(
  s: LatchState,
  now: EpochMs,
  minDurationMs: number,
  detail: (value: FieldValue) => string,
): { state: LatchState; verdict: Verdict } {
  if (s.active || s.since === null || s.pending === null) return { state: s, verdict: NONE };
  if (now - s.since < minDurationMs) return { state: s, verdict: NONE };
  return { state: { active: true, since: null, pending: null }, verdict: fire(detail(s.pending), s.pending) };
}
