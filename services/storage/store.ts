import type { EpochMs, FieldValue, Observation, QuarantineEntry } from "../domain/types.ts";

/**
 * The time-series port. Every adapter (DuckDB embedded, InfluxDB) passes the shared
 * conformance suite in test/conformance/store.suite.ts. Adapters know nothing of MQTT,
 * HTTP or contracts: they store checked observations and answer reads.
 *
 * Storage model: one row per (device, time, field); numeric values in `num`, others as text.
 * The same device, time and field written twice keeps the last write.
 */
export interface TimeSeriesStore {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once the observations are durable (they survive a crash of the process). */
  write(observations: readonly Observation[]): Promise<void>;
  /**
   * The latest value of every field of every matching device; with `filter.at`, the values as
   * they stood at that instant (see LatestFilter).
   */
  latest(filter: LatestFilter): Promise<DeviceState[]>;
  /** One device's series over [from, to), bucketed by `resolutionMs` (raw points when omitted). */
  series(query: SeriesQuery): Promise<SeriesBucket[]>;
  /** Numeric aggregates over [from, to) grouped by the requested dimensions. */
  aggregate(query: AggregateQuery): Promise<AggregateRow[]>;
  /** Number of stored field values matching the filter (operations and tests). */
  countValues(filter: DeviceFilter & { from?: EpochMs; to?: EpochMs }): Promise<number>;
}

export interface DeviceFilter {
  deviceIds?: readonly string[];
  domain?: string;
  commune?: string;
  operatorId?: string;
}

/**
 * `latest()`'s filter. Without `at`, each device's newest values. With `at`, each field's value
 * is that of its last reading at or before `at` and no older than LATEST_AT_LOOKBACK_MS, and the
 * device (its time, domain, commune, operator, contract, and so what the filters match) is that of
 * its newest such reading: a device with no reading in that window is absent, and a field read
 * again after `at` keeps its value of then.
 *
 * Cost: answered from the readings of the window, not from a table of newest values. The
 * embedded store scans one day of readings (one arg_max per device and field; its time-ordered
 * row groups outside the window are skipped); InfluxDB asks LAST of each field over the window.
 */
export interface LatestFilter extends DeviceFilter {
  at?: EpochMs;
}

export interface DeviceState {
  deviceId: string;
  domain: string;
  commune: string;
  operatorId: string;
  contract: string;
  /** Time of the most recent reading of the device. */
  time: EpochMs;
  /** Latest value of each field, with the time it was read. */
  values: Record<string, { value: FieldValue; time: EpochMs }>;
}

export interface SeriesQuery {
  deviceId: string;
  from: EpochMs;
  to: EpochMs;
  resolutionMs?: number;
  fields?: readonly string[];
  /**
   * Only readings stored under this operator (each reading's own operator, as `countValues`
   * filters, not the device's current one as `latest` does); every operator's when omitted.
   * Buckets then summarise that operator's readings alone.
   */
  operatorId?: string;
}

export interface SeriesBucket {
  /** Start of the bucket (or the point's time for raw series). */
  time: EpochMs;
  field: string;
  count: number;
  /** Numeric fields only. */
  mean?: number;
  min?: number;
  max?: number;
  /** Last value in the bucket (every field type). */
  last: FieldValue;
}

export type GroupDimension = "commune" | "domain" | "operator";

export interface AggregateQuery {
  from: EpochMs;
  to: EpochMs;
  groupBy: readonly GroupDimension[];
  domain?: string;
  commune?: string;
  field?: string;
  /** Bucket width; when omitted the whole range is one bucket. */
  resolutionMs?: number;
}

export interface AggregateRow {
  /** Bucket start (equals `from` when no resolution is requested). */
  time: EpochMs;
  group: Partial<Record<GroupDimension, string>>;
  field: string;
  count: number;
  devices: number;
  mean: number;
  min: number;
  max: number;
  /** A counter field's consumption over the bucket, summed over the group's devices. */
  sum?: number;
  /** A state field's seconds in each of its values (see STATE_MAX_GAP_MS). */
  states?: Record<string, number>;
}

/** Where refused messages are kept, with their reasons. Nothing refused is lost. */
export interface QuarantineStore {
  addQuarantine(entries: readonly QuarantineEntry[]): Promise<void>;
  listQuarantine(query: QuarantineQuery): Promise<QuarantineEntry[]>;
  countQuarantine(query: Omit<QuarantineQuery, "limit" | "beforeId">): Promise<number>;
  /**
   * Deletes the entries received before `time` and answers how many went: the quarantine's own
   * retention rule (LANTERNE_QUARANTINE_RETENTION_DAYS), applied by the retention keeper. Nothing
   * else deletes an entry: a replayed entry stays, and leaves only the quarantine's open view.
   */
  deleteQuarantineBefore(time: EpochMs): Promise<number>;
}

export interface QuarantineQuery {
  operatorId?: string;
  deviceId?: string;
  code?: string;
  from?: EpochMs;
  to?: EpochMs;
  /** Most recent first; page with `beforeId`. */
  limit: number;
  beforeId?: number;
}

/** A violation found on an accepted reading (a dropped field, an unknown field). */
export interface ViolationRecord {
  /** Set by the store: increases with each record kept (paging). */
  id?: number;
  receivedAt: EpochMs;
  time: EpochMs;
  operatorId: string;
  deviceId: string;
  contract: string;
  code: string;
  path: string;
  detail: string;
  /** The dropped value as given (see Violation.value); absent when none was kept. */
  value?: string | number;
}

export interface ViolationQuery {
  operatorId?: string;
  deviceId?: string;
  /** The violation's path (`data.active_power_w`) or the field name alone (`active_power_w`). */
  field?: string;
  code?: string;
  /** On reception time, like the quarantine and the counts. */
  from?: EpochMs;
  to?: EpochMs;
  /** Most recent first; page with `beforeId`. */
  limit: number;
  beforeId?: number;
}

/** Violations of accepted readings, kept to measure each operator's compliance. */
export interface ViolationLog {
  addViolations(records: readonly ViolationRecord[]): Promise<void>;
  countViolations(query: {
    operatorId?: string;
    from?: EpochMs;
    to?: EpochMs;
  }): Promise<{ operatorId: string; code: string; count: number }[]>;
  /** Each violation with its value, most recent first, with ids. */
  listViolations(query: ViolationQuery): Promise<ViolationRecord[]>;
}

/**
 * A counter's increase between two readings further apart than this is not counted: when in the
 * gap the energy was used is unknown, and one bucket would show days of it.
 */
export const COUNTER_MAX_GAP_MS = 86_400_000;

/**
 * How long a state reading holds at most, and the state rule. A state field (on/off,
 * ok/defective: `measure: state` in the contract, the default for text and flags) aggregates as
 * the time spent in each of its values, the same way in every adapter
 * (StateRollupStore.summarizeStates):
 * - a device's reading of the field holds its value from its time until the device's next
 *   reading of the field (across series: a handover does not change the lamp), but at most
 *   this long: past that the state is unknown and its time counts nowhere, as a counter's
 *   increase over a longer gap does not;
 * - a bucket starts in the state of the device's last reading before it, looked up this far
 *   back, so an hour without a reading still has its time;
 * - time is cut at bucket ends and never counted past `now`: the current bucket holds the time
 *   elapsed so far, never a guess of what comes next;
 * - values are keyed as text: strings as they are, booleans "true" and "false", numbers in
 *   their shortest decimal form ("3", "0.5").
 * Seconds add up over devices, groups and buckets like consumption does.
 */
export const STATE_MAX_GAP_MS = COUNTER_MAX_GAP_MS;

/**
 * How far before an instant `latest({ at })` looks for readings: a day, the span a state reading
 * holds at most (STATE_MAX_GAP_MS). A value older than that says nothing sure of the instant, and
 * the bound keeps the read's cost that of a day of readings whatever the history kept.
 */
export const LATEST_AT_LOOKBACK_MS = STATE_MAX_GAP_MS;

/** Rollup tiers the platform maintains. */
export type RollupTier = "1h" | "1d";

export const TIER_MS: Record<RollupTier, number> = { "1h": 3_600_000, "1d": 86_400_000 };

/**
 * One device's numeric field summarised over one bucket of a tier. Computed from raw readings,
 * so recomputing a bucket (late data, a crash) gives the same row.
 */
export interface DeviceRollup {
  tier: RollupTier;
  /** Bucket start (multiple of the tier since the epoch, UTC). */
  time: EpochMs;
  deviceId: string;
  domain: string;
  commune: string;
  operatorId: string;
  field: string;
  count: number;
  mean: number;
  min: number;
  max: number;
  /** A counter field's consumption over the bucket (see `RollupStore.summarize`). */
  sum?: number;
}

/** A (commune, domain) group's field over one bucket, from its devices' rollups. */
export interface GroupRollup {
  tier: RollupTier;
  time: EpochMs;
  commune: string;
  domain: string;
  field: string;
  count: number;
  devices: number;
  mean: number;
  min: number;
  max: number;
  /** A counter field's consumption over the bucket, summed over the group's devices. */
  sum?: number;
}

/**
 * Where rollups live. Aggregates for dashboards and open data are read from here, never from raw
 * readings at request time.
 */
export interface RollupStore {
  /**
   * Summarises raw numeric readings of these devices over [from, to) into buckets of `tier`. The
   * `counters` (cumulative meters) also get their consumption per bucket, `sum`: each increase
   * between two consecutive readings of a device counts in the bucket of the later one (also
   * across a handover: the meter goes on); a decrease is a meter reset or replacement, whose new
   * reading counts from zero; an increase over a gap longer than COUNTER_MAX_GAP_MS is not counted.
   */
  summarize(query: {
    tier: RollupTier;
    deviceIds: readonly string[];
    from: EpochMs;
    to: EpochMs;
    counters?: readonly string[];
  }): Promise<DeviceRollup[]>;
  /** Replaces the device rollups with the same (tier, time, device, field). */
  writeDeviceRollups(rows: readonly DeviceRollup[]): Promise<void>;
  /** Replaces the group rollups with the same (tier, time, commune, domain, field). */
  writeGroupRollups(rows: readonly GroupRollup[]): Promise<void>;
  /** Device rollups of one bucket for the given communes and domains (to recompute their groups). */
  deviceRollups(query: {
    tier: RollupTier;
    time: EpochMs;
    commune: string;
    domain: string;
  }): Promise<DeviceRollup[]>;
  groupRollups(query: {
    tier: RollupTier;
    from: EpochMs;
    to: EpochMs;
    commune?: string;
    domain?: string;
    field?: string;
  }): Promise<GroupRollup[]>;
}

/** One device's time in one value of a state field over one bucket of a tier (see STATE_MAX_GAP_MS). */
export interface DeviceStateRollup {
  tier: RollupTier;
  /** Bucket start (multiple of the tier since the epoch, UTC). */
  time: EpochMs;
  deviceId: string;
  /** Those of the newest reading that gives the bucket some time or a reading. */
  domain: string;
  commune: string;
  operatorId: string;
  field: string;
  state: string;
  /** Time in this state within the bucket. */
  seconds: number;
  /** Readings of this value within the bucket (a state carried in from before has none). */
  count: number;
}

/** A (commune, domain) group's time in one value of a state field over one bucket. */
export interface GroupStateRollup {
  tier: RollupTier;
  time: EpochMs;
  commune: string;
  domain: string;
  field: string;
  state: string;
  /** Summed over the group's devices. */
  seconds: number;
  count: number;
  /** Devices with a row for the field in the bucket, in any state: the same on each state's row. */
  devices: number;
}

/**
 * Where state rollups live, beside the numeric ones (a port of its own: states are keyed by their
 * value, and replacing a bucket's row replaces all its states). Aggregates of state fields are
 * read from the group rows, never from raw readings.
 */
export interface StateRollupStore {
  /** Time in each state of these devices' `fields` over [from, to), per bucket of `tier` (STATE_MAX_GAP_MS). */
  summarizeStates(query: {
    tier: RollupTier;
    deviceIds: readonly string[];
    from: EpochMs;
    to: EpochMs;
    fields: readonly string[];
    /** No time is counted from here on. */
    now: EpochMs;
  }): Promise<DeviceStateRollup[]>;
  /**
   * Replaces every row of each (tier, time, device, field) the write holds, all its states: a
   * state missing from the write is removed.
   */
  writeDeviceStateRollups(rows: readonly DeviceStateRollup[]): Promise<void>;
  /** Replaces every row of each (tier, time, commune, domain, field) the write holds, all its states. */
  writeGroupStateRollups(rows: readonly GroupStateRollup[]): Promise<void>;
  /** Device rows of one bucket for a commune and domain (to recompute their group). */
  deviceStateRollups(query: {
    tier: RollupTier;
    time: EpochMs;
    commune: string;
    domain: string;
  }): Promise<DeviceStateRollup[]>;
  groupStateRollups(query: {
    tier: RollupTier;
    from: EpochMs;
    to: EpochMs;
    commune?: string;
    domain?: string;
    field?: string;
  }): Promise<GroupStateRollup[]>;
}

/** The last accepted uplink frame counter of a LoRaWAN ABP device session. */
export interface FrameCounter {
  deviceId: string;
  devAddr: string;
  fCnt: number;
}

/**
 * Where ABP sessions' frame counters survive a restart: without them, a frame captured before
 * the restart could be replayed after it. Kept with the platform's own state (quarantine).
 */
export interface FrameCounterStore {
  loadFrameCounters(): Promise<FrameCounter[]>;
  /** Keeps the highest counter of each (device, DevAddr). */
  saveFrameCounters(rows: readonly FrameCounter[]): Promise<void>;
}
