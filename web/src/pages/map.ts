import { ApiError, getJson } from "../api.ts";
import { append, el, replaceChildren } from "../dom.ts";
import { fill, type Lang, label, pageLang } from "../i18n/common.ts";
import { map as words } from "../i18n/map.ts";
import { alertItem, alertMatches } from "../map/alerts.ts";
import { type Commune, loadAlerts, loadCommunes, loadDevices, type MapAlert } from "../map/data.ts";
import { countConditions, type MapFilters, matches } from "../map/filters.ts";
import { readFilters } from "../map/form.ts";
import { fromLocalField, instantFromUrl, toLocalField, urlWithInstant } from "../map/instant.ts";
import { type DeviceChange, followDevices } from "../map/live.ts";
import { communeOutlines } from "../map/outlines.ts";
import { SIGN } from "../map/symbols.ts";
import { deviceTable } from "../map/table.ts";
import { CONDITIONS, type MapDevice } from "../map/types.ts";
import { createDeviceMap, type DeviceMap } from "../map/view.ts";
import { setUpPage } from "../page.ts";
import { mountShell, orLogin } from "../shell.ts";

/**
 * The map of every device (`/carte`, `/map` in English): each device's condition now, kept up
 * to date by the live stream, or at a past instant (`?at=`, which the address keeps so that the
 * view can be shared); filters by domain, commune, operator and state; the counts per state as
 * text; the same devices as a table; the alerts open at the instant shown.
 */

/** Alerts listed at most. */
const ALERT_LIMIT = 100;
/** Live changes arriving together are drawn once. */
const REDRAW_MS = 300;
/** `GET /api/v1/map/config`: the tile server (LANTERNE_MAP_TILES) and its credit, or none. */
interface MapConfig {
  tiles: string | null;
  attribution: string | null;
}

interface MapPage {
  lang: Lang;
  at: Date | null;
  devices: Map<string, MapDevice>;
  communes: Map<string, Commune>;
  alerts: MapAlert[];
  map: DeviceMap;
  fitted: boolean;
  tableOpen: boolean;
  redrawTimer: number | undefined;
  /** Bumped by each load, so that a late answer for an older instant is dropped. */
  generation: number;
}

const byId = <T extends HTMLElement>(id: string, type: new () => T): T => {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`#${id} is missing`);
  return node;
};

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/map"]);
  setUpPage(lang, words[lang]);
  await mountShell({ active: "map", lang });
  const tiles = await loadTiles(lang);
  const state: MapPage = {
    lang,
    at: instantFromUrl(window.location),
    devices: new Map(),
    communes: new Map(),
    alerts: [],
    map: createDeviceMap(byId("map", HTMLElement), { lang, tiles }),
    fitted: false,
    tableOpen: false,
    redrawTimer: undefined,
    generation: 0,
  };
  wireFilters(state);
  wireInstant(state);
  wireTable(state);
  startLive(state);
  void orLogin(lang, loadCommunes)
    .then((communes) => {
      for (const c of communes) state.communes.set(c.code, c);
      render(state);
    })
    .catch(() => undefined);
  await load(state);
}

/**
 * The tile layer when the platform names a tile server; without one, or when the answer does not
 * come, the background stays plain. Leaflet writes the attribution as HTML: it is escaped first,
 * so that it shows as the text it is.
 */
async function loadTiles(lang: Lang): Promise<{ url: string; attribution: string } | null> {
  try {
    const config = await orLogin(lang, () => getJson<MapConfig>("/api/v1/map/config"));
    return config.tiles ? { url: config.tiles, attribution: escapeHtml(config.attribution ?? "") } : null;
  } catch {
    return null;
  }
}

function escapeHtml(text: string): string {
  const entities: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
  };
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

function wireFilters(state: MapPage): void {
  const form = byId("filters", HTMLFormElement);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", () => render(state));
}

function wireInstant(state: MapPage): void {
  const form = byId("instant", HTMLFormElement);
  const field = byId("instant-at", HTMLInputElement);
  const t = words[state.lang];
  field.max = toLocalField(new Date());
  if (state.at) field.value = toLocalField(state.at);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const at = fromLocalField(field.value);
    if (at === null || at.getTime() > Date.now()) {
      byId("view", HTMLElement).textContent = t.badInstant;
      return;
    }
    goTo(state, at);
  });
  byId("instant-now", HTMLButtonElement).addEventListener("click", () => {
    field.value = "";
    goTo(state, null);
  });
  window.addEventListener("popstate", () => {
    state.at = instantFromUrl(window.location);
    field.value = state.at ? toLocalField(state.at) : "";
    void load(state);
  });
}

function goTo(state: MapPage, at: Date | null): void {
  state.at = at;
  window.history.pushState(null, "", urlWithInstant(window.location, at));
  void load(state);
}

function wireTable(state: MapPage): void {
  const toggle = byId("table-toggle", HTMLButtonElement);
  const panel = byId("table-panel", HTMLElement);
  const t = words[state.lang];
  toggle.addEventListener("click", () => {
    state.tableOpen = !state.tableOpen;
    toggle.setAttribute("aria-expanded", String(state.tableOpen));
    toggle.textContent = state.tableOpen ? t.tableHide : t.tableShow;
    panel.hidden = !state.tableOpen;
    render(state);
  });
}

/** The devices and alerts at the instant shown (now for the live view), drawn together. */
async function load(state: MapPage): Promise<void> {
  const t = words[state.lang];
  const generation = ++state.generation;
  const status = byId("status", HTMLElement);
  status.textContent = t.loading;
  showView(state, null);
  // The live view asks for no instant: the server answers from its latest values, the cheap
  // read, whatever this browser's clock says.
  const at = state.at ? state.at.toISOString() : null;
  const alerts = fetchAlerts(state);
  try {
    const devices = await orLogin(state.lang, () => loadDevices(at));
    if (generation !== state.generation) return;
    state.devices = new Map(devices.map((d) => [d.id, d]));
    status.textContent = "";
  } catch (err) {
    if (generation !== state.generation) return;
    status.textContent = err instanceof ApiError && err.status === 400 ? t.badInstant : t.loadFailed;
    return;
  }
  const listed = await alerts;
  if (generation !== state.generation) return;
  state.alerts = listed ?? [];
  render(state);
  document.body.dataset.ready = "true";
  if (listed === null) byId("alerts-status", HTMLElement).textContent = t.alertsFailed;
}

/** The alerts open at the instant shown; null when they could not be read. */
async function fetchAlerts(state: MapPage): Promise<MapAlert[] | null> {
  const at = state.at ? state.at.toISOString() : null;
  try {
    return await orLogin(state.lang, () => loadAlerts(at, ALERT_LIMIT));
  } catch {
    return null;
  }
}

/** The live view's alerts read again after a change. */
async function refreshAlerts(state: MapPage): Promise<void> {
  const generation = state.generation;
  const alerts = await fetchAlerts(state);
  if (generation !== state.generation || state.at !== null) return;
  if (alerts === null) {
    byId("alerts-status", HTMLElement).textContent = words[state.lang].alertsFailed;
    return;
  }
  state.alerts = alerts;
  renderAlerts(state, readFilters(byId("filters", HTMLFormElement)));
}

function showView(state: MapPage, open: boolean | null): void {
  const t = words[state.lang];
  const view = byId("view", HTMLElement);
  if (state.at) {
    const date = new Intl.DateTimeFormat(state.lang === "fr" ? "fr-FR" : "en-GB", {
      dateStyle: "long",
      timeStyle: "medium",
    });
    view.textContent = fill(t.viewPast, { at: date.format(state.at) });
  } else {
    view.textContent = open === false ? t.liveLost : t.viewLive;
  }
}

function startLive(state: MapPage): void {
  let alertsTimer: number | undefined;
  followDevices({
    onDevice(change) {
      if (state.at === null) applyChange(state, change);
    },
    onAlert() {
      if (state.at !== null) return;
      window.clearTimeout(alertsTimer);
      alertsTimer = window.setTimeout(() => void refreshAlerts(state), REDRAW_MS);
    },
    onState(open) {
      byId("view", HTMLElement).dataset.live = open ? "open" : "closed";
      if (state.at === null) showView(state, open);
    },
  });
}

/**
 * A device's new state, drawn shortly after. A group's change (a cabinet, a gateway) may leave
 * each of its devices in a state of its own: their conditions are read again.
 */
function applyChange(state: MapPage, change: DeviceChange): void {
  const device = state.devices.get(change.subject);
  if (!device) {
    if (change.children.length > 0) void load(state);
    return;
  }
  state.devices.set(device.id, { ...device, condition: change.state });
  window.clearTimeout(state.redrawTimer);
  state.redrawTimer = window.setTimeout(() => render(state), REDRAW_MS);
}

function render(state: MapPage): void {
  const form = byId("filters", HTMLFormElement);
  const all = [...state.devices.values()];
  refreshChoices(state, form, all);
  const filters = readFilters(form);
  const shown = all.filter((d) => matches(d, filters));
  state.map.show(shown, !state.fitted && shown.length > 0);
  if (shown.length > 0) state.fitted = true;
  state.map.setOutlines(communeOutlines([...state.communes.values()], all));
  renderCounts(state, shown);
  const panel = byId("table-panel", HTMLElement);
  if (state.tableOpen)
    replaceChildren(panel, ...deviceTable(shown, (c) => communeName(state, c), state.lang));
  else replaceChildren(panel);
  renderAlerts(state, filters);
}

function communeName(state: MapPage, code: string): string {
  const name = state.communes.get(code)?.name;
  return name ? `${name} (${code})` : code;
}

function renderCounts(state: MapPage, shown: MapDevice[]): void {
  const t = words[state.lang];
  const counts = countConditions(shown);
  const list = byId("counts", HTMLElement);
  replaceChildren(
    list,
    ...CONDITIONS.map((c) =>
      el(
        "li",
        { "data-condition": c },
        el("span", { class: `map-sign-inline map-${c}`, "aria-hidden": "true" }, SIGN[c]),
        ` ${t[c]} : `,
        el("strong", { class: "map-count-value" }, String(counts[c])),
      ),
    ),
  );
  byId("shown", HTMLElement).textContent =
    shown.length === 1 ? t.shownOne : fill(t.shown, { n: shown.length });
}

/** The filters' choices from the devices, the current choice kept. */
function refreshChoices(state: MapPage, form: HTMLFormElement, devices: MapDevice[]): void {
  const fields: Array<[string, (d: MapDevice) => string | null, (v: string) => string]> = [
    ["domain", (d) => d.domain, (v) => label(state.lang, v)],
    ["commune", (d) => d.commune, (v) => communeName(state, v)],
    ["operator", (d) => d.operator, (v) => v],
  ];
  for (const [name, value, text] of fields) {
    const select = form.elements.namedItem(name);
    if (!(select instanceof HTMLSelectElement)) continue;
    const values = [...new Set(devices.map(value).filter((v): v is string => v !== null))].sort();
    const chosen = select.value;
    const any = select.options[0];
    replaceChildren(select, any);
    for (const v of values) append(select, el("option", { value: v }, text(v)));
    if (chosen !== "" && !values.includes(chosen))
      append(select, el("option", { value: chosen }, text(chosen)));
    select.value = chosen;
  }
}

function renderAlerts(state: MapPage, filters: MapFilters): void {
  const t = words[state.lang];
  const list = byId("alert-list", HTMLElement);
  const status = byId("alerts-status", HTMLElement);
  const shown = state.alerts.filter((a) => alertMatches(a, filters));
  replaceChildren(list, ...shown.map((a) => alertItem(a, state.lang)));
  status.textContent =
    shown.length === 0
      ? t.alertsNone
      : state.alerts.length >= ALERT_LIMIT
        ? fill(t.alertsMore, { limit: ALERT_LIMIT })
        : "";
}

void main();
