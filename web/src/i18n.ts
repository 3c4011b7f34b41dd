/**
 * The pages' words, French first. One small table per page plus the common parts; a missing
 * English string is a type error, not a blank on the page.
 */

export type Lang = "fr" | "en";

/** `?lang=en` wins; otherwise the page's English path; otherwise French. */
export function pageLang(location: { pathname: string; search: string }, englishPaths: string[]): Lang {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "fr" || asked === "en") return asked;
  return englishPaths.includes(location.pathname) ? "en" : "fr";
}

type Table<K extends string> = Record<Lang, Record<K, string>>;

export const common: Table<"skip" | "languages" | "siteName" | "apiLink" | "loadFailed"> = {
  fr: {
    skip: "Aller au contenu",
    languages: "Langue",
    siteName: "Lanterne — données des équipements publics connectés",
    apiLink: "Les mêmes données en JSON",
    loadFailed: "Le registre n'a pas pu être chargé. Réessayez plus tard, ou consultez-le en JSON :",
  },
  en: {
    skip: "Skip to content",
    languages: "Language",
    siteName: "Lanterne — data of the connected public infrastructure",
    apiLink: "The same data as JSON",
    loadFailed: "The register could not be loaded. Try again later, or read it as JSON:",
  },
};

export const algorithms: Table<
  | "title"
  | "intro"
  | "law"
  | "loading"
  | "count"
  | "countOne"
  | "versionHead"
  | "contract"
  | "version"
  | "rule"
  | "purpose"
  | "data"
  | "decision"
  | "role"
  | "severity"
  | "domain"
  | "kind"
  | "source"
  | "parameters"
  | "parameter"
  | "value"
  | "meaning"
  | "noParameters"
  | "history"
  | "validFrom"
  | "validTo"
  | "withdrawn"
  | "current"
> = {
  fr: {
    title: "Registre des algorithmes",
    intro:
      "Les règles ci-dessous examinent les mesures des équipements publics connectés et lèvent des alertes. Aucune ne prend de décision : chaque alerte est examinée par une personne, qui décide de la suite.",
    law: "Publié au titre de l'article L312-1-3 du code des relations entre le public et l'administration.",
    loading: "Chargement du registre…",
    count: "{n} règles publiées.",
    countOne: "Une règle publiée.",
    versionHead: "Version",
    contract: "Contrat de données",
    version: "version",
    rule: "Identifiant",
    purpose: "Objet",
    data: "Données utilisées",
    decision: "Comment elle décide",
    role: "Rôle",
    severity: "Gravité",
    domain: "Domaine",
    kind: "Type de règle",
    source: "Code source",
    parameters: "Paramètres et seuils",
    parameter: "Paramètre",
    value: "Valeur",
    meaning: "Signification",
    noParameters: "Aucun paramètre.",
    history: "Historique des versions",
    validFrom: "Applicable à partir du",
    validTo: "Jusqu'au",
    withdrawn: "Retirée de la version en vigueur du contrat.",
    current: "Version en vigueur : {v}",
  },
  en: {
    title: "Register of algorithms",
    intro:
      "The rules below examine the readings of the connected public infrastructure and raise alerts. None of them takes a decision: a person examines each alert and decides what follows.",
    law: "Published under article L312-1-3 of the French code of relations between the public and the administration.",
    loading: "Loading the register…",
    count: "{n} rules published.",
    countOne: "One rule published.",
    versionHead: "Version",
    contract: "Data contract",
    version: "version",
    rule: "Identifier",
    purpose: "Purpose",
    data: "Data used",
    decision: "How it decides",
    role: "Role",
    severity: "Severity",
    domain: "Domain",
    kind: "Rule kind",
    source: "Source code",
    parameters: "Parameters and thresholds",
    parameter: "Parameter",
    value: "Value",
    meaning: "Meaning",
    noParameters: "No parameters.",
    history: "Version history",
    validFrom: "Applies from",
    validTo: "Until",
    withdrawn: "Withdrawn from the contract version in force.",
    current: "Version in force: {v}",
  },
};

/** Names of known values; anything else is shown as it is. */
export const labels: Record<Lang, Record<string, string>> = {
  fr: {
    info: "information",
    minor: "mineure",
    major: "majeure",
    critical: "critique",
    streetlight: "éclairage public",
    water_pressure: "pression du réseau d'eau",
    waste_container: "conteneurs à déchets",
  },
  en: {
    info: "information",
    minor: "minor",
    major: "major",
    critical: "critical",
    streetlight: "street lighting",
    water_pressure: "water network pressure",
    waste_container: "waste containers",
  },
};

export function label(lang: Lang, value: string): string {
  return labels[lang][value] ?? value;
}

/** `{name}` placeholders filled with text (the result still goes in as text). */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}
