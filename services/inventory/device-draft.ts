import type { Assignment, Device } from "../domain/types.ts";
import { type AssignmentEntry, type InventoryEntry, InventoryEntrySchema } from "./inventory-schema.ts";
import { parseIsoTime } from "./iso-time.ts";
import { findOverlaps } from "./periods.ts";
import { schemaProblems } from "./schema-errors.ts";

/**
 * One inventory entry as found in a file (a CSV line, a GeoJSON feature), before any check.
 * The CSV and GeoJSON readers only reshape; what a valid device is lives in one schema
 * (inventory-schema.ts) and the few rules here it cannot say (a period's order, unique ids,
 * overlaps), so that both formats accept and refuse exactly the same things.
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
  /** Each `{operator, from, to}` as found (a GeoJSON list may hold anything). */
  assignments: unknown[];
  /**
   * How the file names the assignment in messages: the columns `operator, assigned_from,
   * assigned_to` (CSV, or the same GeoJSON properties), or a GeoJSON `assignments` list.
   */
  assignmentNames: "columns" | "list";
  attributes: Record<string, unknown>;
}

export interface InventoryDefaults {
  /** Owner given to devices whose entry names none. */
  ownerId: string;
}

/** A decimal as spreadsheets write it: optional minus, digits, optional fraction. */
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const COLUMN_OF: Readonly<Record<string, string>> = {
  operator: "operator",
  from: "assigned_from",
  to: "assigned_to",
};

/** Turns a draft into a device, or records why it cannot and returns undefined. */
function checkDraft(draft: DeviceDraft, defaults: InventoryDefaults, errors: string[]): Device | undefined {
  const entry = entryOf(draft);
  const problems = [
    ...draft.problems,
    ...schemaProblems(InventoryEntrySchema, entry).map((p) => `${nameOf(p.path, draft)}: ${p.message}`),
    ...draft.assignments.flatMap((a, i) =>
      periodProblems(a, (key) => nameOf(`/assignments/${i}/${key}`, draft)),
    ),
  ];
  const id = typeof entry.id === "string" ? entry.id : "";
  const at = id === "" ? draft.where : `${draft.where} (${id})`;
  for (const problem of problems) errors.push(`${at}: ${problem}`);
  // The entry has just passed the schema: its static type holds.
  return problems.length === 0 ? deviceOf(entry as InventoryEntry, defaults) : undefined;
}

/** The draft in the schema's shape: texts trimmed, decimal texts as numbers, blanks left out. */
function entryOf(draft: DeviceDraft): Record<string, unknown> {
  return withoutBlanks({
    id: clean(draft.id),
    domain: clean(draft.domain),
    contract: clean(draft.contract),
    commune: clean(draft.commune),
    owner: clean(draft.owner),
    lat: decimal(draft.lat),
    lon: decimal(draft.lon),
    assignments: draft.assignments.map(assignmentEntryOf),
    attributes: draft.attributes,
  });
}

export function assignmentEntryOf(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return withoutBlanks(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)])));
}

/** An empty cell or a `null` property means "no value". */
function clean(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value !== "string") return value;
  const text = value.trim();
  return text === "" ? undefined : text;
}

function decimal(value: unknown): unknown {
  const v = clean(value);
  return typeof v === "string" && DECIMAL.test(v) ? Number(v) : v;
}

function withoutBlanks(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
}

/** A schema path in the file's own words: `lat`, `assigned_from`, `assignments[1].from`, `cabinet`. */
function nameOf(pointer: string, draft: DeviceDraft): string {
  const [head, ...rest] = pointer.split("/").slice(1).map(unescapeKey);
  if (head === "attributes" && rest.length > 0) return rest.join("/");
  if (head !== "assignments" || rest.length === 0) return [head, ...rest].join(".");
  const [index, key, ...deeper] = rest;
  if (draft.assignmentNames === "columns" && key !== undefined && deeper.length === 0) {
    return COLUMN_OF[key] ?? key;
  }
  return [`assignments[${index}]`, ...(key === undefined ? [] : [key]), ...deeper].join(".");
}

function unescapeKey(key: string): string {
  return key.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** A period must end after it starts (its dates themselves are the schema's business). */
export function periodProblems(value: unknown, name: (key: "from" | "to") => string): string[] {
  const entry = assignmentEntryOf(value) as { from?: unknown; to?: unknown } | undefined;
  const from = typeof entry?.from === "string" ? parseIsoTime(entry.from) : undefined;
  const to = typeof entry?.to === "string" ? parseIsoTime(entry.to) : undefined;
  if (from === undefined || to === undefined || from < to) return [];
  return [`${name("from")} ${String(entry?.from)} is not before ${name("to")} ${String(entry?.to)}`];
}

export function assignmentOf(entry: AssignmentEntry): Assignment {
  const from = parseIsoTime(entry.from) as number;
  return entry.to === undefined
    ? { operatorId: entry.operator, from }
    : { operatorId: entry.operator, from, to: parseIsoTime(entry.to) as number };
}

function deviceOf(entry: InventoryEntry, defaults: InventoryDefaults): Device {
  return {
    id: entry.id,
    domain: entry.domain,
    contractId: entry.contract,
    ownerId: entry.owner ?? defaults.ownerId,
    commune: entry.commune,
    lat: entry.lat,
    lon: entry.lon,
    attributes: entry.attributes,
    assignments: entry.assignments.map(assignmentOf),
  };
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
export function setAttribute<T>(attributes: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
}
