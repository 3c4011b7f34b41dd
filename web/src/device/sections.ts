import type { AlertView } from "../desk/types.ts";
import { el } from "../dom.ts";
import { fill, type Lang, label } from "../i18n/common.ts";
import { device as words } from "../i18n/devices.ts";
import { textTable, when } from "./format.ts";
import { fieldOf, showValue } from "./series.ts";
import type { Contract, DeviceView, QuarantineEntry, ViolationEntry } from "./types.ts";

/** The device page's sections other than the charts; every value from data goes in as text. */

function facts(pairs: ReadonlyArray<[string, string | HTMLElement]>): HTMLDListElement {
  const list = el("dl", { class: "facts" });
  for (const [term, value] of pairs) list.append(el("dt", {}, term), el("dd", {}, value));
  return list;
}

/**
 * Identity, contract, operator; for an operator the periods it held the device, for staff the
 * table of every operator's periods.
 */
export function identity(lang: Lang, d: DeviceView, contract: Contract | undefined): HTMLElement {
  const list = identityFacts(lang, d, contract);
  if (!d.assignments || d.assignments.length === 0) return list;
  return el("div", {}, list, assignmentTable(lang, d.assignments));
}

/** Who held the device and when, oldest first; a period that has not ended says so. */
function assignmentTable(lang: Lang, assignments: NonNullable<DeviceView["assignments"]>): HTMLElement {
  const t = words[lang];
  const rows = assignments.map((a) => [
    a.operator,
    when(a.from, lang),
    a.to ? when(a.to, lang) : t.assignmentOpen,
  ]);
  return el(
    "div",
    { class: "table-scroll", id: "assignments" },
    textTable(t.assignments, [t.operator, t.colFrom, t.colTo], rows),
  );
}

function identityFacts(lang: Lang, d: DeviceView, contract: Contract | undefined): HTMLElement {
  const t = words[lang];
  const pairs: Array<[string, string | HTMLElement]> = [
    [t.id, d.id],
    [t.domain, label(lang, d.domain)],
    [t.commune, d.commune],
    [t.operator, d.operator ?? t.noOperator],
    [t.position, `${d.lat}, ${d.lon}`],
    [t.contract, contract ? `${contract.name} (${contract.id} ${contract.version})` : t.contractNone],
  ];
  for (const [name, value] of Object.entries(d.attributes)) pairs.push([name, String(value)]);
  if (d.periods && d.periods.length > 0) {
    const periods = el("ul", { class: "plain" });
    for (const p of d.periods) {
      const from = when(p.from, lang);
      periods.append(
        el(
          "li",
          {},
          p.to ? fill(t.periodFromTo, { from, to: when(p.to, lang) }) : fill(t.periodFrom, { from }),
        ),
      );
    }
    pairs.push([t.periods, periods]);
  }
  return facts(pairs);
}

/** The latest value of each field, with its unit and time. */
export function latestValues(lang: Lang, d: DeviceView, contract: Contract | undefined): HTMLElement {
  const t = words[lang];
  const values = Object.entries(d.state?.values ?? {});
  if (values.length === 0) return el("p", {}, t.latestNone);
  const rows = values.map(([name, v]) => [
    name,
    showValue(v.value, fieldOf(contract, name)?.unit),
    when(v.time, lang),
  ]);
  return el("div", { class: "table-scroll" }, textTable(t.latest, [t.colField, t.colValue, t.colTime], rows));
}

/** The alerts about the device, newest first; a correlated alert names its group. */
export function alertHistory(lang: Lang, id: string, alerts: readonly AlertView[]): HTMLElement {
  const t = words[lang];
  if (alerts.length === 0) return el("p", {}, t.alertsNone);
  const rows = alerts.map((a) => {
    const status =
      a.cleared && a.status !== "closed" ? `${label(lang, a.status)}, ${t.cleared}` : label(lang, a.status);
    const detail = a.subject === id ? a.detail : `${a.detail} — ${fill(t.groupOf, { subject: a.subject })}`;
    return [when(a.openedAt, lang), label(lang, a.severity), a.rule, detail, status];
  });
  return el(
    "div",
    { class: "table-scroll" },
    textTable(t.alerts, [t.colOpened, t.colSeverity, t.colRule, t.colDetail, t.colStatus], rows),
  );
}

/** The refused messages of the device: time, source, reasons and the raw payload as text. */
export function quarantineList(
  lang: Lang,
  entries: readonly QuarantineEntry[],
  options: { withDevice?: boolean; none?: string } = {},
): HTMLElement {
  const t = words[lang];
  if (entries.length === 0) return el("p", {}, options.none ?? t.quarantineNone);
  const list = el("ul", { class: "quarantine-list" });
  for (const e of entries) {
    const reasons = el("ul", {});
    for (const r of e.reasons)
      reasons.append(el("li", {}, el("code", {}, r.code), ` ${r.path} : ${r.detail}`));
    list.append(
      el(
        "li",
        { class: "quarantine-entry", "data-quarantine-id": String(e.id) },
        options.withDevice ? el("p", { class: "entry-label" }, `${t.id} : ${e.device ?? "?"}`) : null,
        el("p", {}, fill(t.received, { time: when(e.receivedAt, lang), source: e.source })),
        el("p", { class: "entry-label" }, t.reasons),
        reasons,
        el("p", { class: "entry-label" }, e.truncated ? `${t.raw} ${t.truncated}` : t.raw),
        el("pre", { class: "raw-payload", tabindex: "0" }, e.raw),
      ),
    );
  }
  return list;
}

/** The values dropped from accepted readings of the device. */
export function violationTable(lang: Lang, entries: readonly ViolationEntry[]): HTMLElement {
  const t = words[lang];
  if (entries.length === 0) return el("p", {}, t.violationsNone);
  const rows = entries.map((v) => [
    when(v.time, lang),
    v.field,
    v.value === undefined ? "" : String(v.value),
    `${v.code} : ${v.reason}`,
  ]);
  return el(
    "div",
    { class: "table-scroll" },
    textTable(t.violations, [t.colTime, t.colField, t.colDropped, t.colReason], rows),
  );
}
