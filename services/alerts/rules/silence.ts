import { type Static, Type } from "@sinclair/typebox";
import type { EpochMs } from "../../domain/types.ts";
import { clear, type Evaluation, fire, isTick, NONE, type RuleInput, type RuleKind } from "./types.ts";

export const silenceParams = Type.Object(
  {
    cadenceMs: Type.Integer({ minimum: 1, description: "Expected reporting period of the device (ms)." }),
    graceMs: Type.Integer({
      minimum: 0,
      description: "Extra delay tolerated before the silence is reported (ms).",
    }),
  },
  { additionalProperties: false, description: "No reading for longer than cadence + grace." },
);
export type SilenceParams = Static<typeof silenceParams>;

/** Size: a time and a boolean (under 40 bytes as JSON). */
export interface SilenceState {
  last: EpochMs | null;
  active: boolean;
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
    // A first reading also clears: after a restart that lost the state, a silence raised before
    // it must not stay active while the device reports (clearing nothing is a no-op in the store).
    const verdict = s.active || s.last === null ? clear("l'équipement émet de nouveau") : NONE;
    return { state: { last, active: false }, verdict };
  }
  // A device never heard of is the inventory's business (commissioning), not a silence.
  if (s.last === null || s.active) return { state: s, verdict: NONE };
  const quietMs = input.tick - s.last;
  if (quietMs <= p.cadenceMs + p.graceMs) return { state: s, verdict: NONE };
  const detail = `aucune mesure depuis ${Math.round(quietMs / 60_000)} min (attendu toutes les ${Math.round(p.cadenceMs / 60_000)} min)`;
  return { state: { ...s, active: true }, verdict: fire(detail, s.last) };
}

export const silence: RuleKind<typeof silenceParams, SilenceState> = {
  kind: "silence",
  params: silenceParams,
  maxStateBytes: 40,
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
