import type { Device } from "../domain/types.ts";
import { parseCsvTable } from "./csv.ts";
import {
  attributeValue,
  type DeviceDraft,
  devicesFromDrafts,
  type InventoryDefaults,
  setAttribute,
} from "./device-draft.ts";

/** Columns every inventory CSV has; `assigned_to` and `owner` may be added, other columns are attributes. */
export const REQUIRED_COLUMNS = [
  "id",
  "domain",
  "contract",
  "commune",
  "lat",
  "lon",
  "operator",
  "assigned_from",
] as const;
export const OPTIONAL_COLUMNS = ["assigned_to", "owner"] as const;

const KNOWN = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

/** Reads an inventory CSV; returns the valid devices and every problem found. */
export function readInventoryCsv(
  text: string,
  defaults: InventoryDefaults,
): { devices: Device[]; errors: string[] } {
  const table = parseCsvTable(text, REQUIRED_COLUMNS);
  const errors = [...table.errors];
  const drafts = table.rows.map(({ line, cells }) => draftOf(`line ${line}`, cells));
  return { devices: devicesFromDrafts(drafts, defaults, errors), errors };
}

function draftOf(where: string, cells: Map<string, string>): DeviceDraft {
  return {
    where,
    problems: [],
    id: cells.get("id"),
    domain: cells.get("domain"),
    contract: cells.get("contract"),
    commune: cells.get("commune"),
    owner: cells.get("owner"),
    lat: cells.get("lat"),
    lon: cells.get("lon"),
    assignments: [
      { operator: cells.get("operator"), from: cells.get("assigned_from"), to: cells.get("assigned_to") },
    ],
    assignmentNames: "columns",
    attributes: attributesOf(cells),
  };
}

/** Every other non-empty cell; an empty cell means "no value", not an empty text. */
function attributesOf(cells: Map<string, string>): Record<string, string | number> {
  const attributes: Record<string, string | number> = {};
  for (const [name, cell] of cells) {
    if (!KNOWN.has(name) && cell !== "") setAttribute(attributes, name, attributeValue(cell));
  }
  return attributes;
}
