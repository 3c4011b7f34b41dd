import type { Contract, Granularity, SpatialLevel } from "../contracts/model.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import { BadRequestError, NotFoundError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type { CatalogDescription, DatasetDescription, Frequency } from "./catalog-model.ts";
import { type ComputeDeps, computeFigures } from "./compute.ts";
import { type DefinitionVersion, type OpenDataset, openDatasets } from "./datasets.ts";
import { indicatorKinds } from "./indicators.ts";
import { bucketStarts, resolution } from "./periods.ts";
import type { Places } from "./places.ts";
import type {
  ComputedFigure,
  FigureVersion,
  PublicationStore,
  PublishedFigure,
} from "./publication-store.ts";
import { secure } from "./suppression.ts";
import type { PublishedTable } from "./table.ts";
import { datasetTable } from "./tables.ts";

/**
 * What the open channel and its administrators read: the datasets the contracts declare, their
 * state (published once approved in their current definition, preview before), their published
 * figures, changelog and metadata. The public sees published datasets only, the same for every
 * caller; an administrator also sees previews, computed on demand and recorded nowhere.
 */
export type DatasetState = "published" | "preview";

export interface DatasetInfo {
  id: string;
  title: string;
  description: string;
  keywords: readonly string[];
  licence: string;
  licenceUrl: string;
  indicator: string;
  unit: string;
  granularity: Granularity;
  level: SpatialLevel;
  frequency: Frequency;
  minDevices: number;
  state: DatasetState;
  contract: { id: string; version: string };
  history: readonly DefinitionVersion[];
  figures: number;
  first?: EpochMs;
  last?: EpochMs;
  modified?: EpochMs;
  revisions: number;
}

export interface FigureFilter {
  from?: EpochMs;
  to?: EpochMs;
  places?: readonly string[];
}

/** Records per page at most, and rows of one download at most (a bound, far above a year of communes). */
export const MAX_PAGE = 1_000;
export const MAX_DOWNLOAD_ROWS = 500_000;
/** A preview computes at most this many buckets. */
const MAX_PREVIEW_BUCKETS = 400;

export const LICENCE_URLS: Readonly<Record<string, string>> = {
  "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
  "odbl-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
};

const FREQUENCY: Record<Granularity, Frequency> = { hour: "HOURLY", day: "DAILY", month: "MONTHLY" };

export interface OpenDataServiceDeps {
  contracts: Pick<ContractRegistry, "all">;
  store: PublicationStore;
  compute: ComputeDeps;
  places: Places;
  now: () => EpochMs;
  owner: { id: string; name: string; siren?: string };
  contact: { name: string; email: string };
}

export function createOpenDataService(deps: OpenDataServiceDeps) {
  // The contracts do not change while the platform runs: their datasets and hashes are made once.
  const all = openDatasets(deps.contracts);
  const datasets = () => all;
  const find = async (
    id: string,
    withPreview: boolean,
  ): Promise<{ dataset: OpenDataset; state: DatasetState }> => {
    const dataset = datasets().find((d) => d.spec.id === id);
    const state = dataset ? await stateOf(deps.store, dataset) : undefined;
    if (!dataset || !state || (state === "preview" && !withPreview)) throw new NotFoundError(`dataset ${id}`);
    return { dataset, state };
  };
  const info = async (dataset: OpenDataset, state: DatasetState): Promise<DatasetInfo> =>
    datasetInfo(dataset, state, await deps.store.summary(dataset.spec.id));

  return {
    /** Every dataset the caller may see, by id. */
    async list(withPreview: boolean): Promise<DatasetInfo[]> {
      const out: DatasetInfo[] = [];
      for (const dataset of datasets()) {
        const state = await stateOf(deps.store, dataset);
        if (state === "published" || withPreview) out.push(await info(dataset, state));
      }
      return out;
    },
    async get(id: string, withPreview = false): Promise<DatasetInfo> {
      const { dataset, state } = await find(id, withPreview);
      return info(dataset, state);
    },
    /** Published figures, filtered and paged, and how many the filter matches. */
    async records(id: string, filter: FigureFilter, limit: number, offset: number) {
      checkPage(limit, offset);
      const { dataset } = await find(id, false);
      const query = { dataset: id, ...filterOf(filter) };
      const [figures, total] = await Promise.all([
        deps.store.figures({ ...query, limit, offset }),
        deps.store.countFigures(query),
      ]);
      return { table: datasetTable(dataset, figures, deps.places, { geometries: false }), total };
    },
    /** The whole of a published dataset (filtered), for a download. */
    async table(
      id: string,
      filter: FigureFilter,
      options: { geometries?: boolean } = {},
    ): Promise<PublishedTable> {
      const { dataset } = await find(id, false);
      const query = { dataset: id, ...filterOf(filter) };
      const total = await deps.store.countFigures(query);
      if (total > MAX_DOWNLOAD_ROWS) {
        throw new BadRequestError(`${total} rows match, more than ${MAX_DOWNLOAD_ROWS}: narrow the period`);
      }
      const figures = await deps.store.figures({ ...query, limit: MAX_DOWNLOAD_ROWS });
      return datasetTable(dataset, figures, deps.places, options);
    },
    /** The dataset's table without rows: its columns, for its Table Schema. */
    async emptyTable(id: string): Promise<PublishedTable> {
      const { dataset } = await find(id, false);
      return datasetTable(dataset, [], deps.places);
    },
    async changelog(id: string, limit: number, beforeId?: number): Promise<FigureVersion[]> {
      checkPage(limit, 0);
      await find(id, false);
      return deps.store.changelog(id, limit, beforeId);
    },
    /** What identifies the current content of a dataset, for ETag and Last-Modified. */
    async version(id: string): Promise<{ tag: string; modified: EpochMs | undefined }> {
      const { dataset } = await find(id, false);
      const summary = await deps.store.summary(id);
      return {
        tag: `${dataset.definition.slice(0, 16)}-${summary.modified ?? 0}-${summary.figures}`,
        modified: summary.modified,
      };
    },
    /** The catalogue's version: every published dataset's. */
    async catalogueVersion(): Promise<{ tag: string; modified: EpochMs | undefined }> {
      const list = await this.list(false);
      const modified = Math.max(0, ...list.map((d) => d.modified ?? 0));
      return {
        tag: `${list.map((d) => d.id).join(",").length}-${list.length}-${modified}`,
        modified: modified || undefined,
      };
    },
    /** An administrator's look at figures as they would be published, computed now, recorded nowhere. */
    async preview(id: string, from: EpochMs, to: EpochMs): Promise<PublishedTable> {
      const { dataset } = await find(id, true);
      const periods = bucketStarts(from, to, dataset.spec.granularity);
      if (periods.length > MAX_PREVIEW_BUCKETS) {
        throw new BadRequestError(
          `a preview covers at most ${MAX_PREVIEW_BUCKETS} periods, not ${periods.length}`,
        );
      }
      const raw = await computeFigures(deps.compute, dataset.contract, dataset.spec, periods);
      const figures = secure(raw, dataset.spec).map((f) => asPreview(id, f, deps.now()));
      return datasetTable(dataset, figures, deps.places);
    },
    /** Approves the dataset's current definition: the publisher publishes it from its next run. */
    async approve(id: string, by: string): Promise<DatasetInfo> {
      const { dataset } = await find(id, true);
      await deps.store.approve({ dataset: id, definition: dataset.definition, by, at: deps.now() });
      return info(dataset, "published");
    },
    async catalogue(baseUrl: string): Promise<CatalogDescription> {
      const list = await this.list(false);
      const all = datasets();
      return {
        baseUrl,
        title: `Données ouvertes — ${deps.owner.name}`,
        description: `Données des infrastructures publiques connectées de ${deps.owner.name}, publiées par la collectivité avec Lanterne.`,
        languages: ["fr"],
        publisher: {
          id: deps.owner.id,
          name: deps.owner.name,
          ...(deps.owner.siren ? { siren: deps.owner.siren } : {}),
        },
        contact: deps.contact,
        homepage: `${baseUrl}/donnees`,
        modified: Math.max(0, ...list.map((d) => d.modified ?? 0)) || deps.now(),
        datasets: list.map((d) =>
          describe(baseUrl, d, all.find((o) => o.spec.id === d.id) as OpenDataset, deps.places),
        ),
      };
    },
    async countDownload(id: string, format: string): Promise<void> {
      await deps.store.countDownload(id, format);
    },
    downloads: (id: string) => deps.store.downloads(id),
  };
}

export type OpenDataService = ReturnType<typeof createOpenDataService>;

async function stateOf(store: PublicationStore, dataset: OpenDataset): Promise<DatasetState> {
  return (await store.approval(dataset.spec.id))?.definition === dataset.definition ? "published" : "preview";
}

function datasetInfo(
  dataset: OpenDataset,
  state: DatasetState,
  summary: Awaited<ReturnType<PublicationStore["summary"]>>,
): DatasetInfo {
  const { spec, contract } = dataset;
  return {
    id: spec.id,
    title: spec.title,
    description: spec.description,
    keywords: spec.keywords,
    licence: spec.licence,
    licenceUrl: LICENCE_URLS[spec.licence] ?? "",
    indicator: spec.indicator,
    unit: unitOf(dataset, contract),
    granularity: spec.granularity,
    level: spec.level,
    frequency: FREQUENCY[spec.granularity],
    minDevices: spec.minDevices,
    state,
    contract: { id: contract.id, version: contract.version },
    history: dataset.history,
    figures: summary.figures,
    ...(summary.first !== undefined ? { first: summary.first } : {}),
    ...(summary.last !== undefined ? { last: summary.last } : {}),
    ...(summary.modified !== undefined ? { modified: summary.modified } : {}),
    revisions: summary.revisions,
  };
}

function unitOf(dataset: OpenDataset, contract: Contract): string {
  const field = dataset.spec.params.field ? contract.fields.get(dataset.spec.params.field) : undefined;
  return indicatorKinds.get(dataset.spec.indicator)?.unit(dataset.spec.params, field) ?? "";
}

function describe(baseUrl: string, d: DatasetInfo, dataset: OpenDataset, places: Places): DatasetDescription {
  const base = `${baseUrl}/opendata/datasets/${d.id}`;
  const territory = places.communes("territory", "");
  return {
    id: d.id,
    title: d.title,
    description: d.description === "" ? d.title : d.description,
    keywords: d.keywords,
    licence: d.licence,
    frequency: d.frequency,
    ...(d.first !== undefined && d.last !== undefined ? { temporal: { start: d.first, end: d.last } } : {}),
    communes: territory,
    temporalResolution: resolution(d.granularity),
    ...(d.first !== undefined ? { issued: d.first } : {}),
    ...(d.modified !== undefined ? { modified: d.modified } : {}),
    landingPage: `${baseUrl}/donnees/${d.id}`,
    schemaUrl: `${base}/schema.json`,
    contract: { id: dataset.contract.id, version: dataset.contract.version },
    distributions: [
      { format: "CSV", mediaType: "text/csv", downloadUrl: `${base}/data.csv`, title: `${d.title} (CSV)` },
      {
        format: "JSON",
        mediaType: "application/json",
        downloadUrl: `${base}/data.json`,
        title: `${d.title} (JSON)`,
      },
      {
        format: "GEOJSON",
        mediaType: "application/geo+json",
        downloadUrl: `${base}/data.geojson`,
        title: `${d.title} (GeoJSON)`,
      },
      {
        format: "PARQUET",
        mediaType: "application/vnd.apache.parquet",
        downloadUrl: `${base}/data.parquet`,
        title: `${d.title} (Parquet)`,
      },
    ],
  };
}

function filterOf(filter: FigureFilter) {
  if (filter.from !== undefined && filter.to !== undefined && filter.to <= filter.from) {
    throw new BadRequestError("to must be after from");
  }
  return {
    ...(filter.from !== undefined ? { from: filter.from } : {}),
    ...(filter.to !== undefined ? { to: filter.to } : {}),
    ...(filter.places && filter.places.length > 0 ? { places: filter.places } : {}),
  };
}

function checkPage(limit: number, offset: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw new BadRequestError(`limit must be 1 to ${MAX_PAGE}`);
  if (!Number.isInteger(offset) || offset < 0) throw new BadRequestError("offset must be 0 or more");
}

function asPreview(dataset: string, f: ComputedFigure, at: EpochMs): PublishedFigure {
  return { ...f, dataset, version: 0, publishedAt: at };
}
