import { ApiError } from "../api.ts";
import { el } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { kindOf, report as words } from "../i18n/reports.ts";
import { showInstant } from "../opendata/format.ts";
import type { Category, Receipt, ReportAsset } from "./types.ts";

/**
 * The parts of the report form that come from data: the asset's facts, its categories as radio
 * buttons, the receipt, and the words of each failure. Built with DOM calls only; element ids are
 * made from positions, never from data.
 */

/** The asset's number, kind and commune, as a definition list. */
export function assetFacts(a: ReportAsset, lang: Lang): HTMLElement[] {
  const t = words[lang];
  const pair = (term: string, value: string) => [el("dt", {}, term), el("dd", {}, value)];
  return [
    ...pair(t.factAsset, a.asset),
    ...pair(t.factKind, kindOf(a.domain, lang)),
    ...pair(t.factCommune, fill(t.communeValue, { name: a.commune_name, code: a.commune })),
  ];
}

/** One radio button per category, in the reader's language. */
export function categoryChoices(categories: readonly Category[], lang: Lang): HTMLElement[] {
  return categories.map((c, i) => {
    const input = el("input", { type: "radio", id: `category-${i}`, name: "category" });
    input.value = c.id;
    return el(
      "div",
      { class: "choice" },
      input,
      el("label", { for: `category-${i}` }, lang === "en" ? c.titleEn : c.title),
    );
  });
}

/**
 * A case opened by this report is as old as the answer; one that was already open is older.
 * `merged` says only that the report joined a sensors' alert: a resident's case opened earlier
 * answers `merged: false` with its own date, so the date decides, against the server's clock.
 */
const JOINED_AFTER_MS = 5_000;

export function joinedExisting(receipt: Receipt, serverTime: number | null): boolean {
  if (receipt.merged) return true;
  const since = Date.parse(receipt.since);
  return serverTime !== null && !Number.isNaN(since) && serverTime - since > JOINED_AFTER_MS;
}

/** The receipt's sentences: its reference, and whether it joined a case already open. */
export function receiptText(receipt: Receipt, joined: boolean, lang: Lang): HTMLElement[] {
  const t = words[lang];
  const lines = [
    el("p", { class: "rp-reference" }, fill(t.resultReference, { reference: receipt.reference })),
    el("p", {}, joined ? fill(t.resultJoined, { since: showInstant(receipt.since, lang) }) : t.resultNew),
  ];
  if (receipt.status === "acknowledged") lines.push(el("p", {}, t.resultInHand));
  return lines;
}

/** What to say when looking an asset up failed. */
export function lookupError(error: unknown, lang: Lang): string {
  const t = words[lang];
  if (error instanceof ApiError) {
    if (error.status === 404) return t.errorUnknown;
    if (error.status === 400) return t.errorFormat;
    if (error.status === 429) return throttled(error, lang);
    return t.errorServer;
  }
  return t.errorNetwork;
}

/** What to say when sending the report failed. */
export function sendError(error: unknown, lang: Lang): string {
  const t = words[lang];
  if (error instanceof ApiError) {
    if (error.status === 404) return t.errorUnknown;
    if (error.status === 400) return t.errorCategoryRefused;
    if (error.status === 429) return throttled(error, lang);
    return t.errorServer;
  }
  return t.errorNetwork;
}

function throttled(error: ApiError, lang: Lang): string {
  const t = words[lang];
  const seconds = error.retryAfter;
  if (seconds === undefined || seconds >= 3600) return t.errorThrottled;
  return fill(t.errorThrottledMinutes, { minutes: Math.max(1, Math.ceil(seconds / 60)) });
}
