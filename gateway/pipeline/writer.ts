import { type Logger, silentLogger } from "../../services/domain/logger.ts";
import type { Observation, QuarantineEntry } from "../../services/domain/types.ts";
import type {
  QuarantineStore,
  TimeSeriesStore,
  ViolationLog,
  ViolationRecord,
} from "../../services/storage/store.ts";

/**
 * Group commit in front of the stores: callers submit work and get a promise that resolves
 * once it is durable. Work submitted while a flush runs is written by the next flush, so a
 * burst of N messages costs a few store transactions, not N.
 *
 * Bounded: `pending` counts observations, quarantine entries and violations not yet written;
 * `whenRoom()` lets a source hold its producer (MQTT socket, HTTP request) until the backlog
 * is under `highWater`. A failed write is retried with backoff and nothing is dropped: while
 * the store is down, the backlog grows to `highWater` and sources stop taking new messages.
 */
export interface WriterConfig {
  /** Wait this long for more work before a flush (ms). */
  flushDelayMs: number;
  /** Flush at once when this much work is pending. */
  maxBatch: number;
  /** Above this backlog, sources wait for room. */
  highWater: number;
  /** Delay before retrying a failed flush, doubled up to 5 s. */
  retryMs: number;
  /** Flushes handed to the store at once (2: the next batch waits at the store while one commits). */
  maxInFlight: number;
}

export const DEFAULT_WRITER: WriterConfig = {
  flushDelayMs: 10,
  maxBatch: 20_000,
  highWater: 50_000,
  retryMs: 100,
  maxInFlight: 2,
};

interface Batch {
  observations: Observation[];
  quarantine: QuarantineEntry[];
  violations: ViolationRecord[];
  waiters: Array<{ resolve: () => void }>;
  size: number;
}

export interface WriterStats {
  pending: number;
  flushes: number;
  written: number;
  quarantined: number;
  failures: number;
  lastError?: string;
}

/** Whether the stores take what the writer hands them, for readiness and the store watch. */
export interface WriterHealth {
  /** When the writes began to fail without a success since (epoch ms), if they are failing. */
  failingSince?: number;
  /** The last failure, with its code (ERR_STORE_FAILED: retrying in this process cannot help). */
  lastError?: { code: string; message: string; retryable: boolean };
}

type Stores = TimeSeriesStore & QuarantineStore & ViolationLog;

export class IngestWriter {
  private batch: Batch = emptyBatch();
  /** Flushes under way: a second one is prepared while the store commits the first. */
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private roomWaiters: Array<() => void> = [];
  private closed = false;
  private failure: WriterHealth = {};
  readonly stats: WriterStats = { pending: 0, flushes: 0, written: 0, quarantined: 0, failures: 0 };

  /**
   * Called after each flush with the observations it made durable, how long the store took, and
   * what it kept of the refused (quarantined messages, violations of accepted readings).
   */
  onDurable:
    | ((
        observations: readonly Observation[],
        seconds: number,
        refused: { quarantine: readonly QuarantineEntry[]; violations: readonly ViolationRecord[] },
      ) => void)
    | undefined;

  constructor(
    private readonly stores: Stores,
    private readonly config: WriterConfig = DEFAULT_WRITER,
    /** An outage is logged at its first failure and at its end, not at every retry. */
    private readonly log: Logger = silentLogger,
  ) {}

  /** Resolves when everything submitted is durable. */
  submit(
    observations: Observation[],
    quarantine: QuarantineEntry[],
    violations: ViolationRecord[],
  ): Promise<void> {
    const size = observations.length + quarantine.length + violations.length;
    if (size === 0) return Promise.resolve();
    const b = this.batch;
    for (const o of observations) b.observations.push(o);
    for (const q of quarantine) b.quarantine.push(q);
    for (const v of violations) b.violations.push(v);
    b.size += size;
    this.stats.pending += size;
    const done = new Promise<void>((resolve) => b.waiters.push({ resolve }));
    this.schedule();
    return done;
  }

  get pending(): number {
    return this.stats.pending;
  }

  /** Resolves at once when the backlog is under the high-water mark, else when it drains below it. */
  whenRoom(): Promise<void> | undefined {
    if (this.stats.pending < this.config.highWater) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  health(): WriterHealth {
    return { ...this.failure };
  }

  /**
   * Writes what is pending, then stops taking timers. Resolves true once everything is durable;
   * false when the store has kept failing for `giveUpMs`: what is left was never acknowledged,
   * and waiting on a store that cannot write would only hang the stop.
   */
  async close(giveUpMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.inFlight > 0 || this.batch.size > 0) {
      const since = this.failure.failingSince;
      if (since !== undefined && Date.now() - since >= giveUpMs) return false;
      if (this.inFlight < this.config.maxInFlight && this.batch.size > 0) void this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  private schedule(): void {
    if (this.inFlight >= this.config.maxInFlight || this.closed) return;
    // A second flush only for a large batch: small ones wait and merge, since each store
    // transaction has a fixed cost (QoS 1 clients, whose next messages wait for the acks).
    if (this.inFlight > 0 && this.batch.size < this.config.maxBatch / 4) return;
    if (this.batch.size >= this.config.maxBatch) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.config.flushDelayMs);
    }
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.config.maxInFlight || this.batch.size === 0) return;
    this.inFlight++;
    const b = this.batch;
    this.batch = emptyBatch();
    const started = performance.now();
    await this.writeWithRetry(b);
    const seconds = (performance.now() - started) / 1000;
    this.stats.flushes++;
    this.stats.written += b.observations.length;
    this.stats.quarantined += b.quarantine.length;
    this.stats.pending -= b.size;
    this.onDurable?.(b.observations, seconds, b);
    for (const w of b.waiters) w.resolve();
    this.inFlight--;
    this.releaseRoom();
    if (this.batch.size > 0) this.schedule();
  }

  /** Each part is written once: a retry resumes at the part that failed, so nothing is doubled. */
  private async writeWithRetry(b: Batch): Promise<void> {
    // Quarantine first: a refused message is never acknowledged before its trace is kept.
    const parts: Array<() => Promise<void>> = [
      () => this.stores.addQuarantine(b.quarantine),
      () => this.stores.write(b.observations),
      () => this.stores.addViolations(b.violations),
    ];
    let delay = this.config.retryMs;
    for (let i = 0; i < parts.length; ) {
      try {
        await (parts[i] as () => Promise<void>)();
        if (this.failure.failingSince !== undefined) this.logRecovery(this.failure.failingSince);
        this.failure = {};
        i++;
      } catch (err) {
        this.stats.failures++;
        this.stats.lastError = (err as Error).message;
        if (this.failure.failingSince === undefined) this.logFailure(err);
        this.noteFailure(err);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private logFailure(err: unknown): void {
    const fields = { err, pending: this.stats.pending };
    // ERR_STORE_FAILED: retrying in this process cannot help, the store watch will end it.
    if ((err as { retryable?: boolean }).retryable === false) this.log.error(fields, "store failed a write");
    else this.log.warn(fields, "store write failed; retrying with backoff");
  }

  private logRecovery(since: number): void {
    const failedMs = Date.now() - since;
    this.log.info(
      { failedMs, failures: this.stats.failures, pending: this.stats.pending },
      "store writes again",
    );
  }

  private noteFailure(err: unknown): void {
    const e = err as Error & { code?: string; retryable?: boolean };
    this.failure = {
      failingSince: this.failure.failingSince ?? Date.now(),
      lastError: {
        code: e.code ?? "ERR_STORE_UNAVAILABLE",
        message: e.message,
        retryable: e.retryable !== false,
      },
    };
  }

  private releaseRoom(): void {
    if (this.stats.pending >= this.config.highWater) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}

function emptyBatch(): Batch {
  return { observations: [], quarantine: [], violations: [], waiters: [], size: 0 };
}
