import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { live as words } from "../i18n/live.ts";
import type { LiveCount, LiveDomain, LiveFigures } from "./types.ts";

/**
 * The live figures on the page: per domain, a heading with the contract's title, the three big
 * figures (assets, reporting now with its share, current outages) and a table per commune.
 *
 * The stream sends the figures again whenever anything changes (its time, at least, every beat):
 * when the domains and communes are the same as before, only the numbers that changed are
 * rewritten in place, so that a reader's place on the page (or a screen reader's) is kept. Ids
 * are made from numbers, never from data; every value goes in as text.
 */

const FIGURES = ["assets", "reporting", "outages"] as const;
type Figure = (typeof FIGURES)[number];

const locale = (lang: Lang): string => (lang === "fr" ? "fr-FR" : "en-GB");

export function showInteger(n: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang)).format(n);
}

/** The share of the assets reporting now, or "" when there are none. */
export function showShare(c: LiveCount, lang: Lang): string {
  if (c.assets === 0) return "";
  const percent = new Intl.NumberFormat(locale(lang), { style: "percent", maximumFractionDigits: 0 });
  const share = c.reporting / c.assets;
  // Never "0 %" for some, nor "100 %" for not all.
  if (share > 0 && share < 0.005) return `< ${percent.format(0.01)}`;
  if (share < 1 && share >= 0.995) return `> ${percent.format(0.99)}`;
  return percent.format(share);
}

/** "1 panne en cours", "3 pannes en cours", "aucune panne en cours". */
export function outagesText(n: number, lang: Lang): string {
  const t = words[lang];
  if (n === 0) return t.outagesNone;
  return n === 1 ? t.outagesOne : fill(t.outagesMany, { n: showInteger(n, lang) });
}

/** "14 h 32" in French, "14:32" in English, in the reader's time zone; the day too if not today. */
export function showTime(iso: string, lang: Lang, now = new Date()): string {
  const t = words[lang];
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time =
    lang === "fr"
      ? `${date.getHours()} h ${String(date.getMinutes()).padStart(2, "0")}`
      : date.toLocaleTimeString(locale(lang), { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === now.toDateString()) return fill(t.at, { time });
  const day = date.toLocaleDateString(locale(lang), { day: "numeric", month: "long", year: "numeric" });
  return fill(t.atDay, { day, time });
}

/** What changed that is worth saying aloud: the outages of a domain, never the time alone. */
export function changesText(before: LiveFigures | undefined, after: LiveFigures, lang: Lang): string {
  if (!before) return "";
  const t = words[lang];
  const previous = new Map(before.domains.map((d) => [d.domain, d]));
  const lines: string[] = [];
  for (const d of after.domains) {
    const old = previous.get(d.domain);
    if (!old || old.outages === d.outages) continue;
    lines.push(
      fill(t.changed, {
        title: d.title,
        now: outagesText(d.outages, lang),
        before: outagesText(old.outages, lang),
      }),
    );
  }
  return lines.join(" ");
}

export interface LiveView {
  show(figures: LiveFigures): void;
}

export function liveView(holder: HTMLElement, lang: Lang): LiveView {
  let shape = "";
  let cells = new Map<string, HTMLElement>();
  return {
    show(figures) {
      const next = shapeOf(figures);
      if (next !== shape) {
        shape = next;
        cells = new Map();
        replaceChildren(
          holder,
          ...(figures.domains.length === 0
            ? [el("p", { class: "notice" }, words[lang].noDomain)]
            : figures.domains.map((d, i) => domainSection(d, i, lang, cells))),
        );
      }
      figures.domains.forEach((d, i) => {
        const rows: Array<[string, LiveCount]> = d.communes.map((c, j) => [`${i}/${j}`, c]);
        if (d.other_communes) rows.push([`${i}/other`, d.other_communes]);
        for (const f of FIGURES) setNumber(cells.get(`${i}/${f}`), d[f], lang);
        setShare(cells.get(`${i}/share`), d, lang);
        for (const [key, c] of rows) {
          for (const f of FIGURES) setNumber(cells.get(`${key}/${f}`), c[f], lang);
          setShare(cells.get(`${key}/share`), c, lang, true);
        }
      });
    },
  };
}

/** What the page's structure depends on: the domains, their titles and their communes. */
function shapeOf(f: LiveFigures): string {
  return JSON.stringify(
    f.domains.map((d) => [
      d.domain,
      d.title,
      d.communes.map((c) => [c.commune, c.name]),
      d.other_communes !== null,
    ]),
  );
}

/** A number rewritten only when it changed; its raw value stays in `data-value`. */
function setNumber(cell: HTMLElement | undefined, n: number, lang: Lang): void {
  if (!cell || cell.dataset.value === String(n)) return;
  cell.dataset.value = String(n);
  cell.textContent = showInteger(n, lang);
}

function setShare(cell: HTMLElement | undefined, c: LiveCount, lang: Lang, brackets = false): void {
  if (!cell) return;
  const share = showShare(c, lang);
  const text = share === "" ? "" : brackets ? ` (${share})` : fill(words[lang].share, { percent: share });
  if (cell.textContent !== text) cell.textContent = text;
}

function domainSection(d: LiveDomain, i: number, lang: Lang, cells: Map<string, HTMLElement>): HTMLElement {
  const t = words[lang];
  const headingId = `lv-domaine-${i}-titre`;
  // The contracts' titles are French: said so to a screen reader on the English page.
  const titleLang: Record<string, string> = lang === "fr" ? {} : { lang: "fr" };
  const number = (key: string, figure: Figure) => {
    const span = el("span", { class: "lv-number", "data-figure": figure });
    cells.set(key, span);
    return span;
  };
  const share = (key: string, attributes: Record<string, string>) => {
    const span = el("span", attributes);
    cells.set(key, span);
    return span;
  };
  const labels: Record<Figure, string> = { assets: t.assets, reporting: t.reporting, outages: t.outages };
  const big = el(
    "dl",
    { class: "lv-figures" },
    ...FIGURES.map((f) =>
      el(
        "div",
        { class: `lv-figure lv-figure-${f}` },
        el("dt", {}, labels[f]),
        el(
          "dd",
          {},
          number(`${i}/${f}`, f),
          f === "reporting" ? share(`${i}/share`, { class: "lv-share" }) : null,
        ),
      ),
    ),
  );
  const row = (key: string, code: string, name: Node | string) =>
    el(
      "tr",
      { "data-commune": code },
      el("th", { scope: "row" }, name),
      el("td", {}, number(`${key}/assets`, "assets")),
      el(
        "td",
        {},
        number(`${key}/reporting`, "reporting"),
        share(`${key}/share`, { class: "lv-cell-share" }),
      ),
      el("td", {}, number(`${key}/outages`, "outages")),
    );
  const rows = d.communes.map((c, j) => row(`${i}/${j}`, c.commune, `${c.name} (${c.commune})`));
  if (d.other_communes) {
    rows.push(
      row(
        `${i}/other`,
        "other",
        el("span", {}, t.otherCommunes, el("span", { class: "lv-hint" }, t.otherCommunesHint)),
      ),
    );
  }
  const table = el(
    "table",
    { class: "lv-table" },
    el("caption", {}, ...withTitle(t.tableCaption, el("span", titleLang, d.title))),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...[t.colCommune, t.colAssets, t.colReporting, t.colOutages].map((h) =>
          el("th", { scope: "col" }, h),
        ),
      ),
    ),
    el("tbody", {}, ...rows),
  );
  return el(
    "section",
    { class: "lv-domain", "data-domain": d.domain, "aria-labelledby": headingId },
    el("h2", { id: headingId, ...titleLang }, d.title),
    big,
    el("div", { class: "table-scroll" }, table),
  );
}

/** A template's text around its `{title}`, with the title as a node of its own (its language). */
function withTitle(template: string, title: Node): Array<Node | string> {
  const cut = template.indexOf("{title}");
  if (cut < 0) return [template];
  return [template.slice(0, cut), title, template.slice(cut + "{title}".length)];
}
