import type { ComplianceTargets } from "../contracts/model.ts";
import type { EpochMs } from "../domain/types.ts";
import { escapeXml, FONT_FAMILY, PALETTE, renderPng } from "../opendata/chart-png.ts";
import { monthPeriod } from "./scorecard-period.ts";
import { type Breach, MEASURES, type Measure, measure, type ScorecardDeps } from "./scorecards.ts";

/**
 * An operator's compliance with one contract month by month: completeness, timeliness and
 * conformity (0–100 %) over the last months, each against the contract's target (a dashed line),
 * drawn as SVG and rendered to PNG by sharp, like the open data's charts (services/opendata/chart-png.ts),
 * with an alt text that says the latest values and targets in words. Each measure has its own
 * colour, marker and target dash, so that no line is told apart by colour alone.
 */

export type ChartLang = "fr" | "en";

export interface TrendPoint {
  /** "YYYY-MM". */
  month: string;
  from: EpochMs;
  /** Exclusive. */
  to: EpochMs;
  devices: number;
  completeness: number | null;
  timeliness: number | null;
  conformity: number | null;
  breaches: Breach[];
}

export interface ScorecardTrend {
  operatorId: string;
  contractId: string;
  months: number;
  /** The targets of the newest month with a card, else the contract's newest version's. */
  targets: ComplianceTargets;
  /** Oldest first, one per month, the last being the month holding `until` (or now). */
  points: TrendPoint[];
}

export interface TrendRequest {
  operatorId: string;
  contractId: string;
  months?: number;
  /** An instant in the chart's last month; default `now`. */
  until?: EpochMs;
  now?: EpochMs;
}

export const DEFAULT_TREND_MONTHS = 12;
export const MAX_TREND_MONTHS = 36;

/** Each month's card of one operator and contract (measure() per month: the months are the trend), oldest first. */
export async function scorecardTrend(deps: ScorecardDeps, request: TrendRequest): Promise<ScorecardTrend> {
  const months = Math.min(MAX_TREND_MONTHS, Math.max(1, Math.floor(request.months ?? DEFAULT_TREND_MONTHS)));
  const last = new Date(request.until ?? request.now ?? deps.now());
  const periods = Array.from({ length: months }, (_, i) =>
    monthPeriod(last.getUTCFullYear(), last.getUTCMonth() + 1 - (months - 1 - i)),
  );
  const filter = { operatorId: request.operatorId, contractId: request.contractId };
  const cards = await Promise.all(periods.map((p) => measure(deps, p, filter)));
  let targets: ComplianceTargets | undefined;
  const points = periods.map((p, i): TrendPoint => {
    const card = cards[i]?.find(
      (c) => c.contractId === request.contractId && c.operatorId === request.operatorId,
    );
    if (card && Object.keys(card.targets).length > 0) targets = card.targets;
    return {
      month: p.label,
      from: p.from,
      to: p.to,
      devices: card?.devices ?? 0,
      completeness: card?.completeness.ratio ?? null,
      timeliness: card?.timeliness.ratio ?? null,
      conformity: card?.conformity.ratio ?? null,
      breaches: card?.breaches ?? [],
    };
  });
  const versions = deps.contracts.versions(request.contractId);
  return {
    operatorId: request.operatorId,
    contractId: request.contractId,
    months,
    targets: targets ?? versions[versions.length - 1]?.targets ?? {},
    points,
  };
}

// ---------------------------------------------------------------- words

const LOCALE: Record<ChartLang, string> = { fr: "fr-FR", en: "en-GB" };

const WORDS = {
  fr: {
    measure: { completeness: "Complétude", timeliness: "Ponctualité", conformity: "Conformité" },
    target: "objectif",
    targetLegend: "Tirets : objectif du contrat",
    title: (o: string, c: string) => `Conformité de ${o} au contrat ${c}`,
    empty: "Aucune donnée sur la période",
    notMeasured: "non mesurée",
    alt: (o: string, c: string, a: string, b: string) =>
      `Graphique en courbes de la complétude, de la ponctualité et de la conformité de ${o} au contrat ${c}, ` +
      `par mois, de ${a} à ${b}, de 0 à 100 %, les objectifs du contrat en tirets.`,
    altEmpty: "Aucune donnée n'a été mesurée sur la période.",
    latest: (m: string) => `En ${m}`,
    noTarget: "sans objectif",
  },
  en: {
    measure: { completeness: "Completeness", timeliness: "Timeliness", conformity: "Conformity" },
    target: "target",
    targetLegend: "Dashes: the contract's target",
    title: (o: string, c: string) => `Compliance of ${o} with contract ${c}`,
    empty: "No data over the period",
    notMeasured: "not measured",
    alt: (o: string, c: string, a: string, b: string) =>
      `Line chart of the completeness, timeliness and conformity of ${o} with contract ${c}, ` +
      `by month, from ${a} to ${b}, from 0 to 100%, the contract's targets dashed.`,
    altEmpty: "Nothing was measured over the period.",
    latest: (m: string) => `In ${m}`,
    noTarget: "no target",
  },
} as const;

/** A share of 1 as a percentage, one decimal at most ("94,1 %", "94.1%"). */
export function formatPercent(ratio: number, lang: ChartLang): string {
  return new Intl.NumberFormat(LOCALE[lang], { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

function monthName(from: EpochMs, lang: ChartLang, long: boolean): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    month: long ? "long" : "short",
    year: long ? "numeric" : "2-digit",
    timeZone: "UTC",
  }).format(from);
}

// ---------------------------------------------------------------- alt text

/**
 * What the chart shows, in words: the measures, the months, and the values of the newest month
 * with data, each with its target.
 */
export function scorecardChartAlt(trend: ScorecardTrend, lang: ChartLang = "fr"): string {
  const w = WORDS[lang];
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  if (!first || !last) return `${w.title(trend.operatorId, trend.contractId)}. ${w.altEmpty}`;
  const head = w.alt(
    trend.operatorId,
    trend.contractId,
    monthName(first.from, lang, true),
    monthName(last.from, lang, true),
  );
  const latest = trend.points.findLast((p) => MEASURES.some((m) => p[m] !== null));
  if (!latest) return `${head} ${w.altEmpty}`;
  const colon = lang === "fr" ? "\u00a0: " : ": ";
  const values = MEASURES.map((m) => {
    const value = latest[m];
    const target = trend.targets[m];
    const said = value === null ? w.notMeasured : formatPercent(value, lang);
    const goal = target === undefined ? w.noTarget : `${w.target} ${formatPercent(target, lang)}`;
    return `${w.measure[m].toLowerCase()} ${said} (${goal})`;
  });
  return `${head} ${w.latest(monthName(latest.from, lang, true))}${colon}${values.join(", ")}.`;
}

// ---------------------------------------------------------------- drawing

export interface ScorecardChartOptions {
  width: number;
  height: number;
  lang?: ChartLang;
}

const INK = "#1f2937";
const MUTED = "#4b5563";
const GRID = "#e5e7eb";
const CHAR = 0.6;
const COLOUR: Record<Measure, string> = {
  completeness: PALETTE[0],
  timeliness: PALETTE[1],
  conformity: PALETTE[2],
};
const DASH: Record<Measure, string> = { completeness: "8 5", timeliness: "3 4", conformity: "12 4 3 4" };

function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function text(x: number, y: number, content: string, attrs: string): string {
  return `<text x="${r(x)}" y="${r(y)}" ${attrs}>${escapeXml(content)}</text>`;
}

function truncate(value: string, maxChars: number): string {
  const chars = [...value];
  return chars.length <= maxChars ? value : `${chars.slice(0, Math.max(1, maxChars - 1)).join("")}…`;
}

/** A measure's marker: a circle, a square or a triangle, so the lines differ by shape too. */
function marker(m: Measure, x: number, y: number, size: number): string {
  const c = COLOUR[m];
  if (m === "completeness") return `<circle cx="${r(x)}" cy="${r(y)}" r="${r(size)}" fill="${c}"/>`;
  if (m === "timeliness")
    return `<rect x="${r(x - size)}" y="${r(y - size)}" width="${r(2 * size)}" height="${r(2 * size)}" fill="${c}"/>`;
  const h = size * 1.2;
  return `<path d="M${r(x)} ${r(y - h)} L${r(x + h)} ${r(y + h * 0.8)} L${r(x - h)} ${r(y + h * 0.8)} Z" fill="${c}"/>`;
}

interface Frame {
  fs: number;
  pad: number;
  line: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  legend: { m: Measure; label: string; x: number; y: number }[];
  /** Baseline of the legend's last line (the dashes' note). */
  noteY: number;
}

function frame(trend: ScorecardTrend, o: ScorecardChartOptions, lang: ChartLang): Frame {
  const fs = Math.min(24, Math.max(10, Math.round(Math.min(o.width, o.height * 1.9) / 55)));
  const pad = Math.round(fs * 0.8);
  const line = Math.round(fs * 1.4);
  const titleSize = Math.round(fs * 1.2);
  const w = WORDS[lang];
  // Legend entries side by side, on as many lines as the width needs.
  let x = pad;
  let y = pad + titleSize + line;
  const legend = MEASURES.map((m) => {
    const target = trend.targets[m];
    const label = `${w.measure[m]} (${target === undefined ? w.noTarget : `${w.target} ${formatPercent(target, lang)}`})`;
    const span = 2.4 * fs + [...label].length * fs * CHAR;
    if (x > pad && x + span > o.width - pad) {
      x = pad;
      y += line;
    }
    const entry = { m, label, x, y };
    x += span + 1.2 * fs;
    return entry;
  });
  const noteY = y + line;
  return {
    fs,
    pad,
    line,
    legend,
    noteY,
    left: Math.round(pad + 6 * fs * CHAR),
    right: o.width - pad - fs,
    top: Math.round(noteY + line),
    bottom: o.height - pad - 1.6 * line,
  };
}

function legendSvg(f: Frame, lang: ChartLang, width: number): string {
  const maxChars = (x: number) => Math.max(3, Math.floor((width - f.pad - x - 2.4 * f.fs) / (f.fs * CHAR)));
  const parts = f.legend.map(
    ({ m, label, x, y }) =>
      `<line x1="${r(x)}" x2="${r(x + 2 * f.fs)}" y1="${r(y - f.fs * 0.35)}" y2="${r(y - f.fs * 0.35)}" stroke="${COLOUR[m]}" stroke-width="${r(f.fs / 6)}"/>` +
      marker(m, x + f.fs, y - f.fs * 0.35, f.fs * 0.3) +
      text(x + 2.4 * f.fs, y, truncate(label, maxChars(x)), `fill="${INK}"`),
  );
  const y = f.noteY - f.fs * 0.35;
  const note = `<line x1="${f.pad}" x2="${r(f.pad + 2 * f.fs)}" y1="${r(y)}" y2="${r(y)}" stroke="${MUTED}" stroke-width="${r(f.fs / 8)}" stroke-dasharray="6 4"/>`;
  const words = truncate(WORDS[lang].targetLegend, maxChars(f.pad));
  return `<g class="legend">${parts.join("")}${note}${text(f.pad + 2.4 * f.fs, f.noteY, words, `fill="${MUTED}"`)}</g>`;
}

function axesSvg(
  trend: ScorecardTrend,
  f: Frame,
  lang: ChartLang,
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const grid = ticks
    .map(
      (v) =>
        `<line x1="${f.left}" x2="${r(f.right)}" y1="${r(y(v))}" y2="${r(y(v))}" stroke="${GRID}"/>` +
        text(
          f.left - f.fs * 0.4,
          y(v) + f.fs * 0.35,
          formatPercent(v, lang),
          `text-anchor="end" fill="${MUTED}"`,
        ),
    )
    .join("");
  const n = trend.points.length;
  const sample = monthName(trend.points[0]?.from ?? 0, lang, false);
  const fits = Math.max(1, Math.floor((f.right - f.left) / ([...sample].length * f.fs * CHAR * 1.5)));
  const every = Math.max(1, Math.ceil(n / fits));
  const labels = trend.points
    .map((p, i) => {
      if ((n - 1 - i) % every !== 0) return "";
      const anchor = n > 1 && i === 0 ? "start" : i === n - 1 && n > 1 ? "end" : "middle";
      return (
        `<line x1="${r(x(i))}" x2="${r(x(i))}" y1="${r(f.bottom)}" y2="${r(f.bottom + f.fs * 0.3)}" stroke="${MUTED}"/>` +
        text(
          x(i),
          f.bottom + f.line,
          monthName(p.from, lang, false),
          `text-anchor="${anchor}" fill="${MUTED}"`,
        )
      );
    })
    .join("");
  return `${grid}<line x1="${f.left}" x2="${r(f.right)}" y1="${r(f.bottom)}" y2="${r(f.bottom)}" stroke="${MUTED}"/>${labels}`;
}

function targetsSvg(trend: ScorecardTrend, f: Frame, y: (v: number) => number): string {
  return MEASURES.map((m) => {
    const target = trend.targets[m];
    if (target === undefined) return "";
    return `<line class="target" data-measure="${m}" x1="${f.left}" x2="${r(f.right)}" y1="${r(y(target))}" y2="${r(y(target))}" stroke="${COLOUR[m]}" stroke-width="${r(Math.max(1.5, f.fs / 8))}" stroke-dasharray="${DASH[m]}"/>`;
  }).join("");
}

function seriesSvg(
  trend: ScorecardTrend,
  f: Frame,
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  return MEASURES.map((m) => {
    const parts: string[] = [];
    let joined = false;
    trend.points.forEach((p, i) => {
      const v = p[m];
      if (v === null) {
        joined = false;
        return;
      }
      parts.push(`${joined ? "L" : "M"}${r(x(i))} ${r(y(v))}`);
      joined = true;
    });
    const marks = trend.points
      .map((p, i) => {
        const v = p[m];
        return v === null ? "" : marker(m, x(i), y(v), Math.max(2.5, f.fs * 0.3));
      })
      .join("");
    const path =
      parts.length === 0
        ? ""
        : `<path d="${parts.join(" ")}" fill="none" stroke="${COLOUR[m]}" stroke-width="${r(Math.max(2, f.fs / 6))}" stroke-linejoin="round"/>`;
    return `<g class="series" data-measure="${m}">${path}${marks}</g>`;
  }).join("");
}

/** The chart as SVG text, and its alt text. Every text from the data is escaped for XML. */
export function scorecardChartSvg(
  trend: ScorecardTrend,
  options: ScorecardChartOptions,
): { svg: string; alt: string } {
  const lang = options.lang ?? "fr";
  const { width, height } = options;
  const f = frame(trend, options, lang);
  const alt = scorecardChartAlt(trend, lang);
  const n = trend.points.length;
  const x = (i: number) => (n <= 1 ? (f.left + f.right) / 2 : f.left + ((f.right - f.left) * i) / (n - 1));
  const y = (v: number) => f.bottom - (f.bottom - f.top) * Math.min(1, Math.max(0, v));
  const hasData = trend.points.some((p) => MEASURES.some((m) => p[m] !== null));
  const titleSize = Math.round(f.fs * 1.2);
  const title = WORDS[lang].title(trend.operatorId, trend.contractId);
  const body =
    axesSvg(trend, f, lang, x, y) +
    targetsSvg(trend, f, y) +
    (hasData
      ? seriesSvg(trend, f, x, y)
      : text(
          (f.left + f.right) / 2,
          (f.top + f.bottom) / 2,
          WORDS[lang].empty,
          `text-anchor="middle" fill="${MUTED}"`,
        ));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="${FONT_FAMILY}" font-size="${f.fs}" role="img" aria-label="${escapeXml(alt)}">` +
    `<title>${escapeXml(title)}</title><desc>${escapeXml(alt)}</desc>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    text(
      f.pad,
      f.pad + titleSize,
      truncate(title, Math.floor((width - 2 * f.pad) / (titleSize * CHAR))),
      `font-size="${titleSize}" font-weight="bold" fill="${INK}"`,
    ) +
    legendSvg(f, lang, width) +
    body +
    "</svg>";
  return { svg, alt };
}

/** The chart as PNG, with its alt text. */
export async function scorecardChartPng(
  trend: ScorecardTrend,
  options: ScorecardChartOptions,
): Promise<{ png: Buffer; alt: string }> {
  const { svg, alt } = scorecardChartSvg(trend, options);
  return { png: await renderPng(svg), alt };
}
