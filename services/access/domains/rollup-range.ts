import type { EpochMs } from "../../domain/types.ts";
import type { DeviceRollup, RollupStore } from "../../storage/store.ts";
import { type DayRange, dayStarts } from "./days.ts";
import { mapBounded } from "./fit.ts";

export type DeviceRollupReadStore = Pick<RollupStore, "deviceRollups">;

/** Reads at once at most this many buckets of device rollups. */
const CONCURRENT_READS = 8;

/**
 * One field's daily device rollups of a domain over whole days, for the given communes. The
 * rollup port reads device rows one bucket of one commune at a time (what the maintainer needs to
 * recompute a group), so the range costs days × communes reads, bounded in number by the views.
 */
export async function dailyDeviceRollups(
  store: DeviceRollupReadStore,
  q: { range: DayRange; communes: readonly string[]; domain: string; field: string },
): Promise<DeviceRollup[]> {
  const reads: { time: EpochMs; commune: string }[] = [];
  for (const time of dayStarts(q.range)) for (const commune of q.communes) reads.push({ time, commune });
  const parts = await mapBounded(reads, CONCURRENT_READS, (r) =>
    store.deviceRollups({ tier: "1d", time: r.time, commune: r.commune, domain: q.domain }),
  );
  return parts.flat().filter((row) => row.field === q.field);
}
