import { createReadStream } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse";
import { BundleInvalidError } from "../../domain/errors.ts";
import type { Cell, Column } from "./table-file.ts";

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/**
 * Reads a table of the bundle in pages, each cell cast by its column: a header that is not the
 * columns expected, a cell of the wrong type or a missing required cell is refused with the file,
 * its line and the column, never guessed. The rows come as they were exported (see cellText).
 */
export async function* readTable(
  root: string,
  path: string,
  columns: readonly Column[],
  pageSize = 5_000,
): AsyncIterable<{ rows: Cell[][]; line: number }> {
  const parser = createReadStream(join(root, path)).pipe(
    parse({ record_delimiter: ["\r\n"], relax_quotes: false, relax_column_count: false, info: false }),
  );
  let line = 0;
  let rows: Cell[][] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      if (line === 1) {
        checkHeader(path, record, columns);
        continue;
      }
      rows.push(castRow(path, line, record, columns));
      if (rows.length >= pageSize) {
        yield { rows, line };
        rows = [];
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUNDLE_INVALID") throw err;
    throw new BundleInvalidError(path, `not RFC 4180 CSV near line ${line + 1}: ${(err as Error).message}`);
  }
  if (line === 0) throw new BundleInvalidError(path, "empty: the header row is missing");
  if (rows.length > 0) yield { rows, line };
}

function checkHeader(path: string, header: readonly string[], columns: readonly Column[]): void {
  const expected = columns.map((c) => c.name);
  if (header.length !== expected.length || header.some((h, i) => h !== expected[i])) {
    throw new BundleInvalidError(
      path,
      `header ${JSON.stringify(header.slice(0, 20))} is not the expected ${JSON.stringify(expected.slice(0, 20))}`,
    );
  }
}

function castRow(path: string, line: number, record: readonly string[], columns: readonly Column[]): Cell[] {
  const row: Cell[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as Column;
    const text = record[i] ?? "";
    const cell = castCell(column, text);
    if (cell === undefined) {
      throw new BundleInvalidError(
        path,
        `line ${line}, column ${column.name}: ${JSON.stringify(text.slice(0, 80))} is not a ${column.type}`,
      );
    }
    row[i] = cell;
  }
  return row;
}

/** The cell's value, or undefined when the text is not one of the column's type. */
export function castCell(column: Column, text: string): Cell | undefined {
  if (text === "") {
    if (column.type === "string") return column.required ? "" : null;
    return column.required ? undefined : null;
  }
  switch (column.type) {
    case "string":
      return text;
    case "number":
      return NUMBER.test(text) ? Number(text) : undefined;
    case "integer": {
      if (!INTEGER.test(text)) return undefined;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case "boolean":
      return text === "true" ? true : text === "false" ? false : undefined;
    case "datetime": {
      if (!ISO_INSTANT.test(text)) return undefined;
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? undefined : ms;
    }
  }
}
