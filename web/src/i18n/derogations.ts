import type { Table } from "./common.ts";

/** The public register of exemptions (`/donnees/derogations`, `/data/exemptions`). */
export const derogations: Table<
  | "title"
  | "intro"
  | "backToCatalogue"
  | "loading"
  | "loadFailed"
  | "none"
  | "count"
  | "caption"
  | "colContract"
  | "colOperator"
  | "colObligation"
  | "colFields"
  | "colDecision"
  | "colPeriod"
  | "colReason"
  | "colState"
  | "allOperators"
  | "allFields"
  | "open"
  | "inForce"
  | "ended"
  | "notYet"
  | "revoked"
  | "decidedOn"
  | "delivery"
  | "format"
  | "latency"
  | "completeness"
> = {
  fr: {
    title: "Dérogations aux clauses de données",
    intro:
      "Un opérateur ne peut être dispensé d'une obligation de son contrat de données (livrer ses relevés, à la fréquence et dans le format fixés) que par une décision publique et motivée de la collectivité. Chacune est publiée ici, avec sa date, sa durée et son motif ; une dérogation en vigueur excuse le manquement qu'elle vise dans les tableaux de conformité.",
    backToCatalogue: "Retour au catalogue des données ouvertes",
    loading: "Chargement du registre…",
    loadFailed: "Le registre n'a pas pu être chargé. Il est aussi publié en JSON :",
    none: "Aucune dérogation n'a été accordée.",
    count: "{n} dérogation(s) enregistrée(s).",
    caption: "Registre des dérogations, de la plus récente à la plus ancienne",
    colContract: "Contrat",
    colOperator: "Opérateur",
    colObligation: "Obligation",
    colFields: "Champs",
    colDecision: "Décision",
    colPeriod: "Période",
    colReason: "Motif",
    colState: "État",
    allOperators: "tous les opérateurs du contrat",
    allFields: "tous",
    open: "sans date de fin",
    inForce: "en vigueur",
    ended: "terminée",
    notYet: "à venir",
    revoked: "retirée le {date} : {reason}",
    decidedOn: "du {date}",
    delivery: "livraison des relevés",
    format: "format des données",
    latency: "délai de livraison",
    completeness: "complétude",
  },
  en: {
    title: "Exemptions from the data clauses",
    intro:
      "An operator can be exempted from an obligation of its data contract (delivering its readings, at the frequency and in the format set) only by a public, reasoned decision of the collectivity. Each one is published here, with its date, its period and its reason; an exemption in force excuses the breach it concerns in the compliance scorecards.",
    backToCatalogue: "Back to the open data catalogue",
    loading: "Loading the register…",
    loadFailed: "The register could not be loaded. It is also published as JSON:",
    none: "No exemption has been granted.",
    count: "{n} exemption(s) registered.",
    caption: "Register of exemptions, newest first",
    colContract: "Contract",
    colOperator: "Operator",
    colObligation: "Obligation",
    colFields: "Fields",
    colDecision: "Decision",
    colPeriod: "Period",
    colReason: "Reason",
    colState: "State",
    allOperators: "every operator of the contract",
    allFields: "all",
    open: "no end date",
    inForce: "in force",
    ended: "ended",
    notYet: "to come",
    revoked: "revoked on {date}: {reason}",
    decidedOn: "of {date}",
    delivery: "delivery of the readings",
    format: "data format",
    latency: "delivery delay",
    completeness: "completeness",
  },
};
