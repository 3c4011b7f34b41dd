import type { EpochMs } from "../domain/types.ts";
import {
  type Approval,
  type ComputedFigure,
  type DatasetSummary,
  FIRST_PUBLICATION,
  type FigureQuery,
  type FigureVersion,
  type PublicationStore,
  type PublishedFigure,
} from "./publication-store.ts";

/** The reason of every version 1, whatever the release says (the port's rule). */

/**
 * The in-memory twin of the publication store, for tests and demos: the same rules as the
 * DuckDB adapter over maps. Each method runs synchronously once called, so two record() calls
 * cannot interleave and version numbers need no lock. Everything lives as long as the object:
 * close() and start() keep it, as a file would.
 */
class MemoryPublicationStore implements PublicationStore {
  /** Every version, in id order (the changelog). */
  private readonly versions: FigureVersion[] = [];
  /** dataset → (period|place) → its current version. */
  private readonly current = new Map<string, Map<string, FigureVersion>>();
  private readonly approvals: Approval[] = [];
  private readonly counts = new Map<string, Map<string, number>>();

  async start(): Promise<void> {}

  async close(): Promise<void> {}

  async record(
    dataset: string,
    figures: readonly ComputedFigure[],
    reason: string,
    at: EpochMs,
  ): Promise<FigureVersion[]> {
    const current = this.currentOf(dataset);
    const written: FigureVersion[] = [];
    for (const figure of lastOfEach(figures)) {
      const key = keyOf(figure);
      const before = current.get(key);
      if (before && sameFigure(before, figure)) continue;
      const version = nextVersion(this.versions.length + 1, dataset, figure, before, reason, at);
      this.versions.push(version);
      current.set(key, version);
      written.push(copyVersion(version));
    }
    return written;
  }

  async figures(query: FigureQuery): Promise<PublishedFigure[]> {
    const offset = Math.max(0, query.offset ?? 0);
    return this.matching(query)
      .slice(offset, offset + Math.max(0, query.limit))
      .map(published);
  }

  async countFigures(query: Omit<FigureQuery, "limit" | "offset">): Promise<number> {
    return this.matching(query).length;
  }

  async changelog(dataset: string, limit: number, beforeId?: number): Promise<FigureVersion[]> {
    const lines: FigureVersion[] = [];
    for (let i = this.versions.length - 1; i >= 0 && lines.length < limit; i--) {
      const v = this.versions[i];
      if (!v || v.dataset !== dataset) continue;
      if (beforeId === undefined || v.id < beforeId) lines.push(copyVersion(v));
    }
    return lines;
  }

  async summary(dataset: string): Promise<DatasetSummary> {
    const figures = [...this.currentOf(dataset).values()];
    const summary: DatasetSummary = { dataset, figures: figures.length, revisions: 0 };
    for (const f of figures) {
      summary.revisions += f.version - 1;
      summary.first = Math.min(summary.first ?? f.period, f.period);
      summary.last = Math.max(summary.last ?? f.period, f.period);
      summary.modified = Math.max(summary.modified ?? f.publishedAt, f.publishedAt);
    }
    return summary;
  }

  async approve(approval: Approval): Promise<void> {
    this.approvals.push({ ...approval });
  }

  async approval(dataset: string): Promise<Approval | undefined> {
    let newest: Approval | undefined;
    // Newest by `at`; of two at the same instant, the one approved last.
    for (const a of this.approvals) {
      if (a.dataset === dataset && (!newest || a.at >= newest.at)) newest = a;
    }
    return newest ? { ...newest } : undefined;
  }

  async countDownload(dataset: string, format: string): Promise<void> {
    const counts = this.counts.get(dataset) ?? new Map<string, number>();
    counts.set(format, (counts.get(format) ?? 0) + 1);
    this.counts.set(dataset, counts);
  }

  async downloads(dataset: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.counts.get(dataset) ?? []);
  }

  private currentOf(dataset: string): Map<string, FigureVersion> {
    let current = this.current.get(dataset);
    if (!current) {
      current = new Map();
      this.current.set(dataset, current);
    }
    return current;
  }

  /** Current versions of the query's dataset inside its bounds, ordered by period then place. */
  private matching(query: Omit<FigureQuery, "limit" | "offset">): FigureVersion[] {
    const places = query.places === undefined ? undefined : new Set(query.places);
    const inside = (f: FigureVersion) =>
      (query.from === undefined || f.period >= query.from) &&
      (query.to === undefined || f.period < query.to) &&
      (places === undefined || places.has(f.place));
    return [...(this.current.get(query.dataset)?.values() ?? [])].filter(inside).sort(byPeriodThenPlace);
  }
}

/**
 * A figure given twice in one release counts once, as its last occurrence (the DuckDB adapter
 * does the same), in the order of those last occurrences.
 */
function lastOfEach(figures: readonly ComputedFigure[]): ComputedFigure[] {
  const last = new Map(figures.map((f, i) => [keyOf(f), i]));
  return figures.filter((f, i) => last.get(keyOf(f)) === i);
}

/**
 * Value, devices and status all count, compared exactly: a figure that moved by 1e-12 is a new
 * version. NaN equals NaN, as DOUBLE comparison does in DuckDB, so a NaN is not re-versioned on
 * every release.
 */
function sameFigure(a: ComputedFigure, b: ComputedFigure): boolean {
  return sameNumber(a.value, b.value) && a.devices === b.devices && a.status === b.status;
}

function sameNumber(a: number | null, b: number | null): boolean {
  return a === b || (a !== null && b !== null && Number.isNaN(a) && Number.isNaN(b));
}

function keyOf(figure: ComputedFigure): string {
  return `${figure.period}|${figure.place}`;
}

/** The version that follows `before` (or the first one), numbered `id` in the whole store. */
function nextVersion(
  id: number,
  dataset: string,
  figure: ComputedFigure,
  before: FigureVersion | undefined,
  reason: string,
  at: EpochMs,
): FigureVersion {
  const { period, place, value, devices, status } = figure;
  const version: FigureVersion = {
    id,
    dataset,
    period,
    place,
    value,
    devices,
    status,
    version: (before?.version ?? 0) + 1,
    publishedAt: at,
    reason: before ? reason : FIRST_PUBLICATION,
  };
  if (before) version.previous = { value: before.value, devices: before.devices, status: before.status };
  return version;
}

/**
 * Places compare by code unit, as DuckDB compares VARCHAR by byte: the same order for the
 * ASCII codes places are (INSEE codes, sector ids), never the locale's.
 */
function byPeriodThenPlace(a: PublishedFigure, b: PublishedFigure): number {
  if (a.period !== b.period) return a.period - b.period;
  if (a.place === b.place) return 0;
  return a.place < b.place ? -1 : 1;
}

function published(v: FigureVersion): PublishedFigure {
  const { dataset, period, place, value, devices, status, version, publishedAt } = v;
  return { dataset, period, place, value, devices, status, version, publishedAt };
}

/** Callers get copies: what they change never reaches the store. */
function copyVersion(v: FigureVersion): FigureVersion {
  return v.previous ? { ...v, previous: { ...v.previous } } : { ...v };
}

export function createMemoryPublicationStore(): PublicationStore {
  return new MemoryPublicationStore();
}
