import type { Table } from "./common.ts";

/** The alert desk's words (`/alertes`, `/alerts`). */
export const desk: Table<
  | "title"
  | "intro"
  | "loading"
  | "loadFailed"
  | "count"
  | "countOne"
  | "none"
  | "filters"
  | "status"
  | "statusActive"
  | "statusAll"
  | "statusOpen"
  | "statusAcknowledged"
  | "statusClosed"
  | "sevCritical"
  | "sevMajor"
  | "sevMinor"
  | "sevInfo"
  | "domain"
  | "commune"
  | "severity"
  | "any"
  | "text"
  | "sound"
  | "live"
  | "liveLost"
  | "opened"
  | "detail"
  | "state"
  | "cleared"
  | "assignee"
  | "nobody"
  | "comments"
  | "noComments"
  | "devices"
  | "showDevices"
  | "acknowledge"
  | "close"
  | "assign"
  | "assignTo"
  | "comment"
  | "commentText"
  | "doneAcknowledge"
  | "doneClose"
  | "doneAssign"
  | "doneComment"
  | "stale"
  | "refused"
  | "newCritical"
  | "seen"
  | "titleCritical"
> = {
  fr: {
    title: "Alertes",
    intro: "Les alertes levées par les règles du registre des algorithmes, mises à jour en direct.",
    loading: "Chargement des alertes…",
    loadFailed: "Les alertes n'ont pas pu être chargées. Réessayez dans un moment.",
    count: "{n} alertes affichées.",
    countOne: "Une alerte affichée.",
    none: "Aucune alerte ne correspond aux filtres.",
    filters: "Filtrer les alertes",
    status: "Statut",
    statusActive: "en cours (ouvertes ou acquittées)",
    statusAll: "toutes",
    statusOpen: "ouvertes",
    statusAcknowledged: "acquittées",
    statusClosed: "closes",
    sevCritical: "critique",
    sevMajor: "majeure",
    sevMinor: "mineure",
    sevInfo: "information",
    domain: "Domaine",
    commune: "Commune (code INSEE)",
    severity: "Gravité",
    any: "tous",
    text: "Sujet contient",
    sound: "Signal sonore pour une nouvelle alerte critique",
    live: "Mises à jour en direct.",
    liveLost: "Connexion au direct interrompue ; nouvelle tentative en cours…",
    opened: "Ouverte le",
    detail: "Détail",
    state: "Statut",
    cleared: "condition terminée",
    assignee: "Affectée à",
    nobody: "personne",
    comments: "Commentaires",
    noComments: "Aucun commentaire.",
    devices: "Équipements concernés",
    showDevices: "Voir les {n} équipements",
    acknowledge: "Acquitter",
    close: "Clore",
    assign: "Affecter",
    assignTo: "Affecter à",
    comment: "Commenter",
    commentText: "Commentaire",
    doneAcknowledge: "Alerte {subject} acquittée.",
    doneClose: "Alerte {subject} close.",
    doneAssign: "Alerte {subject} affectée à {assignee}.",
    doneComment: "Commentaire ajouté à l'alerte {subject}.",
    stale: "L'alerte {subject} a changé entre-temps : elle a été rechargée. Vérifiez-la puis recommencez.",
    refused: "Action refusée : {message}",
    newCritical: "Nouvelle alerte critique : {subject} — {detail}",
    seen: "J'ai vu",
    titleCritical: "({n} critique)",
  },
  en: {
    title: "Alerts",
    intro: "The alerts raised by the rules of the register of algorithms, updated live.",
    loading: "Loading the alerts…",
    loadFailed: "The alerts could not be loaded. Try again in a moment.",
    count: "{n} alerts shown.",
    countOne: "One alert shown.",
    none: "No alert matches the filters.",
    filters: "Filter the alerts",
    status: "Status",
    statusActive: "current (open or acknowledged)",
    statusAll: "all",
    statusOpen: "open",
    statusAcknowledged: "acknowledged",
    statusClosed: "closed",
    sevCritical: "critical",
    sevMajor: "major",
    sevMinor: "minor",
    sevInfo: "information",
    domain: "Domain",
    commune: "Commune (INSEE code)",
    severity: "Severity",
    any: "any",
    text: "Subject contains",
    sound: "Sound for a new critical alert",
    live: "Live updates.",
    liveLost: "Live updates interrupted; trying again…",
    opened: "Opened on",
    detail: "Detail",
    state: "Status",
    cleared: "condition ended",
    assignee: "Assigned to",
    nobody: "nobody",
    comments: "Comments",
    noComments: "No comments.",
    devices: "Devices concerned",
    showDevices: "Show the {n} devices",
    acknowledge: "Acknowledge",
    close: "Close",
    assign: "Assign",
    assignTo: "Assign to",
    comment: "Comment",
    commentText: "Comment",
    doneAcknowledge: "Alert {subject} acknowledged.",
    doneClose: "Alert {subject} closed.",
    doneAssign: "Alert {subject} assigned to {assignee}.",
    doneComment: "Comment added to alert {subject}.",
    stale: "Alert {subject} changed meanwhile: it was reloaded. Check it and try again.",
    refused: "Action refused: {message}",
    newCritical: "New critical alert: {subject} — {detail}",
    seen: "Seen",
    titleCritical: "({n} critical)",
  },
};
