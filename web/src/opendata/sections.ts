import { el } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { code, dataset as words } from "../i18n/opendata.ts";
import { FORMAT_NAMES, fact, licenceLink } from "./catalogue-view.ts";
import { showCoverage, showInstant, showInteger, showPeriod, showReason, showValue } from "./format.ts";
import { type Changelog, type Dataset, FORMATS, type Format, OPEN } from "./types.ts";

/**
 * The dataset page's sections built from its metadata: the facts, the history of its
 * definition, the downloads with their counts, and the changelog. Every value goes in as text.
 */

export function metadata(d: Dataset, lang: Lang): HTMLElement[] {
  const t = words[lang];
  const unit = d.unit === "" ? t.noUnit : d.unit === "1" ? t.noUnit : d.unit;
  return [
    el("p", { class: "lead od-description" }, d.description),
    el(
      "dl",
      { class: "facts" },
      ...fact(t.licence, licenceLink(d, lang)),
      ...fact(t.frequency, code(lang, d.frequency)),
      ...fact(t.granularity, code(lang, d.granularity)),
      ...fact(t.level, code(lang, d.level)),
      ...fact(t.unit, unit),
      ...fact(t.threshold, fill(t.thresholdValue, { n: d.min_devices })),
      ...fact(t.contract, fill(t.contractValue, { id: d.contract.id, version: d.contract.version })),
      ...fact(t.period, showCoverage(d, lang)),
      ...fact(t.lastUpdate, showInstant(d.modified, lang)),
      ...fact(t.figures, showInteger(d.figures, lang)),
      ...fact(t.revisions, showInteger(d.revisions, lang)),
      ...(d.keywords.length > 0 ? fact(t.keywords, d.keywords.join(", ")) : []),
    ),
    el("h3", {}, t.history),
    el(
      "div",
      { class: "table-scroll" },
      el(
        "table",
        {},
        el("caption", { class: "visually-hidden" }, t.history),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ...[t.contract, t.colVersion, t.validFrom, t.definition].map((h) =>
              el("th", { scope: "col" }, h),
            ),
          ),
        ),
        el(
          "tbody",
          {},
          ...d.definition_history.map((h) =>
            el(
              "tr",
              {},
              el("td", {}, h.contract),
              el("td", {}, h.version),
              el("td", {}, showPeriod(h.validFrom, "day", lang)),
              el("td", {}, el("code", {}, h.definition)),
            ),
          ),
        ),
      ),
    ),
  ];
}

const MEDIA: Record<Format, string> = {
  csv: "text/csv",
  json: "application/json",
  geojson: "application/geo+json",
  parquet: "application/vnd.apache.parquet",
};

export function downloads(d: Dataset, lang: Lang): HTMLElement[] {
  const t = words[lang];
  const count = (n: number | undefined) =>
    !n
      ? t.downloadCountNone
      : n === 1
        ? t.downloadCountOne
        : fill(t.downloadCount, { n: showInteger(n, lang) });
  return [
    el(
      "ul",
      { class: "od-download-list" },
      ...FORMATS.map((format) =>
        el(
          "li",
          { "data-format": format },
          el(
            "a",
            { href: OPEN.download(d.id, format), type: MEDIA[format], download: "", "data-format": format },
            `${t.download} ${FORMAT_NAMES[format]}`,
          ),
          " ",
          el(
            "span",
            { class: "quiet", "data-count": String(d.downloads?.[format] ?? 0) },
            `(${count(d.downloads?.[format])})`,
          ),
        ),
      ),
    ),
    el(
      "ul",
      {},
      el("li", {}, el("a", { href: OPEN.schema(d.id), type: "application/json" }, t.schema)),
      el(
        "li",
        {},
        el("a", { href: OPEN.records(d.id, new URLSearchParams({ limit: "100" })) }, t.recordsApi),
      ),
    ),
  ];
}

export function changelog(
  log: Changelog,
  names: ReadonlyMap<string, string>,
  d: Dataset,
  lang: Lang,
): HTMLElement {
  const t = words[lang];
  if (log.versions.length === 0) return el("p", {}, t.changelogNone);
  const place = (c: string) => {
    const name = names.get(c);
    return name === undefined ? c : `${name} (${c})`;
  };
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { class: "od-table" },
      el("caption", {}, t.changelogCaption),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...[
            t.colPublished,
            t.colPeriod,
            t.colPlace,
            t.colVersion,
            t.colValue,
            t.colPrevious,
            t.colReason,
          ].map((h) => el("th", { scope: "col" }, h)),
        ),
      ),
      el(
        "tbody",
        {},
        ...log.versions.map((v) =>
          el(
            "tr",
            {},
            el("th", { scope: "row" }, showInstant(v.published_at, lang)),
            el("td", {}, showPeriod(v.period_start, d.granularity, lang)),
            el("td", {}, place(v.place_code)),
            el("td", { class: "od-number" }, String(v.version)),
            el("td", {}, showValue(v, d.unit, lang)),
            el("td", {}, v.previous ? showValue(v.previous, d.unit, lang) : "—"),
            el("td", {}, showReason(v.reason, lang)),
          ),
        ),
      ),
    ),
  );
}
