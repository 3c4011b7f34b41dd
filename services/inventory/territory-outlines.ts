import { readFile } from "node:fs/promises";
import { TerritoryInvalidError } from "../domain/errors.ts";
import type { SchemaProblem } from "./schema-errors.ts";

/**
 * The communes' outlines a territory imports (territory.yaml `outlines:`): a GeoJSON
 * FeatureCollection (RFC 7946, WGS 84, [lon, lat]) of one Polygon or MultiPolygon feature per
 * commune, its INSEE code in the `code` property, as IGN's ADMIN EXPRESS layers and their
 * GeoJSON exports name it. The map draws them instead of the hulls around each commune's
 * devices. The file is checked whole at load; every problem is listed with its JSON path.
 */
export const OUTLINE_CODE_PROPERTY = "code";

export type Position = number[];

export type CommuneOutline =
  | { type: "Polygon"; coordinates: Position[][] }
  | { type: "MultiPolygon"; coordinates: Position[][][] };

/**
 * The outlines by INSEE code. `isCommune` says which codes belong to the territory; an outline
 * of any other commune is refused, as is a code given twice.
 */
export async function loadCommuneOutlines(
  path: string,
  isCommune: (code: string) => boolean,
): Promise<Map<string, CommuneOutline>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new TerritoryInvalidError(path, `  - ${(err as Error).message.split("\n")[0]}`);
  }
  const { outlines, problems } = readOutlines(doc, isCommune);
  if (problems.length > 0) {
    throw new TerritoryInvalidError(path, problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"));
  }
  return outlines;
}

/** The outlines of a parsed document, and every problem found in it. */
export function readOutlines(
  doc: unknown,
  isCommune: (code: string) => boolean,
): { outlines: Map<string, CommuneOutline>; problems: SchemaProblem[] } {
  const outlines = new Map<string, CommuneOutline>();
  if (!isObject(doc) || doc.type !== "FeatureCollection" || !Array.isArray(doc.features)) {
    const problems = [
      {
        path: "/",
        message: 'must be a GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}',
      },
    ];
    return { outlines, problems };
  }
  const problems: SchemaProblem[] = [];
  const seen = new Map<string, number>();
  doc.features.forEach((feature: unknown, i: number) => {
    const at = `/features/${i}`;
    const found = featureProblems(feature, at, isCommune);
    if (found.length > 0 || !isObject(feature)) {
      problems.push(...found);
      return;
    }
    const code = String((feature.properties as Record<string, unknown>)[OUTLINE_CODE_PROPERTY]);
    const first = seen.get(code);
    if (first !== undefined) {
      problems.push({
        path: `${at}/properties/${OUTLINE_CODE_PROPERTY}`,
        message: `${code} is already at /features/${first}`,
      });
      return;
    }
    seen.set(code, i);
    outlines.set(code, feature.geometry as CommuneOutline);
  });
  return { outlines, problems };
}

function featureProblems(
  feature: unknown,
  at: string,
  isCommune: (code: string) => boolean,
): SchemaProblem[] {
  if (!isObject(feature) || feature.type !== "Feature") {
    return [
      {
        path: at,
        message: 'must be a GeoJSON Feature: {"type": "Feature", "geometry": ..., "properties": ...}',
      },
    ];
  }
  return [
    ...codeProblems(feature.properties, at, isCommune),
    ...geometryProblems(feature.geometry, `${at}/geometry`),
  ];
}

function codeProblems(
  properties: unknown,
  at: string,
  isCommune: (code: string) => boolean,
): SchemaProblem[] {
  const path = `${at}/properties/${OUTLINE_CODE_PROPERTY}`;
  const code = isObject(properties) ? properties[OUTLINE_CODE_PROPERTY] : undefined;
  if (typeof code !== "string" || !/^[0-9][0-9AB][0-9]{3}$/.test(code)) {
    return [
      {
        path,
        message: `must be the commune's INSEE code, 5 characters written as text, got ${JSON.stringify(code)}`,
      },
    ];
  }
  return isCommune(code) ? [] : [{ path, message: `${code} is not a commune of the territory` }];
}

function geometryProblems(geometry: unknown, at: string): SchemaProblem[] {
  if (!isObject(geometry)) return [{ path: at, message: "must be a Polygon or MultiPolygon geometry" }];
  if (geometry.type === "Polygon") return polygonProblems(geometry.coordinates, `${at}/coordinates`);
  if (geometry.type === "MultiPolygon") {
    const polygons = geometry.coordinates;
    if (!Array.isArray(polygons) || polygons.length === 0) {
      return [{ path: `${at}/coordinates`, message: "must be a non-empty list of polygons" }];
    }
    return polygons.flatMap((p: unknown, i: number) => polygonProblems(p, `${at}/coordinates/${i}`));
  }
  return [
    { path: `${at}/type`, message: `must be Polygon or MultiPolygon, got ${JSON.stringify(geometry.type)}` },
  ];
}

function polygonProblems(rings: unknown, at: string): SchemaProblem[] {
  if (!Array.isArray(rings) || rings.length === 0)
    return [{ path: at, message: "must be a non-empty list of rings" }];
  return rings.flatMap((ring: unknown, i: number) => ringProblems(ring, `${at}/${i}`));
}

/** RFC 7946 §3.1.6: a linear ring has four positions or more, the last equal to the first. */
function ringProblems(ring: unknown, at: string): SchemaProblem[] {
  if (!Array.isArray(ring) || ring.length < 4)
    return [{ path: at, message: "must be a ring of 4 positions or more" }];
  const bad = ring.findIndex((p: unknown) => !isPosition(p));
  if (bad >= 0)
    return [{ path: `${at}/${bad}`, message: "must be a position [lon, lat] in degrees (WGS 84)" }];
  const first = ring[0] as Position;
  const last = ring[ring.length - 1] as Position;
  return first[0] === last[0] && first[1] === last[1]
    ? []
    : [{ path: at, message: "must end where it starts (a closed ring)" }];
}

function isPosition(p: unknown): boolean {
  if (!Array.isArray(p) || p.length < 2) return false;
  const [lon, lat] = p;
  return isCoordinate(lon, 180) && isCoordinate(lat, 90);
}

function isCoordinate(value: unknown, limit: number): boolean {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= limit;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
