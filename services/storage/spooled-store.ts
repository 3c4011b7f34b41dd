import { mkdir, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Logger, silentLogger } from "../domain/logger.ts";
import type { EpochMs, Observation } from "../domain/types.ts";
import { type ArchiveFilter, type ReadingArchive, unsupportedScan } from "./archive.ts";
import type {
  AggregateQuery,
  AggregateRow,
  DeviceFilter,
  DeviceState,
  LatestFilter,
  SeriesBucket,
  SeriesQuery,
  TimeSeriesStore,
} from "./store.ts";

/**
 * A bounded on-disk spool in front of a remote time-series store (InfluxDB). When the store
 * cannot take a write (it is down, restarting, unreachable), the batch is written to a segment
 * file and fsynced, and the write resolves: the readings are durable on this machine and will
 * reach the store later. Once anything is spooled, later writes go to the spool too, so the
 * store receives every batch in order; a drainer replays segments oldest first and deletes each
 * one only after the store acknowledged it. A crash between the two replays that segment:
 * InfluxDB keeps one point per series and timestamp, so nothing is doubled.
 *
 * A batch the store refuses for good (an InfluxDB partial write: a field whose type conflicts
 * with what the database holds) is neither retried forever nor dropped: it is kept under
 * `rejected/` with the reason, and counted, for an administrator to look at.
 *
 * When the spool holds `maxBytes`, writes wait for room: the ingest writer's backlog grows and
 * the sources stop acknowledging (backpressure). Nothing is ever dropped.
 *
 * Reads go to the store: spooled readings are visible once drained.
 */
export interface SpoolConfig {
  dir: string;
  maxBytes: number;
  /** Pause between attempts while the store is down (ms). */
  retryMs: number;
}

export interface SpoolStats {
  segments: number;
  bytes: number;
  /** Age of the oldest spooled segment, in ms (0 when empty). */
  oldestAgeMs: number;
  drained: number;
  /** Observations the store refused for good, kept under `rejected/`. */
  rejected: number;
}

interface Segment {
  seq: number;
  bytes: number;
  createdAt: EpochMs;
}

type Lifecycle = { start(): Promise<void>; close(): Promise<void> };

export class SpooledStore implements TimeSeriesStore, ReadingArchive {
  private segments: Segment[] = [];
  private seq = 0;
  private bytes = 0;
  private drained = 0;
  private rejected = 0;
  private draining: Promise<void> | undefined;
  private closed = false;
  private roomWaiters: Array<() => void> = [];
  /** Whether the store's own start (database creation...) has succeeded yet. */
  private innerStarted = false;
  /** Since when the store has refused writes as unreachable, while it does (for the logs). */
  private unreachableSince: EpochMs | undefined;

  constructor(
    private readonly inner: TimeSeriesStore & Partial<Lifecycle> & Partial<ReadingArchive>,
    private readonly config: SpoolConfig,
    private readonly now: () => EpochMs = Date.now,
    /** An outage is logged when it begins and ends, never per retry or per batch spooled. */
    private readonly log: Logger = silentLogger,
  ) {}

  async start(): Promise<void> {
    await mkdir(this.config.dir, { recursive: true });
    await this.loadSegments();
    this.closed = false;
    // The store may be down at start: the spool works without it, and the store is started
    // (its database created) before the first write that reaches it.
    await this.ensureStarted().catch((err: unknown) => this.unreachable(err));
    if (this.segments.length > 0) {
      this.log.info(
        { segments: this.segments.length, bytes: this.bytes },
        "spool holds readings from before",
      );
    }
    this.kick();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.inner.close?.();
  }

  stats(): SpoolStats {
    const oldest = this.segments[0];
    return {
      segments: this.segments.length,
      bytes: this.bytes,
      oldestAgeMs: oldest ? this.now() - oldest.createdAt : 0,
      drained: this.drained,
      rejected: this.rejected,
    };
  }

  /** Called with every batch once the inner store holds it (directly or drained from the spool). */
  onStored: ((observations: readonly Observation[]) => void) | undefined;

  async write(observations: readonly Observation[]): Promise<void> {
    if (observations.length === 0) return;
    if (this.segments.length === 0) {
      try {
        await this.ensureStarted();
        await this.inner.write(observations);
        this.reachable();
        this.onStored?.(observations);
        return;
      } catch (err) {
        if (!isRetryable(err))
          return this.keepRejected(JSON.stringify(observations), observations.length, err);
        this.unreachable(err);
      }
    }
    await this.waitForRoom();
    await this.append(observations);
    this.kick();
  }

  latest(filter: LatestFilter): Promise<DeviceState[]> {
    return this.inner.latest(filter);
  }
  series(query: SeriesQuery): Promise<SeriesBucket[]> {
    return this.inner.series(query);
  }
  aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    return this.inner.aggregate(query);
  }
  countValues(filter: DeviceFilter & { from?: EpochMs; to?: EpochMs }): Promise<number> {
    return this.inner.countValues(filter);
  }

  /** A store that could not start is down: its failure is retryable. */
  /**
   * The store's readings only, as every read here: batches still in the spool (written while the
   * store was down) are not in it until drained, and are not exported. There is no flush to call:
   * the drainer runs by itself while the store answers, so `lanterne export` waits until
   * `stats().segments` is 0 (and `rejected` tells what the store refused for good, kept under
   * `rejected/`, outside any export).
   */
  scanReadings(q: ArchiveFilter): AsyncIterable<Observation[]> {
    return this.inner.scanReadings ? this.inner.scanReadings(q) : unsupportedScan("the spooled store");
  }

  private async ensureStarted(): Promise<void> {
    if (this.innerStarted || !this.inner.start) return;
    try {
      await this.inner.start();
      this.innerStarted = true;
    } catch (err) {
      throw Object.assign(err instanceof Error ? err : new Error(String(err)), { retryable: true });
    }
  }

  private async append(observations: readonly Observation[]): Promise<void> {
    const seq = ++this.seq;
    const body = JSON.stringify(observations);
    await writeDurably(this.path(seq), body);
    const bytes = Buffer.byteLength(body);
    this.segments.push({ seq, bytes, createdAt: this.now() });
    this.bytes += bytes;
  }

  private kick(): void {
    if (this.draining || this.segments.length === 0 || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.segments.length > 0 && !this.closed) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.segments.length > 0 && !this.closed) {
      const segment = this.segments[0] as Segment;
      const observations = JSON.parse(await readFile(this.path(segment.seq), "utf8")) as Observation[];
      try {
        await this.ensureStarted();
        await this.inner.write(observations);
        this.reachable();
        this.onStored?.(observations);
      } catch (err) {
        if (isRetryable(err)) {
          this.unreachable(err);
          await new Promise((r) => setTimeout(r, this.config.retryMs));
          continue;
        }
        await this.keepRejected(JSON.stringify(observations), observations.length, err);
      }
      await rm(this.path(segment.seq));
      this.segments.shift();
      this.bytes -= segment.bytes;
      this.drained += observations.length;
      this.releaseRoom();
      if (this.segments.length === 0) this.log.info({ drained: this.drained }, "spool drained");
    }
  }

  private unreachable(err: unknown): void {
    if (this.unreachableSince !== undefined) return;
    this.unreachableSince = this.now();
    const fields = { err, segments: this.segments.length, bytes: this.bytes };
    this.log.warn(fields, "InfluxDB unreachable; readings kept in the disk spool until it is back");
  }

  private reachable(): void {
    if (this.unreachableSince === undefined) return;
    const unreachableMs = this.now() - this.unreachableSince;
    this.unreachableSince = undefined;
    const fields = { unreachableMs, segments: this.segments.length, bytes: this.bytes };
    this.log.info(fields, "InfluxDB reachable again; the spool drains to it");
  }

  private async keepRejected(body: string, count: number, err: unknown): Promise<void> {
    const dir = join(this.config.dir, "rejected");
    await mkdir(dir, { recursive: true });
    const name = `${this.now()}-${++this.seq}`;
    const reason = { message: (err as Error).message, code: (err as { code?: string }).code ?? "" };
    const file = join(dir, `${name}.json`);
    await writeDurably(file, body);
    await writeDurably(join(dir, `${name}.reason.json`), JSON.stringify(reason));
    this.rejected += count;
    this.log.error(
      { err, observations: count, file },
      "InfluxDB refused a batch for good; kept in the spool's rejected/",
    );
  }

  private waitForRoom(): Promise<void> | undefined {
    if (this.bytes < this.config.maxBytes) return undefined;
    if (this.roomWaiters.length === 0) {
      this.log.warn(
        { bytes: this.bytes, maxBytes: this.config.maxBytes },
        "spool full; writes wait (backpressure)",
      );
    }
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private releaseRoom(): void {
    if (this.bytes >= this.config.maxBytes) return;
    if (this.roomWaiters.length > 0) this.log.info({ bytes: this.bytes }, "spool has room again");
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  private async loadSegments(): Promise<void> {
    const names = (await readdir(this.config.dir)).filter((n) => /^\d{12}\.json$/.test(n)).sort();
    this.segments = [];
    this.bytes = 0;
    for (const name of names) {
      const info = await stat(join(this.config.dir, name));
      const seq = Number(name.slice(0, 12));
      this.segments.push({ seq, bytes: info.size, createdAt: info.mtimeMs });
      this.bytes += info.size;
      this.seq = Math.max(this.seq, seq);
    }
  }

  private path(seq: number): string {
    return join(this.config.dir, `${String(seq).padStart(12, "0")}.json`);
  }
}

function isRetryable(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { retryable?: boolean }).retryable === true;
}

/** A new file is durable only once its data and its directory entry are: fsync both. */
async function writeDurably(path: string, body: string): Promise<void> {
  const file = await open(path, "wx");
  try {
    await file.writeFile(body);
    await file.sync();
  } finally {
    await file.close();
  }
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
