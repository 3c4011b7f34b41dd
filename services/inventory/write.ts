import type { Assignment, Device } from "../domain/types.ts";
import { ASSIGNMENT_COLUMNS } from "./assignments-csv.ts";
import { formatCsvRow } from "./csv.ts";
import { OPTIONAL_COLUMNS, REQUIRED_COLUMNS } from "./csv-inventory.ts";
import { formatIsoTime } from "./iso-time.ts";
import { sortAssignments } from "./periods.ts";

/**
 * Writes devices in the formats the loader reads, so that an inventory can be exported,
 * edited in a spreadsheet or a GIS, and read back unchanged. The inventory CSV has room for
 * one period per device: it carries the latest one, and `assignmentsToCsv` the earlier ones.
 */
export function inventoryToCsv(devices: readonly Device[]): string {
  const attributeNames = attributeColumns(devices);
  const header = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS, ...attributeNames];
  const lines = devices.map((d) =>
    formatCsvRow([...fixedCells(d), ...attributeNames.map((n) => d.attributes[n])]),
  );
  return `${[formatCsvRow(header), ...lines].join("\n")}\n`;
}

function fixedCells(d: Device): (string | number | undefined)[] {
  const current = latest(d);
  return [
    d.id,
    d.domain,
    d.contractId,
    d.commune,
    d.lat,
    d.lon,
    current?.operatorId,
    timeCell(current?.from),
    timeCell(current?.to),
    d.ownerId,
  ];
}

/** Attribute names in the order they are first met. */
function attributeColumns(devices: readonly Device[]): string[] {
  const names = new Set<string>();
  for (const d of devices) for (const name of Object.keys(d.attributes)) names.add(name);
  return [...names];
}

function latest(d: Device): Assignment | undefined {
  return sortAssignments(d.assignments).at(-1);
}

function timeCell(time: number | undefined): string | undefined {
  return time === undefined ? undefined : formatIsoTime(time);
}

/** Every period but each device's latest, for the assignments history file. */
export function assignmentsToCsv(devices: readonly Device[]): string {
  const lines = devices.flatMap((d) =>
    sortAssignments(d.assignments)
      .slice(0, -1)
      .map((a) => formatCsvRow([d.id, a.operatorId, timeCell(a.from), timeCell(a.to)])),
  );
  return `${[formatCsvRow(ASSIGNMENT_COLUMNS), ...lines].join("\n")}\n`;
}

/** A FeatureCollection, one feature per line so that version control diffs stay readable. */
export function inventoryToGeoJson(devices: readonly Device[]): string {
  const features = devices.map((d) => JSON.stringify(toFeature(d)));
  return `{"type":"FeatureCollection","features":[\n${features.join(",\n")}\n]}\n`;
}

function toFeature(d: Device): object {
  return {
    type: "Feature",
    geometry: { type: "Point", coordinates: [d.lon, d.lat] },
    properties: {
      id: d.id,
      domain: d.domain,
      contract: d.contractId,
      commune: d.commune,
      owner: d.ownerId,
      assignments: sortAssignments(d.assignments).map((a) => ({
        operator: a.operatorId,
        from: formatIsoTime(a.from),
        ...(a.to === undefined ? {} : { to: formatIsoTime(a.to) }),
      })),
      ...d.attributes,
    },
  };
}
