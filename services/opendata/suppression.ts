import type { DatasetSpec, Granularity } from "../contracts/model.ts";
import type { EpochMs } from "../domain/types.ts";
import type { ComputedFigure, FigureStatus } from "./publication-store.ts";

/**
 * Statistical secrecy of a release: no published figure may let anyone recover what a device
 * said on its own.
 *
 * - Primary suppression: a figure behind fewer devices than the threshold is not shown.
 * - Secondary suppression: a hidden figure must not be recoverable as a total minus its
 *   published neighbours. The totals are presumed public whatever the catalogue holds (a
 *   territory figure, a month, or a re-user's own sums of other datasets), so in every group
 *   whose cells add up to a total, either none or at least two cells are hidden. The groups are
 *   the places of one period (they add up to the territory) and the periods of one place within
 *   the next coarser period (hours to a day, days to a month, months to a year). A group with
 *   exactly one hidden cell hides, next, its published cell behind the fewest devices (then the
 *   smallest value of period and place, so that a release is always suppressed the same way),
 *   and the groups are checked again until none has a lone hidden cell.
 * - A figure hidden keeps no value and no device count: the count alone would say a threshold
 *   was not met by how much.
 */

/**
 * A release as published: secrecy at every level but the asset's (a per-asset dataset shows each
 * asset's own figure, by the contract's decision), then values rounded when the dataset says so.
 */
export function secure(
  figures: readonly RawFigure[],
  spec: Pick<DatasetSpec, "level" | "minDevices" | "granularity" | "round">,
): ComputedFigure[] {
  const out =
    spec.level === "asset"
      ? figures.map((f): ComputedFigure => ({ ...f, status: "published" }))
      : suppress(figures, spec.minDevices, spec.granularity);
  const step = spec.round;
  if (step === undefined) return out;
  return out.map((f) => (f.value === null ? f : { ...f, value: roundTo(f.value, step) }));
}

/** x to the nearest multiple of step, without the binary noise of a plain product (0.30000000000000004). */
function roundTo(x: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step)) + 1);
  return Number((Math.round(x / step) * step).toFixed(Math.min(decimals, 15)));
}

/** A figure before secrecy: its value and the devices behind it. */
export interface RawFigure {
  period: EpochMs;
  place: string;
  value: number;
  devices: number;
}

export function suppress(
  figures: readonly RawFigure[],
  minDevices: number,
  granularity: Granularity,
): ComputedFigure[] {
  const status = new Map<RawFigure, FigureStatus>();
  for (const f of figures) status.set(f, f.devices < minDevices ? "suppressed-primary" : "published");
  const groups = [
    ...groupBy(figures, (f) => `p${f.period}`),
    ...groupBy(figures, (f) => `${f.place}\u0000${coarser(f.period, granularity)}`),
  ];
  let changed = true;
  while (changed) {
    changed = false;
    for (const group of groups) {
      const hidden = group.filter((f) => status.get(f) !== "published");
      const shown = group.filter((f) => status.get(f) === "published");
      if (hidden.length !== 1 || shown.length === 0) continue;
      status.set(smallest(shown), "suppressed-secondary");
      changed = true;
    }
  }
  return figures.map((f) => {
    const s = status.get(f) ?? "published";
    return s === "published"
      ? { period: f.period, place: f.place, value: f.value, devices: f.devices, status: s }
      : { period: f.period, place: f.place, value: null, devices: null, status: s };
  });
}

function groupBy(figures: readonly RawFigure[], key: (f: RawFigure) => string): RawFigure[][] {
  const groups = new Map<string, RawFigure[]>();
  for (const f of figures) {
    const k = key(f);
    const list = groups.get(k);
    if (list) list.push(f);
    else groups.set(k, [f]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** The published cell to hide next: fewest devices, then earliest period, then place. */
function smallest(cells: readonly RawFigure[]): RawFigure {
  return cells.reduce((a, b) => {
    if (a.devices !== b.devices) return b.devices < a.devices ? b : a;
    if (a.period !== b.period) return b.period < a.period ? b : a;
    return b.place < a.place ? b : a;
  });
}

/** Start of the next coarser period (UTC) a bucket adds up into. */
export function coarser(period: EpochMs, granularity: Granularity): EpochMs {
  const d = new Date(period);
  if (granularity === "hour") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (granularity === "day") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return Date.UTC(d.getUTCFullYear(), 0, 1);
}

/**
 * A revision of a published figure told apart from the version before it says what the devices
 * that changed it said: when fewer devices than the threshold came or went between the two, the
 * difference of the two releases is theirs alone. Such a revision is held back (the published
 * version stands, and the publisher logs why) until the change involves enough devices.
 */
export function revisionDiscloses(
  previous: { devices: number | null; status: FigureStatus },
  next: ComputedFigure,
  minDevices: number,
): boolean {
  if (previous.status !== "published" || next.status !== "published") return false;
  const moved = Math.abs((next.devices ?? 0) - (previous.devices ?? 0));
  return moved > 0 && moved < minDevices;
}
