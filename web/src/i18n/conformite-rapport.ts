import type { Table } from "./common.ts";

/**
 * The monthly compliance report (`/conformite/rapport`, `/compliance/report`): sentences an
 * elected official can read. `{…}` are filled with text (fill), numbers already formatted.
 */
export const rapport: Table<
  | "title"
  | "intro"
  | "formTitle"
  | "month"
  | "apply"
  | "print"
  | "back"
  | "loading"
  | "loaded"
  | "loadFailed"
  | "forbidden"
  | "badMonth"
  | "empty"
  | "reportTitle"
  | "delivered"
  | "deliveredNone"
  | "targetPart"
  | "onTime"
  | "onTimeNone"
  | "conform"
  | "conformNone"
  | "devices"
  | "noContract"
  | "allMet"
  | "breachesHead"
  | "breachLine"
  | "excused"
  | "excusedBy"
  | "notExcused"
  | "trend"
  | "trendNone"
  | "up"
  | "down"
  | "same"
  | "completeness"
  | "timeliness"
  | "conformity"
  | "exemptionsTitle"
  | "exemptionsNone"
  | "exemptionLine"
  | "allOperators"
  | "untilOpen"
  | "untilDate"
  | "obligation_delivery"
  | "obligation_completeness"
  | "obligation_latency"
  | "obligation_format"
> = {
  fr: {
    title: "Rapport mensuel de conformité des opérateurs",
    intro:
      "Ce rapport dit, pour chaque opérateur et chaque contrat de données, si les relevés promis ont été transmis, à temps et dans le bon format, et si les objectifs du contrat sont atteints.",
    formTitle: "Mois du rapport",
    month: "Mois",
    apply: "Afficher",
    print: "Imprimer",
    back: "Retour aux tableaux de conformité",
    loading: "Chargement…",
    loaded: "Rapport de {month} prêt.",
    loadFailed: "Le rapport n'a pas pu être chargé. Réessayez plus tard.",
    forbidden: "Votre compte ne donne pas accès aux tableaux de conformité.",
    badMonth: "Mois illisible : choisissez un mois.",
    empty: "Aucun opérateur n'a de tableau de conformité pour {month}.",
    reportTitle: "Conformité des opérateurs en {month}",
    delivered:
      "En {month}, {operator} a transmis {value} des relevés promis pour le contrat « {contract} »{target}.",
    deliveredNone: "En {month}, aucun relevé n'était promis à {operator} pour le contrat « {contract} ».",
    targetPart: " (objectif {target})",
    onTime: "{value} de ses relevés sont arrivés dans le délai prévu{target}.",
    onTimeNone: "Le délai de livraison n'a pas pu être mesuré.",
    conform: "{value} de ses envois étaient conformes au contrat{target}.",
    conformNone: "Aucun envoi n'a été reçu.",
    devices: "L'opérateur tenait {devices} équipement(s), dont {silent} resté(s) muet(s), sans aucun relevé.",
    noContract: "des envois sans contrat reconnu",
    allMet: "Tous les objectifs du contrat sont atteints.",
    breachesHead: "Objectifs non atteints :",
    breachLine: "{measure} : {value} pour un objectif de {target}",
    excused: "excusé par une dérogation",
    excusedBy: "excusé par une dérogation ({decisions})",
    notExcused: "aucune dérogation ne l'excuse",
    trend: "Par rapport à {month} : {parts}.",
    trendNone: "Pas de mesure en {month} pour comparer.",
    up: "{measure} en hausse de {points} point(s)",
    down: "{measure} en baisse de {points} point(s)",
    same: "{measure} stable",
    completeness: "complétude",
    timeliness: "ponctualité",
    conformity: "conformité",
    exemptionsTitle: "Dérogations en vigueur en {month}",
    exemptionsNone: "Aucune dérogation n'était en vigueur ce mois-là.",
    exemptionLine:
      "{decision} : contrat « {contract} », {operator}, obligation de {obligation}, du {from} {until}. Motif : {reason}",
    allOperators: "tous les opérateurs",
    untilOpen: "sans date de fin",
    untilDate: "au {to}",
    obligation_delivery: "livraison",
    obligation_completeness: "complétude",
    obligation_latency: "délai de livraison",
    obligation_format: "format",
  },
  en: {
    title: "Monthly report on the operators' compliance",
    intro:
      "This report says, for each operator and each data contract, whether the promised readings were delivered, in time and in the right format, and whether the contract's targets are met.",
    formTitle: "Month of the report",
    month: "Month",
    apply: "Show",
    print: "Print",
    back: "Back to the scorecards",
    loading: "Loading…",
    loaded: "Report of {month} ready.",
    loadFailed: "The report could not be loaded. Try again later.",
    forbidden: "Your account does not give access to the scorecards.",
    badMonth: "Unreadable month: choose a month.",
    empty: "No operator has a scorecard for {month}.",
    reportTitle: "The operators' compliance in {month}",
    delivered:
      "In {month}, {operator} delivered {value} of the promised readings for the contract “{contract}”{target}.",
    deliveredNone: "In {month}, no reading was promised by {operator} for the contract “{contract}”.",
    targetPart: " (target {target})",
    onTime: "{value} of its readings arrived within the agreed delay{target}.",
    onTimeNone: "The delivery delay could not be measured.",
    conform: "{value} of its deliveries met the contract{target}.",
    conformNone: "No delivery was received.",
    devices: "The operator held {devices} device(s); {silent} sent no reading.",
    noContract: "deliveries with no known contract",
    allMet: "Every target of the contract is met.",
    breachesHead: "Targets not met:",
    breachLine: "{measure}: {value} for a target of {target}",
    excused: "excused by an exemption",
    excusedBy: "excused by an exemption ({decisions})",
    notExcused: "no exemption excuses it",
    trend: "Compared with {month}: {parts}.",
    trendNone: "Nothing measured in {month} to compare with.",
    up: "{measure} up {points} point(s)",
    down: "{measure} down {points} point(s)",
    same: "{measure} stable",
    completeness: "completeness",
    timeliness: "timeliness",
    conformity: "conformity",
    exemptionsTitle: "Exemptions in force in {month}",
    exemptionsNone: "No exemption was in force that month.",
    exemptionLine:
      "{decision}: contract “{contract}”, {operator}, obligation of {obligation}, from {from} {until}. Reason: {reason}",
    allOperators: "every operator",
    untilOpen: "with no end date",
    untilDate: "to {to}",
    obligation_delivery: "delivery",
    obligation_completeness: "completeness",
    obligation_latency: "delivery delay",
    obligation_format: "format",
  },
};
