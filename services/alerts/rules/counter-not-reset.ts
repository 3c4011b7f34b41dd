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

export const counterNotResetParams = Type.Object(
  {
    field: Type.String({ minLength: 1, description: "Level or counter field (e.g. fill_level_pct)." }),
    periodMs: Type.Integer({ minimum: 1, description: "Longest time (ms) allowed without a reset." }),
    minDrop: Type.Number({
      exclusiveMinimum: 0,
      description: "A fall of at least this much between two readings counts as a reset (container emptied).",
    }),
    minLevel: Type.Optional(
      Type.Number({
        description: "Only alert when the value is at least this (an almost empty bin may wait).",
      }),
    ),
  },
  { additionalProperties: false, description: "A level or counter not reset for longer than a period." },
);
export type CounterNotResetParams = Static<typeof counterNotResetParams>;

/** Size: three numbers and a boolean (under 120 bytes as JSON). */
export interface CounterState {
  /** Last reset, or the first reading seen. */
  resetAt: EpochMs;
  last: number;
  lastAt: EpochMs;
  active: boolean;
}

/** null until the first reading: there is no level to judge before it. */
export type CounterSlot = CounterState | null;

function overdue(p: CounterNotResetParams, s: CounterState, now: EpochMs): Evaluation<CounterState> {
  if (s.active || now - s.resetAt <= p.periodMs || s.last < (p.minLevel ?? Number.NEGATIVE_INFINITY)) {
    return { state: s, verdict: NONE };
  }
  const days = Math.round(((now - s.resetAt) / 86_400_000) * 10) / 10;
  return {
    state: { ...s, active: true },
    verdict: fire(`${p.field} = ${s.last} non remis à zéro depuis ${days} j`, s.last),
  };
}

function onReading(p: CounterNotResetParams, s: CounterSlot, t: EpochMs, v: number): Evaluation<CounterSlot> {
  if (!s) return { state: { resetAt: t, last: v, lastAt: t, active: false }, verdict: NONE };
  // An older reading arriving late says nothing about the current level.
  if (t < s.lastAt) return { state: s, verdict: NONE };
  if (s.last - v >= p.minDrop) {
    const verdict = s.active ? clear(`${p.field} remis à zéro (${s.last} → ${v})`, v) : NONE;
    return { state: { resetAt: t, last: v, lastAt: t, active: false }, verdict };
  }
  return overdue(p, { ...s, last: v, lastAt: t }, t);
}

export function evaluateCounterNotReset(
  p: CounterNotResetParams,
  state: CounterSlot | undefined,
  input: RuleInput,
): Evaluation<CounterSlot> {
  const s = state ?? null;
  if (isTick(input)) return s ? overdue(p, s, input.tick) : { state: s, verdict: NONE };
  const v = numberField(input, p.field);
  if (v === undefined) return { state: s, verdict: NONE };
  return onReading(p, s, input.time, v);
}

export const counterNotReset: RuleKind<typeof counterNotResetParams, CounterSlot> = {
  kind: "counter-not-reset",
  params: counterNotResetParams,
  maxStateBytes: 120,
  evaluate: evaluateCounterNotReset,
  register: {
    fr: {
      purpose: "Signaler un conteneur non vidé (ou un compteur non relevé) depuis trop longtemps.",
      data: "Le niveau mesuré, l'heure de la dernière baisse franche (vidage) et la dernière valeur.",
      decision:
        "Alerte quand aucune baisse d'au moins minDrop n'a été vue depuis plus que la période (et que le niveau atteint minLevel) ; levée au vidage suivant.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Report a container not emptied (or a counter not reset) for too long.",
      data: "The measured level, the time of the last clear drop (emptying) and the latest value.",
      decision:
        "Fires when no drop of at least minDrop has been seen for longer than the period (and the level reaches minLevel); clears at the next emptying.",
      role: "It raises an alert; a person decides.",
    },
  },
};
