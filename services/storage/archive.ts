import { BadRequestError, InfrastructureError } from "../domain/errors.ts";
import type { EpochMs, Observation } from "../domain/types.ts";
import type { DeviceRollup, DeviceStateRollup, GroupRollup, GroupStateRollup, RollupTier } from "./store.ts";

/**
 * Reading a store out whole for `lanterne export` (reversibility: the collectivity takes its data
 * elsewhere). A territory-year is about a billion field values, so every adapter pages by keyset
 * on (time, key columns) within bounded time windows: memory holds one page, never the history,
 * and no page skips rows with OFFSET.
 *
 * Not a snapshot: each page is read on its own. Rows written during the export at times the scan
 * has not reached yet are included; rows written behind it (late readings) are not. Export a
 * quiet store, or a range that is over, for an exact copy.
 *
 * Order of strings: DuckDB compares text by its UTF-8 bytes, InfluxDB's answers are sorted here
 * with JavaScript's `<` (UTF-16 units); the two differ only for characters beyond U+FFFF against
 * U+E000..U+FFFF.
 */

/** Filters of a reading or device-rollup scan. */
export interface ArchiveFilter {
  /** Inclusive. */
  from?: EpochMs;
  /** Exclusive. */
  to?: EpochMs;
  /** The operator each row was stored under (not the device's current one). */
  operatorId?: string;
  /** An empty list matches nothing. */
  deviceIds?: readonly string[];
  /** Largest page yielded (default ARCHIVE_PAGE_SIZE). */
  pageSize?: number;
}

export interface TierFilter extends ArchiveFilter {
  tier: RollupTier;
}

export interface GroupTierFilter {
  tier: RollupTier;
  from?: EpochMs;
  to?: EpochMs;
  pageSize?: number;
}

/** Raw readings, the part of the archive the time-series store holds. */
export interface ReadingArchive {
  /**
   * Readings in (time, deviceId) order, one item per stored (device, time, attributes) with all
   * its field values: a device read at the same instant under two sets of attributes (a handover
   * stamped at the same ms) gives two items, ordered by domain, commune, owner, operator, contract.
   * Writing the items back with `write()` into an empty store reproduces the stored rows.
   */
  scanReadings(q: ArchiveFilter): AsyncIterable<Observation[]>;
}

/** Rollups, the part of the archive the rollup store holds. */
export interface RollupArchive {
  /** Device rollups of a tier in (time, deviceId, field) order. */
  scanDeviceRollups(q: TierFilter): AsyncIterable<DeviceRollup[]>;
  /** Device state rollups of a tier in (time, deviceId, field, state) order. */
  scanDeviceStateRollups(q: TierFilter): AsyncIterable<DeviceStateRollup[]>;
  /**
   * Group rollups (no operator, no device): the caller exports them only when it was given no
   * operator or device filter. (time, commune, domain, field) order.
   */
  scanGroupRollups(q: GroupTierFilter): AsyncIterable<GroupRollup[]>;
  /** (time, commune, domain, field, state) order. */
  scanGroupStateRollups(q: GroupTierFilter): AsyncIterable<GroupStateRollup[]>;
}

/** Reads a store out whole, in bounded pages, for `lanterne export`. */
export interface ArchiveSource extends ReadingArchive, RollupArchive {}

export const ARCHIVE_PAGE_SIZE = 5_000;
/** A page larger than this would defeat the bound on memory. */
export const MAX_ARCHIVE_PAGE_SIZE = 100_000;

export function pageSizeOf(pageSize: number | undefined): number {
  const size = pageSize ?? ARCHIVE_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_ARCHIVE_PAGE_SIZE) {
    throw new BadRequestError(`pageSize must be a whole number from 1 to ${MAX_ARCHIVE_PAGE_SIZE}`);
  }
  return size;
}

/** What a keyset scan must read: its table, and its filters, as plain data (it crosses threads). */
export type ScanKind =
  | "readings"
  | "deviceRollups"
  | "deviceStateRollups"
  | "groupRollups"
  | "groupStateRollups";

export interface ScanRequest {
  kind: ScanKind;
  tier?: RollupTier;
  from?: EpochMs;
  to?: EpochMs;
  operatorId?: string;
  deviceIds?: readonly string[];
  pageSize: number;
}

/**
 * Where a keyset scan stands: rows up to (`time`, `key`) are read (none at `time` when `key` is
 * absent), and the next page looks in [time, time + windowMs), never past `end`. The window adapts
 * to the data's density, so that each query reads about two pages of rows whatever the history.
 */
export interface ScanCursor {
  time: EpochMs;
  key?: string[];
  windowMs: number;
  end: EpochMs;
}

export interface ScanPage<T> {
  items: T[];
  /** Absent when the scan is over. */
  next?: ScanCursor;
}

/**
 * Pages one after the other, each asked for once the previous one was consumed (a slow consumer
 * holds one page, never a queue of them). Empty pages (a window without rows) are not yielded.
 */
export async function* keysetPages<T>(
  fetch: (cursor: ScanCursor | undefined) => Promise<ScanPage<T>>,
): AsyncGenerator<T[]> {
  let cursor: ScanCursor | undefined;
  do {
    const page = await fetch(cursor);
    if (page.items.length > 0) yield page.items;
    cursor = page.next;
  } while (cursor !== undefined);
}

/** First window width, and the widest: a year of a quiet store in one query is cheap enough. */
export const FIRST_WINDOW_MS = 3_600_000;
export const MAX_WINDOW_MS = 366 * 86_400_000;

/**
 * The cursor after a page of `count` items read in [cursor.time, stop) whose last item is at
 * (lastTime, lastKey). A full page resumes after its last item with a window sized to hold about
 * two such pages; a short one has read its whole window, so the next one starts where it ended,
 * twice as wide.
 */
export function nextCursor(
  cursor: ScanCursor,
  stop: EpochMs,
  count: number,
  pageSize: number,
  last: { time: EpochMs; key: string[] } | undefined,
): ScanCursor | undefined {
  if (count >= pageSize && last !== undefined) {
    const windowMs = Math.min(MAX_WINDOW_MS, Math.max(1, 2 * (last.time - cursor.time) + 1));
    return { time: last.time, key: last.key, windowMs, end: cursor.end };
  }
  if (stop >= cursor.end) return undefined;
  return { time: stop, windowMs: Math.min(MAX_WINDOW_MS, cursor.windowMs * 2), end: cursor.end };
}

/** Exclusive end of the current window. */
export function windowStop(cursor: ScanCursor): EpochMs {
  return Math.min(cursor.end, cursor.time + cursor.windowMs);
}

/**
 * The first cursor of a scan over [from, to) of a table whose rows span [first, last] (none:
 * nothing to scan).
 */
export function firstCursor(
  q: { from?: EpochMs; to?: EpochMs },
  span: { first: EpochMs; last: EpochMs } | undefined,
): ScanCursor | undefined {
  if (span === undefined) return undefined;
  const time = Math.max(q.from ?? span.first, span.first);
  const end = Math.min(q.to ?? span.last + 1, span.last + 1);
  if (!(time < end)) return undefined;
  return { time, windowMs: FIRST_WINDOW_MS, end };
}

/** Text compared as both adapters' keysets compare it, element by element. */
export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** A scan's request as plain data, its page size checked once, before the first page. */
export function scanRequest(kind: ScanKind, q: ArchiveFilter & { tier?: RollupTier }): ScanRequest {
  const request: ScanRequest = { kind, pageSize: pageSizeOf(q.pageSize) };
  if (q.tier !== undefined) request.tier = q.tier;
  if (q.from !== undefined) request.from = q.from;
  if (q.to !== undefined) request.to = q.to;
  if (q.operatorId !== undefined) request.operatorId = q.operatorId;
  if (q.deviceIds !== undefined) request.deviceIds = [...q.deviceIds];
  return request;
}

/** A scan asked of a store that cannot answer it: fails on the first page, never silently empty. */
export async function* unsupportedScan(what: string): AsyncGenerator<never> {
  yield* [];
  throw new InfrastructureError("ERR_STORE_UNAVAILABLE", `${what} cannot be read out for an export`, false);
}
