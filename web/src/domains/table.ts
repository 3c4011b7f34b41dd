import { el } from "../dom.ts";

/**
 * A data table: a caption, column headers, the first cell of each row as its header, numbers
 * aligned right (class `num`). Cells are text (or a node built with `el`), never markup.
 */

export interface Column {
  header: string;
  numeric?: boolean;
}

export type Cell = string | Node;

export function dataTable(options: {
  caption: string;
  columns: readonly Column[];
  rows: readonly Cell[][];
  footer?: readonly Cell[][];
  id?: string;
}): HTMLElement {
  const { caption, columns, rows, footer } = options;
  const head = el("tr", {});
  for (const column of columns) {
    head.appendChild(el("th", { scope: "col", ...(column.numeric ? { class: "num" } : {}) }, column.header));
  }
  const table = el(
    "table",
    options.id !== undefined ? { id: options.id } : {},
    el("caption", {}, caption),
    el("thead", {}, head),
    el("tbody", {}, ...rows.map((row) => tableRow(row, columns))),
  );
  if (footer !== undefined && footer.length > 0) {
    table.appendChild(el("tfoot", {}, ...footer.map((row) => tableRow(row, columns))));
  }
  return el("div", { class: "table-scroll" }, table);
}

function tableRow(cells: readonly Cell[], columns: readonly Column[]): HTMLTableRowElement {
  const row = el("tr", {});
  cells.forEach((cell, index) => {
    const numeric: Record<string, string> = columns[index]?.numeric === true ? { class: "num" } : {};
    row.appendChild(index === 0 ? el("th", { scope: "row", ...numeric }, cell) : el("td", numeric, cell));
  });
  return row;
}
