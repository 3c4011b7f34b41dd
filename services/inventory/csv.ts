/**
 * A small RFC 4180 reader and writer: comma separator, fields optionally enclosed in double
 * quotes, a quote inside a quoted field written twice, line breaks (CRLF, LF or CR) allowed
 * inside quoted fields. A UTF-8 byte order mark (what spreadsheet "CSV UTF-8" exports start
 * with) is ignored. Blank lines are skipped. Line numbers are 1-based and name the physical
 * line a record starts on, so that they match what an editor shows.
 */

export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvRow {
  line: number;
  /** Cells by header name, trimmed. */
  cells: Map<string, string>;
}

export interface CsvTable {
  columns: string[];
  rows: CsvRow[];
  errors: string[];
}

interface Cursor {
  text: string;
  pos: number;
  line: number;
}

export function parseCsv(text: string): { records: CsvRecord[]; errors: string[] } {
  const cursor: Cursor = { text: text.startsWith("\uFEFF") ? text.slice(1) : text, pos: 0, line: 1 };
  const records: CsvRecord[] = [];
  const errors: string[] = [];
  while (cursor.pos < cursor.text.length) {
    const line = cursor.line;
    const fields = readRecord(cursor, errors);
    if (fields.length > 1 || fields[0] !== "") records.push({ line, fields });
  }
  return { records, errors };
}

function readRecord(c: Cursor, errors: string[]): string[] {
  const fields: string[] = [];
  for (;;) {
    fields.push(c.text[c.pos] === '"' ? readQuoted(c, errors) : readPlain(c));
    if (c.text[c.pos] !== ",") break;
    c.pos++;
  }
  skipLineBreak(c);
  return fields;
}

function readPlain(c: Cursor): string {
  const start = c.pos;
  while (c.pos < c.text.length && !isDelimiter(c.text[c.pos])) c.pos++;
  return c.text.slice(start, c.pos);
}

function readQuoted(c: Cursor, errors: string[]): string {
  const startLine = c.line;
  let value = "";
  c.pos++;
  for (;;) {
    const close = c.text.indexOf('"', c.pos);
    if (close < 0) {
      errors.push(`line ${startLine}: quoted field is never closed`);
      return value + advance(c, c.text.length);
    }
    value += advance(c, close);
    c.pos++;
    if (c.text[c.pos] !== '"') break;
    value += '"';
    c.pos++;
  }
  if (c.pos < c.text.length && !isDelimiter(c.text[c.pos])) {
    errors.push(`line ${c.line}: text after the closing quote of a field`);
    value += readPlain(c);
  }
  return value;
}

/** Moves the cursor to `end`, counting the line breaks passed; returns the text passed. */
function advance(c: Cursor, end: number): string {
  const chunk = c.text.slice(c.pos, end);
  c.line += chunk.match(/\r\n|\r|\n/g)?.length ?? 0;
  c.pos = end;
  return chunk;
}

function skipLineBreak(c: Cursor): void {
  if (c.text.startsWith("\r\n", c.pos)) c.pos += 2;
  else if (c.text[c.pos] === "\n" || c.text[c.pos] === "\r") c.pos++;
  else return;
  c.line++;
}

function isDelimiter(ch: string | undefined): boolean {
  return ch === "," || ch === "\n" || ch === "\r";
}

/**
 * Reads a CSV whose first record is a header, checking that the `required` columns exist,
 * that no column is named twice and that every record has as many fields as the header.
 */
export function parseCsvTable(text: string, required: readonly string[]): CsvTable {
  const { records, errors } = parseCsv(text);
  const [header, ...body] = records;
  if (header === undefined) return { columns: [], rows: [], errors: [...errors, "the file is empty"] };
  const columns = header.fields.map((name) => name.trim());
  const headerErrors = checkHeader(columns, required);
  if (headerErrors.length > 0) return { columns, rows: [], errors: [...errors, ...headerErrors] };
  const rows: CsvRow[] = [];
  for (const record of body) {
    if (record.fields.length === columns.length) rows.push(toRow(record, columns));
    else errors.push(`line ${record.line}: ${record.fields.length} fields, the header has ${columns.length}`);
  }
  return { columns, rows, errors };
}

function checkHeader(columns: readonly string[], required: readonly string[]): string[] {
  const errors: string[] = [];
  if (columns.length === 1 && columns[0]?.includes(";")) {
    errors.push("line 1: the header is separated by semicolons; the format is comma-separated (RFC 4180)");
  }
  const missing = required.filter((name) => !columns.includes(name));
  if (missing.length > 0) errors.push(`line 1: missing required column(s): ${missing.join(", ")}`);
  const seen = new Set<string>();
  for (const name of columns) {
    if (name === "") errors.push("line 1: a column has no name");
    else if (seen.has(name)) errors.push(`line 1: column "${name}" appears twice`);
    seen.add(name);
  }
  return errors;
}

function toRow(record: CsvRecord, columns: readonly string[]): CsvRow {
  const cells = new Map<string, string>();
  columns.forEach((name, i) => {
    cells.set(name, (record.fields[i] ?? "").trim());
  });
  return { line: record.line, cells };
}

/** One CSV record, quoting only the fields that need it; `undefined` is an empty field. */
export function formatCsvRow(fields: readonly (string | number | undefined)[]): string {
  return fields.map(formatCsvField).join(",");
}

function formatCsvField(value: string | number | undefined): string {
  const text = value === undefined ? "" : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
