import type { Lang } from "../i18n/common.ts";

/**
 * The residents' side of the open channel (`/opendata/…`, services/api/routes/reports.ts), as the
 * public pages read it. Every string in these answers is data: it goes into the page as text.
 */

export interface Category {
  id: string;
  title: string;
  titleEn: string;
}

/** `GET /opendata/assets/{id}`: an asset residents may report on. */
export interface ReportAsset {
  asset: string;
  domain: string;
  commune: string;
  commune_name: string;
  lat: number;
  lon: number;
  categories: Category[];
}

/** `POST /opendata/reports`: the case the report joined or opened. */
export interface Receipt {
  reference: number;
  asset: string;
  status: "open" | "acknowledged";
  since: string;
  merged: boolean;
}

export type OutageStatus = "out" | "in-hand" | "repaired";
export const OUTAGE_STATUSES: readonly OutageStatus[] = ["out", "in-hand", "repaired"];

export interface Outage {
  asset: string;
  domain: string;
  commune: string;
  commune_name: string;
  lat: number;
  lon: number;
  status: OutageStatus;
  since: string;
  repaired_at: string | null;
  reported_by_residents: boolean;
  detected_by_sensors: boolean;
}

/** The API's pattern for an asset's id (routes/reports.ts `AssetId`). */
export const ASSET_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export const REPORTS = {
  asset: (id: string) => `/opendata/assets/${encodeURIComponent(id)}`,
  reports: "/opendata/reports",
  outages: "/opendata/outages",
  geojson: "/opendata/outages.geojson",
};

/** The report form for an asset, in the reader's language (the link of each outage). */
export function reportPath(lang: Lang, asset?: string): string {
  const path = lang === "en" ? "/report" : "/signaler";
  return asset === undefined ? path : `${path}?${new URLSearchParams({ asset }).toString()}`;
}

/** The map of outages, in the reader's language. */
export function outagesPath(lang: Lang): string {
  return lang === "en" ? "/outages" : "/pannes";
}
