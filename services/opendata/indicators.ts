import { type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { FieldSpec, MeasureKind, RuleSpec } from "../contracts/model.ts";

/**
 * The indicators a contract may publish, as a table: a new domain publishes by naming a kind and
 * its parameters in its contract (customProperties openData.datasets), never by code. Each kind
 * says what it reads (the device rollups of a field, the state rollups of a field, or the alert
 * history of rules), what its parameters are, and what its figure is.
 *
 * - `mean` of a gauge (pressure, fill level): the mean of every reading in the bucket and place.
 * - `sum` of a counter (an energy meter): the consumption of the place's devices over the bucket.
 * - `share` of a state: the share of the devices' time spent in the listed values, in %.
 * - `devices-reaching` a gauge threshold: devices whose highest reading in the bucket reached it
 *   (containers found full).
 * - `alerts`: alerts of the listed rules raised in the bucket (lamp faults, pressure incidents).
 * - `emptyings` of a gauge (containers collected): the times a device's reading fell by at least
 *   `atLeast` from the highest since the last fall, read hour by hour from the hourly rollups.
 * - `repair-time` / `acknowledge-time`: the median hours from raising to clearing (or to a
 *   person's acknowledgement) of the listed rules' alerts that ended in the bucket.
 */
export type IndicatorSource = "rollups" | "states" | "alerts";

export interface IndicatorKind {
  kind: string;
  source: IndicatorSource;
  params: TSchema;
  /** The measure kind its `field` must have, when it reads one. */
  measure?: MeasureKind;
  /** Whether it reads the listed alert rules of its contract. */
  rules?: true;
  /** Whether it reads the hourly rollups whatever its granularity (it follows a device hour by hour). */
  hourly?: true;
  /** Table Schema type of its value. */
  valueType: "number" | "integer";
  /** The unit of its value, from its parameters and the field's own unit. */
  unit(params: IndicatorParams, field: FieldSpec | undefined): string;
}

/** Parameters of any kind once checked: the union of their keys. */
export interface IndicatorParams {
  field?: string;
  values?: string[];
  atLeast?: number;
  rules?: string[];
}

const Field = Type.String({ pattern: "^[a-z][a-z0-9_]*$" });
const Rules = Type.Array(Type.String({ pattern: "^[a-z][a-z0-9-]*$" }), { minItems: 1, uniqueItems: true });

const KINDS: readonly IndicatorKind[] = [
  {
    kind: "mean",
    source: "rollups",
    measure: "gauge",
    params: Type.Object({ field: Field }, { additionalProperties: false }),
    valueType: "number",
    unit: (_p, f) => f?.unit ?? "",
  },
  {
    kind: "sum",
    source: "rollups",
    measure: "counter",
    params: Type.Object({ field: Field }, { additionalProperties: false }),
    valueType: "number",
    unit: (_p, f) => f?.unit ?? "",
  },
  {
    kind: "share",
    source: "states",
    measure: "state",
    params: Type.Object(
      { field: Field, values: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true }) },
      { additionalProperties: false },
    ),
    valueType: "number",
    unit: () => "%",
  },
  {
    kind: "devices-reaching",
    source: "rollups",
    measure: "gauge",
    params: Type.Object({ field: Field, atLeast: Type.Number() }, { additionalProperties: false }),
    valueType: "integer",
    unit: () => "1",
  },
  {
    kind: "emptyings",
    source: "rollups",
    measure: "gauge",
    hourly: true,
    params: Type.Object(
      { field: Field, atLeast: Type.Number({ exclusiveMinimum: 0 }) },
      { additionalProperties: false },
    ),
    valueType: "integer",
    unit: () => "1",
  },
  {
    kind: "alerts",
    source: "alerts",
    rules: true,
    params: Type.Object({ rules: Rules }, { additionalProperties: false }),
    valueType: "integer",
    unit: () => "1",
  },
  {
    kind: "repair-time",
    source: "alerts",
    rules: true,
    params: Type.Object({ rules: Rules }, { additionalProperties: false }),
    valueType: "number",
    unit: () => "h",
  },
  {
    kind: "acknowledge-time",
    source: "alerts",
    rules: true,
    params: Type.Object({ rules: Rules }, { additionalProperties: false }),
    valueType: "number",
    unit: () => "h",
  },
];

export const indicatorKinds: ReadonlyMap<string, IndicatorKind> = new Map(KINDS.map((k) => [k.kind, k]));

/**
 * Every problem of an indicator's parameters against its kind, the contract's fields and rules:
 * an unknown kind, a parameter out of its schema, a field that does not exist, is personal data
 * or is not of the measure the kind reads, a rule the contract does not declare, a `share` value
 * the field does not allow.
 */
export function indicatorProblems(
  kind: string,
  params: unknown,
  fields: ReadonlyMap<string, FieldSpec>,
  rules: readonly RuleSpec[],
): string[] {
  const k = indicatorKinds.get(kind);
  if (!k) return [`indicator: unknown "${kind}" (one of ${[...indicatorKinds.keys()].join(", ")})`];
  const shape = [...Value.Errors(k.params, params)].map(
    (e) => `params${e.path.replaceAll("/", ".")}: ${e.message}`,
  );
  if (shape.length > 0) return shape;
  const p = params as IndicatorParams;
  const problems: string[] = [];
  if (p.field !== undefined) {
    const f = fields.get(p.field);
    if (!f) problems.push(`params.field: no such field "${p.field}"`);
    else if (f.personal) problems.push(`params.field: ${f.name} is personal data and is never published`);
    else if (k.measure && f.measure !== k.measure) {
      problems.push(`params.field: ${f.name} is a ${f.measure}, ${kind} reads a ${k.measure}`);
    } else if (p.values && f.allowed) {
      for (const v of p.values)
        if (!f.allowed.has(v)) problems.push(`params.values: ${f.name} never takes "${v}"`);
    }
  }
  const declared = new Set(rules.map((r) => r.id));
  for (const id of p.rules ?? [])
    if (!declared.has(id)) problems.push(`params.rules: no rule "${id}" in the contract`);
  return problems;
}
