import { contractLabel, scorecardTable, trendTable } from "../compliance/cards.ts";
import { periodName, previousMonth, query } from "../compliance/format.ts";
import type { ContractInfo, Scorecard, ScorecardAnswer, Trend } from "../compliance/types.ts";
import { el, replaceChildren } from "../dom.ts";
import { fieldValue, load, setFieldValue } from "../domains/load.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { conformite } from "../i18n/conformite.ts";
import { setUpPage } from "../page.ts";
import { type Me, mountShell } from "../shell.ts";

/**
 * The compliance scorecards (`/conformite`, `/compliance` in English): a period (a day, a month
 * or a year; the last complete month by default), operator and contract filters, the scorecards
 * of `GET /api/v1/scorecards` as a table (an operator gets its own only: the API decides), the
 * same as CSV (`format=csv`), and the twelve months' trend of one operator and contract as a PNG
 * chart (`/api/v1/scorecards/chart.png`) with its alt text and its values as a table
 * (`/api/v1/scorecards/trend`).
 */

type Kind = "day" | "month" | "year";

interface State {
  lang: Lang;
  me: Me;
  names: Map<string, string>;
  operators: Set<string>;
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/compliance"]);
  setUpPage(lang, conformite[lang]);
  const form = document.getElementById("compliance-form");
  if (!(form instanceof HTMLFormElement)) return;
  const me = await mountShell({ active: "compliance", lang });
  const state: State = { lang, me, names: new Map(), operators: new Set() };
  if (me.role === "operator") {
    document.getElementById("operator-field")?.setAttribute("hidden", "");
    const own = document.getElementById("quarantine-link");
    own?.setAttribute("href", `/equipements?vue=quarantaine${lang === "en" ? "&lang=en" : ""}`);
    if (own) own.textContent = conformite[lang].ownQuarantineLink;
  }
  setInitialPeriod();
  document.getElementById("period-kind")?.addEventListener("change", () => showKind(currentKind()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void show(state);
  });
  document.getElementById("chart-card")?.addEventListener("change", () => void showChart(state));
  await fillContracts(state);
  await show(state);
}

function currentKind(): Kind {
  const v = fieldValue("period-kind");
  return v === "day" || v === "year" ? v : "month";
}

function showKind(kind: Kind): void {
  for (const field of document.querySelectorAll<HTMLElement>("[data-kind]")) {
    field.hidden = field.dataset.kind !== kind;
  }
}

/** `?periode=` (YYYY, YYYY-MM or YYYY-MM-DD) when given, else the last complete month. */
function setInitialPeriod(): void {
  const asked = new URLSearchParams(window.location.search).get("periode") ?? "";
  const month = previousMonth();
  setFieldValue("period-month", month);
  setFieldValue("period-day", `${month}-01`);
  setFieldValue("period-year", month.slice(0, 4));
  let kind: Kind = "month";
  if (/^\d{4}$/.test(asked)) kind = "year";
  else if (/^\d{4}-\d{2}-\d{2}$/.test(asked)) kind = "day";
  else if (!/^\d{4}-\d{2}$/.test(asked)) {
    showKind(kind);
    return;
  }
  setFieldValue(`period-${kind}`, asked);
  setFieldValue("period-kind", kind);
  showKind(kind);
}

function periodValue(): string | undefined {
  const kind = currentKind();
  const value = fieldValue(`period-${kind}`).trim();
  const pattern = { day: /^\d{4}-\d{2}-\d{2}$/, month: /^\d{4}-\d{2}$/, year: /^\d{4}$/ }[kind];
  return pattern.test(value) ? value : undefined;
}

/** The contracts' names (every version; the newest name wins) and the contract filter's choices. */
async function fillContracts(state: State): Promise<void> {
  const answer = await load<ContractInfo[]>(state.lang, "/api/v1/contracts");
  if (!answer.ok) return;
  for (const c of answer.value) state.names.set(c.id, c.name);
  const select = document.getElementById("contract");
  if (!(select instanceof HTMLSelectElement)) return;
  for (const [id, name] of [...state.names].sort((a, b) => a[0].localeCompare(b[0]))) {
    select.appendChild(el("option", { value: id }, `${name} (${id})`));
  }
}

/** The operators seen in the scorecards, as the operator filter's choices (staff only). */
function addOperators(state: State, cards: readonly Scorecard[]): void {
  const select = document.getElementById("operator");
  if (!(select instanceof HTMLSelectElement) || state.me.role === "operator") return;
  for (const id of cards.map((c) => c.operatorId).sort()) {
    if (state.operators.has(id)) continue;
    state.operators.add(id);
    select.appendChild(el("option", { value: id }, id));
  }
}

async function show(state: State): Promise<void> {
  const { lang } = state;
  const t = conformite[lang];
  const status = document.getElementById("status");
  const list = document.getElementById("cards");
  if (!status || !list) return;
  const period = periodValue();
  const kindInput = document.getElementById(`period-${currentKind()}`);
  if (period === undefined) {
    status.textContent = t.badPeriod;
    kindInput?.setAttribute("aria-invalid", "true");
    return;
  }
  kindInput?.removeAttribute("aria-invalid");
  const filters = {
    period,
    operator: state.me.role === "operator" ? undefined : fieldValue("operator"),
    contract: fieldValue("contract"),
  };
  document
    .getElementById("download-csv")
    ?.setAttribute("href", `/api/v1/scorecards${query({ ...filters, format: "csv" })}`);
  const month = period.length === 4 ? `${period}-12` : period.slice(0, 7);
  document
    .getElementById("report-link")
    ?.setAttribute(
      "href",
      `/conformite/rapport${query({ mois: month, lang: lang === "en" ? "en" : undefined })}`,
    );
  status.textContent = t.loading;
  const answer = await load<ScorecardAnswer>(lang, `/api/v1/scorecards${query(filters)}`);
  if (!answer.ok) {
    status.textContent = answer.forbidden ? t.forbidden : t.loadFailed;
    replaceChildren(list);
    return;
  }
  const { scorecards } = answer.value;
  const name = periodName(lang, answer.value.period.label);
  addOperators(state, scorecards);
  status.textContent = fill(t.loaded, { count: scorecards.length, period: name });
  replaceChildren(
    list,
    scorecards.length === 0 ? el("p", {}, t.empty) : scorecardTable(lang, scorecards, name, state.names),
  );
  fillChartChoices(state, scorecards);
  await showChart(state);
}

/** The (operator, contract) pairs of the cards shown, as the chart's choices; the choice kept when it still is one. */
function fillChartChoices(state: State, cards: readonly Scorecard[]): void {
  const select = document.getElementById("chart-card");
  if (!(select instanceof HTMLSelectElement)) return;
  const before = select.value;
  const pairs = cards.filter((c) => c.contractId !== null);
  replaceChildren(
    select,
    ...pairs.map((c) =>
      el(
        "option",
        { value: `${c.operatorId}\n${c.contractId}` },
        `${c.operatorId} — ${contractLabel(state.lang, c.contractId, state.names)}`,
      ),
    ),
  );
  if ([...select.options].some((o) => o.value === before)) select.value = before;
}

async function showChart(state: State): Promise<void> {
  const { lang } = state;
  const t = conformite[lang];
  const status = document.getElementById("chart-status");
  const box = document.getElementById("chart");
  const select = document.getElementById("chart-card");
  if (!status || !box || !(select instanceof HTMLSelectElement)) return;
  const [operator, contract] = select.value.split("\n");
  if (!operator || !contract) {
    status.textContent = t.chartNone;
    replaceChildren(box);
    return;
  }
  const period = periodValue() ?? previousMonth();
  const until = period.length === 4 ? `${period}-12` : period.slice(0, 7);
  const q = { operator, contract, until, months: "12", lang };
  status.textContent = t.chartLoading;
  const answer = await load<Trend>(lang, `/api/v1/scorecards/trend${query(q)}`);
  if (!answer.ok) {
    status.textContent = answer.forbidden ? t.forbidden : t.chartFailed;
    replaceChildren(box);
    return;
  }
  const trend = answer.value;
  const image = el("img", {
    id: "chart-image",
    src: `/api/v1/scorecards/chart.png${query({ ...q, width: "960" })}`,
    alt: trend.alt,
    width: "960",
    height: "480",
    class: "chart-image",
  });
  image.addEventListener("error", () => {
    status.textContent = t.chartFailed;
  });
  status.textContent = "";
  replaceChildren(
    box,
    el("figure", { class: "chart-figure" }, image),
    el(
      "details",
      { class: "chart-values" },
      el("summary", {}, t.chartTable),
      trendTable(lang, trend, state.names),
    ),
  );
}

void main();
