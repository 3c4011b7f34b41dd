import { ApiError, getJson, send } from "./api.ts";
import { el, replaceChildren } from "./dom.ts";
import { common, fill, type Lang } from "./i18n/common.ts";

/** Who is logged in (`GET /api/v1/me`). */
export interface Me {
  id: string;
  role: "admin" | "technician" | "operator";
  operator: string | null;
}

/** The sections of the main navigation, in their order. */
export type Section =
  | "map"
  | "alerts"
  | "devices"
  | "lighting"
  | "water"
  | "waste"
  | "overview"
  | "compliance"
  | "sobriety"
  | "algorithms";

type CommonKey = keyof (typeof common)["fr"];

/**
 * Each section's French path (the English page answers there too with `?lang=en`, and at its own
 * English path when it has one) and its words in the common table.
 */
const SECTIONS: ReadonlyArray<{ section: Section; path: string; word: CommonKey }> = [
  { section: "overview", path: "/", word: "navOverview" },
  { section: "map", path: "/carte", word: "navMap" },
  { section: "alerts", path: "/alertes", word: "navAlerts" },
  { section: "devices", path: "/equipements", word: "navDevices" },
  { section: "lighting", path: "/eclairage", word: "navLighting" },
  { section: "water", path: "/eau", word: "navWater" },
  { section: "waste", path: "/dechets", word: "navWaste" },
  { section: "compliance", path: "/conformite", word: "navCompliance" },
  { section: "sobriety", path: "/sobriete", word: "navSobriety" },
  { section: "algorithms", path: "/algorithmes", word: "navAlgorithms" },
];

const ROLE_WORD: Record<Me["role"], CommonKey> = {
  admin: "roleAdmin",
  technician: "roleTechnician",
  operator: "roleOperator",
};

/** A path of this site in the given language (French paths carry `?lang=en` in English). */
export function localPath(path: string, lang: Lang): string {
  return lang === "en" ? `${path}?lang=en` : path;
}

/** To the login page, which brings the person back here afterwards. */
export function redirectToLogin(lang: Lang): never {
  const here = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`${lang === "en" ? "/login" : "/connexion"}?next=${encodeURIComponent(here)}`);
  throw new Error("redirecting to the login page");
}

/** Runs an API call; a 401 (no session, or one that has ended) goes to the login page. */
export async function orLogin<T>(lang: Lang, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) redirectToLogin(lang);
    throw err;
  }
}

/**
 * The header of every page behind the login, drawn into `<header id="shell">`: the site's name,
 * the main navigation (the current section marked `aria-current="page"`), who is logged in with
 * the role, the logout button and the language switch. Everything is built with DOM calls and
 * text nodes. Without a session it goes to the login page. Answers who is logged in.
 */
export async function mountShell(options: { active: Section; lang: Lang }): Promise<Me> {
  const { active, lang } = options;
  const me = await orLogin(lang, () => getJson<Me>("/api/v1/me"));
  const header = document.getElementById("shell");
  if (header) replaceChildren(header, shellContent(me, active, lang));
  return me;
}

function shellContent(me: Me, active: Section, lang: Lang): HTMLElement {
  const t = common[lang];
  return el(
    "div",
    { class: "wrap shell" },
    el("p", { class: "site-name" }, t.siteName),
    el("nav", { class: "main-nav", "aria-label": t.mainNav }, navList(active, lang)),
    userBox(me, lang),
    languageSwitch(lang),
  );
}

function navList(active: Section, lang: Lang): HTMLElement {
  const list = el("ul", {});
  for (const { section, path, word } of SECTIONS) {
    const attributes: Record<string, string> = { href: localPath(path, lang) };
    if (section === active) attributes["aria-current"] = "page";
    list.appendChild(el("li", {}, el("a", attributes, common[lang][word])));
  }
  return list;
}

function userBox(me: Me, lang: Lang): HTMLElement {
  const t = common[lang];
  const logout = el("button", { type: "button", class: "button-quiet", "data-action": "logout" }, t.logout);
  logout.addEventListener("click", () => void logOut(lang));
  return el(
    "div",
    { class: "user-box" },
    el("p", { class: "user" }, fill(t.user, { id: me.id, role: t[ROLE_WORD[me.role]] })),
    logout,
  );
}

async function logOut(lang: Lang): Promise<void> {
  try {
    await send("DELETE", "/api/v1/session");
  } finally {
    window.location.assign(localPath("/connexion", lang));
  }
}

function languageSwitch(lang: Lang): HTMLElement {
  const here = window.location.pathname;
  const link = (code: Lang, name: string) => {
    const attributes: Record<string, string> = { href: `${here}?lang=${code}`, hreflang: code, lang: code };
    if (code === lang) attributes["aria-current"] = "true";
    return el("li", {}, el("a", attributes, name));
  };
  return el(
    "nav",
    { "aria-label": common[lang].languages },
    el("ul", { class: "lang-switch" }, link("fr", "Français"), link("en", "English")),
  );
}
