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
import type { AlertStore } from "./store.ts";
import type { Alert, AlertChange, AlertHistoryEntry, AlertInput, AlertQuery, SubjectState } from "./types.ts";

/**
 * The in-memory twin of the alert store, for tests and demos: the same lifecycle rules
 * (lifecycle.ts) over a map. Everything is synchronous inside each method, so two raises of the
 * same key cannot interleave and idempotence needs no lock. Lost at close(): nothing persists.
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

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.alerts = new Map();
    this.active = new Map();
    this.entries = [];
    this.records = [];
    this.bySubject = new Map();
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
    // History ids are 1, 2, 3...: the record of id n is at index n - 1.
    const from = Math.max(0, Math.floor(afterId));
    return this.records.slice(from, from + Math.max(0, Math.floor(limit))).map(copyRecord);
  }

  async lastChangeId(): Promise<number> {
    return this.records.length;
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
    const entry = historyEntry(this.entries.length + 1, change);
    this.entries.push(entry);
    const record = changeRecord(entry, change, before, this.subjectState(alert.subject));
    this.records.push(record);
    this.listeners.emit([copyRecord(record)]);
    return copy(alert);
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
