import { type Logger, silentLogger } from "../domain/logger.ts";
import type { EpochMs, Observation } from "../domain/types.ts";
import {
  type DeviceRollup,
  type DeviceStateRollup,
  type GroupRollup,
  type GroupStateRollup,
  type RollupStore,
  type RollupTier,
  STATE_MAX_GAP_MS,
  type StateRollupStore,
  TIER_MS,
} from "../storage/store.ts";

/**
 * Keeps hourly and daily rollups up to date as readings become durable.
 *
 * Every durable observation marks its (tier, bucket, device) dirty. Every `intervalMs` the dirty
 * buckets are recomputed from raw readings (so a reading arriving three days late after a
 * network outage updates the rollups of its own day, and recomputing twice gives the same
 * rows), then the (commune, domain) groups of the touched devices are recomputed from the device
 * rollups. A failed pass puts its work back: nothing marked dirty is forgotten while the process
 * runs. At start, the recent buckets are recomputed, covering what a crash may have left dirty.
 *
 * State fields (on/off, ok/defective) get their time in each state, per device and group
 * (StateRollupStore, rule at STATE_MAX_GAP_MS). Their time grows while no reading comes: a lamp on
 * since 10:10 and silent until 13:10 spends hours 11 and 12 on. So a bucket whose state rows were
 * computed before it ended stays "open" for its devices, and once it ends it is recomputed (to
 * count its last minutes), together with the buckets after it up to now, where the state goes on
 * (which become open in turn, until the state runs past STATE_MAX_GAP_MS and gives no row).
 *
 * A pass costs what the dirty buckets hold: for a territory's devices reporting every few
 * minutes, a handful of readings each. Under a flood (a benchmark, a spool draining days of
 * readings) a pass can take long: the next one then waits four times as long as the last took, so
 * rollups never take more than a fifth of the store's time from ingestion, and catch up as
 * soon as the flood ends.
 */
export interface RollupConfig {
  intervalMs: number;
  /** Buckets this far back are recomputed for every device at start. */
  recomputeAtStartMs: number;
  tiers: readonly RollupTier[];
}

export const DEFAULT_ROLLUPS: RollupConfig = {
  intervalMs: 5_000,
  recomputeAtStartMs: 2 * 3_600_000,
  tiers: ["1h", "1d"],
};

export interface RollupStats {
  passes: number;
  deviceRows: number;
  groupRows: number;
  failures: number;
  dirtyBuckets: number;
  /** Duration of the last pass, and when the last successful one ended (0: none yet). */
  lastPassMs: number;
  lastSuccessAt: EpochMs;
  lastError?: string;
}

type Dirty = Map<string, Set<string>>;

/** Per device, the run of buckets one batch already marked for its state readings. */
type Covered = Map<string, { from: EpochMs; to: EpochMs }>;

export class RollupMaintainer {
  private dirty: Dirty = new Map();
  /** Buckets (`tier|time`) whose state rows were computed before they ended, with their devices. */
  private open: Dirty = new Map();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = true;
  /** When passes began to fail, while they do. */
  private failingSince: EpochMs | undefined;
  readonly stats: RollupStats = {
    passes: 0,
    deviceRows: 0,
    groupRows: 0,
    failures: 0,
    dirtyBuckets: 0,
    lastPassMs: 0,
    lastSuccessAt: 0,
  };

  constructor(
    private readonly store: RollupStore & StateRollupStore,
    private readonly config: RollupConfig = DEFAULT_ROLLUPS,
    private readonly now: () => EpochMs = Date.now,
    /** Counter fields (cumulative meters), whose rollups carry their consumption. */
    private readonly counters: readonly string[] = [],
    /** State fields, whose rollups are the time in each of their values. */
    private readonly states: readonly string[] = [],
    /** A failing pass is logged when it starts failing and when a pass succeeds again. */
    private readonly log: Logger = silentLogger,
  ) {}

  /** Starts the periodic passes; recomputes recent buckets of the given devices first. */
  start(deviceIds: readonly string[]): void {
    const now = this.now();
    for (const tier of this.config.tiers) {
      for (let t = bucket(now - this.config.recomputeAtStartMs, tier); t <= now; t += TIER_MS[tier]) {
        for (const id of deviceIds) this.mark(tier, t, id);
      }
    }
    this.closed = false;
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass();
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = Math.max(this.config.intervalMs, 4 * this.stats.lastPassMs);
    this.timer = setTimeout(() => {
      void this.pass().finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  /**
   * Called with every durable batch. A reading older than its tier's current bucket may come
   * before readings already stored: a counter's next increase, possibly in the next bucket,
   * changes too, so that bucket is recomputed as well; a state reading changes the buckets its
   * state reaches (see markReach).
   */
  markDurable(observations: readonly Observation[]): void {
    const now = this.now();
    for (const tier of this.config.tiers) {
      const current = bucket(now, tier);
      const covered: Covered = new Map();
      // A batch's readings fall in a few buckets: the bucket's set is looked up once per run of them.
      let time = Number.NaN;
      let set: Set<string> | undefined;
      for (const o of observations) {
        const t = bucket(o.time, tier);
        if (t !== time || !set) {
          time = t;
          set = this.bucketSet(tier, t);
        }
        set.add(o.deviceId);
        if (t >= current) continue;
        if (this.counters.length > 0) this.bucketSet(tier, t + TIER_MS[tier]).add(o.deviceId);
        if (this.holdsState(o)) this.markReach(tier, o, now, covered);
      }
    }
    this.stats.dirtyBuckets = this.dirty.size;
  }

  private holdsState(o: Observation): boolean {
    return this.states.some((field) => o.values[field] !== undefined);
  }

  /**
   * The buckets after a late state reading's own that its state may reach: up to the device's
   * next reading (not known here), at most STATE_MAX_GAP_MS, never past now. A backlog of one
   * device's readings reaches the same buckets again and again: `covered` keeps the run already
   * marked for each device by this batch, and only the buckets outside it are marked.
   */
  private markReach(tier: RollupTier, o: Observation, now: EpochMs, covered: Covered): void {
    const size = TIER_MS[tier];
    const from = bucket(o.time, tier) + size;
    const to = bucket(Math.min(o.time + STATE_MAX_GAP_MS, now), tier);
    const seen = covered.get(o.deviceId);
    for (let t = from; t <= to; t += size) {
      if (seen && t >= seen.from && t <= seen.to) t = seen.to;
      else this.bucketSet(tier, t).add(o.deviceId);
    }
    const joined = seen !== undefined && from <= seen.to + size && to >= seen.from - size;
    covered.set(
      o.deviceId,
      joined ? { from: Math.min(from, seen.from), to: Math.max(to, seen.to) } : { from, to },
    );
  }

  /** Runs one pass now (or waits for the one under way), e.g. before reading rollups in a test. */
  async pass(): Promise<void> {
    while (this.running) await this.running;
    this.closeEnded(this.now());
    if (this.dirty.size === 0) return;
    this.running = this.recompute().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  /**
   * Open buckets that have ended are recomputed, with the buckets after them up to now that the
   * state may reach (several, when passes stopped for a while).
   */
  private closeEnded(now: EpochMs): void {
    for (const [key, devices] of this.open) {
      const [tier, time] = splitKey(key);
      const size = TIER_MS[tier];
      if (time + size > now) continue;
      this.open.delete(key);
      const last = bucket(Math.min(now, time + size + STATE_MAX_GAP_MS), tier);
      for (let t = time; t <= last; t += size) for (const id of devices) this.mark(tier, t, id);
    }
  }

  private mark(tier: RollupTier, time: EpochMs, deviceId: string): void {
    this.bucketSet(tier, time).add(deviceId);
    this.stats.dirtyBuckets = this.dirty.size;
  }

  private bucketSet(tier: RollupTier, time: EpochMs): Set<string> {
    const key = `${tier}|${time}`;
    let set = this.dirty.get(key);
    if (!set) {
      set = new Set();
      this.dirty.set(key, set);
    }
    return set;
  }

  private async recompute(): Promise<void> {
    const started = performance.now();
    try {
      await this.recomputeDirty();
    } finally {
      this.stats.lastPassMs = performance.now() - started;
    }
  }

  private async recomputeDirty(): Promise<void> {
    const work = this.dirty;
    this.dirty = new Map();
    // Oldest first: a long outage's backlog is rolled up in time order.
    const keys = [...work.keys()].sort((a, b) => Number(a.split("|")[1]) - Number(b.split("|")[1]));
    for (const [i, key] of keys.entries()) {
      const [tier, time] = key.split("|") as [RollupTier, string];
      try {
        await this.recomputeBucket(tier, Number(time), [...(work.get(key) as Set<string>)]);
      } catch (err) {
        this.stats.failures++;
        this.stats.lastError = (err as Error).message;
        // Passes run every few seconds: one line when they start failing, not one per pass.
        if (this.failingSince === undefined) {
          this.failingSince = this.now();
          this.log.error(
            { err, tier, bucket: new Date(Number(time)).toISOString() },
            "rollup pass failed; retrying",
          );
        }
        for (const k of keys.slice(i))
          for (const id of work.get(k) as Set<string>) this.mark(...splitKey(k), id);
        return;
      }
    }
    this.stats.passes++;
    this.stats.lastSuccessAt = this.now();
    if (this.failingSince !== undefined) {
      const failedMs = this.stats.lastSuccessAt - this.failingSince;
      this.log.info({ failedMs, failures: this.stats.failures }, "rollup passes succeed again");
      this.failingSince = undefined;
    }
    this.stats.dirtyBuckets = this.dirty.size;
  }

  private async recomputeBucket(tier: RollupTier, time: EpochMs, deviceIds: string[]): Promise<void> {
    const rows = await this.store.summarize({
      tier,
      deviceIds,
      from: time,
      to: time + TIER_MS[tier],
      ...(this.counters.length > 0 ? { counters: this.counters } : {}),
    });
    await this.store.writeDeviceRollups(rows);
    this.stats.deviceRows += rows.length;
    for (const g of groupsOf(rows)) {
      const members = await this.store.deviceRollups({ tier, time, ...g });
      const groupRows = combine(tier, time, g, members);
      await this.store.writeGroupRollups(groupRows);
      this.stats.groupRows += groupRows.length;
    }
    await this.recomputeStates(tier, time, deviceIds);
  }

  private async recomputeStates(tier: RollupTier, time: EpochMs, deviceIds: string[]): Promise<void> {
    if (this.states.length === 0) return;
    const now = this.now();
    const end = time + TIER_MS[tier];
    const rows = await this.store.summarizeStates({
      tier,
      deviceIds,
      from: time,
      to: end,
      fields: this.states,
      now,
    });
    await this.store.writeDeviceStateRollups(rows);
    this.stats.deviceRows += rows.length;
    for (const g of groupsOf(rows)) {
      const members = await this.store.deviceStateRollups({ tier, time, ...g });
      const groupRows = combineStates(tier, time, g, members);
      await this.store.writeGroupStateRollups(groupRows);
      this.stats.groupRows += groupRows.length;
    }
    if (end > now && rows.length > 0) {
      const open = this.open.get(`${tier}|${time}`) ?? new Set<string>();
      for (const r of rows) open.add(r.deviceId);
      this.open.set(`${tier}|${time}`, open);
    }
  }
}

/** The (commune, domain) groups of some device rows. */
function groupsOf(
  rows: readonly { commune: string; domain: string }[],
): { commune: string; domain: string }[] {
  const groups = new Map(
    rows.map((r) => [`${r.commune}\u0000${r.domain}`, { commune: r.commune, domain: r.domain }]),
  );
  return [...groups.values()];
}

function splitKey(key: string): [RollupTier, EpochMs] {
  const [tier, time] = key.split("|");
  return [tier as RollupTier, Number(time)];
}

export function bucket(time: EpochMs, tier: RollupTier): EpochMs {
  const size = TIER_MS[tier];
  return Math.floor(time / size) * size;
}

/** A group's row per field: counts add up, the mean is weighted by counts. */
export function combine(
  tier: RollupTier,
  time: EpochMs,
  group: { commune: string; domain: string },
  members: readonly DeviceRollup[],
): GroupRollup[] {
  const byField = new Map<string, GroupRollup & { sum: number; consumption?: number; ids: Set<string> }>();
  for (const m of members) {
    let g = byField.get(m.field);
    if (!g) {
      g = {
        tier,
        time,
        ...group,
        field: m.field,
        count: 0,
        devices: 0,
        mean: 0,
        min: m.min,
        max: m.max,
        sum: 0,
        ids: new Set(),
      };
      byField.set(m.field, g);
    }
    g.count += m.count;
    g.sum += m.mean * m.count;
    if (m.sum !== undefined) g.consumption = (g.consumption ?? 0) + m.sum;
    g.min = Math.min(g.min, m.min);
    g.max = Math.max(g.max, m.max);
    g.ids.add(m.deviceId);
  }
  return [...byField.values()].map(({ sum, consumption, ids, ...g }) => ({
    ...g,
    devices: ids.size,
    mean: g.count > 0 ? sum / g.count : 0,
    // A counter's consumption adds up over the group's devices.
    ...(consumption !== undefined ? { sum: consumption } : {}),
  }));
}

/**
 * A group's rows per field and state: seconds and readings add up over its devices; `devices`,
 * the same on each state's row, counts the devices with a row for the field in any state.
 */
export function combineStates(
  tier: RollupTier,
  time: EpochMs,
  group: { commune: string; domain: string },
  members: readonly DeviceStateRollup[],
): GroupStateRollup[] {
  const devices = new Map<string, Set<string>>();
  const rows = new Map<string, GroupStateRollup>();
  for (const m of members) {
    const ids = devices.get(m.field) ?? new Set<string>();
    devices.set(m.field, ids.add(m.deviceId));
    const key = JSON.stringify([m.field, m.state]);
    const row = rows.get(key) ?? {
      ...{ tier, time, ...group, field: m.field, state: m.state },
      ...{ seconds: 0, count: 0, devices: 0 },
    };
    row.seconds += m.seconds;
    row.count += m.count;
    rows.set(key, row);
  }
  return [...rows.values()].map((r) => ({ ...r, devices: devices.get(r.field)?.size ?? 0 }));
}
