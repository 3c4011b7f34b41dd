import type { ContainerView, ToCollectAnswer } from "./waste-to-collect.ts";

/** The columns of the round's CSV, in order (snake_case, as the open-data files). */
const COLUMNS: readonly [string, (c: ContainerView) => string | number | boolean | null][] = [
  ["device", (c) => c.device],
  ["commune", (c) => c.commune],
  ["stream", (c) => c.stream],
  ["lat", (c) => c.lat],
  ["lon", (c) => c.lon],
  ["filling_level", (c) => c.fillingLevel],
  ["measured_at", (c) => c.measuredAt],
  ["emptied_at", (c) => c.emptiedAt],
  ["fill_rate_per_day", (c) => c.fillRatePerDay],
  ["predicted_full_at", (c) => c.predictedFullAt],
  ["to_collect", (c) => c.toCollect],
];

/**
 * The list as CSV (RFC 4180: comma-separated, CRLF line ends, a header line, fields quoted when
 * they hold a comma, a quote or a line end, quotes doubled). Text that a spreadsheet would run as
 * a formula (starting with =, +, -, @, tab or carriage return) is prefixed with a quote mark.
 */
export function toCollectCsv(answer: ToCollectAnswer): string {
  const lines = [COLUMNS.map(([name]) => name).join(",")];
  for (const c of answer.containers) lines.push(COLUMNS.map(([, value]) => csvField(value(c))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export interface PointFeature {
  type: "Feature";
  geometry: { type: "Point"; coordinates: [number, number] };
  properties: Omit<ContainerView, "lat" | "lon">;
}

export interface ToCollectGeoJson {
  type: "FeatureCollection";
  features: PointFeature[];
}

/** The list as a GeoJSON FeatureCollection (RFC 7946): points in longitude, latitude order (§3.1.1). */
export function toCollectGeoJson(answer: ToCollectAnswer): ToCollectGeoJson {
  return {
    type: "FeatureCollection",
    features: answer.containers.map(({ lat, lon, ...properties }) => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: [lon, lat] },
      properties,
    })),
  };
}
