import { alertPages } from "../alerts/pages.ts";
import type { AlertStore } from "../alerts/store.ts";
import type { Alert, AlertHistoryEntry, AlertQuery, AlertState } from "../alerts/types.ts";
import { BadRequestError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";

/**
 * Alerts as they stood at a past instant, from their history: the store's `openAt` gives the
 * alerts raised at or before T and not closed at T, the history says whether each was also
 * cleared at T (an alert may be open today and have been cleared then, or the reverse).
 */

/**
 * At most this many pages of alerts (services/alerts/pages.ts): a territory has tens open at once,
 * and 20,000 would be a flood no view at an instant could show usefully (the oldest are left out).
 */
const MAX_PAGES = 20;
/** History reads in flight at once. */
const HISTORY_CONCURRENCY = 16;

export type AlertsAtStore = Pick<AlertStore, "list" | "history">;

/**
 * A browser's clock may run a little ahead of the server's: an instant up to this far ahead is
 * taken as now, so that a page asking for "now" by its own clock is not refused.
 */
export const CLOCK_SKEW_MS = 60_000;

/**
 * An instant asked of the past: now or before it, never after (nothing is known of it yet). An
 * instant within the clock skew ahead is answered as now.
 */
export function checkInstant(at: EpochMs, now: EpochMs): EpochMs {
  if (at > now + CLOCK_SKEW_MS) throw new BadRequestError("at must not be in the future");
  return Math.min(at, now);
}

/**
 * The state the history gives the alert at `at`: that of its last entry at or before it (equal
 * times: the later entry), undefined when it was not raised yet.
 */
export function stateAt(history: readonly AlertHistoryEntry[], at: EpochMs): AlertState | undefined {
  let last: AlertHistoryEntry | undefined;
  for (const e of history) {
    if (e.at > at) continue;
    if (!last || e.at > last.at || (e.at === last.at && e.id > last.id)) last = e;
  }
  return last?.toState;
}

/** Whether the alert spoke of its subject at that instant: raised, neither cleared nor closed. */
export function activeState(state: AlertState | undefined): boolean {
  return state === "open" || state === "acknowledged";
}

/**
 * The alerts active at `at` (neither cleared nor closed then) among those `relevant` keeps, under
 * the operator's name when one is given. Cost: one list of the alerts open at T, then one
 * history read per relevant alert.
 */
export async function activeAlertsAt(
  store: AlertsAtStore,
  at: EpochMs,
  operatorId: string | undefined,
  relevant: (alert: Alert) => boolean,
): Promise<Alert[]> {
  const open = (await openAt(store, at, operatorId)).filter(relevant);
  const active: Alert[] = [];
  for (let i = 0; i < open.length; i += HISTORY_CONCURRENCY) {
    const chunk = open.slice(i, i + HISTORY_CONCURRENCY);
    const states = await Promise.all(chunk.map(async (a) => stateAt(await store.history(a.id), at)));
    chunk.forEach((a, j) => {
      if (activeState(states[j])) active.push(a);
    });
  }
  return active;
}

function openAt(store: AlertsAtStore, at: EpochMs, operatorId: string | undefined): Promise<Alert[]> {
  return allPages(store, { openAt: at, ...(operatorId !== undefined ? { operatorId } : {}) });
}

/** The alerts a query finds, newest first, up to MAX_PAGES pages. */
function allPages(store: AlertsAtStore, query: Omit<AlertQuery, "limit" | "beforeId">): Promise<Alert[]> {
  return alertPages(store, query, { maxPages: MAX_PAGES });
}

/**
 * The alerts active now (neither cleared nor closed), under the operator's name when one is
 * given: their current status says it, no history is read. Bounded as `openAt` is.
 */
export async function activeAlertsNow(
  store: AlertsAtStore,
  operatorId: string | undefined,
): Promise<Alert[]> {
  const found = await allPages(store, {
    cleared: false,
    ...(operatorId !== undefined ? { operatorId } : {}),
  });
  return found.filter((a) => a.status !== "closed");
}
