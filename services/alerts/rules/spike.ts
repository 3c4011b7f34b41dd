import { type Static, Type } from "@sinclair/typebox";
import type { EpochMs } from "../../domain/types.ts";
import {
  clear,
  type Evaluation,
  fire,
  isTick,
  NONE,
  numberField,
  type RuleInput,
  type RuleKind,
} from "./types.ts";

export const spikeParams = Type.Object(
  {
    field: Type.String({ minLength: 1, description: "Numeric field watched (e.g. pressure_bar)." }),
    k: Type.Number({
      exclusiveMinimum: 0,
      description:
        "A value deviating from the running mean by more than k times the running mean deviation is out.",
    }),
    maxDurationMs: Type.Integer({
      minimum: 1,
      description:
        "An excursion back within this time (ms) is a transient; a longer one is a level change, not a spike.",
    }),
    alpha: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: "Smoothing factor of the running mean. Default 0.1.",
      }),
    ),
    minDeviation: Type.Optional(
      Type.Number({
        minimum: 0,
        description: "Smallest deviation that counts, to ignore noise on a flat signal. Default 0.",
      }),
    ),
    warmup: Type.Optional(
      Type.Integer({ minimum: 1, description: "Readings needed before judging. Default 10." }),
    ),
  },
  { additionalProperties: false, description: "Transient excursion away from the running mean and back." },
);
export type SpikeParams = Static<typeof spikeParams>;

/**
 * Size: 7 numbers or nulls (under 150 bytes as JSON). The running mean and mean absolute deviation
 * are EMAs, so no window of readings is kept.
 */
export interface SpikeState {
  n: number;
  mean: number;
  dev: number;
  /** Start and farthest value of the excursion in progress, if any. */
  start: EpochMs | null;
  peak: number | null;
  /** A spike was reported and the next normal reading clears it. */
  active: boolean;
}

function initialSpike(v: number): SpikeState {
  return { n: 0, mean: v, dev: 0, start: null, peak: null, active: false };
}

function learn(s: SpikeState, v: number, alpha: number): SpikeState {
  const a = s.n === 0 ? 1 : Math.max(alpha, 1 / (s.n + 1));
  const dev = s.n === 0 ? 0 : (1 - a) * s.dev + a * Math.abs(v - s.mean);
  return { ...s, n: s.n + 1, mean: (1 - a) * s.mean + a * v, dev, start: null, peak: null };
}

function isOut(p: SpikeParams, s: SpikeState, v: number): boolean {
  const d = Math.abs(v - s.mean);
  return s.n >= (p.warmup ?? 10) && d > p.k * s.dev && d > (p.minDeviation ?? 0);
}

function farther(s: SpikeState, v: number): number {
  return s.peak === null || Math.abs(v - s.mean) > Math.abs(s.peak - s.mean) ? v : s.peak;
}

function onOut(s: SpikeState, t: EpochMs, v: number, maxDurationMs: number): SpikeState {
  const start = s.start ?? t;
  // Out too long: a new level, not a transient. Restart learning from here so the baseline follows.
  if (t - start > maxDurationMs) return { ...initialSpike(v), n: 1 };
  return { ...s, start, peak: farther(s, v) };
}

function onBack(p: SpikeParams, s: SpikeState, t: EpochMs, v: number): Evaluation<SpikeState> {
  const alpha = p.alpha ?? 0.1;
  if (s.start !== null && s.peak !== null && t - s.start <= p.maxDurationMs) {
    const detail = `pic transitoire de ${p.field} : ${s.peak} (moyenne ${round(s.mean)}), revenu en ${(t - s.start) / 1000} s`;
    return { state: { ...learn(s, v, alpha), active: true }, verdict: fire(detail, s.peak) };
  }
  if (s.active)
    return { state: { ...learn(s, v, alpha), active: false }, verdict: clear(`${p.field} normal`, v) };
  return { state: learn(s, v, alpha), verdict: NONE };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function evaluateSpike(
  p: SpikeParams,
  state: SpikeState | undefined,
  input: RuleInput,
): Evaluation<SpikeState> {
  const v = numberField(input, p.field);
  if (isTick(input) || v === undefined) return { state: state ?? initialSpike(0), verdict: NONE };
  const s = state ?? initialSpike(v);
  if (isOut(p, s, v)) return { state: onOut(s, input.time, v, p.maxDurationMs), verdict: NONE };
  return onBack(p, s, input.time, v);
}

export const spike: RuleKind<typeof spikeParams, SpikeState> = {
  kind: "spike",
  params: spikeParams,
  maxStateBytes: 150,
  ticks: false,
  evaluate: evaluateSpike,
  register: {
    fr: {
      purpose: "Signaler un pic bref (coup de bélier, surtension) qui n'apparaît pas dans les moyennes.",
      data: "La moyenne glissante et l'écart moyen du champ désigné, et l'excursion en cours.",
      decision:
        "Alerte quand la valeur s'écarte de la moyenne de plus de k fois l'écart moyen puis y revient en moins de maxDurationMs ; levée à la mesure normale suivante.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Report a short transient (water hammer, surge) that averages hide.",
      data: "The running mean and mean deviation of the field named, and the excursion in progress.",
      decision:
        "Fires when the value departs from the mean by more than k mean deviations and returns within maxDurationMs; clears at the next normal reading.",
      role: "It raises an alert; a person decides.",
    },
  },
};
