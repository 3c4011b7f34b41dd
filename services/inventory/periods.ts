import type { Assignment, Device, EpochMs } from "../domain/types.ts";
import { formatIsoTime } from "./iso-time.ts";

/**
 * Assignment periods are half-open, [from, to): when a concession is renewed the outgoing
 * operator's period ends at the instant the next one's begins, so a hand-over "without a
 * break" is two periods that touch, and exactly one operator holds the device at any time.
 */
export function operatorAt(device: Device, time: EpochMs): string | undefined {
  return device.assignments.find((a) => covers(a, time))?.operatorId;
}

function covers(a: Assignment, time: EpochMs): boolean {
  return a.from <= time && (a.to === undefined || time < a.to);
}

/** The device's periods in time order. */
export function sortAssignments(assignments: readonly Assignment[]): Assignment[] {
  return [...assignments].sort((a, b) => a.from - b.from);
}

/** One message per pair of periods of the device that share an instant. */
export function findOverlaps(device: Device): string[] {
  const sorted = sortAssignments(device.assignments);
  const messages: string[] = [];
  sorted.forEach((a, i) => {
    for (const b of sorted.slice(i + 1)) {
      if (a.to === undefined || b.from < a.to) {
        messages.push(`device ${device.id}: assignment ${describe(a)} overlaps ${describe(b)}`);
      }
    }
  });
  return messages;
}

function describe(a: Assignment): string {
  const to = a.to === undefined ? "open)" : `${formatIsoTime(a.to)})`;
  return `${a.operatorId} [${formatIsoTime(a.from)}, ${to}`;
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  return a.operatorId === b.operatorId && a.from === b.from && a.to === b.to;
}
