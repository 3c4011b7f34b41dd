import type { ReplayLog } from "../clauses/replay-log.ts";
import { type Logger, silentLogger } from "../domain/logger.ts";
import type { EpochMs } from "../domain/types.ts";
import type { QuarantineStore } from "../storage/store.ts";
import type { PurgeResult, RetentionPlan, RetentionStore } from "./plan.ts";

/**
 * Applies the retention plan at start and then every `intervalMs` (an hour by default: a tier's
 * data outlive their duration by at most that). A failed purge is tried again at the next
 * interval; nothing else depends on it.
 */
export interface RetentionStatus {
  runs: number;
  failures: number;
  lastRunAt?: EpochMs;
  lastRemoved?: number;
  lastResults?: PurgeResult[];
  lastError?: string;
  /** Quarantine entries the last purge deleted (its own rule, see QuarantineRetention). */
  lastQuarantineRemoved?: number;
}

/**
 * The quarantine's own retention rule: a refused message is kept `keepMs` after its reception
 * (LANTERNE_QUARANTINE_RETENTION_DAYS), whether replayed or not, then deleted. It does not come
 * from the contracts: a refused message may have no contract at all.
 */
export interface QuarantineRetention {
  store: Pick<QuarantineStore, "deleteQuarantineBefore">;
  keepMs: number;
  /** The replay traces, deleted with their entries (services/clauses/replay-log.ts). */
  traces?: Pick<ReplayLog, "deleteBefore">;
}

export const DAY_MS = 86_400_000;

export const RETENTION_INTERVAL_MS = 3_600_000;

export class RetentionKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  readonly status: RetentionStatus = { runs: 0, failures: 0 };

  constructor(
    private readonly store: RetentionStore,
    readonly plan: RetentionPlan,
    private readonly now: () => EpochMs = Date.now,
    private readonly intervalMs = RETENTION_INTERVAL_MS,
    private readonly log: Logger = silentLogger,
    private readonly quarantine?: QuarantineRetention,
  ) {}

  start(): void {
    void this.run();
    this.timer = setInterval(() => void this.run(), this.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One purge now (or the one under way). */
  run(): Promise<void> {
    this.running ??= this.purge().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purge(): Promise<void> {
    const at = this.now();
    try {
      const results = await this.store.applyRetention(this.plan, at);
      this.status.runs++;
      this.status.lastRunAt = at;
      this.status.lastResults = results;
      this.status.lastRemoved = results.reduce((sum, r) => sum + r.removed, 0);
      if (this.quarantine) await this.purgeQuarantine(this.quarantine, at);
      delete this.status.lastError;
      // Hourly at most: a line per purge that removed something is the record of what went.
      if (this.status.lastRemoved > 0) {
        const purges = results
          .filter((r) => r.removed > 0)
          .map(({ rule, cutoff, removed }) => ({ ...rule, before: new Date(cutoff).toISOString(), removed }));
        this.log.info({ removed: this.status.lastRemoved, purges }, "retention purge");
      }
    } catch (err) {
      this.status.failures++;
      this.status.lastError = err instanceof Error ? err.message : String(err);
      const retryInMs = this.intervalMs;
      this.log.error({ err, failures: this.status.failures, retryInMs }, "retention purge failed");
    }
  }

  private async purgeQuarantine(rule: QuarantineRetention, at: EpochMs): Promise<void> {
    const before = at - rule.keepMs;
    const removed = await rule.store.deleteQuarantineBefore(before);
    await rule.traces?.deleteBefore(before);
    this.status.lastQuarantineRemoved = removed;
    if (removed > 0) {
      this.log.info({ removed, before: new Date(before).toISOString() }, "quarantine retention purge");
    }
  }
}
