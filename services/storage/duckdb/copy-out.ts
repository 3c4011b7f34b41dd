import type { EpochMs } from "../../domain/types.ts";
import type { Param } from "./sql.ts";

/**
 * The embedded store writes a table of readings itself (DuckDB's COPY), instead of handing every
 * value to JavaScript and back: the export's fast path (services/clauses/bundle/export.ts). One
 * contract version over a span: a row per (time, series), a column per field, in (time, device)
 * order, as the bundle's readings tables are (format.ts); CSV as RFC 4180 with CRLF, or Parquet.
 */
export interface CopyReadingsRequest {
  /** "contractId@version": the readings stored under that version. */
  contract: string;
  /** The version's fields, in the table's column order, with their Table Schema type. */
  fields: readonly { name: string; type: "number" | "integer" | "string" | "boolean" }[];
  from: EpochMs;
  to: EpochMs;
  operatorId?: string;
  path: string;
  format: "csv" | "parquet";
}

/** What a store that can write its readings out itself offers beside the archive scans. */
export interface ReadingCopier {
  /** The months ("YYYY-MM", UTC) holding readings of the contract version within the span, in order. */
  readingMonths(q: {
    contract: string;
    from?: EpochMs;
    to?: EpochMs;
    operatorId?: string;
  }): Promise<string[]>;
  /** Writes the file; resolves with its number of rows. */
  copyReadings(q: CopyReadingsRequest): Promise<number>;
  /** A rollup table of a tier, as the bundle lays it out (format.ts); resolves with its number of rows. */
  copyRollups(q: CopyRollupsRequest): Promise<number>;
}

const SERIES = ["device_id", "domain", "commune", "owner_id", "operator_id", "contract"] as const;

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A field's column from its rows: one value per (time, series), as the store keeps it. */
function fieldColumn(f: CopyReadingsRequest["fields"][number], fieldId: number | undefined): string {
  const alias = ident(`f_${f.name}`);
  if (fieldId === undefined) return `NULL AS ${alias}`;
  const when = `r.field_id = ${fieldId}`;
  switch (f.type) {
    case "number":
      return `max(CASE WHEN ${when} THEN r.num END) AS ${alias}`;
    case "integer":
      return `max(CASE WHEN ${when} THEN CAST(r.num AS BIGINT) END) AS ${alias}`;
    case "boolean":
      return `max(CASE WHEN ${when} THEN r.txt = 'true' END) AS ${alias}`;
    case "string":
      return `max(CASE WHEN ${when} THEN r.txt END) AS ${alias}`;
  }
}

/**
 * The COPY statement. Field ids come from the store's dictionary (`fieldIds`); the path is
 * written as a literal (COPY takes no parameter there), the rest are bound parameters.
 */
export function copyReadingsSql(
  q: CopyReadingsRequest,
  fieldIds: ReadonlyMap<string, number>,
): { sql: string; params: Param[] } {
  const columns = q.fields.map((f) => fieldColumn(f, fieldIds.get(f.name)));
  const time =
    q.format === "csv" ? `strftime(r.time, '%Y-%m-%dT%H:%M:%S.%gZ') AS "time"` : `r.time AS "time"`;
  const op = q.operatorId === undefined ? "" : " AND operator_id = $operator_id";
  const options = formatOptions(q.format);
  const sql = `COPY (
    WITH s AS (SELECT series_id, ${SERIES.join(", ")} FROM series WHERE contract = $contract${op}),
    r AS (
      SELECT r.time, r.series_id, ${columns.join(", ")}
      FROM readings r WHERE r.series_id IN (SELECT series_id FROM s)
        AND r.time >= epoch_ms(CAST($from_ms AS BIGINT)) AND r.time < epoch_ms(CAST($to_ms AS BIGINT))
      GROUP BY r.time, r.series_id)
    SELECT ${time}, ${SERIES.map((c) => `s.${c}`).join(", ")}, ${q.fields.map((f) => ident(`f_${f.name}`)).join(", ")}
    FROM r JOIN s ON s.series_id = r.series_id
    ORDER BY r.time, ${SERIES.map((c) => `s.${c}`).join(", ")}
  ) TO ${literal(q.path)} (${options})`;
  const params: Param[] = [
    { name: "contract", value: q.contract },
    { name: "from_ms", value: BigInt(q.from) },
    { name: "to_ms", value: BigInt(q.to) },
    ...(q.operatorId === undefined ? [] : [{ name: "operator_id", value: q.operatorId }]),
  ];
  return { sql, params };
}

export function readingMonthsSql(q: {
  contract: string;
  from?: EpochMs;
  to?: EpochMs;
  operatorId?: string;
}): {
  sql: string;
  params: Param[];
} {
  const conditions = ["s.contract = $contract"];
  const params: Param[] = [{ name: "contract", value: q.contract }];
  if (q.operatorId !== undefined) {
    conditions.push("s.operator_id = $operator_id");
    params.push({ name: "operator_id", value: q.operatorId });
  }
  if (q.from !== undefined) {
    conditions.push("r.time >= epoch_ms(CAST($from_ms AS BIGINT))");
    params.push({ name: "from_ms", value: BigInt(q.from) });
  }
  if (q.to !== undefined) {
    conditions.push("r.time < epoch_ms(CAST($to_ms AS BIGINT))");
    params.push({ name: "to_ms", value: BigInt(q.to) });
  }
  const sql = `SELECT DISTINCT strftime(r.time, '%Y-%m') AS month
    FROM readings r JOIN series s ON s.series_id = r.series_id
    WHERE ${conditions.join(" AND ")} ORDER BY month`;
  return { sql, params };
}

export type RollupTableName = "device" | "device-state" | "group" | "group-state";

export interface CopyRollupsRequest {
  table: RollupTableName;
  tier: "1h" | "1d";
  from?: EpochMs;
  to?: EpochMs;
  /** Device tables only: rows stored under this operator. */
  operatorId?: string;
  path: string;
  format: "csv" | "parquet";
}

/** Each rollup table's columns as the bundle names them (format.ts ROLLUP_TABLES), and its order. */
const ROLLUP_COPY: Record<
  RollupTableName,
  { table: string; columns: string; order: string; device: boolean }
> = {
  device: {
    table: "rollup_device",
    columns: `device_id, domain, commune, operator_id, field, n AS "count", mean, lo AS "min", hi AS "max", total AS "sum"`,
    order: "time, device_id, field",
    device: true,
  },
  "device-state": {
    table: "rollup_device_state",
    columns: `device_id, domain, commune, operator_id, field, state, seconds, n AS "count"`,
    order: "time, device_id, field, state",
    device: true,
  },
  group: {
    table: "rollup_group",
    columns: `commune, domain, field, n AS "count", devices, mean, lo AS "min", hi AS "max", total AS "sum"`,
    order: "time, commune, domain, field",
    device: false,
  },
  "group-state": {
    table: "rollup_group_state",
    columns: `commune, domain, field, state, seconds, n AS "count", devices`,
    order: "time, commune, domain, field, state",
    device: false,
  },
};

export function copyRollupsSql(q: CopyRollupsRequest): { sql: string; params: Param[] } {
  const t = ROLLUP_COPY[q.table];
  const conditions = ["tier = $tier"];
  const params: Param[] = [{ name: "tier", value: q.tier }];
  if (q.from !== undefined) {
    conditions.push("time >= epoch_ms(CAST($from_ms AS BIGINT))");
    params.push({ name: "from_ms", value: BigInt(q.from) });
  }
  if (q.to !== undefined) {
    conditions.push("time < epoch_ms(CAST($to_ms AS BIGINT))");
    params.push({ name: "to_ms", value: BigInt(q.to) });
  }
  if (t.device && q.operatorId !== undefined) {
    conditions.push("operator_id = $operator_id");
    params.push({ name: "operator_id", value: q.operatorId });
  }
  const time = q.format === "csv" ? `strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ') AS "time"` : `time AS "time"`;
  const sql = `COPY (
    SELECT ${time}, ${t.columns} FROM ${t.table} WHERE ${conditions.join(" AND ")} ORDER BY ${t.order}
  ) TO ${literal(q.path)} (${formatOptions(q.format)})`;
  return { sql, params };
}

function formatOptions(format: "csv" | "parquet"): string {
  return format === "csv"
    ? "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', NEW_LINE '\\r\\n'"
    : "FORMAT parquet";
}
