import type { TSchema } from "@sinclair/typebox";
import { Value, type ValueError } from "@sinclair/typebox/value";
import { band } from "./band.ts";
import { counterNotReset } from "./counter-not-reset.ts";
import { inconsistent } from "./inconsistent.ts";
import { nightMinimumRising } from "./night-minimum-rising.ts";
import { thresholdLow, weakRadio } from "./presets.ts";
import { rate } from "./rate.ts";
import { silence } from "./silence.ts";
import { spike } from "./spike.ts";
import { stateEquals } from "./state-equals.ts";
import { sun } from "./sun.ts";
import type { Evaluation, RegisterEntry, RuleInput, RuleKind } from "./types.ts";

/**
 * A kind as the engine holds it, whatever its parameters and state: the engine keeps states as opaque
 * JSON per (rule, device) and must have checked the parameters with `validateRuleParams` when the
 * contract was loaded, which is what makes the casts in `erase` sound.
 */
export interface AnyRuleKind {
  kind: string;
  params: TSchema;
  register: RegisterEntry;
  maxStateBytes: number;
  /** False: the kind never decides on a tick (types.ts, RuleKind.ticks). */
  ticks?: false;
  evaluate(params: unknown, state: unknown, input: RuleInput): Evaluation<unknown>;
}

function erase<P extends TSchema, S>(k: RuleKind<P, S>): AnyRuleKind {
  return {
    kind: k.kind,
    params: k.params,
    register: k.register,
    maxStateBytes: k.maxStateBytes,
    ...(k.ticks === false ? { ticks: false as const } : {}),
    evaluate: (params, state, input) => k.evaluate(params as never, state as S | undefined, input),
  };
}

const all: readonly AnyRuleKind[] = [
  erase(band),
  erase(stateEquals),
  erase(rate),
  erase(spike),
  erase(inconsistent),
  erase(sun),
  erase(silence),
  erase(thresholdLow),
  erase(weakRadio),
  erase(counterNotReset),
  erase(nightMinimumRising),
];

export const ruleKinds: ReadonlyMap<string, AnyRuleKind> = new Map(all.map((k) => [k.kind, k]));

export interface ParamError {
  /** JSON pointer into the parameters, e.g. "/minDurationMs"; "" for the kind itself. */
  path: string;
  message: string;
}

export function validateRuleParams(kindId: string, params: unknown): { ok: boolean; errors: ParamError[] } {
  const k = ruleKinds.get(kindId);
  if (!k) return { ok: false, errors: [{ path: "", message: `unknown rule kind "${kindId}"` }] };
  const errors = flatten([...Value.Errors(k.params, params)]);
  return { ok: errors.length === 0, errors };
}

/**
 * A union (rate's two modes) reports one opaque "expected union value" at its root; the branch with
 * the fewest errors is the one the author meant, so its errors, with their paths, say what to fix.
 */
function flatten(errors: ValueError[]): ParamError[] {
  return errors.flatMap((e) => {
    const branches = e.errors.map((it) => [...it]).filter((b) => b.length > 0);
    if (branches.length === 0) return [{ path: e.path, message: e.message }];
    const closest = branches.reduce((a, b) => (b.length < a.length ? b : a));
    return flatten(closest);
  });
}
