import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileWriter, ParquetWriter, type SchemaElement } from "hyparquet-writer";
import { quoteField } from "../../opendata/formats/csv.ts";
import { type BundleFile, FileSink } from "./sink.ts";

/** A column of a bundle table; its Table Schema type decides how a cell is written and read back. */
export interface Column {
  name: string;
  type: "string" | "number" | "integer" | "boolean" | "datetime";
  description?: string;
  /** Never missing: "" in a text column is then the empty text, not a missing value. */
  required?: boolean;
}

/** A cell as the exporter holds it: datetimes as epoch milliseconds. */
export type Cell = string | number | boolean | null;

/** Rows per Parquet row group: memory holds one group per open file. */
const ROW_GROUP = 50_000;

const PARQUET: Record<Column["type"], Omit<SchemaElement, "name" | "repetition_type">> = {
  string: { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } },
  number: { type: "DOUBLE" },
  integer: {
    type: "INT64",
    converted_type: "INT_64",
    logical_type: { type: "INTEGER", bitWidth: 64, isSigned: true },
  },
  boolean: { type: "BOOLEAN" },
  datetime: {
    type: "INT64",
    converted_type: "TIMESTAMP_MILLIS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
  },
};

/**
 * One table of the bundle, written as CSV (RFC 4180, UTF-8, CRLF, header row; no formula guard:
 * the bundle gives the data back exactly as stored) and, when asked, as Parquet beside it, row
 * group by row group. Cells are typed by their column; a cell that does not fit is an error,
 * never a silent change.
 */
export class TableFile {
  private buffered: Cell[][] = [];
  private parquet: ParquetWriter | undefined;
  private parquetPath: string | undefined;

  private constructor(
    private readonly root: string,
    readonly path: string,
    readonly columns: readonly Column[],
    private readonly csv: FileSink,
    withParquet: boolean,
  ) {
    if (withParquet) {
      this.parquetPath = path.replace(/\.csv$/, ".parquet");
      const schema: SchemaElement[] = [
        { name: "root", num_children: columns.length },
        ...columns.map((c) => ({
          name: c.name,
          ...PARQUET[c.type],
          repetition_type: c.required ? ("REQUIRED" as const) : ("OPTIONAL" as const),
        })),
      ];
      this.parquet = new ParquetWriter({
        writer: fileWriter(join(root, this.parquetPath)),
        schema,
        createdBy: "lanterne",
      });
    }
  }

  /** `path` ends in ".csv"; the Parquet file, if any, is the same path in ".parquet". */
  static async open(
    root: string,
    path: string,
    columns: readonly Column[],
    parquet: boolean,
  ): Promise<TableFile> {
    await mkdir(dirname(join(root, path)), { recursive: true });
    const csv = await FileSink.open(root, path);
    await csv.write(`${columns.map((c) => quoteField(c.name)).join(",")}\r\n`);
    return new TableFile(root, path, columns, csv, parquet);
  }

  async add(rows: readonly Cell[][]): Promise<void> {
    if (rows.length === 0) return;
    const lines: string[] = [];
    for (const row of rows) lines.push(this.line(row));
    await this.csv.write(lines.join(""));
    this.csv.rows += rows.length;
    if (!this.parquet) return;
    for (const row of rows) this.buffered.push(row);
    if (this.buffered.length >= ROW_GROUP) await this.flushGroup();
  }

  async close(): Promise<BundleFile[]> {
    const files = [{ ...(await this.csv.close()), rows: this.csv.rows }];
    if (this.parquet && this.parquetPath) {
      await this.flushGroup();
      await this.parquet.finish();
      files.push({ ...(await hashFile(this.root, this.parquetPath)), rows: this.csv.rows });
    }
    return files;
  }

  private line(row: readonly Cell[]): string {
    let out = "";
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i] as Column;
      if (i > 0) out += ",";
      out += quoteField(cellText(column, row[i] ?? null));
    }
    return `${out}\r\n`;
  }

  private async flushGroup(): Promise<void> {
    if (!this.parquet || this.buffered.length === 0) return;
    const rows = this.buffered;
    this.buffered = [];
    const columnData = this.columns.map((c, i) => ({
      name: c.name,
      data: rows.map((r) => parquetCell(c, r[i] ?? null)),
      nullable: !c.required,
    }));
    await this.parquet.write({ columnData, rowGroupSize: rows.length });
  }
}

function mismatch(column: Column, cell: Cell): TypeError {
  return new TypeError(`column ${column.name} (${column.type}) cannot hold ${JSON.stringify(cell)}`);
}

/** The CSV text of a cell: numbers in their shortest round-trip form, instants in ISO 8601 UTC. */
export function cellText(column: Column, cell: Cell): string {
  if (cell === null) {
    if (column.required && column.type !== "string") throw mismatch(column, cell);
    return "";
  }
  switch (column.type) {
    case "string":
      if (typeof cell === "string") return cell;
      break;
    case "number":
      if (typeof cell === "number" && Number.isFinite(cell)) return String(cell);
      break;
    case "integer":
      if (typeof cell === "number" && Number.isSafeInteger(cell)) return String(cell);
      break;
    case "boolean":
      if (typeof cell === "boolean") return cell ? "true" : "false";
      break;
    case "datetime":
      if (typeof cell === "number" && Number.isFinite(cell)) return new Date(cell).toISOString();
      break;
  }
  throw mismatch(column, cell);
}

function parquetCell(column: Column, cell: Cell): string | number | bigint | boolean | Date | null {
  if (cell === null) return null;
  switch (column.type) {
    case "integer":
      return BigInt(cell as number);
    case "datetime":
      return new Date(cell as number);
    default:
      return cell;
  }
}

/** A file's size and SHA-256, read as a stream. */
export async function hashFile(root: string, path: string): Promise<BundleFile> {
  const absolute = join(root, path);
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(absolute)) hash.update(chunk as Buffer);
  return { path, bytes: (await stat(absolute)).size, sha256: hash.digest("hex") };
}
