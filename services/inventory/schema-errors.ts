import type { TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { type ValueError, ValueErrorType } from "@sinclair/typebox/value";

/**
 * Every error of a value against a TypeBox schema, in words for the people who write territory
 * files and inventories rather than TypeBox's ("Expected union value"). A schema's `description`
 * is written to follow "must be" ("an INSEE commune code as text..."), so the documentation of a
 * key and the message about it are one text.
 */
export interface SchemaProblem {
  /** JSON pointer of the value (or of the missing or unknown key): `/operators/0/secret_hash`. */
  path: string;
  message: string;
}

export interface ProblemOptions {
  /** What to say about an unknown key with this name, beyond "unknown key" (a clear secret...). */
  hints?: Readonly<Record<string, string>>;
}

/** Values under these keys are never repeated in a message: the file may hold a secret by mistake. */
const SECRET = /secret|token|password|key|hash/i;

/** Compiled once per schema: an inventory checks thousands of entries against the same one. */
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

export function schemaProblems(
  schema: TSchema,
  value: unknown,
  options: ProblemOptions = {},
): SchemaProblem[] {
  const check = checkerOf(schema);
  if (check.Check(value)) return [];
  const problems: SchemaProblem[] = [];
  for (const error of check.Errors(value)) {
    // A missing key is also reported as a wrong type of `undefined` at the same path: keep one.
    if (error.value === undefined && error.type !== ValueErrorType.ObjectRequiredProperty) continue;
    problems.push({ path: error.path || "/", message: messageOf(error, options) });
  }
  return problems;
}

function checkerOf(schema: TSchema): TypeCheck<TSchema> {
  const known = compiled.get(schema);
  if (known !== undefined) return known;
  const check = TypeCompiler.Compile(schema);
  compiled.set(schema, check);
  return check;
}

function messageOf(error: ValueError, options: ProblemOptions): string {
  if (error.type === ValueErrorType.ObjectRequiredProperty) return "is missing";
  if (error.type === ValueErrorType.ObjectAdditionalProperties) {
    const hint = options.hints?.[lastKey(error.path)];
    return hint === undefined ? "unknown key (a typo?)" : `unknown key: ${hint}`;
  }
  const expected = expectation(error);
  return SECRET.test(error.path) ? expected : `${expected}, got ${show(error.value)}`;
}

/** The schema's own description, the allowed values of a list of literals, else TypeBox's words. */
function expectation(error: ValueError): string {
  const { description, anyOf } = error.schema as { description?: unknown; anyOf?: unknown };
  if (typeof description === "string") return `must be ${description}`;
  const literals = Array.isArray(anyOf) ? anyOf.map((s: { const?: unknown }) => s.const) : [];
  if (literals.length > 0 && literals.every((v) => typeof v === "string")) {
    return `must be one of ${literals.join(", ")}`;
  }
  return error.message;
}

function lastKey(pointer: string): string {
  const key = pointer.slice(pointer.lastIndexOf("/") + 1);
  return key.replaceAll("~1", "/").replaceAll("~0", "~");
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
