import { fill, type Lang } from "../i18n/common.ts";
import { dataset as words } from "../i18n/opendata.ts";
import { type FigureRecord, isSuppressed } from "./types.ts";

/**
 * How the open-data pages write values, periods and statuses. Periods are the API's UTC buckets
 * ("the day (UTC)" of the contracts), so they are written in UTC, never shifted to the reader's
 * time zone: the 2nd of December stays the 2nd wherever it is read.
 */

const locale = (lang: Lang): string => (lang === "fr" ? "fr-FR" : "en-GB");

/** A figure with at most three decimals, and its unit when it has one ("1" is a count). */
export function showNumber(value: number, unit: string, lang: Lang): string {
  const text = new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 3 }).format(value);
  return unit === "" || unit === "1" ? text : `${text} ${unit}`;
}

/** A record's value, or the words of its secrecy. */
export function showValue(record: Pick<FigureRecord, "value" | "status">, unit: string, lang: Lang): string {
  if (record.value === null || isSuppressed(record.status)) return words[lang].secret;
  return showNumber(record.value, unit, lang);
}

export function showStatus(status: string, lang: Lang): string {
  const t = words[lang];
  if (status === "published") return t.statusPublished;
  if (status === "suppressed-primary") return t.statusPrimary;
  if (status === "suppressed-secondary") return t.statusSecondary;
  return status;
}

export function showReason(reason: string, lang: Lang): string {
  const t = words[lang];
  if (reason === "first publication") return t.reasonFirst;
  if (reason === "late data") return t.reasonLate;
  return reason;
}

/** A period's start as its granularity reads: an hour, a day, or a month (UTC). */
export function showPeriod(iso: string | null, granularity: string, lang: Lang): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions =
    granularity === "hour"
      ? { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }
      : granularity === "month"
        ? { month: "long", year: "numeric", timeZone: "UTC" }
        : { dateStyle: "medium", timeZone: "UTC" };
  const text = date.toLocaleString(locale(lang), options);
  return granularity === "hour" ? `${text} UTC` : text;
}

/** An instant (an update, a publication) in the reader's time zone. */
export function showInstant(iso: string | null, lang: Lang): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(locale(lang), { dateStyle: "medium", timeStyle: "short" });
}

/** The span the published figures cover, or that none are. */
export function showCoverage(
  d: { first_period: string | null; last_period: string | null; granularity: string },
  lang: Lang,
): string {
  const t = words[lang];
  if (d.first_period === null || d.last_period === null) return t.noFigures;
  return fill(t.periodRange, {
    from: showPeriod(d.first_period, d.granularity, lang),
    to: showPeriod(d.last_period, d.granularity, lang),
  });
}

export function showInteger(n: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang)).format(n);
}

/** An address from data used as a link: http(s) only, never `javascript:` or the like. */
export function safeHref(url: string | undefined, fallback: string): string {
  if (url === undefined) return fallback;
  try {
    const parsed = new URL(url, window.location.origin);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : fallback;
  } catch {
    return fallback;
  }
}

/** `/donnees/<id>` in French, `/data/<id>` in English. */
export function datasetPath(id: string, lang: Lang): string {
  return `${lang === "en" ? "/data" : "/donnees"}/${encodeURIComponent(id)}`;
}

export function cataloguePath(lang: Lang): string {
  return lang === "en" ? "/data" : "/donnees";
}

/** `/donnees/reutilisations` in French, `/data/reuses` in English. */
export function reusesPath(lang: Lang): string {
  return lang === "en" ? "/data/reuses" : "/donnees/reutilisations";
}
