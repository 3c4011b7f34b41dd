import type { DuckDBConnection, DuckDBType, DuckDBValue } from "@duckdb/node-api";
import { BIGINT, DuckDBListValue, INTEGER, LIST, listValue, VARCHAR } from "@duckdb/node-api";
import { type Condition, eq, type Param, type Query, query, type Row, where } from "../storage/duckdb/sql.ts";
import { activeKey, type Change, changeRecord } from "./lifecycle.ts";
import type {
  Alert,
  AlertChange,
  AlertComment,
  AlertHistoryEntry,
  AlertQuery,
  SubjectState,
} from "./types.ts";

/**
 * Schema and statements of the DuckDB alert store. SQL text is built only from the constants of
 * this file; every value travels as a bound parameter (services/storage/duckdb/sql.ts). Times
 * are BIGINT epoch milliseconds (`at_ms`: AT is a DuckDB keyword, as BY is, hence `actor`): the port speaks EpochMs and the values round-trip exactly.
 *
 * Idempotence of raise() in the database: `active_key` is `subject|rule` while the alert is not
 * closed and NULL once closed, under a UNIQUE constraint (NULLs never collide). The write lane
 * already checks before inserting, on the one write connection; the constraint is the guard
 * that stays true whatever a future code path does (a second writer, a bug in the check), and a
 * transaction cannot express it alone. A closed alert frees its key, so the next occurrence of
 * the same fault is a new alert.
 */
export const SCHEMA = [
  "CREATE SEQUENCE IF NOT EXISTS alert_ids START 1",
  "CREATE SEQUENCE IF NOT EXISTS alert_history_ids START 1",
  `CREATE TABLE IF NOT EXISTS alerts (
    id BIGINT PRIMARY KEY,
    active_key VARCHAR UNIQUE,
    rule_id VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    domain VARCHAR NOT NULL,
    commune VARCHAR,
    operator_id VARCHAR,
    detail VARCHAR NOT NULL,
    children VARCHAR[],
    status VARCHAR NOT NULL,
    opened_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by VARCHAR,
    cleared_at BIGINT,
    closed_at BIGINT,
    closed_by VARCHAR,
    assignee VARCHAR,
    version INTEGER NOT NULL,
    time_to_acknowledge_ms BIGINT,
    time_to_repair_ms BIGINT
  )`,
  `CREATE TABLE IF NOT EXISTS alert_comments (
    alert_id BIGINT NOT NULL,
    seq INTEGER NOT NULL,
    author VARCHAR NOT NULL,
    at_ms BIGINT NOT NULL,
    text VARCHAR NOT NULL,
    PRIMARY KEY (alert_id, seq)
  )`,
  `CREATE TABLE IF NOT EXISTS alert_history (
    id BIGINT PRIMARY KEY,
    alert_id BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor VARCHAR NOT NULL,
    event VARCHAR NOT NULL,
    from_state VARCHAR,
    to_state VARCHAR NOT NULL
  )`,
  // Added after the first release: files written before gain the columns, empty for old rows.
  "ALTER TABLE alerts ADD COLUMN IF NOT EXISTS kind VARCHAR",
  "ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS snapshot VARCHAR",
  "ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS subject_before VARCHAR",
  "ALTER TABLE alert_history ADD COLUMN IF NOT EXISTS subject_after VARCHAR",
  // Each change reads its subject's active alerts (its state): a point lookup, not a scan of
  // every alert ever raised. `subject` is never updated, so the index costs no rewrite.
  "CREATE INDEX IF NOT EXISTS alerts_subject ON alerts (subject)",
];

const COLUMNS = `id, rule_id, subject, severity, domain, commune, operator_id, detail, children, status,
  opened_at, acknowledged_at, acknowledged_by, cleared_at, closed_at, closed_by, assignee, version,
  time_to_acknowledge_ms, time_to_repair_ms, kind`;

export const NEXT_ALERT_ID = "SELECT nextval('alert_ids') AS id";

export const BY_ACTIVE_KEY = `SELECT ${COLUMNS} FROM alerts WHERE active_key = $key`;
export const BY_ID = `SELECT ${COLUMNS} FROM alerts WHERE id = $id`;
const COMMENTS_OF = `SELECT alert_id, author, at_ms, text FROM alert_comments
  WHERE list_contains($ids, alert_id) ORDER BY alert_id, seq`;
const HISTORY_OF = `SELECT id, alert_id, at_ms, actor, event, from_state, to_state FROM alert_history
  WHERE alert_id = $id ORDER BY id`;

const INSERT_ALERT = `INSERT INTO alerts (id, active_key, rule_id, subject, severity, domain, commune,
  operator_id, detail, children, status, opened_at, version, kind)
  VALUES ($id, $key, $rule_id, $subject, $severity, $domain, $commune, $operator_id, $detail,
  $children, $status, $opened_at, $version, $kind)`;

/**
 * The mutable columns, never `active_key`: DuckDB turns an update of an indexed column into a
 * delete and an insert, so the key is only touched by the one change that frees it (FREE_KEY).
 * `version = $previous` re-checks optimistic concurrency where the row is written.
 */
const UPDATE_ALERT = `UPDATE alerts SET status = $status, acknowledged_at = $acknowledged_at,
  acknowledged_by = $acknowledged_by, cleared_at = $cleared_at, closed_at = $closed_at,
  closed_by = $closed_by, assignee = $assignee, version = $version, children = $children,
  time_to_acknowledge_ms = $time_to_acknowledge_ms, time_to_repair_ms = $time_to_repair_ms
  WHERE id = $id AND version = $previous`;
const FREE_KEY = "UPDATE alerts SET active_key = NULL WHERE id = $id";
const INSERT_COMMENT = `INSERT INTO alert_comments (alert_id, seq, author, at_ms, text)
  VALUES ($alert_id, $seq, $author, $at, $text)`;
const INSERT_HISTORY = `INSERT INTO alert_history (id, alert_id, at_ms, actor, event, from_state, to_state,
  snapshot, subject_before, subject_after)
  VALUES (nextval('alert_history_ids'), $alert_id, $at, $by, $event, $from_state, $to_state,
  $snapshot, $subject_before, $subject_after)
  RETURNING id`;
/** The kinds of a subject's active alerts (neither cleared nor closed), for its state. */
const ACTIVE_KINDS = `SELECT kind FROM alerts
  WHERE subject = $subject AND active_key IS NOT NULL AND cleared_at IS NULL`;
export const LAST_CHANGE_ID = "SELECT coalesce(max(id), 0) AS id FROM alert_history";
const CHANGES_AFTER = `SELECT id, alert_id, at_ms, actor, event, from_state, to_state, snapshot,
  subject_before, subject_after FROM alert_history WHERE id > $after ORDER BY id LIMIT $limit`;

/** scanAlerts(): keyset paging in id order. */
const ALERTS_AFTER = `SELECT ${COLUMNS} FROM alerts WHERE id > $after ORDER BY id LIMIT $limit`;
export const LAST_ALERT_ID = "SELECT coalesce(max(id), 0) AS id FROM alerts";

/** Which of the given active keys are taken (restore() checks a page in one query). */
const TAKEN_KEYS = "SELECT active_key FROM alerts WHERE list_contains($keys, active_key)";
/** The last value a sequence handed out (its start - 1 before the first). */
const SEQUENCE_LAST = `SELECT coalesce(last_value, start_value - 1) AS id FROM duckdb_sequences()
  WHERE sequence_name = $name`;
/** The two sequences restore() may move past the restored ids; DDL names cannot be bound. */
export const SEQUENCES = { alerts: "alert_ids", history: "alert_history_ids" } as const;

/** Alerts whose last history entry at or before T leaves them not closed. */
const OPEN_AT = `id IN (SELECT alert_id FROM (
    SELECT alert_id, to_state,
      row_number() OVER (PARTITION BY alert_id ORDER BY at_ms DESC, id DESC) AS rn
    FROM alert_history WHERE at_ms <= $open_at
  ) WHERE rn = 1 AND to_state <> 'closed')`;

function text(name: string, value: string | undefined): Param {
  return { name, value: value ?? null, type: VARCHAR };
}

function ms(name: string, value: number | undefined): Param {
  return { name, value: value === undefined ? null : BigInt(Math.floor(value)), type: BIGINT };
}

function int(name: string, value: number): Param {
  return { name, value, type: INTEGER };
}

export function listQuery(q: AlertQuery): Query {
  const conditions: (Condition | undefined)[] = [
    eq("status", "status", q.status),
    eq("subject", "subject", q.subject),
    eq("rule_id", "rule_id", q.ruleId),
    eq("domain", "domain", q.domain),
    eq("commune", "commune", q.commune),
    eq("operator_id", "operator_id", q.operatorId),
    q.cleared === undefined
      ? undefined
      : { sql: q.cleared ? "cleared_at IS NOT NULL" : "cleared_at IS NULL", params: [] },
    q.beforeId === undefined ? undefined : { sql: "id < $before_id", params: [ms("before_id", q.beforeId)] },
    q.openAt === undefined ? undefined : { sql: OPEN_AT, params: [ms("open_at", q.openAt)] },
  ];
  const limit = ms("limit", Math.max(0, q.limit));
  const params = conditions.flatMap((c) => c?.params ?? []);
  return {
    sql: `SELECT ${COLUMNS} FROM alerts ${where(conditions)} ORDER BY id DESC LIMIT $limit`,
    params: [...params, limit],
  };
}

export function alertsAfterQuery(afterId: number, limit: number): Query {
  return { sql: ALERTS_AFTER, params: [ms("after", Math.max(0, afterId)), ms("limit", Math.max(0, limit))] };
}

export function commentsQuery(ids: readonly number[]): Query {
  const value = listValue(ids.map((id) => BigInt(id)));
  return { sql: COMMENTS_OF, params: [{ name: "ids", value, type: LIST(BIGINT) }] };
}

export function historyQuery(alertId: number): Query {
  return { sql: HISTORY_OF, params: [ms("id", alertId)] };
}

/** Runs one statement; returns how many rows it changed. */
export async function exec(
  connection: DuckDBConnection,
  sql: string,
  params: readonly Param[],
): Promise<number> {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, NonNullable<Param["type"]>> = {};
  for (const p of params) {
    values[p.name] = p.value;
    if (p.type) types[p.name] = p.type;
  }
  const result = await connection.run(sql, values, types);
  return result.rowsChanged;
}

export async function insertAlert(connection: DuckDBConnection, alert: Alert, key: string): Promise<void> {
  const children = alert.children === undefined ? null : listValue(alert.children);
  await exec(connection, INSERT_ALERT, [
    ms("id", alert.id),
    text("key", key),
    text("rule_id", alert.ruleId),
    text("subject", alert.subject),
    text("severity", alert.severity),
    text("domain", alert.domain),
    text("commune", alert.commune),
    text("operator_id", alert.operatorId),
    text("detail", alert.detail),
    { name: "children", value: children, type: LIST(VARCHAR) },
    text("status", alert.status),
    ms("opened_at", alert.openedAt),
    int("version", alert.version),
    text("kind", alert.kind),
  ]);
}

/** Writes a change to an existing alert; false when its version moved (nothing written). */
export async function updateAlert(connection: DuckDBConnection, change: Change): Promise<boolean> {
  const a = change.alert;
  const changed = await exec(connection, UPDATE_ALERT, [
    ms("id", a.id),
    int("previous", a.version - 1),
    text("status", a.status),
    ms("acknowledged_at", a.acknowledgedAt),
    text("acknowledged_by", a.acknowledgedBy),
    ms("cleared_at", a.clearedAt),
    ms("closed_at", a.closedAt),
    text("closed_by", a.closedBy),
    text("assignee", a.assignee),
    int("version", a.version),
    {
      name: "children",
      value: a.children === undefined ? null : listValue(a.children),
      type: LIST(VARCHAR),
    },
    ms("time_to_acknowledge_ms", a.timeToAcknowledgeMs),
    ms("time_to_repair_ms", a.timeToRepairMs),
  ]);
  if (changed !== 1) return false;
  if (a.status === "closed") await exec(connection, FREE_KEY, [ms("id", a.id)]);
  if (change.comment) await insertComment(connection, a.id, a.comments.length, change.comment);
  return true;
}

async function insertComment(connection: DuckDBConnection, alertId: number, seq: number, c: AlertComment) {
  await exec(connection, INSERT_COMMENT, [
    ms("alert_id", alertId),
    int("seq", seq),
    text("author", c.author),
    ms("at", c.at),
    text("text", c.text),
  ]);
}

/** Appends the change to the history with the subject's state around it; returns the record. */
export async function insertHistory(
  connection: DuckDBConnection,
  change: Change,
  subjectBefore: SubjectState,
  subjectAfter: SubjectState,
): Promise<AlertChange> {
  const snapshot: Snapshot = { alert: { ...change.alert, comments: [] } };
  if (change.comment) snapshot.comment = change.comment;
  const rows = await query(connection, INSERT_HISTORY, [
    ms("alert_id", change.alert.id),
    ms("at", change.at),
    text("by", change.by),
    text("event", change.event),
    text("from_state", change.fromState),
    text("to_state", change.toState),
    text("snapshot", JSON.stringify(snapshot)),
    text("subject_before", subjectBefore),
    text("subject_after", subjectAfter),
  ]);
  const entry = historyEntryOf(change, num(rows[0]?.id));
  return changeRecord(entry, change, subjectBefore, subjectAfter);
}

/** What the history keeps of the alert at each change (the stream's payload). */
interface Snapshot {
  alert: Alert;
  comment?: AlertComment;
}

function historyEntryOf(change: Change, id: number): AlertHistoryEntry {
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

/** One column of rows restore() writes: its name (a constant of this file), type and values. */
interface Column {
  name: string;
  type: DuckDBType;
  values: DuckDBValue[];
}

/**
 * Inserts rows given column by column in one statement (`SELECT unnest($a), unnest($b)...` zips
 * the lists): a restore page of thousands of rows costs one round trip, not one per row. Table and
 * column names are constants of this file; the values travel as bound list parameters.
 */
async function insertColumns(connection: DuckDBConnection, table: string, columns: readonly Column[]) {
  if ((columns[0]?.values.length ?? 0) === 0) return;
  const names = columns.map((c) => c.name);
  const select = names.map((n) => `unnest($${n})`).join(", ");
  const params = columns.map((c) => ({ name: c.name, value: listValue(c.values), type: LIST(c.type) }));
  await exec(connection, `INSERT INTO ${table} (${names.join(", ")}) SELECT ${select}`, params);
}

function column<T>(
  rows: readonly T[],
  name: string,
  type: DuckDBType,
  value: (row: T) => DuckDBValue | undefined,
): Column {
  return { name, type, values: rows.map((r) => value(r) ?? null) };
}

function big(value: number | undefined): bigint | undefined {
  return value === undefined ? undefined : BigInt(Math.floor(value));
}

/** Writes alerts as given, every column, with their comments; `active_key` as raise() keeps it. */
export async function restoreAlerts(connection: DuckDBConnection, alerts: readonly Alert[]): Promise<void> {
  const children = (a: Alert) => (a.children === undefined ? null : listValue(a.children));
  await insertColumns(connection, "alerts", [
    column(alerts, "id", BIGINT, (a) => big(a.id)),
    column(alerts, "active_key", VARCHAR, (a) =>
      a.status === "closed" ? undefined : activeKey(a.subject, a.ruleId),
    ),
    column(alerts, "rule_id", VARCHAR, (a) => a.ruleId),
    column(alerts, "subject", VARCHAR, (a) => a.subject),
    column(alerts, "severity", VARCHAR, (a) => a.severity),
    column(alerts, "domain", VARCHAR, (a) => a.domain),
    column(alerts, "commune", VARCHAR, (a) => a.commune),
    column(alerts, "operator_id", VARCHAR, (a) => a.operatorId),
    column(alerts, "detail", VARCHAR, (a) => a.detail),
    column(alerts, "children", LIST(VARCHAR), children),
    column(alerts, "status", VARCHAR, (a) => a.status),
    column(alerts, "opened_at", BIGINT, (a) => big(a.openedAt)),
    column(alerts, "acknowledged_at", BIGINT, (a) => big(a.acknowledgedAt)),
    column(alerts, "acknowledged_by", VARCHAR, (a) => a.acknowledgedBy),
    column(alerts, "cleared_at", BIGINT, (a) => big(a.clearedAt)),
    column(alerts, "closed_at", BIGINT, (a) => big(a.closedAt)),
    column(alerts, "closed_by", VARCHAR, (a) => a.closedBy),
    column(alerts, "assignee", VARCHAR, (a) => a.assignee),
    column(alerts, "version", INTEGER, (a) => a.version),
    column(alerts, "time_to_acknowledge_ms", BIGINT, (a) => big(a.timeToAcknowledgeMs)),
    column(alerts, "time_to_repair_ms", BIGINT, (a) => big(a.timeToRepairMs)),
    column(alerts, "kind", VARCHAR, (a) => a.kind),
  ]);
  const comments = alerts.flatMap((a) => a.comments.map((c, seq) => ({ ...c, alertId: a.id, seq })));
  await insertColumns(connection, "alert_comments", [
    column(comments, "alert_id", BIGINT, (c) => big(c.alertId)),
    column(comments, "seq", INTEGER, (c) => c.seq),
    column(comments, "author", VARCHAR, (c) => c.author),
    column(comments, "at_ms", BIGINT, (c) => big(c.at)),
    column(comments, "text", VARCHAR, (c) => c.text),
  ]);
}

/** Writes history rows as given: their ids (not the sequence's), and the snapshot changes() answers from. */
export async function restoreHistory(
  connection: DuckDBConnection,
  records: readonly AlertChange[],
): Promise<void> {
  const snapshot = (r: AlertChange) => {
    const kept: Snapshot = { alert: { ...r.alert, comments: [] } };
    if (r.comment) kept.comment = r.comment;
    return JSON.stringify(kept);
  };
  await insertColumns(connection, "alert_history", [
    column(records, "id", BIGINT, (r) => big(r.id)),
    column(records, "alert_id", BIGINT, (r) => big(r.alertId)),
    column(records, "at_ms", BIGINT, (r) => big(r.at)),
    column(records, "actor", VARCHAR, (r) => r.by),
    column(records, "event", VARCHAR, (r) => r.event),
    column(records, "from_state", VARCHAR, (r) => r.fromState),
    column(records, "to_state", VARCHAR, (r) => r.toState),
    column(records, "snapshot", VARCHAR, snapshot),
    column(records, "subject_before", VARCHAR, (r) => r.subjectBefore),
    column(records, "subject_after", VARCHAR, (r) => r.subjectAfter),
  ]);
}

/** The active keys among `keys` that an alert not closed already holds. */
export async function takenKeys(connection: DuckDBConnection, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const value = listValue([...keys]);
  const rows = await query(connection, TAKEN_KEYS, [{ name: "keys", value, type: LIST(VARCHAR) }]);
  return rows.map((r) => str(r.active_key));
}

/**
 * Moves a sequence so that its next value is above `highest`; leaves it when it already is.
 * DuckDB has no ALTER SEQUENCE ... RESTART: the sequence is replaced, inside the caller's
 * transaction (DDL is transactional in DuckDB, so a rollback restores it). The start is a safe
 * integer the caller checked, written into the text because DDL takes no parameters.
 */
export async function moveSequencePast(
  connection: DuckDBConnection,
  name: (typeof SEQUENCES)[keyof typeof SEQUENCES],
  highest: number,
): Promise<void> {
  const rows = await query(connection, SEQUENCE_LAST, [text("name", name)]);
  const last = num(rows[0]?.id ?? 0);
  if (highest <= last || !Number.isSafeInteger(highest)) return;
  await connection.run(`CREATE OR REPLACE SEQUENCE ${name} START ${highest + 1}`);
}

export async function activeKinds(
  connection: DuckDBConnection,
  subject: string,
): Promise<(string | undefined)[]> {
  const rows = await query(connection, ACTIVE_KINDS, [text("subject", subject)]);
  return rows.map((r) => (r.kind === null || r.kind === undefined ? undefined : str(r.kind)));
}

export function changesQuery(afterId: number, limit: number): Query {
  return {
    sql: CHANGES_AFTER,
    params: [ms("after", Math.max(0, afterId)), ms("limit", Math.max(0, limit))],
  };
}

/**
 * A history row as a change record. Rows written before the history kept snapshots have none:
 * `current` (the alert as it is now) stands in for them, and their subject states read "ok".
 */
export function toChange(row: Row, current: (alertId: number) => Alert | undefined): AlertChange | undefined {
  const entry = toHistoryEntry(row);
  const snapshot =
    row.snapshot === null || row.snapshot === undefined
      ? undefined
      : (JSON.parse(str(row.snapshot)) as Snapshot);
  const alert = snapshot?.alert ?? current(entry.alertId);
  if (!alert) return undefined;
  const record: AlertChange = {
    ...entry,
    alert: { ...alert, comments: [] },
    subjectBefore: subjectOf(row.subject_before),
    subjectAfter: subjectOf(row.subject_after),
  };
  if (snapshot?.comment) record.comment = snapshot.comment;
  return record;
}

function subjectOf(value: DuckDBValue | undefined): SubjectState {
  return value === "fault" || value === "silent" ? value : "ok";
}

/** Reads alerts with their comments on one connection (inside the caller's transaction). */
export async function readAlerts(connection: DuckDBConnection, q: Query): Promise<Alert[]> {
  const rows = await query(connection, q.sql, q.params);
  if (rows.length === 0) return [];
  const alerts = rows.map(toAlert);
  const c = commentsQuery(alerts.map((a) => a.id));
  const byId = new Map(alerts.map((a) => [a.id, a]));
  for (const row of await query(connection, c.sql, c.params)) {
    byId
      .get(num(row.alert_id))
      ?.comments.push({ author: str(row.author), at: num(row.at_ms), text: str(row.text) });
  }
  return alerts;
}

export function toAlert(row: Row): Alert {
  const alert: Alert = {
    id: num(row.id),
    ruleId: str(row.rule_id),
    subject: str(row.subject),
    severity: str(row.severity) as Alert["severity"],
    domain: str(row.domain),
    detail: str(row.detail),
    status: str(row.status) as Alert["status"],
    openedAt: num(row.opened_at),
    comments: [],
    version: num(row.version),
  };
  setText(alert, "commune", row.commune);
  setText(alert, "operatorId", row.operator_id);
  setText(alert, "acknowledgedBy", row.acknowledged_by);
  setText(alert, "closedBy", row.closed_by);
  setText(alert, "assignee", row.assignee);
  setText(alert, "kind", row.kind);
  setNumber(alert, "acknowledgedAt", row.acknowledged_at);
  setNumber(alert, "clearedAt", row.cleared_at);
  setNumber(alert, "closedAt", row.closed_at);
  setNumber(alert, "timeToAcknowledgeMs", row.time_to_acknowledge_ms);
  setNumber(alert, "timeToRepairMs", row.time_to_repair_ms);
  if (row.children instanceof DuckDBListValue) alert.children = row.children.items.map((v) => String(v));
  return alert;
}

export function toHistoryEntry(row: Row): AlertHistoryEntry {
  const entry: AlertHistoryEntry = {
    id: num(row.id),
    alertId: num(row.alert_id),
    at: num(row.at_ms),
    by: str(row.actor),
    event: str(row.event) as AlertHistoryEntry["event"],
    toState: str(row.to_state) as AlertHistoryEntry["toState"],
  };
  if (row.from_state !== null && row.from_state !== undefined) {
    entry.fromState = str(row.from_state) as AlertHistoryEntry["toState"];
  }
  return entry;
}

type TextKey = "commune" | "operatorId" | "acknowledgedBy" | "closedBy" | "assignee" | "kind";
type NumberKey = "acknowledgedAt" | "clearedAt" | "closedAt" | "timeToAcknowledgeMs" | "timeToRepairMs";

/** Absent stays absent (not `undefined` properties), so both adapters answer the same objects. */
function setText(alert: Alert, key: TextKey, value: DuckDBValue | undefined): void {
  if (value !== null && value !== undefined) alert[key] = str(value);
}

function setNumber(alert: Alert, key: NumberKey, value: DuckDBValue | undefined): void {
  if (value !== null && value !== undefined) alert[key] = num(value);
}

function num(value: DuckDBValue | undefined): number {
  return Number(value);
}

function str(value: DuckDBValue | undefined): string {
  return String(value);
}
