import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { BIGINT, type DuckDBConnection, DuckDBInstance, VARCHAR } from "@duckdb/node-api";
import { AlertRestoreError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import { inTransaction, Lane } from "../storage/duckdb/lane.ts";
import { query } from "../storage/duckdb/sql.ts";
import { ChangeListeners } from "./change-listeners.ts";
import {
  activeKinds,
  alertsAfterQuery,
  BY_ACTIVE_KEY,
  BY_ID,
  changesQuery,
  historyQuery,
  insertAlert,
  insertHistory,
  LAST_ALERT_ID,
  LAST_CHANGE_ID,
  listQuery,
  moveSequencePast,
  NEXT_ALERT_ID,
  readAlerts,
  restoreAlerts,
  restoreHistory,
  SCHEMA,
  SEQUENCES,
  takenKeys,
  toChange,
  toHistoryEntry,
  updateAlert,
} from "./duckdb-alert-sql.ts";
import { AlertNotFoundError, AlertStaleError } from "./errors.ts";
import {
  acknowledged,
  activeKey,
  assigned,
  type Change,
  cleared,
  closed,
  commented,
  opened,
  regrouped,
  reopened,
  subjectState,
} from "./lifecycle.ts";
import { type AlertStore, checkRestoreOrder, scanPageSize } from "./store.ts";
import type { Alert, AlertChange, AlertHistoryEntry, AlertInput, AlertQuery } from "./types.ts";

export interface DuckdbAlertStoreConfig {
  /** Its own database file, apart from the time-series store's; ":memory:" for tests. */
  path: string;
}

interface Session {
  instance: DuckDBInstance;
  /** Write transactions, one at a time (the write lane). */
  writer: DuckDBConnection;
  /** Reads, one at a time (the read lane), so that a list never waits behind a write. */
  reader: DuckDBConnection;
}

function noop(): void {}

/**
 * The embedded alert store: DuckDB on its own file. Every change runs in one transaction of the
 * write lane: read the alert, apply the lifecycle rule (lifecycle.ts), write the row and append
 * the history. Serializing writes on one connection makes "check, then insert" of raise() safe
 * within the process, so 100 concurrent raises of one key open one alert; the UNIQUE active key
 * (duckdb-alert-sql.ts) keeps it true in the database itself.
 */
export class DuckdbAlertStore implements AlertStore {
  private readonly config: DuckdbAlertStoreConfig;
  private session: Session | undefined;
  private writes = new Lane();
  private reads = new Lane();
  private readonly listeners = new ChangeListeners();

  constructor(config: DuckdbAlertStoreConfig) {
    this.config = config;
  }

  async start(): Promise<void> {
    if (this.session) return;
    if (this.config.path !== ":memory:") mkdirSync(dirname(this.config.path), { recursive: true });
    const instance = await DuckDBInstance.create(this.config.path);
    const writer = await instance.connect();
    for (const statement of SCHEMA) await writer.run(statement);
    this.session = { instance, writer, reader: await instance.connect() };
  }

  /** Waits for queued work, then releases the file so that another instance can open it. */
  async close(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await Promise.all([this.writes.run(async () => {}), this.reads.run(async () => {})]);
    this.session = undefined;
    session.writer.closeSync();
    session.reader.closeSync();
    session.instance.closeSync();
    this.writes = new Lane();
    this.reads = new Lane();
  }

  raise(input: AlertInput, at: EpochMs): Promise<Alert> {
    return this.write(async (c, done) => {
      const current = await activeAlert(c, input.subject, input.ruleId);
      if (current) {
        const back = reopened(current, at);
        const now = back ? await persist(c, back, done) : current;
        const grown = regrouped(now, input.children, at);
        return grown ? persist(c, grown, done) : now;
      }
      const id = Number((await query(c, NEXT_ALERT_ID, []))[0]?.id);
      const change = opened(id, input, at);
      const before = subjectState(await activeKinds(c, input.subject));
      await insertAlert(c, change.alert, activeKey(input.subject, input.ruleId));
      const after = subjectState(await activeKinds(c, input.subject));
      done.push(await insertHistory(c, change, before, after));
      return change.alert;
    });
  }

  clear(subject: string, ruleId: string, at: EpochMs): Promise<Alert | undefined> {
    return this.write(async (c, done) => {
      const current = await activeAlert(c, subject, ruleId);
      if (!current) return undefined;
      const change = cleared(current, at);
      return change ? persist(c, change, done) : current;
    });
  }

  acknowledge(id: number, by: string, at: EpochMs, expectedVersion: number): Promise<Alert> {
    return this.transition(id, (a) => acknowledged(a, by, at, expectedVersion));
  }

  closeAlert(id: number, by: string, at: EpochMs, expectedVersion: number): Promise<Alert> {
    return this.transition(id, (a) => closed(a, by, at, expectedVersion));
  }

  assign(id: number, assignee: string, by: string, at: EpochMs, expectedVersion: number): Promise<Alert> {
    return this.transition(id, (a) => assigned(a, assignee, by, at, expectedVersion));
  }

  comment(id: number, author: string, text: string, at: EpochMs, expectedVersion: number): Promise<Alert> {
    return this.transition(id, (a) => commented(a, author, text, at, expectedVersion));
  }

  async get(id: number): Promise<Alert | undefined> {
    const alerts = await this.read((c) => readAlerts(c, byId(id)));
    return alerts[0];
  }

  list(q: AlertQuery): Promise<Alert[]> {
    return this.read((c) => readAlerts(c, listQuery(q)));
  }

  history(alertId: number): Promise<AlertHistoryEntry[]> {
    const { sql, params } = historyQuery(alertId);
    return this.read(async (c) => (await query(c, sql, params)).map(toHistoryEntry));
  }

  changes(afterId: number, limit: number): Promise<AlertChange[]> {
    const { sql, params } = changesQuery(afterId, limit);
    return this.read(async (c) => {
      const rows = await query(c, sql, params);
      // Rows from before snapshots were kept fall back to the alert as it is now.
      const missing = rows.filter((r) => r.snapshot === null || r.snapshot === undefined);
      const current = new Map<number, Alert>();
      for (const row of missing) {
        const alert = (await readAlerts(c, byId(Number(row.alert_id))))[0];
        if (alert) current.set(alert.id, alert);
      }
      return rows.flatMap((row) => toChange(row, (id) => current.get(id)) ?? []);
    });
  }

  lastChangeId(): Promise<number> {
    return this.read(async (c) => Number((await query(c, LAST_CHANGE_ID, []))[0]?.id ?? 0));
  }

  onChange(listener: (change: AlertChange) => void): () => void {
    return this.listeners.add(listener);
  }

  async *scanAlerts(pageSize?: number): AsyncGenerator<Alert[]> {
    const size = scanPageSize(pageSize);
    let after = 0;
    for (;;) {
      const page = await this.read((c) => readAlerts(c, alertsAfterQuery(after, size)));
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

  /**
   * One transaction of the write lane: checks, writes every row as given, then moves the id
   * sequences past the restored ids. The active key is a column (duckdb-alert-sql.ts), not a
   * cache of this process, so writing it with the row is all raise() and clear() need to find a
   * restored active alert. Nothing is pushed to `done`: restoring is not a change, listeners hear nothing.
   */
  restore(alerts: readonly Alert[], history: readonly AlertChange[]): Promise<void> {
    return this.write(async (c) => {
      const highestAlert = Number((await query(c, LAST_ALERT_ID, []))[0]?.id ?? 0);
      const highestEntry = Number((await query(c, LAST_CHANGE_ID, []))[0]?.id ?? 0);
      checkRestoreOrder(
        alerts.map((a) => a.id),
        highestAlert,
        "alert",
      );
      checkRestoreOrder(
        history.map((e) => e.id),
        highestEntry,
        "history entry",
      );
      await checkActiveKeys(c, alerts);
      await restoreAlerts(c, alerts);
      await restoreHistory(c, history);
      const lastAlert = alerts.at(-1);
      if (lastAlert) await moveSequencePast(c, SEQUENCES.alerts, lastAlert.id);
      const lastEntry = history.at(-1);
      if (lastEntry) await moveSequencePast(c, SEQUENCES.history, lastEntry.id);
    });
  }

  private transition(id: number, rule: (alert: Alert) => Change): Promise<Alert> {
    return this.write(async (c, done) => {
      const current = (await readAlerts(c, byId(id)))[0];
      if (!current) throw new AlertNotFoundError(id);
      return persist(c, rule(current), done);
    });
  }

  /**
   * One transaction on the write lane; rolled back if the job throws (a refused transition too).
   * The job pushes its change records into `done`; listeners hear them once COMMIT has returned,
   * still on the lane, so they hear changes in history order and never one that was rolled back.
   */
  private write<T>(job: (c: DuckDBConnection, done: AlertChange[]) => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      const { writer } = this.open();
      const done: AlertChange[] = [];
      await writer.run("BEGIN TRANSACTION");
      let result: T;
      try {
        result = await job(writer, done);
        await writer.run("COMMIT");
      } catch (err) {
        await writer.run("ROLLBACK").catch(noop);
        throw err;
      }
      this.listeners.emit(done);
      return result;
    });
  }

  /**
   * Reads in one transaction on the read connection, as readSnapshot of
   * services/storage/duckdb/sql.ts does: it holds each prepare/execute pair in one snapshot, which
   * DuckDB needs when the writer commits in between (duckdb/duckdb#23704), and an alert and its
   * comments come from the same snapshot.
   */
  private read<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.reads.run(async () => {
      const { reader } = this.open();
      return inTransaction(reader, job);
    });
  }

  private open(): Session {
    if (!this.session) throw new Error("DuckdbAlertStore is not started");
    return this.session;
  }
}

function byId(id: number) {
  return { sql: BY_ID, params: [{ name: "id", value: BigInt(Math.floor(id)), type: BIGINT }] };
}

async function activeAlert(c: DuckDBConnection, subject: string, ruleId: string): Promise<Alert | undefined> {
  const key = { name: "key", value: activeKey(subject, ruleId), type: VARCHAR };
  return (await readAlerts(c, { sql: BY_ACTIVE_KEY, params: [key] }))[0];
}

/** One alert not closed per (subject, rule), among those stored and those given. */
async function checkActiveKeys(c: DuckDBConnection, alerts: readonly Alert[]): Promise<void> {
  const keys = new Set<string>();
  for (const a of alerts.filter((x) => x.status !== "closed")) {
    const key = activeKey(a.subject, a.ruleId);
    if (keys.has(key)) throw new AlertRestoreError(`alert ${a.id}: a second alert not closed for ${key}`);
    keys.add(key);
  }
  const [taken] = await takenKeys(c, [...keys]);
  if (taken !== undefined) throw new AlertRestoreError(`an alert not closed already holds ${taken}`);
}

/** The lane already checked the version; a mismatch here means the row moved under us. */
async function persist(c: DuckDBConnection, change: Change, done: AlertChange[]): Promise<Alert> {
  const before = subjectState(await activeKinds(c, change.alert.subject));
  if (!(await updateAlert(c, change))) {
    throw new AlertStaleError(change.alert.id, "unknown", change.alert.version - 1);
  }
  const after = subjectState(await activeKinds(c, change.alert.subject));
  done.push(await insertHistory(c, change, before, after));
  return change.alert;
}

export function createDuckdbAlertStore(config: DuckdbAlertStoreConfig): DuckdbAlertStore {
  return new DuckdbAlertStore(config);
}
