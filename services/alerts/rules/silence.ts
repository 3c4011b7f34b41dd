import { type Static, Type } from "@sinclair/typebox";
import type { EpochMs } from "../../domain/types.ts";
import { clear, type Evaluation, fire, isTick, NONE, type RuleInput, type RuleKind } from "./types.ts";

export const silenceParams = Type.Object(
  {
    cadenceMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          "Expected reporting period of the device (ms). Absent: the contract's cadence for that device (customProperties cadence, else its frequency).",
      }),
    ),
    graceMs: Type.Integer({
      minimum: 0,
      description: "Extra delay tolerated before the silence is reported (ms).",
    }),
  },
  { additionalProperties: false, description: "No reading for longer than cadence + grace." },
);
export type SilenceParams = Static<typeof silenceParams>;

/** Size: a time, a boolean and a period (under 60 bytes as JSON). */
export interface SilenceState {
  last: EpochMs | null;
  active: boolean;
  /** The device's expected period from the contract, when the rule does not set one. */
  cadenceMs?: number;
}

export function evaluateSilence(
  p: SilenceParams,
  state: SilenceState | undefined,
  input: RuleInput,
): Evaluation<SilenceState> {
  const s = state ?? { last: null, active: false };
  if (!isTick(input)) {
    // Readings may arrive out of order (a gateway's backlog): keep the latest time.
    const last = s.last === null ? input.time : Math.max(s.last, input.time);
    const cadenceMs = input.device?.cadenceMs ?? s.cadenceMs;
    // A first reading also clears: after a restart that lost the state, a silence raised before
    // it must not stay active while the device reports (clearing nothing is a no-op in the store).
    const verdict = s.active || s.last === null ? clear("l'équipement émet de nouveau") : NONE;
    return {
      state: cadenceMs === undefined ? { last, active: false } : { last, active: false, cadenceMs },
      verdict,
    };
  }
  // A device never heard of is the inventory's business (commissioning), not a silence.
  const cadence = p.cadenceMs ?? s.cadenceMs;
  // No period from the rule nor the contract: nothing says when the device should have spoken.
  if (s.last === null || s.active || cadence === undefined) return { state: s, verdict: NONE };
  const quietMs = input.tick - s.last;
  if (quietMs <= cadence + p.graceMs) return { state: s, verdict: NONE };
  const detail = `aucune mesure depuis ${Math.round(quietMs / 60_000)} min (attendu toutes les ${Math.round(cadence / 60_000)} min)`;
  return { state: { ...s, active: true }, verdict: fire(detail, s.last) };
}

export const silence: RuleKind<typeof silenceParams, SilenceState> = {
  kind: "silence",
  params: silenceParams,
  maxStateBytes: 60,
  evaluate: evaluateSilence,
  register: {
    fr: {
      purpose: "Signaler un équipement qui n'émet plus.",
      data: "L'heure de la dernière mesure reçue et la cadence attendue du contrat.",
      decision:
        "Alerte, à l'horloge, quand aucune mesure n'est arrivée depuis plus que la cadence plus la tolérance ; levée à la mesure suivante.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Report a device that stopped reporting.",
      data: "The time of the latest reading received and the contract's expected cadence.",
      decision:
        "Fires, on a timer, when no reading has arrived for longer than cadence plus grace; clears at the next reading.",
      role: "It raises an alert; a person decides.",
    },
  },
};
