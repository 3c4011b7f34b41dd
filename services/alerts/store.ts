import { AlertRestoreError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type { Alert, AlertChange, AlertHistoryEntry, AlertInput, AlertQuery } from "./types.ts";

/**
 * The alert lifecycle port: a narrow store of its own (STYLE.md, "Where the user-facing layers
 * go"), not part of the time-series store. Every adapter passes test/conformance/alert-store.suite.ts.
 *
 * Errors (errors.ts): ERR_ALERT_NOT_FOUND, ERR_ALERT_TRANSITION, ERR_ALERT_STALE, ERR_ALERT_COMMENT;
 * ERR_ALERT_RESTORE (services/domain/errors.ts) for restore().
 */
export interface AlertStore {
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Idempotent by (subject, ruleId) among alerts not closed: returns the existing alert when one
   * is active, reactivates it when cleared but not closed, otherwise opens a new one.
   */
  raise(input: AlertInput, at: EpochMs): Promise<Alert>;
  /** Clears the active alert of (subject, ruleId), if any; undefined when there is none. */
  clear(subject: string, ruleId: string, at: EpochMs): Promise<Alert | undefined>;
  acknowledge(id: number, by: string, at: EpochMs, expectedVersion: number): Promise<Alert>;
  /**
   * Closes the alert (a person: the fault is dealt with). Named `closeAlert`, not `close`, because
   * `close()` is already the store's shutdown, as on every other store of Lanterne: one name for two
   * acts would make a forgotten argument shut the store down.
   */
  closeAlert(id: number, by: string, at: EpochMs, expectedVersion: number): Promise<Alert>;
  assign(id: number, assignee: string, by: string, at: EpochMs, expectedVersion: number): Promise<Alert>;
  comment(id: number, author: string, text: string, at: EpochMs, expectedVersion: number): Promise<Alert>;
  get(id: number): Promise<Alert | undefined>;
  /** Newest first. */
  list(query: AlertQuery): Promise<Alert[]>;
  /** Oldest first. */
  history(alertId: number): Promise<AlertHistoryEntry[]>;
  /**
   * The changes of every alert after history id `afterId`, oldest first, at most `limit`: what a
   * stream resumes from (Last-Event-ID) and what the webhook outbox delivers. History ids only grow.
   */
  changes(afterId: number, limit: number): Promise<AlertChange[]>;
  /** The id of the latest change, 0 when there is none: where a stream that asks only for what comes next starts. */
  lastChangeId(): Promise<number>;
  /**
   * Calls `listener` with each change once it is durable, in history order; returns the function
   * that stops it. A listener that throws is ignored (the change stays stored and readable).
   */
  onChange(listener: (change: AlertChange) => void): () => void;
  /**
   * Every alert, whole (comments, children, every field as get() returns it), in id order, in
   * pages of at most `pageSize` (default ALERT_SCAN_PAGE). Keyset paging (ids above the last one
   * seen), so the store is never read whole into memory and each alert comes once. Each page is
   * read on its own: for a copy that matches one instant, stop the writers first.
   *
   * With scanHistory() and restore(), what carries the alerts out of one Lanterne into another,
   * identical (reversibility).
   */
  scanAlerts(pageSize?: number): AsyncIterable<Alert[]>;
  /**
   * Every history entry in history-id order, paged as scanAlerts(). Each comes as changes()
   * answers it (an AlertChange is an AlertHistoryEntry plus the alert just after the change, its
   * comment and its subject's states): the entry alone could not make changes() answer the same
   * in the copy, because the alert as it was at each change cannot be recomputed from the entries.
   */
  scanHistory(pageSize?: number): AsyncIterable<AlertChange[]>;
  /**
   * Writes alerts and history entries as given (same ids, versions, states, comments, children,
   * times, snapshots) into the store, all or nothing. Meant to be called page by page, in id
   * order, with what scanAlerts() and scanHistory() of another store return, on an empty store or
   * one whose ids are all below those given: refuses (ERR_ALERT_RESTORE, nothing written) an id
   * not above the store's highest, ids not increasing within the call, or a second alert not
   * closed for one (subject, rule). Afterwards new alerts and history entries take ids after the
   * highest restored ones, a raise of a restored active alert's (subject, rule) returns it, and
   * get(), list() (openAt too), history(), changes() and lastChangeId() answer as the source did.
   *
   * Restoring is not a change: onChange listeners are not called (the entries already happened,
   * in the source; a follower of this store reads them through changes() if it wants them).
   */
  restore(alerts: readonly Alert[], history: readonly AlertChange[]): Promise<void>;
}

/** Rows per page of scanAlerts() and scanHistory() when the caller names no size. */
export const ALERT_SCAN_PAGE = 5_000;

/** The page size a scan uses: the caller's, as a whole number of at least 1, or the default. */
export function scanPageSize(pageSize: number | undefined): number {
  if (pageSize === undefined || !Number.isFinite(pageSize)) return ALERT_SCAN_PAGE;
  return Math.max(1, Math.floor(pageSize));
}

/**
 * The order restore() owes: whole positive ids, strictly increasing, all above `highest` (the
 * store's highest id of that kind). Throws ERR_ALERT_RESTORE before anything is written.
 */
export function checkRestoreOrder(ids: readonly number[], highest: number, what: string): void {
  let previous = highest;
  for (const id of ids) {
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new AlertRestoreError(`${what} id ${id} is not a whole id`);
    }
    if (id <= previous) {
      throw new AlertRestoreError(
        id <= highest
          ? `${what} ${id} is not above the store's highest ${what} id ${highest}`
          : `${what} ids not increasing (${id} after ${previous})`,
      );
    }
    previous = id;
  }
}
