import type { Table } from "./common.ts";

/**
 * The live page's words (`/en-direct`, `/live` in English): the public figures of the moment,
 * updated over Server-Sent Events. The domains' titles come from the contracts (in French).
 */
export const live: Table<
  | "title"
  | "intro"
  | "secrecy"
  | "noScript"
  | "seeAlso"
  | "loading"
  | "loadFailed"
  | "at"
  | "atDay"
  | "connecting"
  | "live"
  | "reconnecting"
  | "interrupted"
  | "figuresLabel"
  | "assets"
  | "reporting"
  | "outages"
  | "share"
  | "tableCaption"
  | "colCommune"
  | "colAssets"
  | "colReporting"
  | "colOutages"
  | "otherCommunes"
  | "otherCommunesHint"
  | "noDomain"
  | "outagesNone"
  | "outagesOne"
  | "outagesMany"
  | "changed"
  | "sameData"
  | "json"
  | "stream"
> = {
  fr: {
    title: "Le territoire en direct",
    intro:
      "Les chiffres du moment pour les équipements publics connectés du territoire : combien il y en a, combien transmettent leurs mesures en ce moment et combien sont en panne. La page se met à jour d'elle-même dès qu'un chiffre change, sans la recharger.",
    secrecy:
      "Aucun chiffre ne désigne un équipement ni un exploitant. Une commune qui compte moins d'équipements que le seuil du contrat de données n'est pas montrée seule : elle est comptée avec les autres dans « Autres communes ».",
    noScript:
      "Cette page a besoin de JavaScript pour afficher les chiffres et les mettre à jour. Ils sont aussi publiés en JSON à l'adresse",
    seeAlso: "Voir aussi :",
    loading: "Chargement des chiffres…",
    loadFailed:
      "Les chiffres n'ont pas pu être chargés. La page réessaie d'elle-même ; ils sont aussi publiés en JSON :",
    at: "Chiffres de {time}",
    atDay: "Chiffres du {day} à {time}",
    connecting: "Connexion au direct…",
    live: "En direct : la page se met à jour dès qu'un chiffre change.",
    reconnecting: "Reconnexion… Les chiffres affichés sont les derniers reçus.",
    interrupted:
      "Le direct est interrompu. La page réessaiera dans un moment ; les chiffres affichés sont les derniers reçus.",
    figuresLabel: "Chiffres du moment",
    assets: "Équipements",
    reporting: "Transmettent en ce moment",
    outages: "Pannes en cours",
    share: "{percent} du parc",
    tableCaption: "{title} : chiffres par commune",
    colCommune: "Commune",
    colAssets: "Équipements",
    colReporting: "Transmettent en ce moment",
    colOutages: "Pannes en cours",
    otherCommunes: "Autres communes (comptées ensemble)",
    otherCommunesHint: "moins d'équipements que le seuil chacune",
    noDomain: "Aucun domaine n'est publié pour l'instant.",
    outagesNone: "aucune panne en cours",
    outagesOne: "1 panne en cours",
    outagesMany: "{n} pannes en cours",
    changed: "{title} : {now} (contre {before} auparavant).",
    sameData: "Les mêmes chiffres",
    json: "Les chiffres du moment en JSON",
    stream: "Le flux en direct (Server-Sent Events)",
  },
  en: {
    title: "The territory live",
    intro:
      "The figures of the moment for the territory's connected public infrastructure: how many assets there are, how many are sending their readings right now and how many are out of order. The page updates itself as soon as a figure changes, without reloading.",
    secrecy:
      "No figure points to an asset or an operator. A commune with fewer assets than the data contract's threshold is not shown alone: it is counted with the others under “Other communes”.",
    noScript:
      "This page needs JavaScript to show the figures and keep them up to date. They are also published as JSON at",
    seeAlso: "See also:",
    loading: "Loading the figures…",
    loadFailed: "The figures could not be loaded. The page keeps trying; they are also published as JSON:",
    at: "Figures as of {time}",
    atDay: "Figures as of {day}, {time}",
    connecting: "Connecting to the live stream…",
    live: "Live: the page updates as soon as a figure changes.",
    reconnecting: "Reconnecting… The figures shown are the last received.",
    interrupted:
      "The live stream is interrupted. The page will try again shortly; the figures shown are the last received.",
    figuresLabel: "Figures of the moment",
    assets: "Assets",
    reporting: "Reporting right now",
    outages: "Current outages",
    share: "{percent} of the assets",
    tableCaption: "{title}: figures by commune",
    colCommune: "Commune",
    colAssets: "Assets",
    colReporting: "Reporting right now",
    colOutages: "Current outages",
    otherCommunes: "Other communes (counted together)",
    otherCommunesHint: "each with fewer assets than the threshold",
    noDomain: "No domain is published yet.",
    outagesNone: "no current outage",
    outagesOne: "1 current outage",
    outagesMany: "{n} current outages",
    changed: "{title}: {now} ({before} before).",
    sameData: "The same figures",
    json: "The figures of the moment as JSON",
    stream: "The live stream (Server-Sent Events)",
  },
};
