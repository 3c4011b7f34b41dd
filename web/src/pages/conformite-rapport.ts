import { capitalise, contractLabel } from "../compliance/cards.ts";
import {
  dayName,
  integer,
  monthBefore,
  monthName,
  pct,
  points,
  previousMonth,
  query,
} from "../compliance/format.ts";
import {
  type ContractInfo,
  type Exemption,
  MEASURES,
  type Measure,
  type Scorecard,
  type ScorecardAnswer,
} from "../compliance/types.ts";
import { el, replaceChildren } from "../dom.ts";
import { fieldValue, load, setFieldValue } from "../domains/load.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { rapport } from "../i18n/conformite-rapport.ts";
import { setUpPage } from "../page.ts";
import { mountShell } from "../shell.ts";

/**
 * The monthly compliance report (`/conformite/rapport?mois=YYYY-MM`, `/compliance/report`): for
 * each operator, one short paragraph per contract in plain words (what was delivered, in time,
 * conformant, against the targets), the breaches and whether an exemption excuses them, the trend
 * against the month before, and the exemptions in force (`GET /api/v1/exemptions`, public). It
 * prints cleanly (the `@media print` section of lanterne.css).
 */

type Words = (typeof rapport)["fr"];

interface Context {
  lang: Lang;
  month: string;
  names: Map<string, string>;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/compliance/report"]);
  setUpPage(lang, rapport[lang]);
  const form = document.getElementById("report-form");
  if (!(form instanceof HTMLFormElement)) return;
  await mountShell({ active: "compliance", lang });
  const asked = new URLSearchParams(window.location.search).get("mois") ?? "";
  setFieldValue("mois", /^\d{4}-\d{2}$/.test(asked) ? asked : previousMonth());
  document.getElementById("print")?.addEventListener("click", () => window.print());
  const names = new Map<string, string>();
  const contracts = await load<ContractInfo[]>(lang, "/api/v1/contracts");
  if (contracts.ok) for (const c of contracts.value) names.set(c.id, c.name);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void show(lang, names, true);
  });
  await show(lang, names, false);
}

async function show(lang: Lang, names: Map<string, string>, remember: boolean): Promise<void> {
  const t = rapport[lang];
  const status = document.getElementById("status");
  const report = document.getElementById("report");
  const input = document.getElementById("mois");
  if (!status || !report) return;
  const month = fieldValue("mois").trim();
  if (!/^\d{4}-\d{2}$/.test(month)) {
    status.textContent = t.badMonth;
    input?.setAttribute("aria-invalid", "true");
    return;
  }
  input?.removeAttribute("aria-invalid");
  if (remember) {
    window.history.replaceState(
      null,
      "",
      `${window.location.pathname}${query({ mois: month, lang: new URLSearchParams(window.location.search).get("lang") ?? undefined })}`,
    );
  }
  status.textContent = t.loading;
  const [cards, exemptions] = await Promise.all([
    load<ScorecardAnswer>(lang, `/api/v1/scorecards${query({ period: month })}`),
    load<{ exemptions: Exemption[] }>(lang, "/api/v1/exemptions"),
  ]);
  if (!cards.ok) {
    status.textContent = cards.forbidden ? t.forbidden : t.loadFailed;
    replaceChildren(report);
    return;
  }
  const context: Context = { lang, month, names };
  const period = cards.value.period;
  const inForce = exemptions.ok
    ? exemptions.value.exemptions.filter((e) => overlaps(e, period.from, period.to))
    : [];
  replaceChildren(
    report,
    el("h2", {}, fill(t.reportTitle, { month: monthName(lang, month) })),
    ...operatorSections(context, cards.value.scorecards),
    exemptionSection(context, inForce),
  );
  status.textContent = fill(t.loaded, { month: monthName(lang, month) });
}

function overlaps(e: Exemption, from: number, to: number): boolean {
  const start = Date.parse(e.from);
  const end = e.to !== undefined ? Date.parse(e.to) : Number.POSITIVE_INFINITY;
  const revoked = e.revokedAt !== undefined ? Date.parse(e.revokedAt) : Number.POSITIVE_INFINITY;
  return start < to && Math.min(end, revoked) > from;
}

function operatorSections(c: Context, cards: readonly Scorecard[]): HTMLElement[] {
  const t = rapport[c.lang];
  if (cards.length === 0) return [el("p", {}, fill(t.empty, { month: monthName(c.lang, c.month) }))];
  const byOperator = new Map<string, Scorecard[]>();
  for (const card of cards)
    byOperator.set(card.operatorId, [...(byOperator.get(card.operatorId) ?? []), card]);
  return [...byOperator].map(([operator, own]) =>
    el(
      "section",
      { class: "report-operator" },
      el("h3", {}, operator),
      ...own.map((card) => contractPart(c, card)),
    ),
  );
}

function target(c: Context, card: Scorecard, m: Measure): string {
  const v = card.targets[m];
  return v === undefined ? "" : fill(rapport[c.lang].targetPart, { target: pct(c.lang, v) });
}

/** One contract's paragraph, its breaches and its trend. */
function contractPart(c: Context, card: Scorecard): HTMLElement {
  const t = rapport[c.lang];
  const contract = card.contractId === null ? t.noContract : contractLabel(c.lang, card.contractId, c.names);
  const base = { month: monthName(c.lang, c.month), operator: card.operatorId, contract };
  const sentences = [
    card.completeness.ratio === null
      ? fill(t.deliveredNone, base)
      : fill(t.delivered, {
          ...base,
          value: pct(c.lang, card.completeness.ratio),
          target: target(c, card, "completeness"),
        }),
    card.timeliness.ratio === null
      ? t.onTimeNone
      : capitalise(
          fill(t.onTime, {
            value: pct(c.lang, card.timeliness.ratio),
            target: target(c, card, "timeliness"),
          }),
        ),
    card.conformity.ratio === null
      ? t.conformNone
      : capitalise(
          fill(t.conform, {
            value: pct(c.lang, card.conformity.ratio),
            target: target(c, card, "conformity"),
          }),
        ),
  ];
  if (card.devices > 0) {
    sentences.push(
      fill(t.devices, {
        devices: integer(c.lang, card.devices),
        silent: integer(c.lang, card.silentDevices),
      }),
    );
  }
  return el(
    "div",
    { class: "report-contract" },
    el("h4", {}, capitalise(contract)),
    el("p", {}, sentences.join(" ")),
    breaches(c, card),
    el("p", {}, trendSentence(c, card)),
  );
}

function breaches(c: Context, card: Scorecard): HTMLElement {
  const t = rapport[c.lang];
  if (card.breaches.length === 0) return el("p", {}, t.allMet);
  const decisions = card.exemptions.map((e) => e.decision).join(", ");
  return el(
    "div",
    {},
    el("p", {}, t.breachesHead),
    el(
      "ul",
      {},
      ...card.breaches.map((b) => {
        const line = fill(t.breachLine, {
          measure: capitalise(t[b.measure]),
          value: pct(c.lang, b.value),
          target: pct(c.lang, b.target),
        });
        const excuse = b.exempted
          ? decisions === ""
            ? t.excused
            : fill(t.excusedBy, { decisions })
          : t.notExcused;
        return el("li", {}, `${line} — ${excuse}.`);
      }),
    ),
  );
}

function trendSentence(c: Context, card: Scorecard): string {
  const t = rapport[c.lang];
  const before = monthName(c.lang, monthBefore(c.month));
  const previous = card.previous;
  const parts = MEASURES.flatMap((m) => {
    const now = card[m].ratio;
    const then = previous?.[m] ?? null;
    if (now === null || then === null) return [];
    const delta = now - then;
    const key: keyof Words = Math.abs(delta) < 0.0005 ? "same" : delta > 0 ? "up" : "down";
    return [fill(t[key], { measure: t[m], points: points(c.lang, delta) })];
  });
  if (parts.length === 0) return fill(t.trendNone, { month: before });
  return fill(t.trend, { month: before, parts: parts.join(c.lang === "fr" ? " ; " : "; ") });
}

function exemptionSection(c: Context, list: readonly Exemption[]): HTMLElement {
  const t = rapport[c.lang];
  const items = list.map((e) =>
    el(
      "li",
      {},
      fill(t.exemptionLine, {
        decision: e.decision,
        contract: contractLabel(c.lang, e.contractId, c.names),
        operator: e.operatorId ?? t.allOperators,
        obligation: obligationWord(t, e.obligation),
        from: dayName(c.lang, e.from),
        until: e.to === undefined ? t.untilOpen : fill(t.untilDate, { to: dayName(c.lang, e.to) }),
        reason: e.reason,
      }),
    ),
  );
  return el(
    "section",
    { class: "report-exemptions" },
    el("h3", {}, fill(t.exemptionsTitle, { month: monthName(c.lang, c.month) })),
    items.length === 0 ? el("p", {}, t.exemptionsNone) : el("ul", {}, ...items),
  );
}

function obligationWord(t: Words, obligation: string): string {
  const key = `obligation_${obligation}` as keyof Words;
  return t[key] ?? obligation;
}

void main();
