import { iso } from "../access/views.ts";
import type { OpenDataset } from "./datasets.ts";
import { indicatorKinds } from "./indicators.ts";
import { bucketEnd } from "./periods.ts";
import type { Places } from "./places.ts";
import type { PublishedFigure } from "./publication-store.ts";
import type { PublishedTable, TableField } from "./table.ts";

/**
 * A dataset's figures as the table every format is written from: one row per bucket and place,
 * the same columns for every dataset (only the value's type, unit and meaning differ), so that a
 * re-user reads every Lanterne dataset the same way.
 */
export const STATUSES = ["published", "suppressed-primary", "suppressed-secondary"] as const;

export function datasetFields(dataset: OpenDataset): TableField[] {
  const kind = indicatorKinds.get(dataset.spec.indicator);
  const field = dataset.spec.params.field
    ? dataset.contract.fields.get(dataset.spec.params.field)
    : undefined;
  const unit = kind?.unit(dataset.spec.params, field) ?? "";
  return [
    {
      name: "period_start",
      type: "datetime",
      title: "Début de la période",
      description: "Début de la période (UTC, inclus).",
      constraints: { required: true },
    },
    {
      name: "period_end",
      type: "datetime",
      title: "Fin de la période",
      description: "Fin de la période (UTC, exclue).",
      constraints: { required: true },
    },
    {
      name: "place_code",
      type: "string",
      title: "Code du lieu",
      description: placeDescription(dataset),
      constraints: { required: true },
    },
    {
      name: "place_name",
      type: "string",
      title: "Lieu",
      description: "Nom du lieu.",
      constraints: { required: true },
    },
    {
      name: "value",
      type: kind?.valueType ?? "number",
      title: dataset.spec.title,
      description:
        `${dataset.spec.description} Vide quand la valeur est couverte par le secret statistique.`.trim(),
      ...(unit !== "" ? { unit } : {}),
    },
    {
      name: "devices",
      type: "integer",
      title: "Équipements",
      description:
        "Nombre d'équipements derrière la valeur ; vide quand elle est couverte par le secret statistique.",
      constraints: { minimum: 0 },
    },
    {
      name: "status",
      type: "string",
      title: "Statut",
      description:
        "published : publiée ; suppressed-primary : moins d'équipements que le seuil du contrat ; suppressed-secondary : masquée pour qu'aucune valeur cachée ne se déduise d'un total.",
      constraints: { required: true, enum: STATUSES },
    },
    {
      name: "version",
      type: "integer",
      title: "Version",
      description:
        "Version de la valeur : 1 à sa première publication, puis une de plus à chaque révision (journal des modifications).",
      constraints: { required: true, minimum: 1 },
    },
  ];
}

function placeDescription(dataset: OpenDataset): string {
  if (dataset.spec.level === "commune") return "Code INSEE de la commune.";
  if (dataset.spec.level === "sector") return "Identifiant du secteur du réseau.";
  if (dataset.spec.level === "asset")
    return "Identifiant de l'équipement, tel que l'inventaire de la collectivité le nomme.";
  return "SIREN de la collectivité (tout le territoire).";
}

/** The table of the figures; each row's place drawn only when asked (GeoJSON, the charts' maps). */
export function datasetTable(
  dataset: OpenDataset,
  figures: readonly PublishedFigure[],
  places: Places,
  options: { geometries?: boolean } = {},
): PublishedTable {
  const { spec } = dataset;
  return {
    name: spec.id,
    title: spec.title,
    description: spec.description,
    fields: datasetFields(dataset),
    primaryKey: ["period_start", "place_code"],
    licence: spec.licence,
    rows: figures.map((f) => ({
      period_start: iso(f.period),
      period_end: iso(bucketEnd(f.period, spec.granularity)),
      place_code: f.place,
      place_name: places.name(spec.level, f.place),
      value: f.value,
      devices: f.devices,
      status: f.status,
      version: f.version,
    })),
    ...(options.geometries !== false
      ? { geometries: figures.map((f) => places.geometry(spec.level, f.place)) }
      : {}),
  };
}
