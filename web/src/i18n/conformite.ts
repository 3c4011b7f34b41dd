import type { Table } from "./common.ts";

/** The compliance scorecards' page (`/conformite`, `/compliance`). */
export const conformite: Table<
  | "title"
  | "intro"
  | "filtersTitle"
  | "periodKind"
  | "kindDay"
  | "kindMonth"
  | "kindYear"
  | "periodMonth"
  | "periodDay"
  | "periodYear"
  | "periodHint"
  | "operator"
  | "contract"
  | "any"
  | "apply"
  | "downloads"
  | "csv"
  | "loading"
  | "loaded"
  | "loadFailed"
  | "forbidden"
  | "badPeriod"
  | "empty"
  | "caption"
  | "colOperator"
  | "colContract"
  | "colDevices"
  | "colSilent"
  | "colCompleteness"
  | "colTimeliness"
  | "colConformity"
  | "colExemptions"
  | "colReasons"
  | "target"
  | "noTarget"
  | "met"
  | "breach"
  | "breachExempted"
  | "noContract"
  | "none"
  | "reasons"
  | "noReasons"
  | "reason_quarantine"
  | "reason_violation"
  | "reasonLine"
  | "exemptionLine"
  | "chartTitle"
  | "chartIntro"
  | "chartChoose"
  | "chartLoading"
  | "chartFailed"
  | "chartNone"
  | "chartTable"
  | "chartCaption"
  | "colMonth"
  | "linksTitle"
  | "violationsLink"
  | "quarantineLink"
  | "ownQuarantineLink"
  | "reportLink"
  | "completeness"
  | "timeliness"
  | "conformity"
  | "obligation_delivery"
  | "obligation_completeness"
  | "obligation_latency"
  | "obligation_format"
> = {
  fr: {
    title: "Conformité des opérateurs aux clauses de données",
    intro:
      "Pour chaque opérateur et chaque contrat : la part des relevés promis reçus (complétude), la part arrivée dans le délai (ponctualité) et la part des envois acceptés (conformité), chacune comparée à l'objectif du contrat. Un manquement est écrit en toutes lettres ; une dérogation publique peut l'excuser.",
    filtersTitle: "Période et filtres",
    periodKind: "Durée de la période",
    kindDay: "un jour",
    kindMonth: "un mois",
    kindYear: "une année",
    periodMonth: "Mois",
    periodDay: "Jour",
    periodYear: "Année",
    periodHint: "En temps universel (UTC). Par défaut, le dernier mois complet.",
    operator: "Opérateur",
    contract: "Contrat",
    any: "tous",
    apply: "Afficher",
    downloads: "Télécharger ces tableaux :",
    csv: "CSV (tableur)",
    loading: "Chargement…",
    loaded: "{count} tableau(x) de conformité pour {period}.",
    loadFailed: "Les tableaux n'ont pas pu être chargés. Réessayez plus tard.",
    forbidden: "Votre compte ne donne pas accès aux tableaux de conformité.",
    badPeriod: "Période illisible : choisissez un jour, un mois ou une année.",
    empty: "Aucun tableau de conformité pour cette période.",
    caption: "Conformité des opérateurs aux contrats de données, {period}",
    colOperator: "Opérateur",
    colContract: "Contrat",
    colDevices: "Équipements",
    colSilent: "Équipements muets",
    colCompleteness: "Complétude",
    colTimeliness: "Ponctualité",
    colConformity: "Conformité",
    colExemptions: "Dérogations",
    colReasons: "Motifs de refus",
    target: "objectif {target}",
    noTarget: "sans objectif",
    met: "objectif atteint",
    breach: "manquement : sous l'objectif",
    breachExempted: "sous l'objectif, excusé par une dérogation",
    noContract: "envois sans contrat reconnu",
    none: "aucune",
    reasons: "{count} envoi(s) ou valeur(s) refusé(s)",
    noReasons: "aucun refus",
    reason_quarantine: "message en quarantaine",
    reason_violation: "valeur écartée",
    reasonLine: "{code} ({kind}) : {count}",
    exemptionLine: "{decision} (obligation : {obligation})",
    chartTitle: "Évolution sur douze mois",
    chartIntro:
      "Le graphique montre, mois par mois, la complétude, la ponctualité et la conformité d'un opérateur pour un contrat ; les objectifs du contrat sont en tirets. Les mêmes valeurs sont données en tableau sous le graphique.",
    chartChoose: "Opérateur et contrat du graphique",
    chartLoading: "Chargement du graphique…",
    chartFailed: "Le graphique n'a pas pu être chargé.",
    chartNone: "Aucun opérateur ni contrat à représenter pour cette période.",
    chartTable: "Les valeurs du graphique en tableau",
    chartCaption: "{operator}, contrat {contract} : valeurs mensuelles",
    colMonth: "Mois",
    linksTitle: "Le détail des refus",
    violationsLink: "Chaque valeur écartée, avec l'équipement, le champ et le motif (JSON)",
    quarantineLink: "Les messages en quarantaine, avec leurs motifs (JSON)",
    ownQuarantineLink: "Voir mes messages en quarantaine",
    reportLink: "Rapport mensuel à imprimer",
    completeness: "complétude",
    timeliness: "ponctualité",
    conformity: "conformité",
    obligation_delivery: "livraison",
    obligation_completeness: "complétude",
    obligation_latency: "délai de livraison",
    obligation_format: "format",
  },
  en: {
    title: "Operators' compliance with the data clauses",
    intro:
      "For each operator and each contract: the share of the promised readings received (completeness), the share delivered in time (timeliness) and the share of deliveries accepted (conformity), each against the contract's target. A breach is written out in words; a public exemption may excuse it.",
    filtersTitle: "Period and filters",
    periodKind: "Length of the period",
    kindDay: "a day",
    kindMonth: "a month",
    kindYear: "a year",
    periodMonth: "Month",
    periodDay: "Day",
    periodYear: "Year",
    periodHint: "In universal time (UTC). By default, the last complete month.",
    operator: "Operator",
    contract: "Contract",
    any: "all",
    apply: "Show",
    downloads: "Download these scorecards:",
    csv: "CSV (spreadsheet)",
    loading: "Loading…",
    loaded: "{count} scorecard(s) for {period}.",
    loadFailed: "The scorecards could not be loaded. Try again later.",
    forbidden: "Your account does not give access to the scorecards.",
    badPeriod: "Unreadable period: choose a day, a month or a year.",
    empty: "No scorecard for this period.",
    caption: "Operators' compliance with the data contracts, {period}",
    colOperator: "Operator",
    colContract: "Contract",
    colDevices: "Devices",
    colSilent: "Silent devices",
    colCompleteness: "Completeness",
    colTimeliness: "Timeliness",
    colConformity: "Conformity",
    colExemptions: "Exemptions",
    colReasons: "Reasons for refusal",
    target: "target {target}",
    noTarget: "no target",
    met: "target met",
    breach: "breach: below the target",
    breachExempted: "below the target, excused by an exemption",
    noContract: "deliveries with no known contract",
    none: "none",
    reasons: "{count} delivery(ies) or value(s) refused",
    noReasons: "nothing refused",
    reason_quarantine: "message quarantined",
    reason_violation: "value dropped",
    reasonLine: "{code} ({kind}): {count}",
    exemptionLine: "{decision} (obligation: {obligation})",
    chartTitle: "Twelve months' trend",
    chartIntro:
      "The chart shows, month by month, an operator's completeness, timeliness and conformity for a contract; the contract's targets are dashed. The same values are given as a table below the chart.",
    chartChoose: "Operator and contract of the chart",
    chartLoading: "Loading the chart…",
    chartFailed: "The chart could not be loaded.",
    chartNone: "No operator or contract to show for this period.",
    chartTable: "The chart's values as a table",
    chartCaption: "{operator}, contract {contract}: monthly values",
    colMonth: "Month",
    linksTitle: "The refusals in detail",
    violationsLink: "Each value dropped, with the device, the field and the reason (JSON)",
    quarantineLink: "The quarantined messages, with their reasons (JSON)",
    ownQuarantineLink: "See my quarantined messages",
    reportLink: "Monthly report to print",
    completeness: "completeness",
    timeliness: "timeliness",
    conformity: "conformity",
    obligation_delivery: "delivery",
    obligation_completeness: "completeness",
    obligation_latency: "delivery delay",
    obligation_format: "format",
  },
};
