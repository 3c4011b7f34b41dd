import { el } from "../dom.ts";
import { fill, type Lang, label } from "../i18n/common.ts";
import { map as words } from "../i18n/map.ts";
import { localPath } from "../shell.ts";
import { SIGN } from "./symbols.ts";
import type { MapDevice } from "./types.ts";

/** Rows at most: past this the table says how many it leaves out. */
export const TABLE_LIMIT = 500;

/**
 * The map's text alternative: the same filtered devices as a table (id linking to the device's
 * page, domain, commune, operator, state with its sign, last reading), the first 500 at most.
 */
export function deviceTable(
  devices: readonly MapDevice[],
  communeName: (code: string) => string,
  lang: Lang,
): HTMLElement[] {
  const t = words[lang];
  const date = new Intl.DateTimeFormat(lang === "fr" ? "fr-FR" : "en-GB", {
    dateStyle: "short",
    timeStyle: "medium",
  });
  const shown = [...devices].sort((a, b) => a.id.localeCompare(b.id)).slice(0, TABLE_LIMIT);
  const head = el(
    "tr",
    {},
    ...[t.colId, t.colDomain, t.colCommune, t.colOperator, t.colCondition, t.colReading].map((h) =>
      el("th", { scope: "col" }, h),
    ),
  );
  const rows = shown.map((d) =>
    el(
      "tr",
      { "data-device-id": d.id, "data-condition": d.condition },
      el(
        "th",
        { scope: "row" },
        el("a", { href: localPath(`/equipements/${encodeURIComponent(d.id)}`, lang) }, d.id),
      ),
      el("td", {}, label(lang, d.domain)),
      el("td", {}, communeName(d.commune)),
      el("td", {}, d.operator ?? t.noOperator),
      el(
        "td",
        {},
        el("span", { class: `map-sign-inline map-${d.condition}`, "aria-hidden": "true" }, SIGN[d.condition]),
        ` ${t[d.condition]}`,
      ),
      el("td", {}, d.readingTime ? date.format(new Date(d.readingTime)) : t.noReading),
    ),
  );
  const table = el(
    "table",
    { class: "map-table" },
    el("caption", {}, t.tableCaption),
    el("thead", {}, head),
    el("tbody", {}, ...rows),
  );
  const parts: HTMLElement[] = [el("div", { class: "table-scroll" }, table)];
  if (devices.length > TABLE_LIMIT) {
    parts.unshift(
      el("p", { class: "notice" }, fill(t.tableLimit, { limit: TABLE_LIMIT, n: devices.length })),
    );
  }
  return parts;
}
