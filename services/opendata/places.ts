import type { SpatialLevel } from "../contracts/model.ts";
import type { Device } from "../domain/types.ts";
import { communeByCode } from "../inventory/territory.ts";
import type { CommuneOutline } from "../inventory/territory-outlines.ts";
import type { Geometry } from "./table.ts";

/**
 * The places figures are published for, named and drawn: a commune by its INSEE name and outline
 * (the territory's imported one, else the middle of its devices), a sector by its id at the
 * middle of its devices, the territory by its owner's name, without a geometry of its own.
 */
export interface Places {
  name(level: SpatialLevel, code: string): string;
  geometry(level: SpatialLevel, code: string): Geometry | null;
  /** INSEE codes of the communes a place covers. */
  communes(level: SpatialLevel, code: string): string[];
}

export interface PlacesDeps {
  devices: () => readonly Device[];
  /** One device by id (per-asset datasets). */
  device?: (id: string) => Device | undefined;
  outlines?: ReadonlyMap<string, CommuneOutline>;
  territory: { code: string; name: string };
  sectorAttribute?: string;
}

export function createPlaces(deps: PlacesDeps): Places {
  const sectorKey = deps.sectorAttribute ?? "sector";
  const middles = new Map<string, Geometry | null>();
  const middleOf = (key: string, pick: (d: Device) => boolean): Geometry | null => {
    let found = middles.get(key);
    if (found === undefined) {
      found = middle(deps.devices().filter(pick));
      middles.set(key, found);
    }
    return found;
  };
  const draw = (level: SpatialLevel, code: string): Geometry | null => {
    if (level === "territory") return null;
    if (level === "asset") {
      const d = deps.device?.(code);
      return d ? { type: "Point", coordinates: [round(d.lon), round(d.lat)] } : null;
    }
    if (level === "commune") {
      const outline = deps.outlines?.get(code);
      return outline ? asGeometry(outline) : middleOf(`c${code}`, (d) => d.commune === code);
    }
    return middleOf(`s${code}`, (d) => String(d.attributes[sectorKey] ?? "") === code);
  };
  // Each place is drawn once: an outline converted for every row of a year was most of a download.
  const drawn = new Map<string, Geometry | null>();
  return {
    name(level, code) {
      if (level === "commune") return communeByCode(code)?.name ?? code;
      if (level === "territory") return deps.territory.name;
      return code;
    },
    geometry(level, code) {
      const key = `${level}\u0000${code}`;
      if (!drawn.has(key)) drawn.set(key, draw(level, code));
      return drawn.get(key) ?? null;
    },
    communes(level, code) {
      if (level === "commune") return [code];
      if (level === "asset") {
        const d = deps.device?.(code);
        return d ? [d.commune] : [];
      }
      const all = deps.devices();
      const inside =
        level === "territory" ? all : all.filter((d) => String(d.attributes[sectorKey] ?? "") === code);
      return [...new Set(inside.map((d) => d.commune))].sort();
    },
  };
}

/** The mean position of the devices, a point; null when there are none. */
function middle(devices: readonly Device[]): Geometry | null {
  if (devices.length === 0) return null;
  const lon = devices.reduce((a, d) => a + d.lon, 0) / devices.length;
  const lat = devices.reduce((a, d) => a + d.lat, 0) / devices.length;
  return { type: "Point", coordinates: [round(lon), round(lat)] };
}

/** About 10 cm: enough for a place, and stable text from one release to the next. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function asGeometry(outline: CommuneOutline): Geometry {
  const pair = (p: number[]): [number, number] => [p[0] as number, p[1] as number];
  return outline.type === "Polygon"
    ? { type: "Polygon", coordinates: outline.coordinates.map((ring) => ring.map(pair)) }
    : {
        type: "MultiPolygon",
        coordinates: outline.coordinates.map((poly) => poly.map((ring) => ring.map(pair))),
      };
}
