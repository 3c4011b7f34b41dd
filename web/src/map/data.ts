import { getJson } from "../api.ts";
import { type Condition, isCondition, type MapDevice } from "./types.ts";

/** `GET /api/v1/devices?at=`: the fields the map uses. */
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

interface DeviceList {
  count: number;
  devices: ApiDevice[];
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

/**
 * Each device with its condition at the instant (ISO). The API gives conditions only for an
 * instant, so the live view asks for "now" too.
 */
export async function loadDevices(at: string): Promise<MapDevice[]> {
  const list = await getJson<DeviceList>(`/api/v1/devices?at=${encodeURIComponent(at)}`);
  return list.devices.filter(placed).map(toMapDevice);
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
