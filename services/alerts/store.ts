import type { EpochMs } from "../domain/types.ts";
import type { Alert, AlertHistoryEntry, AlertInput, AlertQuery } from "./types.ts";

/**
 * The alert lifecycle port: a narrow store of its own (STYLE.md, "Where the user-facing layers
 * go"), not part of the time-series store. Every adapter passes test/conformance/alert-store.suite.ts.
 *
 * Errors (errors.ts): ERR_ALERT_NOT_FOUND, ERR_ALERT_TRANSITION, ERR_ALERT_STALE, ERR_ALERT_COMMENT.
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
}
