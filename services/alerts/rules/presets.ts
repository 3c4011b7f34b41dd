import { type Static, Type } from "@sinclair/typebox";
import { evaluateBand } from "./band.ts";
import { initialLatch, LATCH_BYTES, type LatchState, stepLatch, tickLatch } from "./latch.ts";
import { type Evaluation, isTick, NONE, numberField, type RuleInput, type RuleKind } from "./types.ts";

const minDurationMs = Type.Optional(
  Type.Integer({ minimum: 0, description: "The value must stay low this long (ms). Default 0." }),
);

export const thresholdLowParams = Type.Object(
  {
    field: Type.String({ minLength: 1, description: "Numeric field watched (e.g. battery_pct)." }),
    level: Type.Number({ description: "The alert fires below this level." }),
    margin: Type.Optional(Type.Number({ minimum: 0, description: "Clears at level + margin. Default 0." })),
    minDurationMs,
  },
  { additionalProperties: false, description: "A value (battery) below a level." },
);
export type ThresholdLowParams = Static<typeof thresholdLowParams>;

/** A band with only a lower limit: kept as its own kind so contracts and the register read plainly. */
export const thresholdLow: RuleKind<typeof thresholdLowParams, LatchState> = {
  kind: "threshold-low",
  params: thresholdLowParams,
  maxStateBytes: LATCH_BYTES,
  evaluate: (p, state, input) => evaluateBand({ ...p, min: p.level }, state, input),
  register: {
    fr: {
      purpose: "Prévenir avant qu'une pile ou une réserve ne soit vide.",
      data: "La dernière valeur du champ désigné (niveau de pile).",
      decision: "Alerte quand la valeur reste sous le niveau ; levée au-dessus du niveau plus la marge.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Warn before a battery or a reserve runs out.",
      data: "The latest value of the field named (battery level).",
      decision: "Fires when the value stays below the level; clears above level plus margin.",
      role: "It raises an alert; a person decides.",
    },
  },
};

export const weakRadioParams = Type.Object(
  {
    rssiField: Type.Optional(Type.String({ description: "RSSI field. Default rssi_dbm." })),
    snrField: Type.Optional(Type.String({ description: "SNR field. Default snr_db." })),
    rssiMin: Type.Number({ description: "Lowest acceptable RSSI (dBm), e.g. -120." }),
    snrMin: Type.Number({ description: "Lowest acceptable SNR (dB), e.g. -15 for LoRa SF12." }),
    margin: Type.Optional(
      Type.Number({ minimum: 0, description: "Both must be this far above to clear (dB). Default 3." }),
    ),
    minDurationMs,
  },
  { additionalProperties: false, description: "Radio link too weak: RSSI or SNR below levels." },
);
export type WeakRadioParams = Static<typeof weakRadioParams>;

export function evaluateWeakRadio(
  p: WeakRadioParams,
  state: LatchState | undefined,
  input: RuleInput,
): Evaluation<LatchState> {
  const s = state ?? initialLatch();
  const minDuration = p.minDurationMs ?? 0;
  if (isTick(input)) return tickLatch(s, input.tick, minDuration, (v) => `liaison radio faible (RSSI ${v})`);
  const rssi = numberField(input, p.rssiField ?? "rssi_dbm");
  const snr = numberField(input, p.snrField ?? "snr_db");
  if (rssi === undefined || snr === undefined) return { state: s, verdict: NONE };
  const m = p.margin ?? 3;
  return stepLatch(
    s,
    {
      time: input.time,
      bad: rssi < p.rssiMin || snr < p.snrMin,
      good: rssi >= p.rssiMin + m && snr >= p.snrMin + m,
      value: rssi,
      fireDetail: `liaison radio faible : RSSI ${rssi} dBm, SNR ${snr} dB`,
      clearDetail: `liaison radio rétablie : RSSI ${rssi} dBm, SNR ${snr} dB`,
    },
    minDuration,
  );
}

export const weakRadio: RuleKind<typeof weakRadioParams, LatchState> = {
  kind: "weak-radio",
  params: weakRadioParams,
  maxStateBytes: LATCH_BYTES,
  evaluate: evaluateWeakRadio,
  register: {
    fr: {
      purpose: "Prévenir qu'un équipement risque de ne plus être entendu (antenne, obstacle, passerelle).",
      data: "Le RSSI et le SNR de la dernière réception radio.",
      decision:
        "Alerte quand le RSSI ou le SNR reste sous son seuil ; levée quand les deux dépassent leur seuil plus la marge.",
      role: "Il lève une alerte ; une personne décide.",
    },
    en: {
      purpose: "Warn that a device may no longer be heard (antenna, obstacle, gateway).",
      data: "The RSSI and SNR of the latest radio reception.",
      decision: "Fires when RSSI or SNR stays below its level; clears when both are above level plus margin.",
      role: "It raises an alert; a person decides.",
    },
  },
};
