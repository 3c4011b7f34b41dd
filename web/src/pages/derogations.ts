import { getJson } from "../api.ts";
import { append, el, replaceChildren } from "../dom.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { derogations as words } from "../i18n/derogations.ts";
import { cataloguePath } from "../opendata/format.ts";
import { setUpPage } from "../page.ts";

/**
 * The public register of exemptions from the data clauses (`GET /api/v1/exemptions`, open to
 * everyone): each decision with its contract, operator, obligation, period, reason and state.
 * Every value is put in as text.
 */
interface Exemption {
  id: number;
  contractId: string;
  operatorId?: string;
  fields: string[];
  obligation: "delivery" | "format" | "latency" | "completeness";
  reason: string;
  decision: string;
  decidedAt: string;
  from: string;
  to?: string;
  revokedAt?: string;
  revokeReason?: string;
}

const API = "/api/v1/exemptions";

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/data/exemptions"]);
  const t = words[lang];
  setUpPage(lang, t);
  byId("back").setAttribute("href", cataloguePath(lang));
  const status = byId("status");
  status.textContent = t.loading;
  let list: Exemption[];
  try {
    list = (await getJson<{ exemptions: Exemption[] }>(API)).exemptions;
  } catch {
    replaceChildren(status);
    append(status, `${t.loadFailed} `, el("a", { href: API }, API));
    return;
  }
  list.sort((a, b) => b.id - a.id);
  status.textContent = fill(t.count, { n: list.length });
  replaceChildren(
    byId("register"),
    list.length === 0 ? el("p", { class: "quiet" }, t.none) : table(list, lang),
  );
}

function table(list: readonly Exemption[], lang: Lang): HTMLElement {
  const t = words[lang];
  const heads = [
    t.colContract,
    t.colOperator,
    t.colObligation,
    t.colFields,
    t.colDecision,
    t.colPeriod,
    t.colReason,
    t.colState,
  ];
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      {},
      el("caption", {}, t.caption),
      el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...list.map((e) => row(e, lang))),
    ),
  );
}

function row(e: Exemption, lang: Lang): HTMLElement {
  const t = words[lang];
  const day = (iso: string) =>
    new Date(iso).toLocaleDateString(lang === "fr" ? "fr-FR" : "en-GB", { timeZone: "UTC" });
  const period = `${day(e.from)} → ${e.to === undefined ? t.open : day(e.to)}`;
  return el(
    "tr",
    {},
    el("th", { scope: "row" }, e.contractId),
    el("td", {}, e.operatorId ?? t.allOperators),
    el("td", {}, t[e.obligation] ?? e.obligation),
    el("td", {}, e.fields.length === 0 ? t.allFields : e.fields.join(", ")),
    el("td", {}, `${e.decision} ${fill(t.decidedOn, { date: day(e.decidedAt) })}`),
    el("td", {}, period),
    el("td", {}, e.reason),
    el("td", {}, state(e, lang, day)),
  );
}

function state(e: Exemption, lang: Lang, day: (iso: string) => string): string {
  const t = words[lang];
  if (e.revokedAt !== undefined)
    return fill(t.revoked, { date: day(e.revokedAt), reason: e.revokeReason ?? "" });
  const now = Date.now();
  if (Date.parse(e.from) > now) return t.notYet;
  return e.to !== undefined && Date.parse(e.to) <= now ? t.ended : t.inForce;
}

void main();
