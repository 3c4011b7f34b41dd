import { FormatRegistry, type Static, Type } from "@sinclair/typebox";
import { parseIsoTime } from "./iso-time.ts";

/**
 * What one inventory entry is, whatever the file: a CSV line and a GeoJSON feature are reshaped
 * into this (device-draft.ts) and checked against it, so that both formats accept and refuse the
 * same things. Blank cells and `null` properties are left out before the check ("no value").
 * Each `description` completes "must be ..." in the messages (schema-errors.ts).
 */

/** ISO 8601 as iso-time.ts reads it: a real calendar date, a time only with its offset. */
FormatRegistry.Set("lanterne-iso-time", (text) => parseIsoTime(text) !== undefined);

const Text = (description: string) => Type.String({ minLength: 1, description });

const IsoTime = (description: string) =>
  Type.String({
    format: "lanterne-iso-time",
    description: `${description}: an ISO 8601 date (2024-01-01) or date and time with its offset (2024-01-01T06:30:00+01:00)`,
  });

export const AssignmentSchema = Type.Object(
  {
    operator: Text("the id of an operator of territory.yaml"),
    from: IsoTime("the start of the period"),
    to: Type.Optional(IsoTime("the end of the period (excluded)")),
  },
  {
    additionalProperties: false,
    description: "an assignment {operator, from, to?}",
  },
);
export type AssignmentEntry = Static<typeof AssignmentSchema>;

export const InventoryEntrySchema = Type.Object(
  {
    id: Text("a non-empty text, unique in the inventory"),
    domain: Text("a non-empty text, the domain of the device's contract (streetlight...)"),
    contract: Text("the id of one of the territory's data contracts"),
    commune: Type.String({
      // Corsica's codes start with 2A/2B; a number would lose the leading zero of codes like 01001.
      pattern: "^(?:\\d{5}|2[AB]\\d{3})$",
      description: "an INSEE commune code written as text, 5 characters (57038, 2A004)",
    }),
    owner: Type.Optional(Text("the id of the collectivity owning the device")),
    lat: Type.Number({
      minimum: -90,
      maximum: 90,
      description: "a latitude in decimal degrees (WGS 84) written with a dot, from -90 to 90",
    }),
    lon: Type.Number({
      minimum: -180,
      maximum: 180,
      description: "a longitude in decimal degrees (WGS 84) written with a dot, from -180 to 180",
    }),
    assignments: Type.Array(AssignmentSchema, {
      minItems: 1,
      description: "at least one assignment to an operator (operator and assigned_from)",
    }),
    attributes: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number()], { description: "a text or a number" }),
    ),
  },
  { additionalProperties: false },
);
export type InventoryEntry = Static<typeof InventoryEntrySchema>;

/** One line of the assignments history CSV (`device_id, operator, from, to`). */
export const AssignmentRowSchema = Type.Object(
  {
    device_id: Text("the id of a device of the inventory"),
    operator: AssignmentSchema.properties.operator,
    from: AssignmentSchema.properties.from,
    to: AssignmentSchema.properties.to,
  },
  { additionalProperties: false },
);
export type AssignmentRowEntry = Static<typeof AssignmentRowSchema>;
