import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inventoryCsv, makeTerritory } from "./alerts-fleet.ts";

/**
 * The web benchmark's fleet: the alerts benchmark's territory (its streetlights, contract and
 * users), with each generated asset moved a little off the demo streetlight it reuses, so that the
 * fleet covers the demo communes as distinct points instead of piles on the same spots.
 */

/** Silence far longer than a run: a bench device is never silent while the pages are measured. */
export const SILENCE = { cadenceMs: 86_400_000, graceMs: 3_600_000 };

/** Up to this many metres off the reused position, in each direction. */
const SPREAD_M = 60;
const M_PER_DEG_LAT = 111_320;

/** A deterministic number in [0, 1) from an integer (an integer hash, no state). */
export function unit(seed: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}

/** The position of the `index`-th asset: its base position moved at most SPREAD_M metres each way. */
export function spreadPosition(lat: number, lon: number, index: number): { lat: number; lon: number } {
  const dy = (unit(index * 2 + 1) * 2 - 1) * SPREAD_M;
  const dx = (unit(index * 2 + 2) * 2 - 1) * SPREAD_M;
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
  return { lat: round6(lat + dy / M_PER_DEG_LAT), lon: round6(lon + dx / mPerDegLon) };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** The alerts benchmark's inventory with every asset's position spread. */
export function spreadInventory(csv: string): string {
  const [header = "", ...rows] = csv.split("\n");
  const cols = header.split(",");
  const lat = cols.indexOf("lat");
  const lon = cols.indexOf("lon");
  if (lat < 0 || lon < 0) throw new Error("the inventory has no lat/lon columns");
  const moved = rows.map((line, i) => {
    if (line === "") return line;
    const f = line.split(",");
    const base = { lat: Number(f[lat]), lon: Number(f[lon]) };
    if (!Number.isFinite(base.lat) || !Number.isFinite(base.lon)) return line;
    const p = spreadPosition(base.lat, base.lon, i);
    f[lat] = String(p.lat);
    f[lon] = String(p.lon);
    return f.join(",");
  });
  return [header, ...moved].join("\n");
}

/** A temporary territory folder with the spread fleet; the caller removes it. */
export function makeWebTerritory(ids: readonly string[]): string {
  const dir = makeTerritory(ids, SILENCE);
  writeFileSync(join(dir, "inventory.csv"), spreadInventory(inventoryCsv(ids)));
  return dir;
}
