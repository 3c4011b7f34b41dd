import { BIGINT, LIST, listValue, TIMESTAMP_MS, VARCHAR } from "@duckdb/node-api";
import type { Observation } from "../../domain/types.ts";
import type { ScanCursor, ScanKind, ScanRequest } from "../archive.ts";
import type { RollupTier } from "../store.ts";
import { tierParam } from "./rollups.ts";
import { KIND_BOOLEAN, KIND_NUMBER } from "./schema.ts";
import {
  type Condition,
  eq,
  inList,
  type Param,
  paramsOf,
  type Query,
  type Row,
  timestamp,
  where,
} from "./sql.ts";

/**
 * The archive scans of the DuckDB store (ArchiveSource in ../archive.ts): one keyset page per
 * query, within the cursor's time window. The window's bounds are plain `time` comparisons, so
 * DuckDB skips the row groups outside it on their min/max (tables are appended in about time
 * order), and ORDER BY ... LIMIT sorts about two pages of rows, never the table.
 */

interface ScanTable {
  table: string;
  /** Sort key after time, all VARCHAR (the keyset compares them as one list). */
  keys: readonly string[];
  /** Other columns read. */
  columns: readonly string[];
  /** Whether rows carry a device and its operator (the operator and device filters apply). */
  device: boolean;
  tiered: boolean;
}

const TABLES: Record<Exclude<ScanKind, "readings">, ScanTable> = {
  deviceRollups: {
    table: "rollup_device",
    keys: ["device_id", "field"],
    columns: ["domain", "commune", "operator_id", "n", "mean", "lo", "hi", "total"],
    device: true,
    tiered: true,
  },
  deviceStateRollups: {
    table: "rollup_device_state",
    keys: ["device_id", "field", "state"],
    columns: ["domain", "commune", "operator_id", "seconds", "n"],
    device: true,
    tiered: true,
  },
  groupRollups: {
    table: "rollup_group",
    keys: ["commune", "domain", "field"],
    columns: ["n", "devices", "mean", "lo", "hi", "total"],
    device: false,
    tiered: true,
  },
  groupStateRollups: {
    table: "rollup_group_state",
    keys: ["commune", "domain", "field", "state"],
    columns: ["seconds", "n", "devices"],
    device: false,
    tiered: true,
  },
};

/** The series of a reading make its observation; their text sorts observations of one instant. */
export const SERIES_KEYS = ["device_id", "domain", "commune", "owner_id", "operator_id", "contract"] as const;

function tierOf(r: ScanRequest): RollupTier {
  return r.tier ?? "1h";
}

/** The first and last time of the rows a scan may read (a NULL first: an empty table). */
export function spanQuery(r: ScanRequest): Query {
  if (r.kind === "readings") {
    return {
      sql: "SELECT epoch_ms(min(time))::DOUBLE AS first, epoch_ms(max(time))::DOUBLE AS last FROM readings",
      params: [],
    };
  }
  const t = TABLES[r.kind];
  const conditions = [tierParam(tierOf(r))];
  return {
    sql: `SELECT epoch_ms(min(time))::DOUBLE AS first, epoch_ms(max(time))::DOUBLE AS last FROM ${t.table} ${where(conditions)}`,
    params: paramsOf(conditions),
  };
}

/** [time, stop) of the cursor, after its key at `time`. */
function windowConditions(
  column: string,
  keys: readonly string[],
  cursor: ScanCursor,
  stop: number,
): Condition[] {
  const bounds: Condition = {
    sql: `${column} >= $start_ts AND ${column} < $stop_ts`,
    params: [
      { name: "start_ts", value: timestamp(cursor.time), type: TIMESTAMP_MS },
      { name: "stop_ts", value: timestamp(stop), type: TIMESTAMP_MS },
    ],
  };
  if (cursor.key === undefined) return [bounds];
  const after: Condition = {
    sql: `(${column} > $start_ts OR [${keys.join(", ")}] > $after_key)`,
    params: [{ name: "after_key", value: listValue(cursor.key), type: LIST(VARCHAR) }],
  };
  return [bounds, after];
}

function limitParam(n: number): Param {
  return { name: "page_size", value: BigInt(n), type: BIGINT };
}

export function rollupPageQuery(r: ScanRequest, cursor: ScanCursor, stop: number): Query {
  if (r.kind === "readings") throw new Error("readings are paged by readingsPageQuery");
  const t = TABLES[r.kind];
  const conditions = [
    tierParam(tierOf(r)),
    ...windowConditions("time", t.keys, cursor, stop),
    ...(t.device
      ? [eq("operator_id", "operator_id", r.operatorId), inList("device_id", "device_ids", r.deviceIds)]
      : []),
  ];
  const sql = `SELECT epoch_ms(time)::DOUBLE AS t, ${[...t.keys, ...t.columns].join(", ")}
    FROM ${t.table} ${where(conditions)} ORDER BY time, ${t.keys.join(", ")} LIMIT $page_size`;
  return { sql, params: [...paramsOf(conditions), limitParam(r.pageSize)] };
}

/** The keyset of a row of a rollup table, as the next cursor wants it. */
export function rollupKey(kind: Exclude<ScanKind, "readings">, row: Row): string[] {
  return TABLES[kind].keys.map((k) => String(row[k]));
}

/**
 * A page of observations: first their keys (distinct (time, series) in order, `page_size` of
 * them), then every field of those, joined back on time and series. The filters narrow the
 * series dictionary first, so readings are filtered on integer ids.
 */
export function readingsPageQuery(r: ScanRequest, cursor: ScanCursor, stop: number): Query {
  const seriesFilter = [
    eq("operator_id", "operator_id", r.operatorId),
    inList("device_id", "device_ids", r.deviceIds),
  ];
  const keys = SERIES_KEYS.map((k) => `s.${k}`);
  const window = windowConditions("r.time", keys, cursor, stop);
  const sql = `WITH s AS (SELECT series_id, ${SERIES_KEYS.join(", ")} FROM series ${where(seriesFilter)}),
    k AS (
      SELECT DISTINCT r.time, r.series_id, ${keys.join(", ")}
      FROM readings r JOIN s ON s.series_id = r.series_id ${where(window)}
      ORDER BY r.time, ${keys.join(", ")} LIMIT $page_size)
    SELECT epoch_ms(k.time)::DOUBLE AS t, ${SERIES_KEYS.map((c) => `k.${c}`).join(", ")},
      f.name AS field, r.kind, r.num, r.txt
    FROM k JOIN readings r ON r.time = k.time AND r.series_id = k.series_id
      JOIN fields f ON f.field_id = r.field_id
    WHERE r.time >= $start_ts AND r.time < $stop_ts
    ORDER BY k.time, ${SERIES_KEYS.map((c) => `k.${c}`).join(", ")}, f.name`;
  return { sql, params: [...paramsOf([...seriesFilter, ...window]), limitParam(r.pageSize)] };
}

function fieldValueOf(row: Row): Observation["values"][string] {
  if (row.kind === KIND_NUMBER) return Number(row.num);
  if (row.kind === KIND_BOOLEAN) return row.txt === "true";
  return String(row.txt);
}

/** Rows come grouped by observation, in order (readingsPageQuery). */
export function toObservations(rows: readonly Row[]): Observation[] {
  const out: Observation[] = [];
  let current: Observation | undefined;
  let currentKey = "";
  for (const row of rows) {
    const key = JSON.stringify([row.t, ...SERIES_KEYS.map((k) => String(row[k]))]);
    if (current === undefined || key !== currentKey) {
      current = {
        deviceId: String(row.device_id),
        time: Number(row.t),
        domain: String(row.domain),
        commune: String(row.commune),
        ownerId: String(row.owner_id),
        operatorId: String(row.operator_id),
        contract: String(row.contract),
        values: {},
      };
      currentKey = key;
      out.push(current);
    }
    current.values[String(row.field)] = fieldValueOf(row);
  }
  return out;
}

export function observationKey(o: Observation): string[] {
  return [o.deviceId, o.domain, o.commune, o.ownerId, o.operatorId, o.contract];
}
