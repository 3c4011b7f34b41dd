import type { Table } from "./common.ts";

/** The overview's words (`/`), for the staff and for an operator's own view. */
export const overview: Table<
  | "title"
  | "intro"
  | "operatorIntro"
  | "loading"
  | "loaded"
  | "loadFailed"
  | "forbidden"
  | "domainsTitle"
  | "domainsCaption"
  | "colDomain"
  | "waterFlow"
  | "colDevices"
  | "colOk"
  | "colFault"
  | "colSilent"
  | "colUnknown"
  | "total"
  | "alertsTitle"
  | "alertsCaption"
  | "colSeverity"
  | "colCount"
  | "alertsLink"
  | "noAlerts"
  | "communesTitle"
  | "communesCaption"
  | "colCommune"
  | "colOpenAlerts"
  | "colPer100"
  | "noCommunes"
  | "silentTitle"
  | "silentCount"
  | "silentCaption"
  | "colDevice"
  | "colOperator"
  | "colLastReading"
  | "noSilent"
  | "feedsTitle"
  | "feedsCaption"
  | "colHeard"
  | "colLastMessage"
  | "colQuarantined"
  | "ownTitle"
  | "ownDevicesCaption"
  | "ownFeedTitle"
  | "ownHeard"
  | "ownLastMessage"
  | "ownQuarantineTitle"
  | "ownQuarantineTotal"
  | "ownQuarantineCaption"
  | "colReceived"
  | "colReasons"
  | "noQuarantine"
  | "ownWasteTitle"
  | "ownWaste"
  | "ownWasteLink"
  | "nobody"
  | "never"
> = {
  fr: {
    title: "Vue d'ensemble",
    intro:
      "Tous les domaines en un coup d'œil : l'état des équipements, les alertes ouvertes, les communes et les flux des exploitants à surveiller.",
    operatorIntro:
      "Votre exploitation : vos équipements, la santé de votre flux de données et vos messages refusés.",
    loading: "Chargement…",
    loaded: "Situation au {at}.",
    loadFailed: "La vue d'ensemble n'a pas pu être chargée. Réessayez plus tard.",
    forbidden: "La vue d'ensemble de tous les domaines est réservée aux agents de la collectivité.",
    domainsTitle: "Équipements par domaine",
    domainsCaption: "Équipements par domaine et par état, maintenant",
    colDomain: "Domaine",
    waterFlow: "débit du réseau d'eau",
    colDevices: "Équipements",
    colOk: "En service",
    colFault: "En défaut",
    colSilent: "Muets",
    colUnknown: "Inconnus",
    total: "Total",
    alertsTitle: "Alertes ouvertes",
    alertsCaption: "Alertes ouvertes ou acquittées, par gravité",
    colSeverity: "Gravité",
    colCount: "Nombre",
    alertsLink: "Voir les alertes",
    noAlerts: "Aucune alerte ouverte.",
    communesTitle: "Communes les plus touchées",
    communesCaption: "Communes ayant le plus d'alertes ouvertes pour 100 équipements",
    colCommune: "Commune",
    colOpenAlerts: "Alertes ouvertes",
    colPer100: "Pour 100 équipements",
    noCommunes: "Aucune commune n'a d'alerte ouverte.",
    silentTitle: "Équipements muets",
    silentCount: "{count} équipement(s) muet(s). Les plus longtemps silencieux :",
    silentCaption: "Équipements muets, les plus longtemps silencieux d'abord",
    colDevice: "Équipement",
    colOperator: "Exploitant",
    colLastReading: "Dernière mesure",
    noSilent: "Aucun équipement muet.",
    feedsTitle: "Flux des exploitants",
    feedsCaption: "Santé du flux de données de chaque exploitant",
    colHeard: "Entendus dans les délais",
    colLastMessage: "Dernier message",
    colQuarantined: "Messages refusés (24 h)",
    ownTitle: "Vos équipements",
    ownDevicesCaption: "Vos équipements par domaine",
    ownFeedTitle: "Votre flux de données",
    ownHeard: "{heard} équipement(s) sur {devices} ont envoyé une mesure dans les dernières 24 heures.",
    ownLastMessage: "Dernière mesure reçue : {at}.",
    ownQuarantineTitle: "Vos messages refusés",
    ownQuarantineTotal: "{total} message(s) en quarantaine. Les plus récents, avec leurs motifs :",
    ownQuarantineCaption: "Vos messages refusés les plus récents",
    colReceived: "Reçu le",
    colReasons: "Motifs",
    noQuarantine: "Aucun message refusé.",
    ownWasteTitle: "Vos conteneurs à collecter",
    ownWaste: "{count} conteneur(s) à collecter.",
    ownWasteLink: "Voir la liste et la télécharger",
    nobody: "(aucun)",
    never: "jamais",
  },
  en: {
    title: "Overview",
    intro:
      "Every domain at a glance: the devices' condition, the open alerts, the communes and the operators' feeds to watch.",
    operatorIntro: "Your operations: your devices, the health of your data feed and your refused messages.",
    loading: "Loading…",
    loaded: "As of {at}.",
    loadFailed: "The overview could not be loaded. Try again later.",
    forbidden: "The overview of every domain is for the authority's staff only.",
    domainsTitle: "Devices per domain",
    domainsCaption: "Devices per domain and condition, now",
    colDomain: "Domain",
    waterFlow: "water network flow",
    colDevices: "Devices",
    colOk: "Working",
    colFault: "Faulty",
    colSilent: "Silent",
    colUnknown: "Unknown",
    total: "Total",
    alertsTitle: "Open alerts",
    alertsCaption: "Open or acknowledged alerts, per severity",
    colSeverity: "Severity",
    colCount: "Count",
    alertsLink: "See the alerts",
    noAlerts: "No open alert.",
    communesTitle: "Communes most affected",
    communesCaption: "Communes with the most open alerts per 100 devices",
    colCommune: "Commune",
    colOpenAlerts: "Open alerts",
    colPer100: "Per 100 devices",
    noCommunes: "No commune has an open alert.",
    silentTitle: "Silent devices",
    silentCount: "{count} silent device(s). Those quiet the longest:",
    silentCaption: "Silent devices, quiet the longest first",
    colDevice: "Device",
    colOperator: "Operator",
    colLastReading: "Last reading",
    noSilent: "No silent device.",
    feedsTitle: "Operators' feeds",
    feedsCaption: "Health of each operator's data feed",
    colHeard: "Heard in time",
    colLastMessage: "Last message",
    colQuarantined: "Refused messages (24 h)",
    ownTitle: "Your devices",
    ownDevicesCaption: "Your devices per domain",
    ownFeedTitle: "Your data feed",
    ownHeard: "{heard} of {devices} device(s) sent a reading in the last 24 hours.",
    ownLastMessage: "Last reading received: {at}.",
    ownQuarantineTitle: "Your refused messages",
    ownQuarantineTotal: "{total} message(s) in quarantine. The most recent, with their reasons:",
    ownQuarantineCaption: "Your most recent refused messages",
    colReceived: "Received on",
    colReasons: "Reasons",
    noQuarantine: "No refused message.",
    ownWasteTitle: "Your containers to collect",
    ownWaste: "{count} container(s) to collect.",
    ownWasteLink: "See the list and download it",
    nobody: "(none)",
    never: "never",
  },
};
