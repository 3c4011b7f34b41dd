import sharp from "sharp";
import type { Granularity } from "../contracts/model.ts";
import type { EpochMs } from "../domain/types.ts";
import { bucketStart } from "./periods.ts";
import type { OpenDataService } from "./service.ts";
import type { PublishedTable } from "./table.ts";

/**
 * A published dataset as a line chart (`value` over `period_start`, one line per place), written
 * as SVG text and rendered to PNG by sharp (librsvg), for thumbnails and social previews, with an
 * alt text that says in words what the picture shows. A value under statistical secrecy (null)
 * breaks its line: a gap, never a line drawn through a value nobody may see.
 *
 * Text needs a font: librsvg asks fontconfig, so the host needs one installed (Debian:
 * fonts-dejavu-core); without any, the chart draws its lines and no text.
 */
export type ChartLang = "fr" | "en";
export type ChartSizeName = "thumbnail" | "social";

export interface ChartSize {
  width: number;
  height: number;
}

export interface ChartOptions extends ChartSize {
  title: string;
  /** The value's unit as the dataset's Table Schema says it ("%", "kWh", "1" for a ratio). */
  unit: string;
  lang: ChartLang;
}

export const socialPreviewSize: ChartSize = { width: 1200, height: 630 };
export const thumbnailSize: ChartSize = { width: 400, height: 250 };
export const CHART_SIZES: Readonly<Record<ChartSizeName, ChartSize>> = {
  thumbnail: thumbnailSize,
  social: socialPreviewSize,
};

/** Lines drawn at most: more would be a tangle nobody reads; the alt text counts the others. */
export const MAX_SERIES = 8;
export const FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, sans-serif";
/** Line colours, each at least 4.5:1 on white (WCAG 1.4.11 asks 3:1 of graphics), told apart by hue. */
export const PALETTE = [
  "#0b5fa5",
  "#c2410c",
  "#047857",
  "#7c3aed",
  "#a16207",
  "#be185d",
  "#0e7490",
  "#4b5563",
] as const;

const INK = "#1f2937";
const MUTED = "#4b5563";
const GRID = "#e5e7eb";
/** Average advance of a DejaVu Sans character, in font sizes: to fit text without measuring it. */
const CHAR = 0.6;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Point {
  t: EpochMs;
  end: EpochMs;
  value: number | null;
}

interface Series {
  code: string;
  name: string;
  points: Point[];
  published: number;
}

interface ChartData {
  series: Series[];
  leftOut: number;
  hidden: number;
  total: number;
  granularity: Granularity;
}

// ---------------------------------------------------------------- data

function chartData(table: PublishedTable): ChartData {
  const byPlace = new Map<string, Series>();
  let hidden = 0;
  for (const row of table.rows) {
    const t = Date.parse(String(row.period_start));
    if (Number.isNaN(t)) continue;
    const code = String(row.place_code ?? "");
    const value = typeof row.value === "number" && Number.isFinite(row.value) ? row.value : null;
    if (value === null) hidden++;
    const series = byPlace.get(code) ?? {
      code,
      name: placeName(row.place_name, code),
      points: [],
      published: 0,
    };
    series.points.push({ t, end: Date.parse(String(row.period_end)), value });
    if (value !== null) series.published++;
    byPlace.set(code, series);
  }
  const ranked = [...byPlace.values()].sort(byPublished);
  for (const s of ranked) s.points.sort((a, b) => a.t - b.t);
  const series = ranked.slice(0, MAX_SERIES);
  return {
    series,
    leftOut: ranked.length - series.length,
    hidden,
    total: table.rows.length,
    granularity: granularityOf(series),
  };
}

function placeName(name: unknown, code: string): string {
  return typeof name === "string" && name.trim() !== "" ? name : code;
}

function byPublished(a: Series, b: Series): number {
  return b.published - a.published || a.name.localeCompare(b.name) || a.code.localeCompare(b.code);
}

function granularityOf(series: readonly Series[]): Granularity {
  const p = series[0]?.points[0];
  const span = p ? p.end - p.t : DAY;
  return span <= HOUR ? "hour" : span <= DAY ? "day" : "month";
}

function values(data: ChartData): number[] {
  return data.series.flatMap((s) => s.points.flatMap((p) => (p.value === null ? [] : [p.value])));
}

// ---------------------------------------------------------------- scales and ticks

export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A step of 1, 2, 2.5 or 5 times a power of ten, near `span / count`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return nice * magnitude;
}

/** Round ticks covering [lo, hi]: the domain is widened to the first and last tick. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const [a, b] = lo === hi ? [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1] : [lo, hi];
  const step = niceStep(b - a, count);
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  const ticks: number[] = [];
  // The epsilon keeps a bound that is already a multiple of the step from a float's off-by-one.
  const last = Math.ceil(b / step - 1e-9);
  for (let k = Math.floor(a / step + 1e-9); k <= last; k++) ticks.push(Number((k * step).toFixed(digits)));
  return ticks;
}

/** The value axis's range: zero included when the values are all positive and not far from it. */
function valueDomain(all: readonly number[]): [number, number] {
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  return lo >= 0 && lo <= hi / 2 ? [0, hi] : [lo, hi];
}

/** About `count` of the periods, evenly spread, the first and the last included. */
function timeTicks(times: readonly EpochMs[], count: number): EpochMs[] {
  if (times.length <= count) return [...times];
  const picked = new Set<EpochMs>();
  for (let k = 0; k < count; k++) {
    const t = times[Math.round((k * (times.length - 1)) / Math.max(1, count - 1))];
    if (t !== undefined) picked.add(t);
  }
  return [...picked];
}

// ---------------------------------------------------------------- text

/** Text for XML: the five special characters escaped, characters XML 1.0 forbids replaced. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function truncate(text: string, maxChars: number): string {
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(1, maxChars - 1)).join("")}…`;
}

const locale = (lang: ChartLang) => (lang === "fr" ? "fr-FR" : "en-GB");

export function formatNumber(v: number, lang: ChartLang): string {
  const options: Intl.NumberFormatOptions =
    Math.abs(v) >= 1000 ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: 3 };
  return new Intl.NumberFormat(locale(lang), options).format(v);
}

/** "1" is a ratio's unit: said as nothing. */
function unitLabel(unit: string): string {
  return unit === "1" ? "" : unit.trim();
}

function withUnit(v: number, unit: string, lang: ChartLang): string {
  const u = unitLabel(unit);
  if (u === "") return formatNumber(v, lang);
  return u === "%" && lang === "en" ? `${formatNumber(v, lang)}%` : `${formatNumber(v, lang)}\u00a0${u}`;
}

function formatDate(t: EpochMs, g: Granularity, lang: ChartLang, long: boolean): string {
  const month = long ? "long" : "short";
  const options: Intl.DateTimeFormatOptions =
    g === "month"
      ? { month, year: "numeric" }
      : g === "day"
        ? { day: "numeric", month, ...(long ? { year: "numeric" } : {}) }
        : { day: "numeric", month, hour: "2-digit", minute: "2-digit", ...(long ? { year: "numeric" } : {}) };
  return new Intl.DateTimeFormat(locale(lang), { ...options, timeZone: "UTC" }).format(t);
}

function plural(n: number, lang: ChartLang, one: string, many: string): string {
  return (lang === "fr" ? n <= 1 : n === 1) ? one : many;
}

function list(items: readonly string[], lang: ChartLang): string {
  return new Intl.ListFormat(locale(lang), { style: "long", type: "conjunction" }).format(items);
}

// ---------------------------------------------------------------- alt text

interface Extreme {
  value: number;
  place: string;
  t: EpochMs;
}

function extremes(series: readonly Series[]): { min: Extreme; max: Extreme } | undefined {
  let min: Extreme | undefined;
  let max: Extreme | undefined;
  for (const s of series) {
    for (const p of s.points) {
      if (p.value === null) continue;
      if (!min || p.value < min.value) min = { value: p.value, place: s.name, t: p.t };
      if (!max || p.value > max.value) max = { value: p.value, place: s.name, t: p.t };
    }
  }
  return min && max ? { min, max } : undefined;
}

function lastPublished(s: Series): Point | undefined {
  return s.points.findLast((p) => p.value !== null);
}

const ALT = {
  fr: {
    chart: (title: string) => `Graphique en courbes « ${title} »`,
    empty: "aucune valeur publiée sur la période",
    kind: { hour: "valeurs horaires", day: "valeurs journalières", month: "valeurs mensuelles" },
    span: (a: string, b: string) => (a === b ? `le ${a} (UTC)` : `du ${a} au ${b} (UTC)`),
    places: (n: number) => `${n} ${plural(n, "fr", "lieu", "lieux")}`,
    leftOut: (n: number) =>
      `${n} autre${n > 1 ? "s" : ""} ${plural(n, "fr", "lieu non représenté", "lieux non représentés")}`,
    min: "minimum",
    max: "maximum",
    last: (n: number) => plural(n, "fr", "dernière valeur", "dernières valeurs"),
    hidden: (n: number, total: number) =>
      n === 0
        ? "Aucune valeur n'est masquée par le secret statistique."
        : `${n} ${plural(n, "fr", "valeur", "valeurs")} sur ${total} ${plural(n, "fr", "est masquée", "sont masquées")} par le secret statistique (interruptions des courbes).`,
  },
  en: {
    chart: (title: string) => `Line chart “${title}”`,
    empty: "no published figure over the period",
    kind: { hour: "hourly values", day: "daily values", month: "monthly values" },
    span: (a: string, b: string) => (a === b ? `on ${a} (UTC)` : `from ${a} to ${b} (UTC)`),
    places: (n: number) => `${n} ${plural(n, "en", "place", "places")}`,
    leftOut: (n: number) => `${n} other ${plural(n, "en", "place", "places")} not shown`,
    min: "minimum",
    max: "maximum",
    last: (n: number) => plural(n, "en", "last value", "last values"),
    hidden: (n: number, total: number) =>
      n === 0
        ? "No figure is hidden by statistical secrecy."
        : `${n} of ${total} ${plural(n, "en", "figure is", "figures are")} hidden by statistical secrecy (gaps in the lines).`,
  },
} as const;

function altText(data: ChartData, o: ChartOptions): string {
  const words = ALT[o.lang];
  const found = extremes(data.series);
  const times = data.series.flatMap((s) => s.points.map((p) => p.t));
  const colon = o.lang === "fr" ? "\u00a0: " : ": ";
  if (!found || times.length === 0)
    return `${words.chart(o.title)}${colon}${words.empty}. ${words.hidden(data.hidden, data.total)}`;
  const date = (t: EpochMs) => formatDate(t, data.granularity, o.lang, true);
  const names = data.series.map((s) => s.name);
  const leftOut = data.leftOut > 0 ? ` (${words.leftOut(data.leftOut)})` : "";
  const extreme = (name: string, e: Extreme) =>
    `${name}${colon}${withUnit(e.value, o.unit, o.lang)} (${e.place}, ${date(e.t)})`;
  return [
    `${words.chart(o.title)}, ${words.kind[data.granularity]}, ${words.span(date(Math.min(...times)), date(Math.max(...times)))}.`,
    `${capitalise(words.places(names.length))}${colon}${list(names, o.lang)}${leftOut}.`,
    `${capitalise(extreme(words.min, found.min))}${o.lang === "fr" ? "\u00a0; " : "; "}${extreme(words.max, found.max)}.`,
    lastsSentence(data, o, colon),
    words.hidden(data.hidden, data.total),
  ].join(" ");
}

/** Each place's last published value; the date said once when they all share it. */
function lastsSentence(data: ChartData, o: ChartOptions, colon: string): string {
  const lasts = data.series.flatMap((s) => {
    const p = lastPublished(s);
    return p && p.value !== null ? [{ place: s.name, t: p.t, value: withUnit(p.value, o.unit, o.lang) }] : [];
  });
  const date = (t: EpochMs) => formatDate(t, data.granularity, o.lang, true);
  const head = capitalise(ALT[o.lang].last(lasts.length));
  const shared = lasts.every((l) => l.t === lasts[0]?.t) ? lasts[0]?.t : undefined;
  return shared !== undefined
    ? `${head} (${date(shared)})${colon}${lasts.map((l) => `${l.place} ${l.value}`).join(", ")}.`
    : `${head}${colon}${lasts.map((l) => `${l.place} ${l.value} (${date(l.t)})`).join(", ")}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------- drawing

interface Layout {
  fs: number;
  line: number;
  pad: number;
  titleSize: number;
  legendX: number;
  legendW: number;
  plot: { left: number; right: number; top: number; bottom: number };
}

function layout(o: ChartSize, data: ChartData, yLabelChars: number): Layout {
  const fs = Math.min(28, Math.max(10, Math.round(Math.min(o.width, o.height * 1.9) / 50)));
  const pad = Math.round(fs * 0.8);
  const line = Math.round(fs * 1.4);
  const titleSize = Math.round(fs * 1.3);
  const longest = Math.max(0, ...data.series.map((s) => [...s.name].length));
  const legendW =
    data.series.length === 0
      ? 0
      : Math.min(Math.round(o.width * 0.3), Math.round(fs * (2.2 + longest * CHAR)));
  const legendX = o.width - pad - legendW;
  return {
    fs,
    line,
    pad,
    titleSize,
    legendX,
    legendW,
    plot: {
      left: Math.round(pad + yLabelChars * fs * CHAR + fs * 0.6),
      right: legendW === 0 ? o.width - pad : legendX - fs,
      top: Math.round(pad + titleSize + line * 1.1 + fs),
      bottom: o.height - pad - 3 * line,
    },
  };
}

function text(x: number, y: number, content: string, attrs: string): string {
  return `<text x="${r(x)}" y="${r(y)}" ${attrs}>${escapeXml(content)}</text>`;
}

function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** One path per line, with a new subpath (M) after each hidden or missing period. */
export function seriesPath(
  points: readonly Point[],
  x: (t: number) => number,
  y: (v: number) => number,
): string {
  const parts: string[] = [];
  let previous: Point | undefined;
  for (const p of points) {
    if (p.value === null) {
      previous = undefined;
      continue;
    }
    const joined = previous !== undefined && previous.end === p.t;
    parts.push(`${joined ? "L" : "M"}${r(x(p.t))} ${r(y(p.value))}`);
    previous = p;
  }
  return parts.join(" ");
}

/** Points alone between gaps: a path of one point draws nothing, so they get a dot. */
function isolatedPoints(points: readonly Point[]): Point[] {
  return points.filter((p, i) => {
    if (p.value === null) return false;
    const before = points[i - 1];
    const after = points[i + 1];
    const joinedBefore = before !== undefined && before.value !== null && before.end === p.t;
    const joinedAfter = after !== undefined && after.value !== null && p.end === after.t;
    return !joinedBefore && !joinedAfter;
  });
}

function seriesSvg(data: ChartData, l: Layout, x: (t: number) => number, y: (v: number) => number): string {
  return data.series
    .map((s, i) => {
      const colour = PALETTE[i % PALETTE.length];
      const width = Math.max(1.5, l.fs / 8);
      const dots = isolatedPoints(s.points)
        .map(
          (p) =>
            `<circle cx="${r(x(p.t))}" cy="${r(y(p.value ?? 0))}" r="${r(width * 1.4)}" fill="${colour}"/>`,
        )
        .join("");
      const d = seriesPath(s.points, x, y);
      const path =
        d === ""
          ? ""
          : `<path d="${d}" fill="none" stroke="${colour}" stroke-width="${r(width)}" stroke-linejoin="round" stroke-linecap="round"/>`;
      return `<g class="series" data-place="${escapeXml(s.code)}">${path}${dots}</g>`;
    })
    .join("");
}

function valueAxisSvg(
  ticks: readonly number[],
  l: Layout,
  y: (v: number) => number,
  lang: ChartLang,
): string {
  const { left, right } = l.plot;
  return ticks
    .map(
      (v) =>
        `<line x1="${left}" x2="${r(right)}" y1="${r(y(v))}" y2="${r(y(v))}" stroke="${GRID}"/>` +
        text(
          left - l.fs * 0.4,
          y(v) + l.fs * 0.35,
          formatNumber(v, lang),
          `text-anchor="end" fill="${MUTED}"`,
        ),
    )
    .join("");
}

function timeAxisSvg(data: ChartData, l: Layout, x: (t: number) => number, lang: ChartLang): string {
  const { left, right, bottom } = l.plot;
  const times = [...new Set(data.series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const sample = formatDate(times[0] ?? 0, data.granularity, lang, false);
  const count = Math.min(
    8,
    Math.max(2, Math.floor((right - left) / ([...sample].length * l.fs * CHAR * 1.6))),
  );
  const ticks = timeTicks(times, count);
  const labels = ticks
    .map((t, i) => {
      const anchor =
        ticks.length > 1 && i === 0 ? "start" : i === ticks.length - 1 && i > 0 ? "end" : "middle";
      return (
        `<line x1="${r(x(t))}" x2="${r(x(t))}" y1="${bottom}" y2="${r(bottom + l.fs * 0.3)}" stroke="${MUTED}"/>` +
        text(
          x(t),
          bottom + l.line,
          formatDate(t, data.granularity, lang, false),
          `text-anchor="${anchor}" fill="${MUTED}"`,
        )
      );
    })
    .join("");
  const axisLabel = lang === "fr" ? "Début de la période (UTC)" : "Period start (UTC)";
  return (
    `<line x1="${left}" x2="${r(right)}" y1="${bottom}" y2="${bottom}" stroke="${MUTED}"/>` +
    labels +
    text((left + right) / 2, bottom + 2 * l.line, axisLabel, `text-anchor="middle" fill="${MUTED}"`)
  );
}

function legendSvg(data: ChartData, l: Layout, lang: ChartLang): string {
  const maxChars = Math.max(3, Math.floor((l.legendW - l.fs * 1.6) / (l.fs * CHAR)));
  const entries = data.series.map((s, i) => {
    const y = l.plot.top + i * l.line;
    const colour = PALETTE[i % PALETTE.length];
    return (
      `<rect x="${l.legendX}" y="${r(y - l.fs * 0.45)}" width="${r(l.fs * 1.1)}" height="${r(l.fs * 0.3)}" fill="${colour}"/>` +
      text(l.legendX + l.fs * 1.5, y, truncate(s.name, maxChars), `fill="${INK}"`)
    );
  });
  if (data.leftOut > 0) {
    const more = lang === "fr" ? `+ ${data.leftOut} autre(s) lieu(x)` : `+ ${data.leftOut} more place(s)`;
    entries.push(
      text(
        l.legendX,
        l.plot.top + data.series.length * l.line,
        truncate(more, maxChars + 2),
        `fill="${MUTED}"`,
      ),
    );
  }
  return `<g class="legend">${entries.join("")}</g>`;
}

function headerSvg(o: ChartOptions, l: Layout): string {
  const maxTitle = Math.floor((o.width - 2 * l.pad) / (l.titleSize * CHAR));
  const unit = unitLabel(o.unit);
  const unitText = unit === "" ? "" : o.lang === "fr" ? `Unité\u00a0: ${unit}` : `Unit: ${unit}`;
  return (
    text(
      l.pad,
      l.pad + l.titleSize,
      truncate(o.title, maxTitle),
      `font-size="${l.titleSize}" font-weight="bold" fill="${INK}"`,
    ) + (unitText === "" ? "" : text(l.pad, l.plot.top - l.fs, unitText, `fill="${MUTED}"`))
  );
}

function footnoteSvg(data: ChartData, o: ChartOptions, l: Layout): string {
  if (data.hidden === 0) return "";
  const note =
    o.lang === "fr"
      ? `${data.hidden} valeur(s) masquée(s) par le secret statistique : courbes interrompues`
      : `${data.hidden} figure(s) hidden by statistical secrecy: gaps in the lines`;
  const maxChars = Math.floor((o.width - 2 * l.pad) / (l.fs * 0.9 * CHAR));
  return text(
    l.pad,
    o.height - l.pad,
    truncate(note, maxChars),
    `font-size="${r(l.fs * 0.9)}" fill="${MUTED}"`,
  );
}

function emptySvg(o: ChartOptions): string {
  const message =
    o.lang === "fr" ? "Aucune valeur publiée sur la période" : "No published figure over the period";
  return text(o.width / 2, o.height / 2, message, `text-anchor="middle" fill="${MUTED}"`);
}

function plotSvg(data: ChartData, o: ChartOptions, l: Layout, yTicks: readonly number[]): string {
  const times = data.series.flatMap((s) => s.points.map((p) => p.t));
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const { left, right, top, bottom } = l.plot;
  const x = t0 === t1 ? () => (left + right) / 2 : linearScale(t0, t1, left, right);
  const y = linearScale(yTicks[0] ?? 0, yTicks[yTicks.length - 1] ?? 1, bottom, top);
  return (
    valueAxisSvg(yTicks, l, y, o.lang) +
    timeAxisSvg(data, l, x, o.lang) +
    seriesSvg(data, l, x, y) +
    legendSvg(data, l, o.lang)
  );
}

/** The chart as SVG text, and its alt text. Every text from the data is escaped for XML. */
export function datasetChartSvg(table: PublishedTable, options: ChartOptions): { svg: string; alt: string } {
  const data = chartData(table);
  const all = values(data);
  const yTicksFor = (l: Layout) => {
    const [lo, hi] = valueDomain(all);
    return niceTicks(
      lo,
      hi,
      Math.min(6, Math.max(2, Math.floor((l.plot.bottom - l.plot.top) / (l.fs * 2.5)))),
    );
  };
  const draft = layout(options, data, 4);
  const yTicks = all.length > 0 ? yTicksFor(draft) : [];
  const yLabelChars = Math.max(1, ...yTicks.map((v) => [...formatNumber(v, options.lang)].length));
  const l = layout(options, data, yLabelChars);
  const alt = altText(data, options);
  const body = all.length > 0 ? plotSvg(data, options, l, yTicks) : emptySvg(options);
  const { width, height } = options;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="${FONT_FAMILY}" font-size="${l.fs}" role="img" aria-label="${escapeXml(alt)}">` +
    `<title>${escapeXml(options.title)}</title><desc>${escapeXml(alt)}</desc>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    headerSvg(options, l) +
    body +
    footnoteSvg(data, options, l) +
    "</svg>";
  return { svg, alt };
}

export async function renderPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}

// ---------------------------------------------------------------- a dataset's chart

/** Buckets a chart covers, up to the dataset's last: two weeks of hours, 92 days, three years of months. */
const WINDOW_BUCKETS: Record<Granularity, number> = { hour: 14 * 24, day: 92, month: 36 };

/** The start of the chart's window ending with the bucket that holds `last`. */
export function chartWindowStart(last: EpochMs, g: Granularity): EpochMs {
  const start = bucketStart(last, g);
  if (g === "month") {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (WINDOW_BUCKETS.month - 1), 1);
  }
  return start - (WINDOW_BUCKETS[g] - 1) * (g === "hour" ? HOUR : DAY);
}

export interface RenderedChart extends ChartSize {
  alt: string;
  png: Buffer;
}

/**
 * A published dataset's charts, rendered once per content version, size and language and kept
 * (the key space is small: the window is the dataset's own, no caller picks a period), so that
 * a public route does not render a PNG for each request.
 */
export function createDatasetCharts(
  service: Pick<OpenDataService, "get" | "table" | "version">,
  maxCached = 64,
) {
  const cache = new Map<string, Promise<RenderedChart>>();
  const render = async (id: string, size: ChartSizeName, lang: ChartLang): Promise<RenderedChart> => {
    const info = await service.get(id);
    const from = info.last === undefined ? undefined : chartWindowStart(info.last, info.granularity);
    const table = await service.table(id, from === undefined ? {} : { from });
    const dimensions = CHART_SIZES[size];
    const { svg, alt } = datasetChartSvg(table, { ...dimensions, title: info.title, unit: info.unit, lang });
    return { ...dimensions, alt, png: await renderPng(svg) };
  };
  return {
    /** The dataset's chart; the service's 404 for a dataset unknown or not published. */
    async chart(id: string, size: ChartSizeName, lang: ChartLang): Promise<RenderedChart> {
      const key = `${id}|${(await service.version(id)).tag}|${size}|${lang}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const rendering = render(id, size, lang);
      cache.set(key, rendering);
      rendering.catch(() => cache.delete(key));
      if (cache.size > maxCached) cache.delete(cache.keys().next().value ?? key);
      return rendering;
    },
  };
}

export type DatasetCharts = ReturnType<typeof createDatasetCharts>;
