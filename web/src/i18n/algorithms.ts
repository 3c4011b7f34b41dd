import type { Table } from "./common.ts";

/** The algorithm register's words (`/algorithmes`). */
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
