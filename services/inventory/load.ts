import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { InventoryInvalidError } from "../domain/errors.ts";
import type { Device } from "../domain/types.ts";
import { type AssignmentRow, mergeAssignmentRows, readAssignmentsCsv } from "./assignments-csv.ts";
import { readInventoryCsv } from "./csv-inventory.ts";
import type { InventoryDefaults } from "./device-draft.ts";
import { readInventoryGeoJson } from "./geojson-inventory.ts";

/**
 * A collectivity's asset inventory, from the files it owns: CSV (RFC 4180, header row) or
 * GeoJSON. Loading happens at start: a file with problems is refused as a whole, with every
 * problem listed (line or feature number), so that it is fixed in one pass.
 */
export type { AssignmentRow } from "./assignments-csv.ts";
export type { InventoryDefaults } from "./device-draft.ts";
export { operatorAt } from "./periods.ts";

export interface LoadOptions {
  /** Path of an assignments history CSV (`device_id, operator, from, to`) to merge in. */
  assignmentsFile?: string;
}

export async function loadInventoryFile(
  path: string,
  defaults: InventoryDefaults,
  options: LoadOptions = {},
): Promise<Device[]> {
  const devices = parseInventory(await readText(path), path, defaults);
  if (options.assignmentsFile === undefined) return devices;
  const rows = parseAssignmentsCsv(await readText(options.assignmentsFile), options.assignmentsFile);
  return mergeAssignments(devices, rows, options.assignmentsFile);
}

function parseInventory(text: string, path: string, defaults: InventoryDefaults): Device[] {
  const extension = extname(path).toLowerCase();
  if (extension === ".csv") return parseInventoryCsv(text, path, defaults);
  if (extension === ".geojson" || extension === ".json") return parseInventoryGeoJson(text, path, defaults);
  throw new InventoryInvalidError(path, `unknown extension "${extension}": use .csv, .geojson or .json`);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new InventoryInvalidError(path, `cannot be read: ${(e as Error).message}`);
  }
}

export function parseInventoryCsv(text: string, source: string, defaults: InventoryDefaults): Device[] {
  return orThrow(source, readInventoryCsv(text, defaults)).devices;
}

export function parseInventoryGeoJson(text: string, source: string, defaults: InventoryDefaults): Device[] {
  return orThrow(source, readInventoryGeoJson(text, defaults)).devices;
}

/** The assignments history, checked row by row (dates, `from < to`). */
export function parseAssignmentsCsv(text: string, source = "assignments.csv"): AssignmentRow[] {
  return orThrow(source, readAssignmentsCsv(text)).rows;
}

/** Adds the history to the devices; unknown devices and overlapping periods are refused. */
export function mergeAssignments(
  devices: readonly Device[],
  rows: readonly AssignmentRow[],
  source = "assignments.csv",
): Device[] {
  return orThrow(source, mergeAssignmentRows(devices, rows)).devices;
}

function orThrow<T extends { errors: string[] }>(source: string, result: T): T {
  if (result.errors.length === 0) return result;
  const inFileOrder = [...result.errors].sort((a, b) => position(a) - position(b));
  throw new InventoryInvalidError(source, inFileOrder.join("\n"));
}

/** The line or feature a message starts with; messages about a whole device come last. */
function position(message: string): number {
  const m = /^(?:line |features\[)(\d+)/.exec(message);
  return m === null ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}
