import type { EpochMs } from "../domain/types.ts";
import type { Alert, AlertChange, AlertHistoryEntry, AlertInput, AlertQuery } from "./types.ts";

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
}
