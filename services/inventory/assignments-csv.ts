import type { Assignment, Device } from "../domain/types.ts";
import { parseCsvTable } from "./csv.ts";
import { assignmentEntryOf, assignmentOf, periodProblems } from "./device-draft.ts";
import { type AssignmentRowEntry, AssignmentRowSchema } from "./inventory-schema.ts";
import { findOverlaps, sameAssignment, sortAssignments } from "./periods.ts";
import { schemaProblems } from "./schema-errors.ts";

/**
 * The optional assignments history: one line per period a device was (or will be) held by an
 * operator, columns `device_id, operator, from, to` (`to` empty while the period is open).
 * It carries the hand-overs between concessions that the inventory's single
 * `operator, assigned_from, assigned_to` columns cannot.
 */
export const ASSIGNMENT_COLUMNS = ["device_id", "operator", "from", "to"] as const;

export interface AssignmentRow {
  line: number;
  deviceId: string;
  assignment: Assignment;
}

/** Reads the history; returns every row or the list of every problem found. */
export function readAssignmentsCsv(text: string): { rows: AssignmentRow[]; errors: string[] } {
  const table = parseCsvTable(text, ASSIGNMENT_COLUMNS);
  const errors = [...table.errors];
  const rows: AssignmentRow[] = [];
  for (const { line, cells } of table.rows) {
    const entry = assignmentEntryOf(Object.fromEntries(ASSIGNMENT_COLUMNS.map((c) => [c, cells.get(c)])));
    const problems = [
      ...schemaProblems(AssignmentRowSchema, entry).map((p) => `${p.path.slice(1)}: ${p.message}`),
      ...periodProblems(entry, (key) => key),
    ];
    const deviceId = cells.get("device_id") ?? "";
    const at = deviceId === "" ? `line ${line}` : `line ${line} (${deviceId})`;
    for (const problem of problems) errors.push(`${at}: ${problem}`);
    // The row has just passed the schema: its static type holds.
    const row = entry as AssignmentRowEntry;
    if (problems.length === 0) rows.push({ line, deviceId, assignment: assignmentOf(row) });
  }
  return { rows, errors };
}

/**
 * Adds the history to the devices. A period identical to one the device already has (the
 * current assignment repeated in the history) is kept once; any other overlap is an error.
 * Returns new devices, periods in time order.
 */
export function mergeAssignmentRows(
  devices: readonly Device[],
  rows: readonly AssignmentRow[],
): { devices: Device[]; errors: string[] } {
  const byId = new Map(devices.map((d) => [d.id, { ...d, assignments: [...d.assignments] }]));
  const errors: string[] = [];
  for (const row of rows) {
    const device = byId.get(row.deviceId);
    if (device === undefined) errors.push(`line ${row.line}: device ${row.deviceId} is not in the inventory`);
    else if (!device.assignments.some((a) => sameAssignment(a, row.assignment))) {
      device.assignments.push(row.assignment);
    }
  }
  const merged = [...byId.values()].map((d) => ({ ...d, assignments: sortAssignments(d.assignments) }));
  for (const device of merged) errors.push(...findOverlaps(device));
  return { devices: merged, errors };
}
