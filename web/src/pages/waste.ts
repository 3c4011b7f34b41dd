import { el, replaceChildren } from "../dom.ts";
import { dateTime, MISSING, percent } from "../domains/format.ts";
import { fieldValue, load } from "../domains/load.ts";
import { choices, toCollectPath, type WasteFilters } from "../domains/params.ts";
import { dataTable } from "../domains/table.ts";
import type { Container, ToCollectAnswer } from "../domains/types.ts";
import { fill, type Lang, pageLang } from "../i18n/common.ts";
import { waste } from "../i18n/waste.ts";
import { setUpPage } from "../page.ts";
import { mountShell } from "../shell.ts";

/**
 * The waste collector's page (`/dechets`, `/waste` in English): the containers to collect sorted
 * by predicted-full date (`GET /api/v1/waste/to-collect`, which an operator answers with its own
 * containers only), the round's criteria, and the same list to download as CSV or GeoJSON with the
 * same criteria (`format=csv|geojson`).
 */

async function main(): Promise<void> {
  const lang = pageLang(window.location, ["/waste"]);
  setUpPage(lang, waste[lang]);
  const form = document.getElementById("waste-form");
  if (!(form instanceof HTMLFormElement)) return;
  await mountShell({ active: "waste", lang });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void show(lang);
  });
  await Promise.all([fillChoices(lang), show(lang)]);
}

function readFilters(): WasteFilters {
  const all = document.getElementById("all");
  return {
    thresholdPercent: fieldValue("threshold"),
    horizonDays: fieldValue("horizon"),
    commune: fieldValue("commune"),
    stream: fieldValue("stream"),
    all: all instanceof HTMLInputElement && all.checked,
  };
}

/** The communes and streams of the containers the person may see, as the filters' choices. */
async function fillChoices(lang: Lang): Promise<void> {
  const answer = await load<ToCollectAnswer>(lang, "/api/v1/waste/to-collect?all=true&format=json");
  if (!answer.ok) return;
  const { containers } = answer.value;
  addOptions("commune", choices(containers.map((c) => c.commune)));
  addOptions("stream", choices(containers.map((c) => c.stream)));
}

function addOptions(id: string, values: string[]): void {
  const select = document.getElementById(id);
  if (!(select instanceof HTMLSelectElement)) return;
  for (const value of values) select.appendChild(el("option", { value }, value));
}

async function show(lang: Lang): Promise<void> {
  const t = waste[lang];
  const status = document.getElementById("status");
  const list = document.getElementById("list");
  if (!status || !list) return;
  const filters = readFilters();
  setDownload("download-csv", toCollectPath(filters, "csv"));
  setDownload("download-geojson", toCollectPath(filters, "geojson"));
  status.textContent = t.loading;
  const answer = await load<ToCollectAnswer>(lang, toCollectPath(filters, "json"));
  if (!answer.ok) {
    status.textContent = answer.forbidden ? t.forbidden : t.loadFailed;
    replaceChildren(list);
    return;
  }
  const { containers, count } = answer.value;
  status.textContent = filters.all
    ? fill(t.loadedAll, { count, shown: containers.length })
    : fill(t.loaded, { count });
  replaceChildren(list, containers.length === 0 ? el("p", {}, t.empty) : containerTable(lang, containers));
}

function setDownload(id: string, href: string): void {
  document.getElementById(id)?.setAttribute("href", href);
}

function containerTable(lang: Lang, containers: Container[]): HTMLElement {
  const t = waste[lang];
  return dataTable({
    id: "containers",
    caption: t.caption,
    columns: [
      { header: t.colContainer },
      { header: t.colCommune },
      { header: t.colStream },
      { header: t.colLevel, numeric: true },
      { header: t.colRate, numeric: true },
      { header: t.colFull },
      { header: t.colCollect },
    ],
    rows: containers.map((c) => [
      c.device,
      c.commune,
      c.stream ?? MISSING,
      percent(lang, c.fillingLevel),
      c.fillRatePerDay === null ? MISSING : percent(lang, c.fillRatePerDay, 1),
      fullOn(lang, c),
      el("span", { class: c.toCollect ? "collect-yes" : "collect-no" }, c.toCollect ? t.yes : t.no),
    ]),
  });
}

/** The predicted-full date; a container whose level does not rise has none, one without a rate is unknown. */
function fullOn(lang: Lang, c: Container): string {
  if (c.predictedFullAt !== null) return dateTime(lang, c.predictedFullAt);
  return c.fillRatePerDay === null ? MISSING : waste[lang].notRising;
}

void main();
