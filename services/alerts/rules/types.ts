import type { Static, TSchema } from "@sinclair/typebox";
import type { EpochMs, FieldValue } from "../../domain/types.ts";

/**
 * Rule kinds know no domain: a contract names the kind, the field and the parameters. These are the
 * shapes the engine hands them; nothing here reads a clock, a store or the network, so a kind is
 * replayable from a list of inputs and its state alone.
 */

/** What a kind may know of the device, copied from the inventory (rated power, place). */
export interface DeviceFacts {
  lat?: number;
  lon?: number;
  attributes?: Readonly<Record<string, string | number>>;
  /** How often the contract expects the device to report (its cadence for that device), if it says. */
  cadenceMs?: number;
}

/** One durable observation of the device (after contract checks). */
export interface Reading {
  time: EpochMs;
  values: Readonly<Record<string, FieldValue>>;
  device?: DeviceFacts;
}

/** A timer tick: lets kinds that watch for absence (silence, not emptied) decide without a reading. */
export interface Tick {
  tick: EpochMs;
}

export type RuleInput = Reading | Tick;

/** An alert is raised ("fire") and later lowered ("clear") once: kinds report edges, not levels. */
export type Verdict =
  | { verdict: "fire"; detail: string; value: FieldValue }
  | { verdict: "clear"; detail: string; value?: FieldValue }
  | { verdict: "none" };

export interface Evaluation<S> {
  state: S;
  verdict: Verdict;
}

/** One language's text of the public algorithm register (Loi pour une République numérique, art. L312-1-3). */
export interface RegisterText {
  purpose: string;
  data: string;
  decision: string;
  role: string;
}

export interface RegisterEntry {
  fr: RegisterText;
  en: RegisterText;
}

export interface RuleKind<P extends TSchema, S> {
  kind: string;
  params: P;
  register: RegisterEntry;
  /** Upper bound of JSON.stringify(state).length, in bytes, for any input sequence. */
  maxStateBytes: number;
  /**
   * False for a kind that never decides on a timer tick (only readings move it): the engine's
   * tick then skips it. Absent means it may.
   */
  ticks?: false;
  /** `state` is undefined for a device the kind has never seen. */
  evaluate(params: Static<P>, state: S | undefined, input: RuleInput): Evaluation<S>;
}

export const NONE: Verdict = { verdict: "none" };

export function isTick(input: RuleInput): input is Tick {
  return "tick" in input;
}

export function inputTime(input: RuleInput): EpochMs {
  return isTick(input) ? input.tick : input.time;
}

/** A numeric field, or undefined: a kind never guesses from a string or a missing field. */
export function numberField(input: RuleInput, field: string): number | undefined {
  if (isTick(input)) return undefined;
  const v = input.values[field];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function fire(detail: string, value: FieldValue): Verdict {
  return { verdict: "fire", detail, value };
}

export function clear(detail: string, value?: FieldValue): Verdict {
  return value === undefined ? { verdict: "clear", detail } : { verdict: "clear", detail, value };
}
