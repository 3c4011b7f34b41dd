/**
 * The words every page shares (the shell's header, the language switch), and the helpers of the
 * per-page tables (`web/src/i18n/<page>.ts`). French first; a missing English string is a type
 * error, not a blank on the page.
 */

export type Lang = "fr" | "en";

/** `?lang=en` wins; otherwise the page's English path; otherwise French. */
export function pageLang(location: { pathname: string; search: string }, englishPaths: string[]): Lang {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "fr" || asked === "en") return asked;
  return englishPaths.includes(location.pathname) ? "en" : "fr";
}

/** A page's words: the same keys in each language (a missing one is a type error). */
export type Table<K extends string> = Record<Lang, Record<K, string>>;

export const common: Table<
  | "skip"
  | "languages"
  | "siteName"
  | "apiLink"
  | "loadFailed"
  | "mainNav"
  | "navMap"
  | "navAlerts"
  | "navDevices"
  | "navLighting"
  | "navWater"
  | "navWaste"
  | "navCompliance"
  | "navSobriety"
  | "navOverview"
  | "navAlgorithms"
  | "navOpenData"
  | "navLive"
  | "navReport"
  | "navOutages"
  | "footerNav"
  | "user"
  | "logout"
  | "roleAdmin"
  | "roleTechnician"
  | "roleOperator"
  | "networkError"
> = {
  fr: {
    skip: "Aller au contenu",
    languages: "Langue",
    siteName: "Lanterne — données des équipements publics connectés",
    apiLink: "Les mêmes données en JSON",
    loadFailed: "Le registre n'a pas pu être chargé. Réessayez plus tard, ou consultez-le en JSON :",
    mainNav: "Navigation principale",
    navMap: "Carte",
    navAlerts: "Alertes",
    navDevices: "Équipements",
    navLighting: "Éclairage",
    navWater: "Eau",
    navWaste: "Déchets",
    navCompliance: "Conformité",
    navSobriety: "Sobriété et RGPD",
    navOverview: "Vue d'ensemble",
    navAlgorithms: "Registre des algorithmes",
    navOpenData: "Données ouvertes",
    navLive: "Le territoire en direct",
    navReport: "Signaler une panne",
    navOutages: "Pannes en cours",
    footerNav: "Pages publiques",
    user: "Connecté : {id} ({role})",
    logout: "Se déconnecter",
    roleAdmin: "administrateur",
    roleTechnician: "technicien",
    roleOperator: "exploitant",
    networkError: "Le serveur ne répond pas. Réessayez dans un moment.",
  },
  en: {
    skip: "Skip to content",
    languages: "Language",
    siteName: "Lanterne — data of the connected public infrastructure",
    apiLink: "The same data as JSON",
    loadFailed: "The register could not be loaded. Try again later, or read it as JSON:",
    mainNav: "Main navigation",
    navMap: "Map",
    navAlerts: "Alerts",
    navDevices: "Devices",
    navLighting: "Lighting",
    navWater: "Water",
    navWaste: "Waste",
    navCompliance: "Compliance",
    navSobriety: "Sobriety and GDPR",
    navOverview: "Overview",
    navAlgorithms: "Register of algorithms",
    navOpenData: "Open data",
    navLive: "The territory live",
    navReport: "Report a fault",
    navOutages: "Current outages",
    footerNav: "Public pages",
    user: "Logged in: {id} ({role})",
    logout: "Log out",
    roleAdmin: "administrator",
    roleTechnician: "technician",
    roleOperator: "operator",
    networkError: "The server does not answer. Try again in a moment.",
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
    open: "ouverte",
    acknowledged: "acquittée",
    closed: "close",
  },
  en: {
    info: "information",
    minor: "minor",
    major: "major",
    critical: "critical",
    streetlight: "street lighting",
    water_pressure: "water network pressure",
    waste_container: "waste containers",
    open: "open",
    acknowledged: "acknowledged",
    closed: "closed",
  },
};

export function label(lang: Lang, value: string): string {
  return labels[lang][value] ?? value;
}

/** `{name}` placeholders filled with text (the result still goes in as text). */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}
