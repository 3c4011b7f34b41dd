import { resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { StoreUnavailableError } from "../domain/errors.ts";
import type { EpochMs, Observation, QuarantineEntry } from "../domain/types.ts";
import type { PurgeResult, RetentionPlan, RetentionStore, TierUsage } from "../retention/plan.ts";
import {
  type ArchiveFilter,
  type ArchiveSource,
  type GroupTierFilter,
  keysetPages,
  type ScanCursor,
  type ScanPage,
  type ScanRequest,
  scanRequest,
  type TierFilter,
} from "./archive.ts";
import type { CopyReadingsRequest, CopyRollupsRequest } from "./duckdb/copy-out.ts";
import type { DuckdbStoreConfig } from "./duckdb-store.ts";
import type {
  AggregateQuery,
  AggregateRow,
  DeviceFilter,
  DeviceRollup,
  DeviceState,
  DeviceStateRollup,
  FrameCounter,
  FrameCounterStore,
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

/**
 * The DuckDB store on a thread of its own. DuckDB's appender is synchronous: on the main thread a
 * large transaction held the event loop for seconds (MQTT keepalives, API answers and the broker
 * all stalled) and took a third of the CPU the broker needs. Here the main thread only posts
 * batches; DuckDB appends on the other core. Same port, same conformance suite.
 *
 * If the thread dies, pending calls fail as retryable (the ingest writer retries them) and a new
 * thread is started on the same file.
 */
export class DuckdbWorkerStore
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
  private worker: Worker | undefined;
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private closing = false;
  private starting: Promise<void> | undefined;

  constructor(private readonly config: DuckdbStoreConfig) {}

  /**
   * Idempotent: a second start (the same store seen through two roles) must not open the file
   * again. DuckDB's file lock is per process, so a second instance in this process would open
   * the file unhindered, and whichever instance closed last checkpointed its own view over the
   * other's: a clean stop lost every reading, or left a file that no longer opened.
   */
  start(): Promise<void> {
    this.starting ??= this.open().catch((err) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.closing = true;
    try {
      await this.call("close");
    } finally {
      await worker.terminate();
      this.worker = undefined;
      this.starting = undefined;
      releaseFile(this.config.path);
    }
  }

  private async open(): Promise<void> {
    claimFile(this.config.path);
    this.closing = false;
    this.worker = this.spawn();
    try {
      await this.call("start");
    } catch (err) {
      this.closing = true;
      await this.worker?.terminate();
      this.worker = undefined;
      releaseFile(this.config.path);
      throw err;
    }
  }

  write(observations: readonly Observation[]): Promise<void> {
    return observations.length === 0 ? Promise.resolve() : this.call("write", observations);
  }
  latest(filter: LatestFilter): Promise<DeviceState[]> {
    return this.call("latest", filter);
  }
  series(query: SeriesQuery): Promise<SeriesBucket[]> {
    return this.call("series", query);
  }
  aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    return this.call("aggregate", query);
  }
  countValues(filter: DeviceFilter & { from?: EpochMs; to?: EpochMs }): Promise<number> {
    return this.call("countValues", filter);
  }
  addQuarantine(entries: readonly QuarantineEntry[]): Promise<void> {
    return entries.length === 0 ? Promise.resolve() : this.call("addQuarantine", entries);
  }
  listQuarantine(query: QuarantineQuery): Promise<QuarantineEntry[]> {
    return this.call("listQuarantine", query);
  }
  countQuarantine(query: Omit<QuarantineQuery, "limit" | "beforeId">): Promise<number> {
    return this.call("countQuarantine", query);
  }
  deleteQuarantineBefore(time: EpochMs): Promise<number> {
    return this.call("deleteQuarantineBefore", time);
  }
  addViolations(records: readonly ViolationRecord[]): Promise<void> {
    return records.length === 0 ? Promise.resolve() : this.call("addViolations", records);
  }
  countViolations(query: { operatorId?: string; from?: EpochMs; to?: EpochMs }) {
    return this.call<{ operatorId: string; code: string; count: number }[]>("countViolations", query);
  }
  listViolations(query: ViolationQuery): Promise<ViolationRecord[]> {
    return this.call("listViolations", query);
  }
  summarize(query: Parameters<RollupStore["summarize"]>[0]): Promise<DeviceRollup[]> {
    return this.call("summarize", query);
  }
  writeDeviceRollups(rows: readonly DeviceRollup[]): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : this.call("writeDeviceRollups", rows);
  }
  writeGroupRollups(rows: readonly GroupRollup[]): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : this.call("writeGroupRollups", rows);
  }
  deviceRollups(query: Parameters<RollupStore["deviceRollups"]>[0]): Promise<DeviceRollup[]> {
    return this.call("deviceRollups", query);
  }
  groupRollups(query: Parameters<RollupStore["groupRollups"]>[0]): Promise<GroupRollup[]> {
    return this.call("groupRollups", query);
  }
  summarizeStates(query: Parameters<StateRollupStore["summarizeStates"]>[0]): Promise<DeviceStateRollup[]> {
    return this.call("summarizeStates", query);
  }
  writeDeviceStateRollups(rows: readonly DeviceStateRollup[]): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : this.call("writeDeviceStateRollups", rows);
  }
  writeGroupStateRollups(rows: readonly GroupStateRollup[]): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : this.call("writeGroupStateRollups", rows);
  }
  deviceStateRollups(
    query: Parameters<StateRollupStore["deviceStateRollups"]>[0],
  ): Promise<DeviceStateRollup[]> {
    return this.call("deviceStateRollups", query);
  }
  groupStateRollups(
    query: Parameters<StateRollupStore["groupStateRollups"]>[0],
  ): Promise<GroupStateRollup[]> {
    return this.call("groupStateRollups", query);
  }
  applyRetention(plan: RetentionPlan, now: EpochMs): Promise<PurgeResult[]> {
    return this.call("applyRetention", plan, now);
  }
  storageUsage(): Promise<TierUsage[]> {
    return this.call("storageUsage");
  }
  loadFrameCounters(): Promise<FrameCounter[]> {
    return this.call("loadFrameCounters");
  }
  saveFrameCounters(rows: readonly FrameCounter[]): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : this.call("saveFrameCounters", rows);
  }
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
  readingMonths(q: {
    contract: string;
    from?: EpochMs;
    to?: EpochMs;
    operatorId?: string;
  }): Promise<string[]> {
    return this.call("readingMonths", q);
  }
  /** DuckDB writes the file on the store's own thread: the main thread sees its row count only. */
  copyReadings(q: CopyReadingsRequest): Promise<number> {
    return this.call("copyReadings", q);
  }
  copyRollups(q: CopyRollupsRequest): Promise<number> {
    return this.call("copyRollups", q);
  }
  /**
   * A message per page, sent once the previous page was consumed: the thread never streams a
   * table at the main thread, and the cursor (plain data) makes each request stand alone, so a
   * thread restarted between two pages goes on where the scan was.
   */
  private scan<T>(request: ScanRequest): AsyncIterable<T[]> {
    return keysetPages((cursor: ScanCursor | undefined) =>
      this.call<ScanPage<T>>("archivePage", request, cursor),
    );
  }
  async ping(): Promise<boolean> {
    return this.worker ? this.call<boolean>("ping").catch(() => false) : false;
  }

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    const worker = this.worker;
    if (!worker) return Promise.reject(StoreUnavailableError("DuckDB store is not started"));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, method, args });
    });
  }

  private spawn(): Worker {
    const worker = new Worker(new URL("./duckdb-worker-boot.mjs", import.meta.url), {
      workerData: this.config,
    });
    worker.on("message", (m: { id: number; result?: unknown; error?: RemoteError }) => this.settle(m));
    worker.on("error", (err) => this.failAll(err));
    worker.on("exit", () => this.onExit(worker));
    return worker;
  }

  private settle(m: { id: number; result?: unknown; error?: RemoteError }): void {
    const call = this.calls.get(m.id);
    if (!call) return;
    this.calls.delete(m.id);
    if (m.error) call.reject(Object.assign(new Error(m.error.message), stripUndefined(m.error)));
    else call.resolve(m.result);
  }

  private failAll(err: Error): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const c of calls) c.reject(StoreUnavailableError(`DuckDB thread failed: ${err.message}`, err));
  }

  private onExit(worker: Worker): void {
    if (this.worker !== worker) return;
    this.failAll(new Error("thread exited"));
    if (this.closing) return;
    this.worker = this.spawn();
    this.call("start").catch(() => {});
  }
}

interface RemoteError {
  message: string;
  code?: string;
  statusCode?: number;
  retryable?: boolean;
}

function stripUndefined(e: RemoteError): Partial<RemoteError> {
  return Object.fromEntries(Object.entries(e).filter(([k, v]) => v !== undefined && k !== "message"));
}

/** Database files open in this process: one store per file (see `start`). */
const openFiles = new Set<string>();

function claimFile(path: string): void {
  if (path === ":memory:") return;
  const key = resolve(path);
  if (openFiles.has(key)) {
    throw StoreUnavailableError(`DuckDB file ${key} is already open in this process by another store`);
  }
  openFiles.add(key);
}

function releaseFile(path: string): void {
  openFiles.delete(resolve(path));
}

export function createDuckdbWorkerStore(config: DuckdbStoreConfig): DuckdbWorkerStore {
  return new DuckdbWorkerStore(config);
}
