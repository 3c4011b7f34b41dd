import type { Granularity } from "../contracts/model.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import { type Logger, silentLogger } from "../domain/logger.ts";
import type { EpochMs } from "../domain/types.ts";
import { type ComputeDeps, computeFigures } from "./compute.ts";
import { type OpenDataset, openDatasets } from "./datasets.ts";
import { indicatorKinds } from "./indicators.ts";
import { bucketEnd, bucketStart, bucketStarts } from "./periods.ts";
import {
  type ComputedFigure,
  FIRST_PUBLICATION,
  type PublicationStore,
  type PublishedFigure,
} from "./publication-store.ts";
import { revisionDiscloses, secure } from "./suppression.ts";

/**
 * Publishes the approved datasets: each run computes the buckets closed since the last release
 * and recomputes the recent ones (late data), applies secrecy, and records what changed as new
 * versions (services/opendata/publication-store.ts). A bucket is closed once it has ended and the
 * contract's latency and the rollups' settling time have passed. A dataset not approved in its
 * current definition is left alone: administrators preview it, the public does not see it.
 */
export interface PublisherDeps extends ComputeDeps {
  contracts: Pick<ContractRegistry, "all">;
  store: PublicationStore;
  now: () => EpochMs;
  log?: Logger;
}

export interface PublisherConfig {
  /** Between runs. */
  intervalMs: number;
  /** Time after a bucket's end (beyond the contract's latency) before it is published. */
  settleMs: number;
}

export const DEFAULT_PUBLISHER: PublisherConfig = { intervalMs: 10 * 60_000, settleMs: 30 * 60_000 };

/** How far back a dataset's first release goes, and how many buckets each run recomputes. */
const BACKFILL: Record<Granularity, number> = { hour: 72, day: 62, month: 12 };
/**
 * Kinds that follow each device hour by hour read 24 buckets a day per commune: their first
 * release goes back a week of days (or 2 months), not two months (or a year).
 */
const HOURLY_BACKFILL: Record<Granularity, number> = { hour: 72, day: 7, month: 2 };
const REVISE: Record<Granularity, number> = { hour: 24, day: 7, month: 2 };
const PAGE = 100_000;

export interface DatasetRun {
  dataset: string;
  /** Versions written (first publications and revisions). */
  written: number;
  /** Revisions held back because they would disclose the devices that changed them. */
  withheld: number;
  skipped?: "not approved";
}

export class Publisher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DatasetRun[]> | undefined;
  private readonly log: Logger;
  readonly stats = { runs: 0, written: 0, withheld: 0, failures: 0 };

  constructor(
    private readonly deps: PublisherDeps,
    private readonly config: PublisherConfig = DEFAULT_PUBLISHER,
  ) {
    this.log = deps.log ?? silentLogger;
  }

  start(): void {
    this.timer = setInterval(() => void this.runLogged(), this.config.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run over every dataset; runs never overlap (a second call waits for the first). */
  async run(): Promise<DatasetRun[]> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.runAll();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async runLogged(): Promise<void> {
    try {
      await this.run();
    } catch (err) {
      this.stats.failures++;
      this.log.warn({ err }, "open data run failed; the next run tries again");
    }
  }

  private async runAll(): Promise<DatasetRun[]> {
    const out: DatasetRun[] = [];
    for (const dataset of openDatasets(this.deps.contracts)) out.push(await this.publish(dataset));
    this.stats.runs++;
    return out;
  }

  private async publish(dataset: OpenDataset): Promise<DatasetRun> {
    const { spec } = dataset;
    const approval = await this.deps.store.approval(spec.id);
    if (approval?.definition !== dataset.definition) {
      return { dataset: spec.id, written: 0, withheld: 0, skipped: "not approved" };
    }
    const now = this.deps.now();
    const closedBefore = bucketStart(now - this.settleMs(dataset), spec.granularity);
    const summary = await this.deps.store.summary(spec.id);
    const backfill = indicatorKinds.get(spec.indicator)?.hourly ? HOURLY_BACKFILL : BACKFILL;
    const from = firstBucket(summary.last, closedBefore, spec.granularity, backfill);
    const periods = bucketStarts(from, closedBefore, spec.granularity);
    const raw = await computeFigures(this.deps, dataset.contract, spec, periods);
    const computed = secure(raw, spec);
    const current = await this.current(spec.id, from, closedBefore);
    const kept = computed.filter((f) => {
      const prev = current.get(key(f));
      return !prev || !revisionDiscloses(prev, f, spec.minDevices);
    });
    const withheld = computed.length - kept.length;
    const reason = summary.last === undefined ? FIRST_PUBLICATION : "late data";
    const versions = await this.deps.store.record(spec.id, kept, reason, now);
    this.stats.written += versions.length;
    this.stats.withheld += withheld;
    if (withheld > 0) {
      this.log.info({ dataset: spec.id, withheld }, "revisions held back: too few devices changed them");
    }
    return { dataset: spec.id, written: versions.length, withheld };
  }

  /** Buckets are closed once over by the contract's latency and the settling time. */
  private settleMs(dataset: OpenDataset): number {
    return (dataset.contract.latencyMs ?? 0) + this.config.settleMs;
  }

  private async current(dataset: string, from: EpochMs, to: EpochMs): Promise<Map<string, PublishedFigure>> {
    const figures = await this.deps.store.figures({ dataset, from, to, limit: PAGE });
    return new Map(figures.map((f) => [key(f), f]));
  }
}

/**
 * Where a run starts: the backfill before the first closed bucket on a first release, else a few
 * buckets before the last one published (late data revise them).
 */
function firstBucket(
  last: EpochMs | undefined,
  closedBefore: EpochMs,
  g: Granularity,
  backfill: Record<Granularity, number>,
): EpochMs {
  let t = last === undefined ? closedBefore : bucketEnd(last, g);
  const steps = last === undefined ? backfill[g] : REVISE[g];
  for (let i = 0; i < steps; i++) t = bucketStart(t - 1, g);
  return t;
}

function key(f: Pick<ComputedFigure, "period" | "place">): string {
  return `${f.period}\u0000${f.place}`;
}
