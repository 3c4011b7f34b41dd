import { type Static, Type } from "@sinclair/typebox";
import type { EpochMs } from "../../domain/types.ts";
import { initialLatch, type LatchState, stepLatch } from "./latch.ts";
import { type Evaluation, isTick, NONE, numberField, type RuleInput, type RuleKind } from "./types.ts";

const DAY_MS = 86_400_000;
/**
 * The window is cut in this many buckets: min/max per bucket bound the state whatever the cadence, at
 * the price of a window known to a quarter of its length (a bucket leaves it whole).
 */
const BUCKETS = 4;

const common = {
  field: Type.String({ minLength: 1, description: "Numeric field watched (e.g. pressure_bar)." }),
  windowMs: Type.Integer({ minimum: 1, description: "Time window (ms) over which the change is measured." }),
  margin: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 1,
      description: "Hysteresis as a fraction of the limit. Default 0.2.",
    }),
  ),
};

export const rateParams = Type.Union(
  [
    Type.Object(
      {
        mode: Type.Literal("sudden", { description: "A jump within the window." }),
        ...common,
        maxDelta: Type.Number({
          exclusiveMinimum: 0,
          description: "Largest acceptable change within the window.",
        }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        mode: Type.Literal("drift", { description: "A slow trend, measured as a slope per day." }),
        ...common,
        maxDriftPerDay: Type.Number({
          exclusiveMinimum: 0,
          description: "Largest acceptable slope (units per day), fitted over the window.",
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: "Sudden change within a window, or slow drift per day." },
);
export type RateParams = Static<typeof rateParams>;

/** min/max seen in one slice of the window; `start` is the slice's first time. */
interface Bucket {
  start: EpochMs;
  min: number;
  max: number;
}

/**
 * Exponentially forgetting least squares (time constant windowMs): five sums, times relative to
 * `origin` (the latest reading) so that they stay small. See e.g. Ljung, "System Identification", §11.2.
 */
interface Fit {
  origin: EpochMs;
  first: EpochMs;
  s: number;
  st: number;
  sv: number;
  stt: number;
  stv: number;
}

/** Size: 4 buckets of 3 numbers or a fit of 7 numbers, plus the latch: under 400 bytes as JSON. */
export interface RateState {
  latch: LatchState;
  buckets: Bucket[];
  fit: Fit | null;
}

function pushBucket(buckets: Bucket[], t: EpochMs, v: number, windowMs: number): Bucket[] {
  const width = windowMs / BUCKETS;
  const kept = buckets.filter((b) => t - b.start < windowMs);
  const last = kept[kept.length - 1];
  if (last && t - last.start < width) {
    return [
      ...kept.slice(0, -1),
      { start: last.start, min: Math.min(last.min, v), max: Math.max(last.max, v) },
    ];
  }
  return [...kept, { start: t, min: v, max: v }].slice(-(BUCKETS + 1));
}

/** Largest change between the new value and any value of the window. */
function largestDelta(buckets: Bucket[], v: number): number {
  return buckets.reduce((d, b) => Math.max(d, Math.abs(v - b.min), Math.abs(v - b.max)), 0);
}

function updateFit(f: Fit | null, t: EpochMs, v: number, windowMs: number): Fit {
  if (!f) return { origin: t, first: t, s: 1, st: 0, sv: v, stt: 0, stv: 0 };
  const d = (t - f.origin) / DAY_MS;
  const w = Math.exp(-(t - f.origin) / windowMs);
  // Move the origin to t (times become t_i - d), forget, then add the new point at time 0.
  const st = f.st - d * f.s;
  const stt = f.stt - 2 * d * f.st + d * d * f.s;
  const stv = f.stv - d * f.sv;
  return {
    origin: t,
    first: f.first,
    s: w * f.s + 1,
    st: w * st,
    sv: w * f.sv + v,
    stt: w * stt,
    stv: w * stv,
  };
}

/** Slope in units per day, or undefined while the fit is degenerate. */
export function slopePerDay(f: Fit): number | undefined {
  const den = f.s * f.stt - f.st * f.st;
  if (Math.abs(den) < 1e-12) return undefined;
  return (f.s * f.stv - f.st * f.sv) / den;
}

function initialRate(): RateState {
  return { latch: initialLatch(), buckets: [], fit: null };
}

function evaluateSudden(p: Extract<RateParams, { mode: "sudden" }>, s: RateState, t: EpochMs, v: number) {
  const delta = largestDelta(s.buckets, v);
  const buckets = pushBucket(s.buckets, t, v, p.windowMs);
  const r = stepLatch(
    s.latch,
    {
      time: t,
      bad: delta > p.maxDelta,
      good: delta <= p.maxDelta * (1 - (p.margin ?? 0.2)),
      value: v,
      fireDetail: `${p.field} a varié de ${round(delta)} en moins de ${p.windowMs / 60_000} min (limite ${p.maxDelta})`,
      clearDetail: `${p.field} stable (variation ${round(delta)})`,
    },
    0,
  );
  return { state: { latch: r.state, buckets, fit: null }, verdict: r.verdict };
}

function evaluateDrift(p: Extract<RateParams, { mode: "drift" }>, s: RateState, t: EpochMs, v: number) {
  const fit = updateFit(s.fit, t, v, p.windowMs);
  const slope = slopePerDay(fit);
  // A slope fitted on less than a window of history says nothing about a trend.
  if (slope === undefined || t - fit.first < p.windowMs) return { state: { ...s, fit }, verdict: NONE };
  const r = stepLatch(
    s.latch,
    {
      time: t,
      bad: Math.abs(slope) > p.maxDriftPerDay,
      good: Math.abs(slope) <= p.maxDriftPerDay * (1 - (p.margin ?? 0.2)),
      value: v,
      fireDetail: `${p.field} dérive de ${round(slope)} par jour (limite ${p.maxDriftPerDay})`,
      clearDetail: `${p.field} ne dérive plus (${round(slope)} par jour)`,
    },
    0,
  );
  return { state: { latch: r.state, buckets: [], fit }, verdict: r.verdict };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function evaluateRate(
  p: RateParams,
  state: RateState | undefined,
  input: RuleInput,
): Evaluation<RateState> {
  const s = state ?? initialRate();
  const v = numberField(input, p.field);
  if (isTick(input) || v === undefined) return { state: s, verdict: NONE };
  return p.mode === "sudden" ? evaluateSudden(p, s, input.time, v) : evaluateDrift(p, s, input.time, v);
}

export const rate: RuleKind<typeof rateParams, RateState> = {
  kind: "rate",
  params: rateParams,
  maxStateBytes: 400,
  ticks: false,
  evaluate: evaluateRate,
  register: {
    fr: {
      purpose:
        "Distinguer un changement brusque (casse, vanne) d'une dérive lente (capteur, fuite naissante).",
      data: "Les valeurs du champ désigné sur la fenêtre, résumées en minimum et maximum par quart de fenêtre, ou en pente ajustée.",
      decision:
        "Mode brusque : alerte si l'écart avec une valeur de la fenêtre dépasse maxDelta. Mode dérive : alerte si la pente ajustée (moindres carrés à oubli exponentiel) dépasse maxDriftPerDay.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Tell a sudden change (burst, valve) from a slow drift (sensor, starting leak).",
      data: "The field's values over the window, summarised as min and max per quarter window, or as a fitted slope.",
      decision:
        "Sudden mode: fires when the change against any value of the window exceeds maxDelta. Drift mode: fires when the fitted slope (exponentially forgetting least squares) exceeds maxDriftPerDay.",
      role: "It raises an alert; a person decides.",
    },
  },
};
