/**
 * GeoJSON (RFC 7946, https://www.rfc-editor.org/rfc/rfc7946): one Feature per row, its
 * properties the row's published cells (the same as a JSON record), its geometry the row's place
 * in WGS 84 longitude/latitude. No `crs` member: RFC 7946 §4 removed it, WGS 84 is implied.
 */
import type { Cell, Geometry, PublishedTable } from "../table.ts";
import { jsonRecord } from "./json.ts";

type Position = [number, number];

export type GeoJsonFeature = {
  type: "Feature";
  id?: string;
  geometry: Geometry | null;
  properties: Record<string, Cell>;
};

export type GeoJsonFeatureCollection = { type: "FeatureCollection"; features: GeoJsonFeature[] };

/** Twice the signed area (shoelace): positive when the ring runs counterclockwise. */
function signedArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i] as Position;
    const [x2, y2] = ring[i + 1] as Position;
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

function oriented(ring: readonly Position[], counterclockwise: boolean): Position[] {
  const copy = ring.map(([lon, lat]): Position => [lon, lat]);
  return signedArea(ring) > 0 === counterclockwise ? copy : copy.reverse();
}

/** RFC 7946 §3.1.6 right-hand rule: exterior ring counterclockwise, holes clockwise. */
function rewound(rings: readonly (readonly Position[])[]): Position[][] {
  return rings.map((ring, index) => oriented(ring, index === 0));
}

/** A copy of the geometry, polygons rewound; the input table is never changed. */
export function rfc7946Geometry(geometry: Geometry): Geometry {
  switch (geometry.type) {
    case "Point":
      return { type: "Point", coordinates: [geometry.coordinates[0], geometry.coordinates[1]] };
    case "Polygon":
      return { type: "Polygon", coordinates: rewound(geometry.coordinates) };
    case "MultiPolygon":
      return { type: "MultiPolygon", coordinates: geometry.coordinates.map(rewound) };
  }
}

/** The primary key's values joined with "/", or no id when the table has no key. */
function featureId(table: PublishedTable, properties: Record<string, Cell>): string | undefined {
  if (table.primaryKey.length === 0) return undefined;
  return table.primaryKey.map((name) => String(properties[name] ?? "")).join("/");
}

function feature(table: PublishedTable, index: number): GeoJsonFeature {
  const properties = jsonRecord(table, table.rows[index] ?? {});
  const geometry = table.geometries?.[index] ?? null;
  const result: GeoJsonFeature = {
    type: "Feature",
    geometry: geometry === null ? null : rfc7946Geometry(geometry),
    properties,
  };
  const id = featureId(table, properties);
  if (id !== undefined) result.id = id;
  return result;
}

export function toGeoJson(table: PublishedTable): GeoJsonFeatureCollection {
  return { type: "FeatureCollection", features: table.rows.map((_, index) => feature(table, index)) };
}
