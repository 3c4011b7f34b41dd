import { AlertRestoreError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import { ChangeListeners } from "./change-listeners.ts";
import { AlertNotFoundError } from "./errors.ts";
import {
  acknowledged,
  activeKey,
  assigned,
  type Change,
  changeRecord,
  cleared,
  closed,
  commented,
  isActive,
  matches,
  opened,
  regrouped,
  reopened,
  subjectState,
} from "./lifecycle.ts";
import { type AlertStore, checkRestoreOrder, scanPageSize } from "./store.ts";
import type { Alert, AlertChange, AlertHistoryEntry, AlertInput, AlertQuery, SubjectState } from "./types.ts";

/**
 * The in-memory twin of the alert store, for tests and demos: the same lifecycle rules
 * (lifecycle.ts) over a map. Everything is synchronous inside each method, so two raises of the
 * same key cannot interleave and idempotence needs no lock. Lost at close(): nothing persists.
 * History ids are not assumed to be 1, 2, 3...: a restored history may have gaps (the DuckDB
 * adapter's sequence skips the ids of rolled-back changes).
 */
export class MemoryAlertStore implements AlertStore {
  private alerts = new Map<number, Alert>();
  /** (subject|rule) → id of the alert not closed for that key. */
  private active = new Map<string, number>();
  private entries: AlertHistoryEntry[] = [];
  private records: AlertChange[] = [];
  /** subject → ids of its alerts not closed, for the subject's state. */
  private bySubject = new Map<string, Set<number>>();
  private readonly listeners = new ChangeListeners();
  private nextId = 1;
  private nextHistoryId = 1;

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.alerts = new Map();
    this.active = new Map();
    this.entries = [];
    this.records = [];
    this.bySubject = new Map();
    this.nextHistoryId = 1;
  }

  async raise(input: AlertInput, at: EpochMs): Promise<Alert> {
    const current = this.activeAlert(input.subject, input.ruleId);
    if (current) {
      const back = reopened(current, at);
      const now = back ? this.apply(back) : current;
      const grown = regrouped(this.existing(now.id), input.children, at);
      return grown ? this.apply(grown) : copy(this.existing(now.id));
    }
    return this.apply(opened(this.nextId++, input, at));
  }

  async clear(subject: string, ruleId: string, at: EpochMs): Promise<Alert | undefined> {
    const current = this.activeAlert(subject, ruleId);
    if (!current) return undefined;
    const change = cleared(current, at);
    return change ? this.apply(change) : copy(current);
  }

  async acknowledge(id: number, by: string, at: EpochMs, expectedVersion: number): Promise<Alert> {
    return this.apply(acknowledged(this.existing(id), by, at, expectedVersion));
  }

  async closeAlert(id: number, by: string, at: EpochMs, expectedVersion: number): Promise<Alert> {
    return this.apply(closed(this.existing(id), by, at, expectedVersion));
  }

  async assign(
    id: number,
    assignee: string,
    by: string,
    at: EpochMs,
    expectedVersion: number,
  ): Promise<Alert> {
    return this.apply(assigned(this.existing(id), assignee, by, at, expectedVersion));
  }

  async comment(
    id: number,
    author: string,
    text: string,
    at: EpochMs,
    expectedVersion: number,
  ): Promise<Alert> {
    return this.apply(commented(this.existing(id), author, text, at, expectedVersion));
  }

  async get(id: number): Promise<Alert | undefined> {
    const alert = this.alerts.get(id);
    return alert ? copy(alert) : undefined;
  }

  async list(query: AlertQuery): Promise<Alert[]> {
    const openIds = query.openAt === undefined ? undefined : this.openAt(query.openAt);
    return [...this.alerts.values()]
      .filter((a) => matches(a, query) && (openIds === undefined || openIds.has(a.id)))
      .sort((a, b) => b.id - a.id)
      .slice(0, Math.max(0, Math.floor(query.limit)))
      .map(copy);
  }

  async history(alertId: number): Promise<AlertHistoryEntry[]> {
    return this.entries.filter((e) => e.alertId === alertId).map((e) => ({ ...e }));
  }

  async changes(afterId: number, limit: number): Promise<AlertChange[]> {
    const from = firstAfter(this.records, afterId);
    return this.records.slice(from, from + Math.max(0, Math.floor(limit))).map(copyRecord);
  }

  async lastChangeId(): Promise<number> {
    return this.records.at(-1)?.id ?? 0;
  }

  async *scanAlerts(pageSize?: number): AsyncGenerator<Alert[]> {
    const size = scanPageSize(pageSize);
    let after = 0;
    for (;;) {
      const page = [...this.alerts.values()]
        .filter((a) => a.id > after)
        .sort((a, b) => a.id - b.id)
        .slice(0, size)
        .map(copy);
      if (page.length > 0) yield page;
      const last = page.at(-1);
      if (page.length < size || last === undefined) return;
      after = last.id;
    }
  }

  async *scanHistory(pageSize?: number): AsyncGenerator<AlertChange[]> {
    const size = scanPageSize(pageSize);
    let after = 0;
    for (;;) {
      const page = await this.changes(after, size);
      if (page.length > 0) yield page;
      const last = page.at(-1);
      if (page.length < size || last === undefined) return;
      after = last.id;
    }
  }

  /** Checks everything first, then writes: a refused page leaves the store as it was. */
  async restore(alerts: readonly Alert[], history: readonly AlertChange[]): Promise<void> {
    checkRestoreOrder(
      alerts.map((a) => a.id),
      this.nextId - 1,
      "alert",
    );
    checkRestoreOrder(
      history.map((e) => e.id),
      this.nextHistoryId - 1,
      "history entry",
    );
    const keys = new Set<string>();
    for (const a of alerts.filter((x) => x.status !== "closed")) {
      const key = activeKey(a.subject, a.ruleId);
      if (this.active.has(key) || keys.has(key)) {
        throw new AlertRestoreError(`alert ${a.id}: another alert not closed has subject and rule ${key}`);
      }
      keys.add(key);
    }
    for (const alert of alerts) this.index(copy(alert));
    for (const record of history) {
      this.entries.push(entryOf(record));
      this.records.push(copyRecord(record));
    }
    this.nextId = Math.max(this.nextId, (alerts.at(-1)?.id ?? 0) + 1);
    this.nextHistoryId = Math.max(this.nextHistoryId, (history.at(-1)?.id ?? 0) + 1);
  }

  onChange(listener: (change: AlertChange) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Ids whose last history entry at or before T leaves them not closed (entries are in order). */
  private openAt(t: EpochMs): Set<number> {
    const last = new Map<number, AlertHistoryEntry>();
    for (const e of this.entries) {
      const seen = last.get(e.alertId);
      if (e.at <= t && (!seen || e.at >= seen.at)) last.set(e.alertId, e);
    }
    return new Set([...last.values()].filter((e) => e.toState !== "closed").map((e) => e.alertId));
  }

  private activeAlert(subject: string, ruleId: string): Alert | undefined {
    const id = this.active.get(activeKey(subject, ruleId));
    return id === undefined ? undefined : this.alerts.get(id);
  }

  private existing(id: number): Alert {
    const alert = this.alerts.get(id);
    if (!alert) throw new AlertNotFoundError(id);
    return alert;
  }

  private apply(change: Change): Alert {
    const { alert } = change;
    const before = this.subjectState(alert.subject);
    this.index(alert);
    const entry = historyEntry(this.nextHistoryId++, change);
    this.entries.push(entry);
    const record = changeRecord(entry, change, before, this.subjectState(alert.subject));
    this.records.push(record);
    this.listeners.emit([copyRecord(record)]);
    return copy(alert);
  }

  /** Stores the alert and keeps the active-key and subject indexes in step with it. */
  private index(alert: Alert): void {
    this.alerts.set(alert.id, alert);
    const key = activeKey(alert.subject, alert.ruleId);
    const ids = this.bySubject.get(alert.subject) ?? new Set<number>();
    if (alert.status === "closed") {
      this.active.delete(key);
      ids.delete(alert.id);
    } else {
      this.active.set(key, alert.id);
      ids.add(alert.id);
    }
    if (ids.size > 0) this.bySubject.set(alert.subject, ids);
    else this.bySubject.delete(alert.subject);
  }

  private subjectState(subject: string): SubjectState {
    const kinds: (string | undefined)[] = [];
    for (const id of this.bySubject.get(subject) ?? []) {
      const alert = this.alerts.get(id);
      if (alert && isActive(alert)) kinds.push(alert.kind);
    }
    return subjectState(kinds);
  }
}

export function historyEntry(id: number, change: Change): AlertHistoryEntry {
  const entry: AlertHistoryEntry = {
    id,
    alertId: change.alert.id,
    at: change.at,
    by: change.by,
    event: change.event,
    toState: change.toState,
  };
  if (change.fromState !== undefined) entry.fromState = change.fromState;
  return entry;
}

/** The index of the first record whose id is above `afterId` (records are in id order). */
function firstAfter(records: readonly AlertChange[], afterId: number): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((records[mid]?.id ?? Number.POSITIVE_INFINITY) <= afterId) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The history entry of a change record, without what the record adds to it. */
function entryOf(record: AlertChange): AlertHistoryEntry {
  const entry: AlertHistoryEntry = {
    id: record.id,
    alertId: record.alertId,
    at: record.at,
    by: record.by,
    event: record.event,
    toState: record.toState,
  };
  if (record.fromState !== undefined) entry.fromState = record.fromState;
  return entry;
}

function copyRecord(record: AlertChange): AlertChange {
  const out: AlertChange = { ...record, alert: copy(record.alert) };
  if (record.comment) out.comment = { ...record.comment };
  return out;
}

/** Callers get copies: mutating an answer must not change the store. */
function copy(alert: Alert): Alert {
  const out: Alert = { ...alert, comments: alert.comments.map((c) => ({ ...c })) };
  if (alert.children) out.children = [...alert.children];
  return out;
}

export function createMemoryAlertStore(): MemoryAlertStore {
  return new MemoryAlertStore();
}
