/**
 * The one place where a table's cells are put in their published form, so that CSV, JSON,
 * GeoJSON and Parquet cannot disagree about a value.
 */
import type { Cell, PublishedTable, TableField } from "../table.ts";

const SECOND_MS = 1000;

/**
 * A datetime in the Table Schema default format, `YYYY-MM-DDThh:mm:ssZ` (UTC, whole seconds).
 * Why whole seconds: the default format has no fraction part, and validators (tableschema-js's
 * strict `YYYY-MM-DDTHH:mm:ss[Z]` pattern among them) reject one. Published figures are periods
 * of hours or days, so a sub-second part is floored; every format floors it the same way.
 */
export function canonicalDatetime(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 datetime: ${JSON.stringify(value)}`);
  const floored = ms - (((ms % SECOND_MS) + SECOND_MS) % SECOND_MS);
  return new Date(floored).toISOString().replace(".000Z", "Z");
}

/** A row's cell for a field: a missing cell is null (see `PublishedTable.rows`). */
export function cellOf(row: Readonly<Record<string, Cell>>, field: TableField): Cell {
  return row[field.name] ?? null;
}

/** The cell as every format publishes it: datetimes made canonical, everything else as is. */
export function publishedCell(field: TableField, cell: Cell): Cell {
  if (field.type === "datetime" && typeof cell === "string") return canonicalDatetime(cell);
  return cell;
}

/** A row as a record of published cells, in the fields' order. */
export function publishedRecord(
  table: PublishedTable,
  row: Readonly<Record<string, Cell>>,
): Record<string, Cell> {
  const record: Record<string, Cell> = {};
  for (const field of table.fields) record[field.name] = publishedCell(field, cellOf(row, field));
  return record;
}
