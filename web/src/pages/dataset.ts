import { ApiError, getJson } from "../api.ts";
import { el, replaceChildren } from "../dom.ts";
import { type Lang, pageLang } from "../i18n/common.ts";
import { community } from "../i18n/community.ts";
import { dataset as words } from "../i18n/opendata.ts";
import { figureChart } from "../opendata/chart.ts";
import { showCommunity } from "../opendata/community.ts";
import { figuresTable } from "../opendata/figures-table.ts";
import { cataloguePath, reusesPath } from "../opendata/format.ts";
import { mapCaption, placeMap } from "../opendata/map.ts";
import { changelog, downloads, metadata } from "../opendata/sections.ts";
import { chartData, windowStart } from "../opendata/series.ts";
import {
  type Changelog,
  type Dataset,
  type FeatureCollection,
  type FigureRecord,
  OPEN,
  type RecordsPage,
} from "../opendata/types.ts";
import { setUpPage } from "../page.ts";

/**
 * A dataset's public page (`/donnees/<id>`, `/data/<id>` in English): its description and
 * metadata, a chart of its values over time, a map of the latest period, every figure as a paged
 * table, its downloads and its changelog. It reads the open channel only (`/opendata/…`), the
 * same as any re-user; a dataset that is not published reads as not found.
 */

/** Records read for the chart at most (pages of 1000). */
const CHART_PAGES = 10;
const CHANGELOG_LIMIT = 20;

function idFromPath(pathname: string): string {
  const last = pathname.split("/").filter(Boolean).at(-1) ?? "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

async function main(): Promise<void> {
  const english = window.location.pathname.startsWith("/data/");
  const lang = pageLang(window.location, english ? [window.location.pathname] : []);
  const t = words[lang];
  setUpPage(lang, { ...community[lang], ...t });
  for (const id of ["back", "not-found-link"]) byId(id).setAttribute("href", cataloguePath(lang));
  byId("all-reuses").setAttribute("href", reusesPath(lang));
  const id = idFromPath(window.location.pathname);
  const status = byId("status");
  status.textContent = t.loading;
  let d: Dataset;
  try {
    d = await getJson<Dataset>(OPEN.dataset(id));
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) notFound(lang);
    else status.textContent = t.loadFailed;
    return;
  }
  byId("heading").textContent = d.title;
  document.title = `${d.title} — Lanterne`;
  replaceChildren(byId("about"), ...metadata(d, lang));
  replaceChildren(byId("downloads"), ...downloads(d, lang));
  for (const section of document.querySelectorAll<HTMLElement>("[data-od-section]")) section.hidden = false;
  status.textContent = "";
  figuresTable(byId("figures"), { lang, id: d.id, unit: d.unit, granularity: d.granularity });
  const names = new Map<string, string>();
  await Promise.all([showChart(d, lang, names), showMap(d, lang, names), showReusers(d.id, lang)]);
  await showChangelog(d, lang, names);
}

/** The re-users' sections: published reuses, answered questions, and their two forms. */
function showReusers(id: string, lang: Lang): Promise<void> {
  return showCommunity(id, lang, {
    reuses: byId("reuses"),
    questions: byId("questions"),
    reuseForm: formById("reuse-form"),
    reuseResult: byId("reuse-result"),
    questionForm: formById("question-form"),
    questionResult: byId("question-result"),
  });
}

function formById(id: string): HTMLFormElement {
  const node = byId(id);
  if (!(node instanceof HTMLFormElement)) throw new Error(`#${id} is not a form`);
  return node;
}

function notFound(lang: Lang): void {
  const t = words[lang];
  byId("heading").textContent = t.notFound;
  document.title = `${t.notFound} — Lanterne`;
  byId("status").textContent = "";
  byId("not-found").hidden = false;
}

async function showChart(d: Dataset, lang: Lang, names: Map<string, string>): Promise<void> {
  const holder = byId("chart");
  const t = words[lang];
  if (d.last_period === null) {
    replaceChildren(holder, el("p", {}, t.chartNone));
    return;
  }
  try {
    const records = await windowRecords(d.id, windowStart(d.last_period, d.granularity));
    for (const r of records) names.set(r.place_code, r.place_name);
    const data = chartData(records);
    replaceChildren(
      holder,
      figureChart({ lang, title: d.title, unit: d.unit, granularity: d.granularity, data }),
    );
  } catch {
    replaceChildren(holder, el("p", {}, t.loadFailed));
  }
}

async function windowRecords(id: string, from: string): Promise<FigureRecord[]> {
  const records: FigureRecord[] = [];
  for (let page = 0; page < CHART_PAGES; page++) {
    const query = new URLSearchParams({ from, limit: "1000", offset: String(page * 1000) });
    const answer = await getJson<RecordsPage>(OPEN.records(id, query));
    records.push(...answer.records);
    if (records.length >= answer.total || answer.records.length === 0) break;
  }
  return records;
}

/**
 * The latest period's places come from the GeoJSON download, the only public answer that carries
 * geometries (which the API counts as a download).
 */
async function showMap(d: Dataset, lang: Lang, names: Map<string, string>): Promise<void> {
  const t = words[lang];
  const caption = byId("map-caption");
  const container = byId("od-map");
  const o = { lang, unit: d.unit, granularity: d.granularity };
  if (d.last_period === null) {
    caption.textContent = t.chartNone;
    container.hidden = true;
    return;
  }
  try {
    const query = new URLSearchParams({ from: d.last_period });
    const collection = await getJson<FeatureCollection>(
      `${OPEN.download(d.id, "geojson")}?${query.toString()}`,
    );
    for (const f of collection.features) names.set(f.properties.place_code, f.properties.place_name);
    const placed = collection.features.some((f) => f.geometry !== null);
    caption.textContent = placed ? mapCaption(d.last_period, o) : t.mapNone;
    placeMap(container, byId("map-legend"), byId("map-others"), collection, o);
  } catch {
    caption.textContent = t.loadFailed;
    container.hidden = true;
  }
}

async function showChangelog(d: Dataset, lang: Lang, names: ReadonlyMap<string, string>): Promise<void> {
  const holder = byId("changelog");
  try {
    const log = await getJson<Changelog>(OPEN.changelog(d.id, CHANGELOG_LIMIT));
    replaceChildren(holder, changelog(log, names, d, lang));
  } catch {
    replaceChildren(holder, el("p", {}, words[lang].loadFailed));
  }
}

void main();
