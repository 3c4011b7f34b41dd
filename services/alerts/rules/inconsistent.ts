import { type Static, Type } from "@sinclair/typebox";
import { initialLatch, LATCH_BYTES, type LatchState, stepLatch, tickLatch } from "./latch.ts";
import {
  type Evaluation,
  isTick,
  NONE,
  numberField,
  type Reading,
  type RuleInput,
  type RuleKind,
} from "./types.ts";

export const inconsistentParams = Type.Object(
  {
    stateField: Type.String({ minLength: 1, description: "State field (e.g. power_state)." }),
    onValues: Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
      minItems: 1,
      description: 'Values of the state field meaning on (e.g. ["on", true]); any other value means off.',
    }),
    valueField: Type.String({ minLength: 1, description: "Numeric field compared (e.g. active_power_w)." }),
    ratedAttribute: Type.Optional(
      Type.String({ description: "Device attribute holding the rated value (e.g. rated_power_w)." }),
    ),
    minRatio: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        description: "When on, the value must reach minRatio × rated value.",
      }),
    ),
    offMax: Type.Optional(
      Type.Number({ minimum: 0, description: "When off, the value must not exceed this." }),
    ),
    margin: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: "Hysteresis as a fraction of the limit. Default 0.1.",
      }),
    ),
    minDurationMs: Type.Optional(
      Type.Integer({ minimum: 0, description: "The inconsistency must last this long (ms). Default 0." }),
    ),
  },
  { additionalProperties: false, description: "A value inconsistent with a state or a rated value." },
);
export type InconsistentParams = Static<typeof inconsistentParams>;

function rated(p: InconsistentParams, r: Reading): number | undefined {
  const v = p.ratedAttribute === undefined ? undefined : r.device?.attributes?.[p.ratedAttribute];
  return typeof v === "number" && v > 0 ? v : undefined;
}

interface Judgement {
  bad: boolean;
  good: boolean;
  detail: string;
}

function judgeOn(p: InconsistentParams, r: Reading, v: number): Judgement {
  const nominal = rated(p, r);
  if (nominal === undefined || p.minRatio === undefined) return { bad: false, good: true, detail: "" };
  const limit = p.minRatio * nominal;
  const detail = `${p.stateField} allumé mais ${p.valueField} = ${v} < ${p.minRatio} × ${nominal}`;
  return { bad: v < limit, good: v >= limit * (1 + (p.margin ?? 0.1)), detail };
}

function judgeOff(p: InconsistentParams, v: number): Judgement {
  if (p.offMax === undefined) return { bad: false, good: true, detail: "" };
  const detail = `${p.stateField} éteint mais ${p.valueField} = ${v} > ${p.offMax}`;
  return { bad: v > p.offMax, good: v <= p.offMax * (1 - (p.margin ?? 0.1)), detail };
}

export function evaluateInconsistent(
  p: InconsistentParams,
  state: LatchState | undefined,
  input: RuleInput,
): Evaluation<LatchState> {
  const s = state ?? initialLatch();
  const minDuration = p.minDurationMs ?? 0;
  if (isTick(input)) return tickLatch(s, input.tick, minDuration, (v) => `${p.valueField} = ${v} incohérent`);
  const st = input.values[p.stateField];
  const v = numberField(input, p.valueField);
  if (st === undefined || v === undefined) return { state: s, verdict: NONE };
  const j = p.onValues.includes(st) ? judgeOn(p, input, v) : judgeOff(p, v);
  const clearDetail = `${p.valueField} = ${v} cohérent avec ${p.stateField} = ${st}`;
  return stepLatch(
    s,
    { time: input.time, bad: j.bad, good: j.good, value: v, fireDetail: j.detail, clearDetail },
    minDuration,
  );
}

export const inconsistent: RuleKind<typeof inconsistentParams, LatchState> = {
  kind: "inconsistent",
  params: inconsistentParams,
  maxStateBytes: LATCH_BYTES,
  evaluate: evaluateInconsistent,
  register: {
    fr: {
      purpose:
        "Repérer une mesure incohérente avec l'état déclaré (lampe allumée sans consommer, éteinte mais consommant).",
      data: "L'état et la mesure désignés par le contrat, et la valeur nominale de l'équipement tirée de l'inventaire.",
      decision:
        "Alerte si, allumé, la mesure reste sous minRatio × valeur nominale, ou si, éteint, elle dépasse offMax, pendant la durée minimale.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose:
        "Spot a measurement inconsistent with the declared state (lamp on without drawing power, off but drawing).",
      data: "The state and measurement named by the contract, and the device's rated value from the inventory.",
      decision:
        "Fires when, on, the value stays below minRatio × rated value, or, off, above offMax, for the minimum duration.",
      role: "It raises an alert; a person decides.",
    },
  },
};
