/**
 * The JSON download, one self-describing document:
 *
 * ```json
 * {
 *   "dataset": { "name", "title", "description", "homepage"?, "created"? },
 *   "licence": { "name", "path", "title" },
 *   "fields": [ Table Schema field descriptors, as in the Data Package ],
 *   "primary_key": [ "field", ... ],
 *   "records": [ { "<field name>": value, ... } ]
 * }
 * ```
 *
 * Every record has every field, in the fields' order; a missing value is `null`. Datetimes are
 * strings in the Table Schema default format (see cells.ts), dates `YYYY-MM-DD`. JSON has no
 * NaN or infinities (RFC 8259 §6), so a non-finite number is written as `null`.
 */
import type { Cell, PublishedTable } from "../table.ts";
import { publishedRecord } from "./cells.ts";
import { type LicenceDescriptor, licenceDescriptor } from "./licences.ts";
import { type FieldDescriptor, fieldDescriptor } from "./table-schema.ts";

export type JsonMeta = {
  /** Landing page of the dataset in the catalogue. */
  homepage?: string;
  /** ISO 8601 datetime of the extract; passed in so that the output is reproducible. */
  created?: string;
};

export type JsonDataset = {
  name: string;
  title: string;
  description: string;
  homepage?: string;
  created?: string;
};

export type JsonDocument = {
  dataset: JsonDataset;
  licence: LicenceDescriptor;
  fields: FieldDescriptor[];
  primary_key: string[];
  records: Record<string, Cell>[];
};

function jsonDataset(table: PublishedTable, meta: JsonMeta): JsonDataset {
  const dataset: JsonDataset = { name: table.name, title: table.title, description: table.description };
  if (meta.homepage !== undefined) dataset.homepage = meta.homepage;
  if (meta.created !== undefined) dataset.created = meta.created;
  return dataset;
}

/** Non-finite numbers become null: JSON.stringify would do it silently, we do it on purpose. */
export function jsonRecord(table: PublishedTable, row: PublishedTable["rows"][number]): Record<string, Cell> {
  const record = publishedRecord(table, row);
  for (const [name, value] of Object.entries(record)) {
    if (typeof value === "number" && !Number.isFinite(value)) record[name] = null;
  }
  return record;
}

export function toJson(table: PublishedTable, meta: JsonMeta = {}): JsonDocument {
  return {
    dataset: jsonDataset(table, meta),
    licence: licenceDescriptor(table.licence),
    fields: table.fields.map(fieldDescriptor),
    primary_key: [...table.primaryKey],
    records: table.rows.map((row) => jsonRecord(table, row)),
  };
}
