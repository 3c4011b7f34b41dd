import type { DuckDBConnection, DuckDBType, DuckDBValue } from "@duckdb/node-api";
import { TIMESTAMP_MS, VARCHAR } from "@duckdb/node-api";
import type { EpochMs } from "../../domain/types.ts";
import {
  cutoff,
  type PurgeResult,
  type RetentionPlan,
  type RetentionRule,
  type TierUsage,
} from "../../retention/plan.ts";
import { type Row, timestamp } from "./sql.ts";

/**
 * Retention in the DuckDB store: a purge, run by the platform at start and every hour, deletes
 * what the contracts no longer keep. Raw readings go by the contract version they were accepted
 * under (their series says it), with the `latest` values of the same series: a device silent for
 * longer than its contract's raw duration no longer shows its last values. Rollups go by domain
 * and tier. DuckDB reuses the freed blocks for new data; the file does not shrink.
 */
const DELETE_RAW = [
  `DELETE FROM readings WHERE time < $cutoff
    AND series_id IN (SELECT series_id FROM series WHERE contract = $contract)`,
  `DELETE FROM latest WHERE time < $cutoff
    AND series_id IN (SELECT series_id FROM series WHERE contract = $contract)`,
];
const ROLLUP_TABLES = ["rollup_device", "rollup_group", "rollup_device_state", "rollup_group_state"];
const DELETE_ROLLUPS = ROLLUP_TABLES.map(
  (table) => `DELETE FROM ${table} WHERE tier = $tier AND domain = $domain AND time < $cutoff`,
);

/** Runs inside the writer's transaction; the first statement's count is the rule's (readings, device rollups). */
export async function purge(
  writer: DuckDBConnection,
  plan: RetentionPlan,
  now: EpochMs,
): Promise<PurgeResult[]> {
  const results: PurgeResult[] = [];
  for (const rule of plan.rules) {
    const at = cutoff(rule, now);
    const { statements, values, types } = purgeStatements(rule, at);
    let removed = 0;
    for (const [i, sql] of statements.entries()) {
      const reader = await writer.runAndReadAll(sql, values, types);
      if (i === 0) removed = reader.rowsChanged;
    }
    results.push({ rule, cutoff: at, removed });
  }
  return results;
}

function purgeStatements(
  rule: RetentionRule,
  at: EpochMs,
): { statements: string[]; values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
  if (rule.tier === "raw") {
    return {
      statements: DELETE_RAW,
      values: { cutoff: timestamp(at), contract: rule.contract ?? "" },
      types: { cutoff: TIMESTAMP_MS, contract: VARCHAR },
    };
  }
  return {
    statements: DELETE_ROLLUPS,
    values: { cutoff: timestamp(at), tier: rule.tier, domain: rule.domain },
    types: { cutoff: TIMESTAMP_MS, tier: VARCHAR, domain: VARCHAR },
  };
}

/** Rows and oldest time per tier and domain (rollups: device and group rows, numeric and state, together). */
export const USAGE_QUERY = `
  SELECT 'raw' AS tier, s.domain, count(*) AS n, epoch_ms(min(r.time))::DOUBLE AS oldest, 'readings' AS tbl
    FROM readings r JOIN series s ON s.series_id = r.series_id GROUP BY s.domain
  UNION ALL
  SELECT tier, domain, count(*), epoch_ms(min(time))::DOUBLE, 'rollup_device' FROM rollup_device GROUP BY ALL
  UNION ALL
  SELECT tier, domain, count(*), epoch_ms(min(time))::DOUBLE, 'rollup_group' FROM rollup_group GROUP BY ALL
  UNION ALL
  SELECT tier, domain, count(*), epoch_ms(min(time))::DOUBLE, 'rollup_device_state' FROM rollup_device_state
    GROUP BY ALL
  UNION ALL
  SELECT tier, domain, count(*), epoch_ms(min(time))::DOUBLE, 'rollup_group_state' FROM rollup_group_state
    GROUP BY ALL
  ORDER BY ALL`;

/** Bytes of each table's blocks in the file (zero for what is still only in the WAL). */
export const TABLE_BYTES_QUERY = ["readings", ...ROLLUP_TABLES]
  .map(
    (
      table,
    ) => `SELECT '${table}' AS tbl, (SELECT count(DISTINCT block_id) FROM pragma_storage_info('${table}')
      WHERE block_id >= 0) * (SELECT block_size FROM pragma_database_size() LIMIT 1) AS bytes`,
  )
  .join(" UNION ALL ");

/** A table's bytes are shared among its tiers and domains by their row counts. */
export function toUsage(rows: readonly Row[], tables: readonly Row[]): TierUsage[] {
  const bytes = new Map(tables.map((t) => [String(t.tbl), Number(t.bytes ?? 0)]));
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(String(r.tbl), (totals.get(String(r.tbl)) ?? 0) + Number(r.n));
  const usage = new Map<string, TierUsage>();
  for (const r of rows) {
    const key = `${String(r.tier)}|${String(r.domain)}`;
    const u = usage.get(key) ?? {
      tier: String(r.tier) as TierUsage["tier"],
      domain: String(r.domain),
      rows: 0,
      bytes: 0,
    };
    const n = Number(r.n);
    u.rows += n;
    u.bytes =
      (u.bytes ?? 0) + Math.round(((bytes.get(String(r.tbl)) ?? 0) * n) / (totals.get(String(r.tbl)) || 1));
    const oldest = Number(r.oldest);
    if (u.oldest === undefined || oldest < u.oldest) u.oldest = oldest;
    usage.set(key, u);
  }
  return [...usage.values()];
}
