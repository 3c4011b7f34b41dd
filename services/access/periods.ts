import type { Device, EpochMs } from "../domain/types.ts";
import { sortAssignments } from "../inventory/periods.ts";

/** A stretch of time, half-open [from, to) like assignments; `to` is undefined while it lasts. */
export interface Period {
  from: EpochMs;
  to?: EpochMs;
}

/** A bounded stretch [from, to), what a store can be asked about. */
export interface Window {
  from: EpochMs;
  to: EpochMs;
}

/**
 * The periods an operator held a device, as of `now`, in time order. An assignment that has not
 * begun yet grants nothing: the next concessionaire sees nothing of a device before its first
 * day. A period that ended still counts: the outgoing operator keeps reading what it produced
 * then, and nothing after.
 */
export function heldPeriods(device: Device, operatorId: string, now: EpochMs): Period[] {
  return sortAssignments(device.assignments)
    .filter((a) => a.operatorId === operatorId && a.from <= now)
    .map((a) => (a.to === undefined ? { from: a.from } : { from: a.from, to: a.to }));
}

export function withinPeriods(periods: readonly Period[], time: EpochMs): boolean {
  return periods.some((p) => p.from <= time && (p.to === undefined || time < p.to));
}

/**
 * The range cut to the periods: the windows where both hold, in time order. Periods that touch
 * (a concession renewed to the same operator) make one window, so one store query.
 */
export function clipToPeriods(periods: readonly Period[], range: Window): Window[] {
  const windows: Window[] = [];
  for (const p of periods) {
    const from = Math.max(p.from, range.from);
    const to = Math.min(p.to ?? Number.POSITIVE_INFINITY, range.to);
    if (from >= to) continue;
    const last = windows.at(-1);
    if (last && last.to >= from) last.to = Math.max(last.to, to);
    else windows.push({ from, to });
  }
  return windows;
}
