import type { DuckDBConnection } from "@duckdb/node-api";
import { InfrastructureError } from "../../domain/errors.ts";
import { ROLLUP_TABLES } from "./rollups.ts";

/**
 * The tables of the DuckDB store and the migration from the first layout. See the header of
 * duckdb-store.ts for why the text of a reading lives in dictionaries.
 */

/** How a FieldValue is kept: the type must come back exactly ("true" the string is not true). */
export const KIND_NUMBER = 0;
export const KIND_STRING = 1;
export const KIND_BOOLEAN = 2;

/**
 * Columns added to `violations` after its first layout (a new file has them from the start):
 * `id` to page through the log, from the sequence `violation_id`, and `value_json`, the dropped
 * value as JSON (a number or a string, so that its type comes back), NULL when none was kept.
 * The rows of an older file are numbered once, in table order (the order they were appended in).
 *
 * `id` has no DEFAULT on purpose, the writer gives `nextval('violation_id')` itself: DuckDB 1.5
 * cannot replay from its write-ahead log an `ADD COLUMN` whose default calls `nextval` ("no
 * default database set"), and a file whose log holds one no longer opens.
 */
const VIOLATION_COLUMNS_ADDED = [
  "ALTER TABLE violations ADD COLUMN IF NOT EXISTS id BIGINT",
  "ALTER TABLE violations ADD COLUMN IF NOT EXISTS value_json VARCHAR",
  "UPDATE violations SET id = nextval('violation_id') WHERE id IS NULL",
];

/**
 * Dictionaries first, `readings` last: a file whose `readings` has the current columns has its
 * dictionaries too (the whole schema is also created in one transaction).
 *
 * `kind` is a TINYINT rather than a marker inside `txt`: DuckDB compresses a 1-byte column that
 * barely changes to almost nothing, strings stay untouched, and numeric rows are found by
 * `num IS NOT NULL` without parsing.
 */
const TABLES = [
  `CREATE TABLE IF NOT EXISTS device_keys (
    device_key INTEGER PRIMARY KEY, device_id VARCHAR NOT NULL UNIQUE)`,
  `CREATE TABLE IF NOT EXISTS series (
    series_id INTEGER PRIMARY KEY, device_id VARCHAR NOT NULL, domain VARCHAR NOT NULL,
    commune VARCHAR NOT NULL, owner_id VARCHAR NOT NULL, operator_id VARCHAR NOT NULL,
    contract VARCHAR NOT NULL,
    UNIQUE (device_id, domain, commune, owner_id, operator_id, contract))`,
  `CREATE TABLE IF NOT EXISTS fields (field_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE)`,
  `CREATE TABLE IF NOT EXISTS latest (
    device_key INTEGER NOT NULL, field_id INTEGER NOT NULL, series_id INTEGER NOT NULL,
    time TIMESTAMP_MS NOT NULL, kind TINYINT NOT NULL, num DOUBLE, txt VARCHAR,
    PRIMARY KEY (device_key, field_id))`,
  `CREATE TABLE IF NOT EXISTS readings (
    time TIMESTAMP_MS NOT NULL, series_id INTEGER NOT NULL, field_id INTEGER NOT NULL,
    kind TINYINT NOT NULL, num DOUBLE, txt VARCHAR)`,
  "CREATE SEQUENCE IF NOT EXISTS quarantine_id START 1",
  `CREATE TABLE IF NOT EXISTS quarantine (
    id BIGINT PRIMARY KEY DEFAULT nextval('quarantine_id'), received_at TIMESTAMP_MS NOT NULL,
    operator_id VARCHAR NOT NULL, device_id VARCHAR, contract VARCHAR, source VARCHAR NOT NULL,
    raw VARCHAR NOT NULL, truncated BOOLEAN NOT NULL, reasons VARCHAR NOT NULL,
    codes VARCHAR[] NOT NULL)`,
  "CREATE SEQUENCE IF NOT EXISTS violation_id START 1",
  `CREATE TABLE IF NOT EXISTS violations (
    received_at TIMESTAMP_MS NOT NULL, time TIMESTAMP_MS NOT NULL, operator_id VARCHAR NOT NULL,
    device_id VARCHAR NOT NULL, contract VARCHAR NOT NULL, code VARCHAR NOT NULL, path VARCHAR NOT NULL,
    detail VARCHAR NOT NULL, id BIGINT, value_json VARCHAR)`,
  ...VIOLATION_COLUMNS_ADDED,
  ...ROLLUP_TABLES,
  `CREATE TABLE IF NOT EXISTS frame_counters (
    device_id VARCHAR NOT NULL, dev_addr VARCHAR NOT NULL, f_cnt BIGINT NOT NULL,
    PRIMARY KEY (device_id, dev_addr))`,
];

/**
 * The writer's staging of one transaction's changed (device, field) keys, per connection.
 * `fresh` marks keys `latest` does not hold yet (inserted rather than updated).
 */
export const LATEST_BATCH_TABLE = `CREATE TEMP TABLE latest_batch (
  device_key INTEGER NOT NULL, field_id INTEGER NOT NULL, series_id INTEGER NOT NULL,
  time TIMESTAMP_MS NOT NULL, kind TINYINT NOT NULL, num DOUBLE, txt VARCHAR, fresh BOOLEAN NOT NULL)`;

/** The writer's staging of readings that replace stored ones (last write wins), per connection. */
export const READING_REWRITES_TABLE = `CREATE TEMP TABLE reading_rewrites (
  time TIMESTAMP_MS NOT NULL, series_id INTEGER NOT NULL, field_id INTEGER NOT NULL,
  kind TINYINT NOT NULL, num DOUBLE, txt VARCHAR)`;

const CURRENT_READINGS = ["time", "series_id", "field_id", "kind", "num", "txt"];

/** The first layout (up to this change): every reading carried its text columns. */
const V1_READINGS = [
  "time",
  "device_id",
  "domain",
  "commune",
  "owner_id",
  "operator_id",
  "contract",
  "field",
  "kind",
  "num",
  "txt",
];
const V1_LATEST = [
  "device_id",
  "field",
  "time",
  "domain",
  "commune",
  "operator_id",
  "contract",
  "kind",
  "num",
  "txt",
];

/** What a file holds, from the columns of its tables. */
export type Layout = "empty" | "current" | "v1" | "unknown";

export async function detectLayout(connection: DuckDBConnection): Promise<Layout> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name, list(column_name ORDER BY column_index) AS columns FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main'
       AND table_name IN ('readings', 'latest')
     GROUP BY table_name`,
  );
  const columns = new Map<string, string>();
  for (const row of reader.getRowObjectsJson())
    columns.set(String(row.table_name), JSON.stringify(row.columns));
  const readings = columns.get("readings");
  if (readings === undefined) return "empty";
  if (readings === JSON.stringify(CURRENT_READINGS)) return "current";
  if (readings === JSON.stringify(V1_READINGS) && columns.get("latest") === JSON.stringify(V1_LATEST))
    return "v1";
  return "unknown";
}

/**
 * Creates the tables of a new file, migrates a file of the first layout, and refuses a layout
 * it does not know rather than misreading it. Runs before any other connection is opened.
 */
export async function prepareSchema(connection: DuckDBConnection): Promise<void> {
  const layout = await detectLayout(connection);
  if (layout === "unknown") {
    throw new InfrastructureError(
      "ERR_STORE_UNAVAILABLE",
      "DuckDB: the file's `readings` table has a layout this version of Lanterne does not know; " +
        "it was left untouched (open it with the version that wrote it, or export its data)",
      false,
    );
  }
  if (layout === "v1") {
    await migrateFromV1(connection);
    return;
  }
  await inTransaction(connection, async () => {
    for (const ddl of TABLES) await connection.run(ddl);
  });
}

/** The text columns of a reading that make its series. */
const SERIES_KEY = ["device_id", "domain", "commune", "owner_id", "operator_id", "contract"];

function sameColumns(left: string, right: string, columns: readonly string[]): string {
  return columns.map((c) => `${left}.${c} = ${right}.${c}`).join(" AND ");
}

/**
 * The old tables are renamed, the new ones filled from them by INSERT ... SELECT, the counts
 * compared, and the old tables dropped: all in one transaction, so a crash or a mismatch leaves
 * the file as it was. `latest` keeps the values the old `latest` held (including its choice on
 * equal times); the old `latest` had no owner, and the owner is not part of a device state, so
 * any of the device's series with the same domain, commune, operator and contract will do.
 */
const MIGRATE_FROM_V1 = [
  "ALTER TABLE readings RENAME TO readings_v1",
  "ALTER TABLE latest RENAME TO latest_v1",
  ...TABLES,
  `INSERT INTO device_keys
    SELECT (row_number() OVER (ORDER BY device_id))::INTEGER, device_id
    FROM (SELECT device_id FROM readings_v1 UNION SELECT device_id FROM latest_v1)`,
  `INSERT INTO fields
    SELECT (row_number() OVER (ORDER BY name))::INTEGER, name
    FROM (SELECT field AS name FROM readings_v1 UNION SELECT field FROM latest_v1)`,
  `INSERT INTO series
    SELECT (row_number() OVER (ORDER BY ${SERIES_KEY.join(", ")}))::INTEGER, ${SERIES_KEY.join(", ")}
    FROM (SELECT DISTINCT ${SERIES_KEY.join(", ")} FROM readings_v1)`,
  `INSERT INTO readings
    SELECT r.time, s.series_id, f.field_id, r.kind, r.num, r.txt
    FROM readings_v1 r JOIN series s ON ${sameColumns("s", "r", SERIES_KEY)}
      JOIN fields f ON f.name = r.field
    ORDER BY r.time`,
  `INSERT INTO latest
    SELECT k.device_key, f.field_id, s.series_id, l.time, l.kind, l.num, l.txt
    FROM latest_v1 l JOIN device_keys k ON k.device_id = l.device_id
      JOIN fields f ON f.name = l.field
      JOIN (SELECT device_id, domain, commune, operator_id, contract, min(series_id) AS series_id
            FROM series GROUP BY ALL) s
        ON ${sameColumns("s", "l", ["device_id", "domain", "commune", "operator_id", "contract"])}`,
];

const MIGRATION_COUNTS = `SELECT
  (SELECT count(*) FROM readings_v1) AS old_readings, (SELECT count(*) FROM readings) AS new_readings,
  (SELECT count(*) FROM latest_v1) AS old_latest, (SELECT count(*) FROM latest) AS new_latest`;

async function migrateFromV1(connection: DuckDBConnection): Promise<void> {
  await inTransaction(connection, async () => {
    for (const sql of MIGRATE_FROM_V1) await connection.run(sql);
    const [counts] = (await connection.runAndReadAll(MIGRATION_COUNTS)).getRowObjectsJson();
    if (counts?.old_readings !== counts?.new_readings || counts?.old_latest !== counts?.new_latest) {
      throw new InfrastructureError(
        "ERR_STORE_UNAVAILABLE",
        `DuckDB: migrating the file from the first layout would lose data (${JSON.stringify(counts)}); ` +
          "it was left untouched",
        false,
      );
    }
    await connection.run("DROP TABLE readings_v1");
    await connection.run("DROP TABLE latest_v1");
  });
  // Writes the migrated tables into the file now, rather than replaying the WAL at every start.
  // DuckDB does not shrink a file: the old tables' blocks are free and reused by later writes.
  await connection.run("CHECKPOINT");
}

async function inTransaction(connection: DuckDBConnection, work: () => Promise<void>): Promise<void> {
  await connection.run("BEGIN TRANSACTION");
  try {
    await work();
    await connection.run("COMMIT");
  } catch (err) {
    await connection.run("ROLLBACK").catch(() => {});
    throw err;
  }
}
