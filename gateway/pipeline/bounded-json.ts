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
  const over = overLimit(value, limits, "", 0);
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
  return overLimit(value, limits, "", 0);
}

/**
 * The first bound the value breaks, with its path. Nesting is counted as `nestingDepth` counts
 * it on text, so the recursion stops past `maxDepth` whatever the value.
 */
function overLimit(value: unknown, limits: JsonLimits, path: string, depth: number): Violation | undefined {
  if (typeof value === "string") {
    return value.length > limits.maxString
      ? violation(DataCode.PAYLOAD_LIMIT, path, `string of ${value.length} characters > ${limits.maxString}`)
      : undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (depth + 1 > limits.maxDepth) {
    return violation(DataCode.PAYLOAD_DEPTH, path, `nested deeper than ${limits.maxDepth} levels`);
  }
  if (Array.isArray(value)) {
    if (value.length > limits.maxArray) {
      return violation(
        DataCode.PAYLOAD_LIMIT,
        path,
        `array of ${value.length} elements > ${limits.maxArray}`,
      );
    }
    for (let i = 0; i < value.length; i++) {
      const over = overLimit(value[i], limits, `${path}[${i}]`, depth + 1);
      if (over) return over;
    }
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length > limits.maxKeys) {
    return violation(DataCode.PAYLOAD_LIMIT, path, `object of ${keys.length} keys > ${limits.maxKeys}`);
  }
  for (const key of keys) {
    const at = path === "" ? key.slice(0, 64) : `${path}.${key.slice(0, 64)}`;
    if (key.length > limits.maxString) {
      return violation(DataCode.PAYLOAD_LIMIT, at, `key of ${key.length} characters > ${limits.maxString}`);
    }
    const over = overLimit((value as Record<string, unknown>)[key], limits, at, depth + 1);
    if (over) return over;
  }
  return undefined;
}

function refuse(code: DataCode, path: string, detail: string): BoundedJson {
  return { ok: false, problem: violation(code, path, detail) };
}
