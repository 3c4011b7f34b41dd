import { InfrastructureError, StoreUnavailableError } from "../domain/errors.ts";
import type { Observation } from "../domain/types.ts";
import { type InfluxHttp, PARTIAL_WRITE, type WriteOutcome } from "./influx-http.ts";
import { type EncodedBatch, encodeBatches, splitBatches } from "./line-protocol.ts";

/**
 * The write path: observations become line protocol batches of at most `batchLines` points, sent
 * with at most `concurrency` requests in flight for the whole store (not per call), so that a
 * burst of callers queues here instead of opening sockets without bound. Each batch is encoded
 * up front (one unrepresentable value refuses the whole write before anything is sent) and
 * compressed only once it holds a slot, which bounds the compressed bodies alive at once.
 *
 * Partial batch failures follow telegraf's tsd-008: points InfluxDB refused for good (a field
 * type conflict, a time outside the retention policy) are not retried; the write reports exactly
 * how many were written and how many dropped, with a non-retryable `ERR_STORE_PARTIAL_WRITE`. A
 * batch that may not have been written at all (network error, timeout, 5xx) makes the write
 * retryable: writing a point again stores it once, so the caller retries the whole write.
 */

/** Points InfluxDB refused for good: `written` of the write's points were stored, `dropped` not. */
export class PartialWriteError extends InfrastructureError {
  constructor(
    readonly written: number,
    readonly dropped: number,
    reason: string,
  ) {
    super(PARTIAL_WRITE, `InfluxDB dropped ${dropped} of ${written + dropped} points: ${reason}`, false);
  }
}

/** A counting semaphore: FIFO, so that writes are sent in the order they were queued. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

export class InfluxWriter {
  private readonly slots: Slots;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly http: InfluxHttp,
    private readonly batchLines: number,
    concurrency: number,
  ) {
    this.slots = new Slots(concurrency);
  }

  /** Resolves when InfluxDB acknowledged (HTTP 204) every point of the write. */
  async write(observations: readonly Observation[]): Promise<void> {
    if (this.closed) throw StoreUnavailableError("InfluxDB store is closed");
    const batches = encodeBatches(observations, this.batchLines);
    await this.send(batches, repeatsAPoint(observations, batches.length));
  }

  /**
   * Lines already encoded (the rollups), to retention policy `rp`, through the same slots and
   * with the same partial-write handling. The caller guarantees no point repeats within `lines`,
   * so batches may be sent side by side.
   */
  async writeLines(lines: readonly string[], rp?: string): Promise<void> {
    if (this.closed) throw StoreUnavailableError("InfluxDB store is closed");
    await this.send(splitBatches(lines, this.batchLines), false, rp);
  }

  private async send(batches: EncodedBatch[], inOrder: boolean, rp?: string): Promise<void> {
    if (batches.length === 0) return;
    const sent = inOrder ? this.inOrder(batches, rp) : this.together(batches, rp);
    this.inFlight.add(sent);
    try {
      settle(
        await sent,
        batches.reduce((sum, b) => sum + b.lines, 0),
      );
    } finally {
      this.inFlight.delete(sent);
    }
  }

  private together(batches: EncodedBatch[], rp?: string): Promise<PromiseSettledResult<WriteOutcome>[]> {
    return Promise.allSettled(batches.map((b) => this.slots.run(() => this.http.write(b.text, b.lines, rp))));
  }

  /** One batch after the other, so that the last of two writes of a point is the one kept. */
  private async inOrder(batches: EncodedBatch[], rp?: string): Promise<PromiseSettledResult<WriteOutcome>[]> {
    const outcomes: PromiseSettledResult<WriteOutcome>[] = [];
    for (const b of batches) {
      const [outcome] = await Promise.allSettled([
        this.slots.run(() => this.http.write(b.text, b.lines, rp)),
      ]);
      outcomes.push(outcome as PromiseSettledResult<WriteOutcome>);
    }
    return outcomes;
  }

  /** Refuses new writes and waits for those in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }
}

/**
 * Whether a write that spans several batches holds the same device and time twice. InfluxDB
 * keeps the last point it receives; batches sent side by side may arrive in any order, so such a
 * write is sent in order instead. One batch needs no check: InfluxDB applies a body in order.
 */
function repeatsAPoint(observations: readonly Observation[], batches: number): boolean {
  if (batches < 2) return false;
  const seen = new Set<string>();
  for (const o of observations) {
    const key = `${o.time}\u0000${o.deviceId}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** A retryable failure wins: retrying the whole write may then succeed entirely. */
function settle(outcomes: PromiseSettledResult<WriteOutcome>[], lines: number): void {
  const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
  const retryable = failures.find((err) => (err as { retryable?: unknown }).retryable === true);
  if (retryable !== undefined) throw retryable;
  if (failures.length > 0) throw failures[0];
  let dropped = 0;
  let reason = "";
  for (const o of outcomes) {
    if (o.status !== "fulfilled" || o.value.dropped === 0) continue;
    dropped += o.value.dropped;
    reason ||= o.value.reason;
  }
  if (dropped > 0) throw new PartialWriteError(lines - dropped, dropped, reason);
}
