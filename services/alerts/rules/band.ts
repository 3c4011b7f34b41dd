import { type Static, Type } from "@sinclair/typebox";
import type { FieldValue } from "../../domain/types.ts";
import { initialLatch, LATCH_BYTES, type LatchState, stepLatch, tickLatch } from "./latch.ts";
import { type Evaluation, isTick, NONE, numberField, type RuleInput, type RuleKind } from "./types.ts";

export const bandParams = Type.Object(
  {
    field: Type.String({ minLength: 1, description: "Numeric field watched (e.g. pressure_bar)." }),
    min: Type.Optional(Type.Number({ description: "Lowest acceptable value; absent: no lower limit." })),
    max: Type.Optional(Type.Number({ description: "Highest acceptable value; absent: no upper limit." })),
    margin: Type.Optional(
      Type.Number({
        minimum: 0,
        description: "Hysteresis: to clear, the value must be back inside the band by this much. Default 0.",
      }),
    ),
    minDurationMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "The value must stay outside this long (ms) before the alert fires. Default 0.",
      }),
    ),
  },
  { additionalProperties: false, description: "Value outside [min, max]." },
);
export type BandParams = Static<typeof bandParams>;

function outside(p: BandParams, v: number): boolean {
  return (p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max);
}

function wellInside(p: BandParams, v: number): boolean {
  const m = p.margin ?? 0;
  return (p.min === undefined || v >= p.min + m) && (p.max === undefined || v <= p.max - m);
}

function describeOut(p: BandParams, v: FieldValue): string {
  const limits = `[${p.min ?? "-∞"} ; ${p.max ?? "+∞"}]`;
  return `${p.field} = ${v} hors de la plage ${limits}`;
}

export function evaluateBand(
  p: BandParams,
  state: LatchState | undefined,
  input: RuleInput,
): Evaluation<LatchState> {
  const s = state ?? initialLatch();
  const minDuration = p.minDurationMs ?? 0;
  if (isTick(input)) return tickLatch(s, input.tick, minDuration, (v) => describeOut(p, v));
  const v = numberField(input, p.field);
  if (v === undefined) return { state: s, verdict: NONE };
  return stepLatch(
    s,
    {
      time: input.time,
      bad: outside(p, v),
      good: wellInside(p, v),
      value: v,
      fireDetail: describeOut(p, v),
      clearDetail: `${p.field} = ${v} revenu dans la plage`,
    },
    minDuration,
  );
}

export const band: RuleKind<typeof bandParams, LatchState> = {
  kind: "band",
  params: bandParams,
  maxStateBytes: LATCH_BYTES,
  evaluate: evaluateBand,
  register: {
    fr: {
      purpose: "Signaler une mesure sortie de sa plage normale (pression, niveau, tension).",
      data: "La dernière valeur du champ désigné par le contrat et son heure.",
      decision:
        "Alerte quand la valeur reste hors de [min, max] pendant la durée minimale ; levée quand elle revient dans la plage avec la marge d'hystérésis.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Report a measurement outside its normal range (pressure, level, voltage).",
      data: "The latest value of the field named by the contract and its time.",
      decision:
        "Fires when the value stays outside [min, max] for the minimum duration; clears when it is back inside by the hysteresis margin.",
      role: "It raises an alert; a person decides.",
    },
  },
};
