/**
 * What the map knows of a device: where it is, what it belongs to, and its condition (ok, fault,
 * silent, unknown) now or at the instant shown, as `GET /api/v1/devices?at=` gives it.
 */

export type Condition = "ok" | "fault" | "silent" | "unknown";

/** From the worst to the mildest: a cluster shows the worst condition of what it holds. */
export const CONDITIONS: readonly Condition[] = ["fault", "silent", "unknown", "ok"];

export interface MapDevice {
  id: string;
  domain: string;
  commune: string;
  operator: string | null;
  lat: number;
  lon: number;
  condition: Condition;
  /** The time of its last reading (at or before the instant shown), when there is one. */
  readingTime: string | null;
}

/** How many devices are in each condition. */
export type Counts = Record<Condition, number>;

export function emptyCounts(): Counts {
  return { ok: 0, fault: 0, silent: 0, unknown: 0 };
}

export function total(counts: Counts): number {
  return counts.ok + counts.fault + counts.silent + counts.unknown;
}

/** The worst condition present in the counts (ok when there is nothing). */
export function worst(counts: Counts): Condition {
  return CONDITIONS.find((c) => counts[c] > 0) ?? "ok";
}

export function isCondition(value: unknown): value is Condition {
  return value === "ok" || value === "fault" || value === "silent" || value === "unknown";
}

/** A commune's outline on the map. */
export interface Outline {
  code: string;
  name: string;
  /** Rings of [lat, lon]. */
  rings: Array<Array<[number, number]>>;
  drawnAroundDevices: boolean;
}
