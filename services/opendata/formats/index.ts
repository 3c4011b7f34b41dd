/**
 * The download formats as data: a route takes a format id from its query schema and calls
 * `FORMATS[id].render(table)`, then sends it with the media type and file extension listed here.
 */
import type { PublishedTable } from "../table.ts";
import { toCsv } from "./csv.ts";
import { toGeoJson } from "./geojson.ts";
import { toJson } from "./json.ts";
import { toParquet } from "./parquet.ts";

export type FormatId = "csv" | "json" | "geojson" | "parquet";

export type DownloadFormat = {
  id: FormatId;
  /** File extension, without the dot. */
  extension: string;
  /** Content-Type of the response. */
  mediaType: string;
  render(table: PublishedTable): string | Uint8Array;
};

export const FORMATS: Readonly<Record<FormatId, DownloadFormat>> = {
  csv: { id: "csv", extension: "csv", mediaType: "text/csv; charset=utf-8", render: toCsv },
  json: {
    id: "json",
    extension: "json",
    mediaType: "application/json",
    render: (table) => JSON.stringify(toJson(table)),
  },
  // RFC 7946 §12 registers application/geo+json.
  geojson: {
    id: "geojson",
    extension: "geojson",
    mediaType: "application/geo+json",
    render: (table) => JSON.stringify(toGeoJson(table)),
  },
  parquet: {
    id: "parquet",
    extension: "parquet",
    mediaType: "application/vnd.apache.parquet",
    render: toParquet,
  },
};

/** The ids in a stable order, for a route's query schema (a TypeBox union of literals). */
export const FORMAT_IDS: readonly FormatId[] = ["csv", "json", "geojson", "parquet"];

export function isFormatId(value: string): value is FormatId {
  return (FORMAT_IDS as readonly string[]).includes(value);
}

export { type DataPackageInput, dataPackage, tableSchema } from "./table-schema.ts";
