import { getJson } from "../api.ts";
import { append, el, replaceChildren } from "../dom.ts";
import { fill, pageLang } from "../i18n/common.ts";
import { community } from "../i18n/community.ts";
import { catalogue as words } from "../i18n/opendata.ts";
import { countText, datasetCard, matchesFilter } from "../opendata/catalogue-view.ts";
import { reusesPath } from "../opendata/format.ts";
import { type Catalog, OPEN } from "../opendata/types.ts";
import { setUpPage } from "../page.ts";

/**
 * The open-data catalogue (`/donnees`, `/data` in English): every published dataset with its
 * licence, frequency, period and downloads, a filter by word, and the DCAT catalogue for portals.
 * Public: it reads the open channel (`/opendata/catalog`), which needs no login.
 */

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id}`);
  return node;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/data"]);
  const t = words[lang];
  setUpPage(lang, { ...community[lang], ...t });
  byId("reuses-link", HTMLAnchorElement).setAttribute("href", reusesPath(lang));
  byId("exemptions-link", HTMLAnchorElement).setAttribute(
    "href",
    lang === "en" ? "/data/exemptions" : "/donnees/derogations",
  );
  const status = byId("status", HTMLElement);
  const list = byId("datasets", HTMLUListElement);
  const filter = byId("filter", HTMLInputElement);
  const shown = byId("shown", HTMLElement);
  status.textContent = t.loading;
  let catalog: Catalog;
  try {
    catalog = await getJson<Catalog>(OPEN.catalog);
  } catch {
    replaceChildren(status);
    append(status, `${t.loadFailed} `, el("a", { href: OPEN.catalog }, OPEN.catalog));
    return;
  }
  const datasets = [...catalog.datasets].sort((a, b) => a.title.localeCompare(b.title, lang));
  const cards = datasets.map((d, i) => datasetCard(d, i, lang));
  replaceChildren(list, ...cards);
  status.textContent = countText(datasets.length, lang);
  byId("filter-form", HTMLFormElement).hidden = datasets.length === 0;
  const apply = () => {
    const text = filter.value;
    let n = 0;
    datasets.forEach((d, i) => {
      const match = matchesFilter(d, text);
      const card = cards[i];
      if (card) card.hidden = !match;
      if (match) n++;
    });
    shown.textContent =
      text.trim() === "" ? "" : n === 0 ? t.empty : fill(t.shown, { shown: n, n: datasets.length });
  };
  filter.addEventListener("input", apply);
  byId("filter-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  apply();
}

void main();
