import type { Assignment, Device } from "../domain/types.ts";
import { parseIsoTime } from "./iso-time.ts";
import { findOverlaps } from "./periods.ts";

/**
 * One inventory entry as found in a file (a CSV line, a GeoJSON feature), before any check.
 * The CSV and GeoJSON readers only reshape; every rule about what a valid device is lives here,
 * so that both formats accept and refuse exactly the same things.
 */
export interface DeviceDraft {
  /** Where the entry is, for messages: "line 12", "features[11]". */
  where: string;
  /** Problems the reader already found in the entry (a missing geometry...). */
  problems: string[];
  id: unknown;
  domain: unknown;
  contract: unknown;
  commune: unknown;
  owner: unknown;
  lat: unknown;
  lon: unknown;
  assignments: AssignmentDraft[];
  attributes: Record<string, string | number>;
}

export interface AssignmentDraft {
  operator?: unknown;
  from?: unknown;
  to?: unknown;
}

export interface InventoryDefaults {
  /** Owner given to devices whose entry names none. */
  ownerId: string;
}

/** INSEE commune code: 5 digits, or 2A/2B followed by 3 digits for Corsica. */
const INSEE_CODE = /^(?:\d{5}|2[AB]\d{3})$/;
/** A decimal as spreadsheets write it: optional minus, digits, optional fraction. */
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** Turns a draft into a device, or records why it cannot and returns undefined. */
function checkDraft(draft: DeviceDraft, defaults: InventoryDefaults, errors: string[]): Device | undefined {
  const problems = [...draft.problems];
  const id = text(draft.id, "id", problems);
  const device: Device = {
    id,
    domain: text(draft.domain, "domain", problems),
    contractId: text(draft.contract, "contract", problems),
    ownerId: isBlank(draft.owner) ? defaults.ownerId : text(draft.owner, "owner", problems),
    commune: communeCode(draft.commune, problems),
    lat: coordinate(draft.lat, "lat", 90, problems),
    lon: coordinate(draft.lon, "lon", 180, problems),
    attributes: draft.attributes,
    assignments: assignments(draft.assignments, problems),
  };
  const at = id === "" ? draft.where : `${draft.where} (${id})`;
  for (const problem of problems) errors.push(`${at}: ${problem}`);
  return problems.length === 0 ? device : undefined;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function text(value: unknown, name: string, problems: string[]): string {
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  problems.push(
    isBlank(value) ? `${name} is missing` : `${name} must be a text, got ${JSON.stringify(value)}`,
  );
  return "";
}

function communeCode(value: unknown, problems: string[]): string {
  if (typeof value === "number") {
    problems.push(`commune must be a text ("${value}"): a number loses the leading zero of codes like 01001`);
    return "";
  }
  const code = text(value, "commune", problems);
  if (code !== "" && !INSEE_CODE.test(code)) {
    problems.push(`commune "${code}" is not a 5-character INSEE code`);
  }
  return code;
}

function coordinate(value: unknown, name: string, limit: number, problems: string[]): number {
  const n = toNumber(value);
  if (n === undefined)
    problems.push(`${name} must be a decimal number with a dot, got ${JSON.stringify(value ?? "")}`);
  else if (n < -limit || n > limit) problems.push(`${name} ${n} is outside [-${limit}, ${limit}]`);
  return n ?? Number.NaN;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  return typeof value === "string" && DECIMAL.test(value.trim()) ? Number(value) : undefined;
}

function assignments(drafts: readonly AssignmentDraft[], problems: string[]): Assignment[] {
  if (drafts.length === 0) problems.push("no operator is assigned");
  return drafts.map((draft, i) => assignment(draft, drafts.length > 1 ? `assignments[${i}].` : "", problems));
}

/** Checks one assignment; `prefix` names it in messages when the entry has several. */
export function assignment(draft: AssignmentDraft, prefix: string, problems: string[]): Assignment {
  const operatorId = text(draft.operator, `${prefix}operator`, problems);
  const from = time(draft.from, `${prefix}from`, problems);
  const to = isBlank(draft.to) ? undefined : time(draft.to, `${prefix}to`, problems);
  if (from !== undefined && to !== undefined && !(from < to)) {
    problems.push(`${prefix}from ${String(draft.from)} is not before ${prefix}to ${String(draft.to)}`);
  }
  return to === undefined
    ? { operatorId, from: from ?? Number.NaN }
    : { operatorId, from: from ?? Number.NaN, to };
}

function time(value: unknown, name: string, problems: string[]): number | undefined {
  const parsed = typeof value === "string" ? parseIsoTime(value) : undefined;
  if (parsed === undefined) {
    problems.push(
      isBlank(value)
        ? `${name} is missing`
        : `${name} ${JSON.stringify(value)} is not an ISO 8601 date (2024-01-01) or time with offset`,
    );
  }
  return parsed;
}

/**
 * Checks every draft and returns the valid devices; every problem found, in any entry, is
 * appended to `errors` so that a file is fixed in one pass rather than one error at a time.
 */
export function devicesFromDrafts(
  drafts: readonly DeviceDraft[],
  defaults: InventoryDefaults,
  errors: string[],
): Device[] {
  const devices: Device[] = [];
  for (const draft of drafts) {
    const device = checkDraft(draft, defaults, errors);
    if (device !== undefined) devices.push(device);
  }
  checkUniqueIds(drafts, errors);
  for (const device of devices) errors.push(...findOverlaps(device));
  return devices;
}

function checkUniqueIds(drafts: readonly DeviceDraft[], errors: string[]): void {
  const first = new Map<string, string>();
  for (const { where, id } of drafts) {
    if (typeof id !== "string" || id.trim() === "") continue;
    const seen = first.get(id.trim());
    if (seen === undefined) first.set(id.trim(), where);
    else errors.push(`${where} (${id.trim()}): duplicate id, first at ${seen}`);
  }
}

/**
 * A cell or property value kept as an attribute: a plain decimal number becomes a number
 * (`70` -> 70), anything else stays text (`007`, `1e3`, `+5` are codes, not quantities).
 */
export function attributeValue(cell: string): string | number {
  const digits = cell.replace(/[-.]/g, "").length;
  return DECIMAL.test(cell) && !/^-?0\d/.test(cell) && digits <= 15 ? Number(cell) : cell;
}

/** Sets an attribute as an own property, so that a column named `__proto__` stays data. */
export function setAttribute(
  attributes: Record<string, string | number>,
  name: string,
  value: string | number,
) {
  Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
}
