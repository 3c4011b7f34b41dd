import { el } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { overview } from "../i18n/overview.ts";
import { localPath } from "../shell.ts";
import type { FeedHealth } from "./feed-health.ts";
import { dateTime, MISSING } from "./format.ts";
import { deviceLink, domainName, section } from "./overview-view.ts";
import { dataTable } from "./table.ts";
import type { QuarantinePage } from "./types.ts";

/**
 * An operator's own view on the overview page, from what the API gives an operator: its devices
 * (`GET /api/v1/devices`), its refused messages with their reasons (`GET /api/v1/quarantine`) and,
 * for a waste collector, its containers to collect. Nothing of the other operators.
 */

export function operatorView(
  lang: Lang,
  health: FeedHealth,
  quarantine: QuarantinePage | null,
  toCollect: number | null,
): HTMLElement[] {
  const t = overview[lang];
  const views = [
    section(
      "vos-equipements",
      t.ownTitle,
      dataTable({
        id: "vos-equipements-table",
        caption: t.ownDevicesCaption,
        columns: [{ header: t.colDomain }, { header: t.colDevices, numeric: true }],
        rows: [...health.perDomain].map(([domain, count]) => [domainName(lang, domain), String(count)]),
        footer: [[t.total, String(health.devices)]],
      }),
    ),
    section(
      "votre-flux",
      t.ownFeedTitle,
      el("p", { id: "own-heard" }, fill(t.ownHeard, { heard: health.heard, devices: health.devices })),
      el(
        "p",
        {},
        fill(t.ownLastMessage, {
          at: health.lastMessageAt === null ? t.never : dateTime(lang, health.lastMessageAt),
        }),
      ),
    ),
  ];
  if (quarantine !== null) views.push(quarantineView(lang, quarantine));
  if (toCollect !== null) {
    views.push(
      section(
        "vos-conteneurs",
        t.ownWasteTitle,
        el("p", { id: "own-waste" }, fill(t.ownWaste, { count: toCollect })),
        el("p", {}, el("a", { href: localPath("/dechets", lang) }, t.ownWasteLink)),
      ),
    );
  }
  return views;
}

function quarantineView(lang: Lang, page: QuarantinePage): HTMLElement {
  const t = overview[lang];
  if (page.total === 0) return section("vos-refus", t.ownQuarantineTitle, el("p", {}, t.noQuarantine));
  return section(
    "vos-refus",
    t.ownQuarantineTitle,
    el("p", {}, fill(t.ownQuarantineTotal, { total: page.total })),
    dataTable({
      id: "vos-refus-table",
      caption: t.ownQuarantineCaption,
      columns: [{ header: t.colReceived }, { header: t.colDevice }, { header: t.colReasons }],
      rows: page.entries.map((q) => [
        dateTime(lang, q.receivedAt),
        q.device === null ? MISSING : deviceLink(lang, q.device),
        el(
          "ul",
          { class: "reasons" },
          ...q.reasons.map((r) => el("li", {}, `${r.code} (${r.path}) : ${r.detail}`)),
        ),
      ]),
    }),
  );
}
