import type { Lang } from "../i18n/common.ts";

/**
 * Numbers and dates as each language writes them (`1 234,5` in French, `1,234.5` in English).
 * A missing value is a dash, said as such to screen readers by the tables' headers.
 */

const LOCALE: Record<Lang, string> = { fr: "fr-FR", en: "en-GB" };
export const MISSING = "—";

export function number(lang: Lang, value: number | null, digits = 1): string {
  if (value === null || !Number.isFinite(value)) return MISSING;
  return new Intl.NumberFormat(LOCALE[lang], {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

export function euros(lang: Lang, value: number): string {
  return new Intl.NumberFormat(LOCALE[lang], { style: "currency", currency: "EUR" }).format(value);
}

export function percent(lang: Lang, ratio: number | null, digits = 0): string {
  if (ratio === null || !Number.isFinite(ratio)) return MISSING;
  return new Intl.NumberFormat(LOCALE[lang], {
    style: "percent",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(ratio);
}

/** A date and time in Paris, where the territory is. */
export function dateTime(lang: Lang, iso: string | null): string {
  if (iso === null) return MISSING;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Intl.DateTimeFormat(LOCALE[lang], {
    timeZone: "Europe/Paris",
    dateStyle: "medium",
    timeStyle: "short",
  }).format(ms);
}

/** A day (`YYYY-MM-DD`) as the language writes it. */
export function day(lang: Lang, date: string): string {
  const ms = Date.parse(`${date}T12:00:00Z`);
  if (Number.isNaN(ms)) return date;
  return new Intl.DateTimeFormat(LOCALE[lang], { timeZone: "UTC", dateStyle: "medium" }).format(ms);
}
