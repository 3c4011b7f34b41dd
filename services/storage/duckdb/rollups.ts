import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import { LIST, listValue, TIMESTAMP_MS, VARCHAR } from "@duckdb/node-api";
import { BadRequestError } from "../../domain/errors.ts";
import type { EpochMs } from "../../domain/types.ts";
import {
  COUNTER_MAX_GAP_MS,
  type DeviceRollup,
  type GroupRollup,
  type RollupStore,
  type RollupTier,
  TIER_MS,
} from "../store.ts";
import {
  BUCKET,
  eq,
  inList,
  paramsOf,
  type Query,
  type Row,
  resolutionParam,
  since,
  timestamp,
  until,
  where,
  wholeNumber,
} from "./sql.ts";

/**
 * Rollups in the DuckDB store (the RollupStore port): two plain tables, one row per (tier,
 * bucket, device, field) and per (tier, bucket, commune, domain, field), with their text inline.
 * They are small next to `readings` (a device's hour is one row per numeric field, whatever its
 * cadence) and are read by time range, which DuckDB's zone maps answer without an index.
 *
 * Replacing rows (a bucket recomputed after late data) is a DELETE of the keys a write carries and
 * an INSERT, in one transaction: rows go through a staging table filled by an appender, so a
 * write of thousands of rows is three statements, not thousands. No primary key: DuckDB's ART
 * index would grow with every bucket kept, and only the writer ever replaces rows.
 */
export const ROLLUP_TABLES = [
  `CREATE TABLE IF NOT EXISTS rollup_device (
    tier VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL, device_id VARCHAR NOT NULL, domain VARCHAR NOT NULL,
    commune VARCHAR NOT NULL, operator_id VARCHAR NOT NULL, field VARCHAR NOT NULL,
    n BIGINT NOT NULL, mean DOUBLE NOT NULL, lo DOUBLE NOT NULL, hi DOUBLE NOT NULL, total DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS rollup_group (
    tier VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL, commune VARCHAR NOT NULL, domain VARCHAR NOT NULL,
    field VARCHAR NOT NULL, n BIGINT NOT NULL, devices BIGINT NOT NULL, mean DOUBLE NOT NULL,
    lo DOUBLE NOT NULL, hi DOUBLE NOT NULL, total DOUBLE)`,
  // Files made before counters had their consumption: the column is added, empty (no counter rows).
  "ALTER TABLE rollup_device ADD COLUMN IF NOT EXISTS total DOUBLE",
  "ALTER TABLE rollup_group ADD COLUMN IF NOT EXISTS total DOUBLE",
  // State fields' time in each value (duckdb/state-rollups.ts): one row per state of a key above.
  `CREATE TABLE IF NOT EXISTS rollup_device_state (
    tier VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL, device_id VARCHAR NOT NULL, domain VARCHAR NOT NULL,
    commune VARCHAR NOT NULL, operator_id VARCHAR NOT NULL, field VARCHAR NOT NULL, state VARCHAR NOT NULL,
    seconds DOUBLE NOT NULL, n BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rollup_group_state (
    tier VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL, commune VARCHAR NOT NULL, domain VARCHAR NOT NULL,
    field VARCHAR NOT NULL, state VARCHAR NOT NULL, seconds DOUBLE NOT NULL, n BIGINT NOT NULL,
    devices BIGINT NOT NULL)`,
];

/** Staging, per connection; `seq` keeps the last of two rows with the same key in one write. */
export const ROLLUP_BATCH_TABLES = [
  `CREATE TEMP TABLE rollup_device_batch (
    seq INTEGER NOT NULL, tier VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL, device_id VARCHAR NOT NULL,
    domain VARCHAR NOT NULL, commune VARCHAR NOT NULL, operator_id VARCHAR NOT NULL, field VARCHAR NOT NULL,
    n BIGINT NOT NULL, mean DOUBLE NOT NULL, lo DOUBLE NOT NULL, hi DOUBLE NOT NULL, total DOUBLE)`,
  `CREATE TEMP TABLE rollup_group_batch (
    seq INTEGER NOT NULL, tier VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL, commune VARCHAR NOT NULL,
    domain VARCHAR NOT NULL, field VARCHAR NOT NULL, n BIGINT NOT NULL, devices BIGINT NOT NULL,
    mean DOUBLE NOT NULL, lo DOUBLE NOT NULL, hi DOUBLE NOT NULL, total DOUBLE)`,
  `CREATE TEMP TABLE rollup_device_state_batch (
    seq INTEGER NOT NULL, tier VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL, device_id VARCHAR NOT NULL,
    domain VARCHAR NOT NULL, commune VARCHAR NOT NULL, operator_id VARCHAR NOT NULL, field VARCHAR NOT NULL,
    state VARCHAR NOT NULL, seconds DOUBLE NOT NULL, n BIGINT NOT NULL)`,
  `CREATE TEMP TABLE rollup_group_state_batch (
    seq INTEGER NOT NULL, tier VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL, commune VARCHAR NOT NULL,
    domain VARCHAR NOT NULL, field VARCHAR NOT NULL, state VARCHAR NOT NULL, seconds DOUBLE NOT NULL,
    n BIGINT NOT NULL, devices BIGINT NOT NULL)`,
];

export interface Table {
  name: string;
  batch: string;
  /** What a write replaces: every row with one of the written keys. */
  keys: readonly string[];
  /** A row's own key, when a replaced key holds several rows (a state field's values). */
  rowKeys?: readonly string[];
  columns: readonly string[];
}

const DEVICE_TABLE: Table = {
  name: "rollup_device",
  batch: "temp.rollup_device_batch",
  keys: ["tier", "time", "device_id", "field"],
  columns: [
    "tier",
    "time",
    "device_id",
    "domain",
    "commune",
    "operator_id",
    "field",
    "n",
    "mean",
    "lo",
    "hi",
    "total",
  ],
};

const GROUP_TABLE: Table = {
  name: "rollup_group",
  batch: "temp.rollup_group_batch",
  keys: ["tier", "time", "commune", "domain", "field"],
  columns: ["tier", "time", "commune", "domain", "field", "n", "devices", "mean", "lo", "hi", "total"],
};

/**
 * The statements that move a staged write into its table. The time bounds are whole numbers
 * produced here (never caller text); they let DuckDB skip the row groups of other buckets.
 */
export function replaceStatements(table: Table, from: bigint, to: bigint): string[] {
  const match = table.keys.map((k) => `${table.name}.${k} = b.${k}`).join(" AND ");
  const keys = table.keys.join(", ");
  return [
    `DELETE FROM ${table.name} USING (SELECT DISTINCT ${keys} FROM ${table.batch}) b
      WHERE ${table.name}.time BETWEEN epoch_ms(${from}) AND epoch_ms(${to}) AND ${match}`,
    `INSERT INTO ${table.name}
      SELECT ${table.columns.join(", ")} FROM ${table.batch}
      QUALIFY row_number() OVER (PARTITION BY ${(table.rowKeys ?? table.keys).join(", ")} ORDER BY seq DESC) = 1`,
    `DELETE FROM ${table.batch}`,
  ];
}

export function timeBounds(rows: readonly { time: EpochMs }[]): [bigint, bigint] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (r.time < lo) lo = r.time;
    if (r.time > hi) hi = r.time;
  }
  return [wholeNumber(lo), wholeNumber(hi)];
}

export function checkTier(tier: RollupTier): RollupTier {
  if (TIER_MS[tier] === undefined) throw new BadRequestError(`unknown rollup tier ${String(tier)}`);
  return tier;
}

/** Rows must be finite numbers: a NaN mean would poison every group computed from it. */
export function finite(n: number, what: string): number {
  if (!Number.isFinite(n)) throw new BadRequestError(`rollup ${what} must be a finite number, got ${n}`);
  return n;
}

/** A row: its position, tier and bucket, its text columns, then its whole numbers and statistics. */
function appendRows<R extends DeviceRollup | GroupRollup>(
  a: DuckDBAppender,
  rows: readonly R[],
  texts: (r: R) => readonly string[],
  wholes: (r: R) => readonly [string, number][],
): void {
  for (const [seq, r] of rows.entries()) {
    a.appendInteger(seq);
    a.appendVarchar(checkTier(r.tier));
    a.appendTimestampMilliseconds(timestamp(r.time));
    for (const text of texts(r)) a.appendVarchar(text);
    for (const [what, n] of wholes(r)) a.appendBigInt(wholeNumber(finite(n, what)));
    a.appendDouble(finite(r.mean, "mean"));
    a.appendDouble(finite(r.min, "min"));
    a.appendDouble(finite(r.max, "max"));
    if (r.sum === undefined) a.appendNull();
    else a.appendDouble(finite(r.sum, "sum"));
    a.endRow();
  }
  a.flushSync();
}

function appendDeviceRows(a: DuckDBAppender, rows: readonly DeviceRollup[]): void {
  appendRows(
    a,
    rows,
    (r) => [r.deviceId, r.domain, r.commune, r.operatorId, r.field],
    (r) => [["count", r.count]],
  );
}

function appendGroupRows(a: DuckDBAppender, rows: readonly GroupRollup[]): void {
  appendRows(
    a,
    rows,
    (r) => [r.commune, r.domain, r.field],
    (r) => [
      ["count", r.count],
      ["devices", r.devices],
    ],
  );
}

/** Runs inside the writer's open transaction (the appender joins it). */
export async function replaceDeviceRollups(
  writer: DuckDBConnection,
  appender: DuckDBAppender,
  rows: readonly DeviceRollup[],
): Promise<void> {
  appendDeviceRows(appender, rows);
  for (const sql of replaceStatements(DEVICE_TABLE, ...timeBounds(rows))) await writer.run(sql);
}

export async function replaceGroupRollups(
  writer: DuckDBConnection,
  appender: DuckDBAppender,
  rows: readonly GroupRollup[],
): Promise<void> {
  appendGroupRows(appender, rows);
  for (const sql of replaceStatements(GROUP_TABLE, ...timeBounds(rows))) await writer.run(sql);
}

type SummarizeQuery = Parameters<RollupStore["summarize"]>[0];
type DeviceRollupsQuery = Parameters<RollupStore["deviceRollups"]>[0];
type GroupRollupsQuery = Parameters<RollupStore["groupRollups"]>[0];

/**
 * A device's numeric values per bucket, across all its series (a handover within the bucket
 * changes the series, not the device): domain, commune and operator are those of the newest
 * reading. Readings are narrowed on time and on the device's series before the joins.
 */
export function summarizeQuery(q: SummarizeQuery): Query {
  const conditions = [since("time", q.from), until("time", q.to), { sql: "num IS NOT NULL", params: [] }];
  const devices = inList("device_id", "device_ids", q.deviceIds);
  const sql = `SELECT b.t, s.device_id, f.name AS field, sum(b.n) AS n, sum(b.total) / sum(b.n) AS mean,
      min(b.lo) AS lo, max(b.hi) AS hi, arg_max(s.domain, b.newest) AS domain,
      arg_max(s.commune, b.newest) AS commune, arg_max(s.operator_id, b.newest) AS operator_id
    FROM (
      SELECT ${BUCKET} AS t, series_id, field_id, count(*) AS n, sum(num) AS total, min(num) AS lo,
        max(num) AS hi, max(time) AS newest
      FROM readings
      ${where([...conditions, { sql: `series_id IN (SELECT series_id FROM series ${where([devices])})`, params: [] }])}
      GROUP BY ALL) b
      JOIN series s ON s.series_id = b.series_id JOIN fields f ON f.field_id = b.field_id
    GROUP BY b.t, s.device_id, f.name`;
  return {
    sql,
    params: [...paramsOf([...conditions, devices]), resolutionParam(TIER_MS[checkTier(q.tier)])],
  };
}

/**
 * The consumption of counter fields per bucket (see RollupStore.summarize): each reading's
 * increase over the device's previous reading of the field (across series: a handover does not
 * reset the meter), counted in the bucket of the later reading. The readings of the look-back
 * before `from` only give the first reading its predecessor.
 */
export function counterIncreaseQuery(q: SummarizeQuery, counters: readonly string[]): Query {
  const window = [
    since("r.time", q.from - COUNTER_MAX_GAP_MS),
    until("r.time", q.to),
    { sql: "r.num IS NOT NULL", params: [] },
    {
      sql: "r.series_id IN (SELECT series_id FROM series WHERE list_contains($device_ids, device_id))",
      params: [{ name: "device_ids", value: listValue([...q.deviceIds]), type: LIST(VARCHAR) }],
    },
    {
      sql: "r.field_id IN (SELECT field_id FROM fields WHERE list_contains($counters, name))",
      params: [{ name: "counters", value: listValue([...counters]), type: LIST(VARCHAR) }],
    },
  ];
  const sql = `SELECT ${BUCKET} AS t, device_id, field, sum(inc) AS inc FROM (
      SELECT time, device_id, field,
        CASE WHEN prev IS NULL OR epoch_ms(time) - epoch_ms(prev_time) > ${COUNTER_MAX_GAP_MS} THEN 0
          WHEN num >= prev THEN num - prev ELSE num END AS inc
      FROM (
        SELECT r.time, r.num, s.device_id, f.name AS field,
          lag(r.num) OVER w AS prev, lag(r.time) OVER w AS prev_time
        FROM readings r JOIN series s ON s.series_id = r.series_id JOIN fields f ON f.field_id = r.field_id
        ${where(window)}
        WINDOW w AS (PARTITION BY s.device_id, r.field_id ORDER BY r.time)))
    WHERE time >= $bucket_from
    GROUP BY ALL`;
  return {
    sql,
    params: [
      ...paramsOf(window),
      { name: "bucket_from", value: timestamp(q.from), type: TIMESTAMP_MS },
      resolutionParam(TIER_MS[checkTier(q.tier)]),
    ],
  };
}

/** Sets each counter row's consumption: zero when no increase fell in its bucket. */
export function withIncreases(
  rows: DeviceRollup[],
  counters: readonly string[],
  increases: readonly Row[],
): DeviceRollup[] {
  if (counters.length === 0) return rows;
  const names = new Set(counters);
  const byKey = new Map(
    increases.map((r) => [`${Number(r.t)}|${String(r.device_id)}|${String(r.field)}`, Number(r.inc)]),
  );
  for (const row of rows) {
    if (names.has(row.field)) row.sum = byKey.get(`${row.time}|${row.deviceId}|${row.field}`) ?? 0;
  }
  return rows;
}

export const tierParam = (tier: RollupTier) => eq("tier", "tier", checkTier(tier));

/** One bucket of a tier, for one commune and domain: the rows a group is recomputed from. */
export function bucketConditions(q: { tier: RollupTier; time: EpochMs; commune: string; domain: string }) {
  return [
    tierParam(q.tier),
    { sql: "time = $time", params: [{ name: "time", value: timestamp(q.time), type: TIMESTAMP_MS }] },
    eq("commune", "commune", q.commune),
    eq("domain", "domain", q.domain),
  ];
}

/** A range of buckets of a tier, optionally narrowed to a commune, a domain and a field. */
export function rangeConditions(q: {
  tier: RollupTier;
  from: EpochMs;
  to: EpochMs;
  commune?: string;
  domain?: string;
  field?: string;
}) {
  return [
    tierParam(q.tier),
    since("time", q.from),
    until("time", q.to),
    eq("commune", "commune", q.commune),
    eq("domain", "domain", q.domain),
    eq("field", "field", q.field),
  ];
}

export function deviceRollupsQuery(q: DeviceRollupsQuery): Query {
  const conditions = bucketConditions(q);
  const sql = `SELECT epoch_ms(time)::DOUBLE AS t, device_id, domain, commune, operator_id, field, n, mean, lo, hi,
      total FROM rollup_device ${where(conditions)} ORDER BY device_id, field`;
  return { sql, params: paramsOf(conditions) };
}

export function groupRollupsQuery(q: GroupRollupsQuery): Query {
  const conditions = rangeConditions(q);
  const sql = `SELECT epoch_ms(time)::DOUBLE AS t, commune, domain, field, n, devices, mean, lo, hi, total
    FROM rollup_group ${where(conditions)} ORDER BY t, commune, domain, field`;
  return { sql, params: paramsOf(conditions) };
}

export function toDeviceRollup(row: Row, tier: RollupTier): DeviceRollup {
  return {
    tier,
    time: Number(row.t),
    deviceId: String(row.device_id),
    domain: String(row.domain),
    commune: String(row.commune),
    operatorId: String(row.operator_id),
    field: String(row.field),
    count: Number(row.n),
    mean: Number(row.mean),
    min: Number(row.lo),
    max: Number(row.hi),
    ...totalOf(row),
  };
}

function totalOf(row: Row): { sum?: number } {
  return row.total === null || row.total === undefined ? {} : { sum: Number(row.total) };
}

export function toGroupRollup(row: Row, tier: RollupTier): GroupRollup {
  return {
    tier,
    time: Number(row.t),
    commune: String(row.commune),
    domain: String(row.domain),
    field: String(row.field),
    count: Number(row.n),
    devices: Number(row.devices),
    mean: Number(row.mean),
    min: Number(row.lo),
    max: Number(row.hi),
    ...totalOf(row),
  };
}
