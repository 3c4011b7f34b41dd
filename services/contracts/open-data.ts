import { type IndicatorParams, indicatorProblems } from "../opendata/indicators.ts";
import type {
  CitizenReports,
  DatasetSpec,
  FieldSpec,
  Granularity,
  OpenDataRules,
  ReportCategory,
  RuleSpec,
  SpatialLevel,
} from "./model.ts";

/**
 * Reads what a contract publishes (`customProperties` `openData`): nothing is published that a
 * contract does not list. The aggregates fields and threshold of the public aggregates route, and
 * the datasets, each an indicator (services/opendata/indicators.ts) at a granularity and a
 * spatial level, under the contract's licence unless it names its own.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const PATH = "customProperties.openData";
const DATASET_ID = /^[a-z][a-z0-9-]{2,79}$/;
const GRANULARITIES: ReadonlySet<string> = new Set<Granularity>(["hour", "day", "month"]);
const LEVELS: ReadonlySet<string> = new Set<SpatialLevel>(["commune", "sector", "territory", "asset"]);
const ATTRIBUTE = /^[a-z][a-z0-9_]*$/;

export function readOpenData(
  value: unknown,
  fields: Map<string, FieldSpec> | undefined,
  rules: readonly RuleSpec[],
  licences: { contract: string; allowed: ReadonlySet<string> },
  errors: string[],
): OpenDataRules {
  const rules0: OpenDataRules = { publish: false, fields: [], minDevices: 5, datasets: [] };
  if (value === undefined) return rules0;
  if (!isObj(value)) {
    errors.push(`${PATH}: expected {publish, fields, minDevices, datasets}`);
    return rules0;
  }
  const list = Array.isArray(value.fields) ? value.fields : [];
  for (const name of list) {
    const spec = fields?.get(String(name));
    if (!spec) errors.push(`${PATH}.fields: no such field ${show(name)}`);
    else if (spec.personal) errors.push(`${PATH}.fields: ${spec.name} is personal data`);
  }
  const minDevices = value.minDevices ?? 5;
  if (!isCount(minDevices)) errors.push(`${PATH}.minDevices: expected an integer >= 1`);
  const threshold = isCount(minDevices) ? minDevices : 5;
  const datasets = readDatasets(
    value.datasets,
    fields ?? new Map(),
    rules,
    { ...licences, threshold },
    errors,
  );
  const reports = readReports(value.reports, errors);
  return {
    publish: value.publish === true,
    fields: list.map(String),
    minDevices: threshold,
    datasets,
    ...(reports ? { reports } : {}),
  };
}

const CATEGORY = /^[a-z][a-z0-9-]{1,39}$/;

/** `reports: { categories: [{ id, title, titleEn }] }`: what the public may report. */
function readReports(value: unknown, errors: string[]): CitizenReports | undefined {
  if (value === undefined) return undefined;
  const path = `${PATH}.reports`;
  if (!isObj(value) || !Array.isArray(value.categories) || value.categories.length === 0) {
    errors.push(`${path}: expected {categories: [{id, title, titleEn}, ...]} with at least one category`);
    return undefined;
  }
  const seen = new Set<string>();
  const categories: ReportCategory[] = [];
  value.categories.forEach((c, i) => {
    const at = `${path}.categories[${i}]`;
    if (!isObj(c) || typeof c.id !== "string" || !CATEGORY.test(c.id)) {
      errors.push(`${at}.id: expected kebab-case`);
      return;
    }
    if (!isText(c.title) || !isText(c.titleEn)) {
      errors.push(`${at}: title and titleEn are required texts`);
      return;
    }
    if (seen.has(c.id)) errors.push(`${at}.id: category ${c.id} declared twice`);
    seen.add(c.id);
    categories.push({ id: c.id, title: c.title, titleEn: c.titleEn });
  });
  return { categories };
}

function isText(v: unknown): v is string {
  return typeof v === "string" && v.trim() !== "";
}

function readDatasets(
  value: unknown,
  fields: ReadonlyMap<string, FieldSpec>,
  rules: readonly RuleSpec[],
  defaults: { contract: string; allowed: ReadonlySet<string>; threshold: number },
  errors: string[],
): DatasetSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push(`${PATH}.datasets: expected a list of {id, title, indicator, params, granularity, level}`);
    return [];
  }
  const seen = new Set<string>();
  const out: DatasetSpec[] = [];
  value.forEach((item, i) => {
    const path = `${PATH}.datasets[${i}]`;
    const spec = readDataset(item, path, fields, rules, defaults, errors);
    if (spec && seen.has(spec.id)) errors.push(`${path}.id: dataset ${spec.id} declared twice`);
    else if (spec) out.push(spec);
    if (spec) seen.add(spec.id);
  });
  return out;
}

function readDataset(
  item: unknown,
  path: string,
  fields: ReadonlyMap<string, FieldSpec>,
  rules: readonly RuleSpec[],
  defaults: { contract: string; allowed: ReadonlySet<string>; threshold: number },
  errors: string[],
): DatasetSpec | undefined {
  if (!isObj(item)) {
    errors.push(`${path}: expected {id, title, indicator, params, granularity, level}`);
    return undefined;
  }
  const before = errors.length;
  const { id, title, description, indicator, granularity, level } = item;
  if (typeof id !== "string" || !DATASET_ID.test(id)) {
    errors.push(`${path}.id: expected lower-case letters, digits and hyphens (3 to 80), got ${show(id)}`);
  }
  if (typeof title !== "string" || title.trim() === "") errors.push(`${path}.title: required text`);
  if (description !== undefined && typeof description !== "string")
    errors.push(`${path}.description: expected a text`);
  if (typeof granularity !== "string" || !GRANULARITIES.has(granularity)) {
    errors.push(
      `${path}.granularity: expected one of ${[...GRANULARITIES].join(", ")}, got ${show(granularity)}`,
    );
  }
  if (typeof level !== "string" || !LEVELS.has(level)) {
    errors.push(`${path}.level: expected one of ${[...LEVELS].join(", ")}, got ${show(level)}`);
  }
  const sectorAttribute = item.sectorAttribute ?? "sector";
  if (typeof sectorAttribute !== "string" || !ATTRIBUTE.test(sectorAttribute)) {
    errors.push(`${path}.sectorAttribute: expected an inventory attribute name`);
  }
  const licence = item.licence ?? defaults.contract;
  if (typeof licence !== "string" || !defaults.allowed.has(licence)) {
    errors.push(`${path}.licence: expected one of ${[...defaults.allowed].join(", ")}, got ${show(licence)}`);
  }
  const minDevices = item.minDevices ?? defaults.threshold;
  if (!isCount(minDevices) || minDevices < defaults.threshold) {
    errors.push(
      `${path}.minDevices: expected an integer >= the contract's minDevices (${defaults.threshold})`,
    );
  }
  const round = item.round;
  if (round !== undefined && (typeof round !== "number" || !(round > 0))) {
    errors.push(`${path}.round: expected a positive number (values are published as multiples of it)`);
  }
  const keywords = item.keywords ?? [];
  if (!Array.isArray(keywords) || keywords.some((k) => typeof k !== "string")) {
    errors.push(`${path}.keywords: expected a list of words`);
  }
  if (typeof indicator !== "string") errors.push(`${path}.indicator: required`);
  else {
    for (const p of indicatorProblems(indicator, item.params ?? {}, fields, rules))
      errors.push(`${path}.${p}`);
  }
  if (errors.length > before) return undefined;
  return {
    id: id as string,
    title: title as string,
    description: typeof description === "string" ? description : "",
    keywords: keywords as string[],
    indicator: indicator as string,
    params: (item.params ?? {}) as IndicatorParams,
    granularity: granularity as Granularity,
    level: level as SpatialLevel,
    sectorAttribute: sectorAttribute as string,
    licence: licence as string,
    minDevices: minDevices as number,
    ...(typeof round === "number" ? { round } : {}),
  };
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1;
}

function show(v: unknown): string {
  return typeof v === "string" ? `"${v}"` : (JSON.stringify(v) ?? String(v));
}
