import type { EpochMs } from "../domain/types.ts";
import { AlertCommentError, AlertStaleError, AlertTransitionError, MAX_COMMENT_LENGTH } from "./errors.ts";
import type {
  Alert,
  AlertChange,
  AlertComment,
  AlertEvent,
  AlertHistoryEntry,
  AlertInput,
  AlertQuery,
  AlertState,
  SubjectState,
} from "./types.ts";
import { SYSTEM } from "./types.ts";

/**
 * The lifecycle rules, as pure functions over an alert: every adapter applies the same ones and
 * only persists their result, so the rules cannot drift between the in-memory twin and DuckDB.
 */

/** One change: the alert after it, and what the history records. */
export interface Change {
  alert: Alert;
  event: AlertEvent;
  by: string;
  at: EpochMs;
  fromState?: AlertState;
  toState: AlertState;
  /** The comment added by this change, if any (adapters that store comments apart need it). */
  comment?: AlertComment;
}

export function stateOf(alert: Alert): AlertState {
  if (alert.status === "closed") return "closed";
  if (alert.clearedAt !== undefined) return "cleared";
  return alert.status;
}

/** The key raise() is idempotent on, among alerts not closed. */
export function activeKey(subject: string, ruleId: string): string {
  // "|" cannot be confused: the key is only ever compared whole, never split.
  return `${subject}|${ruleId}`;
}

/** A new alert; `id` is the adapter's. */
export function opened(id: number, input: AlertInput, at: EpochMs): Change {
  const alert: Alert = { ...copyInput(input), id, status: "open", openedAt: at, comments: [], version: 1 };
  return { alert, event: "raised", by: SYSTEM, at, toState: "open" };
}

/** The condition is back on an alert not closed: the same alert becomes active again. */
export function reopened(alert: Alert, at: EpochMs): Change | undefined {
  if (alert.status === "closed" || alert.clearedAt === undefined) return undefined;
  const next = bump(alert);
  delete next.clearedAt;
  return change(alert, next, "reopened", SYSTEM, at);
}

/**
 * A raise of an active correlated alert naming more children: the same alert, its list grown.
 * Undefined when the list is the same (a replayed raise changes nothing).
 */
export function regrouped(
  alert: Alert,
  children: readonly string[] | undefined,
  at: EpochMs,
): Change | undefined {
  if (children === undefined || alert.status === "closed") return undefined;
  const before = alert.children ?? [];
  if (before.length === children.length && before.every((c, i) => c === children[i])) return undefined;
  return change(alert, { ...bump(alert), children: [...children] }, "regrouped", SYSTEM, at);
}

/** The condition ended; undefined when already cleared (clear is idempotent) or closed. */
export function cleared(alert: Alert, at: EpochMs): Change | undefined {
  if (alert.status === "closed" || alert.clearedAt !== undefined) return undefined;
  const next = { ...bump(alert), clearedAt: at, timeToRepairMs: at - alert.openedAt };
  return change(alert, next, "cleared", SYSTEM, at);
}

export function acknowledged(alert: Alert, by: string, at: EpochMs, expectedVersion: number): Change {
  checkVersion(alert, expectedVersion);
  if (alert.status !== "open") throw new AlertTransitionError(alert.id, "acknowledged", stateOf(alert));
  const next: Alert = {
    ...bump(alert),
    status: "acknowledged",
    acknowledgedAt: at,
    acknowledgedBy: by,
    timeToAcknowledgeMs: at - alert.openedAt,
  };
  return change(alert, next, "acknowledged", by, at);
}

/** Closing is legal from open and acknowledged, cleared or not. */
export function closed(alert: Alert, by: string, at: EpochMs, expectedVersion: number): Change {
  checkVersion(alert, expectedVersion);
  if (alert.status === "closed") throw new AlertTransitionError(alert.id, "closed", "closed");
  const next: Alert = { ...bump(alert), status: "closed", closedAt: at, closedBy: by };
  return change(alert, next, "closed", by, at);
}

export function assigned(
  alert: Alert,
  assignee: string,
  by: string,
  at: EpochMs,
  expectedVersion: number,
): Change {
  checkVersion(alert, expectedVersion);
  if (alert.status === "closed") throw new AlertTransitionError(alert.id, "assigned", "closed");
  return change(alert, { ...bump(alert), assignee }, "assigned", by, at);
}

/**
 * Comments are accepted on closed alerts too: the report written after the repair is the
 * comment most worth keeping.
 */
export function commented(
  alert: Alert,
  author: string,
  text: string,
  at: EpochMs,
  expectedVersion: number,
): Change {
  checkComment(text);
  checkVersion(alert, expectedVersion);
  const comment: AlertComment = { author, at, text };
  const next = { ...bump(alert), comments: [...alert.comments, comment] };
  return { ...change(alert, next, "commented", author, at), comment };
}

function checkComment(text: string): void {
  if (text.trim().length === 0) throw new AlertCommentError("empty");
  if (text.length > MAX_COMMENT_LENGTH) throw new AlertCommentError(`over ${MAX_COMMENT_LENGTH} characters`);
}

/** Checked before the transition, so that a stale caller learns it is stale, not a derived 409. */
function checkVersion(alert: Alert, expectedVersion: number): void {
  if (alert.version !== expectedVersion) throw new AlertStaleError(alert.id, alert.version, expectedVersion);
}

function bump(alert: Alert): Alert {
  return { ...alert, comments: [...alert.comments], version: alert.version + 1 };
}

function change(before: Alert, after: Alert, event: AlertEvent, by: string, at: EpochMs): Change {
  return { alert: after, event, by, at, fromState: stateOf(before), toState: stateOf(after) };
}

/** Only the input's own fields, so that a caller's extra properties never reach storage. */
function copyInput(input: AlertInput): AlertInput {
  const copy: AlertInput = {
    ruleId: input.ruleId,
    subject: input.subject,
    severity: input.severity,
    domain: input.domain,
    detail: input.detail,
  };
  if (input.commune !== undefined) copy.commune = input.commune;
  if (input.operatorId !== undefined) copy.operatorId = input.operatorId;
  if (input.children !== undefined) copy.children = [...input.children];
  if (input.kind !== undefined) copy.kind = input.kind;
  return copy;
}

/** Whether the alert passes the query's filters other than openAt and paging. */
export function matches(alert: Alert, query: AlertQuery): boolean {
  if (query.status !== undefined && alert.status !== query.status) return false;
  if (query.cleared !== undefined && (alert.clearedAt !== undefined) !== query.cleared) return false;
  if (query.subject !== undefined && alert.subject !== query.subject) return false;
  if (query.ruleId !== undefined && alert.ruleId !== query.ruleId) return false;
  if (query.domain !== undefined && alert.domain !== query.domain) return false;
  if (query.commune !== undefined && alert.commune !== query.commune) return false;
  if (query.operatorId !== undefined && alert.operatorId !== query.operatorId) return false;
  if (query.beforeId !== undefined && alert.id >= query.beforeId) return false;
  return true;
}

/** Whether the alert speaks of its subject now: neither cleared nor closed. */
export function isActive(alert: Pick<Alert, "status" | "clearedAt">): boolean {
  return alert.status !== "closed" && alert.clearedAt === undefined;
}

/** The subject's state from the kinds of its active alerts (types.ts, SubjectState). */
export function subjectState(activeKinds: Iterable<string | undefined>): SubjectState {
  let state: SubjectState = "ok";
  for (const kind of activeKinds) {
    if (kind !== SILENCE_KIND) return "fault";
    state = "silent";
  }
  return state;
}

export const SILENCE_KIND = "silence";

/** The change as the stream carries it: the alert without its comments, the change's own comment apart. */
export function changeRecord(
  entry: AlertHistoryEntry,
  change: Change,
  subjectBefore: SubjectState,
  subjectAfter: SubjectState,
): AlertChange {
  const record: AlertChange = {
    ...entry,
    alert: {
      ...change.alert,
      comments: [],
      ...(change.alert.children ? { children: [...change.alert.children] } : {}),
    },
    subjectBefore,
    subjectAfter,
  };
  if (change.comment) record.comment = { ...change.comment };
  return record;
}
