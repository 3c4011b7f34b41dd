import type { Table } from "./common.ts";

/** The lighting energy page's words (`/eclairage`, `/lighting`). */
export const lighting: Table<
  | "title"
  | "intro"
  | "formTitle"
  | "period"
  | "reference"
  | "from"
  | "to"
  | "groupBy"
  | "byLamp"
  | "byCabinet"
  | "byCommune"
  | "tariff"
  | "tariffHint"
  | "compute"
  | "loading"
  | "loaded"
  | "loadFailed"
  | "forbidden"
  | "invalidPeriod"
  | "invalidReference"
  | "invalidTariff"
  | "resultsTitle"
  | "caption"
  | "chartTitle"
  | "colGroup"
  | "colLamps"
  | "colKwh"
  | "colReference"
  | "colSaved"
  | "colPercent"
  | "colEur"
  | "total"
  | "scaling"
  | "none"
> = {
  fr: {
    title: "Éclairage : énergie",
    intro:
      "La consommation des points lumineux sur une période, comparée à une période de référence choisie par la collectivité, ramenée au même nombre de jours.",
    formTitle: "Période et paramètres",
    period: "Période étudiée",
    reference: "Période de référence",
    from: "Du",
    to: "Au (inclus)",
    groupBy: "Regrouper par",
    byLamp: "point lumineux",
    byCabinet: "armoire",
    byCommune: "commune",
    tariff: "Tarif de l'électricité (€/kWh)",
    tariffHint: "Un paramètre de calcul : saisissez le tarif du contrat de la collectivité.",
    compute: "Calculer",
    loading: "Calcul en cours…",
    loaded: "{count} groupe(s), période de {days} jour(s), référence de {referenceDays} jour(s).",
    loadFailed: "Le calcul n'a pas pu être fait. Réessayez plus tard.",
    forbidden: "Cette page est réservée aux agents de la collectivité.",
    invalidPeriod:
      "La période étudiée n'est pas valide : le premier jour doit précéder ou égaler le dernier.",
    invalidReference:
      "La période de référence n'est pas valide : le premier jour doit précéder ou égaler le dernier.",
    invalidTariff: "Le tarif doit être un nombre entre 0 et 100 (par exemple 0,20).",
    resultsTitle: "Économies",
    caption: "Énergie par {group} : période, référence ramenée à la période, économies",
    chartTitle: "kWh économisés par {group} (négatif : davantage consommé)",
    colGroup: "Groupe",
    colLamps: "Points lumineux",
    colKwh: "kWh de la période",
    colReference: "kWh de référence (ramenés)",
    colSaved: "kWh économisés",
    colPercent: "Économie (%)",
    colEur: "Économie (€)",
    total: "Total",
    scaling: "Tarif appliqué : {tariff} €/kWh. La référence est ramenée au nombre de jours de la période.",
    none: "(sans armoire)",
  },
  en: {
    title: "Lighting: energy",
    intro:
      "The streetlights' consumption over a period, compared with a reference period chosen by the authority, scaled to the same number of days.",
    formTitle: "Period and parameters",
    period: "Period studied",
    reference: "Reference period",
    from: "From",
    to: "To (included)",
    groupBy: "Group by",
    byLamp: "lamp",
    byCabinet: "cabinet",
    byCommune: "commune",
    tariff: "Electricity tariff (€/kWh)",
    tariffHint: "A parameter of the calculation: enter the tariff of the authority's contract.",
    compute: "Compute",
    loading: "Computing…",
    loaded: "{count} group(s), period of {days} day(s), reference of {referenceDays} day(s).",
    loadFailed: "The calculation could not be made. Try again later.",
    forbidden: "This page is for the authority's staff only.",
    invalidPeriod: "The period studied is not valid: its first day must come before or be its last.",
    invalidReference: "The reference period is not valid: its first day must come before or be its last.",
    invalidTariff: "The tariff must be a number from 0 to 100 (for example 0.20).",
    resultsTitle: "Savings",
    caption: "Energy per {group}: period, reference scaled to the period, savings",
    chartTitle: "kWh saved per {group} (negative: more was used)",
    colGroup: "Group",
    colLamps: "Lamps",
    colKwh: "kWh in the period",
    colReference: "Reference kWh (scaled)",
    colSaved: "kWh saved",
    colPercent: "Saving (%)",
    colEur: "Saving (€)",
    total: "Total",
    scaling: "Tariff applied: {tariff} €/kWh. The reference is scaled to the period's number of days.",
    none: "(no cabinet)",
  },
};
