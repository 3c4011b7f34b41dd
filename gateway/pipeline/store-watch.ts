import type { WriterHealth } from "./writer.ts";

/**
 * Watches whether the stores still take writes. A store that fails (a DuckDB database invalidated
 * by a fatal error, a full or unwritable disk) used to go unnoticed: the platform said it was
 * ready while every write failed, HTTP requests hung and QoS 1 messages were never acknowledged.
 * Now such a store makes the platform not ready (`/ready` answers 503), is logged once with its
 * cause, and, once it has failed for `exitAfterMs` without a success, `onFailed` is called so that
 * the process can exit non-zero and its supervisor restart it. Nothing acknowledged is lost: a
 * write is acknowledged only once durable, and what was not is sent again by its client.
 */
export interface StoreWatchConfig {
  /** How often the store is checked. */
  checkMs: number;
  /** Writes failing this long (a retryable error such as a full disk) make the platform not ready. */
  unreadyAfterMs: number;
  /** Failing this long, from the first failure, calls `onFailed`. */
  exitAfterMs: number;
}

export interface StoreWatchDeps {
  writer: { health(): WriterHealth };
  /** The store answers a query. */
  ping(): Promise<boolean>;
  now(): number;
  /**
   * One line when the store starts failing (`error`) and one when it takes writes again
   * (`info`): the platform hands its logger's methods, a test may keep the lines.
   */
  log(line: string, level: "error" | "info"): void;
  /** Called once, when the store has failed for `exitAfterMs`. */
  onFailed(reason: string): void;
}

export class StoreWatch {
  private timer: NodeJS.Timeout | undefined;
  private pingFailingSince: number | undefined;
  private reason: string | undefined;
  private given = false;

  constructor(
    private readonly deps: StoreWatchDeps,
    private readonly config: StoreWatchConfig,
  ) {}

  /** False while the store is failing; the cause is in `problem`. */
  get healthy(): boolean {
    return this.reason === undefined;
  }

  get problem(): string | undefined {
    return this.reason;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.config.checkMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One check (also called by tests): returns whether the store is healthy now. */
  async check(): Promise<boolean> {
    const now = this.deps.now();
    const answered = await this.deps.ping().catch(() => false);
    this.pingFailingSince = answered ? undefined : (this.pingFailingSince ?? now);
    const failure = this.failure(now);
    if (failure === undefined) {
      if (this.reason !== undefined) this.deps.log("the store takes writes again; ready", "info");
      this.reason = undefined;
      return true;
    }
    if (this.reason === undefined) this.deps.log(`not ready: ${failure.reason}`, "error");
    this.reason = failure.reason;
    if (!this.given && now - failure.since >= this.config.exitAfterMs) {
      this.given = true;
      this.deps.onFailed(failure.reason);
    }
    return false;
  }

  private failure(now: number): { since: number; reason: string } | undefined {
    const { failingSince, lastError } = this.deps.writer.health();
    if (failingSince !== undefined && lastError) {
      const fatal = !lastError.retryable;
      if (fatal || now - failingSince >= this.config.unreadyAfterMs) {
        const how = fatal ? "the store has failed" : "writes have failed";
        return {
          since: failingSince,
          reason: `${how} since ${new Date(failingSince).toISOString()}: ${lastError.code}: ${lastError.message}`,
        };
      }
    }
    if (this.pingFailingSince !== undefined && now - this.pingFailingSince >= this.config.unreadyAfterMs) {
      return {
        since: this.pingFailingSince,
        reason: `the store has not answered since ${new Date(this.pingFailingSince).toISOString()}`,
      };
    }
    return undefined;
  }
}
