import { el } from "../dom.ts";
import { type Lang, label } from "../i18n/common.ts";
import type { MapAlert } from "./data.ts";
import type { MapFilters } from "./filters.ts";

/** The alerts that go with the map's filters (domain, commune, operator; not the state). */
export function alertMatches(alert: MapAlert, f: MapFilters): boolean {
  return (
    (f.domain === "" || alert.domain === f.domain) &&
    (f.commune === "" || alert.commune === f.commune) &&
    (f.operator === "" || alert.operator === f.operator)
  );
}

/** One alert as a list item: severity, subject, detail and when it opened, all as text. */
export function alertItem(alert: MapAlert, lang: Lang): HTMLElement {
  const date = new Intl.DateTimeFormat(lang === "fr" ? "fr-FR" : "en-GB", {
    dateStyle: "short",
    timeStyle: "short",
  });
  return el(
    "li",
    { "data-alert-id": String(alert.id), class: `map-alert severity-${alert.severity}` },
    el("span", { class: "map-alert-severity" }, label(lang, alert.severity)),
    " ",
    el("span", { class: "subject" }, alert.subject),
    " — ",
    el("span", {}, alert.detail),
    " ",
    el("time", { datetime: alert.openedAt, class: "quiet" }, `(${date.format(new Date(alert.openedAt))})`),
  );
}
