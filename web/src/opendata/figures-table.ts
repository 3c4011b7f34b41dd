import { getJson } from "../api.ts";
import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { dataset as words } from "../i18n/opendata.ts";
import { showPeriod, showStatus, showValue } from "./format.ts";
import { type FigureRecord, isSuppressed, OPEN, type RecordsPage } from "./types.ts";

/**
 * Every published figure as a table, a page at a time from the records API: the text
 * alternative of the chart and the map. A figure under statistical secrecy reads "secret
 * statistique" with the reason in its status. The paging buttons stay in place and focusable
 * at either end (aria-disabled), so that the keyboard's focus is never lost.
 */

export const PAGE_SIZE = 50;

export interface TableOptions {
  lang: Lang;
  id: string;
  unit: string;
  granularity: string;
}

export function figuresTable(holder: HTMLElement, o: TableOptions): void {
  const t = words[o.lang];
  const status = el("p", { role: "status", class: "od-rows" });
  const body = el("tbody");
  const table = el(
    "table",
    { class: "od-table", id: "figures-table" },
    el("caption", {}, t.tableCaption),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...[t.colPeriod, t.colPlace, t.colValue, t.colDevices, t.colStatus, t.colVersion].map((h) =>
          el("th", { scope: "col" }, h),
        ),
      ),
    ),
    body,
  );
  const previous = pagerButton(t.previous, "previous");
  const next = pagerButton(t.next, "next");
  const pager = el("nav", { class: "pager", "aria-label": t.pager }, previous, next);
  replaceChildren(holder, status, el("div", { class: "table-scroll" }, table), pager);
  let offset = 0;
  let total = 0;
  const load = async (at: number) => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(at) });
    try {
      const page = await getJson<RecordsPage>(OPEN.records(o.id, query));
      offset = at;
      total = page.total;
      replaceChildren(body, ...page.records.map((r) => row(r, o)));
      status.textContent =
        total === 0
          ? t.rowsNone
          : fill(t.rows, { from: offset + 1, to: offset + page.records.length, total });
      setEnabled(previous, offset > 0);
      setEnabled(next, offset + PAGE_SIZE < total);
      pager.hidden = total <= PAGE_SIZE;
    } catch {
      status.textContent = t.loadFailed;
    }
  };
  previous.addEventListener("click", () => {
    if (previous.getAttribute("aria-disabled") !== "true") void load(Math.max(0, offset - PAGE_SIZE));
  });
  next.addEventListener("click", () => {
    if (next.getAttribute("aria-disabled") !== "true") void load(offset + PAGE_SIZE);
  });
  void load(0);
}

function pagerButton(text: string, action: string): HTMLButtonElement {
  return el(
    "button",
    { type: "button", class: "button-quiet", "data-page": action, "aria-controls": "figures-table" },
    text,
  );
}

function setEnabled(button: HTMLButtonElement, enabled: boolean): void {
  button.setAttribute("aria-disabled", String(!enabled));
}

function row(r: FigureRecord, o: TableOptions): HTMLTableRowElement {
  const secret = isSuppressed(r.status) || r.value === null;
  return el(
    "tr",
    secret ? { class: "od-secret", "data-status": r.status } : { "data-status": r.status },
    el("th", { scope: "row" }, showPeriod(r.period_start, o.granularity, o.lang)),
    el("td", {}, `${r.place_name} (${r.place_code})`),
    el("td", { class: "od-number" }, showValue(r, o.unit, o.lang)),
    el("td", { class: "od-number" }, r.devices === null ? "—" : String(r.devices)),
    el("td", {}, showStatus(r.status, o.lang)),
    el("td", { class: "od-number" }, String(r.version)),
  );
}
