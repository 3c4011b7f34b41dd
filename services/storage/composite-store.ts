import type { EpochMs, Observation, QuarantineEntry } from "../domain/types.ts";
import type { RetentionStore } from "../retention/plan.ts";
import { type ArchiveSource, type ReadingArchive, type RollupArchive, unsupportedScan } from "./archive.ts";
import type {
  AggregateQuery,
  DeviceFilter,
  FrameCounter,
  FrameCounterStore,
  LatestFilter,
  QuarantineQuery,
  QuarantineStore,
  RollupStore,
  SeriesQuery,
  StateRollupStore,
  TimeSeriesStore,
  ViolationLog,
  ViolationQuery,
  ViolationRecord,
} from "./store.ts";

interface Lifecycle {
  start(): Promise<void>;
  close(): Promise<void>;
  ping(): Promise<boolean>;
}

export type PlatformStore = TimeSeriesStore &
  FrameCounterStore &
  QuarantineStore &
  ViolationLog &
  RollupStore &
  StateRollupStore &
  RetentionStore &
  ArchiveSource &
  Lifecycle;

/**
 * Time series in one store (InfluxDB in production), the platform's own state (quarantine,
 * violations) in the embedded one: the collectivity's InfluxDB holds telemetry only, and a
 * refused message is kept even while InfluxDB is down. With the embedded default both are the
 * same DuckDB store. Rollups live with the time series (InfluxDB's `hourly` and `daily` retention
 * policies, or DuckDB's rollup tables) and are read and written there directly: `rollups` is the
 * InfluxDB store itself, not the spool in front of it (a rollup is recomputed, never spooled).
 * Retention applies where readings and rollups are: the same store.
 *
 * The archive (`lanterne export`) reads readings from `series` and rollups from `archive`, the
 * store that keeps them, defaulting to `rollups` when it can be read out itself. A wrapper in
 * front of the rollups (the in-memory mirror of recent group rows) holds a window, not the
 * history: pass the store behind it as `archive`. A missing archive fails the scan, loudly.
 */
export function composeStores(
  series: TimeSeriesStore & Partial<Lifecycle> & Partial<ReadingArchive>,
  state: QuarantineStore & ViolationLog & FrameCounterStore & Lifecycle,
  rollups: RollupStore & StateRollupStore & RetentionStore & Partial<RollupArchive>,
  archive: Partial<RollupArchive> = rollups,
): PlatformStore {
  if ((series as unknown) === state && (rollups as unknown) === state && (archive as unknown) === state)
    return state as unknown as PlatformStore;
  return {
    // With the embedded default, `series` and `state` are one store: start and close it once.
    async start() {
      await state.start();
      if ((series as unknown) !== state) await series.start?.();
    },
    async close() {
      if ((series as unknown) !== state) await series.close?.();
      await state.close();
    },
    async ping() {
      const [a, b] = await Promise.all([state.ping(), series.ping ? series.ping() : Promise.resolve(true)]);
      return a && b;
    },
    write: (observations: readonly Observation[]) => series.write(observations),
    latest: (filter: LatestFilter) => series.latest(filter),
    series: (query: SeriesQuery) => series.series(query),
    aggregate: (query: AggregateQuery) => series.aggregate(query),
    countValues: (filter: DeviceFilter & { from?: EpochMs; to?: EpochMs }) => series.countValues(filter),
    addQuarantine: (entries: readonly QuarantineEntry[]) => state.addQuarantine(entries),
    listQuarantine: (query: QuarantineQuery) => state.listQuarantine(query),
    countQuarantine: (query: Omit<QuarantineQuery, "limit" | "beforeId">) => state.countQuarantine(query),
    deleteQuarantineBefore: (time: EpochMs) => state.deleteQuarantineBefore(time),
    addViolations: (records: readonly ViolationRecord[]) => state.addViolations(records),
    countViolations: (query: { operatorId?: string; from?: EpochMs; to?: EpochMs }) =>
      state.countViolations(query),
    listViolations: (query: ViolationQuery) => state.listViolations(query),
    loadFrameCounters: () => state.loadFrameCounters(),
    saveFrameCounters: (rows: readonly FrameCounter[]) => state.saveFrameCounters(rows),
    summarize: (query) => rollups.summarize(query),
    writeDeviceRollups: (rows) => rollups.writeDeviceRollups(rows),
    writeGroupRollups: (rows) => rollups.writeGroupRollups(rows),
    deviceRollups: (query) => rollups.deviceRollups(query),
    groupRollups: (query) => rollups.groupRollups(query),
    summarizeStates: (query) => rollups.summarizeStates(query),
    writeDeviceStateRollups: (rows) => rollups.writeDeviceStateRollups(rows),
    writeGroupStateRollups: (rows) => rollups.writeGroupStateRollups(rows),
    deviceStateRollups: (query) => rollups.deviceStateRollups(query),
    groupStateRollups: (query) => rollups.groupStateRollups(query),
    applyRetention: (plan, now) => rollups.applyRetention(plan, now),
    storageUsage: () => rollups.storageUsage(),
    scanReadings: (q) =>
      series.scanReadings ? series.scanReadings(q) : unsupportedScan("the readings store"),
    scanDeviceRollups: (q) =>
      archive.scanDeviceRollups ? archive.scanDeviceRollups(q) : unsupportedScan("the rollup store"),
    scanDeviceStateRollups: (q) =>
      archive.scanDeviceStateRollups
        ? archive.scanDeviceStateRollups(q)
        : unsupportedScan("the rollup store"),
    scanGroupRollups: (q) =>
      archive.scanGroupRollups ? archive.scanGroupRollups(q) : unsupportedScan("the rollup store"),
    scanGroupStateRollups: (q) =>
      archive.scanGroupStateRollups ? archive.scanGroupStateRollups(q) : unsupportedScan("the rollup store"),
  };
}
