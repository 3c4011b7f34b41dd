import type { Table } from "./common.ts";

/** The waste collection page's words (`/dechets`, `/waste`). */
export const waste: Table<
  | "title"
  | "intro"
  | "filtersTitle"
  | "threshold"
  | "thresholdHint"
  | "horizon"
  | "horizonHint"
  | "commune"
  | "stream"
  | "any"
  | "all"
  | "apply"
  | "downloads"
  | "csv"
  | "geojson"
  | "loading"
  | "loaded"
  | "loadedAll"
  | "loadFailed"
  | "forbidden"
  | "caption"
  | "colContainer"
  | "colCommune"
  | "colStream"
  | "colLevel"
  | "colRate"
  | "colFull"
  | "colCollect"
  | "yes"
  | "no"
  | "notRising"
  | "empty"
> = {
  fr: {
    title: "Déchets : conteneurs à collecter",
    intro:
      "Les conteneurs à vider, triés par date de remplissage prévue : cette date prolonge le rythme de remplissage mesuré depuis le dernier vidage.",
    filtersTitle: "Critères de la tournée",
    threshold: "Seuil de remplissage (%)",
    thresholdHint: "À collecter dès ce niveau atteint.",
    horizon: "Horizon (jours)",
    horizonHint: "À collecter aussi s'il sera plein d'ici là.",
    commune: "Commune (code INSEE)",
    stream: "Flux",
    any: "toutes",
    all: "Montrer aussi les conteneurs à ne pas collecter",
    apply: "Appliquer",
    downloads: "Télécharger la liste pour la tournée :",
    csv: "CSV (tableur)",
    geojson: "GeoJSON (carte, GPS)",
    loading: "Chargement…",
    loaded: "{count} conteneur(s) à collecter.",
    loadedAll: "{count} conteneur(s) à collecter sur {shown} affiché(s).",
    loadFailed: "La liste n'a pas pu être chargée. Réessayez plus tard.",
    forbidden: "Votre compte ne donne pas accès aux conteneurs.",
    caption: "Conteneurs, par date de remplissage prévue",
    colContainer: "Conteneur",
    colCommune: "Commune",
    colStream: "Flux",
    colLevel: "Remplissage",
    colRate: "Remplissage par jour",
    colFull: "Plein prévu le",
    colCollect: "À collecter",
    yes: "oui",
    no: "non",
    notRising: "ne monte pas",
    empty: "Aucun conteneur ne répond à ces critères.",
  },
  en: {
    title: "Waste: containers to collect",
    intro:
      "The containers to empty, sorted by predicted-full date: that date extends the fill rate measured since the last emptying.",
    filtersTitle: "The round's criteria",
    threshold: "Fill threshold (%)",
    thresholdHint: "To collect once this level is reached.",
    horizon: "Horizon (days)",
    horizonHint: "Also to collect when it will be full by then.",
    commune: "Commune (INSEE code)",
    stream: "Stream",
    any: "any",
    all: "Also show the containers not to collect",
    apply: "Apply",
    downloads: "Download the list for the round:",
    csv: "CSV (spreadsheet)",
    geojson: "GeoJSON (map, GPS)",
    loading: "Loading…",
    loaded: "{count} container(s) to collect.",
    loadedAll: "{count} container(s) to collect of {shown} shown.",
    loadFailed: "The list could not be loaded. Try again later.",
    forbidden: "Your account does not give access to the containers.",
    caption: "Containers, by predicted-full date",
    colContainer: "Container",
    colCommune: "Commune",
    colStream: "Stream",
    colLevel: "Fill level",
    colRate: "Fill per day",
    colFull: "Predicted full on",
    colCollect: "To collect",
    yes: "yes",
    no: "no",
    notRising: "not rising",
    empty: "No container meets these criteria.",
  },
};
