import { readFileSync } from "node:fs";
import { Ajv2019, type ErrorObject, type ValidateFunction } from "ajv/dist/2019.js";
import formatsPlugin from "ajv-formats";

/**
 * The official ODCS v3.1.0 JSON Schema (odcs/README.md: source and licence), checked before
 * Lanterne's own rules. Lanterne reads only the keys it knows, so without it a misspelt key
 * (`logicalTypeOption`) would pass and silently take its range check away; the schema refuses
 * it, and keeps the collectivity's contracts readable by every other ODCS tool.
 */
const SCHEMA_FILE = new URL("./odcs/odcs-json-schema-v3.1.0.json", import.meta.url);

export interface OdcsSchemaErrors {
  /** One line per problem, `JSON pointer: message`, in the order the schema found them. */
  messages: string[];
  /** The places (JSON pointers) these messages are about: a value, or a missing or unknown key. */
  paths: ReadonlySet<string>;
}

let compiled: ValidateFunction | undefined;

/** Compiled on first use, once per process: the schema is large (about 90 KB) and never changes. */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  const schema: unknown = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
  // allErrors: a collectivity fixes its file in one pass. Ajv's default strictness is kept, with
  // strictRequired (off by default) said explicitly: the official file requires keys that it
  // declares in other subschemas, which JSON Schema allows and which is not ours to rewrite.
  const ajv = new Ajv2019({ allErrors: true, strictRequired: false });
  // ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
  formatsPlugin.default(ajv);
  compiled = ajv.compile(schema as object);
  return compiled;
}

/** Checks a parsed contract (YAML read into plain values) against the official schema. */
export function validateOdcs(doc: unknown): OdcsSchemaErrors {
  const validate = validator();
  if (validate(doc)) return { messages: [], paths: new Set() };
  // An `if` error only says that its `then` failed; the `then` errors themselves are listed too.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== "if");
  return {
    messages: errors.map((e) => `${e.instancePath || "/"}: ${describe(e)}`),
    paths: new Set(errors.map(pathOf)),
  };
}

/**
 * The schema's messages first, then Lanterne's own, leaving out those of Lanterne's that speak of
 * a place the schema already reported (`kind`, a field's `logicalType`...): one problem, one line.
 * Lanterne's messages start with a dotted path (`schema[0].properties[2].logicalType: ...`).
 */
export function withOdcsErrors(schema: OdcsSchemaErrors, own: readonly string[]): string[] {
  const covered = (pointer: string | undefined) => pointer !== undefined && schema.paths.has(pointer);
  return [...schema.messages, ...own.filter((message) => !covered(pointerOf(message)))];
}

function describe(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return `must NOT have additional properties (${String(params.additionalProperty)})`;
    case "unevaluatedProperties":
      // The schema closes objects both ways; for the reader both mean "not an ODCS key".
      return `must NOT have additional properties (${String(params.unevaluatedProperty)})`;
    case "enum":
      return `${e.message} (${(params.allowedValues as unknown[]).map(String).join(", ")})`;
    case "const":
      return `${e.message} (${String(params.allowedValue)})`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * What an error is about: the key itself for a missing or unknown key (not its parent, where
 * Lanterne may report something else, a field declared twice), else the value at the path.
 */
function pathOf(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  const key = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty;
  return typeof key === "string" ? `${e.instancePath}/${key}` : e.instancePath;
}

/** `schema[0].properties[2].logicalType: ...` -> `/schema/0/properties/2/logicalType`. */
function pointerOf(message: string): string | undefined {
  const end = message.indexOf(": ");
  if (end < 0) return undefined;
  return `/${message
    .slice(0, end)
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .join("/")}`;
}
