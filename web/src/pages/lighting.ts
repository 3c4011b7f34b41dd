import { replaceChildren } from "../dom.ts";
import { barChart } from "../domains/bars.ts";
import { euros, number, percent } from "../domains/format.ts";
import { fieldValue, load, setFieldValue } from "../domains/load.ts";
import { defaultEnergyDays, type EnergyForm, energyPath, type GroupBy } from "../domains/params.ts";
import { type Cell, dataTable } from "../domains/table.ts";
import type { EnergyAnswer, EnergyGroup, EnergySavings } from "../domains/types.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { lighting } from "../i18n/lighting.ts";
import { setUpPage } from "../page.ts";
import { mountShell } from "../shell.ts";

/**
 * The energy manager's page (`/eclairage`, `/lighting` in English): the streetlights' kWh over a
 * period against a reference period, per lamp, cabinet or commune, with the kWh and euros saved at
 * the tariff typed (`GET /api/v1/lighting/energy`). A bar chart of the kWh saved, whose text
 * alternative is the table.
 */

const GROUP_WORD = { lamp: "byLamp", cabinet: "byCabinet", commune: "byCommune" } as const;

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/lighting"]);
  setUpPage(lang, lighting[lang]);
  const form = document.getElementById("energy-form");
  if (!(form instanceof HTMLFormElement)) return;
  const days = defaultEnergyDays(Date.now());
  setFieldValue("from", days.from);
  setFieldValue("to", days.to);
  setFieldValue("reference-from", days.referenceFrom);
  setFieldValue("reference-to", days.referenceTo);
  setFieldValue("tariff", lang === "fr" ? "0,20" : "0.20");
  await mountShell({ active: "lighting", lang });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void compute(lang);
  });
}

function readForm(): EnergyForm {
  const groupBy = fieldValue("group-by");
  return {
    from: fieldValue("from"),
    to: fieldValue("to"),
    referenceFrom: fieldValue("reference-from"),
    referenceTo: fieldValue("reference-to"),
    groupBy: groupBy === "lamp" || groupBy === "cabinet" ? groupBy : "commune",
    tariff: fieldValue("tariff"),
  };
}

const INVALID = { period: "invalidPeriod", reference: "invalidReference", tariff: "invalidTariff" } as const;
const INVALID_FIELD = { period: "from", reference: "reference-from", tariff: "tariff" } as const;

async function compute(lang: Lang): Promise<void> {
  const t = lighting[lang];
  const error = document.getElementById("form-error");
  const status = document.getElementById("status");
  if (!error || !status) return;
  for (const id of ["from", "reference-from", "tariff"])
    document.getElementById(id)?.removeAttribute("aria-invalid");
  const form = readForm();
  const asked = energyPath(form);
  if ("invalid" in asked) {
    error.textContent = t[INVALID[asked.invalid]];
    const field = document.getElementById(INVALID_FIELD[asked.invalid]);
    field?.setAttribute("aria-invalid", "true");
    field?.focus();
    return;
  }
  error.textContent = "";
  status.textContent = t.loading;
  const answer = await load<EnergyAnswer>(lang, asked.path);
  if (!answer.ok) {
    status.textContent = answer.forbidden ? t.forbidden : t.loadFailed;
    return;
  }
  const energy = answer.value;
  status.textContent = fill(t.loaded, {
    count: energy.groups.length,
    days: energy.days,
    referenceDays: energy.referenceDays,
  });
  render(lang, energy, form.groupBy);
}

function render(lang: Lang, energy: EnergyAnswer, groupBy: GroupBy): void {
  const t = lighting[lang];
  const results = document.getElementById("results");
  const chart = document.getElementById("chart");
  const table = document.getElementById("table");
  const scaling = document.getElementById("scaling");
  if (!results || !chart || !table || !scaling) return;
  const group = t[GROUP_WORD[groupBy]];
  const name = (g: EnergyGroup) => (g.key === "(none)" ? t.none : g.key);
  scaling.textContent = fill(t.scaling, { tariff: number(lang, energy.tariffEurPerKwh, 2) });
  replaceChildren(
    table,
    dataTable({
      id: "energy-table",
      caption: fill(t.caption, { group }),
      columns: [
        { header: t.colGroup },
        { header: t.colLamps, numeric: true },
        { header: t.colKwh, numeric: true },
        { header: t.colReference, numeric: true },
        { header: t.colSaved, numeric: true },
        { header: t.colPercent, numeric: true },
        { header: t.colEur, numeric: true },
      ],
      rows: energy.groups.map((g) => figures(lang, name(g), g)),
      footer: [figures(lang, t.total, energy.total)],
    }),
  );
  replaceChildren(
    chart,
    barChart({
      title: fill(t.chartTitle, { group }),
      describedBy: "energy-table",
      bars: energy.groups.map((g) => ({
        label: name(g),
        value: g.savedKwh,
        text: number(lang, g.savedKwh, 1),
      })),
    }),
  );
  results.hidden = false;
}

function figures(lang: Lang, name: string, s: EnergySavings): Cell[] {
  return [
    name,
    String(s.lamps),
    number(lang, s.period.kwh, 1),
    number(lang, s.referenceScaledKwh, 1),
    number(lang, s.savedKwh, 1),
    percent(lang, s.savedPercent === null ? null : s.savedPercent / 100, 1),
    euros(lang, s.savedEur),
  ];
}

void main();
