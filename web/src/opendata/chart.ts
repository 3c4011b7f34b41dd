import uPlot from "uplot";
import { el, replaceChildren } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { dataset as words } from "../i18n/opendata.ts";
import { showNumber, showPeriod } from "./format.ts";
import { type ChartData, MAX_SERIES, type PlaceSeries } from "./series.ts";

/**
 * The values over time (uPlot, on a canvas): one line per place, each with its colour and its
 * dash so that no line depends on telling colours apart, or one place at a time chosen in a list
 * when there are many. Figures under statistical secrecy are nulls: the line breaks, and the
 * caption says so. The table of the page is the chart's text alternative.
 */

/** Eight colours at least 4.5:1 on white; the dash tells the lines apart without colour. */
const COLOURS = ["#000091", "#b34000", "#1b6e33", "#a10e4f", "#00749b", "#7a4f00", "#6e445a", "#4f5358"];
const DASHES: number[][] = [[], [10, 5], [3, 4], [12, 4, 3, 4], [], [10, 5], [3, 4], [12, 4, 3, 4]];

export interface ChartOptions {
  lang: Lang;
  title: string;
  unit: string;
  granularity: string;
  data: ChartData;
}

export function figureChart(o: ChartOptions): HTMLElement {
  const t = words[o.lang];
  const { data } = o;
  if (data.times.length === 0) return el("p", {}, t.chartNone);
  const plot = el("div", {
    class: "od-plot",
    role: "img",
    "aria-label": fill(t.chartLabel, { title: o.title }),
  });
  const legend = el("ul", { class: "od-legend-lines" });
  const first = data.times[0] ?? 0;
  const last = data.times.at(-1) ?? 0;
  const parts: Array<HTMLElement | null> = [
    el(
      "p",
      {},
      fill(t.chartWindow, {
        from: showPeriod(new Date(first * 1000).toISOString(), o.granularity, o.lang),
        to: showPeriod(new Date(last * 1000).toISOString(), o.granularity, o.lang),
        n: data.times.length,
      }),
    ),
  ];
  let chart: uPlot | undefined;
  const draw = (places: readonly PlaceSeries[]) => {
    chart?.destroy();
    replaceChildren(legend, ...places.map((p, i) => legendItem(p, i, o.lang)));
    // uPlot measures its container: draw once the figure is in the document.
    queueMicrotask(() => {
      chart = new uPlot(plotOptions(o, places, plot.clientWidth || 640), columns(data.times, places), plot);
    });
  };
  if (data.places.length > MAX_SERIES) parts.push(placeChooser(o, (p) => draw([p])));
  const figure = el(
    "figure",
    { class: "od-chart" },
    plot,
    legend,
    el(
      "figcaption",
      {},
      t.chartCaption,
      data.hidden > 0 ? ` ${fill(t.chartHidden, { n: data.hidden })}` : "",
    ),
  );
  draw(data.places.length > MAX_SERIES ? data.places.slice(0, 1) : data.places);
  return el("div", {}, ...parts, figure);
}

function columns(times: number[], places: readonly PlaceSeries[]): uPlot.AlignedData {
  return [times, ...places.map((p) => p.values)];
}

function legendItem(p: PlaceSeries, i: number, lang: Lang): HTMLElement {
  const drawn = p.values.some((v) => v !== null);
  return el(
    "li",
    {},
    el("span", { class: `od-key od-key-${i % COLOURS.length}`, "aria-hidden": "true" }),
    drawn ? p.name : fill(words[lang].chartAllHidden, { name: p.name }),
  );
}

/** A list of the places when there are too many lines for one chart. */
function placeChooser(o: ChartOptions, show: (p: PlaceSeries) => void): HTMLElement {
  const t = words[o.lang];
  const select = el(
    "select",
    { id: "chart-place", name: "place" },
    ...o.data.places.map((p, i) => el("option", { value: String(i) }, p.name)),
  );
  select.addEventListener("change", () => {
    const place = o.data.places[Number(select.value)];
    if (place) show(place);
  });
  return el("div", { class: "field" }, el("label", { for: "chart-place" }, t.chartPlace), select);
}

function plotOptions(o: ChartOptions, places: readonly PlaceSeries[], width: number): uPlot.Options {
  const series: uPlot.Series[] = [
    {},
    ...places.map((p, i) => ({
      label: p.name,
      stroke: COLOURS[i % COLOURS.length],
      dash: DASHES[i % DASHES.length],
      width: 2,
      spanGaps: false,
      points: { show: true, size: 6 },
      value: (_u: uPlot, v: number | null) => (v === null ? "—" : showNumber(v, o.unit, o.lang)),
    })),
  ];
  return {
    width,
    height: 280,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    // Periods are UTC buckets: the axis reads them in UTC, with the page's month names.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "UTC"),
    fmtDate: (template) => uPlot.fmtDate(template, dateNames(o.lang)),
    scales: { x: { time: true } },
    axes: [{}, { size: 64, values: (_u, splits) => splits.map((v) => showNumber(v, o.unit, o.lang)) }],
    series,
  };
}

function dateNames(lang: Lang): uPlot.DateNames {
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  const month = (style: "long" | "short") =>
    Array.from({ length: 12 }, (_, m) =>
      new Date(Date.UTC(2024, m, 1)).toLocaleString(locale, { month: style, timeZone: "UTC" }),
    );
  // 7 January 2024 was a Sunday: uPlot's weekdays start on Sunday.
  const weekday = (style: "long" | "short") =>
    Array.from({ length: 7 }, (_, d) =>
      new Date(Date.UTC(2024, 0, 7 + d)).toLocaleString(locale, { weekday: style, timeZone: "UTC" }),
    );
  return { MMMM: month("long"), MMM: month("short"), WWWW: weekday("long"), WWW: weekday("short") };
}
