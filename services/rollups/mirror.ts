import type { EpochMs } from "../domain/types.ts";
import type { PurgeResult, RetentionPlan, RetentionStore, TierUsage } from "../retention/plan.ts";
import {
  type DeviceRollup,
  type DeviceStateRollup,
  type GroupRollup,
  type GroupStateRollup,
  type RollupStore,
  type RollupTier,
  type StateRollupStore,
  TIER_MS,
} from "../storage/store.ts";

/**
 * The recent commune/domain rollups in memory, in front of the store that keeps them: the daily
 * rows of the last `dailyDays` and the hourly rows of the last `hourlyDays`. Aggregates over
 * those ranges (a year of daily values per commune, a week of hourly ones: what dashboards and
 * open data ask) are answered without a query; older ranges read the store.
 *
 * Written through: the maintainer's group rows go to the store first, then here, so the mirror
 * never holds a row the store does not. It is loaded at start, and again after every retention
 * purge and every `reloadMs` (a purge run from the command line, another process, changes the
 * store behind it). A territory of 50 communes, 3 domains and 5 numeric fields each holds about
 * 300,000 rows here with the default windows.
 */
export interface MirrorConfig {
  dailyDays: number;
  hourlyDays: number;
  reloadMs: number;
}

export const DEFAULT_MIRROR: MirrorConfig = { dailyDays: 400, hourlyDays: 8, reloadMs: 3_600_000 };

const DAY = 86_400_000;
const RETRY_MS = 30_000;
/** Year 2100: "no upper bound" for a range read (InfluxDB refuses times past 2262). */
const FAR_FUTURE = Date.UTC(2100, 0, 1);

/** State rollups pass through to the store: they are not mirrored (yet). */
type Store = RollupStore & StateRollupStore & RetentionStore;

class TierMirror {
  /** Rows by bucket time, then by commune, domain and field. */
  readonly buckets = new Map<EpochMs, Map<string, GroupRollup>>();
  since = Number.POSITIVE_INFINITY;

  constructor(readonly tier: RollupTier) {}

  replace(rows: readonly GroupRollup[], since: EpochMs): void {
    this.buckets.clear();
    this.since = since;
    this.put(rows);
  }

  put(rows: readonly GroupRollup[]): void {
    for (const r of rows) {
      if (r.tier !== this.tier || r.time < this.since) continue;
      let bucket = this.buckets.get(r.time);
      if (!bucket) {
        bucket = new Map();
        this.buckets.set(r.time, bucket);
      }
      bucket.set(`${r.commune}\u0000${r.domain}\u0000${r.field}`, r);
    }
  }

  /** Drops the buckets that slid out of the window. */
  trim(since: EpochMs): void {
    this.since = Math.max(this.since, since);
    for (const time of this.buckets.keys()) if (time < this.since) this.buckets.delete(time);
  }

  read(q: Parameters<RollupStore["groupRollups"]>[0]): GroupRollup[] {
    const size = TIER_MS[this.tier];
    const out: GroupRollup[] = [];
    for (let t = Math.ceil(q.from / size) * size; t < q.to; t += size) {
      const bucket = this.buckets.get(t);
      if (!bucket) continue;
      for (const r of bucket.values()) {
        if (q.commune !== undefined && r.commune !== q.commune) continue;
        if (q.domain !== undefined && r.domain !== q.domain) continue;
        if (q.field !== undefined && r.field !== q.field) continue;
        out.push(r);
      }
    }
    return out;
  }
}

export class MirroredRollups implements Store {
  private readonly tiers: Record<RollupTier, TierMirror> = {
    "1h": new TierMirror("1h"),
    "1d": new TierMirror("1d"),
  };
  private timer: NodeJS.Timeout | undefined;
  private loaded = false;
  /** Rows written while a reload reads the store: applied again once it has replaced the mirror. */
  private writtenDuringReload: (readonly GroupRollup[])[] | undefined;

  constructor(
    private readonly store: Store,
    private readonly now: () => EpochMs = Date.now,
    private readonly config: MirrorConfig = DEFAULT_MIRROR,
  ) {}

  /**
   * Loads the windows. The store may be down at start (InfluxDB behind its spool): reads then go
   * to the store, and the load is tried again every `RETRY_MS` until it succeeds.
   */
  async start(): Promise<void> {
    await this.reload().catch(() => {});
    this.schedule();
  }

  private schedule(): void {
    const delay = this.loaded ? this.config.reloadMs : RETRY_MS;
    this.timer = setTimeout(() => {
      void this.reload()
        .catch(() => {})
        .finally(() => {
          if (this.timer) this.schedule();
        });
    }, delay);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  async reload(): Promise<void> {
    this.writtenDuringReload = [];
    try {
      const loaded = [];
      for (const mirror of Object.values(this.tiers)) {
        const since = this.windowStart(mirror.tier);
        const rows = await this.store.groupRollups({ tier: mirror.tier, from: since, to: FAR_FUTURE });
        loaded.push({ mirror, rows, since });
      }
      for (const { mirror, rows, since } of loaded) {
        mirror.replace(rows, since);
        for (const written of this.writtenDuringReload) mirror.put(written);
      }
      this.loaded = true;
    } finally {
      this.writtenDuringReload = undefined;
    }
  }

  private windowStart(tier: RollupTier): EpochMs {
    const days = tier === "1d" ? this.config.dailyDays : this.config.hourlyDays;
    return Math.floor((this.now() - days * DAY) / DAY) * DAY;
  }

  async groupRollups(q: Parameters<RollupStore["groupRollups"]>[0]): Promise<GroupRollup[]> {
    const mirror = this.tiers[q.tier];
    if (!this.loaded || mirror === undefined) return this.store.groupRollups(q);
    mirror.trim(this.windowStart(q.tier));
    if (q.from < mirror.since) return this.store.groupRollups(q);
    return mirror.read(q);
  }

  async writeGroupRollups(rows: readonly GroupRollup[]): Promise<void> {
    await this.store.writeGroupRollups(rows);
    this.writtenDuringReload?.push(rows);
    for (const mirror of Object.values(this.tiers)) mirror.put(rows);
  }

  summarize(q: Parameters<RollupStore["summarize"]>[0]): Promise<DeviceRollup[]> {
    return this.store.summarize(q);
  }

  writeDeviceRollups(rows: readonly DeviceRollup[]): Promise<void> {
    return this.store.writeDeviceRollups(rows);
  }

  deviceRollups(q: Parameters<RollupStore["deviceRollups"]>[0]): Promise<DeviceRollup[]> {
    return this.store.deviceRollups(q);
  }

  summarizeStates(q: Parameters<StateRollupStore["summarizeStates"]>[0]): Promise<DeviceStateRollup[]> {
    return this.store.summarizeStates(q);
  }

  writeDeviceStateRollups(rows: readonly DeviceStateRollup[]): Promise<void> {
    return this.store.writeDeviceStateRollups(rows);
  }

  writeGroupStateRollups(rows: readonly GroupStateRollup[]): Promise<void> {
    return this.store.writeGroupStateRollups(rows);
  }

  deviceStateRollups(q: Parameters<StateRollupStore["deviceStateRollups"]>[0]): Promise<DeviceStateRollup[]> {
    return this.store.deviceStateRollups(q);
  }

  groupStateRollups(q: Parameters<StateRollupStore["groupStateRollups"]>[0]): Promise<GroupStateRollup[]> {
    return this.store.groupStateRollups(q);
  }

  async applyRetention(plan: RetentionPlan, now: EpochMs): Promise<PurgeResult[]> {
    const results = await this.store.applyRetention(plan, now);
    await this.reload();
    return results;
  }

  storageUsage(): Promise<TierUsage[]> {
    return this.store.storageUsage();
  }
}
