import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Violation } from "../../services/domain/types.ts";

/**
 * JSON from the outside, read within limits. `JSON.parse` itself copes with any nesting, but
 * everything that walks the value afterwards (the contract check, the quarantine's
 * `JSON.stringify`, a network-server event's mapping) recurses: a 24 KB document nested 12,000
 * levels deep overflowed the stack there. So the nesting is measured on the text, before parsing,
 * and the parsed value's objects, arrays and strings are bounded before anything else sees it.
 */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most keys in one object. */
  maxKeys: number;
  /** Most elements in one array. */
  maxArray: number;
  /** Longest string (key or value), in UTF-16 code units. */
  maxString: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = {
  maxDepth: 32,
  maxKeys: 1024,
  maxArray: 10_000,
  maxString: 65_536,
};

export type BoundedJson = { ok: true; value: unknown } | { ok: false; problem: Violation };

export function parseBoundedJson(
  payload: Buffer | string,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): BoundedJson {
  const text = typeof payload === "string" ? payload : payload.toString("utf8");
  const depth = nestingDepth(text, limits.maxDepth);
  if (depth > limits.maxDepth) {
    return refuse(DataCode.PAYLOAD_DEPTH, "", `nested deeper than ${limits.maxDepth} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return refuse(DataCode.PAYLOAD_JSON, "", (err as Error).message);
  }
  const over = overLimit(value, limits, []);
  return over ? { ok: false, problem: over } : { ok: true, value };
}

/**
 * The deepest nesting of `{`/`[` outside strings, counting stops once past `max` (the rest is
 * not read). Malformed text is left to JSON.parse: this only bounds what it would build.
 */
export function nestingDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * The same bounds for a value that did not come as JSON text (a protobuf `Struct` a network
 * server sent, decoded to an object): the first one it breaks, nesting included, with its path.
 */
export function valueOverLimits(
  value: unknown,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): Violation | undefined {
  return overLimit(value, limits, []);
}

/**
 * The first bound the value breaks, with its path. Nesting is counted as `nestingDepth` counts
 * it on text, so the recursion stops past `maxDepth` whatever the value. This runs on every
 * message: the path is kept as the steps taken (`steps`, pushed and popped) and written out only
 * for the one value that breaks a bound, never for the values that pass.
 */
function overLimit(value: unknown, limits: JsonLimits, steps: (string | number)[]): Violation | undefined {
  if (typeof value === "string") {
    return value.length > limits.maxString
      ? broken(DataCode.PAYLOAD_LIMIT, steps, `string of ${value.length} characters > ${limits.maxString}`)
      : undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (steps.length + 1 > limits.maxDepth) {
    return broken(DataCode.PAYLOAD_DEPTH, steps, `nested deeper than ${limits.maxDepth} levels`);
  }
  return Array.isArray(value) ? arrayOverLimit(value, limits, steps) : objectOverLimit(value, limits, steps);
}

function arrayOverLimit(
  value: unknown[],
  limits: JsonLimits,
  steps: (string | number)[],
): Violation | undefined {
  if (value.length > limits.maxArray) {
    return broken(DataCode.PAYLOAD_LIMIT, steps, `array of ${value.length} elements > ${limits.maxArray}`);
  }
  for (let i = 0; i < value.length; i++) {
    steps.push(i);
    const over = overLimit(value[i], limits, steps);
    steps.pop();
    if (over) return over;
  }
  return undefined;
}

function objectOverLimit(
  value: object,
  limits: JsonLimits,
  steps: (string | number)[],
): Violation | undefined {
  const keys = Object.keys(value);
  if (keys.length > limits.maxKeys) {
    return broken(DataCode.PAYLOAD_LIMIT, steps, `object of ${keys.length} keys > ${limits.maxKeys}`);
  }
  for (const key of keys) {
    steps.push(key);
    const over =
      key.length > limits.maxString
        ? broken(DataCode.PAYLOAD_LIMIT, steps, `key of ${key.length} characters > ${limits.maxString}`)
        : overLimit((value as Record<string, unknown>)[key], limits, steps);
    steps.pop();
    if (over) return over;
  }
  return undefined;
}

/** `readings[3].data.x`: keys cut at 64 characters, so an oversized key does not make an oversized path. */
function pathOf(steps: readonly (string | number)[]): string {
  let path = "";
  for (const step of steps) {
    if (typeof step === "number") path += `[${step}]`;
    else path += path === "" ? step.slice(0, 64) : `.${step.slice(0, 64)}`;
  }
  return path;
}

function broken(code: DataCode, steps: readonly (string | number)[], detail: string): Violation {
  return violation(code, pathOf(steps), detail);
}

function refuse(code: DataCode, path: string, detail: string): BoundedJson {
  return { ok: false, problem: violation(code, path, detail) };
}
