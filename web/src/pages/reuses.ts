import { getJson } from "../api.ts";
import { append, el, replaceChildren } from "../dom.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { reusesPage as words } from "../i18n/community.ts";
import { type PublicReuse, publishedReuses, reuseItem } from "../opendata/community.ts";
import { cataloguePath, datasetPath, showInteger } from "../opendata/format.ts";
import { type Catalog, type Dataset, OPEN } from "../opendata/types.ts";
import { setUpPage } from "../page.ts";

/**
 * Every published reuse of the open data (`/donnees/reutilisations`, `/data/reuses` in English):
 * per dataset, how many reuses and downloads it has (`GET /opendata/datasets/{id}`), then the
 * reuses themselves with the datasets they use. Public: it reads the open channel only.
 */

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/data/reuses"]);
  const t = words[lang];
  setUpPage(lang, t);
  byId("back").setAttribute("href", cataloguePath(lang));
  const status = byId("status");
  status.textContent = t.loading;
  let reuses: PublicReuse[];
  let datasets: Dataset[];
  try {
    [reuses, datasets] = await Promise.all([publishedReuses(), withDownloads()]);
  } catch {
    replaceChildren(status);
    append(status, `${t.loadFailed} `, el("a", { href: "/opendata/reuses" }, "/opendata/reuses"));
    return;
  }
  datasets.sort((a, b) => a.title.localeCompare(b.title, lang));
  const titles = new Map(datasets.map((d) => [d.id, d.title]));
  status.textContent = reuses.length === 1 ? t.countOne : fill(t.count, { n: reuses.length });
  replaceChildren(byId("by-dataset"), datasetTable(datasets, reuses, lang));
  replaceChildren(
    byId("reuses"),
    reuses.length === 0
      ? el("p", { class: "quiet" }, t.none)
      : el("ul", { class: "od-reuses" }, ...reuses.map((r) => reuseItem(r, lang, usedData(r, titles, lang)))),
  );
}

/** The catalogue's datasets, each with its download counts (its own metadata answer). */
async function withDownloads(): Promise<Dataset[]> {
  const catalog = await getJson<Catalog>(OPEN.catalog);
  return Promise.all(catalog.datasets.map((d) => getJson<Dataset>(OPEN.dataset(d.id))));
}

function downloadsOf(d: Dataset): number {
  return Object.values(d.downloads ?? {}).reduce((sum, n) => sum + (n ?? 0), 0);
}

function datasetTable(datasets: readonly Dataset[], reuses: readonly PublicReuse[], lang: Lang): HTMLElement {
  const t = words[lang];
  const count = (id: string) => reuses.filter((r) => r.datasets.includes(id)).length;
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      {},
      el("caption", {}, t.byDatasetCaption),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...[t.colDataset, t.colReuses, t.colDownloads].map((h) => el("th", { scope: "col" }, h)),
        ),
      ),
      el(
        "tbody",
        {},
        ...datasets.map((d, i) =>
          el(
            "tr",
            { "data-dataset": String(i) },
            el("th", { scope: "row" }, el("a", { href: datasetPath(d.id, lang) }, d.title)),
            el("td", { class: "od-number", "data-count": "reuses" }, showInteger(count(d.id), lang)),
            el("td", { class: "od-number", "data-count": "downloads" }, showInteger(downloadsOf(d), lang)),
          ),
        ),
      ),
    ),
  );
}

/** The datasets a reuse names, as links to their pages (titles from the catalogue). */
function usedData(r: PublicReuse, titles: ReadonlyMap<string, string>, lang: Lang): HTMLElement {
  return el(
    "p",
    { class: "od-reuse-data" },
    `${words[lang].datasetsUsed} `,
    ...r.datasets.flatMap((id, i) => [
      i > 0 ? ", " : null,
      el("a", { href: datasetPath(id, lang) }, titles.get(id) ?? id),
    ]),
  );
}

void main();
