/**
 * The open channel's answers (`/opendata/…`, services/api/routes/opendata.ts), as the public
 * pages read them. Every string in them is data: it goes into the page as text.
 */

export type FigureStatus = "published" | "suppressed-primary" | "suppressed-secondary";

export interface DefinitionEntry {
  contract: string;
  version: string;
  validFrom: string;
  definition: string;
}

export type Format = "csv" | "json" | "geojson" | "parquet";
export const FORMATS: readonly Format[] = ["csv", "json", "geojson", "parquet"];

export interface Dataset {
  id: string;
  title: string;
  description: string;
  keywords: string[];
  licence: string;
  licence_url: string;
  indicator: string;
  unit: string;
  granularity: string;
  level: string;
  frequency: string;
  min_devices: number;
  contract: { id: string; version: string };
  definition_history: DefinitionEntry[];
  figures: number;
  first_period: string | null;
  last_period: string | null;
  modified: string | null;
  revisions: number;
  links: {
    self: string;
    schema: string;
    records: string;
    changelog: string;
    downloads: Partial<Record<Format, string>>;
  };
  /** `GET /opendata/datasets/{id}` only: downloads so far, per format. */
  downloads?: Partial<Record<Format, number>>;
}

export interface Catalog {
  datasets: Dataset[];
}

export interface FigureRecord {
  period_start: string;
  period_end: string;
  place_code: string;
  place_name: string;
  value: number | null;
  devices: number | null;
  status: FigureStatus | string;
  version: number;
}

export interface RecordsPage {
  dataset: string;
  total: number;
  limit: number;
  offset: number;
  fields: Array<{ name: string; type: string; title: string; unit?: string }>;
  records: FigureRecord[];
}

export type Geometry =
  | { type: "Point"; coordinates: [number, number] }
  | { type: "Polygon"; coordinates: [number, number][][] }
  | { type: "MultiPolygon"; coordinates: [number, number][][][] };

export interface PlaceFeature {
  type: "Feature";
  geometry: Geometry | null;
  properties: FigureRecord;
}

export interface FeatureCollection {
  type: "FeatureCollection";
  features: PlaceFeature[];
}

export interface ChangelogEntry {
  id: number;
  period_start: string;
  place_code: string;
  version: number;
  value: number | null;
  devices: number | null;
  status: string;
  published_at: string;
  reason: string;
  previous?: { value: number | null; devices: number | null; status: string };
}

export interface Changelog {
  dataset?: string;
  versions: ChangelogEntry[];
}

/** The open channel's paths, on the server that served the page. */
export const OPEN = {
  catalog: "/opendata/catalog",
  jsonld: "/opendata/catalog.jsonld",
  turtle: "/opendata/catalog.ttl",
  dataset: (id: string) => `/opendata/datasets/${encodeURIComponent(id)}`,
  records: (id: string, query: URLSearchParams) =>
    `/opendata/datasets/${encodeURIComponent(id)}/records?${query.toString()}`,
  download: (id: string, format: Format) => `/opendata/datasets/${encodeURIComponent(id)}/data.${format}`,
  changelog: (id: string, limit: number) =>
    `/opendata/datasets/${encodeURIComponent(id)}/changelog?limit=${limit}`,
  schema: (id: string) => `/opendata/datasets/${encodeURIComponent(id)}/schema.json`,
} as const;

export function isSuppressed(status: string): boolean {
  return status.startsWith("suppressed");
}
