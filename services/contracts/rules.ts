import type { TSchema } from "@sinclair/typebox";
import { ruleKinds, validateRuleParams } from "../alerts/rules/kinds.ts";
import type { Severity } from "../alerts/types.ts";
import type { CorrelateSpec, FieldSpec, RuleSpec } from "./model.ts";

/**
 * Reads the alert rules a contract declares in `customProperties` (`property: rules`): a new domain
 * gets its alerts from its contract, not from code (STYLE.md). A rule whose parameters do not fit its
 * kind refuses the whole contract, so that the engine never evaluates parameters it has not checked
 * (the casts in kinds.ts rely on it).
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const PATH = "customProperties.rules";
const ID = /^[a-z][a-z0-9-]*$/;
const SEVERITIES: ReadonlySet<string> = new Set<Severity>(["info", "minor", "major", "critical"]);
/** Parameters that name a field of the reading, whatever the kind: checked against the schema. */
const FIELD_PARAMS = ["field", "stateField", "valueField"] as const;

export function readRules(
  value: unknown,
  fields: ReadonlyMap<string, FieldSpec> | undefined,
  errors: string[],
): RuleSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push(`${PATH}: expected a list of {id, kind, field?, params, severity, description?}`);
    return [];
  }
  const seen = new Set<string>();
  const rules: RuleSpec[] = [];
  value.forEach((item, i) => {
    const rule = readRule(item, `${PATH}[${i}]`, fields, errors);
    if (rule && seen.has(rule.id)) errors.push(`${PATH}[${i}].id: rule ${rule.id} declared twice`);
    else if (rule) rules.push(rule);
    if (rule) seen.add(rule.id);
  });
  return rules;
}

function readRule(
  item: unknown,
  path: string,
  fields: ReadonlyMap<string, FieldSpec> | undefined,
  errors: string[],
): RuleSpec | undefined {
  if (!isObj(item)) {
    errors.push(`${path}: expected {id, kind, field?, params, severity, description?}`);
    return undefined;
  }
  const before = errors.length;
  const { id, kind, severity, description } = item;
  if (typeof id !== "string" || !ID.test(id)) errors.push(`${path}.id: expected kebab-case, got ${show(id)}`);
  if (typeof severity !== "string" || !SEVERITIES.has(severity)) {
    errors.push(`${path}.severity: expected one of ${[...SEVERITIES].join(", ")}, got ${show(severity)}`);
  }
  if (description !== undefined && typeof description !== "string") {
    errors.push(`${path}.description: expected a text`);
  }
  const params = readParams(item, path, errors);
  if (params) checkFieldsExist(params, path, fields, errors);
  const correlate = readCorrelate(item.correlate, `${path}.correlate`, errors);
  if (errors.length > before || !params) return undefined;
  return {
    id: id as string,
    kind: kind as string,
    params,
    severity: severity as Severity,
    ...(typeof description === "string" ? { description } : {}),
    ...(correlate ? { correlate } : {}),
  };
}

const GROUP = /^[a-z][a-z0-9_]*$/;

/** `correlate: { by: [operator, cabinet], minDevices?: 3, minShare?: 0.5 }`. */
function readCorrelate(value: unknown, path: string, errors: string[]): CorrelateSpec | undefined {
  if (value === undefined) return undefined;
  if (!isObj(value)) {
    errors.push(`${path}: expected {by, minDevices?, minShare?}`);
    return undefined;
  }
  const { by, minDevices = 3, minShare = 0.5, ...rest } = value;
  for (const key of Object.keys(rest))
    errors.push(`${path}.${key}: unknown (expected by, minDevices, minShare)`);
  const levels = Array.isArray(by) ? by : [];
  if (levels.length === 0 || !levels.every((b) => typeof b === "string" && GROUP.test(b))) {
    errors.push(
      `${path}.by: expected a list of groups, widest first ("operator" or inventory attributes), got ${show(by)}`,
    );
  } else if (new Set(levels).size !== levels.length) errors.push(`${path}.by: a group is named twice`);
  if (typeof minDevices !== "number" || !Number.isInteger(minDevices) || minDevices < 2) {
    errors.push(`${path}.minDevices: expected an integer of at least 2, got ${show(minDevices)}`);
  }
  if (typeof minShare !== "number" || !(minShare > 0 && minShare <= 1)) {
    errors.push(`${path}.minShare: expected a share in ]0, 1], got ${show(minShare)}`);
  }
  return { by: levels as string[], minDevices: minDevices as number, minShare: minShare as number };
}

/** The rule's `field` is a shorthand for the kind's `field` parameter, so it is merged before checking. */
function readParams(item: Obj, path: string, errors: string[]): Obj | undefined {
  const { kind, field } = item;
  const raw = item.params ?? {};
  const k = typeof kind === "string" ? ruleKinds.get(kind) : undefined;
  if (!k) {
    errors.push(`${path}.kind: unknown rule kind ${show(kind)} (known: ${[...ruleKinds.keys()].join(", ")})`);
    return undefined;
  }
  if (!isObj(raw)) {
    errors.push(`${path}.params: expected a mapping`);
    return undefined;
  }
  const params = mergeField(raw, field, k.params, path, errors);
  if (!params) return undefined;
  const check = validateRuleParams(k.kind, params);
  for (const e of check.errors) errors.push(`${path}.params${e.path}: ${e.message}`);
  return check.ok ? params : undefined;
}

function mergeField(
  raw: Obj,
  field: unknown,
  schema: TSchema,
  path: string,
  errors: string[],
): Obj | undefined {
  if (field === undefined) return raw;
  if (typeof field !== "string" || !acceptsField(schema)) {
    errors.push(`${path}.field: this kind takes no field shorthand; name it in params`);
    return undefined;
  }
  if (raw.field !== undefined && raw.field !== field) {
    errors.push(`${path}.field: differs from params.field (${show(raw.field)})`);
    return undefined;
  }
  return { ...raw, field };
}

/** Whether the kind's parameters have a `field` (in every branch of a union, as rate's modes do). */
function acceptsField(schema: TSchema): boolean {
  const branches: unknown = schema.anyOf;
  if (Array.isArray(branches)) return branches.every((b) => isObj(b) && acceptsField(b as TSchema));
  return isObj(schema.properties) && "field" in schema.properties;
}

/** A rule on a field the contract does not declare would never fire: refuse it at load. */
function checkFieldsExist(
  params: Obj,
  path: string,
  fields: ReadonlyMap<string, FieldSpec> | undefined,
  errors: string[],
): void {
  if (!fields) return;
  for (const key of FIELD_PARAMS) {
    const name = params[key];
    if (typeof name === "string" && !fields.has(name)) {
      errors.push(`${path}.params/${key}: no such field ${show(name)} in the schema`);
    }
  }
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}
