import type { Table } from "./common.ts";

/** The map's words (`/carte`, `/map`). */
export const map: Table<
  | "title"
  | "intro"
  | "loading"
  | "loadFailed"
  | "filters"
  | "domain"
  | "commune"
  | "operator"
  | "condition"
  | "any"
  | "ok"
  | "fault"
  | "silent"
  | "unknown"
  | "instant"
  | "instantLabel"
  | "instantShow"
  | "instantNow"
  | "instantHelp"
  | "viewLive"
  | "viewPast"
  | "liveLost"
  | "badInstant"
  | "counts"
  | "shown"
  | "shownOne"
  | "legend"
  | "legendCluster"
  | "mapLabel"
  | "mapHelp"
  | "cluster"
  | "clusterWorst"
  | "tableShow"
  | "tableHide"
  | "tableCaption"
  | "tableLimit"
  | "colId"
  | "colDomain"
  | "colCommune"
  | "colOperator"
  | "colCondition"
  | "colReading"
  | "noReading"
  | "noOperator"
  | "alerts"
  | "alertsNone"
  | "alertsMore"
  | "alertsFailed"
  | "outlineHull"
  | "openDevice"
> = {
  fr: {
    title: "Carte des équipements",
    intro:
      "Tous les équipements du territoire, colorés selon leur état, regroupés quand ils sont proches. Les mêmes données sont disponibles en tableau.",
    loading: "Chargement des équipements…",
    loadFailed: "Les équipements n'ont pas pu être chargés. Réessayez dans un moment.",
    filters: "Filtrer les équipements",
    domain: "Domaine",
    commune: "Commune",
    operator: "Exploitant",
    condition: "État",
    any: "tous",
    ok: "en service",
    fault: "en panne",
    silent: "muet",
    unknown: "inconnu",
    instant: "Instant affiché",
    instantLabel: "Date et heure",
    instantShow: "Afficher cet instant",
    instantNow: "Maintenant",
    instantHelp: "La carte, les comptes et les alertes reviennent à l'instant choisi.",
    viewLive: "Vue en direct : les états se mettent à jour sans recharger la page.",
    viewPast: "Vue au {at} : les états ne se mettent pas à jour.",
    liveLost: "Connexion au direct interrompue ; nouvelle tentative en cours…",
    badInstant: "Cet instant n'est pas valable : choisissez une date passée.",
    counts: "Équipements par état",
    shown: "{n} équipements affichés.",
    shownOne: "Un équipement affiché.",
    legend: "Légende",
    legendCluster: "groupe d'équipements proches : leur nombre et le pire état parmi eux",
    mapLabel: "Carte des équipements",
    mapHelp:
      "Flèches pour déplacer la carte, + et − pour zoomer. Le tableau ci-dessous donne les mêmes équipements.",
    cluster: "{n} équipements, dont {worst}",
    clusterWorst: "pire état : {state}",
    tableShow: "Afficher le tableau des équipements",
    tableHide: "Masquer le tableau des équipements",
    tableCaption: "Équipements affichés sur la carte",
    tableLimit:
      "Les {limit} premiers des {n} équipements sont listés ; affinez les filtres pour voir les autres.",
    colId: "Équipement",
    colDomain: "Domaine",
    colCommune: "Commune",
    colOperator: "Exploitant",
    colCondition: "État",
    colReading: "Dernière mesure",
    noReading: "aucune",
    noOperator: "aucun",
    alerts: "Alertes ouvertes",
    alertsNone: "Aucune alerte ouverte.",
    alertsMore: "Les {limit} plus récentes sont listées.",
    alertsFailed: "Les alertes n'ont pas pu être chargées.",
    outlineHull: "contour tracé autour des équipements de la commune",
    openDevice: "Fiche de l'équipement",
  },
  en: {
    title: "Map of the devices",
    intro:
      "Every device of the territory, coloured by state, grouped when close together. The same data are available as a table.",
    loading: "Loading the devices…",
    loadFailed: "The devices could not be loaded. Try again in a moment.",
    filters: "Filter the devices",
    domain: "Domain",
    commune: "Commune",
    operator: "Operator",
    condition: "State",
    any: "any",
    ok: "working",
    fault: "faulty",
    silent: "silent",
    unknown: "unknown",
    instant: "Instant shown",
    instantLabel: "Date and time",
    instantShow: "Show this instant",
    instantNow: "Now",
    instantHelp: "The map, the counts and the alerts go back to the chosen instant.",
    viewLive: "Live view: the states update without reloading the page.",
    viewPast: "View at {at}: the states do not update.",
    liveLost: "Live updates interrupted; trying again…",
    badInstant: "This instant is not valid: choose a past date.",
    counts: "Devices per state",
    shown: "{n} devices shown.",
    shownOne: "One device shown.",
    legend: "Legend",
    legendCluster: "group of nearby devices: their number and the worst state among them",
    mapLabel: "Map of the devices",
    mapHelp: "Arrow keys move the map, + and − zoom. The table below gives the same devices.",
    cluster: "{n} devices, including {worst}",
    clusterWorst: "worst state: {state}",
    tableShow: "Show the table of the devices",
    tableHide: "Hide the table of the devices",
    tableCaption: "Devices shown on the map",
    tableLimit: "The first {limit} of the {n} devices are listed; narrow the filters to see the others.",
    colId: "Device",
    colDomain: "Domain",
    colCommune: "Commune",
    colOperator: "Operator",
    colCondition: "State",
    colReading: "Last reading",
    noReading: "none",
    noOperator: "none",
    alerts: "Open alerts",
    alertsNone: "No open alert.",
    alertsMore: "The {limit} most recent are listed.",
    alertsFailed: "The alerts could not be loaded.",
    outlineHull: "outline drawn around the commune's devices",
    openDevice: "Device page",
  },
};
