import type { Lang, Table } from "./common.ts";

/**
 * The open-data pages' words: the catalogue (`/donnees`) and a dataset's page (`/donnees/<id>`).
 * Both share the names of the metadata and of the figures' statuses.
 */

type SharedKey =
  | "openData"
  | "licence"
  | "frequency"
  | "granularity"
  | "level"
  | "unit"
  | "noUnit"
  | "threshold"
  | "thresholdValue"
  | "contract"
  | "contractValue"
  | "period"
  | "periodRange"
  | "noFigures"
  | "lastUpdate"
  | "figures"
  | "figuresValue"
  | "revisions"
  | "keywords"
  | "download"
  | "secret"
  | "statusPublished"
  | "statusPrimary"
  | "statusSecondary"
  | "dcat"
  | "dcatIntro"
  | "jsonld"
  | "turtle"
  | "backToCatalogue";

const sharedFr: Record<SharedKey, string> = {
  openData: "Données ouvertes",
  licence: "Licence",
  frequency: "Fréquence de mise à jour",
  granularity: "Pas de temps",
  level: "Niveau géographique",
  unit: "Unité",
  noUnit: "sans unité",
  threshold: "Seuil du secret statistique",
  thresholdValue: "{n} équipements au moins par chiffre",
  contract: "Contrat de données",
  contractValue: "{id}, version {version}",
  period: "Période couverte",
  periodRange: "du {from} au {to}",
  noFigures: "aucun chiffre publié pour l'instant",
  lastUpdate: "Dernière mise à jour",
  figures: "Nombre de chiffres",
  figuresValue: "{n}",
  revisions: "Révisions",
  keywords: "Mots-clés",
  download: "Télécharger",
  secret: "secret statistique",
  statusPublished: "publié",
  statusPrimary: "secret statistique : moins d'équipements que le seuil",
  statusSecondary: "secret statistique : masqué pour protéger un autre chiffre",
  dcat: "Catalogue pour les portails",
  dcatIntro:
    "Les portails de données (data.gouv.fr, portails régionaux) moissonnent ce catalogue au format DCAT-AP :",
  jsonld: "DCAT en JSON-LD",
  turtle: "DCAT en Turtle",
  backToCatalogue: "Retour au catalogue des données ouvertes",
};

const sharedEn: Record<SharedKey, string> = {
  openData: "Open data",
  licence: "Licence",
  frequency: "Update frequency",
  granularity: "Time step",
  level: "Geographic level",
  unit: "Unit",
  noUnit: "no unit",
  threshold: "Statistical secrecy threshold",
  thresholdValue: "at least {n} devices per figure",
  contract: "Data contract",
  contractValue: "{id}, version {version}",
  period: "Period covered",
  periodRange: "from {from} to {to}",
  noFigures: "no figure published yet",
  lastUpdate: "Last update",
  figures: "Number of figures",
  figuresValue: "{n}",
  revisions: "Revisions",
  keywords: "Keywords",
  download: "Download",
  secret: "statistical secrecy",
  statusPublished: "published",
  statusPrimary: "statistical secrecy: fewer devices than the threshold",
  statusSecondary: "statistical secrecy: hidden to protect another figure",
  dcat: "Catalogue for data portals",
  dcatIntro: "Data portals (data.gouv.fr, regional portals) harvest this catalogue in DCAT-AP:",
  jsonld: "DCAT as JSON-LD",
  turtle: "DCAT as Turtle",
  backToCatalogue: "Back to the open data catalogue",
};

export const catalogue: Table<
  | SharedKey
  | "title"
  | "intro"
  | "loading"
  | "filter"
  | "filterHelp"
  | "count"
  | "countOne"
  | "countNone"
  | "shown"
  | "empty"
  | "loadFailed"
  | "residents"
> = {
  fr: {
    ...sharedFr,
    title: "Données ouvertes",
    intro:
      "La collectivité publie ici des chiffres tirés des mesures de ses équipements publics connectés (éclairage, eau, déchets) : des moyennes et des comptes par commune ou par secteur, jour après jour. Chaque jeu de données est sous une licence ouverte (Licence Ouverte d'Etalab ou ODbL) : vous pouvez le réutiliser librement en citant la source. Aucun chiffre ne désigne un équipement ni un exploitant : un chiffre calculé sur moins d'équipements que le seuil fixé par le contrat de données est masqué (secret statistique), et un autre l'est avec lui quand un total permettrait de le retrouver.",
    loading: "Chargement du catalogue…",
    filter: "Filtrer par mot",
    filterHelp: "Un mot du titre, de la description ou des mots-clés.",
    count: "{n} jeux de données publiés.",
    countOne: "Un jeu de données publié.",
    countNone: "Aucun jeu de données n'est encore publié.",
    shown: "Jeux de données correspondant au filtre : {shown} sur {n}.",
    empty: "Aucun jeu de données ne correspond à ce filtre.",
    loadFailed: "Le catalogue n'a pas pu être chargé. Réessayez plus tard, ou consultez-le en JSON :",
    residents: "Un lampadaire éteint, un conteneur plein ?",
  },
  en: {
    ...sharedEn,
    title: "Open data",
    intro:
      "The local authority publishes here figures drawn from the readings of its connected public infrastructure (street lighting, water, waste): means and counts per commune or sector, day after day. Each dataset is under an open licence (Etalab Open Licence or ODbL): you may reuse it freely, citing the source. No figure points to a device or an operator: a figure computed from fewer devices than the threshold the data contract sets is hidden (statistical secrecy), and another one with it when a total would reveal it.",
    loading: "Loading the catalogue…",
    filter: "Filter by word",
    filterHelp: "A word of the title, the description or the keywords.",
    count: "{n} datasets published.",
    countOne: "One dataset published.",
    countNone: "No dataset is published yet.",
    shown: "Datasets matching the filter: {shown} of {n}.",
    empty: "No dataset matches this filter.",
    loadFailed: "The catalogue could not be loaded. Try again later, or read it as JSON:",
    residents: "A street lamp out, a container full?",
  },
};

export const dataset: Table<
  | SharedKey
  | "title"
  | "loading"
  | "notFound"
  | "notFoundText"
  | "loadFailed"
  | "about"
  | "history"
  | "validFrom"
  | "definition"
  | "chart"
  | "chartLabel"
  | "chartCaption"
  | "chartWindow"
  | "chartPlace"
  | "chartNone"
  | "chartHidden"
  | "chartAllHidden"
  | "map"
  | "mapLabel"
  | "mapCaption"
  | "mapHelp"
  | "mapNone"
  | "mapNoGeometry"
  | "legend"
  | "legendRange"
  | "legendSecret"
  | "table"
  | "tableCaption"
  | "colPeriod"
  | "colPlace"
  | "colValue"
  | "colDevices"
  | "colStatus"
  | "colVersion"
  | "rows"
  | "rowsNone"
  | "previous"
  | "next"
  | "pager"
  | "downloads"
  | "downloadCount"
  | "downloadCountOne"
  | "downloadCountNone"
  | "schema"
  | "recordsApi"
  | "changelog"
  | "changelogIntro"
  | "changelogCaption"
  | "colPublished"
  | "colReason"
  | "colPrevious"
  | "changelogNone"
  | "reasonFirst"
  | "reasonLate"
> = {
  fr: {
    ...sharedFr,
    title: "Jeu de données",
    loading: "Chargement du jeu de données…",
    notFound: "Jeu de données introuvable",
    notFoundText:
      "Aucun jeu de données publié ne porte cet identifiant. Il n'existe pas, ou il n'est pas encore publié. Le catalogue liste tous les jeux de données publiés.",
    loadFailed: "Le jeu de données n'a pas pu être chargé. Réessayez dans un moment.",
    about: "Description",
    history: "Historique de la définition",
    validFrom: "Applicable à partir du",
    definition: "Empreinte de la définition",
    chart: "Évolution",
    chartLabel: "Courbe des valeurs de « {title} » par lieu, dans le temps",
    chartCaption:
      "Les chiffres sous secret statistique ne sont pas tracés : la courbe s'interrompt à leur place. Le tableau plus bas donne toutes les valeurs, celles-ci comprises.",
    chartWindow: "Du {from} au {to}, {n} périodes.",
    chartAllHidden: "{name} : secret statistique sur toute la période, rien n'est tracé",
    chartPlace: "Lieu affiché",
    chartNone: "Aucun chiffre publié sur cette période.",
    chartHidden: "{n} chiffres sous secret statistique sur cette période.",
    map: "Carte de la dernière période",
    mapLabel: "Carte des valeurs de la dernière période par lieu",
    mapCaption: "Valeurs de la période {period}, par lieu.",
    mapHelp:
      "Flèches pour déplacer la carte, + et − pour zoomer. Le tableau plus bas donne les mêmes valeurs.",
    mapNone: "Ces chiffres ne se placent pas sur une carte (niveau du territoire entier).",
    mapNoGeometry: "Lieux sans tracé sur la carte :",
    legend: "Légende",
    legendRange: "de {from} à {to}",
    legendSecret: "secret statistique",
    table: "Tableau des chiffres",
    tableCaption: "Chiffres publiés, par période et par lieu",
    colPeriod: "Période",
    colPlace: "Lieu",
    colValue: "Valeur",
    colDevices: "Équipements",
    colStatus: "Statut",
    colVersion: "Version",
    rows: "Lignes {from} à {to} sur {total}.",
    rowsNone: "Aucun chiffre publié.",
    previous: "Page précédente",
    next: "Page suivante",
    pager: "Pages du tableau",
    downloads: "Téléchargements",
    downloadCount: "téléchargé {n} fois",
    downloadCountOne: "téléchargé une fois",
    downloadCountNone: "pas encore téléchargé",
    schema: "Schéma du tableau (Table Schema, JSON)",
    recordsApi: "Les chiffres par l'API (JSON, filtrable par période et par lieu)",
    changelog: "Journal des versions",
    changelogIntro:
      "Un chiffre publié n'est jamais changé en silence : une donnée arrivée en retard ou une correction en fait une nouvelle version, listée ici avec sa raison.",
    changelogCaption: "Dernières versions publiées, les plus récentes d'abord",
    colPublished: "Publiée le",
    colReason: "Raison",
    colPrevious: "Valeur précédente",
    changelogNone: "Aucune version publiée.",
    reasonFirst: "première publication",
    reasonLate: "données arrivées en retard",
  },
  en: {
    ...sharedEn,
    title: "Dataset",
    loading: "Loading the dataset…",
    notFound: "Dataset not found",
    notFoundText:
      "No published dataset has this identifier. It does not exist, or it is not published yet. The catalogue lists every published dataset.",
    loadFailed: "The dataset could not be loaded. Try again in a moment.",
    about: "Description",
    history: "History of the definition",
    validFrom: "Applies from",
    definition: "Fingerprint of the definition",
    chart: "Over time",
    chartLabel: "Chart of the values of “{title}” per place, over time",
    chartCaption:
      "Figures under statistical secrecy are not drawn: the line breaks where they are. The table below gives every value, these included.",
    chartWindow: "From {from} to {to}, {n} periods.",
    chartAllHidden: "{name}: statistical secrecy over the whole period, nothing is drawn",
    chartPlace: "Place shown",
    chartNone: "No figure published over this period.",
    chartHidden: "{n} figures under statistical secrecy over this period.",
    map: "Map of the latest period",
    mapLabel: "Map of the latest period's values by place",
    mapCaption: "Values of the period {period}, by place.",
    mapHelp: "Arrow keys move the map, + and − zoom. The table below gives the same values.",
    mapNone: "These figures have no place on a map (the whole territory).",
    mapNoGeometry: "Places without an outline on the map:",
    legend: "Legend",
    legendRange: "from {from} to {to}",
    legendSecret: "statistical secrecy",
    table: "Table of the figures",
    tableCaption: "Published figures, by period and place",
    colPeriod: "Period",
    colPlace: "Place",
    colValue: "Value",
    colDevices: "Devices",
    colStatus: "Status",
    colVersion: "Version",
    rows: "Rows {from} to {to} of {total}.",
    rowsNone: "No figure published.",
    previous: "Previous page",
    next: "Next page",
    pager: "Table pages",
    downloads: "Downloads",
    downloadCount: "downloaded {n} times",
    downloadCountOne: "downloaded once",
    downloadCountNone: "not downloaded yet",
    schema: "Table schema (Table Schema, JSON)",
    recordsApi: "The figures through the API (JSON, filtered by period and place)",
    changelog: "Changelog",
    changelogIntro:
      "A published figure is never changed silently: late data or a correction makes a new version, listed here with its reason.",
    changelogCaption: "Latest versions published, newest first",
    colPublished: "Published on",
    colReason: "Reason",
    colPrevious: "Previous value",
    changelogNone: "No version published.",
    reasonFirst: "first publication",
    reasonLate: "late data",
  },
};

/** Names of the catalogue's coded values; anything else is shown as it is. */
export const codes: Record<Lang, Record<string, string>> = {
  fr: {
    HOURLY: "toutes les heures",
    DAILY: "quotidienne",
    WEEKLY: "hebdomadaire",
    MONTHLY: "mensuelle",
    ANNUAL: "annuelle",
    CONT: "continue",
    IRREG: "irrégulière",
    hour: "heure",
    day: "jour",
    month: "mois",
    commune: "commune",
    sector: "secteur",
    territory: "territoire",
    "etalab-2.0": "Licence Ouverte 2.0 (Etalab)",
    "odbl-1.0": "Open Database License 1.0 (ODbL)",
  },
  en: {
    HOURLY: "hourly",
    DAILY: "daily",
    WEEKLY: "weekly",
    MONTHLY: "monthly",
    ANNUAL: "annual",
    CONT: "continuous",
    IRREG: "irregular",
    hour: "hour",
    day: "day",
    month: "month",
    commune: "commune",
    sector: "sector",
    territory: "territory",
    "etalab-2.0": "Etalab Open Licence 2.0",
    "odbl-1.0": "Open Database License 1.0 (ODbL)",
  },
};

export function code(lang: Lang, value: string): string {
  return codes[lang][value] ?? value;
}
