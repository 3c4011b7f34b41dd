import { el } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { conformite } from "../i18n/conformite.ts";
import { integer, MISSING, monthName, pct } from "./format.ts";
import { MEASURES, type Measure, type Scorecard, type Trend } from "./types.ts";

/**
 * The scorecards as one table: a row per operator and contract, each measure against its target
 * with the breach said in words (a class adds a colour and a mark, never the only sign), the
 * exemptions with their decision, and the refusals' reasons in a disclosure (`details`).
 * Everything from data goes in as text.
 */

type Words = (typeof conformite)["fr"];

export function obligationName(lang: Lang, obligation: string): string {
  const key = `obligation_${obligation}` as keyof Words;
  return conformite[lang][key] ?? obligation;
}

export function contractLabel(lang: Lang, id: string | null, names: ReadonlyMap<string, string>): string {
  if (id === null) return conformite[lang].noContract;
  const name = names.get(id);
  return name === undefined ? id : `${name} (${id})`;
}

function measureCell(lang: Lang, card: Scorecard, m: Measure): HTMLElement {
  const t = conformite[lang];
  const target = card.targets[m];
  const breach = card.breaches.find((b) => b.measure === m);
  const value = card[m].ratio;
  const verdict =
    breach === undefined
      ? target !== undefined && value !== null
        ? el("span", { class: "verdict verdict-met" }, t.met)
        : null
      : el(
          "strong",
          { class: breach.exempted ? "verdict verdict-exempted" : "verdict verdict-breach" },
          breach.exempted ? t.breachExempted : t.breach,
        );
  return el(
    "div",
    { class: "measure" },
    el("span", { class: "measure-value" }, pct(lang, value)),
    el(
      "span",
      { class: "measure-target" },
      target === undefined ? t.noTarget : fill(t.target, { target: pct(lang, target) }),
    ),
    verdict,
  );
}

function exemptionsCell(lang: Lang, card: Scorecard): Node {
  const t = conformite[lang];
  if (card.exemptions.length === 0) return document.createTextNode(t.none);
  return el(
    "ul",
    { class: "plain-list" },
    ...card.exemptions.map((e) =>
      el(
        "li",
        {},
        fill(t.exemptionLine, { decision: e.decision, obligation: obligationName(lang, e.obligation) }),
      ),
    ),
  );
}

function reasonsCell(lang: Lang, card: Scorecard): Node {
  const t = conformite[lang];
  const reasons = card.conformity.reasons;
  if (reasons.length === 0) return document.createTextNode(t.noReasons);
  const count = reasons.reduce((sum, r) => sum + r.count, 0);
  return el(
    "details",
    { class: "reasons" },
    el("summary", {}, fill(t.reasons, { count: integer(lang, count) })),
    el(
      "ul",
      {},
      ...reasons.map((r) =>
        el(
          "li",
          {},
          fill(t.reasonLine, {
            code: r.code,
            kind: r.kind === "quarantine" ? t.reason_quarantine : t.reason_violation,
            count: integer(lang, r.count),
          }),
        ),
      ),
    ),
  );
}

export function scorecardTable(
  lang: Lang,
  cards: readonly Scorecard[],
  period: string,
  names: ReadonlyMap<string, string>,
): HTMLElement {
  const t = conformite[lang];
  const headers = [
    t.colOperator,
    t.colContract,
    t.colDevices,
    t.colSilent,
    t.colCompleteness,
    t.colTimeliness,
    t.colConformity,
    t.colExemptions,
    t.colReasons,
  ];
  const numeric = new Set([2, 3]);
  const head = el(
    "tr",
    {},
    ...headers.map((h, i) => el("th", { scope: "col", ...(numeric.has(i) ? { class: "num" } : {}) }, h)),
  );
  const rows = cards.map((c) => {
    const breached = c.breaches.some((b) => !b.exempted);
    return el(
      "tr",
      breached ? { class: "row-breach" } : {},
      el("th", { scope: "row" }, c.operatorId),
      el("td", {}, contractLabel(lang, c.contractId, names)),
      el("td", { class: "num" }, integer(lang, c.devices)),
      el("td", { class: "num" }, integer(lang, c.silentDevices)),
      ...MEASURES.map((m) => el("td", {}, measureCell(lang, c, m))),
      el("td", {}, exemptionsCell(lang, c)),
      el("td", {}, reasonsCell(lang, c)),
    );
  });
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { id: "scorecards", class: "scorecards" },
      el("caption", {}, fill(t.caption, { period })),
      el("thead", {}, head),
      el("tbody", {}, ...rows),
    ),
  );
}

/** The chart's figures as a table: its text alternative, beside the alt text. */
export function trendTable(lang: Lang, trend: Trend, names: ReadonlyMap<string, string>): HTMLElement {
  const t = conformite[lang];
  const target = (m: Measure) => {
    const v = trend.targets[m];
    return v === undefined ? "" : ` (${fill(t.target, { target: pct(lang, v) })})`;
  };
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { id: "trend-table" },
      el(
        "caption",
        {},
        fill(t.chartCaption, {
          operator: trend.operatorId,
          contract: contractLabel(lang, trend.contractId, names),
        }),
      ),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, t.colMonth),
          ...MEASURES.map((m) => el("th", { scope: "col", class: "num" }, `${capitalise(t[m])}${target(m)}`)),
        ),
      ),
      el(
        "tbody",
        {},
        ...trend.points.map((p) =>
          el(
            "tr",
            {},
            el("th", { scope: "row" }, monthName(lang, p.month)),
            ...MEASURES.map((m) => el("td", { class: "num" }, p[m] === null ? MISSING : pct(lang, p[m]))),
          ),
        ),
      ),
    ),
  );
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
