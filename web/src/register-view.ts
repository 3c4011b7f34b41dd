import { el } from "./dom.ts";
import { algorithms } from "./i18n/algorithms.ts";
import { fill, type Lang, label } from "./i18n/common.ts";

/** The shape of `GET /api/v1/algorithms` (services/api/routes/algorithms.ts). */
export interface RegisterText {
  purpose: string;
  data: string;
  decision: string;
  role: string;
}

export interface RuleVersion {
  contractVersion: string;
  validFrom: string;
  validTo?: string;
  kind: string;
  severity: string;
  params: Record<string, unknown>;
}

export interface RegisteredRule {
  rule: string;
  contract: string;
  contractVersion: string;
  inForce: boolean;
  domain: string;
  kind: string;
  severity: string;
  description?: string;
  params: Record<string, unknown>;
  parameters: Record<string, string>;
  register: Record<Lang, RegisterText>;
  source: string;
  history: RuleVersion[];
}

export interface Register {
  count: number;
  rules: RegisteredRule[];
}

/**
 * The register as sections: one per contract (h2), one per rule (h3), each with a definition
 * list, its parameters and its version history as tables. Every value from the API is text.
 */
export function renderRegister(register: Register, lang: Lang): HTMLElement {
  const t = algorithms[lang];
  const count = register.count === 1 ? t.countOne : fill(t.count, { n: register.count });
  const root = el("div", { class: "register" }, el("p", {}, count));
  for (const [contract, rules] of byContract(register.rules)) {
    root.appendChild(contractSection(contract, rules, lang));
  }
  return root;
}

function byContract(rules: RegisteredRule[]): Map<string, RegisteredRule[]> {
  const groups = new Map<string, RegisteredRule[]>();
  for (const rule of rules) groups.set(rule.contract, [...(groups.get(rule.contract) ?? []), rule]);
  return groups;
}

function contractSection(contract: string, rules: RegisteredRule[], lang: Lang): HTMLElement {
  const t = algorithms[lang];
  const first = rules[0];
  const heading = `${t.contract} « ${contract} »${first ? ` — ${label(lang, first.domain)}` : ""}`;
  const section = el("section", { class: "contract", "data-contract": contract }, el("h2", {}, heading));
  for (const rule of rules) section.appendChild(ruleArticle(rule, lang));
  return section;
}

function ruleArticle(rule: RegisteredRule, lang: Lang): HTMLElement {
  const t = algorithms[lang];
  const text = rule.register[lang];
  const headingId = `regle-${slug(rule.rule)}`;
  return el(
    "article",
    { class: "rule", "data-rule": rule.rule, "aria-labelledby": headingId },
    el("h3", { id: headingId }, rule.description ?? text.purpose),
    rule.inForce ? null : el("p", { class: "notice" }, t.withdrawn),
    el(
      "dl",
      { class: "facts" },
      ...fact(t.rule, el("code", {}, rule.rule)),
      ...fact(t.purpose, text.purpose),
      ...fact(t.data, text.data),
      ...fact(t.decision, text.decision),
      ...fact(t.role, el("strong", {}, text.role)),
      ...fact(t.severity, label(lang, rule.severity)),
      ...fact(t.domain, label(lang, rule.domain)),
      ...fact(t.contract, `${rule.contract}, ${t.version} ${rule.contractVersion}`),
      ...fact(t.kind, el("code", {}, rule.kind)),
      ...fact(t.source, el("code", {}, rule.source)),
    ),
    el("h4", {}, t.parameters),
    parameterTable(rule, lang),
    el("h4", {}, t.history),
    historyTable(rule, lang),
  );
}

function fact(term: string, value: Node | string): HTMLElement[] {
  return [el("dt", {}, term), el("dd", {}, value)];
}

function parameterTable(rule: RegisteredRule, lang: Lang): HTMLElement {
  const t = algorithms[lang];
  const names = Object.keys(rule.params);
  if (names.length === 0) return el("p", {}, t.noParameters);
  return table(
    [t.parameter, t.value, t.meaning],
    names.map((name) => [
      el("code", {}, name),
      formatValue(name, rule.params[name], lang),
      rule.parameters[name] ?? "",
    ]),
  );
}

function historyTable(rule: RegisteredRule, lang: Lang): HTMLElement {
  const t = algorithms[lang];
  return table(
    [t.versionHead, t.validFrom, t.validTo, t.severity, t.parameters],
    rule.history.map((v) => [
      v.contractVersion,
      formatDate(v.validFrom, lang),
      v.validTo ? formatDate(v.validTo, lang) : "—",
      label(lang, v.severity),
      Object.entries(v.params)
        .map(([name, value]) => `${name} = ${formatValue(name, value, lang)}`)
        .join(" ; "),
    ]),
  );
}

function table(headers: string[], rows: Array<Array<Node | string>>): HTMLElement {
  const head = el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)));
  const body = rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c))));
  return el(
    "div",
    { class: "table-scroll" },
    el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)),
  );
}

/** Numbers in the page's language; durations in ms also in minutes, hours or days. */
export function formatValue(name: string, value: unknown, lang: Lang): string {
  if (typeof value === "number") {
    const number = new Intl.NumberFormat(lang).format(value);
    return name.endsWith("Ms") ? `${number} ms (${duration(value, lang)})` : number;
  }
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? String(value);
}

function duration(ms: number, lang: Lang): string {
  const units: Array<[number, Record<Lang, string>]> = [
    [86_400_000, { fr: "j", en: "d" }],
    [3_600_000, { fr: "h", en: "h" }],
    [60_000, { fr: "min", en: "min" }],
    [1_000, { fr: "s", en: "s" }],
  ];
  for (const [size, unit] of units) {
    if (ms >= size)
      return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(ms / size)} ${unit[lang]}`;
  }
  return `${ms} ms`;
}

function formatDate(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === "fr" ? "fr-FR" : "en-GB", {
    dateStyle: "long",
    timeZone: "Europe/Paris",
  }).format(date);
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, "-");
}
