import { getJson } from "../api.ts";
import { type Condition, isCondition, type MapDevice } from "./types.ts";

/** A device as the map uses it, read from a row of `GET /api/v1/map/devices`. */
interface ApiDevice {
  id: string;
  domain: string;
  commune: string;
  operator: string | null;
  lat: number;
  lon: number;
  state: { time: string } | null;
  condition?: string;
}

/** A commune of `GET /api/v1/communes`; `outline` when the territory imported one (GeoJSON). */
export interface Commune {
  code: string;
  name: string | null;
  outline?:
    | { type: "Polygon"; coordinates: number[][][] }
    | { type: "MultiPolygon"; coordinates: number[][][][] };
}

export interface MapAlert {
  id: number;
  subject: string;
  severity: string;
  domain: string;
  commune: string | null;
  operator: string | null;
  detail: string;
  openedAt: string;
}

/** `GET /api/v1/map/devices`: one row of eight cells per device (services/api/routes/map.ts). */
interface MapRows {
  columns: string[];
  rows: Array<Array<string | number | null>>;
}

/**
 * Each device with its condition at the instant (ISO; null: now, the server's live view), as the
 * compact rows the map route sends:
 * the map draws eight facts per device, not its values. The columns are read by name, so that a
 * column added later does not shift the others.
 */
export async function loadDevices(at: string | null): Promise<MapDevice[]> {
  const query = at === null ? "" : `?at=${encodeURIComponent(at)}`;
  const list = await getJson<MapRows>(`/api/v1/map/devices${query}`);
  const col = (name: string) => list.columns.indexOf(name);
  const [id, domain, commune, operator, lat, lon, condition, time] = [
    "id",
    "domain",
    "commune",
    "operator",
    "lat",
    "lon",
    "condition",
    "time",
  ].map(col) as [number, number, number, number, number, number, number, number];
  return list.rows
    .map(
      (r): ApiDevice => ({
        id: String(r[id]),
        domain: String(r[domain]),
        commune: String(r[commune]),
        operator: r[operator] === null ? null : String(r[operator]),
        lat: Number(r[lat]),
        lon: Number(r[lon]),
        state: r[time] === null ? null : { time: String(r[time]) },
        condition: String(r[condition]),
      }),
    )
    .filter(placed)
    .map(toMapDevice);
}

function placed(d: ApiDevice): boolean {
  return Number.isFinite(d.lat) && Number.isFinite(d.lon);
}

function toMapDevice(d: ApiDevice): MapDevice {
  const condition: Condition = isCondition(d.condition) ? d.condition : "unknown";
  return {
    id: d.id,
    domain: d.domain,
    commune: d.commune,
    operator: d.operator,
    lat: d.lat,
    lon: d.lon,
    condition,
    readingTime: d.state?.time ?? null,
  };
}

export async function loadCommunes(): Promise<Commune[]> {
  return getJson<Commune[]>("/api/v1/communes");
}

/** The newest alerts open now, or open at the instant (ISO). */
export async function loadAlerts(at: string | null, limit: number): Promise<MapAlert[]> {
  const query = at === null ? `status=open&limit=${limit}` : `at=${encodeURIComponent(at)}&limit=${limit}`;
  const page = await getJson<{ entries: MapAlert[] }>(`/api/v1/alerts?${query}`);
  return page.entries;
}
