import type { Cell, PublishedTable, TableField } from "../opendata/table.ts";
import type { Scorecard } from "./scorecards.ts";

/**
 * Scorecards as a table (one row per operator and contract), so that their CSV is written by the
 * same RFC 4180 writer as the open data (formula guard included) and described by a Table Schema.
 */
const FIELDS: readonly TableField[] = [
  text("period", "Période", "Jour (AAAA-MM-JJ), mois (AAAA-MM) ou année (AAAA), en UTC"),
  text("operator", "Opérateur", "Identifiant de l'opérateur"),
  text("contract", "Contrat", "Identifiant du contrat de données (vide : envois sans contrat reconnu)"),
  integer("devices", "Équipements", "Équipements tenus par l'opérateur pendant la période"),
  integer("silent_devices", "Équipements muets", "Équipements tenus qui n'ont envoyé aucun relevé"),
  integer("expected_readings", "Relevés promis", "Relevés promis par la cadence du contrat"),
  integer("received_readings", "Relevés reçus", "Relevés reçus et acceptés"),
  ratio(
    "completeness",
    "Complétude",
    "Relevés reçus sur relevés promis, chaque équipement au plus à sa promesse",
  ),
  integer("on_time_readings", "Relevés à l'heure", "Relevés livrés dans le délai du contrat"),
  ratio("timeliness", "Ponctualité", "Part des relevés livrés dans le délai du contrat"),
  seconds("promised_latency_s", "Délai promis", "Délai de livraison fixé par le contrat"),
  seconds("mean_latency_s", "Délai moyen", "Délai moyen entre la mesure et sa réception"),
  seconds("p95_latency_s", "Délai au 95e centile", "Borne de la classe de délai du 95e centile"),
  integer("quarantined", "Envois en quarantaine", "Envois refusés et gardés en quarantaine"),
  integer(
    "dropped_values",
    "Valeurs écartées",
    "Valeurs retirées de relevés acceptés (hors bornes, non permises)",
  ),
  ratio("conformity", "Conformité", "Part des envois acceptés"),
  ratio("target_completeness", "Objectif de complétude", "Fixé par le contrat"),
  ratio("target_timeliness", "Objectif de ponctualité", "Fixé par le contrat"),
  ratio("target_conformity", "Objectif de conformité", "Fixé par le contrat"),
  text(
    "breaches",
    "Manquements",
    "Mesures sous leur objectif ; « dérogation » quand une dérogation l'excuse",
  ),
  text("exemptions", "Dérogations", "Décisions publiques de dérogation en vigueur pendant la période"),
];

export function scorecardTable(cards: readonly Scorecard[]): PublishedTable {
  return {
    name: "scorecards",
    title: "Tableaux de conformité des opérateurs",
    description: "Complétude, ponctualité et conformité de chaque opérateur à chaque contrat de données.",
    fields: FIELDS,
    primaryKey: ["period", "operator", "contract"],
    rows: cards.map(row),
    licence: "etalab-2.0",
  };
}

function row(c: Scorecard): Record<string, Cell> {
  return {
    period: c.period.label,
    operator: c.operatorId,
    contract: c.contractId ?? "",
    devices: c.devices,
    silent_devices: c.silentDevices,
    expected_readings: c.completeness.expected,
    received_readings: c.completeness.received,
    completeness: c.completeness.ratio,
    on_time_readings: c.timeliness.onTime,
    timeliness: c.timeliness.ratio,
    promised_latency_s: secondsOf(c.timeliness.promisedMs),
    mean_latency_s: secondsOf(c.timeliness.meanMs),
    p95_latency_s: secondsOf(c.timeliness.p95Ms),
    quarantined: c.conformity.quarantined,
    dropped_values: c.conformity.droppedValues,
    conformity: c.conformity.ratio,
    target_completeness: c.targets.completeness ?? null,
    target_timeliness: c.targets.timeliness ?? null,
    target_conformity: c.targets.conformity ?? null,
    breaches: c.breaches
      .map((b) => `${b.measure} ${b.value.toFixed(4)} < ${b.target}${b.exempted ? " (dérogation)" : ""}`)
      .join("; "),
    exemptions: c.exemptions.map((e) => `${e.decision} (${e.obligation})`).join("; "),
  };
}

function secondsOf(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

function text(name: string, title: string, description: string): TableField {
  return { name, type: "string", title, description };
}

function integer(name: string, title: string, description: string): TableField {
  return { name, type: "integer", title, description, constraints: { minimum: 0 } };
}

function ratio(name: string, title: string, description: string): TableField {
  return { name, type: "number", title, description, unit: "1", constraints: { minimum: 0, maximum: 1 } };
}

function seconds(name: string, title: string, description: string): TableField {
  return { name, type: "number", title, description, unit: "s", constraints: { minimum: 0 } };
}
