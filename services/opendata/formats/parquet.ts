/**
 * Apache Parquet (https://parquet.apache.org/docs/file-format/) with hyparquet-writer: one column
 * per field, a plain table (geometries are left to GeoJSON). The schema is written explicitly
 * from the field types rather than guessed from the values, so an empty or all-null column still
 * gets its type, and every column carries its logical type for readers such as DuckDB or pandas.
 */
import { type ColumnSource, parquetWriteBuffer, type SchemaElement } from "hyparquet-writer";
import type { Cell, PublishedTable, TableField, TableFieldType } from "../table.ts";
import { cellOf, publishedCell } from "./cells.ts";

type ParquetValue = string | number | bigint | boolean | Date | null;

const DAY_MS = 86_400_000;

/** Parquet physical and logical type of each Table Schema type. */
const ELEMENTS: Readonly<Record<TableFieldType, Omit<SchemaElement, "name" | "repetition_type">>> = {
  string: { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } },
  number: { type: "DOUBLE" },
  integer: {
    type: "INT64",
    converted_type: "INT_64",
    logical_type: { type: "INTEGER", bitWidth: 64, isSigned: true },
  },
  boolean: { type: "BOOLEAN" },
  date: { type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } },
  // Instants in UTC (isAdjustedToUTC), milliseconds: the datetimes are whole seconds (cells.ts).
  datetime: {
    type: "INT64",
    converted_type: "TIMESTAMP_MILLIS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
  },
};

/** A required field's column is REQUIRED, as the Table Schema says; a null there will throw. */
function schemaElement(field: TableField): SchemaElement {
  const repetition_type = field.constraints?.required === true ? "REQUIRED" : "OPTIONAL";
  return { name: field.name, ...ELEMENTS[field.type], repetition_type };
}

function mismatch(field: TableField, cell: Cell): TypeError {
  return new TypeError(`column ${field.name} (${field.type}) cannot hold ${JSON.stringify(cell)}`);
}

function dateValue(field: TableField, cell: string): Date {
  const ms = Date.parse(`${cell}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(cell) || Number.isNaN(ms)) throw mismatch(field, cell);
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS);
}

/** The value hyparquet-writer expects for the column's type: INT64 wants a bigint, dates a Date. */
export function parquetValue(field: TableField, cell: Cell): ParquetValue {
  const value = publishedCell(field, cell);
  // Checked here: hyparquet-writer's own error for a null in a REQUIRED column names no column.
  if (value === null && field.constraints?.required === true) throw mismatch(field, value);
  if (value === null) return null;
  switch (field.type) {
    case "string":
      if (typeof value === "string") return value;
      break;
    case "number":
      if (typeof value === "number") return value;
      break;
    case "integer":
      if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
      break;
    case "boolean":
      if (typeof value === "boolean") return value;
      break;
    case "date":
      if (typeof value === "string") return dateValue(field, value);
      break;
    case "datetime":
      if (typeof value === "string") return new Date(value);
      break;
  }
  throw mismatch(field, value);
}

function column(table: PublishedTable, field: TableField): ColumnSource {
  return {
    name: field.name,
    data: table.rows.map((row) => parquetValue(field, cellOf(row, field))),
    nullable: field.constraints?.required !== true,
  };
}

export function toParquet(table: PublishedTable): Uint8Array {
  const schema: SchemaElement[] = [
    { name: "root", num_children: table.fields.length },
    ...table.fields.map(schemaElement),
  ];
  const columnData = table.fields.map((field) => column(table, field));
  return new Uint8Array(parquetWriteBuffer({ columnData, schema, createdBy: "lanterne" }));
}
