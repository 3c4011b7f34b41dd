import { el, replaceChildren } from "../dom.ts";
import { fieldValue, load, setFieldValue } from "../domains/load.ts";
import { type Cell, dataTable } from "../domains/table.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { sobriete } from "../i18n/sobriete.ts";
import { setUpPage } from "../page.ts";
import { mountShell } from "../shell.ts";

/**
 * The yearly sobriety report and the personal-data processing register on one page (`/sobriete`,
 * `/sobriety`), for staff: `GET /api/v1/reports/sobriety?year=Y` (a section and tables per
 * contract, the months as a table) and `GET /api/v1/personal-data/register` (one table, with its
 * CSV). Everything from the API goes in as text.
 */

type Words = (typeof sobriete)["fr"];

interface Field {
  name: string;
  description: string | null;
  unit: string | null;
  personal: boolean;
  purpose: string | null;
  collected: boolean;
}

interface ContractReport {
  contractId: string;
  name: string;
  domain: string;
  versions: string[];
  hostingLocation: string;
  fields: Field[];
  readings: { total: number; byMonth: number[] };
  stored: { rawValuesOfYear: number | null; tiers: { tier: string; rows: number | null }[] };
  retention: { version: string; rawDays: number; hourlyDays: number; dailyDays: number }[];
  deleted: { rawReadingsPastRetention: number; lastPurge: { at: number; removed: number } | null };
  refused: { unknownFields: number; personalWithoutPurpose: number };
}

interface Report {
  year: number;
  hostingLocation: string;
  contracts: ContractReport[];
  footprint: {
    timeSeriesMeasuredHere: boolean;
    files: { name: string; bytes: number }[];
    totalBytes: number;
  };
}

interface Entry {
  contractId: string;
  contractName: string;
  versions: string[];
  field: string;
  description: string | null;
  purpose: string | null;
  legalBasis: string;
  legalBasisIsDefault: boolean;
  retention: { rawDays: number; hourlyDays: number; dailyDays: number };
  recipients: ("admin" | "technician" | "operator")[];
  hostingLocation: string;
  transfersOutsideEu: string;
}

interface Register {
  controller: { name: string };
  entries: Entry[];
}

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/sobriety"]);
  setUpPage(lang, sobriete[lang]);
  const form = document.getElementById("year-form");
  if (!(form instanceof HTMLFormElement)) return;
  await mountShell({ active: "sobriety", lang });
  const asked = new URLSearchParams(window.location.search).get("annee") ?? "";
  setFieldValue("annee", /^\d{4}$/.test(asked) ? asked : String(new Date().getUTCFullYear()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void showReport(lang, true);
  });
  const csv = document.getElementById("register-csv");
  csv?.setAttribute("href", "/api/v1/personal-data/register?format=csv");
  await Promise.all([showReport(lang, false), showRegister(lang)]);
}

async function showReport(lang: Lang, remember: boolean): Promise<void> {
  const t = sobriete[lang];
  const status = document.getElementById("status");
  const report = document.getElementById("report");
  const input = document.getElementById("annee");
  if (!status || !report) return;
  const year = fieldValue("annee").trim();
  if (!/^\d{4}$/.test(year)) {
    status.textContent = t.badYear;
    input?.setAttribute("aria-invalid", "true");
    return;
  }
  input?.removeAttribute("aria-invalid");
  if (remember) {
    const params = new URLSearchParams(window.location.search);
    params.set("annee", year);
    window.history.replaceState(null, "", `${window.location.pathname}?${params.toString()}`);
  }
  status.textContent = t.loading;
  const answer = await load<Report>(lang, `/api/v1/reports/sobriety?year=${year}`);
  if (!answer.ok) {
    status.textContent = answer.forbidden ? t.forbidden : t.loadFailed;
    replaceChildren(report);
    return;
  }
  const r = answer.value;
  replaceChildren(
    report,
    el("h2", { id: "report-title" }, fill(t.reportTitle, { year: r.year })),
    el("p", {}, fill(t.platformHosting, { place: r.hostingLocation })),
    ...r.contracts.map((c, i) => contractSection(lang, r.year, c, i)),
    footprintSection(lang, r.footprint),
  );
  status.textContent = fill(t.loaded, { year: r.year });
}

function contractSection(lang: Lang, year: number, c: ContractReport, index: number): HTMLElement {
  const t = sobriete[lang];
  const n = number(lang);
  const titleId = `contrat-${index}-titre`;
  const purge = c.deleted.lastPurge;
  return el(
    "section",
    { class: "sobriety-contract", "aria-labelledby": titleId },
    el("h3", { id: titleId }, fill(t.contractTitle, { name: c.name, id: c.contractId })),
    el(
      "p",
      {},
      fill(t.versions, { versions: c.versions.join(", ") }),
      " ",
      fill(t.hosting, { place: c.hostingLocation }),
    ),
    dataTable({
      caption: fill(t.fieldsCaption, { name: c.name }),
      columns: [
        { header: t.colField },
        { header: t.colUnit },
        { header: t.colPurpose },
        { header: t.colPersonal },
        { header: t.colCollected },
      ],
      rows: c.fields.map((f) => [
        el("code", {}, f.name),
        f.unit ?? "",
        f.personal ? (f.purpose ?? t.noPurpose) : (f.purpose ?? t.noDescription),
        f.personal ? t.yes : t.no,
        f.collected ? t.yes : t.no,
      ]),
    }),
    dataTable({
      caption: fill(t.monthsCaption, { year, name: c.name }),
      columns: [{ header: t.colMonth }, { header: t.colReadings, numeric: true }],
      rows: c.readings.byMonth.map((v, m) => [monthName(lang, year, m), n(v)]),
      footer: [[t.total, n(c.readings.total)]],
    }),
    dataTable({
      caption: fill(t.tiersCaption, { name: c.name }),
      columns: [{ header: t.colTier }, { header: t.colKept }, { header: t.colRows, numeric: true }],
      rows: tierRows(lang, c),
    }),
    el(
      "p",
      {},
      fill(t.rawOfYear, {
        count: c.stored.rawValuesOfYear === null ? t.notMeasured : n(c.stored.rawValuesOfYear),
      }),
    ),
    el("p", {}, fill(t.pastRetention, { count: n(c.deleted.rawReadingsPastRetention) })),
    el(
      "p",
      {},
      purge
        ? fill(t.lastPurge, {
            date: new Date(purge.at).toLocaleDateString(locale(lang)),
            count: n(purge.removed),
          })
        : t.noPurge,
    ),
    el(
      "p",
      {},
      fill(t.refused, { unknown: n(c.refused.unknownFields), personal: n(c.refused.personalWithoutPurpose) }),
    ),
  );
}

function tierRows(lang: Lang, c: ContractReport): Cell[][] {
  const t = sobriete[lang];
  const newest = c.retention[c.retention.length - 1];
  const kept: Record<string, number | undefined> = {
    raw: newest?.rawDays,
    "1h": newest?.hourlyDays,
    "1d": newest?.dailyDays,
  };
  const names: Record<string, string> = { raw: t.tierRaw, "1h": t.tierHourly, "1d": t.tierDaily };
  return c.stored.tiers.map((tier) => {
    const days = kept[tier.tier];
    return [
      names[tier.tier] ?? tier.tier,
      days === undefined ? "" : duration(t, days),
      tier.rows === null ? t.notMeasured : number(lang)(tier.rows),
    ];
  });
}

function footprintSection(lang: Lang, f: Report["footprint"]): HTMLElement {
  const t = sobriete[lang];
  return el(
    "section",
    { "aria-labelledby": "empreinte-titre" },
    el("h3", { id: "empreinte-titre" }, t.footprintTitle),
    f.timeSeriesMeasuredHere ? null : el("p", {}, t.influxNote),
    dataTable({
      caption: t.footprintCaption,
      columns: [{ header: t.colFile }, { header: t.colSize, numeric: true }],
      rows: f.files.map((file) => [el("code", {}, file.name), size(lang, file.bytes)]),
      footer: [[t.total, size(lang, f.totalBytes)]],
    }),
    el("p", { class: "quiet" }, t.deletionsNote),
  );
}

async function showRegister(lang: Lang): Promise<void> {
  const t = sobriete[lang];
  const body = document.getElementById("register-body");
  if (!body) return;
  const answer = await load<Register>(lang, "/api/v1/personal-data/register");
  if (!answer.ok) {
    replaceChildren(body, el("p", {}, answer.forbidden ? t.forbidden : t.loadFailed));
    return;
  }
  const r = answer.value;
  if (r.entries.length === 0) {
    replaceChildren(body, el("p", {}, t.registerEmpty));
    return;
  }
  replaceChildren(
    body,
    dataTable({
      id: "register-table",
      caption: fill(t.registerCaption, { controller: r.controller.name }),
      columns: [
        { header: t.colField },
        { header: t.colContract },
        { header: t.colPurpose },
        { header: t.colLegalBasis },
        { header: t.colRetention },
        { header: t.colRecipients },
        { header: t.colTransfers },
        { header: t.colVersions },
      ],
      rows: r.entries.map((e) => registerRow(t, e)),
    }),
  );
}

function registerRow(t: Words, e: Entry): Cell[] {
  const recipients = e.recipients.map((role) => t[`role_${role}`]).join(", ");
  return [
    el("code", {}, e.field),
    `${e.contractName} (${e.contractId})`,
    e.purpose ?? t.notCollected,
    e.legalBasisIsDefault ? fill(t.defaultBasis, { basis: e.legalBasis }) : e.legalBasis,
    fill(t.retentionShort, {
      raw: duration(t, e.retention.rawDays),
      hourly: duration(t, e.retention.hourlyDays),
      daily: duration(t, e.retention.dailyDays),
    }),
    `${recipients} — ${t.neverPublished}`,
    `${e.hostingLocation} — ${e.transfersOutsideEu === "aucun" ? t.no : e.transfersOutsideEu}`,
    e.versions.join(", "),
  ];
}

function duration(t: Words, days: number): string {
  return days % 365 === 0 ? fill(t.years, { n: days / 365 }) : fill(t.days, { n: days });
}

function locale(lang: Lang): string {
  return lang === "fr" ? "fr-FR" : "en-GB";
}

function number(lang: Lang): (v: number) => string {
  const format = new Intl.NumberFormat(locale(lang));
  return (v) => format.format(v);
}

function monthName(lang: Lang, year: number, month: number): string {
  return new Date(Date.UTC(year, month, 1)).toLocaleDateString(locale(lang), {
    month: "long",
    timeZone: "UTC",
  });
}

function size(lang: Lang, bytes: number): string {
  const units = lang === "fr" ? ["o", "Kio", "Mio", "Gio"] : ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 ? String(value) : value.toLocaleString(locale(lang), { maximumFractionDigits: 1 });
  return `${shown} ${units[unit]}`;
}

void main();
