import { getJson } from "../api.ts";
import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { outages as words } from "../i18n/reports.ts";
import { setUpPage } from "../page.ts";
import { outagesMap, statusWords } from "../reports/outages-map.ts";
import { outagesTable } from "../reports/outages-table.ts";
import { OUTAGE_STATUSES, type Outage, REPORTS } from "../reports/types.ts";

/**
 * The public map of outages (`/pannes`, `/outages` in English): current outages and the repairs
 * of the last 30 days, one line per asset, on a map and in a table, filtered by commune and
 * state, with the counts. Public: it reads the open channel only (`/opendata/outages`).
 */

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id}`);
  return node;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/outages"]);
  const t = words[lang];
  setUpPage(lang, t);
  const status = byId("status", HTMLElement);
  status.textContent = t.loading;
  let list: Outage[];
  try {
    list = (await getJson<{ outages: Outage[] }>(REPORTS.outages)).outages;
  } catch {
    status.textContent = t.loadFailed;
    return;
  }
  status.textContent = countsText(list, lang);
  if (list.length === 0) return;
  const commune = byId("filter-commune", HTMLSelectElement);
  const state = byId("filter-status", HTMLSelectElement);
  fillFilters(commune, state, list, lang);
  byId("filters", HTMLFormElement).hidden = false;
  byId("map-section", HTMLElement).hidden = false;
  byId("table-section", HTMLElement).hidden = false;
  const map = outagesMap(byId("rp-map", HTMLElement), lang);
  const table = outagesTable(byId("outages-table", HTMLElement), lang);
  const shown = byId("shown", HTMLElement);
  const apply = () => {
    const chosen = list.filter(
      (o) =>
        (commune.value === "" || o.commune === commune.value) &&
        (state.value === "" || o.status === state.value),
    );
    map.show(chosen);
    table.show(chosen);
    const filtered = commune.value !== "" || state.value !== "";
    shown.textContent = !filtered
      ? ""
      : chosen.length === 0
        ? t.shownNone
        : fill(t.shown, { shown: chosen.length, n: list.length });
  };
  commune.addEventListener("change", apply);
  state.addEventListener("change", apply);
  byId("filters", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  apply();
}

function countsText(list: readonly Outage[], lang: Lang): string {
  const t = words[lang];
  const n = (s: Outage["status"]) => list.filter((o) => o.status === s).length;
  const [out, inHand, repaired] = [n("out"), n("in-hand"), n("repaired")];
  if (out + inHand > 0) return fill(t.counts, { out, inHand, repaired });
  return repaired > 0 ? fill(t.noneRepaired, { repaired }) : t.none;
}

/** The communes that have an outage, by name, and the states, each with "all" first. */
function fillFilters(
  commune: HTMLSelectElement,
  state: HTMLSelectElement,
  list: readonly Outage[],
  lang: Lang,
): void {
  const t = words[lang];
  const names = new Map<string, string>();
  for (const o of list) names.set(o.commune, o.commune_name);
  const communes = [...names].sort((a, b) => a[1].localeCompare(b[1], lang));
  replaceChildren(
    commune,
    option("", t.allCommunes),
    ...communes.map(([code, name]) => option(code, `${name} (${code})`)),
  );
  replaceChildren(
    state,
    option("", t.allStatuses),
    ...OUTAGE_STATUSES.map((s) => option(s, statusWords(s, lang))),
  );
}

function option(value: string, text: string): HTMLOptionElement {
  const node = el("option", {}, text);
  node.value = value;
  return node;
}

void main();
