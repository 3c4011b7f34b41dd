import { alertView } from "../../access/alert-reads.ts";
import type { AlertChange } from "../types.ts";

/**
 * The wire shape of one change of the alert history, shared by every sink that carries it (the
 * live stream's `alert` and `device` events, the webhooks' bodies): one place decides what a
 * receiver sees of an alert, so the two never drift apart.
 */

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The change itself and the alert just after it (the SSE `alert` event's data). */
export function alertEvent(change: AlertChange) {
  return {
    id: change.id,
    event: change.event,
    at: iso(change.at),
    by: change.by,
    fromState: change.fromState ?? null,
    toState: change.toState,
    alert: alertView(change.alert),
    comment: change.comment
      ? { author: change.comment.author, at: iso(change.comment.at), text: change.comment.text }
      : null,
  };
}

/** The subject's state after the change (the SSE `device` event's data). */
export function deviceEvent(change: AlertChange) {
  return {
    subject: change.alert.subject,
    state: change.subjectAfter,
    previous: change.subjectBefore,
    at: iso(change.at),
    alert: change.alertId,
    children: change.alert.children ?? [],
  };
}

/**
 * A webhook's body: one change per request. `change` is exactly the live stream's `alert` event
 * data and `device` its `device` event data, or null when the change left the subject's state as
 * it was. `delivery` repeats the `x-lanterne-delivery` header (the history id) for receivers that
 * keep only bodies.
 */
export function webhookBody(change: AlertChange) {
  return {
    delivery: String(change.id),
    event: `alert.${change.event}`,
    change: alertEvent(change),
    device: change.subjectBefore === change.subjectAfter ? null : deviceEvent(change),
  };
}
