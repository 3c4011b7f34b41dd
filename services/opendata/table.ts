/**
 * A published table as the open formats see it: named, typed columns and rows of plain cells,
 * each row optionally placed on the map. Every format (CSV, JSON, GeoJSON, Parquet) and the
 * Frictionless Table Schema are written from this one shape, so they cannot disagree.
 */

/** Frictionless Table Schema field types Lanterne publishes. */
export type TableFieldType = "string" | "number" | "integer" | "date" | "datetime" | "boolean";

export interface TableField {
  /** snake_case column name. */
  name: string;
  type: TableFieldType;
  /** Human title (French). */
  title: string;
  description: string;
  /** Unit of a number (UCUM-like text: "kWh", "bar", "1" for a ratio, "h"). */
  unit?: string;
  constraints?: {
    required?: boolean;
    minimum?: number;
    maximum?: number;
    /** Allowed values of a string column. */
    enum?: readonly string[];
  };
}

export type Cell = string | number | boolean | null;

/** A GeoJSON geometry (RFC 7946), WGS 84 longitude/latitude. */
export type Geometry =
  | { type: "Point"; coordinates: [number, number] }
  | { type: "Polygon"; coordinates: [number, number][][] }
  | { type: "MultiPolygon"; coordinates: [number, number][][][] };

export interface PublishedTable {
  /** Dataset id: lower-case, digits and hyphens; also the resource name in a Data Package. */
  name: string;
  title: string;
  description: string;
  fields: readonly TableField[];
  /** Columns that together identify a row (Table Schema primaryKey). */
  primaryKey: readonly string[];
  /** Each row's cells by field name; a missing cell is null. Datetimes as ISO 8601 UTC strings. */
  rows: ReadonlyArray<Readonly<Record<string, Cell>>>;
  /** Each row's place on the map (same order as rows); null: no geometry (GeoJSON allows it). */
  geometries?: ReadonlyArray<Geometry | null>;
  /** Licence of the data: an SPDX-like id ("etalab-2.0", "odbl-1.0"). */
  licence: string;
}
