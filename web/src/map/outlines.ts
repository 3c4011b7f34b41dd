import type { Commune } from "./data.ts";
import { convexHull, type LatLon } from "./hull.ts";
import type { MapDevice, Outline } from "./types.ts";

/**
 * Each commune's outline: the one the territory imported (GeoJSON, [lon, lat]) when there is
 * one, else the convex hull of the commune's devices, marked as drawn so. A commune with neither
 * (no outline, fewer than three devices) has none.
 */
export function communeOutlines(communes: readonly Commune[], devices: readonly MapDevice[]): Outline[] {
  const byCommune = new Map<string, LatLon[]>();
  for (const d of devices) {
    const points = byCommune.get(d.commune) ?? [];
    points.push([d.lat, d.lon]);
    byCommune.set(d.commune, points);
  }
  const named = new Map(communes.map((c) => [c.code, c]));
  const codes = new Set([...named.keys(), ...byCommune.keys()]);
  return [...codes].flatMap((code): Outline[] => {
    const commune = named.get(code);
    const name = commune?.name ?? code;
    const imported = commune?.outline ? importedRings(commune.outline) : [];
    if (imported.length > 0) return [{ code, name, rings: imported, drawnAroundDevices: false }];
    const hull = convexHull(byCommune.get(code) ?? []);
    return hull.length >= 3 ? [{ code, name, rings: [hull], drawnAroundDevices: true }] : [];
  });
}

function importedRings(outline: NonNullable<Commune["outline"]>): LatLon[][] {
  const polygons = outline.type === "Polygon" ? [outline.coordinates] : outline.coordinates;
  // The outer ring of each polygon is enough for an outline.
  return polygons.flatMap((polygon) => {
    const outer = polygon[0];
    return outer ? [outer.map((p): LatLon => [p[1] ?? 0, p[0] ?? 0])] : [];
  });
}
