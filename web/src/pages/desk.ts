import { ApiError, getJson, send } from "../api.ts";
import { type Filters, matches, readFilters, refreshChoices } from "../desk/filters.ts";
import { followAlerts } from "../desk/live.ts";
import { createCriticalNotice } from "../desk/notice.ts";
import type { Act, AlertEvent, AlertPage, AlertView } from "../desk/types.ts";
import { alertItem } from "../desk/view.ts";
import { replaceChildren } from "../dom.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { desk } from "../i18n/desk.ts";
import { setUpPage } from "../page.ts";
import { mountShell, orLogin, redirectToLogin } from "../shell.ts";

/**
 * The alert desk (`/alertes`, `/alerts` in English): the alerts the logged-in person may read
 * (`GET /api/v1/alerts`), kept up to date by the live stream (`GET /api/v1/events`), filtered in
 * the page, with the staff's acts (acknowledge, assign, comment, close) sent with the version
 * shown. An act on an alert that changed meanwhile (409 ERR_ALERT_STALE) reloads it and says so.
 */

/** The newest alerts loaded at start; the live stream adds what comes after. */
const LOAD_LIMIT = 1000;

interface Desk {
  lang: Lang;
  canAct: boolean;
  alerts: Map<number, AlertView>;
  expanded: Set<number>;
  form: HTMLFormElement;
  list: HTMLElement;
  status: HTMLElement;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/alerts"]);
  setUpPage(lang, desk[lang]);
  const form = document.getElementById("filters");
  const list = document.getElementById("alerts");
  const status = document.getElementById("status");
  if (!(form instanceof HTMLFormElement) || !list || !status) return;
  const me = await mountShell({ active: "alerts", lang });
  const state: Desk = {
    lang,
    canAct: me.role !== "operator",
    alerts: new Map(),
    expanded: new Set(),
    form,
    list,
    status,
  };
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("input", () => render(state));
  form.addEventListener("change", () => render(state));
  startLive(state);
  status.textContent = desk[lang].loading;
  try {
    const page = await orLogin(lang, () => getJson<AlertPage>(`/api/v1/alerts?limit=${LOAD_LIMIT}`));
    for (const alert of page.entries) keep(state, alert);
    render(state);
    document.body.dataset.ready = "true";
  } catch {
    status.textContent = desk[lang].loadFailed;
  }
}

function startLive(state: Desk): void {
  const live = document.getElementById("live");
  const notice = createCriticalNotice(state.lang);
  const t = desk[state.lang];
  followAlerts({
    onAlert(event) {
      const known = state.alerts.get(event.alert.id);
      if (!known && event.event !== "raised") {
        // An older alert than those loaded: read it whole (the stream leaves its comments out).
        void getJson<AlertView>(`/api/v1/alerts/${event.alert.id}`).then((alert) => {
          keep(state, alert);
          render(state);
        });
        return;
      }
      keep(state, withComments(event, known));
      if (event.event === "raised" && !known && event.alert.severity === "critical")
        notice.raised(event.alert);
      render(state);
    },
    onState(open) {
      if (live) live.textContent = open ? t.live : t.liveLost;
    },
    onRefused() {
      void getJson("/api/v1/me").catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) redirectToLogin(state.lang);
      });
    },
  });
}

/** The live alert with the comments already shown, and the change's own comment if it has one. */
function withComments(event: AlertEvent, known: AlertView | undefined): AlertView {
  const comments = [...(known?.comments ?? [])];
  const c = event.comment;
  if (c && !comments.some((k) => k.at === c.at && k.author === c.author && k.text === c.text))
    comments.push(c);
  return { ...event.alert, comments };
}

/** An alert as last seen: a lower version (a list read before a live change) never wins. */
function keep(state: Desk, alert: AlertView): void {
  const known = state.alerts.get(alert.id);
  if (!known || known.version <= alert.version) state.alerts.set(alert.id, alert);
}

/**
 * The list, newest first, filtered. Items whose alert did not change are kept as they are, so
 * that what is being typed in another alert's form, and the focus, survive a live update.
 */
function render(state: Desk): void {
  const t = desk[state.lang];
  refreshChoices(state.form, state.alerts.values(), state.lang);
  const filters: Filters = readFilters(state.form);
  const shown = [...state.alerts.values()].filter((a) => matches(a, filters)).sort((a, b) => b.id - a.id);
  const existing = new Map<number, HTMLElement>();
  for (const node of state.list.querySelectorAll<HTMLElement>(":scope > li[data-alert-id]")) {
    existing.set(Number(node.dataset.alertId), node);
  }
  const items = shown.map((alert) => {
    const node = existing.get(alert.id);
    const expanded = state.expanded.has(alert.id);
    if (node && drawn.get(node) === alert && isExpanded(node) === expanded) return node;
    return draw(state, alert, expanded);
  });
  const focused = document.activeElement;
  replaceChildren(state.list, ...items);
  if (focused instanceof HTMLElement && !state.list.contains(focused) && focused.id) {
    document.getElementById(focused.id)?.focus();
  }
  state.status.textContent =
    shown.length === 0 ? t.none : shown.length === 1 ? t.countOne : fill(t.count, { n: shown.length });
}

/** Which alert each item shows: an item is redrawn only when its alert is another object. */
const drawn = new WeakMap<HTMLElement, AlertView>();

function draw(state: Desk, alert: AlertView, expanded: boolean): HTMLElement {
  const node = alertItem(alert, {
    lang: state.lang,
    canAct: state.canAct,
    expanded,
    onToggle: (id) => toggle(state, id),
    onAct: (a, act) => void perform(state, a, act),
  });
  drawn.set(node, alert);
  return node;
}

function isExpanded(node: HTMLElement): boolean {
  return node.querySelector("[data-toggle=devices]")?.getAttribute("aria-expanded") === "true";
}

function toggle(state: Desk, id: number): void {
  if (state.expanded.has(id)) state.expanded.delete(id);
  else state.expanded.add(id);
  render(state);
  document.querySelector<HTMLElement>(`li[data-alert-id="${id}"] [data-toggle=devices]`)?.focus();
}

const ACT_PATH: Record<Act["kind"], string> = {
  acknowledge: "acknowledge",
  close: "close",
  assign: "assign",
  comment: "comments",
};

/** One act, at the version shown; the answer (the alert after it) replaces the one shown. */
async function perform(state: Desk, alert: AlertView, act: Act): Promise<void> {
  const t = desk[state.lang];
  const body =
    act.kind === "assign"
      ? { version: alert.version, assignee: act.assignee }
      : act.kind === "comment"
        ? { version: alert.version, text: act.text }
        : { version: alert.version };
  try {
    const after = await orLogin(state.lang, () =>
      send<AlertView>("POST", `/api/v1/alerts/${alert.id}/${ACT_PATH[act.kind]}`, body),
    );
    keep(state, after);
    render(state);
    say(state, fill(t[DONE[act.kind]], { subject: after.subject, assignee: after.assignee ?? "" }));
  } catch (err) {
    if (err instanceof ApiError && err.code === "ERR_ALERT_STALE") {
      keep(state, await getJson<AlertView>(`/api/v1/alerts/${alert.id}`));
      render(state);
      say(state, fill(t.stale, { subject: alert.subject }));
    } else {
      say(state, fill(t.refused, { message: err instanceof Error ? err.message : String(err) }));
    }
  }
  focusAlert(alert.id);
}

const DONE = {
  acknowledge: "doneAcknowledge",
  close: "doneClose",
  assign: "doneAssign",
  comment: "doneComment",
} as const;

/** The focus stays on the alert acted on (its heading), or the list when it is no longer shown. */
function focusAlert(id: number): void {
  const heading = document.getElementById(`alerte-${id}-titre`);
  if (heading) heading.focus();
  else document.getElementById("alerts-title")?.focus();
}

function say(state: Desk, message: string): void {
  const region = document.getElementById("announce");
  if (region) region.textContent = message;
  else state.status.textContent = message;
}

void main();
