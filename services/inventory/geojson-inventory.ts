import type { Device } from "../domain/types.ts";
import { type DeviceDraft, devicesFromDrafts, type InventoryDefaults, setAttribute } from "./device-draft.ts";

/**
 * An inventory as a GeoJSON FeatureCollection (RFC 7946) of Point features, `[lon, lat]`.
 * Properties carry the CSV's keys; the assignment is either `operator, assigned_from,
 * assigned_to` or a list `assignments: [{operator, from, to?}]`. Other properties become
 * attributes, which must be texts or numbers (inventory-schema.ts); `null` means "no value".
 */
const KNOWN = new Set([
  "id",
  "domain",
  "contract",
  "commune",
  "owner",
  "lat",
  "lon",
  "operator",
  "assigned_from",
  "assigned_to",
  "assignments",
]);

type Json = Record<string, unknown>;

export function readInventoryGeoJson(
  text: string,
  defaults: InventoryDefaults,
): { devices: Device[]; errors: string[] } {
  const errors: string[] = [];
  const features = featuresOf(text, errors);
  const drafts: DeviceDraft[] = [];
  features.forEach((feature, i) => {
    const draft = draftOf(feature, `features[${i}]`, errors);
    if (draft !== undefined) drafts.push(draft);
  });
  return { devices: devicesFromDrafts(drafts, defaults, errors), errors };
}

function featuresOf(text: string, errors: string[]): unknown[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    errors.push(`not valid JSON: ${(e as Error).message}`);
    return [];
  }
  if (isObject(root) && root.type === "FeatureCollection" && Array.isArray(root.features))
    return root.features;
  errors.push('not a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})');
  return [];
}

function draftOf(feature: unknown, where: string, errors: string[]): DeviceDraft | undefined {
  if (!isObject(feature) || feature.type !== "Feature") {
    errors.push(`${where}: not a GeoJSON Feature`);
    return undefined;
  }
  const props = isObject(feature.properties) ? feature.properties : {};
  const problems: string[] = [];
  const [lon, lat] = pointOf(feature.geometry, problems);
  return {
    where,
    problems,
    id: props.id ?? feature.id,
    domain: props.domain,
    contract: props.contract,
    commune: props.commune,
    owner: props.owner,
    lat,
    lon,
    assignments: assignmentsOf(props, problems),
    assignmentNames: props.assignments === undefined ? "columns" : "list",
    attributes: attributesOf(props),
  };
}

/** `[lon, lat]`; when the geometry is unusable, the reason and placeholders (the draft is refused anyway). */
function pointOf(geometry: unknown, problems: string[]): [unknown, unknown] {
  if (isObject(geometry) && geometry.type === "Point" && Array.isArray(geometry.coordinates)) {
    return [geometry.coordinates[0], geometry.coordinates[1]];
  }
  problems.push("geometry must be a Point with coordinates [lon, lat]");
  return [0, 0];
}

function assignmentsOf(props: Json, problems: string[]): unknown[] {
  const single = { operator: props.operator, from: props.assigned_from, to: props.assigned_to };
  if (props.assignments === undefined) return props.operator === undefined ? [] : [single];
  if (props.operator !== undefined || props.assigned_from !== undefined) {
    problems.push("give either operator/assigned_from or assignments, not both");
  }
  if (!Array.isArray(props.assignments)) {
    problems.push("assignments must be a list of {operator, from, to}");
    return [];
  }
  return props.assignments;
}

/** Every other property; whether it is a text or a number is the schema's business. */
function attributesOf(props: Json): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(props)) {
    if (!KNOWN.has(name) && value !== null) setAttribute(attributes, name, value);
  }
  return attributes;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
