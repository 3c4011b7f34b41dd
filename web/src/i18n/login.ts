import type { Table } from "./common.ts";

/** The login page's words (`/connexion`, `/login`). */
export const login: Table<
  | "title"
  | "intro"
  | "kind"
  | "kindStaff"
  | "kindOperator"
  | "identifier"
  | "identifierHint"
  | "secret"
  | "submit"
  | "pending"
  | "invalid"
  | "throttled"
  | "failed"
  | "missing"
> = {
  fr: {
    title: "Connexion",
    intro: "Accès réservé aux agents de la collectivité et aux exploitants des équipements.",
    kind: "Type de compte",
    kindStaff: "Agent de la collectivité (identifiant et jeton)",
    kindOperator: "Exploitant (nom d'utilisateur et secret)",
    identifier: "Identifiant",
    identifierHint: "Agent : votre identifiant. Exploitant : votre nom d'utilisateur.",
    secret: "Secret",
    submit: "Se connecter",
    pending: "Connexion en cours…",
    invalid: "Identifiant ou secret incorrect.",
    throttled: "Trop de tentatives échouées. Réessayez dans {n} secondes.",
    failed: "La connexion a échoué. Réessayez dans un moment.",
    missing: "Saisissez votre identifiant et votre secret.",
  },
  en: {
    title: "Log in",
    intro: "For the authority's staff and the operators of the equipment.",
    kind: "Account type",
    kindStaff: "Authority staff (identifier and token)",
    kindOperator: "Operator (user name and secret)",
    identifier: "Identifier",
    identifierHint: "Staff: your identifier. Operator: your user name.",
    secret: "Secret",
    submit: "Log in",
    pending: "Logging in…",
    invalid: "Wrong identifier or secret.",
    throttled: "Too many failed attempts. Try again in {n} seconds.",
    failed: "Logging in failed. Try again in a moment.",
    missing: "Enter your identifier and your secret.",
  },
};
