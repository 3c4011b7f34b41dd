/**
 * Generates the demo territory's asset inventory: territory/ccphva/inventory.csv and the same
 * devices as inventory.geojson (so that both import paths run on the demo). Deterministic:
 * a seeded PRNG, so running it again rewrites identical files.
 *
 *   npx tsx territory/generate.ts
 *
 * Commune codes, names and populations come from @etalab/decoupage-administratif through the
 * EPCI SIREN; only the town-centre coordinates are typed here (the package has no geometry).
 * The fleet is invented but shaped like a real one: ~3,000 streetlights on ~60 control
 * cabinets, ~120 pressure points in 1-3 network sectors per commune, ~400 drop-off containers,
 * each commune's share in proportion to its population, and one flow meter per water sector.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mulberry32 } from "../services/domain/random.ts";
import type { Device } from "../services/domain/types.ts";
import { parseIsoTime } from "../services/inventory/iso-time.ts";
import { type CommuneFacts, communesOfEpci } from "../services/inventory/territory.ts";
import { inventoryToCsv, inventoryToGeoJson } from "../services/inventory/write.ts";

export const CCPHVA_SIREN = "245701404";
export const CCPHVA_OWNER = "ccphva";
const SEED = 20240101;
const ASSIGNED_FROM = parseIsoTime("2024-01-01") ?? 0;
const TOTALS = { streetlights: 3000, cabinets: 60, pressurePoints: 120, containers: 400 } as const;

/** Approximate town centres (WGS 84), from the communes' public coordinates. */
export const TOWN_CENTRES: Readonly<Record<string, { lat: number; lon: number }>> = {
  "54521": { lat: 49.473, lon: 5.908 }, // Thil
  "54580": { lat: 49.467, lon: 5.929 }, // Villerupt
  "57038": { lat: 49.472, lon: 5.955 }, // Audun-le-Tiche
  "57041": { lat: 49.418, lon: 5.945 }, // Aumetz
  "57096": { lat: 49.383, lon: 5.953 }, // Boulange
  "57529": { lat: 49.443, lon: 6.019 }, // Ottange
  "57565": { lat: 49.495, lon: 5.92 }, // Rédange
  "57603": { lat: 49.483, lon: 5.953 }, // Russange
};

const METRES_PER_DEGREE = 111_320;

interface Place {
  facts: CommuneFacts;
  lat: number;
  lon: number;
  /** Radius of the disc the commune's assets are scattered in, in metres. */
  radius: number;
  slug: string;
}

type Random = () => number;

export function generateCcphvaInventory(): Device[] {
  const random = mulberry32(SEED);
  const places = placesOf(communesOfEpci(CCPHVA_SIREN));
  // The draws happen in this order: streetlights, pressure points, containers.
  const lamps = streetlights(places, random);
  const pressure = pressurePoints(places, random);
  return [...lamps, ...pressure, ...containers(places, random), ...sectorMeters(places, pressure)];
}

function placesOf(communes: readonly CommuneFacts[]): Place[] {
  const places = communes.map((facts) => {
    const centre = TOWN_CENTRES[facts.code];
    if (centre === undefined) throw new Error(`no town centre for commune ${facts.code} ${facts.name}`);
    return { facts, ...centre, radius: 0, slug: slugOf(facts.name) };
  });
  for (const place of places) place.radius = radiusOf(place, places);
  return places;
}

/**
 * Scaled by sqrt(population) within 500-1,200 m, and at most 45 % of the distance to the
 * nearest other town centre, so that every asset is nearer its own commune's centre than any
 * other (neighbouring centres here are as close as 1.2 km: Audun-le-Tiche and Russange).
 */
function radiusOf(place: Place, places: readonly Place[]): number {
  const nearest = Math.min(...places.filter((p) => p !== place).map((p) => distanceMetres(place, p)));
  const bySize = Math.min(1200, Math.max(500, 12 * Math.sqrt(place.facts.population)));
  return Math.min(bySize, 0.45 * nearest);
}

export function distanceMetres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dy = (a.lat - b.lat) * METRES_PER_DEGREE;
  const dx = (a.lon - b.lon) * METRES_PER_DEGREE * Math.cos((a.lat * Math.PI) / 180);
  return Math.hypot(dx, dy);
}

function slugOf(name: string): string {
  return name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
}

/** Splits `total` in proportion to `weights` (largest remainders), each share at least `min`. */
export function apportion(total: number, weights: readonly number[], min = 0): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (total * w) / sum);
  const shares = quotas.map((q) => Math.max(min, Math.floor(q)));
  const byRemainder = quotas.map((q, i) => ({ i, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r);
  let left = total - shares.reduce((a, b) => a + b, 0);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    left--;
  }
  return shares;
}

function shares(places: readonly Place[], total: number, min = 1): number[] {
  return apportion(
    total,
    places.map((p) => p.facts.population),
    min,
  );
}

/** A point uniformly in the disc of `radius` metres around `centre`, as metre offsets. */
function offsetInDisc(random: Random, radius: number): { dx: number; dy: number } {
  const r = radius * Math.sqrt(random());
  const angle = 2 * Math.PI * random();
  return { dx: r * Math.cos(angle), dy: r * Math.sin(angle) };
}

function toLatLon(place: Place, dx: number, dy: number): { lat: number; lon: number } {
  const lat = place.lat + dy / METRES_PER_DEGREE;
  const lon = place.lon + dx / (METRES_PER_DEGREE * Math.cos((place.lat * Math.PI) / 180));
  return { lat: round6(lat), lon: round6(lon) };
}

/** 6 decimals: about 0.1 m, and a value that survives the CSV round trip unchanged. */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function device(
  id: string,
  place: Place,
  at: { lat: number; lon: number },
  kind: { domain: string; contractId: string; operatorId: string },
  attributes: Record<string, string | number>,
): Device {
  return {
    id,
    domain: kind.domain,
    contractId: kind.contractId,
    ownerId: CCPHVA_OWNER,
    commune: place.facts.code,
    ...at,
    attributes,
    assignments: [{ operatorId: kind.operatorId, from: ASSIGNED_FROM }],
  };
}

const STREETLIGHT = { domain: "streetlight", contractId: "ccphva-streetlight", operatorId: "lumiere-est" };
const PRESSURE = {
  domain: "water_pressure",
  contractId: "ccphva-water-pressure",
  operatorId: "eaux-alzette",
};
const FLOW = { domain: "water_flow", contractId: "ccphva-water-flow", operatorId: "eaux-alzette" };
const CONTAINER = {
  domain: "waste_container",
  contractId: "ccphva-waste-container",
  operatorId: "collecte-nord",
};

function pick<T>(random: Random, weighted: readonly (readonly [T, number])[]): T {
  let x = random() * weighted.reduce((a, [, w]) => a + w, 0);
  for (const [value, w] of weighted) {
    x -= w;
    if (x < 0) return value;
  }
  return (weighted.at(-1) as readonly [T, number])[0];
}

/** Lamp power mix of a fleet half-way through its move to LED. */
const POWERS_W = [
  [35, 30],
  [50, 35],
  [70, 25],
  [100, 10],
] as const;

/**
 * Cabinets are scattered in the commune; each lamp hangs off one cabinet and stands within
 * that cabinet's share of the commune's area, so a cabinet's lamps are neighbours.
 */
function streetlights(places: readonly Place[], random: Random): Device[] {
  const lamps = shares(places, TOTALS.streetlights);
  const cabinets = shares(places, TOTALS.cabinets);
  return places.flatMap((place, c) => {
    const nCabinets = cabinets[c] ?? 1;
    const sites = Array.from({ length: nCabinets }, () => offsetInDisc(random, 0.8 * place.radius));
    const reach = place.radius / Math.sqrt(nCabinets);
    return Array.from({ length: lamps[c] ?? 0 }, (_, k) => {
      const site = sites[k % nCabinets] ?? { dx: 0, dy: 0 };
      const at = nearSite(random, place, site, reach);
      const attributes = {
        cabinet: `arm-${place.facts.code}-${pad((k % nCabinets) + 1, 2)}`,
        power_w: pick(random, POWERS_W),
      };
      return device(`lum-${place.facts.code}-${pad(k + 1, 4)}`, place, at, STREETLIGHT, attributes);
    });
  });
}

/** A point within `reach` of the site and inside the commune's disc. */
function nearSite(random: Random, place: Place, site: { dx: number; dy: number }, reach: number) {
  for (;;) {
    const o = offsetInDisc(random, reach);
    const dx = site.dx + o.dx;
    const dy = site.dy + o.dy;
    if (Math.hypot(dx, dy) <= place.radius) return toLatLon(place, dx, dy);
  }
}

/** 1 to 3 network sectors per commune, by size (inhabitants), named by position north to south. */
const SECTORS_BY_SIZE = [
  [7000, ["nord", "centre", "sud"]],
  [2000, ["nord", "sud"]],
  [0, ["centre"]],
] as const;

function sectorsOf(place: Place): string[] {
  const [, names] = SECTORS_BY_SIZE.find(([size]) => place.facts.population >= size) ?? [0, ["centre"]];
  return names.map((n) => `sect-${place.slug}-${n}`);
}

/** Pressure points go round the sectors in turn, each placed in its sector's band of the commune. */
function pressurePoints(places: readonly Place[], random: Random): Device[] {
  const counts = apportion(
    TOTALS.pressurePoints,
    places.map((p) => p.facts.population),
    3,
  );
  return places.flatMap((place, c) => {
    const sectors = sectorsOf(place);
    return Array.from({ length: counts[c] ?? 0 }, (_, k) => {
      const band = k % sectors.length;
      const at = inBand(random, place, band, sectors.length);
      const attributes = {
        sector: sectors[band] ?? "",
        ...lorawan(place, 2, k, "milesight-em500-pp"),
      };
      return device(`pre-${place.facts.code}-${pad(k + 1, 3)}`, place, at, PRESSURE, attributes);
    });
  });
}

/**
 * One flow meter per network sector, at its inlet: the flow per sector is what reveals a leak
 * (its minimum night flow rises). Placed at the centroid of the sector's pressure points;
 * derived, not drawn, so that the other devices keep their values.
 */
function sectorMeters(places: readonly Place[], pressure: readonly Device[]): Device[] {
  return places.flatMap((place) =>
    sectorsOf(place).flatMap((sector) => {
      const points = pressure.filter((d) => d.attributes.sector === sector);
      if (points.length === 0) return [];
      const lat = round6(points.reduce((a, d) => a + d.lat, 0) / points.length);
      const lon = round6(points.reduce((a, d) => a + d.lon, 0) / points.length);
      const suffix = sector.slice(sector.lastIndexOf("-") + 1);
      return [device(`deb-${place.facts.code}-${suffix}`, place, { lat, lon }, FLOW, { sector })];
    }),
  );
}

/** A point of the commune's disc in horizontal band `band` of `bands` (0 is the northernmost). */
function inBand(random: Random, place: Place, band: number, bands: number) {
  const height = (2 * place.radius) / bands;
  const top = place.radius - band * height;
  for (;;) {
    const { dx, dy } = offsetInDisc(random, place.radius);
    if (dy <= top && dy > top - height) return toLatLon(place, dx, dy);
  }
}

/**
 * Containers and pressure points carry LoRaWAN sensors (Milesight EM310-UDL and EM500-PP): a
 * DevEUI under Milesight's prefix 24E124, made of the commune code, the kind and the rank, and
 * the codec that reads them. Derived, not drawn: the other attributes keep their values.
 */
function lorawan(place: Place, kind: number, k: number, codec: string): { dev_eui: string; codec: string } {
  return { dev_eui: `24e124${place.facts.code.toLowerCase()}${kind}${pad(k + 1, 4)}`, codec };
}

const STREAMS = [
  ["household", 35],
  ["packaging", 25],
  ["glass", 25],
  ["paper", 15],
] as const;

function containers(places: readonly Place[], random: Random): Device[] {
  const counts = shares(places, TOTALS.containers);
  return places.flatMap((place, c) =>
    Array.from({ length: counts[c] ?? 0 }, (_, k) => {
      const { dx, dy } = offsetInDisc(random, place.radius);
      const attributes = {
        stream: pick(random, STREAMS),
        depth_mm: 1500 + 10 * Math.floor(random() * 101),
        ...lorawan(place, 1, k, "milesight-em310-udl"),
      };
      return device(
        `pav-${place.facts.code}-${pad(k + 1, 3)}`,
        place,
        toLatLon(place, dx, dy),
        CONTAINER,
        attributes,
      );
    }),
  );
}

export const CCPHVA_DIR = fileURLToPath(new URL("./ccphva/", import.meta.url));

function main(): void {
  const devices = generateCcphvaInventory();
  writeFileSync(`${CCPHVA_DIR}inventory.csv`, inventoryToCsv(devices));
  writeFileSync(`${CCPHVA_DIR}inventory.geojson`, inventoryToGeoJson(devices));
  const perDomain = new Map<string, number>();
  for (const d of devices) perDomain.set(d.domain, (perDomain.get(d.domain) ?? 0) + 1);
  for (const [domain, count] of perDomain) console.log(`${domain}: ${count}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
