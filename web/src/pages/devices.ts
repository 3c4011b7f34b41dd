import { getJson } from "../api.ts";
import { textTable, when } from "../device/format.ts";
import { choices, feedHealth, type ListFilters, matchesDevice, pageOf } from "../device/list.ts";
import { quarantineList } from "../device/sections.ts";
import type { DeviceList, DeviceView, QuarantinePage } from "../device/types.ts";
import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang, label, pageLang } from "../i18n/common.ts";
import { devices as words } from "../i18n/devices.ts";
import { setUpPage } from "../page.ts";
import { localPath, mountShell, orLogin } from "../shell.ts";

/**
 * The device list (`/equipements`, `/devices` in English): the devices the logged-in person may
 * read (`GET /api/v1/devices`), filtered and paged in the page, each id leading to its page. An
 * operator also sees its feed's health and, with `?vue=quarantaine`, its refused messages.
 */

const PAGE_SIZE = 50;
/** A device "heard recently" sent a message within the last hour. */
const RECENT_MS = 3_600_000;

interface List {
  lang: Lang;
  devices: DeviceView[];
  page: number;
  form: HTMLFormElement;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/devices"]);
  const t = words[lang];
  setUpPage(lang, t);
  const form = byId("filters") as HTMLFormElement;
  const me = await mountShell({ active: "devices", lang });
  const operator = me.role === "operator";
  if (operator) byId("operator-field").hidden = true;
  const state: List = { lang, devices: [], page: 1, form };
  form.addEventListener("submit", (event) => event.preventDefault());
  const again = () => {
    state.page = 1;
    render(state);
  };
  // `input` only: a search field's `change` comes on blur, when a click on a row's link begins.
  form.addEventListener("input", again);
  byId("page-previous").addEventListener("click", () => turn(state, -1));
  byId("page-next").addEventListener("click", () => turn(state, 1));
  const status = byId("status");
  status.textContent = t.loading;
  try {
    const list = await orLogin(lang, () => getJson<DeviceList>("/api/v1/devices"));
    state.devices = list.devices.sort((a, b) => a.id.localeCompare(b.id));
  } catch {
    status.textContent = t.loadFailed;
    return;
  }
  fillChoices(state, operator);
  render(state);
  if (operator) showFeed(state);
  if (operator && new URLSearchParams(window.location.search).get("vue") === "quarantaine")
    await showQuarantine(lang);
}

function fillChoices(state: List, operator: boolean): void {
  const add = (id: string, values: string[], name: (v: string) => string) => {
    const select = byId(id);
    for (const v of values) select.appendChild(el("option", { value: v }, name(v)));
  };
  add(
    "filter-domain",
    choices(state.devices, (d) => d.domain),
    (v) => label(state.lang, v),
  );
  add(
    "filter-commune",
    choices(state.devices, (d) => d.commune),
    (v) => v,
  );
  if (!operator)
    add(
      "filter-operator",
      choices(state.devices, (d) => d.operator),
      (v) => v,
    );
}

function filters(form: HTMLFormElement): ListFilters {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? "");
  return { domain: text("domain"), commune: text("commune"), operator: text("operator"), text: text("text") };
}

function turn(state: List, by: number): void {
  state.page += by;
  render(state);
  byId("list").querySelector("caption")?.focus();
}

function render(state: List): void {
  const t = words[state.lang];
  const shown = state.devices.filter((d) => matchesDevice(d, filters(state.form)));
  const { items, page, pages } = pageOf(shown, state.page, PAGE_SIZE);
  state.page = page;
  byId("status").textContent =
    shown.length === 0 ? t.none : shown.length === 1 ? t.countOne : fill(t.count, { n: shown.length });
  const rows = items.map((d) => [
    d.id,
    label(state.lang, d.domain),
    d.commune,
    d.operator ?? "",
    d.state ? when(d.state.time, state.lang) : t.never,
  ]);
  const table = textTable(
    fill(t.listCaption, { page, pages }),
    [t.colId, t.colDomain, t.colCommune, t.colOperator, t.colLast],
    rows,
  );
  table.querySelector("caption")?.setAttribute("tabindex", "-1");
  // The id of each row leads to the device's page.
  table.querySelectorAll("tbody tr").forEach((row, i) => {
    const d = items[i];
    const head = row.firstElementChild;
    if (!d || !head) return;
    const path = `/equipements/${encodeURIComponent(d.id)}`;
    replaceChildren(head, el("a", { href: localPath(path, state.lang) }, d.id));
  });
  replaceChildren(byId("list"), shown.length === 0 ? null : table);
  byId("page-at").textContent = fill(t.pageOf, { page, pages });
  (byId("page-previous") as HTMLButtonElement).disabled = page <= 1;
  (byId("page-next") as HTMLButtonElement).disabled = page >= pages;
  byId("pager").hidden = pages <= 1;
}

function showFeed(state: List): void {
  const t = words[state.lang];
  const health = feedHealth(state.devices, Date.now(), RECENT_MS);
  byId("feed-heard").textContent = fill(t.feedHeard, { recent: health.recent, total: health.total });
  byId("feed-last").textContent = health.last
    ? fill(t.feedLast, { time: when(health.last, state.lang) })
    : t.feedNever;
  byId("quarantine-link").setAttribute(
    "href",
    `/equipements?vue=quarantaine${state.lang === "en" ? "&lang=en" : ""}`,
  );
  byId("feed").hidden = false;
}

async function showQuarantine(lang: Lang): Promise<void> {
  const t = words[lang];
  byId("quarantine-section").hidden = false;
  const status = byId("quarantine-status");
  try {
    const page = await orLogin(lang, () => getJson<QuarantinePage>("/api/v1/quarantine?limit=50"));
    status.textContent = page.total === 0 ? "" : fill(t.quarantineTotal, { n: page.total });
    replaceChildren(
      byId("quarantine"),
      quarantineList(lang, page.entries, { withDevice: true, none: t.quarantineNone }),
    );
  } catch {
    status.textContent = t.loadFailed;
  }
}

void main();
