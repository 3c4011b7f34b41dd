import { type Static, Type } from "@sinclair/typebox";
import { initialLatch, LATCH_BYTES, type LatchState, stepLatch } from "./latch.ts";
import { HORIZON_DEG, solarElevationDeg } from "./solar.ts";
import { type Evaluation, isTick, NONE, type Reading, type RuleInput, type RuleKind } from "./types.ts";

export const sunParams = Type.Object(
  {
    stateField: Type.String({ minLength: 1, description: "State field (e.g. power_state)." }),
    onValues: Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
      minItems: 1,
      description: "Values meaning on; any other value means off.",
    }),
    offsetDeg: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 18,
        description:
          "Twilight tolerance (degrees of sun elevation around the horizon) where either state is accepted. Default 3.",
      }),
    ),
    minDurationMs: Type.Optional(
      Type.Integer({ minimum: 0, description: "The wrong state must last this long (ms). Default 0." }),
    ),
  },
  {
    additionalProperties: false,
    description: "Lamp off at night or on in daylight, from the sun at the device.",
  },
);
export type SunParams = Static<typeof sunParams>;

type Expected = "on" | "off" | "either";

/** What the sun says the lamp should be, or undefined when the device has no coordinates. */
export function expectedState(r: Reading, offsetDeg: number): Expected | undefined {
  const lat = r.device?.lat;
  const lon = r.device?.lon;
  if (lat === undefined || lon === undefined) return undefined;
  const elevation = solarElevationDeg(r.time, lat, lon);
  if (elevation < HORIZON_DEG - offsetDeg) return "on";
  if (elevation > HORIZON_DEG + offsetDeg) return "off";
  return "either";
}

export function evaluateSun(
  p: SunParams,
  state: LatchState | undefined,
  input: RuleInput,
): Evaluation<LatchState> {
  const s = state ?? initialLatch();
  if (isTick(input)) return { state: s, verdict: NONE };
  const st = input.values[p.stateField];
  const expected = expectedState(input, p.offsetDeg ?? 3);
  if (st === undefined || expected === undefined) return { state: s, verdict: NONE };
  const actual = p.onValues.includes(st) ? "on" : "off";
  const wrong = expected !== "either" && expected !== actual;
  const when = expected === "on" ? "la nuit" : "le jour";
  return stepLatch(
    s,
    {
      time: input.time,
      bad: wrong,
      // In twilight either state is fine, so a lamp switching at dusk clears as soon as it is right.
      good: !wrong,
      value: st,
      fireDetail: `${p.stateField} = ${st} ${when} (attendu : ${expected === "on" ? "allumé" : "éteint"})`,
      clearDetail: `${p.stateField} = ${st} conforme à l'éclairement`,
    },
    p.minDurationMs ?? 0,
  );
}

export const sun: RuleKind<typeof sunParams, LatchState> = {
  kind: "sun",
  params: sunParams,
  maxStateBytes: LATCH_BYTES + 40,
  ticks: false,
  evaluate: evaluateSun,
  register: {
    fr: {
      purpose: "Repérer un point lumineux éteint la nuit ou allumé le jour.",
      data: "L'état déclaré, l'heure de la mesure et les coordonnées du point lumineux (inventaire).",
      decision:
        "Calcule la hauteur du soleil au point (bibliothèque suncalc, algorithmes astronomiques de Meeus) ; alerte si la lampe est éteinte quand le soleil est sous l'horizon moins la tolérance, ou allumée quand il est au-dessus plus la tolérance, pendant la durée minimale.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Spot a streetlight off at night or on in daylight.",
      data: "The declared state, the reading's time and the light point's coordinates (inventory).",
      decision:
        "Computes the sun's elevation at the point (the suncalc library, Meeus' astronomical algorithms); fires when the lamp is off while the sun is below the horizon minus the tolerance, or on while above plus the tolerance, for the minimum duration.",
      role: "It raises an alert; a person decides.",
    },
  },
};
