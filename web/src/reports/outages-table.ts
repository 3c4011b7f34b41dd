import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { kindOf, outages as words } from "../i18n/reports.ts";
import { showInstant } from "../opendata/format.ts";
import { statusWords } from "./outages-map.ts";
import { type Outage, reportPath } from "./types.ts";

/**
 * The outages as a table, the text alternative of the map: asset, kind, commune, state in words,
 * dates, who found it, and a link to report it. A page of PAGE_SIZE rows at a time, so that five
 * thousand outages do not make a page of forty thousand cells. The paging buttons stay in place
 * and focusable at either end (aria-disabled), as in the datasets' table.
 */
export const PAGE_SIZE = 100;

export interface OutagesTable {
  show(list: readonly Outage[]): void;
}

export function outagesTable(holder: HTMLElement, lang: Lang): OutagesTable {
  const t = words[lang];
  const status = el("p", { role: "status", class: "od-rows" });
  const body = el("tbody");
  const headers = [
    t.colAsset,
    t.colKind,
    t.colCommune,
    t.colStatus,
    t.colSince,
    t.colRepaired,
    t.colFoundBy,
    t.colReport,
  ];
  const table = el(
    "table",
    { class: "rp-table", id: "outages-list" },
    el("caption", {}, t.tableCaption),
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))),
    body,
  );
  const previous = pagerButton(t.previous, "previous");
  const next = pagerButton(t.next, "next");
  const pager = el("nav", { class: "pager", "aria-label": t.pager }, previous, next);
  const scroll = el("div", { class: "table-scroll" }, table);
  replaceChildren(holder, status, scroll, pager);
  let rows: readonly Outage[] = [];
  let offset = 0;
  const draw = () => {
    const page = rows.slice(offset, offset + PAGE_SIZE);
    replaceChildren(body, ...page.map((o) => row(o, lang)));
    scroll.hidden = rows.length === 0;
    status.textContent =
      rows.length <= PAGE_SIZE
        ? ""
        : fill(t.rows, { from: offset + 1, to: offset + page.length, total: rows.length });
    previous.setAttribute("aria-disabled", String(offset === 0));
    next.setAttribute("aria-disabled", String(offset + PAGE_SIZE >= rows.length));
    pager.hidden = rows.length <= PAGE_SIZE;
  };
  previous.addEventListener("click", () => {
    if (offset === 0) return;
    offset = Math.max(0, offset - PAGE_SIZE);
    draw();
  });
  next.addEventListener("click", () => {
    if (offset + PAGE_SIZE >= rows.length) return;
    offset += PAGE_SIZE;
    draw();
  });
  return {
    show(list) {
      rows = list;
      offset = 0;
      draw();
    },
  };
}

function pagerButton(text: string, action: string): HTMLButtonElement {
  return el(
    "button",
    { type: "button", class: "button-quiet", "data-page": action, "aria-controls": "outages-list" },
    text,
  );
}

function foundBy(o: Outage, lang: Lang): string {
  const t = words[lang];
  if (o.reported_by_residents && o.detected_by_sensors) return t.foundBoth;
  if (o.reported_by_residents) return t.foundResidents;
  return o.detected_by_sensors ? t.foundSensors : "—";
}

function row(o: Outage, lang: Lang): HTMLTableRowElement {
  const t = words[lang];
  return el(
    "tr",
    { "data-asset": o.asset, "data-status": o.status },
    el("th", { scope: "row" }, o.asset),
    el("td", {}, kindOf(o.domain, lang)),
    el("td", {}, o.commune_name),
    el(
      "td",
      {},
      el("span", { class: `rp-key rp-key-${o.status}`, "aria-hidden": "true" }),
      statusWords(o.status, lang),
    ),
    el("td", {}, showInstant(o.since, lang)),
    el("td", {}, o.repaired_at === null ? "—" : showInstant(o.repaired_at, lang)),
    el("td", {}, foundBy(o, lang)),
    el(
      "td",
      {},
      el(
        "a",
        { href: reportPath(lang, o.asset) },
        t.reportThis,
        el("span", { class: "visually-hidden" }, ` ${o.asset}`),
      ),
    ),
  );
}
