import type { Condition } from "./types.ts";

/**
 * Each condition's sign, drawn inside its marker beside its colour, so that a state reads
 * without telling colours apart; the legend and the table use the same signs.
 */
export const SIGN: Record<Condition, string> = {
  ok: "✓",
  fault: "!",
  silent: "…",
  unknown: "?",
};
