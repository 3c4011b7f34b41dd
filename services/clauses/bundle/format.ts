import type { Contract, LogicalType } from "../../contracts/model.ts";
import type { RollupTier } from "../../storage/store.ts";
import type { BundleFile } from "./sink.ts";
import type { Column } from "./table-file.ts";

/**
 * The reversibility bundle: everything a Lanterne holds for a collectivity (or one operator's
 * part of it), in open documented formats, with a manifest of SHA-256 checksums. `lanterne
 * import` loads it into an empty Lanterne; the README in the bundle says what each file is.
 *
 * ```
 * manifest.json                    format, scope, counts, every other file with its size and SHA-256
 * datapackage.json                 Frictionless Data Package: each table with its Table Schema
 * README.md                        what each file holds (French, then English)
 * contracts/<file>.yaml            every version of the contracts in scope (ODCS v3.1)
 * inventory/devices.geojson        the devices (RFC 7946 points) with attributes and assignments
 * readings/<contract>@<version>/<YYYY-MM>.csv|.parquet
 *                                  raw readings, one row per (device, time), a column per field
 * rollups/<tier>/{device,device-state,group,group-state}.csv|.parquet
 * quarantine.csv, violations.csv   refused messages with their reasons; values dropped and why
 * alerts/alerts.ndjson, alerts/history.ndjson
 * ledger/deliveries.csv, ledger/refusals.csv   the delivery ledger behind the scorecards
 * registers/exemptions.json, registers/breaches.json
 * access-log.ndjson                the hash-chained access log (whole-platform bundles)
 * ```
 */
export const BUNDLE_FORMAT = "lanterne-bundle";
export const BUNDLE_VERSION = 1;
export const MANIFEST = "manifest.json";

export interface BundleScope {
  /** One operator's data only; the whole platform when absent. */
  operatorId?: string;
  /** Readings, rollups and ledger rows at or after (epoch ms). */
  from?: number;
  /** ...and before. */
  to?: number;
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  createdAt: string;
  owner: { id: string; name: string };
  scope: { operator: string | null; from: string | null; to: string | null };
  /** What each part holds, for a reader and for the import's checks. */
  counts: Record<string, number>;
  /** Every file of the bundle but the manifest. */
  files: BundleFile[];
}

export const TIERS: readonly RollupTier[] = ["1h", "1d"];

const TYPE_OF: Record<LogicalType, Column["type"]> = {
  number: "number",
  integer: "integer",
  string: "string",
  boolean: "boolean",
};

/** The attributes every reading row carries before its fields. */
export const READING_KEYS: readonly Column[] = [
  { name: "time", type: "datetime", required: true, description: "when the reading was measured (UTC)" },
  { name: "device_id", type: "string", required: true },
  { name: "domain", type: "string", required: true },
  { name: "commune", type: "string", required: true, description: "INSEE code" },
  { name: "owner_id", type: "string", required: true, description: "the collectivity the data belong to" },
  { name: "operator_id", type: "string", required: true, description: "the operator that delivered it" },
  {
    name: "contract",
    type: "string",
    required: true,
    description: "contract@version it was checked against",
  },
];

/**
 * A contract version's readings table: the keys, then one column per field of that version. A
 * field column is prefixed "f_" so that no field name can clash with a key.
 */
export function readingColumns(contract: Contract): Column[] {
  const fields = [...contract.fields.values()].map(
    (f): Column => ({
      name: `f_${f.name}`,
      type: TYPE_OF[f.type],
      description: [f.description, f.unit ? `(${f.unit})` : ""].filter(Boolean).join(" "),
    }),
  );
  return [...READING_KEYS, ...fields];
}

export function readingPath(contractKey: string, month: string): string {
  return `readings/${contractKey}/${month}.csv`;
}

const ROLLUP_KEYS: readonly Column[] = [
  { name: "time", type: "datetime", required: true, description: "start of the bucket (UTC)" },
];

export const ROLLUP_TABLES = {
  device: [
    ...ROLLUP_KEYS,
    { name: "device_id", type: "string", required: true },
    { name: "domain", type: "string", required: true },
    { name: "commune", type: "string", required: true },
    { name: "operator_id", type: "string", required: true },
    { name: "field", type: "string", required: true },
    { name: "count", type: "integer", required: true },
    { name: "mean", type: "number", required: true },
    { name: "min", type: "number", required: true },
    { name: "max", type: "number", required: true },
    { name: "sum", type: "number", description: "a counter's consumption over the bucket" },
  ],
  "device-state": [
    ...ROLLUP_KEYS,
    { name: "device_id", type: "string", required: true },
    { name: "domain", type: "string", required: true },
    { name: "commune", type: "string", required: true },
    { name: "operator_id", type: "string", required: true },
    { name: "field", type: "string", required: true },
    { name: "state", type: "string", required: true },
    { name: "seconds", type: "number", required: true },
    { name: "count", type: "integer", required: true },
  ],
  group: [
    ...ROLLUP_KEYS,
    { name: "commune", type: "string", required: true },
    { name: "domain", type: "string", required: true },
    { name: "field", type: "string", required: true },
    { name: "count", type: "integer", required: true },
    { name: "devices", type: "integer", required: true },
    { name: "mean", type: "number", required: true },
    { name: "min", type: "number", required: true },
    { name: "max", type: "number", required: true },
    { name: "sum", type: "number" },
  ],
  "group-state": [
    ...ROLLUP_KEYS,
    { name: "commune", type: "string", required: true },
    { name: "domain", type: "string", required: true },
    { name: "field", type: "string", required: true },
    { name: "state", type: "string", required: true },
    { name: "seconds", type: "number", required: true },
    { name: "count", type: "integer", required: true },
    { name: "devices", type: "integer", required: true },
  ],
} as const satisfies Record<string, readonly Column[]>;

export type RollupTable = keyof typeof ROLLUP_TABLES;

export function rollupPath(tier: RollupTier, table: RollupTable): string {
  return `rollups/${tier}/${table}.csv`;
}

export const QUARANTINE_COLUMNS: readonly Column[] = [
  { name: "id", type: "integer", required: true, description: "its number in the exporting platform" },
  { name: "received_at", type: "datetime", required: true },
  { name: "operator_id", type: "string", description: "empty when the sender was unknown" },
  { name: "device_id", type: "string" },
  { name: "contract", type: "string" },
  { name: "source", type: "string", required: true },
  { name: "truncated", type: "boolean", required: true },
  {
    name: "reasons",
    type: "string",
    required: true,
    description: "JSON array of {code, path, detail, value?}",
  },
  { name: "raw", type: "string", required: true, description: "the payload as received" },
];

export const VIOLATION_COLUMNS: readonly Column[] = [
  { name: "id", type: "integer", required: true },
  { name: "received_at", type: "datetime", required: true },
  { name: "time", type: "datetime", required: true },
  { name: "operator_id", type: "string", required: true },
  { name: "device_id", type: "string", required: true },
  { name: "contract", type: "string", required: true },
  { name: "code", type: "string", required: true },
  { name: "path", type: "string", required: true },
  { name: "detail", type: "string", required: true },
  { name: "value", type: "string", description: "the value dropped, as text" },
  { name: "value_type", type: "string", description: "number or string: how to read `value`" },
];

export const DELIVERY_COLUMNS: readonly Column[] = [
  { name: "day", type: "datetime", required: true, description: "UTC day of measurement" },
  { name: "operator_id", type: "string", required: true },
  { name: "contract", type: "string", required: true },
  { name: "device_id", type: "string", required: true },
  { name: "readings", type: "integer", required: true },
  { name: "late", type: "integer", required: true },
  { name: "latency_sum_ms", type: "integer", required: true },
  { name: "latency_max_ms", type: "integer", required: true },
  ...["le_1s", "le_10s", "le_60s", "le_5min", "le_15min", "le_1h", "le_1d", "over_1d"].map(
    (name): Column => ({
      name,
      type: "integer",
      required: true,
      description: "readings in this delay class",
    }),
  ),
];

/** An empty operator, contract or device is one that was unknown (a refused message). */
export const REFUSAL_COLUMNS: readonly Column[] = [
  { name: "day", type: "datetime", required: true, description: "UTC day of reception" },
  { name: "operator_id", type: "string" },
  { name: "contract", type: "string" },
  { name: "device_id", type: "string" },
  { name: "kind", type: "string", required: true, description: "quarantine or violation" },
  { name: "code", type: "string", required: true },
  { name: "count", type: "integer", required: true },
];

/** A Table Schema (Frictionless) of a table's columns. */
export function tableSchemaOf(columns: readonly Column[]): object {
  return {
    fields: columns.map((c) => ({
      name: c.name,
      type: c.type,
      // Instants keep their milliseconds, which the default datetime format has no room for.
      ...(c.type === "datetime" ? { format: "any" } : {}),
      ...(c.description ? { description: c.description } : {}),
      ...(c.required ? { constraints: { required: true } } : {}),
    })),
    missingValues: [""],
  };
}
