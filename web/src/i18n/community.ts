import type { Lang, Table } from "./common.ts";

/**
 * The re-users' words: the "Réutilisations" and "Questions" sections of a dataset's page, their
 * forms, and the page of every reuse (`/donnees/reutilisations`).
 */

export const community: Table<
  | "reuses"
  | "reusesIntro"
  | "reusesNone"
  | "questions"
  | "questionsIntro"
  | "questionsNone"
  | "declareReuse"
  | "askQuestion"
  | "noPersonalData"
  | "reuseTitle"
  | "reuseTitleHint"
  | "reuseUrl"
  | "reuseUrlHint"
  | "reuseKind"
  | "reuseDescription"
  | "reuseDescriptionHint"
  | "questionText"
  | "questionHint"
  | "send"
  | "sending"
  | "reuseThanks"
  | "questionThanks"
  | "throttled"
  | "refused"
  | "sendFailed"
  | "loadFailed"
  | "published"
  | "asked"
  | "answer"
  | "answered"
  | "question"
  | "kindApplication"
  | "kindVisualisation"
  | "kindArticle"
  | "kindApi"
  | "kindOther"
  | "allReuses"
  | "reusesLink"
  | "exemptionsLink"
> = {
  fr: {
    reuses: "Réutilisations",
    reusesIntro:
      "Ce que d'autres ont construit avec ce jeu de données : applications, visualisations, articles. Les liens mènent vers des sites qui ne sont pas ceux de la collectivité.",
    reusesNone: "Aucune réutilisation publiée pour l'instant.",
    questions: "Questions",
    questionsIntro: "Les questions des réutilisateurs et les réponses de la collectivité.",
    questionsNone: "Aucune question publiée pour l'instant.",
    declareReuse: "Déclarer une réutilisation",
    askQuestion: "Poser une question",
    noPersonalData:
      "Aucune donnée personnelle n'est demandée : ni nom, ni adresse e-mail. N'en écrivez pas dans les champs. Tout est relu par la collectivité avant d'être publié.",
    reuseTitle: "Titre",
    reuseTitleHint: "120 caractères au plus.",
    reuseUrl: "Adresse de la réutilisation (URL)",
    reuseUrlHint: "Commence par https:// ou http://, 500 caractères au plus.",
    reuseKind: "Type de réutilisation",
    reuseDescription: "Description",
    reuseDescriptionHint: "Ce que vous avez fait avec les données, 1000 caractères au plus.",
    questionText: "Votre question",
    questionHint: "1000 caractères au plus. Elle sera publiée avec la réponse de la collectivité.",
    send: "Envoyer",
    sending: "Envoi…",
    reuseThanks: "Merci : votre réutilisation sera publiée après relecture.",
    questionThanks: "Merci : votre question sera publiée avec sa réponse, après relecture.",
    throttled: "Trop d'envois depuis cette connexion : réessayez dans une heure.",
    refused:
      "L'envoi n'a pas été accepté : vérifiez que l'adresse commence par http:// ou https:// et que les textes ne dépassent pas les longueurs indiquées.",
    sendFailed: "L'envoi n'a pas abouti. Réessayez dans un moment.",
    loadFailed: "Cette liste n'a pas pu être chargée. Réessayez plus tard.",
    published: "Publiée le {date}",
    asked: "Question du {date}",
    answer: "Réponse de la collectivité",
    answered: "Réponse du {date}",
    question: "Question",
    kindApplication: "Application",
    kindVisualisation: "Visualisation",
    kindArticle: "Article",
    kindApi: "API",
    kindOther: "Autre",
    allReuses: "Toutes les réutilisations des données ouvertes",
    reusesLink: "Les réutilisations des données ouvertes : ce que d'autres en ont fait",
    exemptionsLink: "Les dérogations aux clauses de données accordées aux opérateurs, et leurs motifs",
  },
  en: {
    reuses: "Reuses",
    reusesIntro:
      "What others have built with this dataset: applications, visualisations, articles. The links lead to sites that are not the authority's.",
    reusesNone: "No reuse published yet.",
    questions: "Questions",
    questionsIntro: "Re-users' questions and the authority's answers.",
    questionsNone: "No question published yet.",
    declareReuse: "Declare a reuse",
    askQuestion: "Ask a question",
    noPersonalData:
      "No personal data is asked: no name, no e-mail address. Do not write any in the fields. Everything is reviewed by the authority before it is published.",
    reuseTitle: "Title",
    reuseTitleHint: "120 characters at most.",
    reuseUrl: "Address of the reuse (URL)",
    reuseUrlHint: "Starts with https:// or http://, 500 characters at most.",
    reuseKind: "Kind of reuse",
    reuseDescription: "Description",
    reuseDescriptionHint: "What you did with the data, 1000 characters at most.",
    questionText: "Your question",
    questionHint: "1000 characters at most. It will be published with the authority's answer.",
    send: "Send",
    sending: "Sending…",
    reuseThanks: "Thank you: your reuse will be published after review.",
    questionThanks: "Thank you: your question will be published with its answer, after review.",
    throttled: "Too many posts from this connection: try again in an hour.",
    refused:
      "This was not accepted: check that the address starts with http:// or https:// and that the texts are within the lengths given.",
    sendFailed: "Sending failed. Try again in a moment.",
    loadFailed: "This list could not be loaded. Try again later.",
    published: "Published on {date}",
    asked: "Asked on {date}",
    answer: "The authority's answer",
    answered: "Answered on {date}",
    question: "Question",
    kindApplication: "Application",
    kindVisualisation: "Visualisation",
    kindArticle: "Article",
    kindApi: "API",
    kindOther: "Other",
    allReuses: "Every reuse of the open data",
    reusesLink: "Reuses of the open data: what others have made of it",
    exemptionsLink: "Exemptions from the data clauses granted to operators, with their reasons",
  },
};

/** The reuses page (`/donnees/reutilisations`, `/data/reuses`). */
export const reusesPage: Table<
  | "title"
  | "intro"
  | "byDataset"
  | "colDataset"
  | "colReuses"
  | "colDownloads"
  | "byDatasetCaption"
  | "list"
  | "loading"
  | "none"
  | "count"
  | "countOne"
  | "datasetsUsed"
  | "howToDeclare"
  | "backToCatalogue"
  | "loadFailed"
  | "siteName"
> = {
  fr: {
    title: "Réutilisations des données ouvertes",
    intro:
      "Des habitants, des associations, des entreprises et des journalistes réutilisent les données ouvertes de la collectivité. Chaque réutilisation listée ici a été déclarée par son auteur et relue avant sa publication ; les liens mènent vers leurs sites.",
    byDataset: "Par jeu de données",
    byDatasetCaption: "Réutilisations publiées et téléchargements, par jeu de données",
    colDataset: "Jeu de données",
    colReuses: "Réutilisations publiées",
    colDownloads: "Téléchargements",
    list: "Toutes les réutilisations",
    loading: "Chargement des réutilisations…",
    none: "Aucune réutilisation publiée pour l'instant.",
    count: "{n} réutilisations publiées.",
    countOne: "1 réutilisation publiée.",
    datasetsUsed: "Données utilisées :",
    howToDeclare:
      "Vous avez réutilisé des données ? Déclarez-le depuis la page du jeu de données, à la rubrique « Réutilisations ».",
    backToCatalogue: "Retour au catalogue des données ouvertes",
    loadFailed:
      "Les réutilisations n'ont pas pu être chargées. Réessayez plus tard, ou consultez-les en JSON :",
    siteName: "Lanterne — données des équipements publics connectés",
  },
  en: {
    title: "Reuses of the open data",
    intro:
      "Residents, associations, companies and journalists reuse the authority's open data. Every reuse listed here was declared by its author and reviewed before it was published; the links lead to their sites.",
    byDataset: "By dataset",
    byDatasetCaption: "Published reuses and downloads, by dataset",
    colDataset: "Dataset",
    colReuses: "Published reuses",
    colDownloads: "Downloads",
    list: "Every reuse",
    loading: "Loading the reuses…",
    none: "No reuse published yet.",
    count: "{n} published reuses.",
    countOne: "1 published reuse.",
    datasetsUsed: "Data used:",
    howToDeclare: "Have you reused some data? Declare it from the dataset's page, under “Reuses”.",
    backToCatalogue: "Back to the open data catalogue",
    loadFailed: "The reuses could not be loaded. Try again later, or read them as JSON:",
    siteName: "Lanterne — data of the connected public infrastructure",
  },
};

export function kindName(lang: Lang, kind: string): string {
  const t = community[lang];
  const names: Record<string, string> = {
    application: t.kindApplication,
    visualisation: t.kindVisualisation,
    article: t.kindArticle,
    api: t.kindApi,
    other: t.kindOther,
  };
  return names[kind] ?? kind;
}
