import { el, replaceChildren } from "../dom.ts";
import { day, number } from "../domains/format.ts";
import { lineChart } from "../domains/line-chart.ts";
import { fieldValue, load, setFieldValue } from "../domains/load.ts";
import { dayOf, dayRange, trendRising } from "../domains/params.ts";
import { dataTable } from "../domains/table.ts";
import type { FlowMeter, WaterAnswer, WaterSector } from "../domains/types.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { water } from "../i18n/water.ts";
import { setUpPage } from "../page.ts";
import { mountShell } from "../shell.ts";

/**
 * The water technician's page (`/eau`, `/water` in English): per sector of the network its
 * pressure (mean, min, max) and, per flow meter, the least flow of each night with its trend
 * (`GET /api/v1/water/sectors`). A rising trend is said in words, not only in colour.
 */

const DAY_MS = 86_400_000;

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/water"]);
  setUpPage(lang, water[lang]);
  const form = document.getElementById("water-form");
  if (!(form instanceof HTMLFormElement)) return;
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  setFieldValue("from", dayOf(today - 27 * DAY_MS));
  setFieldValue("to", dayOf(today));
  await mountShell({ active: "water", lang });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void show(lang);
  });
  await show(lang);
}

async function show(lang: Lang): Promise<void> {
  const t = water[lang];
  const error = document.getElementById("form-error");
  const status = document.getElementById("status");
  if (!error || !status) return;
  const range = dayRange(fieldValue("from"), fieldValue("to"));
  if (range === undefined) {
    error.textContent = t.invalidPeriod;
    document.getElementById("from")?.setAttribute("aria-invalid", "true");
    return;
  }
  document.getElementById("from")?.removeAttribute("aria-invalid");
  error.textContent = "";
  status.textContent = t.loading;
  const answer = await load<WaterAnswer>(lang, `/api/v1/water/sectors?${new URLSearchParams(range)}`);
  if (!answer.ok) {
    status.textContent = answer.forbidden ? t.forbidden : t.loadFailed;
    return;
  }
  const sectors = answer.value.sectors;
  status.textContent =
    sectors.length === 0 ? t.noSectors : fill(t.loaded, { count: sectors.length, days: answer.value.days });
  renderPressure(lang, sectors);
  renderFlow(lang, answer.value);
}

function sectorName(lang: Lang, sector: string): string {
  return sector === "(none)" ? water[lang].none : sector;
}

function renderPressure(lang: Lang, sectors: WaterSector[]): void {
  const t = water[lang];
  const section = document.getElementById("pressure");
  const holder = document.getElementById("pressure-table");
  if (!section || !holder) return;
  replaceChildren(
    holder,
    dataTable({
      id: "pressure-sectors",
      caption: t.pressureCaption,
      columns: [
        { header: t.colSector },
        { header: t.colCommunes },
        { header: t.colSensors, numeric: true },
        { header: t.colMean, numeric: true },
        { header: t.colMin, numeric: true },
        { header: t.colMax, numeric: true },
      ],
      rows: sectors.map((s) => [
        sectorName(lang, s.sector),
        s.communes.join(", "),
        `${s.pressure.sensors} (${s.pressure.sensorsReporting})`,
        number(lang, s.pressure.mean, 2),
        number(lang, s.pressure.min, 2),
        number(lang, s.pressure.max, 2),
      ]),
    }),
  );
  section.hidden = false;
}

function renderFlow(lang: Lang, answer: WaterAnswer): void {
  const t = water[lang];
  const section = document.getElementById("flow");
  const intro = document.getElementById("flow-intro");
  const holder = document.getElementById("meters");
  if (!section || !intro || !holder) return;
  intro.textContent = fill(t.flowIntro, {
    start: answer.night.startHour,
    end: answer.night.endHour,
    zone: answer.night.timeZone,
  });
  let index = 0;
  const articles: HTMLElement[] = [];
  for (const sector of answer.sectors) {
    for (const meter of sector.flow.meters) articles.push(meterView(lang, sector, meter, index++));
  }
  replaceChildren(holder, ...(articles.length > 0 ? articles : [el("p", {}, t.noMeters)]));
  section.hidden = false;
}

/** One flow meter: its trend in words, its chart, and the table of its nights (ids from the index). */
function meterView(lang: Lang, sector: WaterSector, meter: FlowMeter, index: number): HTMLElement {
  const t = water[lang];
  const rising = trendRising(meter.trendM3hPerDay);
  const trend = number(lang, meter.trendM3hPerDay, 2);
  const tableId = `compteur-${index}-nuits`;
  const trendText =
    meter.trendM3hPerDay === null ? t.trendUnknown : fill(rising ? t.trendRising : t.trendSteady, { trend });
  return el(
    "article",
    { class: "meter", "data-device": meter.device, "aria-labelledby": `compteur-${index}-titre` },
    el(
      "h3",
      { id: `compteur-${index}-titre` },
      fill(t.meterTitle, {
        device: meter.device,
        sector: sectorName(lang, sector.sector),
        commune: meter.commune,
      }),
    ),
    el("p", { class: rising ? "trend trend-rising" : "trend", "data-rising": String(rising) }, trendText),
    meter.nights.length > 0
      ? lineChart({
          label: fill(t.chartLabel, { device: meter.device }),
          describedBy: tableId,
          unit: "m³/h",
          rising,
          dayLabel: (date) => day(lang, date),
          points: meter.nights.map((n) => ({ day: n.night, value: n.minFlowM3h })),
        })
      : null,
    meter.nights.length === 0
      ? el("p", {}, t.noNights)
      : dataTable({
          id: tableId,
          caption: fill(t.nightsCaption, { device: meter.device }),
          columns: [{ header: t.colNight }, { header: t.colMinFlow, numeric: true }],
          rows: meter.nights.map((n) => [day(lang, n.night), number(lang, n.minFlowM3h, 2)]),
        }),
  );
}

void main();
