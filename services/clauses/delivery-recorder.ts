import type { Logger } from "../domain/logger.ts";
import type { EpochMs, Observation, QuarantineEntry } from "../domain/types.ts";
import type { ViolationRecord } from "../storage/store.ts";
import {
  type ClauseStore,
  type DeliveryCount,
  LATENCY_BUCKETS,
  latencyBucket,
  type RefusalCount,
  utcDay,
} from "./clause-store.ts";

export interface DeliveryRecorderConfig {
  /** How often the tallies are added to the ledger. */
  flushEveryMs: number;
}

export const DEFAULT_DELIVERY_RECORDER: DeliveryRecorderConfig = { flushEveryMs: 5_000 };

type Ledger = Pick<ClauseStore, "recordDeliveries" | "recordRefusals">;

/**
 * Tallies what the writer made durable into the delivery ledger the scorecards read: per device
 * and day of measurement, the readings delivered and how late; per day of reception, the
 * messages quarantined and the values dropped, by reason. The ledger keeps counts after
 * retention has deleted the readings themselves, so a year's scorecard stays whole.
 *
 * Counts are added in memory and written every few seconds; a failed write keeps them for the
 * next one. A crash loses at most the last few seconds of counts, never a reading.
 */
export class DeliveryRecorder {
  private deliveries = new Map<string, DeliveryCount>();
  private refusals = new Map<string, RefusalCount>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly ledger: Ledger,
    /** The contract version's promised latency, by "contractId@version"; undefined when none. */
    private readonly latencyOf: (contractKey: string) => number | undefined,
    private readonly log: Logger,
    private readonly config: DeliveryRecorderConfig = DEFAULT_DELIVERY_RECORDER,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.config.flushEveryMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Readings made durable; those without a reception time (an import) are not deliveries. */
  observe(observations: readonly Observation[]): void {
    for (const o of observations) {
      if (o.receivedAt === undefined) continue;
      const day = utcDay(o.time);
      const key = `${day}\u0000${o.operatorId}\u0000${o.contract}\u0000${o.deviceId}`;
      let row = this.deliveries.get(key);
      if (!row) {
        row = emptyDelivery(day, o);
        this.deliveries.set(key, row);
      }
      addDelivery(row, Math.max(0, o.receivedAt - o.time), this.latencyOf(o.contract));
    }
  }

  /** Quarantined messages and dropped values, by reason, on their day of reception. */
  refused(quarantine: readonly QuarantineEntry[], violations: readonly ViolationRecord[]): void {
    for (const q of quarantine) {
      // A message refused for several reasons counts once under each: the scorecard lists reasons.
      for (const code of new Set(q.reasons.map((r) => r.code))) {
        this.addRefusal(q.receivedAt, q.operatorId, q.contract ?? "", q.deviceId ?? "", "quarantine", code);
      }
    }
    for (const v of violations) {
      this.addRefusal(v.receivedAt, v.operatorId, v.contract, v.deviceId, "violation", v.code);
    }
  }

  /** Adds the tallies to the ledger; on failure they stay for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.deliveries.size === 0 && this.refusals.size === 0) return;
    const deliveries = this.deliveries;
    const refusals = this.refusals;
    this.deliveries = new Map();
    this.refusals = new Map();
    try {
      if (deliveries.size > 0) await this.ledger.recordDeliveries([...deliveries.values()]);
    } catch (err) {
      this.keep(deliveries, refusals, err);
      return;
    }
    try {
      if (refusals.size > 0) await this.ledger.recordRefusals([...refusals.values()]);
    } catch (err) {
      this.keep(new Map(), refusals, err);
    }
  }

  private keep(
    deliveries: Map<string, DeliveryCount>,
    refusals: Map<string, RefusalCount>,
    err: unknown,
  ): void {
    this.log.warn({ err: (err as Error).message }, "delivery ledger write failed; counts kept for a retry");
    for (const [key, row] of deliveries) {
      const newer = this.deliveries.get(key);
      this.deliveries.set(key, newer ? mergeDelivery(row, newer) : row);
    }
    for (const [key, row] of refusals) {
      const newer = this.refusals.get(key);
      this.refusals.set(key, newer ? { ...row, count: row.count + newer.count } : row);
    }
  }

  private addRefusal(
    receivedAt: EpochMs,
    operatorId: string,
    contract: string,
    deviceId: string,
    kind: RefusalCount["kind"],
    code: string,
  ): void {
    const day = utcDay(receivedAt);
    const key = `${day}\u0000${operatorId}\u0000${contract}\u0000${deviceId}\u0000${kind}\u0000${code}`;
    const row = this.refusals.get(key);
    if (row) row.count++;
    else this.refusals.set(key, { day, operatorId, contract, deviceId, kind, code, count: 1 });
  }
}

function emptyDelivery(day: EpochMs, o: Observation): DeliveryCount {
  return {
    day,
    operatorId: o.operatorId,
    contract: o.contract,
    deviceId: o.deviceId,
    readings: 0,
    late: 0,
    latencySumMs: 0,
    latencyMaxMs: 0,
    latencyHistogram: new Array<number>(LATENCY_BUCKETS).fill(0),
  };
}

function addDelivery(row: DeliveryCount, latencyMs: number, promisedMs: number | undefined): void {
  row.readings++;
  if (promisedMs !== undefined && latencyMs > promisedMs) row.late++;
  row.latencySumMs += latencyMs;
  if (latencyMs > row.latencyMaxMs) row.latencyMaxMs = latencyMs;
  const i = latencyBucket(latencyMs);
  row.latencyHistogram[i] = (row.latencyHistogram[i] ?? 0) + 1;
}

function mergeDelivery(a: DeliveryCount, b: DeliveryCount): DeliveryCount {
  return {
    ...a,
    readings: a.readings + b.readings,
    late: a.late + b.late,
    latencySumMs: a.latencySumMs + b.latencySumMs,
    latencyMaxMs: Math.max(a.latencyMaxMs, b.latencyMaxMs),
    latencyHistogram: a.latencyHistogram.map((n, i) => n + (b.latencyHistogram[i] ?? 0)),
  };
}
