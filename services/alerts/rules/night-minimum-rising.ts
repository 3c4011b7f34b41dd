import { type Static, Type } from "@sinclair/typebox";
import type { EpochMs } from "../../domain/types.ts";
import { localDateHour } from "./local-time.ts";
import {
  clear,
  type Evaluation,
  fire,
  inputTime,
  NONE,
  numberField,
  type RuleInput,
  type RuleKind,
  type Verdict,
} from "./types.ts";

const HOUR_MS = 3_600_000;

export const nightMinimumRisingParams = Type.Object(
  {
    field: Type.String({ minLength: 1, description: "Flow field (e.g. flow_m3h of a sector meter)." }),
    startHour: Type.Integer({
      minimum: 0,
      maximum: 23,
      description: "Night window start, local hour (e.g. 2).",
    }),
    endHour: Type.Integer({
      minimum: 0,
      maximum: 23,
      description:
        "Night window end, local hour, excluded (e.g. 4); may be before startHour to span midnight.",
    }),
    days: Type.Integer({
      minimum: 2,
      maximum: 14,
      description: "Number of consecutive rises of the night minimum.",
    }),
    minRise: Type.Optional(
      Type.Number({ minimum: 0, description: "Total rise over those nights needed to alert. Default 0." }),
    ),
    timeZone: Type.Optional(
      Type.String({ description: "IANA time zone of the window. Default Europe/Paris." }),
    ),
  },
  {
    additionalProperties: false,
    description: "Minimum night flow rising night after night (leak precursor).",
  },
);
export type NightMinimumRisingParams = Static<typeof nightMinimumRisingParams>;

/** Size: a date, a number and at most days + 1 minima (≤ 15): under 450 bytes as JSON. */
export interface NightState {
  /** The night being measured (local date of its end) and its minimum so far. */
  night: string | null;
  min: number | null;
  /** Minima of the last completed nights, oldest first. */
  minima: number[];
  active: boolean;
}

function inWindow(p: NightMinimumRisingParams, hour: number): boolean {
  return p.startHour <= p.endHour
    ? hour >= p.startHour && hour < p.endHour
    : hour >= p.startHour || hour < p.endHour;
}

/** A window across midnight belongs to the night of its end: shift times so both halves share a date. */
function nightOf(p: NightMinimumRisingParams, t: EpochMs): { night: string; inside: boolean } {
  const tz = p.timeZone ?? "Europe/Paris";
  const { hour } = localDateHour(t, tz);
  const shift = p.startHour > p.endHour ? (24 - p.startHour) * HOUR_MS : 0;
  return { night: localDateHour(t + shift, tz).date, inside: inWindow(p, hour) };
}

function rising(p: NightMinimumRisingParams, minima: number[]): boolean {
  if (minima.length < p.days + 1) return false;
  const rises = minima.every((m, i) => i === 0 || m > (minima[i - 1] ?? m));
  const total = (minima[minima.length - 1] ?? 0) - (minima[0] ?? 0);
  return rises && total >= (p.minRise ?? 0);
}

function closeNight(p: NightMinimumRisingParams, s: NightState): Evaluation<NightState> {
  if (s.min === null) return { state: s, verdict: NONE };
  const minima = [...s.minima, s.min].slice(-(p.days + 1));
  const now = rising(p, minima);
  const base: NightState = { night: null, min: null, minima, active: now };
  let verdict: Verdict = NONE;
  if (now && !s.active) {
    verdict = fire(
      `minimum nocturne de ${p.field} en hausse ${p.days} nuits de suite : ${minima.join(" → ")}`,
      s.min,
    );
  } else if (!now && s.active) {
    verdict = clear(`minimum nocturne de ${p.field} ne monte plus (${s.min})`, s.min);
  }
  return { state: base, verdict };
}

export function evaluateNightMinimumRising(
  p: NightMinimumRisingParams,
  state: NightState | undefined,
  input: RuleInput,
): Evaluation<NightState> {
  const s = state ?? { night: null, min: null, minima: [], active: false };
  const { night, inside } = nightOf(p, inputTime(input));
  // The measured night is over once time leaves its window or another night starts.
  if (s.night !== null && (!inside || night !== s.night)) {
    const closed = closeNight(p, s);
    if (!inside) return closed;
    // The reading that opens the next night also counts for it; the closing verdict is kept.
    return { state: evaluateNightMinimumRising(p, closed.state, input).state, verdict: closed.verdict };
  }
  const v = numberField(input, p.field);
  if (!inside || v === undefined) return { state: s, verdict: NONE };
  return { state: { ...s, night, min: s.min === null ? v : Math.min(s.min, v) }, verdict: NONE };
}

export const nightMinimumRising: RuleKind<typeof nightMinimumRisingParams, NightState> = {
  kind: "night-minimum-rising",
  params: nightMinimumRisingParams,
  maxStateBytes: 450,
  evaluate: evaluateNightMinimumRising,
  register: {
    fr: {
      purpose:
        "Détecter tôt une fuite sur un secteur du réseau d'eau par la hausse du débit minimum de nuit.",
      data: "Le débit mesuré pendant la fenêtre de nuit (heure locale) et les minima des dernières nuits.",
      decision:
        "Retient le minimum de chaque nuit ; alerte quand il a monté N nuits de suite (et d'au moins minRise au total) ; levée à la première nuit sans hausse.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Detect a leak in a water network sector early from a rising minimum night flow.",
      data: "The flow measured in the night window (local time) and the minima of the last nights.",
      decision:
        "Keeps each night's minimum; fires when it has risen N nights in a row (by at least minRise in total); clears at the first night without a rise.",
      role: "It raises an alert; a person decides.",
    },
  },
};
