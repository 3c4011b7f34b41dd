import uPlot from "uplot";
import { el } from "../dom.ts";
import { fill, type Lang } from "../i18n/common.ts";
import { device as words } from "../i18n/devices.ts";
import { textTable, when } from "./format.ts";
import { type Band, type FieldSeries, showValue } from "./series.ts";

/**
 * One field's chart (uPlot, drawn on a canvas): the mean line, the min–max band of a rollup, the
 * contract's band limits as dashed lines; drag to zoom, a button resets it. A disclosure follows
 * with the same points as a table, the chart's text alternative.
 */

const INK = "#000091";
const SPREAD = "rgba(0, 0, 145, 0.15)";
const LIMIT = "#b34000";

export interface ChartOptions {
  lang: Lang;
  /** A number for the element ids (never data). */
  index: number;
  series: FieldSeries;
  unit: string | undefined;
  bands: readonly Band[];
}

export function fieldChart(o: ChartOptions): HTMLElement {
  const t = words[o.lang];
  const { series } = o;
  const title = o.unit ? `${series.field} (${o.unit})` : series.field;
  const headingId = `courbe-${o.index}-titre`;
  const plot = el("div", {
    class: "chart-plot",
    role: "img",
    "aria-label": fill(t.chartLabel, { field: series.field }),
  });
  const reset = el("button", { type: "button", class: "button-quiet", "data-action": "reset-zoom" }, t.reset);
  const figure = el(
    "section",
    { class: "chart", "aria-labelledby": headingId },
    el("h3", { id: headingId }, title),
    bandText(o.lang, o.bands, o.unit),
    plot,
    el("p", { class: "chart-tools" }, el("span", { class: "quiet" }, t.zoomHint), " ", reset),
    dataDisclosure(o),
  );
  // uPlot measures its container: draw once the section is in the document.
  queueMicrotask(() => {
    const chart = new uPlot(plotOptions(o, plot.clientWidth || 640), data(series), plot);
    reset.addEventListener("click", () => {
      const first = series.times[0];
      const last = series.times.at(-1);
      if (first !== undefined && last !== undefined) chart.setScale("x", { min: first, max: last });
    });
  });
  return figure;
}

function data(s: FieldSeries): uPlot.AlignedData {
  return s.spread ? [s.times, s.mean, s.min, s.max] : [s.times, s.mean];
}

function plotOptions(o: ChartOptions, width: number): uPlot.Options {
  const t = words[o.lang];
  const series: uPlot.Series[] = [
    {},
    { label: t.colMean, stroke: INK, width: 2, points: { show: true, size: 5 } },
  ];
  if (o.series.spread) {
    series.push({ label: t.colMin, stroke: SPREAD, width: 1 }, { label: t.colMax, stroke: SPREAD, width: 1 });
  }
  return {
    width,
    height: 260,
    legend: { show: false },
    cursor: { drag: { x: true, y: false, setScale: true } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => yRange(min, max, o.bands) } },
    axes: [{}, { size: 60 }],
    series,
    ...(o.series.spread ? { bands: [{ series: [3, 2], fill: SPREAD }] } : {}),
    hooks: { draw: [(u) => drawLimits(u, o.bands)] },
  };
}

/** The values and the contract's limits in view, with a little room around them. */
function yRange(min: number, max: number, bands: readonly Band[]): uPlot.Range.MinMax {
  let lo = min;
  let hi = max;
  for (const b of bands) {
    if (b.min !== undefined) lo = Math.min(lo, b.min);
    if (b.max !== undefined) hi = Math.max(hi, b.max);
  }
  const pad = hi === lo ? Math.abs(hi) * 0.1 || 1 : (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

/** The contract's band limits, dashed lines across the plot. */
function drawLimits(u: uPlot, bands: readonly Band[]): void {
  const ctx = u.ctx;
  const { left, width } = u.bbox;
  ctx.save();
  ctx.strokeStyle = LIMIT;
  ctx.lineWidth = 2 * uPlot.pxRatio;
  ctx.setLineDash([8 * uPlot.pxRatio, 6 * uPlot.pxRatio]);
  for (const b of bands) {
    for (const v of [b.min, b.max]) {
      if (v === undefined) continue;
      const y = Math.round(u.valToPos(v, "y", true));
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** The contract's band said in words, beside the dashed lines that draw it. */
function bandText(lang: Lang, bands: readonly Band[], unit: string | undefined): HTMLElement | null {
  if (bands.length === 0) return null;
  const t = words[lang];
  const parts = bands.map((b) =>
    [
      b.min !== undefined ? fill(t.bandMin, { value: showValue(b.min, unit) }) : null,
      b.max !== undefined ? fill(t.bandMax, { value: showValue(b.max, unit) }) : null,
    ]
      .filter((p): p is string => p !== null)
      .join(", "),
  );
  return el(
    "p",
    { class: "chart-band" },
    el("span", { class: "band-key", "aria-hidden": "true" }),
    `${t.band} : ${parts.join(" ; ")}`,
  );
}

/** "Voir les données": a button that shows the table of the chart's points. */
function dataDisclosure(o: ChartOptions): HTMLElement {
  const t = words[o.lang];
  const tableId = `courbe-${o.index}-donnees`;
  const button = el(
    "button",
    {
      type: "button",
      class: "button-quiet",
      "aria-expanded": "false",
      "aria-controls": tableId,
      "data-toggle": "data",
    },
    t.showData,
  );
  const holder = el("div", { id: tableId, class: "table-scroll", hidden: "" }, pointsTable(o));
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    holder.hidden = !open;
  });
  return el("div", { class: "chart-data" }, button, holder);
}

function pointsTable(o: ChartOptions): HTMLTableElement {
  const t = words[o.lang];
  const s = o.series;
  const value = (v: number | null | undefined): string =>
    v === null || v === undefined ? "" : showValue(v, o.unit);
  const time = (i: number): string => when(new Date((s.times[i] ?? 0) * 1000).toISOString(), o.lang);
  const caption = o.unit ? `${s.field} (${o.unit})` : s.field;
  if (!s.spread) {
    return textTable(
      caption,
      [t.colTime, t.colValue],
      s.times.map((_, i) => [time(i), value(s.mean[i])]),
    );
  }
  return textTable(
    caption,
    [t.colTime, t.colMean, t.colMin, t.colMax],
    s.times.map((_, i) => [time(i), value(s.mean[i]), value(s.min[i]), value(s.max[i])]),
  );
}
