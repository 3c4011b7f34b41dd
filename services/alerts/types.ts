import type { EpochMs } from "../domain/types.ts";

/** Alert vocabulary shared by the port, the lifecycle rules and every adapter. */

export type Severity = "info" | "minor" | "major" | "critical";

/**
 * The human workflow: a person acknowledges, a technician closes. Whether the condition still
 * holds is separate (`clearedAt`): the data clears an alert, only a person closes it, so a fault
 * that came and went stays visible until someone has looked at it.
 */
export type AlertStatus = "open" | "acknowledged" | "closed";

/**
 * The state an alert shows at one instant, as recorded in the history: the workflow status, with
 * "cleared" standing for "the condition ended, not closed yet".
 */
export type AlertState = "open" | "acknowledged" | "cleared" | "closed";

export type AlertEvent =
  | "raised"
  | "acknowledged"
  | "cleared"
  | "reopened"
  | "closed"
  | "assigned"
  | "commented"
  /** A correlated alert's children grew: more devices behind the same cabinet, gateway or feed. */
  | "regrouped";

/** What a rule says when its condition holds. */
export interface AlertInput {
  ruleId: string;
  /** A device id, or a group: "cabinet:arm-57038-01", "gateway:aa55...", "operator:lumiere-est". */
  subject: string;
  severity: Severity;
  domain: string;
  commune?: string;
  operatorId?: string;
  detail: string;
  /** Device ids behind a correlated alert (a cabinet's streetlights, a gateway's devices). */
  children?: string[];
  /**
   * The rule kind that raised it ("silence", "band"...): it decides what the alert says of its
   * subject's state (a silence makes the subject "silent", any other kind "fault").
   */
  kind?: string;
}

export interface AlertComment {
  author: string;
  at: EpochMs;
  /** Plain text, stored as given: escaping is the job of whatever renders it. */
  text: string;
}

export interface Alert extends AlertInput {
  id: number;
  status: AlertStatus;
  openedAt: EpochMs;
  acknowledgedAt?: EpochMs;
  acknowledgedBy?: string;
  /** Set while the condition has ended; removed when it comes back (reopening). */
  clearedAt?: EpochMs;
  closedAt?: EpochMs;
  closedBy?: string;
  assignee?: string;
  comments: AlertComment[];
  /** +1 on every change: callers pass the version they saw (optimistic concurrency). */
  version: number;
  /** acknowledgedAt - openedAt, kept so that reports need not recompute it. */
  timeToAcknowledgeMs?: number;
  /** clearedAt - openedAt at the last clearing: how long the fault lasted. */
  timeToRepairMs?: number;
}

export interface AlertHistoryEntry {
  id: number;
  alertId: number;
  at: EpochMs;
  /** The person, or "system" for what the data did (raise, clear, reopen). */
  by: string;
  event: AlertEvent;
  /** Undefined for "raised": there was no alert before. */
  fromState?: AlertState;
  toState: AlertState;
}

export interface AlertQuery {
  /** The workflow status. */
  status?: AlertStatus;
  /** true: only alerts whose condition has ended; false: only those still active. */
  cleared?: boolean;
  subject?: string;
  ruleId?: string;
  domain?: string;
  commune?: string;
  operatorId?: string;
  /** Alerts raised at or before T and not closed at T (cleared ones included), from the history. */
  openAt?: EpochMs;
  limit: number;
  /** Paging: newest first, ids strictly below this one. */
  beforeId?: number;
}

/**
 * What the active alerts of a subject say of it: "fault" while any alert other than a silence is
 * active (neither cleared nor closed), "silent" while only silences are, "ok" otherwise. A
 * correlated alert gives the same state to each of its children.
 */
export type SubjectState = "ok" | "fault" | "silent";

/**
 * One change of the history, as the live stream and the webhooks carry it: the history entry, the
 * alert just after the change (its comments left out: the change's own comment, if any, is in
 * `comment`), and the state of its subject before and after.
 */
export interface AlertChange extends AlertHistoryEntry {
  alert: Alert;
  comment?: AlertComment;
  subjectBefore: SubjectState;
  subjectAfter: SubjectState;
}

/** The author of what the data does, in the history. */
export const SYSTEM = "system";
