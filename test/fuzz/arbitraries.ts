import fc, { type Arbitrary } from "fast-check";

/**
 * Generators that reach the edges of what the platform reads: numbers of every magnitude (and
 * number texts no JavaScript number can hold), nesting thousands of levels deep, long strings,
 * objects of many keys, bytes that are not UTF-8, prototype keys, injection strings, and valid
 * payloads cut short or mutated. Large values are built from a few small drawn numbers (a depth,
 * a length), so that they cost little to make and shrink to small counterexamples.
 *
 * Payloads are JSON text written by `jsonText` from a `JsonNode` tree rather than by
 * JSON.stringify: the tree can hold number texts verbatim (`1e400`, 30 digits), duplicate keys and
 * `__proto__` as an own key, which a JavaScript object cannot carry to JSON.stringify.
 */

// --- numbers ---------------------------------------------------------------------------------

/** Epoch ms when the generators were loaded: "now" for times near, before and after reception. */
const NOW = Date.now();

/** Numbers at the edges: signed zeros, subnormals, huge values, times in other units. */
export const EDGE_NUMBERS: readonly number[] = [
  0,
  -0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308 / 3,
  1e-300,
  0.1 + 0.2,
  1,
  -1,
  255,
  256,
  65_535,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  -Number.MAX_SAFE_INTEGER - 2,
  2 ** 63,
  2 ** 64,
  1e15,
  1e20,
  -1e17,
  8.64e15,
  8.64e15 + 1,
  -8.64e15 - 1,
  1e308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  NOW,
  NOW + 299_000,
  NOW + 301_000,
  NOW * 1000,
  NOW * 1e6,
  Math.floor(NOW / 1000),
];

/** A finite number: an edge value or any double. */
export const edgeNumber: Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer() },
);

/** Number texts JSON allows but no double holds exactly, or at all (`1e400` parses to Infinity). */
export const NUMBER_TEXTS: readonly string[] = [
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "-0.0",
  "0e0",
  "1E+2",
  "123456789012345678901234567890",
  "9007199254740993",
  "-9007199254740993",
  "18446744073709551615",
  "0.000000000000000000000000000000000001",
  "4.9e-325",
  `${NOW}000000`,
  "99999999999999999999",
];

/** Texts that look like numbers to a person and are not JSON numbers, or not numbers at all. */
export const NANISH_TEXTS: readonly string[] = [
  "NaN",
  "nan",
  "Infinity",
  "-Infinity",
  "inf",
  "1e400",
  "0x10",
  "0b101",
  " 12 ",
  "1_000",
  "1,5",
  "+1",
  ".5",
  "5.",
  "١٢٣",
  "",
];

// --- strings ---------------------------------------------------------------------------------

/** Keys that mean something to a JavaScript object. */
export const PROTO_KEYS: readonly string[] = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
];

/** Line protocol, SQL, InfluxQL, paths, control characters, lone surrogates. */
export const INJECTIONS: readonly string[] = [
  "a,b=c d",
  "m,tag=1 field=2 1700000000000000000\nm2 x=1",
  "x\\",
  'x" y',
  "x' OR '1'='1",
  "'; DROP TABLE readings; --",
  '"; DROP MEASUREMENT readings; --',
  "SELECT * FROM readings; DELETE FROM quarantine",
  "time > 0 OR 1=1",
  "\\u0000",
  "\u0000",
  "\r\n",
  "\t",
  "../../../etc/passwd",
  "%00",
  "%2e%2e%2f",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, a plain string on purpose
  "${jndi:ldap://127.0.0.1/x}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "\uD800",
  "\uDFFF",
  "🙂",
  "é",
  "\u202E",
];

/** Strings of any code point (lone surrogates included), short. */
export const anyString: Arbitrary<string> = fc.string({ unit: "binary", maxLength: 40 });

/** A string from the lists above, or any string. */
export const edgeString: Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...INJECTIONS, ...PROTO_KEYS, ...NANISH_TEXTS) },
  { weight: 2, arbitrary: anyString },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** A long string: a drawn length of one repeated character (cheap to build, shrinks by length). */
export const longString: Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom("x", "é", "🙂", '"', "\\", "\u0000"))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

// --- JSON trees ------------------------------------------------------------------------------

/** A JSON document as written on the wire: number texts verbatim, keys in order, duplicates kept. */
export type JsonNode =
  | { kind: "raw"; text: string }
  | { kind: "string"; value: string }
  | { kind: "array"; items: JsonNode[] }
  | { kind: "object"; entries: Array<[string, JsonNode]> };

export const raw = (text: string): JsonNode => ({ kind: "raw", text });
export const str = (value: string): JsonNode => ({ kind: "string", value });
export const arr = (items: JsonNode[]): JsonNode => ({ kind: "array", items });
export const obj = (entries: Array<[string, JsonNode]>): JsonNode => ({ kind: "object", entries });

/** The number as JSON writes it; NaN and the infinities have no JSON form and become texts. */
export function num(n: number): JsonNode {
  if (Number.isFinite(n)) return raw(Object.is(n, -0) ? "-0" : String(n));
  return raw(`"${String(n)}"`);
}

/** Writes the tree as JSON text; iterative, so that a deep tree does not overflow the stack here. */
export function jsonText(root: JsonNode): string {
  const out: string[] = [];
  const stack: Array<JsonNode | string> = [root];
  while (stack.length > 0) {
    const next = stack.pop() as JsonNode | string;
    if (typeof next === "string") {
      out.push(next);
      continue;
    }
    switch (next.kind) {
      case "raw":
        out.push(next.text);
        break;
      case "string":
        out.push(JSON.stringify(next.value));
        break;
      case "array":
        pushReversed(stack, "[", "]", next.items, (item) => [item]);
        break;
      case "object":
        pushReversed(stack, "{", "}", next.entries, ([key, value]) => [`${JSON.stringify(key)}:`, value]);
        break;
    }
  }
  return out.join("");
}

function pushReversed<T>(
  stack: Array<JsonNode | string>,
  open: string,
  close: string,
  parts: readonly T[],
  expand: (part: T) => Array<JsonNode | string>,
): void {
  stack.push(close);
  for (let i = parts.length - 1; i >= 0; i--) {
    const expanded = expand(parts[i] as T);
    for (let j = expanded.length - 1; j >= 0; j--) stack.push(expanded[j] as JsonNode | string);
    if (i > 0) stack.push(",");
  }
  stack.push(open);
}

/** Nesting as text: `levels` arrays, objects, or both alternating, around `inner`. */
export function nestedText(levels: number, shape: "array" | "object" | "mixed", inner = "1"): string {
  if (shape === "array") return `${"[".repeat(levels)}${inner}${"]".repeat(levels)}`;
  if (shape === "object") return `${'{"a":'.repeat(levels)}${inner}${"}".repeat(levels)}`;
  const half = Math.floor(levels / 2);
  return `${'[{"a":'.repeat(half)}${inner}${"}]".repeat(half)}`;
}

/** Deep nesting, from a hundred to 20,000 levels, as a raw JSON value. */
export const deepNode: Arbitrary<JsonNode> = fc
  .tuple(
    fc.integer({ min: 33, max: 20_000 }),
    fc.constantFrom("array", "object", "mixed") as Arbitrary<"array" | "object" | "mixed">,
  )
  .map(([levels, shape]) => raw(nestedText(levels, shape)));

/** An object of many keys (over the 1,024 a document may hold, sometimes). */
export const manyKeysNode: Arbitrary<JsonNode> = fc
  .integer({ min: 100, max: 5_000 })
  .map((n) => raw(`{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")}}`));

/** A long array (over the 10,000 elements a document may hold, sometimes). */
export const longArrayNode: Arbitrary<JsonNode> = fc
  .integer({ min: 1_000, max: 12_000 })
  .map((n) => raw(`[${"0,".repeat(n - 1)}0]`));

/** A JSON number: edge values, texts no double holds, and numbers as strings. */
export const numberNode: Arbitrary<JsonNode> = fc.oneof(
  { weight: 3, arbitrary: edgeNumber.map(num) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TEXTS).map(raw) },
  { weight: 1, arbitrary: fc.constantFrom(...NANISH_TEXTS).map(str) },
);

const leafNode: Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: numberNode },
  { weight: 3, arbitrary: edgeString.map(str) },
  { weight: 1, arbitrary: fc.constantFrom(raw("true"), raw("false"), raw("null")) },
);

/** Any small JSON value, nested a few levels, keys from the edge lists. */
export const smallNode: Arbitrary<JsonNode> = fc.letrec<{ node: JsonNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 5, arbitrary: leafNode },
    { weight: 1, arbitrary: fc.array(tie("node"), { maxLength: 4 }).map(arr) },
    { weight: 1, arbitrary: fc.array(fc.tuple(keyString(), tie("node")), { maxLength: 4 }).map(obj) },
  ),
})).node;

/** Keys: the given names (a contract's fields), prototype keys, injections, anything. */
export function keyString(names: readonly string[] = []): Arbitrary<string> {
  const known = names.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...names) }] : [];
  return fc.oneof(
    ...known,
    { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
    { weight: 1, arbitrary: edgeString },
  );
}

/** A value where a hostile sender would put one: small, deep, long, wide. */
export function hostileValue(values: Arbitrary<JsonNode> = smallNode): Arbitrary<JsonNode> {
  return fc.oneof(
    { weight: 12, arbitrary: values },
    { weight: 1, arbitrary: deepNode },
    { weight: 1, arbitrary: longString.map(str) },
    { weight: 1, arbitrary: manyKeysNode },
    { weight: 1, arbitrary: longArrayNode },
  );
}

// --- bytes -----------------------------------------------------------------------------------

/** Byte sequences that are not UTF-8: overlong forms, surrogates, stray continuations, cut sequences. */
export const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe, 0xff],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x99],
];

/** A JSON text with bytes that are not UTF-8 inside one of its strings (or outside them). */
export function withInvalidUtf8(text: Arbitrary<string>): Arbitrary<Buffer> {
  return fc
    .tuple(text, fc.constantFrom(...INVALID_UTF8), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([t, bad, at]) => {
      const bytes = Buffer.from(t, "utf8");
      const quote = bytes.indexOf(0x22, Math.floor(at * bytes.length));
      const i = quote >= 0 ? quote + 1 : Math.floor(at * bytes.length);
      return Buffer.concat([bytes.subarray(0, i), Buffer.from(bad), bytes.subarray(i)]);
    });
}

/** A prefix of a valid payload: a frame cut in transit. */
export function truncated(valid: Arbitrary<Buffer>): Arbitrary<Buffer> {
  return fc
    .tuple(valid, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }))
    .map(([bytes, cut]) => bytes.subarray(0, Math.floor(cut * bytes.length)));
}

/** One edit of a byte string; positions are fractions of the length, so edits fit any payload. */
export type Mutation =
  | { op: "flip"; at: number; bit: number }
  | { op: "set"; at: number; byte: number }
  | { op: "insert"; at: number; bytes: number[] }
  | { op: "delete"; at: number; length: number }
  | { op: "duplicate"; at: number; length: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
/** Bytes that change a parser's mind: structure, quotes, escapes, NUL, high bits. */
const INTERESTING_BYTES = [
  0x00, 0xff, 0x7f, 0x80, 0xc0, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30,
];
const interestingByte = fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 }));

export const mutation: Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant("set" as const), at: position, byte: interestingByte }),
  fc.record({
    op: fc.constant("insert" as const),
    at: position,
    bytes: fc.array(interestingByte, { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ op: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant("duplicate" as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
);

export function applyMutations(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let out: Buffer = Buffer.from(bytes);
  for (const m of mutations) out = applyMutation(out, m);
  return out;
}

function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const i = Math.floor(m.at * bytes.length);
  switch (m.op) {
    case "flip":
      if (bytes.length > 0) bytes[i] = (bytes[i] ?? 0) ^ (1 << m.bit);
      return bytes;
    case "set":
      if (bytes.length > 0) bytes[i] = m.byte;
      return bytes;
    case "insert":
      return Buffer.concat([bytes.subarray(0, i), Buffer.from(m.bytes), bytes.subarray(i)]);
    case "delete":
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + m.length)]);
    case "duplicate":
      return Buffer.concat([bytes.subarray(0, i + m.length), bytes.subarray(i)]);
  }
}

/** A valid payload with one to eight bit flips, byte insertions, deletions or duplications. */
export function mutated(valid: Arbitrary<Buffer>): Arbitrary<Buffer> {
  return fc
    .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 8 }))
    .map(([bytes, edits]) => applyMutations(bytes, edits));
}

/** Any bytes, short. */
export const randomBytes: Arbitrary<Buffer> = fc
  .uint8Array({ maxLength: 600 })
  .map((a) => Buffer.from(a.buffer, a.byteOffset, a.length));

/** Documents that are JSON but hardly a message. */
export const JUNK_TEXTS: readonly string[] = [
  "",
  " ",
  "null",
  "true",
  "0",
  "-0",
  "1e400",
  '"x"',
  "[]",
  "{}",
  "[{}]",
  '{"readings":[]}',
  '{"readings":{}}',
  '{"readings":null}',
  "NaN",
  "\uFEFF{}",
  "{}{}",
  "[1,]",
  '{"a":1,}',
  "\u0000",
];

/**
 * The whole range of one source's payloads, around its valid ones: structured variations (drawn
 * by the caller), valid payloads mutated and cut short, hostile JSON, bytes that are not UTF-8,
 * random bytes and junk.
 */
export function payloadsAround(
  valid: Arbitrary<Buffer>,
  structured: Arbitrary<Buffer>,
  options: { json: boolean },
): Arbitrary<Buffer> {
  const jsonOnly = options.json
    ? [
        { weight: 1, arbitrary: hostileValue(smallNode).map((n) => Buffer.from(jsonText(n))) },
        { weight: 1, arbitrary: withInvalidUtf8(valid.map((b) => b.toString("utf8"))) },
        { weight: 1, arbitrary: fc.constantFrom(...JUNK_TEXTS).map((t) => Buffer.from(t)) },
      ]
    : [];
  return fc.oneof(
    { weight: 6, arbitrary: structured },
    { weight: 2, arbitrary: valid },
    { weight: 4, arbitrary: mutated(valid) },
    { weight: 2, arbitrary: truncated(valid) },
    { weight: 1, arbitrary: randomBytes },
    ...jsonOnly,
  );
}
