import { el } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { code, catalogue as words } from "../i18n/opendata.ts";
import { datasetPath, safeHref, showCoverage, showInstant, showInteger } from "./format.ts";
import { type Dataset, FORMATS, type Format, OPEN } from "./types.ts";

/**
 * One dataset of the catalogue: its title linking to its page, its description and keywords, its
 * facts (licence, frequency, level, period, last update, figures) and its four downloads.
 */

export const FORMAT_NAMES: Record<Format, string> = {
  csv: "CSV",
  json: "JSON",
  geojson: "GeoJSON",
  parquet: "Parquet",
};

export function datasetCard(d: Dataset, index: number, lang: Lang): HTMLLIElement {
  const t = words[lang];
  const headingId = `jeu-${index}-titre`;
  return el(
    "li",
    { class: "od-card", "data-dataset": d.id, "aria-labelledby": headingId },
    el("h2", { id: headingId }, el("a", { href: datasetPath(d.id, lang) }, d.title)),
    el("p", { class: "od-description" }, d.description),
    keywordList(d.keywords, lang),
    el(
      "dl",
      { class: "facts od-facts" },
      ...fact(t.licence, licenceLink(d, lang)),
      ...fact(t.frequency, code(lang, d.frequency)),
      ...fact(t.level, code(lang, d.level)),
      ...fact(t.period, showCoverage(d, lang)),
      ...fact(t.lastUpdate, showInstant(d.modified, lang)),
      ...fact(t.figures, showInteger(d.figures, lang)),
    ),
    downloadLinks(d, lang),
  );
}

export function fact(term: string, value: Node | string): [HTMLElement, HTMLElement] {
  return [el("dt", {}, term), el("dd", {}, value)];
}

export function licenceLink(d: Pick<Dataset, "licence" | "licence_url">, lang: Lang): HTMLElement {
  const name = code(lang, d.licence);
  const href = safeHref(d.licence_url, "");
  return href === "" ? el("span", {}, name) : el("a", { href, rel: "license" }, name);
}

function keywordList(keywords: readonly string[], lang: Lang): HTMLElement | null {
  if (keywords.length === 0) return null;
  return el(
    "p",
    { class: "od-keywords" },
    el("span", { class: "visually-hidden" }, `${words[lang].keywords} : `),
    ...keywords.map((k) => el("span", { class: "badge" }, k)),
  );
}

/** The four downloads, each named with the dataset's title for a screen reader's list of links. */
export function downloadLinks(d: Dataset, lang: Lang): HTMLElement {
  const t = words[lang];
  return el(
    "div",
    { class: "od-downloads" },
    el("span", { class: "od-downloads-label" }, `${t.download} :`),
    el(
      "ul",
      {},
      ...FORMATS.map((format) =>
        el(
          "li",
          {},
          el(
            "a",
            { href: OPEN.download(d.id, format), "data-format": format, download: "" },
            FORMAT_NAMES[format],
            el("span", { class: "visually-hidden" }, ` — ${d.title}`),
          ),
        ),
      ),
    ),
  );
}

/** Whether a dataset matches the words typed (every word, in its title, description or keywords). */
export function matchesFilter(d: Dataset, text: string): boolean {
  const words = fold(text).split(/\s+/).filter(Boolean);
  const haystack = fold([d.title, d.description, d.id, ...d.keywords].join(" "));
  return words.every((w) => haystack.includes(w));
}

/** Lower case without accents: "dechets" finds "déchets". */
function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

export function countText(n: number, lang: Lang): string {
  const t = words[lang];
  if (n === 0) return t.countNone;
  return n === 1 ? t.countOne : fill(t.count, { n });
}
