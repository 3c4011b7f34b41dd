import type { EpochMs } from "../domain/types.ts";

/**
 * Where published figures live, apart from the time-series stores: a figure once public is never
 * silently changed, and retention never deletes it. Each (dataset, period, place) has versions:
 * the first publication is version 1; a later computation that differs (late data, a replay, a
 * correction) is recorded as the next version with its reason, and the changelog lists them all.
 * Recording an unchanged figure changes nothing, so a release can be recorded again and again.
 */

/** The reason of every version 1. */
export const FIRST_PUBLICATION = "first publication";

/** Why a figure is not shown: below the threshold, hiding another one, or a revision held back. */
export type FigureStatus = "published" | "suppressed-primary" | "suppressed-secondary";

/** A figure as computed for a release. */
export interface ComputedFigure {
  /** Start of the bucket (UTC), in whole milliseconds. */
  period: EpochMs;
  /** INSEE code, sector id or the territory's id. */
  place: string;
  /** Null when suppressed. */
  value: number | null;
  /** Devices behind the figure (null when suppressed: the count itself says too much). */
  devices: number | null;
  status: FigureStatus;
}

/** A figure as published: its newest version. */
export interface PublishedFigure extends ComputedFigure {
  dataset: string;
  version: number;
  /** When this version was recorded. */
  publishedAt: EpochMs;
}

/** One line of a dataset's public changelog. */
export interface FigureVersion extends PublishedFigure {
  /** Increasing over the whole store (across datasets): the changelog's order and cursor. */
  id: number;
  /** "first publication", "late data", "replay", "correction: …". */
  reason: string;
  /** The version it replaced, when any. */
  previous?: { value: number | null; devices: number | null; status: FigureStatus };
}

export interface FigureQuery {
  dataset: string;
  /** Periods starting at or after. */
  from?: EpochMs;
  /** Periods starting before. */
  to?: EpochMs;
  /** Only these places; an empty list matches nothing. */
  places?: readonly string[];
  limit: number;
  offset?: number;
}

/** A dataset's definition approved for the public, by the hash of its definition. */
export interface Approval {
  dataset: string;
  /** Hash of the dataset's definition (services/opendata/definition.ts): a change needs a new approval. */
  definition: string;
  by: string;
  at: EpochMs;
}

export interface DatasetSummary {
  dataset: string;
  /** Figures (current versions). */
  figures: number;
  /** Earliest and latest period start; undefined when nothing is recorded. */
  first?: EpochMs;
  last?: EpochMs;
  /** When any figure of the dataset last changed. */
  modified?: EpochMs;
  /** Versions recorded beyond the first ones (revisions): the sum of (version - 1) over its figures. */
  revisions: number;
}

export interface PublicationStore {
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Records a release of a dataset at `at`: a figure seen for the first time becomes version 1
   * with the reason "first publication" (whatever `reason` says), one that differs from its
   * current version becomes the next version with `reason`; an identical one changes nothing.
   * Value, devices and status all count; values are compared exactly and null equals null.
   * A (period, place) given twice in one release counts once, as its last occurrence. All or
   * nothing; concurrent calls are applied one after the other. Returns the versions written, in
   * the release's order (increasing ids).
   */
  record(
    dataset: string,
    figures: readonly ComputedFigure[],
    reason: string,
    at: EpochMs,
  ): Promise<FigureVersion[]>;
  /** Current versions, ordered by period then place; paged. */
  figures(query: FigureQuery): Promise<PublishedFigure[]>;
  /** How many current versions the query matches (without its paging). */
  countFigures(query: Omit<FigureQuery, "limit" | "offset">): Promise<number>;
  /** Every version of the dataset, newest first, below `beforeId` when given. */
  changelog(dataset: string, limit: number, beforeId?: number): Promise<FigureVersion[]>;
  summary(dataset: string): Promise<DatasetSummary>;
  approve(approval: Approval): Promise<void>;
  /**
   * The newest approval of the dataset (latest `at`; of two at the same instant, the one approved
   * last), whatever its definition; undefined when none.
   */
  approval(dataset: string): Promise<Approval | undefined>;
  /** Counts a download of the dataset in a format; the counts per format. */
  countDownload(dataset: string, format: string): Promise<void>;
  downloads(dataset: string): Promise<Record<string, number>>;
}
