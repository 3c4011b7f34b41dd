import type { EpochMs } from "../domain/types.ts";

/**
 * What the DCAT-AP 3 catalogue says, as plain values: the open-data service fills it from the
 * contracts' publication rules and the published figures; services/opendata/dcat.ts writes it
 * as JSON-LD and Turtle.
 */
export interface CatalogDescription {
  /** Absolute base URL of the public channel, without a trailing slash ("https://data.example.fr"). */
  baseUrl: string;
  title: string;
  description: string;
  /** ISO 639-1 codes of the catalogue's languages ("fr"). */
  languages: readonly string[];
  publisher: Publisher;
  /** Contact point of the catalogue and its datasets. */
  contact: { name: string; email: string };
  /** The catalogue's home page (the public catalogue page). */
  homepage: string;
  modified: EpochMs;
  datasets: readonly DatasetDescription[];
}

export interface Publisher {
  /** Local id ("ccphva"). */
  id: string;
  name: string;
  /** SIREN of a French public body, when it has one. */
  siren?: string;
}

/** DCAT frequencies Lanterne uses, as the EU Publications Office's frequency codes. */
export type Frequency = "HOURLY" | "DAILY" | "WEEKLY" | "MONTHLY" | "ANNUAL" | "CONT" | "IRREG";

export interface DatasetDescription {
  /** Dataset id (lower-case, digits, hyphens). */
  id: string;
  title: string;
  description: string;
  keywords: readonly string[];
  /** "etalab-2.0" or "odbl-1.0". */
  licence: string;
  frequency: Frequency;
  /** Period covered by the published figures; absent when none is published yet. */
  temporal?: { start: EpochMs; end: EpochMs };
  /** INSEE codes of the communes covered. */
  communes: readonly string[];
  /** Temporal resolution of the figures, ISO 8601 duration ("PT1H", "P1D", "P1M"). */
  temporalResolution: string;
  issued?: EpochMs;
  modified?: EpochMs;
  /** Absolute URL of the dataset's public page. */
  landingPage: string;
  /** Absolute URL of its Frictionless Table Schema. */
  schemaUrl: string;
  /** The contract (and version) that defines it, for provenance. */
  contract: { id: string; version: string };
  distributions: readonly DistributionDescription[];
}

export type DistributionFormat = "CSV" | "JSON" | "GEOJSON" | "PARQUET";

export interface DistributionDescription {
  format: DistributionFormat;
  /** IANA media type ("text/csv", "application/json", "application/geo+json", "application/vnd.apache.parquet"). */
  mediaType: string;
  /** Absolute download URL. */
  downloadUrl: string;
  title: string;
}
