import type { Table } from "./common.ts";

/** The device list's words (`/equipements`, `/devices`). */
export const devices: Table<
  | "title"
  | "intro"
  | "filters"
  | "domain"
  | "commune"
  | "operator"
  | "text"
  | "any"
  | "loading"
  | "loadFailed"
  | "count"
  | "countOne"
  | "none"
  | "pageOf"
  | "previous"
  | "next"
  | "pages"
  | "colId"
  | "colDomain"
  | "colCommune"
  | "colOperator"
  | "colLast"
  | "never"
  | "listCaption"
  | "feedTitle"
  | "feedHeard"
  | "feedLast"
  | "feedNever"
  | "quarantineLink"
  | "quarantineTitle"
  | "quarantineNone"
  | "quarantineTotal"
  | "back"
> = {
  fr: {
    title: "Équipements",
    intro: "Les équipements connectés du territoire, leur état et leurs dernières données.",
    filters: "Filtrer les équipements",
    domain: "Domaine",
    commune: "Commune (code INSEE)",
    operator: "Exploitant",
    text: "Identifiant contient",
    any: "tous",
    loading: "Chargement des équipements…",
    loadFailed: "Les équipements n'ont pas pu être chargés. Réessayez plus tard.",
    count: "{n} équipements correspondent.",
    countOne: "1 équipement correspond.",
    none: "Aucun équipement ne correspond.",
    pageOf: "Page {page} sur {pages}",
    previous: "Page précédente",
    next: "Page suivante",
    pages: "Pages de la liste",
    colId: "Identifiant",
    colDomain: "Domaine",
    colCommune: "Commune",
    colOperator: "Exploitant",
    colLast: "Dernier message",
    never: "aucun",
    listCaption: "Équipements (page {page} sur {pages})",
    feedTitle: "Santé du flux",
    feedHeard: "{recent} équipements sur {total} ont envoyé un message dans la dernière heure.",
    feedLast: "Dernier message reçu : {time}.",
    feedNever: "Aucun message reçu.",
    quarantineLink: "Voir mes messages en quarantaine",
    quarantineTitle: "Messages en quarantaine",
    quarantineNone: "Aucun message en quarantaine.",
    quarantineTotal: "{n} messages refusés au total ; les plus récents :",
    back: "Retour à la liste des équipements",
  },
  en: {
    title: "Devices",
    intro: "The territory's connected devices, their condition and their latest data.",
    filters: "Filter the devices",
    domain: "Domain",
    commune: "Commune (INSEE code)",
    operator: "Operator",
    text: "Identifier contains",
    any: "any",
    loading: "Loading the devices…",
    loadFailed: "The devices could not be loaded. Try again later.",
    count: "{n} devices match.",
    countOne: "1 device matches.",
    none: "No device matches.",
    pageOf: "Page {page} of {pages}",
    previous: "Previous page",
    next: "Next page",
    pages: "Pages of the list",
    colId: "Identifier",
    colDomain: "Domain",
    colCommune: "Commune",
    colOperator: "Operator",
    colLast: "Latest message",
    never: "none",
    listCaption: "Devices (page {page} of {pages})",
    feedTitle: "Feed health",
    feedHeard: "{recent} devices out of {total} sent a message in the last hour.",
    feedLast: "Latest message received: {time}.",
    feedNever: "No message received.",
    quarantineLink: "See my quarantined messages",
    quarantineTitle: "Quarantined messages",
    quarantineNone: "No quarantined message.",
    quarantineTotal: "{n} refused messages in all; the latest:",
    back: "Back to the device list",
  },
};

/** The device page's words (`/equipements/<id>`, `/devices/<id>`). */
export const device: Table<
  | "title"
  | "heading"
  | "loading"
  | "notFound"
  | "loadFailed"
  | "back"
  | "identity"
  | "id"
  | "domain"
  | "commune"
  | "operator"
  | "position"
  | "contract"
  | "contractNone"
  | "noOperator"
  | "periods"
  | "periodFromTo"
  | "periodFrom"
  | "assignments"
  | "colFrom"
  | "colTo"
  | "assignmentOpen"
  | "latest"
  | "latestNone"
  | "colField"
  | "colValue"
  | "colTime"
  | "colMean"
  | "colMin"
  | "colMax"
  | "colCount"
  | "charts"
  | "resolution"
  | "resRaw"
  | "res15m"
  | "res1h"
  | "res1d"
  | "period"
  | "per24h"
  | "per7d"
  | "per30d"
  | "seriesLoading"
  | "seriesNone"
  | "seriesFailed"
  | "seriesCoarser"
  | "seriesCount"
  | "chartLabel"
  | "reset"
  | "zoomHint"
  | "showData"
  | "band"
  | "bandMin"
  | "bandMax"
  | "states"
  | "alerts"
  | "alertsNone"
  | "alertsFailed"
  | "colOpened"
  | "colSeverity"
  | "colRule"
  | "colDetail"
  | "colStatus"
  | "cleared"
  | "groupOf"
  | "quarantine"
  | "quarantineNone"
  | "quarantineFailed"
  | "received"
  | "source"
  | "reasons"
  | "raw"
  | "truncated"
  | "violations"
  | "violationsNone"
  | "colReason"
  | "colDropped"
> = {
  fr: {
    title: "Équipement",
    heading: "Équipement {id}",
    loading: "Chargement de l'équipement…",
    notFound: "Cet équipement n'existe pas, ou vous n'avez pas le droit de le consulter.",
    loadFailed: "L'équipement n'a pas pu être chargé. Réessayez plus tard.",
    back: "Retour à la liste des équipements",
    identity: "Identité",
    id: "Identifiant",
    domain: "Domaine",
    commune: "Commune (code INSEE)",
    operator: "Exploitant",
    position: "Position (latitude, longitude)",
    contract: "Contrat de données",
    contractNone: "inconnu",
    noOperator: "aucun (ou pas vous en ce moment)",
    periods: "Vos périodes d'exploitation",
    periodFromTo: "du {from} au {to}",
    periodFrom: "depuis le {from}",
    assignments: "Exploitants successifs de l'équipement",
    colFrom: "Du",
    colTo: "Au (exclu)",
    assignmentOpen: "en cours",
    latest: "Dernières valeurs",
    latestNone: "Aucune valeur reçue.",
    colField: "Champ",
    colValue: "Valeur",
    colTime: "Heure",
    colMean: "Moyenne",
    colMin: "Minimum",
    colMax: "Maximum",
    colCount: "Relevés",
    charts: "Courbes",
    resolution: "Résolution",
    resRaw: "relevés bruts",
    res15m: "15 minutes",
    res1h: "heure",
    res1d: "jour",
    period: "Période",
    per24h: "24 heures",
    per7d: "7 jours",
    per30d: "30 jours",
    seriesLoading: "Chargement des courbes…",
    seriesNone: "Aucune donnée sur cette période.",
    seriesFailed: "Les courbes n'ont pas pu être chargées.",
    seriesCoarser: "Les relevés bruts ne tiennent pas sur cette période : résolution {res}.",
    seriesCount: "{n} points.",
    chartLabel: "Courbe de {field} ; les mêmes données sont dans le tableau qui suit.",
    reset: "Réinitialiser le zoom",
    zoomHint: "Faites glisser sur la courbe pour zoomer.",
    showData: "Voir les données",
    band: "Plage du contrat",
    bandMin: "minimum {value}",
    bandMax: "maximum {value}",
    states: "États",
    alerts: "Historique des alertes",
    alertsNone: "Aucune alerte pour cet équipement.",
    alertsFailed: "Les alertes n'ont pas pu être chargées.",
    colOpened: "Ouverte le",
    colSeverity: "Gravité",
    colRule: "Règle",
    colDetail: "Détail",
    colStatus: "Statut",
    cleared: "condition terminée",
    groupOf: "alerte groupée ({subject})",
    quarantine: "Messages en quarantaine",
    quarantineNone: "Aucun message en quarantaine pour cet équipement.",
    quarantineFailed: "La quarantaine n'a pas pu être chargée.",
    received: "Reçu le {time} par {source}",
    source: "Source",
    reasons: "Motifs",
    raw: "Message reçu",
    truncated: "(tronqué)",
    violations: "Valeurs écartées",
    violationsNone: "Aucune valeur écartée.",
    colReason: "Motif",
    colDropped: "Valeur envoyée",
  },
  en: {
    title: "Device",
    heading: "Device {id}",
    loading: "Loading the device…",
    notFound: "This device does not exist, or you are not allowed to see it.",
    loadFailed: "The device could not be loaded. Try again later.",
    back: "Back to the device list",
    identity: "Identity",
    id: "Identifier",
    domain: "Domain",
    commune: "Commune (INSEE code)",
    operator: "Operator",
    position: "Position (latitude, longitude)",
    contract: "Data contract",
    contractNone: "unknown",
    noOperator: "none (or not you at present)",
    periods: "Your periods as its operator",
    periodFromTo: "from {from} to {to}",
    periodFrom: "since {from}",
    assignments: "The device's operators over time",
    colFrom: "From",
    colTo: "To (exclusive)",
    assignmentOpen: "ongoing",
    latest: "Latest values",
    latestNone: "No value received.",
    colField: "Field",
    colValue: "Value",
    colTime: "Time",
    colMean: "Mean",
    colMin: "Minimum",
    colMax: "Maximum",
    colCount: "Readings",
    charts: "Charts",
    resolution: "Resolution",
    resRaw: "raw readings",
    res15m: "15 minutes",
    res1h: "hour",
    res1d: "day",
    period: "Period",
    per24h: "24 hours",
    per7d: "7 days",
    per30d: "30 days",
    seriesLoading: "Loading the charts…",
    seriesNone: "No data over this period.",
    seriesFailed: "The charts could not be loaded.",
    seriesCoarser: "Raw readings do not fit this period: resolution {res}.",
    seriesCount: "{n} points.",
    chartLabel: "Chart of {field}; the same data are in the table that follows.",
    reset: "Reset the zoom",
    zoomHint: "Drag over the chart to zoom in.",
    showData: "Show the data",
    band: "Contract's band",
    bandMin: "minimum {value}",
    bandMax: "maximum {value}",
    states: "States",
    alerts: "Alert history",
    alertsNone: "No alert for this device.",
    alertsFailed: "The alerts could not be loaded.",
    colOpened: "Opened",
    colSeverity: "Severity",
    colRule: "Rule",
    colDetail: "Detail",
    colStatus: "Status",
    cleared: "condition ended",
    groupOf: "grouped alert ({subject})",
    quarantine: "Quarantined messages",
    quarantineNone: "No quarantined message for this device.",
    quarantineFailed: "The quarantine could not be loaded.",
    received: "Received {time} through {source}",
    source: "Source",
    reasons: "Reasons",
    raw: "Message received",
    truncated: "(truncated)",
    violations: "Dropped values",
    violationsNone: "No value dropped.",
    colReason: "Reason",
    colDropped: "Value sent",
  },
};
