import { el } from "../dom.ts";
import { fill, type Lang, label } from "../i18n/common.ts";
import { overview } from "../i18n/overview.ts";
import { localPath } from "../shell.ts";
import { dateTime, MISSING, number, percent } from "./format.ts";
import { alertsBySeverity } from "./severity.ts";
import { dataTable } from "./table.ts";
import type { Condition, OverviewAnswer } from "./types.ts";

/** The staff's overview, section by section, from `GET /api/v1/overview`. */

const CONDITIONS: readonly Condition[] = ["ok", "fault", "silent", "unknown"];

export function section(id: string, title: string, ...content: (Node | null)[]): HTMLElement {
  return el(
    "section",
    { id, "aria-labelledby": `${id}-titre` },
    el("h2", { id: `${id}-titre` }, title),
    ...content,
  );
}

export function staffView(lang: Lang, o: OverviewAnswer): HTMLElement[] {
  return [domains(lang, o), alerts(lang, o), communes(lang, o), silent(lang, o), feeds(lang, o)];
}

function domains(lang: Lang, o: OverviewAnswer): HTMLElement {
  const t = overview[lang];
  const sum = (pick: (d: OverviewAnswer["domains"][number]) => number) =>
    String(o.domains.reduce((total, d) => total + pick(d), 0));
  return section(
    "domaines",
    t.domainsTitle,
    dataTable({
      id: "domaines-table",
      caption: t.domainsCaption,
      columns: [
        { header: t.colDomain },
        { header: t.colDevices, numeric: true },
        { header: t.colOk, numeric: true },
        { header: t.colFault, numeric: true },
        { header: t.colSilent, numeric: true },
        { header: t.colUnknown, numeric: true },
      ],
      rows: o.domains.map((d) => [
        domainName(lang, d.domain),
        String(d.devices),
        ...CONDITIONS.map((c) => String(d.conditions[c])),
      ]),
      footer: [[t.total, sum((d) => d.devices), ...CONDITIONS.map((c) => sum((d) => d.conditions[c]))]],
    }),
  );
}

function alerts(lang: Lang, o: OverviewAnswer): HTMLElement {
  const t = overview[lang];
  const counts = alertsBySeverity(o.openAlerts);
  const link = el("p", {}, el("a", { href: localPath("/alertes", lang), id: "alerts-link" }, t.alertsLink));
  if (counts.size === 0) return section("alertes", t.alertsTitle, el("p", {}, t.noAlerts), link);
  return section(
    "alertes",
    t.alertsTitle,
    dataTable({
      id: "alertes-table",
      caption: t.alertsCaption,
      columns: [{ header: t.colSeverity }, { header: t.colCount, numeric: true }],
      rows: [...counts].map(([severity, count]) => [label(lang, severity), String(count)]),
    }),
    link,
  );
}

function communes(lang: Lang, o: OverviewAnswer): HTMLElement {
  const t = overview[lang];
  if (o.worstCommunes.length === 0) return section("communes", t.communesTitle, el("p", {}, t.noCommunes));
  return section(
    "communes",
    t.communesTitle,
    dataTable({
      id: "communes-table",
      caption: t.communesCaption,
      columns: [
        { header: t.colCommune },
        { header: t.colDevices, numeric: true },
        { header: t.colOpenAlerts, numeric: true },
        { header: t.colPer100, numeric: true },
      ],
      rows: o.worstCommunes.map((c) => [
        c.commune,
        String(c.devices),
        String(c.openAlerts),
        number(lang, c.openAlertsPer100Devices, 1),
      ]),
    }),
  );
}

/** A domain's name in words: the common ones, and the flow meters this page names itself. */
export function domainName(lang: Lang, domain: string): string {
  return domain === "water_flow" ? overview[lang].waterFlow : label(lang, domain);
}

/** A device's page (`/equipements/<id>`), the id encoded as a path segment. */
export function deviceLink(lang: Lang, id: string): HTMLElement {
  return el("a", { href: localPath(`/equipements/${encodeURIComponent(id)}`, lang) }, id);
}

function silent(lang: Lang, o: OverviewAnswer): HTMLElement {
  const t = overview[lang];
  if (o.silent.count === 0) return section("muets", t.silentTitle, el("p", {}, t.noSilent));
  return section(
    "muets",
    t.silentTitle,
    el("p", {}, fill(t.silentCount, { count: o.silent.count })),
    dataTable({
      id: "muets-table",
      caption: t.silentCaption,
      columns: [
        { header: t.colDevice },
        { header: t.colDomain },
        { header: t.colCommune },
        { header: t.colOperator },
        { header: t.colLastReading },
      ],
      rows: o.silent.devices.map((d) => [
        deviceLink(lang, d.device),
        domainName(lang, d.domain),
        d.commune,
        d.operator ?? t.nobody,
        d.lastReadingAt === null ? MISSING : dateTime(lang, d.lastReadingAt),
      ]),
    }),
  );
}

function feeds(lang: Lang, o: OverviewAnswer): HTMLElement {
  const t = overview[lang];
  return section(
    "flux",
    t.feedsTitle,
    dataTable({
      id: "flux-table",
      caption: t.feedsCaption,
      columns: [
        { header: t.colOperator },
        { header: t.colDevices, numeric: true },
        { header: t.colHeard, numeric: true },
        { header: t.colLastMessage },
        { header: t.colQuarantined, numeric: true },
      ],
      rows: o.operators.map((f) => [
        f.operator,
        String(f.devices),
        `${f.heard} (${percent(lang, f.devices === 0 ? null : f.heard / f.devices)})`,
        f.lastMessageAt === null ? t.never : dateTime(lang, f.lastMessageAt),
        String(f.quarantined24h),
      ]),
    }),
  );
}
