import { common, type Lang } from "./i18n/common.ts";

/**
 * What every page does first: the document's language, the common texts (`data-i18n="key"` takes
 * its text from the page's table or the common one), and the language switch's current link.
 * The server already set `<html lang>`; this keeps it right if the page is opened another way.
 */
export function setUpPage(lang: Lang, table: Record<string, string>): void {
  document.documentElement.lang = lang;
  const words: Record<string, string> = { ...common[lang], ...table };
  for (const node of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const text = words[node.dataset.i18n ?? ""];
    if (text !== undefined) node.textContent = text;
  }
  for (const node of document.querySelectorAll<HTMLElement>("[data-i18n-label]")) {
    const text = words[node.dataset.i18nLabel ?? ""];
    if (text !== undefined) node.setAttribute("aria-label", text);
  }
  for (const link of document.querySelectorAll<HTMLAnchorElement>(".lang-switch a[hreflang]")) {
    if (link.hreflang === lang) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
  // Links to another page (the footer's) keep the reader's language.
  for (const link of document.querySelectorAll<HTMLAnchorElement>("a[data-local-path]")) {
    const path = link.dataset.localPath ?? "/";
    link.setAttribute("href", lang === "en" ? `${path}?lang=en` : path);
  }
  const title = table.title;
  if (title !== undefined) document.title = `${title} — Lanterne`;
}
