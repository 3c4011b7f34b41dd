import { parse as parseYaml } from "yaml";
import { isoDurationToMs, unitToMs } from "./duration.ts";
import type {
  CadenceRule,
  ComplianceTargets,
  Contract,
  FieldSpec,
  LogicalType,
  MeasureKind,
  PersonalDataLegalBasis,
  RetentionTiers,
} from "./model.ts";
import { validateOdcs, withOdcsErrors } from "./odcs-schema.ts";
import { readOpenData } from "./open-data.ts";
import { readRules } from "./rules.ts";

/**
 * Reads an ODCS v3.1 data contract (YAML) into a `Contract`, or lists every problem found.
 * A contract that is itself invalid must never be half-applied: callers refuse it whole.
 *
 * Enforced subset: root `apiVersion`, `kind`, `id`, `version`, `status`, `domain`; one schema
 * object whose `properties` are the reading's fields (`logicalType`, `required`,
 * `logicalTypeOptions.minimum/maximum`, quality `invalidValues` with `validValues`,
 * `classification: personal`); `slaProperties` frequency, latency, retention; and the
 * collectivity's `customProperties` (owner, validFrom/validTo, licence, retentionTiers, openData,
 * hostingLocation, personalDataPurposes, personalDataLegalBasis, partnerPseudonymisation).
 */
export type ParseResult = { ok: true; contract: Contract } | { ok: false; errors: string[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const API_VERSIONS = new Set(["v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0"]);
const STATUSES = new Set(["proposed", "draft", "active", "deprecated", "retired"]);
const TYPES = new Set<LogicalType>(["number", "integer", "string", "boolean"]);
const LICENCES = new Set(["etalab-2.0", "odbl-1.0"]);
const NAME = /^[a-z][a-z0-9_]*$/;
const YEAR_MS = 365 * 86_400_000;

export function parseContractText(text: string, sourceFile: string): ParseResult {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    return { ok: false, errors: [`YAML: ${(err as Error).message.split("\n")[0]}`] };
  }
  if (!isObj(doc)) return { ok: false, errors: ["the document is not a mapping"] };
  // The official ODCS JSON Schema first (odcs-schema.ts): Lanterne's rules below read only the keys
  // they know, so a misspelt one would otherwise pass unseen.
  const schemaErrors = validateOdcs(doc);
  const errors: string[] = [];
  const contract = readContract(doc, sourceFile, errors);
  const all = withOdcsErrors(schemaErrors, errors);
  return all.length > 0 || !contract ? { ok: false, errors: all } : { ok: true, contract };
}

function readContract(doc: Obj, sourceFile: string, errors: string[]): Contract | undefined {
  checkRoot(doc, errors);
  const custom = readCustomProperties(doc.customProperties, "customProperties", errors);
  const fields = readFields(doc.schema, errors);
  const sla = readSla(doc.slaProperties, errors);
  const owner = readOwner(custom.get("owner"), errors);
  const validFrom = readDate(custom.get("validFrom"), "customProperties.validFrom", errors, true);
  const validTo = readDate(custom.get("validTo"), "customProperties.validTo", errors, false);
  if (validFrom !== undefined && validTo !== undefined && validTo <= validFrom) {
    errors.push("customProperties.validTo: must be after validFrom");
  }
  const licence = readLicence(custom.get("licence"), errors);
  const retention = readRetention(custom.get("retentionTiers"), sla.retentionMs, errors);
  const purposes = readPurposes(custom.get("personalDataPurposes"), fields, errors);
  const legalBasis = readLegalBasis(custom.get("personalDataLegalBasis"), fields, errors);
  const cadence = readCadence(custom.get("cadence"), errors);
  const rules = readRules(custom.get("rules"), fields, errors);
  const partnerPseudonymisation = custom.get("partnerPseudonymisation");
  if (partnerPseudonymisation !== undefined && typeof partnerPseudonymisation !== "boolean") {
    errors.push("customProperties.partnerPseudonymisation: expected true or false");
  }
  const openData = readOpenData(
    custom.get("openData"),
    fields,
    rules,
    { contract: licence ?? "etalab-2.0", allowed: LICENCES },
    errors,
  );
  if (errors.length > 0 || !owner || validFrom === undefined || !fields) return undefined;
  const id = String(doc.id);
  const version = String(doc.version);
  return {
    id,
    version,
    key: `${id}@${version}`,
    name: typeof doc.name === "string" ? doc.name : id,
    status: doc.status as Contract["status"],
    domain: String(doc.domain),
    owner,
    validFrom,
    ...(validTo !== undefined ? { validTo } : {}),
    fields,
    ...(sla.frequencyMs !== undefined ? { frequencyMs: sla.frequencyMs } : {}),
    ...(sla.latencyMs !== undefined ? { latencyMs: sla.latencyMs } : {}),
    targets: sla.targets,
    cadence,
    retention,
    licence: licence ?? "etalab-2.0",
    openData,
    ...(typeof custom.get("changelog") === "string" ? { changelog: custom.get("changelog") as string } : {}),
    ...(typeof custom.get("hostingLocation") === "string"
      ? { hostingLocation: custom.get("hostingLocation") as string }
      : {}),
    personalDataPurposes: purposes,
    ...(legalBasis !== undefined ? { personalDataLegalBasis: legalBasis } : {}),
    ...(partnerPseudonymisation === true ? { partnerPseudonymisation } : {}),
    rules,
    sourceFile,
  };
}

function checkRoot(doc: Obj, errors: string[]): void {
  if (!API_VERSIONS.has(doc.apiVersion as string)) {
    errors.push(`apiVersion: expected one of ${[...API_VERSIONS].join(", ")}, got ${show(doc.apiVersion)}`);
  }
  if (doc.kind !== "DataContract") errors.push(`kind: expected DataContract, got ${show(doc.kind)}`);
  for (const key of ["id", "version", "domain"]) {
    if (typeof doc[key] !== "string" || (doc[key] as string).trim() === "") {
      errors.push(`${key}: required non-empty string`);
    }
  }
  // "@" separates the id from the version in the key every reading carries (contractIdOf).
  if (typeof doc.id === "string" && doc.id.includes("@"))
    errors.push(`id: must not contain "@", got ${show(doc.id)}`);
  if (typeof doc.domain === "string" && !NAME.test(doc.domain)) {
    errors.push(`domain: must be snake_case ([a-z][a-z0-9_]*), got ${show(doc.domain)}`);
  }
  if (!STATUSES.has(doc.status as string)) {
    errors.push(`status: expected one of ${[...STATUSES].join(", ")}, got ${show(doc.status)}`);
  }
}

function readCustomProperties(value: unknown, path: string, errors: string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value === undefined) return out;
  if (!Array.isArray(value)) {
    errors.push(`${path}: expected a list of {property, value}`);
    return out;
  }
  value.forEach((item, i) => {
    if (!isObj(item) || typeof item.property !== "string") {
      errors.push(`${path}[${i}]: expected {property, value}`);
    } else if (out.has(item.property)) {
      errors.push(`${path}[${i}]: property ${item.property} declared twice`);
    } else {
      out.set(item.property, item.value);
    }
  });
  return out;
}

function readFields(schema: unknown, errors: string[]): Map<string, FieldSpec> | undefined {
  if (!Array.isArray(schema) || schema.length !== 1 || !isObj(schema[0])) {
    errors.push("schema: expected exactly one object describing a reading");
    return undefined;
  }
  const props = schema[0].properties;
  if (!Array.isArray(props) || props.length === 0) {
    errors.push("schema[0].properties: expected a non-empty list of fields");
    return undefined;
  }
  const fields = new Map<string, FieldSpec>();
  props.forEach((prop, i) => {
    const spec = readField(prop, `schema[0].properties[${i}]`, errors);
    if (!spec) return;
    if (fields.has(spec.name)) errors.push(`schema[0].properties[${i}]: field ${spec.name} declared twice`);
    fields.set(spec.name, spec);
  });
  return fields;
}

function readField(prop: unknown, path: string, errors: string[]): FieldSpec | undefined {
  if (!isObj(prop)) {
    errors.push(`${path}: expected a mapping`);
    return undefined;
  }
  const before = errors.length;
  const name = prop.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    errors.push(`${path}.name: must be snake_case ([a-z][a-z0-9_]*), got ${show(name)}`);
  }
  const type = prop.logicalType as LogicalType;
  if (!TYPES.has(type)) {
    errors.push(`${path}.logicalType: expected one of ${[...TYPES].join(", ")}, got ${show(type)}`);
  }
  if (prop.required !== undefined && typeof prop.required !== "boolean") {
    errors.push(`${path}.required: expected true or false`);
  }
  const range = readRange(prop.logicalTypeOptions, type, `${path}.logicalTypeOptions`, errors);
  const allowed = readAllowed(prop.quality, `${path}.quality`, errors);
  const custom = readCustomProperties(prop.customProperties, `${path}.customProperties`, errors);
  const measure = readMeasure(custom.get("measure"), type, `${path}.customProperties.measure`, errors);
  if (errors.length > before) return undefined;
  return {
    name: name as string,
    type,
    required: prop.required === true,
    ...(typeof prop.description === "string" ? { description: prop.description } : {}),
    ...(typeof custom.get("unit") === "string" ? { unit: custom.get("unit") as string } : {}),
    ...range,
    ...(allowed ? { allowed } : {}),
    ...(typeof custom.get("smartDataModel") === "string"
      ? { smartDataModel: custom.get("smartDataModel") as string }
      : {}),
    personal: prop.classification === "personal" || custom.get("personalData") === true,
    measure,
  };
}

const MEASURES: ReadonlySet<string> = new Set(["gauge", "counter", "state"]);

/** A counter or a gauge is a number; a field's kind defaults from its type. */
function readMeasure(value: unknown, type: LogicalType, path: string, errors: string[]): MeasureKind {
  const numeric = type === "number" || type === "integer";
  if (value === undefined) return numeric ? "gauge" : "state";
  if (typeof value !== "string" || !MEASURES.has(value)) {
    errors.push(`${path}: expected one of gauge, counter, state, got ${show(value)}`);
    return "gauge";
  }
  if (value !== "state" && !numeric) errors.push(`${path}: a ${value} is a number, the field is ${type}`);
  return value as MeasureKind;
}

function readRange(
  options: unknown,
  type: LogicalType,
  path: string,
  errors: string[],
): { minimum?: number; maximum?: number } {
  if (options === undefined) return {};
  if (!isObj(options)) {
    errors.push(`${path}: expected a mapping`);
    return {};
  }
  const out: { minimum?: number; maximum?: number } = {};
  for (const key of ["minimum", "maximum"] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v)) errors.push(`${path}.${key}: expected a number`);
    else if (type !== "number" && type !== "integer") errors.push(`${path}.${key}: only for numeric fields`);
    else out[key] = v;
  }
  if (out.minimum !== undefined && out.maximum !== undefined && out.minimum > out.maximum) {
    errors.push(`${path}: minimum is greater than maximum`);
  }
  return out;
}

function readAllowed(quality: unknown, path: string, errors: string[]): Set<string> | undefined {
  if (quality === undefined) return undefined;
  if (!Array.isArray(quality)) {
    errors.push(`${path}: expected a list of quality rules`);
    return undefined;
  }
  let allowed: Set<string> | undefined;
  quality.forEach((rule, i) => {
    if (!isObj(rule)) {
      errors.push(`${path}[${i}]: expected a mapping`);
      return;
    }
    if (rule.metric !== "invalidValues") return;
    const args = rule.arguments;
    const values = isObj(args) ? args.validValues : undefined;
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string")) {
      errors.push(`${path}[${i}].arguments.validValues: expected a non-empty list of strings`);
      return;
    }
    allowed = new Set(values as string[]);
  });
  return allowed;
}

/** The operator's compliance targets, as shares of 1 (services/clauses/scorecards.ts). */
const TARGETS = { completeness: "completeness", timeliness: "timeliness", conformity: "conformity" } as const;

interface SlaValues {
  frequencyMs?: number;
  latencyMs?: number;
  retentionMs?: number;
  targets: ComplianceTargets;
}

function readSla(value: unknown, errors: string[]): SlaValues {
  const out: SlaValues = { targets: {} };
  if (value === undefined) return out;
  if (!Array.isArray(value)) {
    errors.push("slaProperties: expected a list of {property, value, unit}");
    return out;
  }
  value.forEach((item, i) => {
    if (!isObj(item) || typeof item.property !== "string") {
      errors.push(`slaProperties[${i}]: expected {property, value, unit}`);
      return;
    }
    const target = TARGETS[item.property as keyof typeof TARGETS];
    if (target) {
      readTarget(item, `slaProperties[${i}] (${item.property})`, errors, (share) => {
        out.targets[target] = share;
      });
      return;
    }
    const key = { frequency: "frequencyMs", latency: "latencyMs", retention: "retentionMs" }[item.property];
    if (!key) return;
    const ms = unitToMs(item.value, item.unit);
    if (ms === undefined) errors.push(`slaProperties[${i}] (${item.property}): unreadable duration`);
    else out[key as "frequencyMs" | "latencyMs" | "retentionMs"] = ms;
  });
  return out;
}

/** A target is a percentage: `{property: completeness, value: 95, unit: percent}`. */
function readTarget(item: Obj, path: string, errors: string[], set: (share: number) => void): void {
  const unit = item.unit === undefined ? "percent" : item.unit;
  if (unit !== "percent" && unit !== "%") {
    errors.push(`${path}: unit must be percent`);
    return;
  }
  if (typeof item.value !== "number" || !(item.value >= 0 && item.value <= 100)) {
    errors.push(`${path}: expected a percentage from 0 to 100`);
    return;
  }
  set(item.value / 100);
}

function readOwner(value: unknown, errors: string[]): Contract["owner"] | undefined {
  if (!isObj(value) || typeof value.id !== "string" || typeof value.name !== "string") {
    errors.push("customProperties.owner: required {id, name, siren?}");
    return undefined;
  }
  if (value.siren !== undefined && !/^\d{9}$/.test(String(value.siren))) {
    errors.push("customProperties.owner.siren: expected 9 digits");
  }
  return {
    id: value.id,
    name: value.name,
    ...(value.siren !== undefined ? { siren: String(value.siren) } : {}),
  };
}

function readDate(value: unknown, path: string, errors: string[], required: boolean): number | undefined {
  if (value === undefined) {
    if (required) errors.push(`${path}: required date (YYYY-MM-DD or ISO 8601)`);
    return undefined;
  }
  const ms =
    value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) errors.push(`${path}: unreadable date ${show(value)}`);
  return Number.isNaN(ms) ? undefined : ms;
}

function readLicence(value: unknown, errors: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !LICENCES.has(value)) {
    errors.push(`customProperties.licence: expected one of ${[...LICENCES].join(", ")}, got ${show(value)}`);
    return undefined;
  }
  return value;
}

function readRetention(value: unknown, slaRetention: number | undefined, errors: string[]): RetentionTiers {
  const fallback = slaRetention ?? YEAR_MS;
  const tiers: RetentionTiers = { rawMs: fallback, hourlyMs: 5 * YEAR_MS, dailyMs: 20 * YEAR_MS };
  if (value === undefined) return tiers;
  if (!isObj(value)) {
    errors.push("customProperties.retentionTiers: expected {raw, hourly, daily} ISO 8601 durations");
    return tiers;
  }
  for (const tier of ["raw", "hourly", "daily"] as const) {
    if (value[tier] === undefined) continue;
    const ms = typeof value[tier] === "string" ? isoDurationToMs(value[tier] as string) : undefined;
    if (ms === undefined)
      errors.push(`customProperties.retentionTiers.${tier}: expected an ISO 8601 duration`);
    else tiers[`${tier}Ms`] = ms;
  }
  return tiers;
}

function readPurposes(
  value: unknown,
  fields: Map<string, FieldSpec> | undefined,
  errors: string[],
): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined) return out;
  if (!isObj(value)) {
    errors.push("customProperties.personalDataPurposes: expected {field: purpose}");
    return out;
  }
  for (const [field, purpose] of Object.entries(value)) {
    const spec = fields?.get(field);
    if (!spec) errors.push(`customProperties.personalDataPurposes.${field}: no such field`);
    else if (!spec.personal)
      errors.push(`customProperties.personalDataPurposes.${field}: field is not personal`);
    else if (typeof purpose !== "string" || purpose.trim() === "") {
      errors.push(`customProperties.personalDataPurposes.${field}: purpose must be a non-empty text`);
    } else out.set(field, purpose);
  }
  return out;
}

/** One text for the whole contract, or {field: basis} over personal fields only. */
function readLegalBasis(
  value: unknown,
  fields: Map<string, FieldSpec> | undefined,
  errors: string[],
): PersonalDataLegalBasis | undefined {
  const path = "customProperties.personalDataLegalBasis";
  if (value === undefined) return undefined;
  if (typeof value === "string" && value.trim() !== "") return { contract: value, fields: new Map() };
  if (!isObj(value)) {
    errors.push(`${path}: expected a non-empty text or {field: legal basis}`);
    return undefined;
  }
  const byField = new Map<string, string>();
  for (const [field, basis] of Object.entries(value)) {
    const spec = fields?.get(field);
    if (!spec) errors.push(`${path}.${field}: no such field`);
    else if (!spec.personal) errors.push(`${path}.${field}: field is not personal`);
    else if (typeof basis !== "string" || basis.trim() === "") {
      errors.push(`${path}.${field}: legal basis must be a non-empty text`);
    } else byField.set(field, basis);
  }
  return { fields: byField };
}

function readCadence(value: unknown, errors: string[]): CadenceRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push("customProperties.cadence: expected a list of {when: {attribute: value}, every: ISO 8601}");
    return [];
  }
  const rules: CadenceRule[] = [];
  value.forEach((rule, i) => {
    const path = `customProperties.cadence[${i}]`;
    const everyMs = isObj(rule) && typeof rule.every === "string" ? isoDurationToMs(rule.every) : undefined;
    const when = isObj(rule) ? rule.when : undefined;
    const scalars =
      isObj(when) && Object.values(when).every((v) => typeof v === "string" || typeof v === "number");
    if (everyMs === undefined) errors.push(`${path}.every: expected an ISO 8601 duration`);
    if (!scalars) errors.push(`${path}.when: expected {attribute: value}`);
    if (everyMs !== undefined && scalars) rules.push({ when: when as CadenceRule["when"], everyMs });
  });
  return rules;
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}
