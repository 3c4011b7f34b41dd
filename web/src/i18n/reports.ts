import type { Lang, Table } from "./common.ts";

/**
 * The residents' pages' words: the report form (`/signaler`, `/report` in English) and the map of
 * outages (`/pannes`, `/outages`). Both name the kinds of asset and the states of an outage.
 */

type SharedKey =
  | "kindStreetlight"
  | "kindWasteContainer"
  | "statusOut"
  | "statusInHand"
  | "statusRepaired"
  | "reportLink"
  | "outagesLink";

const sharedFr: Record<SharedKey, string> = {
  kindStreetlight: "lampadaire (éclairage public)",
  kindWasteContainer: "conteneur à déchets",
  statusOut: "en panne",
  statusInHand: "prise en charge",
  statusRepaired: "réparée",
  reportLink: "Signaler une panne",
  outagesLink: "Voir les pannes en cours",
};

const sharedEn: Record<SharedKey, string> = {
  kindStreetlight: "street lamp",
  kindWasteContainer: "waste container",
  statusOut: "out of order",
  statusInHand: "being dealt with",
  statusRepaired: "repaired",
  reportLink: "Report a fault",
  outagesLink: "See the current outages",
};

export const report: Table<
  | SharedKey
  | "title"
  | "intro"
  | "privacyTitle"
  | "privacy"
  | "privacyShort"
  | "emergency"
  | "assetLabel"
  | "assetHint"
  | "find"
  | "looking"
  | "foundTitle"
  | "factAsset"
  | "factKind"
  | "factCommune"
  | "communeValue"
  | "categoriesLegend"
  | "categoriesHint"
  | "send"
  | "sending"
  | "resultTitle"
  | "resultReference"
  | "resultNew"
  | "resultJoined"
  | "resultInHand"
  | "again"
  | "errorEmpty"
  | "errorFormat"
  | "errorUnknown"
  | "errorCategory"
  | "errorCategoryRefused"
  | "errorThrottled"
  | "errorThrottledMinutes"
  | "errorNetwork"
  | "errorServer"
> = {
  fr: {
    ...sharedFr,
    title: "Signaler une panne",
    intro:
      "Un lampadaire éteint la nuit ou allumé en plein jour, un conteneur plein ou abîmé ? Donnez le numéro écrit sur l'équipement et choisissez le problème : le service qui en a la charge le voit aussitôt.",
    privacyTitle: "Ce qui est gardé",
    privacy:
      "Rien de personnel : ni nom, ni moyen de vous contacter, ni texte, ni adresse. Seuls sont gardés le numéro de l'équipement, le problème choisi et l'heure du signalement. Pour éviter les abus, une même connexion peut envoyer cinq signalements par heure ; son adresse internet n'est pas enregistrée.",
    privacyShort: "Rien de personnel n'est envoyé : seulement l'équipement, le problème et l'heure.",
    emergency: "En cas de danger (mât tombé, fils électriques à nu), appelez le 112.",
    assetLabel: "Numéro de l'équipement",
    assetHint:
      "Il est écrit sur l'autocollant du lampadaire ou du conteneur, par exemple lum-57038-0004 ou pav-57038-001.",
    find: "Rechercher l'équipement",
    looking: "Recherche de l'équipement…",
    foundTitle: "Équipement trouvé",
    factAsset: "Numéro",
    factKind: "Type",
    factCommune: "Commune",
    communeValue: "{name} ({code})",
    categoriesLegend: "Quel est le problème ?",
    categoriesHint: "Choisissez une réponse. Au clavier, les flèches passent d'une réponse à l'autre.",
    send: "Envoyer le signalement",
    sending: "Envoi du signalement…",
    resultTitle: "Merci, votre signalement est enregistré",
    resultReference: "Numéro de référence : {reference}",
    resultNew: "Le service qui a la charge de cet équipement le voit dès maintenant.",
    resultJoined:
      "Cet équipement était déjà signalé : votre signalement a été ajouté au dossier ouvert le {since}.",
    resultInHand: "Le service a déjà pris cette panne en charge.",
    again: "Signaler une autre panne",
    errorEmpty: "Écrivez le numéro de l'équipement.",
    errorFormat:
      "Ce numéro n'a pas la forme attendue : des lettres, des chiffres et des tirets, comme lum-57038-0004.",
    errorUnknown:
      "Aucun équipement ne porte ce numéro, ou cet équipement ne reçoit pas de signalement. Vérifiez le numéro sur l'autocollant.",
    errorCategory: "Choisissez le problème constaté.",
    errorCategoryRefused:
      "Ce problème n'est pas proposé pour cet équipement. Rechargez la page et réessayez.",
    errorThrottled: "Trop de signalements ont été envoyés depuis cette connexion. Réessayez dans une heure.",
    errorThrottledMinutes:
      "Trop de signalements ont été envoyés depuis cette connexion. Réessayez dans {minutes} minutes.",
    errorNetwork:
      "Le serveur ne répond pas : le signalement n'est pas parti. Vérifiez votre connexion et réessayez.",
    errorServer: "Le signalement n'a pas pu être enregistré. Réessayez dans un moment.",
  },
  en: {
    ...sharedEn,
    title: "Report a fault",
    intro:
      "A street lamp dark at night or lit in daylight, a waste container full or damaged? Give the number written on it and choose the problem: the service in charge sees it at once.",
    privacyTitle: "What is kept",
    privacy:
      "Nothing personal: no name, no way to contact you, no text, no address. Only the asset's number, the problem chosen and the time of the report are kept. To prevent abuse, one connection may send five reports an hour; its internet address is not recorded.",
    privacyShort: "Nothing personal is sent: only the asset, the problem and the time.",
    emergency: "If there is danger (a fallen pole, bare electric wires), call 112.",
    assetLabel: "Number of the asset",
    assetHint:
      "It is written on the sticker of the street lamp or the container, for example lum-57038-0004 or pav-57038-001.",
    find: "Find the asset",
    looking: "Looking for the asset…",
    foundTitle: "Asset found",
    factAsset: "Number",
    factKind: "Kind",
    factCommune: "Commune",
    communeValue: "{name} ({code})",
    categoriesLegend: "What is the problem?",
    categoriesHint: "Choose one answer. With the keyboard, the arrow keys move from one answer to the next.",
    send: "Send the report",
    sending: "Sending the report…",
    resultTitle: "Thank you, your report is recorded",
    resultReference: "Reference number: {reference}",
    resultNew: "The service in charge of this asset sees it from now on.",
    resultJoined: "This asset was already reported: your report was added to the case opened on {since}.",
    resultInHand: "The service has already taken this fault in hand.",
    again: "Report another fault",
    errorEmpty: "Write the number of the asset.",
    errorFormat:
      "This number does not have the expected form: letters, digits and dashes, like lum-57038-0004.",
    errorUnknown:
      "No asset has this number, or this asset takes no reports. Check the number on the sticker.",
    errorCategory: "Choose the problem you saw.",
    errorCategoryRefused: "This problem is not offered for this asset. Reload the page and try again.",
    errorThrottled: "Too many reports were sent from this connection. Try again in an hour.",
    errorThrottledMinutes: "Too many reports were sent from this connection. Try again in {minutes} minutes.",
    errorNetwork: "The server does not answer: the report was not sent. Check your connection and try again.",
    errorServer: "The report could not be recorded. Try again in a moment.",
  },
};

export const outages: Table<
  | SharedKey
  | "title"
  | "intro"
  | "loading"
  | "loadFailed"
  | "filters"
  | "filterCommune"
  | "filterStatus"
  | "allCommunes"
  | "allStatuses"
  | "counts"
  | "none"
  | "noneRepaired"
  | "shown"
  | "shownNone"
  | "map"
  | "mapLabel"
  | "mapHelp"
  | "legend"
  | "table"
  | "tableCaption"
  | "colAsset"
  | "colKind"
  | "colCommune"
  | "colStatus"
  | "colSince"
  | "colRepaired"
  | "colFoundBy"
  | "colReport"
  | "foundResidents"
  | "foundSensors"
  | "foundBoth"
  | "reportThis"
  | "rows"
  | "previous"
  | "next"
  | "pager"
  | "popupSince"
  | "popupRepaired"
  | "sameData"
  | "json"
  | "geojson"
> = {
  fr: {
    ...sharedFr,
    title: "Pannes en cours",
    intro:
      "Les lampadaires et les conteneurs en panne, signalés par les habitants ou détectés par les capteurs, et ceux réparés ces 30 derniers jours. Un équipement apparaît une fois, quel que soit le nombre de signalements.",
    loading: "Chargement des pannes…",
    loadFailed: "La liste des pannes n'a pas pu être chargée. Réessayez dans un moment.",
    filters: "Filtrer les pannes",
    filterCommune: "Commune",
    filterStatus: "État",
    allCommunes: "Toutes les communes",
    allStatuses: "Tous les états",
    counts: "En panne : {out}. Prises en charge : {inHand}. Réparées ces 30 derniers jours : {repaired}.",
    none: "Aucune panne en cours.",
    noneRepaired: "Aucune panne en cours. Réparées ces 30 derniers jours : {repaired}.",
    shown: "Affichées : {shown} sur {n}.",
    shownNone: "Aucune panne ne correspond à ces filtres.",
    map: "Carte",
    mapLabel: "Carte des pannes et des réparations",
    mapHelp:
      "Flèches pour déplacer la carte, + et − pour zoomer. Le tableau plus bas donne les mêmes pannes, avec un lien pour signaler chaque équipement.",
    legend: "Légende",
    table: "Liste des pannes",
    tableCaption: "Pannes en cours et réparations récentes, les plus récentes d'abord",
    colAsset: "Équipement",
    colKind: "Type",
    colCommune: "Commune",
    colStatus: "État",
    colSince: "Depuis le",
    colRepaired: "Réparée le",
    colFoundBy: "Trouvée par",
    colReport: "Signaler",
    foundResidents: "des habitants",
    foundSensors: "les capteurs",
    foundBoth: "des habitants et les capteurs",
    reportThis: "Signaler",
    rows: "Lignes {from} à {to} sur {total}.",
    previous: "Page précédente",
    next: "Page suivante",
    pager: "Pages du tableau",
    popupSince: "Depuis le {since}",
    popupRepaired: "Réparée le {at}",
    sameData: "Les mêmes données",
    json: "Les pannes en JSON",
    geojson: "Les pannes en GeoJSON (points)",
  },
  en: {
    ...sharedEn,
    title: "Current outages",
    intro:
      "Street lamps and waste containers out of order, reported by residents or detected by the sensors, and those repaired in the last 30 days. An asset appears once, however many reports it had.",
    loading: "Loading the outages…",
    loadFailed: "The outages could not be loaded. Try again in a moment.",
    filters: "Filter the outages",
    filterCommune: "Commune",
    filterStatus: "State",
    allCommunes: "All communes",
    allStatuses: "All states",
    counts: "Out of order: {out}. Being dealt with: {inHand}. Repaired in the last 30 days: {repaired}.",
    none: "No current outage.",
    noneRepaired: "No current outage. Repaired in the last 30 days: {repaired}.",
    shown: "Shown: {shown} of {n}.",
    shownNone: "No outage matches these filters.",
    map: "Map",
    mapLabel: "Map of the outages and repairs",
    mapHelp:
      "Arrow keys move the map, + and − zoom. The table below gives the same outages, with a link to report each asset.",
    legend: "Legend",
    table: "List of the outages",
    tableCaption: "Current outages and recent repairs, newest first",
    colAsset: "Asset",
    colKind: "Kind",
    colCommune: "Commune",
    colStatus: "State",
    colSince: "Since",
    colRepaired: "Repaired on",
    colFoundBy: "Found by",
    colReport: "Report",
    foundResidents: "residents",
    foundSensors: "the sensors",
    foundBoth: "residents and the sensors",
    reportThis: "Report",
    rows: "Rows {from} to {to} of {total}.",
    previous: "Previous page",
    next: "Next page",
    pager: "Table pages",
    popupSince: "Since {since}",
    popupRepaired: "Repaired on {at}",
    sameData: "The same data",
    json: "The outages as JSON",
    geojson: "The outages as GeoJSON (points)",
  },
};

/** An asset's kind in words, from its domain; another domain is shown as it is. */
export function kindOf(domain: string, lang: Lang): string {
  const t = report[lang];
  if (domain === "streetlight") return t.kindStreetlight;
  if (domain === "waste_container") return t.kindWasteContainer;
  return domain;
}
