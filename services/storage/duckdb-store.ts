import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DuckDBAppender, DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import { BIGINT, BOOLEAN, DuckDBInstance, LIST, listValue, TIMESTAMP_MS, VARCHAR } from "@duckdb/node-api";
import {
  BadRequestError,
  InfrastructureError,
  StoreDamagedError,
  StoreFailedError,
  StoreUnavailableError,
} from "../domain/errors.ts";
import type { EpochMs, FieldValue, Observation, QuarantineEntry, Violation } from "../domain/types.ts";
import type { PurgeResult, RetentionPlan, RetentionStore, TierUsage } from "../retention/plan.ts";
import {
  type ArchiveFilter,
  type ArchiveSource,
  firstCursor,
  type GroupTierFilter,
  keysetPages,
  nextCursor,
  type ScanCursor,
  type ScanPage,
  type ScanRequest,
  scanRequest,
  type TierFilter,
  windowStop,
} from "./archive.ts";
import {
  observationKey,
  readingsPageQuery,
  rollupKey,
  rollupPageQuery,
  spanQuery,
  toObservations,
} from "./duckdb/archive.ts";
import { LatestRows, ReadingRows } from "./duckdb/chunks.ts";
import {
  type CopyReadingsRequest,
  type CopyRollupsRequest,
  copyReadingsSql,
  copyRollupsSql,
  readingMonthsSql,
} from "./duckdb/copy-out.ts";
import { Dictionary, type Registrations, type Rewrite } from "./duckdb/dictionary.ts";
import { DiskRoom } from "./duckdb/disk-room.ts";
import { purge, TABLE_BYTES_QUERY, toUsage, USAGE_QUERY } from "./duckdb/retention.ts";
import {
  counterIncreaseQuery,
  deviceRollupsQuery,
  groupRollupsQuery,
  ROLLUP_BATCH_TABLES,
  replaceDeviceRollups,
  replaceGroupRollups,
  summarizeQuery,
  toDeviceRollup,
  toGroupRollup,
  withIncreases,
} from "./duckdb/rollups.ts";
import {
  KIND_BOOLEAN,
  KIND_NUMBER,
  LATEST_BATCH_TABLE,
  prepareSchema,
  READING_REWRITES_TABLE,
} from "./duckdb/schema.ts";
import {
  BUCKET,
  type Condition,
  eq,
  inList,
  type Param,
  paramsOf,
  present,
  type Query,
  type Row,
  readSnapshot,
  resolutionParam,
  since,
  timestamp,
  until,
  where,
  wholeNumber,
} from "./duckdb/sql.ts";
import {
  deviceStateRollupsQuery,
  groupStateRollupsQuery,
  replaceDeviceStateRollups,
  replaceGroupStateRollups,
  stateSummaryQuery,
  toDeviceStateRollup,
  toGroupStateRollup,
} from "./duckdb/state-rollups.ts";
import type {
  AggregateQuery,
  AggregateRow,
  DeviceFilter,
  DeviceRollup,
  DeviceState,
  DeviceStateRollup,
  FrameCounter,
  FrameCounterStore,
  GroupDimension,
  GroupRollup,
  GroupStateRollup,
  LatestFilter,
  QuarantineQuery,
  QuarantineStore,
  RollupStore,
  SeriesBucket,
  SeriesQuery,
  StateRollupStore,
  TimeSeriesStore,
  ViolationLog,
  ViolationQuery,
  ViolationRecord,
} from "./store.ts";
import { LATEST_AT_LOOKBACK_MS } from "./store.ts";

/**
 * The embedded time-series store: one DuckDB file, no server. Good for a single gateway and for
 * tests; InfluxDB takes over when the territory outgrows one machine (same port, same suite).
 * It also keeps the quarantine and the violation log, and answers the readiness ping.
 *
 * Layout (duckdb/schema.ts). A reading is a row of numbers and its value:
 * `readings (time, series_id, field_id, kind, num, txt)`. Its text is kept once, in
 * dictionaries, as InfluxDB keeps series keys: `series` (device, domain, commune, owner,
 * operator, contract: it changes only with a new device, a concession handover or a new contract
 * version), `fields` (names) and `device_keys` (an integer per device, the key of `latest`). The
 * first layout repeated those seven strings on every row of every field: appending them was most
 * of the store's CPU (appendVarchar alone 18 %, for about 60 µs per observation of 5 fields) and
 * made the file half as large again (42 MB against 27 MB for 4 M readings). A file of that
 * layout is migrated at start, in one transaction; a layout this code does not know is refused,
 * never misread.
 *
 * Shape of a write: the store keeps the dictionaries in memory (duckdb/dictionary.ts, loaded at
 * start), with the time of every (device, field) that `latest` holds. A write turns text into
 * ids, registering what is new in its own transaction; writes readings column by column into
 * DuckDB data chunks handed to the appender (duckdb/chunks.ts: no native call per number, no
 * value object per time); stages the `latest` keys it makes newer, one row per key; and updates
 * `latest` from them, all in one explicit transaction, so that a resolved write() is durable
 * (the COMMIT is in the WAL; test/unit/duckdb-store.test.ts kills a writer with SIGKILL to check
 * it) and `latest` never disagrees with `readings`. If the transaction fails, the in-memory copy
 * is reloaded from the tables before the next write: ids and times of a rolled-back write never
 * survive. Writes are serialized on one connection (an appender must not be used concurrently)
 * and queued writes are committed together (group commit): under a burst many callers share one
 * transaction.
 *
 * Measured on the 2-core reference machine, file-backed, 3,000 streetlights sending 5 fields:
 * about 60 k, 90 k and 140 k observations/s in transactions of 1,000, 2,000 and 10,000
 * observations, against 11 to 15 k, 16 to 17 k and 23 to 24 k with the first layout. A
 * transaction of 1,000 observations takes about 15 ms (first layout: 75 to 90 ms): readings
 * 3 ms, appender flush 1 ms, `latest` 6 ms (staging 3, update 3), COMMIT 4 ms (the first
 * layout's WAL was five times larger: 21 ms).
 *
 * Why a `latest` table: answering latest() from `readings` with arg_max scans the whole history
 * (measured 0.4 to 1.4 s at 4 M rows, growing with every reading kept), while the table holds
 * one row per (device, field), 15 k rows for 3,000 devices, and answers in tens of ms whatever
 * the history length. Its price is the update in every write transaction, about 40 % of a small
 * transaction (25 % of a large one), far above the territory's few observations per second.
 *
 * Reads filter readings on ids and join the dictionaries (small: a row per series, per field)
 * for their text. At 4 M readings: latest() 65 to 85 ms for 3,000 devices (the query itself
 * 15 ms, the rest building the answer), one device's series over a month 10 to 20 ms, a daily
 * aggregate by commune 60 to 90 ms for one field and 130 to 190 ms for all (count(DISTINCT)
 * is half of it): the same range as the first layout, whose text filters were cheap on
 * dictionary-compressed columns (a count filtered on a commune is the one slower read, 13 ms
 * against 6 ms).
 *
 * Last write wins (the port's "same device, time and field written twice keeps the last write",
 * per series as in InfluxDB): a reading newer than the newest value of its device and field (the
 * dictionary knows it) cannot repeat a stored key and is appended as it is; one that is not (a
 * late reading, a re-sent message) goes to a staging table and replaces, in the same transaction,
 * every row with its series, field and time. In order, nothing is rewritten and a write costs
 * what it did; `latest` already kept the last write on equal times.
 */

export interface DuckdbStoreConfig {
  /** Database file, e.g. "data/lanterne.duckdb" (parent directory created), or ":memory:". */
  path: string;
  /** Write-ahead log size past which DuckDB checkpoints by itself, in KiB (DuckDB's default: 16 MiB). */
  checkpointKib?: number;
  /**
   * Most memory DuckDB's buffer pool may take, in MiB. DuckDB's default, 80 % of the machine,
   * let the process grow by hundreds of MB as the store filled, on a server shared with others.
   */
  memoryMib?: number;
  /**
   * Free space kept on the file's disk, in bytes (none: not checked). Under it, writes fail as
   * retryable (ERR_STORE_UNAVAILABLE) before DuckDB runs out of room in the middle of its log:
   * DuckDB 1.5.5 then left a torn log entry and acknowledged later commits that it dropped when
   * it replayed the log at the next start.
   */
  minFreeBytes?: number;
}

export function createDuckdbStore(config: DuckdbStoreConfig): DuckdbStore {
  return new DuckdbStore(config);
}

/**
 * Changed keys that `latest` already holds are updated in place (no key column changes, so the
 * primary key index is not touched); new keys are inserted. Which is which, and which keys a
 * write makes newer, the in-memory dictionary knows: no ON CONFLICT, no time comparison here.
 */
const UPDATE_LATEST = `UPDATE latest
  SET series_id = b.series_id, time = b.time, kind = b.kind, num = b.num, txt = b.txt
  FROM temp.latest_batch b
  WHERE NOT b.fresh AND latest.device_key = b.device_key AND latest.field_id = b.field_id`;
const INSERT_LATEST = `INSERT INTO latest
  SELECT device_key, field_id, series_id, time, kind, num, txt FROM temp.latest_batch WHERE fresh`;
const CLEAR_LATEST_BATCH = "DELETE FROM temp.latest_batch";

const DELETE_QUARANTINE = "DELETE FROM quarantine WHERE received_at < $cutoff";
const INSERT_QUARANTINE = `INSERT INTO quarantine
  (received_at, operator_id, device_id, contract, source, raw, truncated, reasons, codes)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;
const QUARANTINE_TYPES = [
  TIMESTAMP_MS,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  BOOLEAN,
  VARCHAR,
  LIST(VARCHAR),
];

/** Everything open between start() and close(). */
interface Session {
  instance: DuckDBInstance;
  /** Why writing stopped in this session: a COMMIT failed (see inTransaction). */
  logFailure?: string;
  /** Free space on the file's disk, checked before each write transaction. */
  diskRoom: DiskRoom;
  /** Appenders and write transactions; used by one job at a time (the write lane). */
  writer: DuckDBConnection;
  /** Reads, one at a time (the read lane), so that a long query never delays a commit. */
  reader: DuckDBConnection;
  /** Ids of the text of readings and times of `latest`, owned by the write lane. */
  dictionary: Dictionary;
  readingRows: ReadingRows;
  rewriteRows: ReadingRows;
  latestRows: LatestRows;
  readings: DuckDBAppender;
  latestBatch: DuckDBAppender;
  deviceKeys: DuckDBAppender;
  series: DuckDBAppender;
  fields: DuckDBAppender;
  deviceRollupBatch: DuckDBAppender;
  groupRollupBatch: DuckDBAppender;
  deviceStateBatch: DuckDBAppender;
  groupStateBatch: DuckDBAppender;
  rewrites: DuckDBAppender;
}

/** Runs jobs one at a time, in call order. */
interface Lane {
  run<T>(job: () => Promise<T>): Promise<T>;
}

function createLane(): Lane {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(job) {
      const run = tail.then(job);
      tail = run.then(noop, noop);
      return run;
    },
  };
}

function noop(): void {}

interface PendingWrite {
  observations: readonly Observation[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class DuckdbStore
  implements
    TimeSeriesStore,
    QuarantineStore,
    ViolationLog,
    RollupStore,
    StateRollupStore,
    RetentionStore,
    FrameCounterStore,
    ArchiveSource
{
  private readonly config: DuckdbStoreConfig;
  private session: Session | undefined;
  private accepting = false;
  private closing: Promise<void> | undefined;
  private pending: PendingWrite[] = [];
  private flushScheduled = false;
  private readonly writes: Lane = createLane();
  private readonly reads: Lane = createLane();

  constructor(config: DuckdbStoreConfig) {
    this.config = config;
  }

  async start(): Promise<void> {
    if (this.session) return;
    try {
      this.session = await openSession(this.config);
    } catch (err) {
      throw toStoreError(err);
    }
    this.accepting = true;
    this.closing = undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async write(observations: readonly Observation[]): Promise<void> {
    if (observations.length === 0) return;
    this.admit();
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ observations, resolve, reject });
      this.scheduleFlush();
    });
  }

  async latest(filter: LatestFilter): Promise<DeviceState[]> {
    const { sql, params } = filter.at === undefined ? latestQuery(filter) : latestAtQuery(filter, filter.at);
    return toDeviceStates(await this.read(sql, params));
  }

  async series(query: SeriesQuery): Promise<SeriesBucket[]> {
    if (query.resolutionMs === undefined) {
      const { sql, params } = rawSeriesQuery(query);
      return (await this.read(sql, params)).map(toRawPoint);
    }
    const { sql, params } = bucketedSeriesQuery(query, query.resolutionMs);
    return (await this.read(sql, params)).map(toSeriesBucket);
  }

  async aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    const dimensions = [...new Set(query.groupBy)];
    const { sql, params } = aggregateQuery(query, dimensions);
    return (await this.read(sql, params)).map((row) => toAggregateRow(row, dimensions, query.from));
  }

  async countValues(filter: DeviceFilter & { from?: EpochMs; to?: EpochMs }): Promise<number> {
    const { sql, params } = countQuery(filter);
    return Number((await this.read(sql, params))[0]?.n ?? 0);
  }

  addQuarantine(entries: readonly QuarantineEntry[]): Promise<void> {
    return this.writeInTransaction(entries.length, (session) => insertQuarantine(session, entries));
  }

  async listQuarantine(query: QuarantineQuery): Promise<QuarantineEntry[]> {
    const { sql, params } = listQuarantineQuery(query);
    return (await this.read(sql, params)).map(toQuarantineEntry);
  }

  async countQuarantine(query: Omit<QuarantineQuery, "limit" | "beforeId">): Promise<number> {
    const conditions = quarantineConditions(query);
    const sql = `SELECT count(*) AS n FROM quarantine ${where(conditions)}`;
    return Number((await this.read(sql, paramsOf(conditions)))[0]?.n ?? 0);
  }

  /** One statement in the write lane's transaction, like a purge of the retention plan. */
  async deleteQuarantineBefore(time: EpochMs): Promise<number> {
    const session = this.admit();
    let removed = 0;
    await this.writes.run(() =>
      guarded(() =>
        inTransaction(session, async () => {
          const values = { cutoff: timestamp(time) };
          const reader = await session.writer.runAndReadAll(DELETE_QUARANTINE, values, {
            cutoff: TIMESTAMP_MS,
          });
          removed = reader.rowsChanged;
        }),
      ),
    );
    return removed;
  }

  addViolations(records: readonly ViolationRecord[]): Promise<void> {
    return this.writeInTransaction(records.length, (session) => insertViolations(session, records));
  }

  async listViolations(query: ViolationQuery): Promise<ViolationRecord[]> {
    const { sql, params } = listViolationsQuery(query);
    return (await this.read(sql, params)).map(toViolationRecord);
  }

  async countViolations(query: {
    operatorId?: string;
    from?: EpochMs;
    to?: EpochMs;
  }): Promise<{ operatorId: string; code: string; count: number }[]> {
    const { sql, params } = countViolationsQuery(query);
    const rows = await this.read(sql, params);
    return rows.map((r) => ({ operatorId: String(r.operator_id), code: String(r.code), count: Number(r.n) }));
  }

  async summarize(query: Parameters<RollupStore["summarize"]>[0]): Promise<DeviceRollup[]> {
    if (query.deviceIds.length === 0 || query.to <= query.from) return [];
    const { sql, params } = summarizeQuery(query);
    const rows = (await this.read(sql, params)).map((row) => toDeviceRollup(row, query.tier));
    const counters = query.counters ?? [];
    if (counters.length === 0) return rows;
    const increases = counterIncreaseQuery(query, counters);
    return withIncreases(rows, counters, await this.read(increases.sql, increases.params));
  }

  writeDeviceRollups(rows: readonly DeviceRollup[]): Promise<void> {
    return this.writeInTransaction(rows.length, (s) =>
      replaceDeviceRollups(s.writer, s.deviceRollupBatch, rows),
    );
  }

  writeGroupRollups(rows: readonly GroupRollup[]): Promise<void> {
    return this.writeInTransaction(rows.length, (s) =>
      replaceGroupRollups(s.writer, s.groupRollupBatch, rows),
    );
  }

  /** A write of `count` rows (none: nothing to do) in one transaction of the write lane. */
  private async writeInTransaction(count: number, work: (session: Session) => Promise<void>): Promise<void> {
    if (count === 0) return;
    const session = this.admit();
    await this.writes.run(() => guarded(() => inTransaction(session, () => work(session))));
  }

  async deviceRollups(query: Parameters<RollupStore["deviceRollups"]>[0]): Promise<DeviceRollup[]> {
    const { sql, params } = deviceRollupsQuery(query);
    return (await this.read(sql, params)).map((row) => toDeviceRollup(row, query.tier));
  }

  async groupRollups(query: Parameters<RollupStore["groupRollups"]>[0]): Promise<GroupRollup[]> {
    const { sql, params } = groupRollupsQuery(query);
    return (await this.read(sql, params)).map((row) => toGroupRollup(row, query.tier));
  }

  async summarizeStates(
    query: Parameters<StateRollupStore["summarizeStates"]>[0],
  ): Promise<DeviceStateRollup[]> {
    if (query.deviceIds.length === 0 || query.fields.length === 0 || query.to <= query.from) return [];
    const { sql, params } = stateSummaryQuery(query);
    return (await this.read(sql, params)).map((row) => toDeviceStateRollup(row, query.tier));
  }

  writeDeviceStateRollups(rows: readonly DeviceStateRollup[]): Promise<void> {
    return this.writeInTransaction(rows.length, (s) =>
      replaceDeviceStateRollups(s.writer, s.deviceStateBatch, rows),
    );
  }

  writeGroupStateRollups(rows: readonly GroupStateRollup[]): Promise<void> {
    return this.writeInTransaction(rows.length, (s) =>
      replaceGroupStateRollups(s.writer, s.groupStateBatch, rows),
    );
  }

  async deviceStateRollups(
    query: Parameters<StateRollupStore["deviceStateRollups"]>[0],
  ): Promise<DeviceStateRollup[]> {
    const { sql, params } = deviceStateRollupsQuery(query);
    return (await this.read(sql, params)).map((row) => toDeviceStateRollup(row, query.tier));
  }

  async groupStateRollups(
    query: Parameters<StateRollupStore["groupStateRollups"]>[0],
  ): Promise<GroupStateRollup[]> {
    const { sql, params } = groupStateRollupsQuery(query);
    return (await this.read(sql, params)).map((row) => toGroupStateRollup(row, query.tier));
  }

  /**
   * The dictionary's times of `latest` may name rows the purge removed: it is reloaded before the
   * next write, as after a failed transaction.
   */
  async applyRetention(plan: RetentionPlan, now: EpochMs): Promise<PurgeResult[]> {
    const session = this.admit();
    return this.writes.run(() =>
      guarded(async () => {
        let results: PurgeResult[] = [];
        await inTransaction(session, async () => {
          results = await purge(session.writer, plan, now);
        });
        session.dictionary.stale = true;
        return results;
      }),
    );
  }

  async storageUsage(): Promise<TierUsage[]> {
    return toUsage(await this.read(USAGE_QUERY, []), await this.read(TABLE_BYTES_QUERY, []));
  }

  async loadFrameCounters(): Promise<FrameCounter[]> {
    const rows = await this.read("SELECT device_id, dev_addr, f_cnt FROM frame_counters ORDER BY ALL", []);
    return rows.map((r) => ({
      deviceId: String(r.device_id),
      devAddr: String(r.dev_addr),
      fCnt: Number(r.f_cnt),
    }));
  }

  /** One statement for the whole batch (every active device's counter, every second). */
  saveFrameCounters(rows: readonly FrameCounter[]): Promise<void> {
    const values = [
      listValue(rows.map((r) => r.deviceId)),
      listValue(rows.map((r) => r.devAddr)),
      listValue(rows.map((r) => wholeNumber(r.fCnt))),
    ];
    return this.writeInTransaction(rows.length, (session) =>
      session.writer
        .run(
          `INSERT INTO frame_counters
          SELECT device_id, dev_addr, max(f_cnt) FROM (
            SELECT unnest($1) AS device_id, unnest($2) AS dev_addr, unnest($3) AS f_cnt) GROUP BY ALL
          ON CONFLICT (device_id, dev_addr) DO UPDATE SET f_cnt = greatest(f_cnt, excluded.f_cnt)`,
          values,
          [LIST(VARCHAR), LIST(VARCHAR), LIST(BIGINT)],
        )
        .then(() => {}),
    );
  }

  /**
   * Everything this store keeps of a reading, the owner included, comes back (see ArchiveSource).
   * Pages are read on the read lane, each in its own snapshot: a long export never holds a
   * transaction open, nor delays a commit.
   */
  scanReadings(q: ArchiveFilter): AsyncIterable<Observation[]> {
    return this.scan(scanRequest("readings", q));
  }

  scanDeviceRollups(q: TierFilter): AsyncIterable<DeviceRollup[]> {
    return this.scan(scanRequest("deviceRollups", q));
  }

  scanDeviceStateRollups(q: TierFilter): AsyncIterable<DeviceStateRollup[]> {
    return this.scan(scanRequest("deviceStateRollups", q));
  }

  scanGroupRollups(q: GroupTierFilter): AsyncIterable<GroupRollup[]> {
    return this.scan(scanRequest("groupRollups", q));
  }

  scanGroupStateRollups(q: GroupTierFilter): AsyncIterable<GroupStateRollup[]> {
    return this.scan(scanRequest("groupStateRollups", q));
  }

  /** The months holding readings of a contract version (the export's fast path, copy-out.ts). */
  async readingMonths(q: {
    contract: string;
    from?: EpochMs;
    to?: EpochMs;
    operatorId?: string;
  }): Promise<string[]> {
    const { sql, params } = readingMonthsSql(q);
    return (await this.read(sql, params)).map((r) => String(r.month));
  }

  /** Writes a contract version's readings over a span as one file, by DuckDB itself (copy-out.ts). */
  async copyReadings(q: CopyReadingsRequest): Promise<number> {
    const fields = await this.read("SELECT field_id, name FROM fields", []);
    const ids = new Map(fields.map((r) => [String(r.name), Number(r.field_id)]));
    const { sql, params } = copyReadingsSql(q, ids);
    const [row] = await this.read(sql, params);
    return Number(row?.Count ?? row?.count ?? 0);
  }

  /** Writes a rollup table of a tier as one file, by DuckDB itself (copy-out.ts). */
  async copyRollups(q: CopyRollupsRequest): Promise<number> {
    const { sql, params } = copyRollupsSql(q);
    const [row] = await this.read(sql, params);
    return Number(row?.Count ?? row?.count ?? 0);
  }

  private scan<T>(request: ScanRequest): AsyncIterable<T[]> {
    return keysetPages((cursor) => this.archivePage(request, cursor) as Promise<ScanPage<T>>);
  }

  /**
   * One page of a scan, from `cursor` (the scan's start when undefined) to the next cursor: the
   * worker proxy asks for its pages one message at a time with this.
   */
  async archivePage(request: ScanRequest, cursor: ScanCursor | undefined): Promise<ScanPage<unknown>> {
    const at = cursor ?? firstCursor(request, await this.span(request));
    if (at === undefined) return { items: [] };
    const stop = windowStop(at);
    if (request.kind === "readings") {
      const { sql, params } = readingsPageQuery(request, at, stop);
      const items = toObservations(await this.read(sql, params));
      const last = items.at(-1);
      const after = last && { time: last.time, key: observationKey(last) };
      return pageOf(items, nextCursor(at, stop, items.length, request.pageSize, after));
    }
    const { sql, params } = rollupPageQuery(request, at, stop);
    const rows = await this.read(sql, params);
    const items = rows.map((row) => toScanned(request, row));
    const last = rows.at(-1);
    const after = last && { time: Number(last.t), key: rollupKey(request.kind, last) };
    return pageOf(items, nextCursor(at, stop, rows.length, request.pageSize, after));
  }

  private async span(request: ScanRequest): Promise<{ first: EpochMs; last: EpochMs } | undefined> {
    const { sql, params } = spanQuery(request);
    const [row] = await this.read(sql, params);
    if (row?.first === null || row?.first === undefined) return undefined;
    return { first: Number(row.first), last: Number(row.last) };
  }

  /** Readiness: the store is open and answers a query. */
  async ping(): Promise<boolean> {
    try {
      await this.read("SELECT 1", []);
      return true;
    } catch {
      return false;
    }
  }

  /** Lets queued writes and reads finish, then releases the file (and its lock). */
  private async shutdown(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.accepting = false;
    await Promise.all([this.writes.run(async () => {}), this.reads.run(async () => {})]);
    this.session = undefined;
    closeSession(session);
  }

  private admit(): Session {
    if (!this.accepting || !this.session) throw StoreUnavailableError("DuckDB store is not started");
    return this.session;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void this.writes.run(() => this.flushPending());
  }

  /** Commits the writes queued so far in one transaction; never rejects (callers are settled). */
  private async flushPending(): Promise<void> {
    this.flushScheduled = false;
    const group = takeGroup(this.pending);
    if (this.pending.length > 0) this.scheduleFlush();
    const session = this.session;
    if (!session) return rejectAll(group, StoreUnavailableError("DuckDB store is closed"));
    try {
      await commitObservations(
        session,
        group.flatMap((w) => w.observations),
      );
      for (const w of group) w.resolve();
    } catch (err) {
      await commitOneByOne(session, group, err);
    }
  }

  private async read(sql: string, params: readonly Param[]): Promise<Row[]> {
    const session = this.admit();
    return this.reads.run(() => guarded(() => readSnapshot(session.reader, sql, params)));
  }
}

function pageOf<T>(items: T[], next: ScanCursor | undefined): ScanPage<T> {
  return next === undefined ? { items } : { items, next };
}

function toScanned(
  request: ScanRequest,
  row: Row,
): DeviceRollup | DeviceStateRollup | GroupRollup | GroupStateRollup {
  const tier = request.tier ?? "1h";
  switch (request.kind) {
    case "deviceRollups":
      return toDeviceRollup(row, tier);
    case "deviceStateRollups":
      return toDeviceStateRollup(row, tier);
    case "groupRollups":
      return toGroupRollup(row, tier);
    case "groupStateRollups":
      return toGroupStateRollup(row, tier);
    case "readings":
      throw new Error("readings are not rollup rows");
  }
}

/**
 * Appending is synchronous (it holds the event loop): a group stops growing past this many
 * observations (about 20 ms of appending) and the rest waits for the next transaction.
 */
const MAX_GROUP_OBSERVATIONS = 5000;

/** Takes whole writes from the front of the queue: a caller's write is never split. */
function takeGroup(pending: PendingWrite[]): PendingWrite[] {
  let observations = 0;
  let count = 0;
  while (count < pending.length && (count === 0 || observations < MAX_GROUP_OBSERVATIONS)) {
    observations += pending[count]?.observations.length ?? 0;
    count += 1;
  }
  return pending.splice(0, count);
}

function rejectAll(group: readonly PendingWrite[], err: unknown): void {
  for (const w of group) w.reject(err);
}

/** A failed group is retried write by write so that one bad batch does not fail its neighbours. */
async function commitOneByOne(session: Session, group: readonly PendingWrite[], err: unknown): Promise<void> {
  if (group.length === 1) return rejectAll(group, toStoreError(err));
  for (const w of group) {
    try {
      await commitObservations(session, w.observations);
      w.resolve();
    } catch (each) {
      w.reject(toStoreError(each));
    }
  }
}

// ---------------------------------------------------------------- lifecycle

async function openSession(config: DuckdbStoreConfig): Promise<Session> {
  const { path } = config;
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const instance = await openInstance(path);
  try {
    return await prepareSession(instance, config);
  } catch (err) {
    instance.closeSync();
    throw err;
  }
}

/**
 * A file DuckDB cannot read (damaged, or written by a newer DuckDB) stops the start with a message
 * that names the file and what to do, rather than DuckDB's serialization detail alone.
 */
async function openInstance(path: string): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(path);
  } catch (err) {
    const detail = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
    if (/lock/i.test(detail)) throw StoreUnavailableError(`DuckDB: ${detail}`, err);
    throw StoreDamagedError(
      `The embedded database ${path} cannot be opened (${detail}). If another program did not write it, ` +
        "it is damaged: stop Lanterne, move the file (and any .wal beside it) aside to keep it for recovery, " +
        "then start again on an empty file, or restore it from a backup.",
      err,
    );
  }
}

async function prepareSession(instance: DuckDBInstance, config: DuckdbStoreConfig): Promise<Session> {
  const writer = await instance.connect();
  try {
    if (config.memoryMib !== undefined) {
      await writer.run(`SET memory_limit = '${wholeNumber(config.memoryMib)}MiB'`);
    }
    if (config.checkpointKib !== undefined) {
      await writer.run(`SET checkpoint_threshold = '${wholeNumber(config.checkpointKib)}KiB'`);
    }
    await prepareSchema(writer);
    await writer.run(LATEST_BATCH_TABLE);
    await writer.run(READING_REWRITES_TABLE);
    for (const ddl of ROLLUP_BATCH_TABLES) await writer.run(ddl);
    const dictionary = new Dictionary();
    await dictionary.load(writer);
    return {
      instance,
      diskRoom: new DiskRoom(config.path, config.minFreeBytes),
      writer,
      reader: await instance.connect(),
      dictionary,
      readingRows: new ReadingRows(),
      rewriteRows: new ReadingRows(),
      latestRows: new LatestRows(),
      ...(await createAppenders(writer)),
    };
  } catch (err) {
    quietly(() => writer.closeSync());
    throw err;
  }
}

const APPENDERS = [
  "readings",
  "latestBatch",
  "deviceKeys",
  "series",
  "fields",
  "deviceRollupBatch",
  "groupRollupBatch",
  "deviceStateBatch",
  "groupStateBatch",
  "rewrites",
] as const;
type Appenders = Pick<Session, (typeof APPENDERS)[number]>;

async function createAppenders(writer: DuckDBConnection): Promise<Appenders> {
  return {
    readings: await writer.createAppender("readings"),
    latestBatch: await writer.createAppender("latest_batch", "main", "temp"),
    deviceKeys: await writer.createAppender("device_keys"),
    series: await writer.createAppender("series"),
    fields: await writer.createAppender("fields"),
    deviceRollupBatch: await writer.createAppender("rollup_device_batch", "main", "temp"),
    groupRollupBatch: await writer.createAppender("rollup_group_batch", "main", "temp"),
    deviceStateBatch: await writer.createAppender("rollup_device_state_batch", "main", "temp"),
    groupStateBatch: await writer.createAppender("rollup_group_state_batch", "main", "temp"),
    rewrites: await writer.createAppender("reading_rewrites", "main", "temp"),
  };
}

function closeAppenders(session: Session): void {
  for (const name of APPENDERS) quietly(() => session[name].closeSync());
}

function closeSession(session: Session): void {
  closeAppenders(session);
  quietly(() => session.writer.closeSync());
  quietly(() => session.reader.closeSync());
  // Closing the instance checkpoints the WAL into the file and releases the file lock.
  session.instance.closeSync();
}

function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // Closing what is already broken: the instance close that follows is what matters.
  }
}

// ---------------------------------------------------------------- writes

async function commitObservations(session: Session, observations: readonly Observation[]): Promise<void> {
  await inTransaction(session, async () => {
    const { dictionary, readingRows, latestRows } = session;
    if (dictionary.stale) await dictionary.load(session.writer);
    readingRows.start(session.readings);
    dictionary.stage(observations, readingRows);
    readingRows.finish();
    appendRegistrations(session, dictionary.registered);
    session.readings.flushSync();
    if (dictionary.rewrites.size > 0) await rewriteReadings(session, dictionary.rewrites);
    const latest = dictionary.latest;
    if (latest.length === 0) return;
    latestRows.start(session.latestBatch);
    latest.write(latestRows);
    latestRows.finish();
    session.latestBatch.flushSync();
    // Not prepared statements: see readSnapshot() on plans made with stale statistics.
    if (latest.freshCount < latest.length) await session.writer.run(UPDATE_LATEST);
    if (latest.freshCount > 0) await session.writer.run(INSERT_LATEST);
    await session.writer.run(CLEAR_LATEST_BATCH);
  });
}

/**
 * Last write wins: readings whose key may be stored already (see Dictionary.rewrites) replace
 * every row with their series, field and time, this transaction's own appends included. The time
 * bounds are numbers from the batch (never caller text); they let DuckDB skip the row groups of
 * other times.
 */
async function rewriteReadings(session: Session, rewrites: ReadonlyMap<string, Rewrite>): Promise<void> {
  const rows = session.rewriteRows;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  rows.start(session.rewrites);
  for (const r of rewrites.values()) {
    rows.add(r.time, r.seriesId, r.fieldId, r.kind, r.value);
    if (r.ms < lo) lo = r.ms;
    if (r.ms > hi) hi = r.ms;
  }
  rows.finish();
  session.rewrites.flushSync();
  await session.writer.run(`DELETE FROM readings USING (SELECT DISTINCT time, series_id, field_id FROM temp.reading_rewrites) d
    WHERE readings.time BETWEEN epoch_ms(${wholeNumber(lo)}) AND epoch_ms(${wholeNumber(hi)})
      AND readings.time = d.time AND readings.series_id = d.series_id AND readings.field_id = d.field_id`);
  await session.writer.run("INSERT INTO readings SELECT * FROM temp.reading_rewrites");
  await session.writer.run("DELETE FROM temp.reading_rewrites");
}

/** New devices, series and fields (rare: a new device, a handover, a new contract version). */
function appendRegistrations(session: Session, registered: Registrations): void {
  if (registered.devices.length > 0) {
    const a = session.deviceKeys;
    for (const device of registered.devices) {
      a.appendInteger(device.key);
      a.appendVarchar(device.deviceId);
      a.endRow();
    }
    a.flushSync();
  }
  if (registered.series.length > 0) {
    const a = session.series;
    for (const { device, entry } of registered.series) {
      a.appendInteger(entry.id);
      for (const text of [
        device.deviceId,
        entry.domain,
        entry.commune,
        entry.ownerId,
        entry.operatorId,
        entry.contract,
      ]) {
        a.appendVarchar(text);
      }
      a.endRow();
    }
    a.flushSync();
  }
  if (registered.fields.length > 0) {
    const a = session.fields;
    for (const field of registered.fields) {
      a.appendInteger(field.id);
      a.appendVarchar(field.name);
      a.endRow();
    }
    a.flushSync();
  }
}

/**
 * The appender joins the connection's open transaction: its rows commit (to the WAL) with COMMIT.
 *
 * A COMMIT that fails may leave a torn entry in the write-ahead log (a full disk cut it short),
 * and DuckDB goes on appending later commits after it. At the next start DuckDB replays the log
 * up to the torn entry and silently drops everything after it: on a full disk, commits made
 * after the first failure were acknowledged and then lost at restart. So the first failed COMMIT
 * ends writing in this session: every later write fails with ERR_STORE_FAILED (never
 * acknowledged), and the platform restarts, which replays the log up to that point and cuts it
 * there before writing again.
 */
async function inTransaction(session: Session, work: () => Promise<void>): Promise<void> {
  if (session.logFailure !== undefined) {
    throw StoreFailedError(
      `DuckDB: writing stopped after a commit failed (${session.logFailure}); the store must be opened again`,
    );
  }
  session.diskRoom.check();
  await session.writer.run("BEGIN TRANSACTION");
  try {
    await work();
  } catch (err) {
    await abort(session);
    throw err;
  }
  try {
    await session.writer.run("COMMIT");
  } catch (err) {
    session.logFailure = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
    await abort(session);
    throw StoreFailedError(`DuckDB: ${session.logFailure}`, err);
  }
}

/**
 * After a failure the appenders may hold rows or be invalidated: start from fresh ones. The
 * dictionary may hold ids and times of the rolled-back write: reload it before the next write.
 */
async function abort(session: Session): Promise<void> {
  session.dictionary.stale = true;
  try {
    await session.writer.run("ROLLBACK");
  } catch {
    // A failed COMMIT has already rolled back: there is no transaction left to end.
  }
  closeAppenders(session);
  Object.assign(session, await createAppenders(session.writer));
}

async function insertQuarantine(session: Session, entries: readonly QuarantineEntry[]): Promise<void> {
  for (const entry of entries) {
    await session.writer.run(INSERT_QUARANTINE, quarantineValues(entry), QUARANTINE_TYPES);
  }
}

function quarantineValues(e: QuarantineEntry): DuckDBValue[] {
  return [
    timestamp(e.receivedAt),
    e.operatorId,
    e.deviceId ?? null,
    e.contract ?? null,
    e.source,
    e.raw,
    e.truncated,
    JSON.stringify(e.reasons),
    listValue(e.reasons.map((r) => r.code)),
  ];
}

/**
 * One statement for the batch, by column name, each row numbered from the sequence (see
 * VIOLATION_COLUMNS_ADDED in duckdb/schema.ts: the column has no default, and an appender could
 * not append a sequence's value anyway).
 */
async function insertViolations(session: Session, records: readonly ViolationRecord[]): Promise<void> {
  const texts = (pick: (r: ViolationRecord) => string | null) => listValue(records.map(pick));
  const times = (pick: (r: ViolationRecord) => EpochMs) => listValue(records.map((r) => timestamp(pick(r))));
  await session.writer.run(
    `INSERT INTO violations
        (received_at, time, operator_id, device_id, contract, code, path, detail, value_json, id)
      SELECT *, nextval('violation_id') FROM (
        SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5), unnest($6), unnest($7), unnest($8),
          unnest($9))`,
    [
      times((r) => r.receivedAt),
      times((r) => r.time),
      texts((r) => r.operatorId),
      texts((r) => r.deviceId),
      texts((r) => r.contract),
      texts((r) => r.code),
      texts((r) => r.path),
      texts((r) => r.detail),
      texts((r) => (r.value === undefined ? null : JSON.stringify(r.value))),
    ],
    [LIST(TIMESTAMP_MS), LIST(TIMESTAMP_MS), ...Array.from({ length: 7 }, () => LIST(VARCHAR))],
  );
}

// ---------------------------------------------------------------- query building

/** Conditions on the text of a series (the attributes a reading was written with). */
function seriesAttributes(filter: DeviceFilter, prefix = ""): (Condition | undefined)[] {
  return [
    inList(`${prefix}device_id`, "device_ids", filter.deviceIds),
    eq(`${prefix}domain`, "domain", filter.domain),
    eq(`${prefix}commune`, "commune", filter.commune),
    eq(`${prefix}operator_id`, "operator_id", filter.operatorId),
  ];
}

/**
 * `column IN (SELECT ...)` over a dictionary, or nothing when no condition applies: readings and
 * `latest` hold integer ids, the text they are filtered on lives in the (small) dictionaries.
 */
function within(
  column: string,
  select: string,
  conditions: readonly (Condition | undefined)[],
): Condition | undefined {
  const inner = present(conditions);
  if (inner.length === 0) return undefined;
  return { sql: `${column} IN (${select} ${where(inner)})`, params: paramsOf(inner) };
}

/**
 * Filters apply to the device as of its most recent reading (its current domain, commune and
 * operator): a device matches or not as a whole, and then all its latest values are returned.
 * The device's attributes are those of the series of its newest value.
 */
function latestQuery(filter: DeviceFilter): Query {
  // Device ids narrow the scan; the attributes are those of the device's most recent reading.
  const keys = within("device_key", "SELECT device_key FROM device_keys", [
    inList("device_id", "device_ids", filter.deviceIds),
  ]);
  const [, ...attributes] = seriesAttributes(filter, "s.");
  const sql = `WITH newest AS (
      SELECT device_key, max(time) AS device_time, arg_max(series_id, time) AS series_id
      FROM latest ${where([keys])} GROUP BY device_key),
    d AS (
      SELECT n.device_key, n.device_time, s.device_id, s.domain, s.commune, s.operator_id, s.contract
      FROM newest n JOIN series s ON s.series_id = n.series_id ${where(attributes)})
    SELECT d.device_id, epoch_ms(d.device_time)::DOUBLE AS device_time, d.domain, d.commune, d.operator_id,
      d.contract, f.name AS field, epoch_ms(l.time)::DOUBLE AS time, l.kind, l.num, l.txt
    FROM d JOIN latest l ON l.device_key = d.device_key JOIN fields f ON f.field_id = l.field_id
    ORDER BY d.device_id`;
  return { sql, params: paramsOf([keys, ...attributes]) };
}

/**
 * latest() at an instant, from `readings` (the `latest` table holds only the newest values): one
 * arg_max per (device, field) over the readings of [at - LATEST_AT_LOOKBACK_MS, at], the value's
 * kind, num, txt and series from the same row. The device's attributes are those of the series of
 * its newest value in the window, and the filters apply to them, as latestQuery does. Row groups
 * are in time order, so those outside the window are skipped on their min/max time.
 */
function latestAtQuery(filter: DeviceFilter, at: EpochMs): Query {
  const window = [
    since("time", at - LATEST_AT_LOOKBACK_MS),
    until("time", at + 1),
    within("series_id", "SELECT series_id FROM series", [
      inList("device_id", "device_ids", filter.deviceIds),
    ]),
  ];
  const [, ...attributes] = seriesAttributes(filter, "s.");
  const sql = `WITH v AS (
      SELECT s.device_id, r.field_id, max(r.time) AS time,
        arg_max({'series_id': r.series_id, 'kind': r.kind, 'num': r.num, 'txt': r.txt}, r.time) AS newest
      FROM (SELECT time, series_id, field_id, kind, num, txt FROM readings ${where(window)}) r
        JOIN series s ON s.series_id = r.series_id
      GROUP BY s.device_id, r.field_id),
    newest AS (
      SELECT device_id, max(time) AS device_time, arg_max(newest.series_id, time) AS series_id
      FROM v GROUP BY device_id),
    d AS (
      SELECT n.device_id, n.device_time, s.domain, s.commune, s.operator_id, s.contract
      FROM newest n JOIN series s ON s.series_id = n.series_id ${where(attributes)})
    SELECT d.device_id, epoch_ms(d.device_time)::DOUBLE AS device_time, d.domain, d.commune, d.operator_id,
      d.contract, f.name AS field, epoch_ms(v.time)::DOUBLE AS time,
      v.newest.kind AS kind, v.newest.num AS num, v.newest.txt AS txt
    FROM d JOIN v ON v.device_id = d.device_id JOIN fields f ON f.field_id = v.field_id
    ORDER BY d.device_id`;
  return { sql, params: paramsOf([...window, ...attributes]) };
}

/** countValues: on each reading's own attributes (those of its series). */
function countQuery(filter: DeviceFilter & { from?: EpochMs; to?: EpochMs }): Query {
  const conditions = [
    within("series_id", "SELECT series_id FROM series", seriesAttributes(filter)),
    since("time", filter.from),
    until("time", filter.to),
  ];
  return { sql: `SELECT count(*) AS n FROM readings ${where(conditions)}`, params: paramsOf(conditions) };
}

/** The operator is each reading's own (its series'), not the device's current one: see SeriesQuery. */
function seriesConditions(q: SeriesQuery): (Condition | undefined)[] {
  return [
    within("series_id", "SELECT series_id FROM series", [
      eq("device_id", "device_id", q.deviceId),
      eq("operator_id", "operator_id", q.operatorId),
    ]),
    since("time", q.from),
    until("time", q.to),
    within("field_id", "SELECT field_id FROM fields", [inList("name", "fields", q.fields)]),
  ];
}

function rawSeriesQuery(q: SeriesQuery): Query {
  const conditions = seriesConditions(q);
  const sql = `SELECT epoch_ms(r.time)::DOUBLE AS t, f.name AS field, r.kind, r.num, r.txt
    FROM (SELECT time, field_id, kind, num, txt FROM readings ${where(conditions)}) r
      JOIN fields f ON f.field_id = r.field_id
    ORDER BY t, field`;
  return { sql, params: paramsOf(conditions) };
}

/** One arg_max over a struct so that kind, num and txt come from the same row (arg_max skips NULLs). */
function bucketedSeriesQuery(q: SeriesQuery, resolutionMs: number): Query {
  const conditions = seriesConditions(q);
  const sql = `SELECT b.t, f.name AS field, b.n, b.mean, b.lo, b.hi,
      b.newest.kind AS kind, b.newest.num AS num, b.newest.txt AS txt
    FROM (
      SELECT ${BUCKET} AS t, field_id, count(*) AS n, avg(num) AS mean, min(num) AS lo, max(num) AS hi,
        arg_max({'kind': kind, 'num': num, 'txt': txt}, time) AS newest
      FROM readings ${where(conditions)} GROUP BY t, field_id) b
      JOIN fields f ON f.field_id = b.field_id
    ORDER BY b.t, field`;
  return { sql, params: [...paramsOf(conditions), resolutionParam(resolutionMs)] };
}

const DIMENSION_COLUMNS: Record<GroupDimension, string> = {
  commune: "commune",
  domain: "domain",
  operator: "operator_id",
};

function dimensionColumn(dimension: GroupDimension): string {
  const column = DIMENSION_COLUMNS[dimension];
  if (column === undefined) throw new BadRequestError(`unknown group dimension ${String(dimension)}`);
  return column;
}

/**
 * Readings are filtered on their own columns and on the series and field dictionaries, then
 * joined to their series for the group columns and the distinct devices.
 */
function aggregateQuery(q: AggregateQuery, dimensions: readonly GroupDimension[]): Query {
  const conditions = [
    since("r.time", q.from),
    until("r.time", q.to),
    { sql: "r.num IS NOT NULL", params: [] },
    eq("s.domain", "domain", q.domain),
    eq("s.commune", "commune", q.commune),
    within("r.field_id", "SELECT field_id FROM fields", [eq("name", "field", q.field)]),
  ];
  const keys = [
    ...(q.resolutionMs === undefined ? [] : [`${BUCKET} AS t`]),
    ...dimensions.map((d) => `s.${dimensionColumn(d)}`),
  ];
  const outer = [
    ...(q.resolutionMs === undefined ? [] : ["a.t"]),
    ...dimensions.map((d) => `a.${dimensionColumn(d)}`),
  ];
  const sql = `SELECT ${[...outer, "f.name AS field"].join(", ")}, a.n, a.devices, a.mean, a.lo, a.hi
    FROM (
      SELECT ${[...keys, "r.field_id"].join(", ")}, count(*) AS n, count(DISTINCT s.device_id) AS devices,
        avg(r.num) AS mean, min(r.num) AS lo, max(r.num) AS hi
      FROM readings r JOIN series s ON s.series_id = r.series_id ${where(conditions)}
      GROUP BY ALL) a
      JOIN fields f ON f.field_id = a.field_id
    ORDER BY ALL`;
  const bucket = q.resolutionMs === undefined ? [] : [resolutionParam(q.resolutionMs)];
  return { sql, params: [...paramsOf(conditions), ...bucket] };
}

function quarantineConditions(q: Omit<QuarantineQuery, "limit" | "beforeId">): (Condition | undefined)[] {
  const code: Condition | undefined =
    q.code === undefined
      ? undefined
      : { sql: "list_contains(codes, $code)", params: [{ name: "code", value: q.code, type: VARCHAR }] };
  return [
    eq("operator_id", "operator_id", q.operatorId),
    eq("device_id", "device_id", q.deviceId),
    code,
    since("received_at", q.from),
    until("received_at", q.to),
  ];
}

function listQuarantineQuery(q: QuarantineQuery): Query {
  const before: Condition | undefined =
    q.beforeId === undefined
      ? undefined
      : {
          sql: "id < $before_id",
          params: [{ name: "before_id", value: wholeNumber(q.beforeId), type: BIGINT }],
        };
  const conditions = [...quarantineConditions(q), before];
  const sql = `SELECT id, epoch_ms(received_at)::DOUBLE AS received_at, operator_id, device_id, contract, source, raw,
      truncated, reasons
    FROM quarantine ${where(conditions)} ORDER BY id DESC LIMIT $limit`;
  const limit: Param = { name: "limit", value: wholeNumber(Math.max(0, q.limit)), type: BIGINT };
  return { sql, params: [...paramsOf(conditions), limit] };
}

/** Like the quarantine count, the period is on reception time: both feed the same compliance report. */
function countViolationsQuery(q: { operatorId?: string; from?: EpochMs; to?: EpochMs }): Query {
  const conditions = [
    eq("operator_id", "operator_id", q.operatorId),
    since("received_at", q.from),
    until("received_at", q.to),
  ];
  const sql = `SELECT operator_id, code, count(*) AS n FROM violations ${where(conditions)}
    GROUP BY operator_id, code ORDER BY operator_id, code`;
  return { sql, params: paramsOf(conditions) };
}

/** The field filter matches the path as recorded or a field name under `data.` (as the contract check writes it). */
function listViolationsQuery(q: ViolationQuery): Query {
  const field: Condition | undefined =
    q.field === undefined
      ? undefined
      : {
          sql: "(path = $field OR path = 'data.' || $field)",
          params: [{ name: "field", value: q.field, type: VARCHAR }],
        };
  const before: Condition | undefined =
    q.beforeId === undefined
      ? undefined
      : {
          sql: "id < $before_id",
          params: [{ name: "before_id", value: wholeNumber(q.beforeId), type: BIGINT }],
        };
  const conditions = [
    eq("operator_id", "operator_id", q.operatorId),
    eq("device_id", "device_id", q.deviceId),
    eq("code", "code", q.code),
    field,
    since("received_at", q.from),
    until("received_at", q.to),
    before,
  ];
  const sql = `SELECT id, epoch_ms(received_at)::DOUBLE AS received_at, epoch_ms(time)::DOUBLE AS time,
      operator_id, device_id, contract, code, path, detail, value_json
    FROM violations ${where(conditions)} ORDER BY id DESC LIMIT $limit`;
  const limit: Param = { name: "limit", value: wholeNumber(Math.max(0, q.limit)), type: BIGINT };
  return { sql, params: [...paramsOf(conditions), limit] };
}

// ---------------------------------------------------------------- reading results

/** From the kind, num and txt columns of a row. */
function decodeValue(row: Row): FieldValue {
  if (row.kind === KIND_NUMBER) return Number(row.num);
  if (row.kind === KIND_BOOLEAN) return row.txt === "true";
  return String(row.txt);
}

/** Rows come ordered by device, one per (device, field). */
function toDeviceStates(rows: readonly Row[]): DeviceState[] {
  const states = new Map<string, DeviceState>();
  for (const row of rows) {
    const deviceId = String(row.device_id);
    const state = states.get(deviceId) ?? toDeviceState(row);
    states.set(deviceId, state);
    state.values[String(row.field)] = { value: decodeValue(row), time: Number(row.time) };
  }
  return [...states.values()];
}

function toDeviceState(row: Row): DeviceState {
  return {
    deviceId: String(row.device_id),
    domain: String(row.domain),
    commune: String(row.commune),
    operatorId: String(row.operator_id),
    contract: String(row.contract),
    time: Number(row.device_time),
    values: {},
  };
}

function toRawPoint(row: Row): SeriesBucket {
  const value = decodeValue(row);
  const point: SeriesBucket = { time: Number(row.t), field: String(row.field), count: 1, last: value };
  if (typeof value === "number") Object.assign(point, { mean: value, min: value, max: value });
  return point;
}

function toSeriesBucket(row: Row): SeriesBucket {
  const bucket: SeriesBucket = {
    time: Number(row.t),
    field: String(row.field),
    count: Number(row.n),
    last: decodeValue(row),
  };
  if (row.mean !== null)
    Object.assign(bucket, { mean: Number(row.mean), min: Number(row.lo), max: Number(row.hi) });
  return bucket;
}

function toAggregateRow(row: Row, dimensions: readonly GroupDimension[], from: EpochMs): AggregateRow {
  const group: AggregateRow["group"] = {};
  for (const d of dimensions) group[d] = String(row[dimensionColumn(d)]);
  return {
    time: row.t === undefined ? from : Number(row.t),
    group,
    field: String(row.field),
    count: Number(row.n),
    devices: Number(row.devices),
    mean: Number(row.mean),
    min: Number(row.lo),
    max: Number(row.hi),
  };
}

function toViolationRecord(row: Row): ViolationRecord {
  const record: ViolationRecord = {
    id: Number(row.id),
    receivedAt: Number(row.received_at),
    time: Number(row.time),
    operatorId: String(row.operator_id),
    deviceId: String(row.device_id),
    contract: String(row.contract),
    code: String(row.code),
    path: String(row.path),
    detail: String(row.detail),
  };
  const value =
    row.value_json === null || row.value_json === undefined ? undefined : parseKept(row.value_json);
  if (value !== undefined) record.value = value;
  return record;
}

/** A kept value is a JSON number or string (insertViolations); anything else is not shown. */
function parseKept(json: DuckDBValue): string | number | undefined {
  const value: unknown = JSON.parse(String(json));
  return typeof value === "number" || typeof value === "string" ? value : undefined;
}

function toQuarantineEntry(row: Row): QuarantineEntry {
  const entry: QuarantineEntry = {
    id: Number(row.id),
    receivedAt: Number(row.received_at),
    operatorId: String(row.operator_id),
    source: String(row.source),
    raw: String(row.raw),
    truncated: row.truncated === true,
    reasons: JSON.parse(String(row.reasons)) as Violation[],
  };
  if (row.device_id !== null) entry.deviceId = String(row.device_id);
  if (row.contract !== null) entry.contract = String(row.contract);
  return entry;
}

// ---------------------------------------------------------------- errors

/**
 * DuckDB error classes that may clear on retry: I/O (disk full, file lock held by another
 * process), memory, write conflicts. Other classes (Binder, Parser, Conversion...) are bugs or bad
 * input and are rethrown as they are.
 */
const TRANSIENT = /^(IO|Out of Memory|Transaction|Interrupt|Connection) Error|disconnected/;
/**
 * A fatal error invalidates the database instance: every later statement fails the same way
 * until the file is opened again, so retrying in this process cannot succeed.
 */
const FATAL = /^(FATAL|Fatal) Error|invalidated/;

function toStoreError(err: unknown): unknown {
  if (err instanceof InfrastructureError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (FATAL.test(message)) return StoreFailedError(`DuckDB: ${message.split("\n")[0]}`, err);
  if (!TRANSIENT.test(message)) return err;
  return StoreUnavailableError(`DuckDB: ${message.split("\n")[0]}`, err);
}

async function guarded<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    throw toStoreError(err);
  }
}
