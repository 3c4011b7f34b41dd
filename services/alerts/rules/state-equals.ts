import { type Static, Type } from "@sinclair/typebox";
import { initialLatch, LATCH_BYTES, type LatchState, stepLatch, tickLatch } from "./latch.ts";
import { type Evaluation, isTick, NONE, type RuleInput, type RuleKind } from "./types.ts";

export const stateEqualsParams = Type.Object(
  {
    field: Type.String({ minLength: 1, description: "Field watched (e.g. status)." }),
    values: Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
      minItems: 1,
      description: 'Values that raise the alert (e.g. ["defectiveLamp"]).',
    }),
    minDurationMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "The field must keep such a value this long (ms). Default 0.",
      }),
    ),
  },
  { additionalProperties: false, description: "A field equals one of the given values." },
);
export type StateEqualsParams = Static<typeof stateEqualsParams>;

export function evaluateStateEquals(
  p: StateEqualsParams,
  state: LatchState | undefined,
  input: RuleInput,
): Evaluation<LatchState> {
  const s = state ?? initialLatch();
  const minDuration = p.minDurationMs ?? 0;
  if (isTick(input)) return tickLatch(s, input.tick, minDuration, (v) => `${p.field} = ${v}`);
  const v = input.values[p.field];
  if (v === undefined) return { state: s, verdict: NONE };
  const bad = p.values.includes(v);
  return stepLatch(
    s,
    {
      time: input.time,
      bad,
      good: !bad,
      value: v,
      fireDetail: `${p.field} = ${v}`,
      clearDetail: `${p.field} = ${v}`,
    },
    minDuration,
  );
}

export const stateEquals: RuleKind<typeof stateEqualsParams, LatchState> = {
  kind: "state-equals",
  params: stateEqualsParams,
  maxStateBytes: LATCH_BYTES + 40,
  evaluate: evaluateStateEquals,
  register: {
    fr: {
      purpose: "Signaler un état déclaré par l'équipement (lampe défectueuse, capot ouvert).",
      data: "Le dernier état du champ désigné par le contrat.",
      decision: "Alerte quand le champ prend une des valeurs listées ; levée quand il en prend une autre.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Report a state declared by the device (defective lamp, open lid).",
      data: "The latest state of the field named by the contract.",
      decision: "Fires when the field takes one of the listed values; clears when it takes another.",
      role: "It raises an alert; a person decides.",
    },
  },
};
