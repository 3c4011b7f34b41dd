import { el } from "../dom.ts";
import { type Lang, label } from "../i18n/common.ts";
import { desk } from "../i18n/desk.ts";
import type { AlertView } from "./types.ts";

/** The desk's filters, read from the `#filters` form; applied in the page to the alerts it holds. */
export interface Filters {
  status: string;
  domain: string;
  commune: string;
  severity: string;
  text: string;
}

export function readFilters(form: HTMLFormElement): Filters {
  const data = new FormData(form);
  const value = (name: string) => String(data.get(name) ?? "");
  return {
    status: value("status") || "active",
    domain: value("domain"),
    commune: value("commune"),
    severity: value("severity"),
    text: value("text").trim().toLowerCase(),
  };
}

export function matches(alert: AlertView, f: Filters): boolean {
  if (f.status === "active" ? alert.status === "closed" : f.status !== "all" && alert.status !== f.status) {
    return false;
  }
  if (f.domain !== "" && alert.domain !== f.domain) return false;
  if (f.commune !== "" && alert.commune !== f.commune) return false;
  if (f.severity !== "" && alert.severity !== f.severity) return false;
  return f.text === "" || alert.subject.toLowerCase().includes(f.text);
}

/**
 * The domain and commune lists offer the values of the alerts held: refilled when a new value
 * appears, keeping the choice made.
 */
export function refreshChoices(form: HTMLFormElement, alerts: Iterable<AlertView>, lang: Lang): void {
  const domains = new Set<string>();
  const communes = new Set<string>();
  for (const a of alerts) {
    domains.add(a.domain);
    if (a.commune !== null) communes.add(a.commune);
  }
  refill(form.elements.namedItem("domain"), domains, lang, true);
  refill(form.elements.namedItem("commune"), communes, lang, false);
}

function refill(select: unknown, values: Set<string>, lang: Lang, labelled: boolean): void {
  if (!(select instanceof HTMLSelectElement)) return;
  const present = new Set([...select.options].map((o) => o.value).filter((v) => v !== ""));
  if ([...values].every((v) => present.has(v))) return;
  const chosen = select.value;
  const all = [...new Set([...present, ...values])].sort();
  while (select.options.length > 1) select.remove(1);
  for (const value of all) {
    select.append(el("option", { value }, labelled ? label(lang, value) : value));
  }
  select.value = chosen;
  if (select.options.length > 0 && select.options[0]) select.options[0].textContent = desk[lang].any;
}
