import { getJson, postOpen } from "../api.ts";
import { replaceChildren } from "../dom.ts";
import { pageLang } from "../i18n/common.ts";
import { report as words } from "../i18n/reports.ts";
import { setUpPage } from "../page.ts";
import {
  assetFacts,
  categoryChoices,
  joinedExisting,
  lookupError,
  receiptText,
  sendError,
} from "../reports/report-view.ts";
import { ASSET_ID, REPORTS, type Receipt, type ReportAsset, reportPath } from "../reports/types.ts";

/**
 * The residents' report form (`/signaler`, `/report` in English): the number on an asset's
 * sticker (or `?asset=` from a QR code), the asset it names, the problem among its contract's
 * categories, and the receipt. Public: it reads and writes the open channel only. Every message
 * lands in one live region and takes the focus, so that a screen reader and a keyboard user
 * follow each step.
 */

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id}`);
  return node;
}

const lang = pageLang(window.location, ["/report"]);
const t = words[lang];

const assetForm = byId("asset-form", HTMLFormElement);
const assetInput = byId("asset", HTMLInputElement);
const message = byId("message", HTMLElement);
const found = byId("asset-found", HTMLElement);
const foundTitle = byId("found-title", HTMLElement);
const reportForm = byId("report-form", HTMLFormElement);
const choices = byId("category-choices", HTMLElement);
const result = byId("result", HTMLElement);

let current: ReportAsset | undefined;
let busy = false;

/** A message in the live region; an error also takes the focus and marks what it is about. */
function say(text: string, focus = false): void {
  message.textContent = text;
  message.classList.toggle("rp-error", focus && text !== "");
  if (focus) message.focus();
}

function markAssetInvalid(invalid: boolean): void {
  if (invalid) {
    assetInput.setAttribute("aria-invalid", "true");
    assetInput.setAttribute("aria-describedby", "asset-hint message");
  } else {
    assetInput.removeAttribute("aria-invalid");
    assetInput.setAttribute("aria-describedby", "asset-hint");
  }
}

/** The id as the API takes it; a sticker read in capitals is tried in lower case too. */
async function fetchAsset(typed: string): Promise<ReportAsset> {
  try {
    return await getJson<ReportAsset>(REPORTS.asset(typed));
  } catch (error) {
    const lower = typed.toLowerCase();
    if (lower === typed) throw error;
    return getJson<ReportAsset>(REPORTS.asset(lower));
  }
}

async function lookUp(focusAfter: boolean): Promise<void> {
  const typed = assetInput.value.trim();
  found.hidden = true;
  result.hidden = true;
  current = undefined;
  if (typed === "" || !ASSET_ID.test(typed)) {
    markAssetInvalid(true);
    say(typed === "" ? t.errorEmpty : t.errorFormat, true);
    return;
  }
  say(t.looking);
  try {
    current = await fetchAsset(typed);
  } catch (error) {
    markAssetInvalid(true);
    say(lookupError(error, lang), true);
    return;
  }
  markAssetInvalid(false);
  say("");
  showAsset(current);
  if (focusAfter) foundTitle.focus();
}

function showAsset(a: ReportAsset): void {
  replaceChildren(byId("asset-facts", HTMLElement), ...assetFacts(a, lang));
  replaceChildren(choices, ...categoryChoices(a.categories, lang));
  reportForm.hidden = false;
  found.hidden = false;
}

async function send(): Promise<void> {
  const asset = current;
  if (!asset || busy) return;
  const chosen = reportForm.querySelector<HTMLInputElement>('input[name="category"]:checked');
  if (!chosen) {
    say(t.errorCategory, true);
    return;
  }
  busy = true;
  say(t.sending);
  try {
    const { body, serverTime } = await postOpen<Receipt>(REPORTS.reports, {
      asset: asset.asset,
      category: chosen.value,
    });
    say("");
    showReceipt(body, joinedExisting(body, serverTime));
  } catch (error) {
    say(sendError(error, lang), true);
  } finally {
    busy = false;
  }
}

function showReceipt(receipt: Receipt, joined: boolean): void {
  replaceChildren(byId("result-text", HTMLElement), ...receiptText(receipt, joined, lang));
  reportForm.hidden = true;
  result.hidden = false;
  result.focus();
}

function main(): void {
  setUpPage(lang, t);
  byId("again-link", HTMLAnchorElement).setAttribute("href", reportPath(lang));
  assetForm.hidden = false;
  assetForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void lookUp(true);
  });
  reportForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void send();
  });
  const asked = new URLSearchParams(window.location.search).get("asset");
  if (asked !== null && asked.trim() !== "") {
    assetInput.value = asked.trim();
    // Opened from a QR code: the asset is looked up at once, the focus stays where the page put it.
    void lookUp(false);
  }
}

main();
