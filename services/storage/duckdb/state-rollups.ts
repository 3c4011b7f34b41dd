import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import { BIGINT, LIST, listValue, TIMESTAMP_MS, VARCHAR } from "@duckdb/node-api";
import type { EpochMs } from "../../domain/types.ts";
import {
  type DeviceStateRollup,
  type GroupStateRollup,
  type RollupTier,
  STATE_MAX_GAP_MS,
  type StateRollupStore,
  TIER_MS,
} from "../store.ts";
import {
  bucketConditions,
  checkTier,
  finite,
  rangeConditions,
  replaceStatements,
  type Table,
  timeBounds,
} from "./rollups.ts";
import {
  type Param,
  paramsOf,
  type Query,
  type Row,
  resolutionParam,
  timestamp,
  where,
  wholeNumber,
} from "./sql.ts";

/**
 * State rollups in the DuckDB store (the StateRollupStore port): `rollup_device_state` and
 * `rollup_group_state` (duckdb/rollups.ts creates them), one row per state of a (tier, bucket,
 * device, field) and of a (tier, bucket, commune, domain, field). A write replaces every state of
 * the keys it carries, through staging tables, like the numeric rollups.
 */

const DEVICE_STATE_TABLE: Table = {
  name: "rollup_device_state",
  batch: "temp.rollup_device_state_batch",
  keys: ["tier", "time", "device_id", "field"],
  rowKeys: ["tier", "time", "device_id", "field", "state"],
  columns: [
    "tier",
    "time",
    "device_id",
    "domain",
    "commune",
    "operator_id",
    "field",
    "state",
    "seconds",
    "n",
  ],
};

const GROUP_STATE_TABLE: Table = {
  name: "rollup_group_state",
  batch: "temp.rollup_group_state_batch",
  keys: ["tier", "time", "commune", "domain", "field"],
  rowKeys: ["tier", "time", "commune", "domain", "field", "state"],
  columns: ["tier", "time", "commune", "domain", "field", "state", "seconds", "n", "devices"],
};

type SummarizeStatesQuery = Parameters<StateRollupStore["summarizeStates"]>[0];
type DeviceStatesQuery = Parameters<StateRollupStore["deviceStateRollups"]>[0];
type GroupStatesQuery = Parameters<StateRollupStore["groupStateRollups"]>[0];

/** A reading's value as its state's text (see STATE_MAX_GAP_MS): whole numbers without ".0". */
const STATE_TEXT = `CASE WHEN r.num IS NULL THEN r.txt
  WHEN r.num = trunc(r.num) AND abs(r.num) < 1e15 THEN CAST(CAST(r.num AS BIGINT) AS VARCHAR)
  ELSE CAST(r.num AS VARCHAR) END`;

const bucketOf = (ms: string) => `(${ms} - ((${ms} % $res) + $res) % $res)`;

/**
 * The state rule in SQL. `spans`: each reading of the range, and each series' last reading of
 * the look-back [from - STATE_MAX_GAP_MS, from), which only carries its state into the range (the
 * last one, not a day of readings through the window: half the time of an hourly summary of 3,000
 * lamps), with the time it holds: up to the device's next reading of the field (`lead`, across
 * series), STATE_MAX_GAP_MS or the end ($end_ms: the range's end or `now`, the earlier).
 * `pieces` cuts each span at bucket ends (a span may cross several buckets); `counts` puts each
 * reading of the range in its own bucket. Each row takes the domain, commune and operator of the
 * newest reading of its (bucket, device, field).
 */
export function stateSummaryQuery(q: SummarizeStatesQuery): Query {
  const wanted = `r.series_id IN (SELECT series_id FROM series WHERE list_contains($device_ids, device_id))
    AND r.field_id IN (SELECT field_id FROM fields WHERE list_contains($fields, name))`;
  const sql = `WITH spans AS (
      SELECT *, least(coalesce(lead(t0) OVER w, $end_ms), t0 + ${STATE_MAX_GAP_MS}, $end_ms) AS t1
      FROM (
        SELECT s.device_id, f.name AS field, s.domain, s.commune, s.operator_id, r.field_id, r.t0, r.state
        FROM (
          SELECT series_id, field_id, epoch_ms(time) AS t0, ${STATE_TEXT} AS state
          FROM readings r WHERE r.time >= $from_ts AND r.time < $to_ts AND ${wanted}
          UNION ALL
          SELECT series_id, field_id, max(epoch_ms(time)), arg_max(${STATE_TEXT}, time)
          FROM readings r WHERE r.time >= $look_back_ts AND r.time < $from_ts AND ${wanted}
          GROUP BY series_id, field_id) r
        JOIN series s ON s.series_id = r.series_id JOIN fields f ON f.field_id = r.field_id)
      WINDOW w AS (PARTITION BY device_id, field_id ORDER BY t0, state)),
    pieces AS (
      SELECT device_id, field, state, domain, commune, operator_id, t0, b AS t,
        least(t1, b + $res) - greatest(lo, b) AS ms, 0 AS n
      FROM (
        SELECT *, unnest(range(${bucketOf("lo")}, t1, $res)) AS b
        FROM (SELECT *, greatest(t0, $start_ms) AS lo FROM spans)
        WHERE t1 > lo)),
    counts AS (
      SELECT device_id, field, state, domain, commune, operator_id, t0, ${bucketOf("t0")} AS t, 0 AS ms, 1 AS n
      FROM spans WHERE t0 >= $start_ms),
    per_state AS (
      SELECT t, device_id, field, state, sum(ms) AS ms, sum(n) AS n, max(t0) AS newest,
        arg_max(domain, t0) AS domain, arg_max(commune, t0) AS commune, arg_max(operator_id, t0) AS operator_id
      FROM (SELECT * FROM pieces UNION ALL SELECT * FROM counts)
      GROUP BY t, device_id, field, state)
    SELECT t::DOUBLE AS t, device_id, field, state, ms::DOUBLE / 1000 AS seconds, n,
      arg_max(domain, newest) OVER k AS domain, arg_max(commune, newest) OVER k AS commune,
      arg_max(operator_id, newest) OVER k AS operator_id
    FROM per_state
    WINDOW k AS (PARTITION BY t, device_id, field)
    ORDER BY t, device_id, field, state`;
  const ms = (name: string, value: EpochMs): Param => ({ name, value: wholeNumber(value), type: BIGINT });
  const ts = (name: string, value: EpochMs): Param => ({ name, value: timestamp(value), type: TIMESTAMP_MS });
  return {
    sql,
    params: [
      { name: "device_ids", value: listValue([...q.deviceIds]), type: LIST(VARCHAR) },
      { name: "fields", value: listValue([...q.fields]), type: LIST(VARCHAR) },
      ts("look_back_ts", q.from - STATE_MAX_GAP_MS),
      ts("from_ts", q.from),
      ts("to_ts", q.to),
      ms("start_ms", q.from),
      ms("end_ms", Math.min(q.to, q.now)),
      resolutionParam(TIER_MS[checkTier(q.tier)]),
    ],
  };
}

export function toDeviceStateRollup(row: Row, tier: RollupTier): DeviceStateRollup {
  return {
    tier,
    time: Number(row.t),
    deviceId: String(row.device_id),
    domain: String(row.domain),
    commune: String(row.commune),
    operatorId: String(row.operator_id),
    field: String(row.field),
    state: String(row.state),
    seconds: Number(row.seconds),
    count: Number(row.n),
  };
}

export function toGroupStateRollup(row: Row, tier: RollupTier): GroupStateRollup {
  return {
    tier,
    time: Number(row.t),
    commune: String(row.commune),
    domain: String(row.domain),
    field: String(row.field),
    state: String(row.state),
    seconds: Number(row.seconds),
    count: Number(row.n),
    devices: Number(row.devices),
  };
}

export function deviceStateRollupsQuery(q: DeviceStatesQuery): Query {
  const conditions = bucketConditions(q);
  const sql = `SELECT epoch_ms(time)::DOUBLE AS t, device_id, domain, commune, operator_id, field, state, seconds, n
    FROM rollup_device_state ${where(conditions)} ORDER BY device_id, field, state`;
  return { sql, params: paramsOf(conditions) };
}

export function groupStateRollupsQuery(q: GroupStatesQuery): Query {
  const conditions = rangeConditions(q);
  const sql = `SELECT epoch_ms(time)::DOUBLE AS t, commune, domain, field, state, seconds, n, devices
    FROM rollup_group_state ${where(conditions)} ORDER BY t, commune, domain, field, state`;
  return { sql, params: paramsOf(conditions) };
}

/** A row up to its last columns; numbers must be finite (a NaN would poison every group made from it). */
function appendStateRow(
  a: DuckDBAppender,
  seq: number,
  r: DeviceStateRollup | GroupStateRollup,
  texts: readonly string[],
): void {
  a.appendInteger(seq);
  a.appendVarchar(checkTier(r.tier));
  a.appendTimestampMilliseconds(timestamp(r.time));
  for (const text of texts) a.appendVarchar(text);
  a.appendDouble(finite(r.seconds, "seconds"));
  a.appendBigInt(wholeNumber(finite(r.count, "count")));
}

/** Runs inside the writer's open transaction (the appender joins it). */
export async function replaceDeviceStateRollups(
  writer: DuckDBConnection,
  appender: DuckDBAppender,
  rows: readonly DeviceStateRollup[],
): Promise<void> {
  for (const [seq, r] of rows.entries()) {
    appendStateRow(appender, seq, r, [r.deviceId, r.domain, r.commune, r.operatorId, r.field, r.state]);
    appender.endRow();
  }
  appender.flushSync();
  for (const sql of replaceStatements(DEVICE_STATE_TABLE, ...timeBounds(rows))) await writer.run(sql);
}

export async function replaceGroupStateRollups(
  writer: DuckDBConnection,
  appender: DuckDBAppender,
  rows: readonly GroupStateRollup[],
): Promise<void> {
  for (const [seq, r] of rows.entries()) {
    appendStateRow(appender, seq, r, [r.commune, r.domain, r.field, r.state]);
    appender.appendBigInt(wholeNumber(finite(r.devices, "devices")));
    appender.endRow();
  }
  appender.flushSync();
  for (const sql of replaceStatements(GROUP_STATE_TABLE, ...timeBounds(rows))) await writer.run(sql);
}
