import type { Lang } from "../i18n/common.ts";

/** A date and time as the reader's language writes it, in the browser's time zone. */
export function when(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(lang === "fr" ? "fr-FR" : "en-GB", { dateStyle: "short", timeStyle: "medium" });
}

/** A cell of a table: a header cell for the row's first column when asked. */
export function cell(text: string, header = false): HTMLTableCellElement {
  const node = document.createElement(header ? "th" : "td");
  if (header) node.setAttribute("scope", "row");
  node.textContent = text;
  return node;
}

/** A table with a caption, column headers and rows of text (every value goes in as text). */
export function textTable(
  caption: string,
  columns: readonly string[],
  rows: readonly string[][],
): HTMLTableElement {
  const table = document.createElement("table");
  const cap = document.createElement("caption");
  cap.textContent = caption;
  table.appendChild(cap);
  const head = document.createElement("thead");
  const tr = document.createElement("tr");
  for (const c of columns) {
    const th = document.createElement("th");
    th.setAttribute("scope", "col");
    th.textContent = c;
    tr.appendChild(th);
  }
  head.appendChild(tr);
  table.appendChild(head);
  const body = document.createElement("tbody");
  for (const row of rows) {
    const line = document.createElement("tr");
    row.forEach((value, i) => {
      line.appendChild(cell(value, i === 0));
    });
    body.appendChild(line);
  }
  table.appendChild(body);
  return table;
}
