/**
 * CSV as RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): a header row of field names, CRLF
 * after every record, UTF-8 without BOM. It matches the Frictionless default CSV dialect, so the
 * Data Package needs no `dialect`, and the Table Schema (`missingValues: [""]`) reads it back.
 */
import type { Cell, PublishedTable, TableField, TableFieldType } from "../table.ts";
import { cellOf, publishedCell } from "./cells.ts";

const CRLF = "\r\n";
const NEEDS_QUOTES = /[",\r\n]/;
/**
 * Spreadsheet formula injection (OWASP, "CSV Injection"): a text cell starting with one of these
 * is run as a formula by Excel or LibreOffice when the file is opened. OWASP's advice is to prefix
 * such a cell with a single quote, which spreadsheets show as text. We apply it to string cells
 * only: the published text then differs from the stored one by that leading `'` (a documented,
 * lossy choice that protects people opening the file), while number cells are never touched, so
 * `-3.5` stays a number for every reader and for the Table Schema.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes a text cell that a spreadsheet would run as a formula (see FORMULA_START). */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180 §2.6–2.7: quote a field holding a comma, quote, CR or LF, and double its quotes. */
export function quoteField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A number as text that parses back to the same double: JavaScript's shortest round-trip form
 * (no locale, no grouping). Exponents appear only below 1e-6 or from 1e21, which the Table Schema
 * number type accepts. Integers are written digit by digit (the integer type refuses exponents),
 * -0 keeps its sign in a number column, and the non-finite values use the spec's NaN, INF, -INF.
 */
export function numberText(type: TableFieldType, value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "INF";
  if (value === Number.NEGATIVE_INFINITY) return "-INF";
  if (type === "integer" && Number.isInteger(value)) return BigInt(value).toString();
  if (Object.is(value, -0)) return "-0";
  return String(value);
}

/** A cell's text before quoting; null is the empty field (the schema's only missing value). */
export function cellText(field: TableField, cell: Cell): string {
  const value = publishedCell(field, cell);
  if (value === null) return "";
  if (typeof value === "number") return numberText(field.type, value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return guardFormula(value);
}

function csvRecord(texts: readonly string[]): string {
  return `${texts.map(quoteField).join(",")}${CRLF}`;
}

export function toCsv(table: PublishedTable): string {
  const header = csvRecord(table.fields.map((field) => field.name));
  const records = table.rows.map((row) => csvRecord(table.fields.map((f) => cellText(f, cellOf(row, f)))));
  return header + records.join("");
}
