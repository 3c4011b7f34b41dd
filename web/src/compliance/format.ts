import type { Lang } from "../i18n/common.ts";

/**
 * The compliance pages' numbers and months, written as each language writes them
 * (Intl.NumberFormat: "94,1 %" in French, "94.1%" in English).
 */

const LOCALE: Record<Lang, string> = { fr: "fr-FR", en: "en-GB" };
export const MISSING = "—";

/** A share of 1 as a percentage, one decimal at most. */
export function pct(lang: Lang, ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return MISSING;
  return new Intl.NumberFormat(LOCALE[lang], { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

/** A difference of two shares in percentage points, one decimal at most, without its sign. */
export function points(lang: Lang, delta: number): string {
  return new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1 }).format(Math.abs(delta) * 100);
}

export function integer(lang: Lang, n: number): string {
  return new Intl.NumberFormat(LOCALE[lang]).format(n);
}

/** "novembre 2026" from "2026-11" (UTC). */
export function monthName(lang: Lang, month: string): string {
  const ms = Date.parse(`${month}-01T00:00:00Z`);
  if (Number.isNaN(ms)) return month;
  return new Intl.DateTimeFormat(LOCALE[lang], { month: "long", year: "numeric", timeZone: "UTC" }).format(
    ms,
  );
}

/** A period's label ("2026", "2026-11", "2026-11-03") in words. */
export function periodName(lang: Lang, label: string): string {
  if (/^\d{4}-\d{2}$/.test(label)) return monthName(lang, label);
  if (/^\d{4}-\d{2}-\d{2}$/.test(label)) {
    const ms = Date.parse(`${label}T00:00:00Z`);
    return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: "long", timeZone: "UTC" }).format(ms);
  }
  return label;
}

/** A date (ISO 8601) as a day in words. */
export function dayName(lang: Lang, iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: "long", timeZone: "Europe/Paris" }).format(ms);
}

/** The last complete month before `now`, "YYYY-MM" (UTC). */
export function previousMonth(now: number = Date.now()): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/** The month before a "YYYY-MM". */
export function monthBefore(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 2, 1)).toISOString().slice(0, 7);
}

/** A query string from the values that are set. */
export function query(values: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}
