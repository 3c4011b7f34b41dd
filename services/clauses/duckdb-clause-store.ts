import {
  BIGINT,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBValue,
  VARCHAR,
} from "@duckdb/node-api";
import { type Clock, systemClock } from "../domain/clock.ts";
import { BreachNotFoundError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import { DuckdbFile } from "../storage/duckdb/duckdb-file.ts";
import { type Condition, type Param, paramsOf, query, type Row, where } from "../storage/duckdb/sql.ts";
import {
  type Breach,
  type BreachChange,
  type BreachPatch,
  breachOf,
  type ClauseStore,
  type DeliveriesBy,
  type DeliveryCount,
  type DeliveryQuery,
  type DeliveryTotals,
  type Exemption,
  type ExemptionQuery,
  exemptionMatches,
  exemptionOf,
  type NewBreach,
  type NewExemption,
  type Obligation,
  patched,
  type RefusalCount,
  type RefusalKind,
  type RefusalQuery,
  type RefusalsBy,
  type Revocation,
  revoked,
  scanPageSize,
  validateBreach,
  validateDelivery,
  validateExemption,
  validateQuery,
  validateRefusal,
} from "./clause-store.ts";

export interface DuckdbClauseStoreConfig {
  /** Its own database file (e.g. data/clauses.duckdb), apart from the other stores'; ":memory:" for tests. */
  path: string;
}

/** The histogram's columns, in LATENCY_BOUNDS_MS order: named, so that an export reads plainly. */
const HISTOGRAM = ["le_1s", "le_10s", "le_60s", "le_5min", "le_15min", "le_1h", "le_1d", "over_1d"] as const;
const DELIVERY_KEY = ["day", "operator_id", "contract", "device_id"] as const;
const DELIVERY_COUNTS = ["readings", "late", "latency_sum_ms", "latency_max_ms", ...HISTOGRAM] as const;
const DELIVERY_COLUMNS = [...DELIVERY_KEY, ...DELIVERY_COUNTS].join(", ");
const REFUSAL_KEY = ["day", "operator_id", "contract", "device_id", "kind", "code"] as const;
const REFUSAL_COLUMNS = [...REFUSAL_KEY, "count"].join(", ");

const deliveryTable = (name: string) => `${name} (
    day BIGINT NOT NULL, operator_id VARCHAR NOT NULL, contract VARCHAR NOT NULL, device_id VARCHAR NOT NULL,
    ${DELIVERY_COUNTS.map((c) => `${c} BIGINT NOT NULL`).join(", ")}
  )`;
const refusalTable = (name: string) => `${name} (
    day BIGINT NOT NULL, operator_id VARCHAR NOT NULL, contract VARCHAR NOT NULL, device_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, code VARCHAR NOT NULL, count BIGINT NOT NULL
  )`;

/**
 * Schema. Days and times are BIGINT epoch milliseconds (the port's EpochMs, round-tripped
 * exactly); FROM, TO, AT and BY are keywords, hence `from_ms`, `to_ms`, `at_ms`, `actor`.
 *
 * The ledger tables have no primary key: a year of 20,000 devices is 7.3 million rows, and an
 * index over their four text-and-number keys would live in memory (as publication-store's
 * changelog explains) for a uniqueness that the write lane already gives: one writer merges each
 * batch into the rows of its own days. Rows arrive day after day, so each row group's min/max of
 * `day` lets a merge or a range query skip the days it does not touch.
 *
 * Exemptions and breaches are small registers; lists (fields, contract ids) and a breach
 * change's patch are JSON text, read back whole. A breach's changes are their own append-only
 * table: an update writes a change, never rewrites one.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${deliveryTable("deliveries")}`,
  `CREATE TABLE IF NOT EXISTS ${refusalTable("refusals")}`,
  `CREATE TABLE IF NOT EXISTS exemptions (
    id BIGINT PRIMARY KEY, contract_id VARCHAR NOT NULL, operator_id VARCHAR, fields VARCHAR NOT NULL,
    obligation VARCHAR NOT NULL, reason VARCHAR NOT NULL, decision VARCHAR NOT NULL,
    decided_at BIGINT NOT NULL, from_ms BIGINT NOT NULL, to_ms BIGINT, created_by VARCHAR NOT NULL,
    created_at BIGINT NOT NULL, revoked_at BIGINT, revoked_by VARCHAR, revoke_reason VARCHAR
  )`,
  `CREATE TABLE IF NOT EXISTS breaches (
    id BIGINT PRIMARY KEY, aware_at BIGINT NOT NULL, description VARCHAR NOT NULL,
    contract_ids VARCHAR NOT NULL, fields VARCHAR NOT NULL, devices_affected BIGINT,
    opened_by VARCHAR NOT NULL, opened_at BIGINT NOT NULL, due_at BIGINT NOT NULL, status VARCHAR NOT NULL,
    notified_authority_at BIGINT, notified_subjects_at BIGINT, measures VARCHAR, closed_at BIGINT
  )`,
  `CREATE TABLE IF NOT EXISTS breach_changes (
    breach_id BIGINT NOT NULL, seq INTEGER NOT NULL, at_ms BIGINT NOT NULL, actor VARCHAR NOT NULL,
    patch VARCHAR NOT NULL, PRIMARY KEY (breach_id, seq)
  )`,
];

/**
 * The write connection's staging tables (TEMP: per connection, never in the file). A batch is
 * appended to `*_batch`, summed per key into `*_sum` (a key may come twice in one batch), then
 * merged. Both are emptied before COMMIT, and a ROLLBACK empties them too.
 */
const STAGING = [
  `CREATE TEMP TABLE IF NOT EXISTS ${deliveryTable("delivery_batch")}`,
  `CREATE TEMP TABLE IF NOT EXISTS ${deliveryTable("delivery_sum")}`,
  `CREATE TEMP TABLE IF NOT EXISTS ${refusalTable("refusal_batch")}`,
  `CREATE TEMP TABLE IF NOT EXISTS ${refusalTable("refusal_sum")}`,
];

const sameKey = (keys: readonly string[]) => keys.map((k) => `t.${k} = s.${k}`).join(" AND ");
/** The batch's days only: the range lets DuckDB skip the row groups of every other day. */
const BATCH_DAYS = "t.day BETWEEN $lo AND $hi";

/**
 * A merge in three statements: sum the batch per key; add it to the rows that exist (max for
 * the max); insert the keys that do not. The update runs first, so the insert's NOT EXISTS sees
 * every row the batch already had.
 */
function mergeStatements(
  table: string,
  staging: string,
  keys: readonly string[],
  adds: readonly string[],
  maxes: readonly string[],
): string[] {
  const sums = [...adds.map((c) => `sum(${c})`), ...maxes.map((c) => `max(${c})`)].join(", ");
  const set = [
    ...adds.map((c) => `${c} = t.${c} + s.${c}`),
    ...maxes.map((c) => `${c} = greatest(t.${c}, s.${c})`),
  ].join(", ");
  return [
    `INSERT INTO temp.${staging}_sum (${[...keys, ...adds, ...maxes].join(", ")})
      SELECT ${keys.join(", ")}, ${sums} FROM temp.${staging}_batch GROUP BY ${keys.join(", ")}`,
    `UPDATE ${table} AS t SET ${set} FROM temp.${staging}_sum AS s WHERE ${BATCH_DAYS} AND ${sameKey(keys)}`,
    `INSERT INTO ${table} BY NAME SELECT * FROM temp.${staging}_sum AS s
      WHERE NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE ${BATCH_DAYS} AND ${sameKey(keys)})`,
    `DELETE FROM temp.${staging}_batch`,
    `DELETE FROM temp.${staging}_sum`,
  ];
}

const MERGE_DELIVERIES = mergeStatements(
  "deliveries",
  "delivery",
  DELIVERY_KEY,
  DELIVERY_COUNTS.filter((c) => c !== "latency_max_ms"),
  ["latency_max_ms"],
);
const MERGE_REFUSALS = mergeStatements("refusals", "refusal", REFUSAL_KEY, ["count"], []);

const DELIVERY_TOTALS = [
  "sum(readings)::BIGINT AS readings",
  "sum(late)::BIGINT AS late",
  "sum(latency_sum_ms)::BIGINT AS latency_sum_ms",
  "max(latency_max_ms) AS latency_max_ms",
  ...HISTOGRAM.map((h) => `sum(${h})::BIGINT AS ${h}`),
].join(", ");
const DELIVERY_GROUPS: Record<keyof DeliveriesBy, { keys: string; extra: string }> = {
  device: { keys: "operator_id, contract, device_id", extra: "" },
  day: {
    keys: "day, operator_id, contract",
    extra: ", count(DISTINCT device_id) FILTER (WHERE readings > 0) AS devices",
  },
};
const REFUSAL_GROUPS: Record<keyof RefusalsBy, string> = {
  code: "operator_id, contract, kind, code",
  device: "operator_id, contract, device_id, kind, code",
  day: "day, operator_id, contract, kind, code",
};

const EXEMPTION_COLUMNS = `id, contract_id, operator_id, fields, obligation, reason, decision, decided_at,
  from_ms, to_ms, created_by, created_at, revoked_at, revoked_by, revoke_reason`;
const INSERT_EXEMPTION = `INSERT INTO exemptions (${EXEMPTION_COLUMNS}) VALUES ($id, $contract_id,
  $operator_id, $fields, $obligation, $reason, $decision, $decided_at, $from_ms, $to_ms, $created_by,
  $created_at, NULL, NULL, NULL)`;
const REVOKE_EXEMPTION = `UPDATE exemptions SET to_ms = $to_ms, revoked_at = $revoked_at,
  revoked_by = $revoked_by, revoke_reason = $revoke_reason WHERE id = $id`;
const BREACH_COLUMNS = `id, aware_at, description, contract_ids, fields, devices_affected, opened_by,
  opened_at, due_at, status, notified_authority_at, notified_subjects_at, measures, closed_at`;
const INSERT_BREACH = `INSERT INTO breaches (${BREACH_COLUMNS}) VALUES ($id, $aware_at, $description,
  $contract_ids, $fields, $devices_affected, $opened_by, $opened_at, $due_at, $status, NULL, NULL, NULL, NULL)`;
const UPDATE_BREACH = `UPDATE breaches SET status = $status, notified_authority_at = $notified_authority_at,
  notified_subjects_at = $notified_subjects_at, measures = $measures, closed_at = $closed_at WHERE id = $id`;
const INSERT_CHANGE = `INSERT INTO breach_changes (breach_id, seq, at_ms, actor, patch)
  VALUES ($id, $seq, $at, $by, $patch)`;

const READERS = 2;

/**
 * The embedded clause store: DuckDB on its own file. Ledger batches are appended to a staging
 * table and merged in SQL in one transaction of the write lane; reads aggregate in SQL and hand
 * back only the totals. The registers (exemptions, breaches) are read and changed through the
 * port file's rules, the same as the in-memory twin's, inside the write transaction.
 */
class DuckdbClauseStore implements ClauseStore {
  private readonly clock: Clock;
  private readonly file: DuckdbFile;

  constructor(config: DuckdbClauseStoreConfig, clock: Clock) {
    this.file = new DuckdbFile(config.path, [...SCHEMA, ...STAGING], "DuckdbClauseStore", READERS);
    this.clock = clock;
  }

  async start(): Promise<void> {
    if (this.file.isOpen) return;
    await this.file.open();
  }

  /** Waits for queued work, then releases the file so that another instance can open it. */
  async close(): Promise<void> {
    if (!this.file.isOpen) return;
    await this.file.close();
  }

  async recordDeliveries(rows: readonly DeliveryCount[]): Promise<void> {
    for (const r of rows) validateDelivery(r);
    if (rows.length === 0) return;
    await this.write(async (c) => {
      await appendAll(c, "delivery_batch", rows, appendDelivery);
      await runAll(c, MERGE_DELIVERIES, dayRange(rows));
    });
  }

  async recordRefusals(rows: readonly RefusalCount[]): Promise<void> {
    for (const r of rows) validateRefusal(r);
    if (rows.length === 0) return;
    await this.write(async (c) => {
      await appendAll(c, "refusal_batch", rows, appendRefusal);
      await runAll(c, MERGE_REFUSALS, dayRange(rows));
    });
  }

  deliveries<B extends keyof DeliveriesBy>(q: DeliveryQuery<B>): Promise<DeliveriesBy[B][]> {
    validateQuery(q, Object.keys(DELIVERY_GROUPS));
    const { keys, extra } = DELIVERY_GROUPS[q.by];
    const conditions = ledgerConditions(q);
    const sql = `SELECT ${keys}, ${DELIVERY_TOTALS}${extra} FROM deliveries ${where(conditions)}
      GROUP BY ${keys} ORDER BY ${keys}`;
    return this.read(async (c) => {
      const rows = await query(c, sql, paramsOf(conditions));
      return rows.map((r) => ({ ...groupOf(r), ...totalsOf(r) })) as unknown as DeliveriesBy[B][];
    });
  }

  refusals<B extends keyof RefusalsBy>(q: RefusalQuery<B>): Promise<RefusalsBy[B][]> {
    validateQuery(q, Object.keys(REFUSAL_GROUPS));
    const keys = REFUSAL_GROUPS[q.by];
    const conditions = ledgerConditions(q);
    const sql = `SELECT ${keys}, sum(count)::BIGINT AS count FROM refusals ${where(conditions)}
      GROUP BY ${keys} ORDER BY ${keys}`;
    return this.read(async (c) => {
      const rows = await query(c, sql, paramsOf(conditions));
      return rows.map((r) => ({ ...groupOf(r), count: Number(r.count) })) as unknown as RefusalsBy[B][];
    });
  }

  scanDeliveries(pageSize?: number): AsyncIterable<DeliveryCount[]> {
    const size = scanPageSize(pageSize);
    return this.scan("deliveries", DELIVERY_COLUMNS, DELIVERY_KEY, size, toDelivery);
  }

  scanRefusals(pageSize?: number): AsyncIterable<RefusalCount[]> {
    const size = scanPageSize(pageSize);
    return this.scan("refusals", REFUSAL_COLUMNS, REFUSAL_KEY, size, toRefusal);
  }

  async addExemption(e: NewExemption, at?: EpochMs): Promise<Exemption> {
    validateExemption(e);
    return this.write(async (c) => {
      const stored = exemptionOf(e, await nextId(c, "exemptions"), at ?? this.clock.now());
      await run(c, INSERT_EXEMPTION, [
        ms("id", stored.id),
        text("contract_id", stored.contractId),
        text("operator_id", stored.operatorId ?? null),
        text("fields", JSON.stringify(stored.fields)),
        text("obligation", stored.obligation),
        text("reason", stored.reason),
        text("decision", stored.decision),
        ms("decided_at", stored.decidedAt),
        ms("from_ms", stored.from),
        ms("to_ms", stored.to ?? null),
        text("created_by", stored.createdBy),
        ms("created_at", stored.createdAt),
      ]);
      return stored;
    });
  }

  /** The register is small (a few decisions a year): filtered with the port's own rule. */
  async listExemptions(q: ExemptionQuery = {}): Promise<Exemption[]> {
    const all = await this.read(async (c) =>
      (await query(c, `SELECT ${EXEMPTION_COLUMNS} FROM exemptions ORDER BY id`, [])).map(toExemption),
    );
    return all.filter((e) => exemptionMatches(e, q));
  }

  revokeExemption(id: number, revocation: Revocation): Promise<Exemption> {
    return this.write(async (c) => {
      const sql = `SELECT ${EXEMPTION_COLUMNS} FROM exemptions WHERE id = $id`;
      const row = (await query(c, sql, [ms("id", wholeOrZero(id))]))[0];
      const next = revoked(row ? toExemption(row) : undefined, id, revocation);
      await run(c, REVOKE_EXEMPTION, [
        ms("id", next.id),
        ms("to_ms", next.to ?? null),
        ms("revoked_at", next.revokedAt ?? null),
        text("revoked_by", next.revokedBy ?? null),
        text("revoke_reason", next.revokeReason ?? null),
      ]);
      return next;
    });
  }

  async openBreach(b: NewBreach, at?: EpochMs): Promise<Breach> {
    validateBreach(b);
    return this.write(async (c) => {
      const breach = breachOf(b, await nextId(c, "breaches"), at ?? this.clock.now());
      await run(c, INSERT_BREACH, [
        ms("id", breach.id),
        ms("aware_at", breach.awareAt),
        text("description", breach.description),
        text("contract_ids", JSON.stringify(breach.contractIds)),
        text("fields", JSON.stringify(breach.fields)),
        ms("devices_affected", breach.devicesAffected ?? null),
        text("opened_by", breach.openedBy),
        ms("opened_at", breach.openedAt),
        ms("due_at", breach.dueAt),
        text("status", breach.status),
      ]);
      return breach;
    });
  }

  updateBreach(id: number, patch: BreachPatch, by: string, at?: EpochMs): Promise<Breach> {
    return this.write(async (c) => {
      const before = (await readBreaches(c, id))[0];
      if (!before) throw new BreachNotFoundError(String(id));
      const next = patched(before, patch, by, at ?? this.clock.now());
      const change = next.history[next.history.length - 1] as BreachChange;
      await run(c, UPDATE_BREACH, [
        ms("id", id),
        text("status", next.status),
        ms("notified_authority_at", next.notifiedAuthorityAt ?? null),
        ms("notified_subjects_at", next.notifiedSubjectsAt ?? null),
        text("measures", next.measures ?? null),
        ms("closed_at", next.closedAt ?? null),
      ]);
      await run(c, INSERT_CHANGE, [
        ms("id", id),
        ms("seq", next.history.length),
        ms("at", change.at),
        text("by", change.by),
        text("patch", JSON.stringify(change.patch)),
      ]);
      return next;
    });
  }

  listBreaches(): Promise<Breach[]> {
    return this.read((c) => readBreaches(c));
  }

  async getBreach(id: number): Promise<Breach | undefined> {
    return (await this.read((c) => readBreaches(c, id)))[0];
  }

  /**
   * Keyset pages, read one day at a time: a query names its day (`day = $day`, which the row
   * groups' min/max of `day` narrow to that day's rows) and starts after the last key read in it,
   * so it sorts one day, never the rest of the year as a single keyset over all keys would
   * (measured: minutes for a year of 20,000 devices). Pages still fill across days. Each query
   * is its own read transaction: a long export holds no lane between pages, and no row comes
   * twice; a day recorded behind the cursor meanwhile is not seen.
   */
  private async *scan<T>(
    table: string,
    columns: string,
    keys: readonly string[],
    size: number,
    convert: (row: Row) => T,
  ): AsyncGenerator<T[]> {
    const inDay = keys.filter((k) => k !== "day");
    let day = await this.read((c) => nextDay(c, table, undefined));
    let last: Row | undefined;
    let page: T[] = [];
    while (day !== undefined) {
      const want = size - page.length;
      const conditions = [
        { sql: "day = $day", params: [ms("day", day)] },
        last === undefined ? undefined : afterKey(inDay, last),
      ];
      const sql = `SELECT ${columns} FROM ${table} ${where(conditions)}
        ORDER BY ${inDay.join(", ")} LIMIT $limit`;
      const params = [...paramsOf(conditions), ms("limit", want)];
      const rows = await this.read((c) => query(c, sql, params));
      for (const row of rows) page.push(convert(row));
      if (page.length === size) {
        yield page;
        page = [];
      }
      if (rows.length === want) {
        last = rows[rows.length - 1];
        continue;
      }
      const done = day;
      day = await this.read((c) => nextDay(c, table, done));
      last = undefined;
    }
    if (page.length > 0) yield page;
  }

  /** One transaction on the write lane; rolled back if the job throws. */
  private write<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.write(job);
  }

  /**
   * Reads in one transaction on a read connection: each prepare/execute pair sees one snapshot,
   * which DuckDB needs when the writer commits in between (duckdb/duckdb#23704).
   */
  private read<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.read(job);
  }
}

/**
 * Row by row into the staging table: a microsecond or two a row, a few tens of ms for 20,000,
 * small beside the merge that follows.
 */
async function appendAll<T>(
  c: DuckDBConnection,
  table: string,
  rows: readonly T[],
  append: (a: DuckDBAppender, row: T) => void,
): Promise<void> {
  const appender = await c.createAppender(table, "main", "temp");
  try {
    for (const row of rows) {
      append(appender, row);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function appendDelivery(a: DuckDBAppender, r: DeliveryCount): void {
  a.appendBigInt(BigInt(r.day));
  a.appendVarchar(r.operatorId);
  a.appendVarchar(r.contract);
  a.appendVarchar(r.deviceId);
  for (const n of [r.readings, r.late, r.latencySumMs, r.latencyMaxMs, ...r.latencyHistogram]) {
    a.appendBigInt(BigInt(n));
  }
}

function appendRefusal(a: DuckDBAppender, r: RefusalCount): void {
  a.appendBigInt(BigInt(r.day));
  for (const s of [r.operatorId, r.contract, r.deviceId, r.kind, r.code]) a.appendVarchar(s);
  a.appendBigInt(BigInt(r.count));
}

function dayRange(rows: readonly { day: EpochMs }[]): Param[] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    lo = Math.min(lo, r.day);
    hi = Math.max(hi, r.day);
  }
  return [ms("lo", lo), ms("hi", hi)];
}

/** Runs the statements in turn, each bound to the parameters it names. */
async function runAll(c: DuckDBConnection, statements: readonly string[], params: readonly Param[]) {
  for (const sql of statements) {
    await run(
      c,
      sql,
      params.filter((p) => sql.includes(`$${p.name}`)),
    );
  }
}

function ledgerConditions(q: {
  from: EpochMs;
  to: EpochMs;
  operatorId?: string;
  contractId?: string;
}): (Condition | undefined)[] {
  return [
    { sql: "day >= $from AND day < $to", params: [ms("from", q.from), ms("to", q.to)] },
    q.operatorId === undefined
      ? undefined
      : { sql: "operator_id = $operator_id", params: [text("operator_id", q.operatorId)] },
    // The part before the first "@", as contractIdOf: every version of the contract.
    q.contractId === undefined
      ? undefined
      : { sql: "split_part(contract, '@', 1) = $contract_id", params: [text("contract_id", q.contractId)] },
  ];
}

/** Rows after `last` in the order of `keys` (text columns): (k0 > v0) OR (k0 = v0 AND (k1 > v1 OR ...)). */
function afterKey(keys: readonly string[], last: Row): Condition {
  const params = keys.map((k, i) => text(`k${i}`, String(last[k])));
  let sql = "";
  for (let i = keys.length - 1; i >= 0; i--) {
    const greater = `${keys[i]} > $k${i}`;
    sql = sql === "" ? greater : `(${greater} OR (${keys[i]} = $k${i} AND ${sql}))`;
  }
  return { sql, params };
}

/** The first day recorded after `after` (the first of all when undefined). */
async function nextDay(
  c: DuckDBConnection,
  table: string,
  after: EpochMs | undefined,
): Promise<EpochMs | undefined> {
  const params = after === undefined ? [] : [ms("after", after)];
  const sql = `SELECT min(day) AS day FROM ${table} ${after === undefined ? "" : "WHERE day > $after"}`;
  const day = (await query(c, sql, params))[0]?.day;
  return isPresent(day) ? Number(day) : undefined;
}

/** The grouping keys a row of deliveries() or refusals() carries, in the port's names. */
function groupOf(r: Row): Record<string, string | number> {
  const group: Record<string, string | number> = {};
  if (r.day !== undefined) group.day = Number(r.day);
  group.operatorId = String(r.operator_id);
  group.contract = String(r.contract);
  if (r.device_id !== undefined) group.deviceId = String(r.device_id);
  if (r.kind !== undefined) group.kind = String(r.kind);
  if (r.code !== undefined) group.code = String(r.code);
  if (r.devices !== undefined) group.devices = Number(r.devices);
  return group;
}

function totalsOf(r: Row): DeliveryTotals {
  return {
    readings: Number(r.readings),
    late: Number(r.late),
    latencySumMs: Number(r.latency_sum_ms),
    latencyMaxMs: Number(r.latency_max_ms),
    latencyHistogram: HISTOGRAM.map((h) => Number(r[h])),
  };
}

function toDelivery(r: Row): DeliveryCount {
  return {
    day: Number(r.day),
    operatorId: String(r.operator_id),
    contract: String(r.contract),
    deviceId: String(r.device_id),
    ...totalsOf(r),
  };
}

function toRefusal(r: Row): RefusalCount {
  return {
    day: Number(r.day),
    operatorId: String(r.operator_id),
    contract: String(r.contract),
    deviceId: String(r.device_id),
    kind: String(r.kind) as RefusalKind,
    code: String(r.code),
    count: Number(r.count),
  };
}

function toExemption(r: Row): Exemption {
  const e: Exemption = {
    id: Number(r.id),
    contractId: String(r.contract_id),
    fields: JSON.parse(String(r.fields)) as string[],
    obligation: String(r.obligation) as Obligation,
    reason: String(r.reason),
    decision: String(r.decision),
    decidedAt: Number(r.decided_at),
    from: Number(r.from_ms),
    createdBy: String(r.created_by),
    createdAt: Number(r.created_at),
  };
  if (isPresent(r.operator_id)) e.operatorId = String(r.operator_id);
  if (isPresent(r.to_ms)) e.to = Number(r.to_ms);
  if (isPresent(r.revoked_at)) e.revokedAt = Number(r.revoked_at);
  if (isPresent(r.revoked_by)) e.revokedBy = String(r.revoked_by);
  if (isPresent(r.revoke_reason)) e.revokeReason = String(r.revoke_reason);
  return e;
}

/** Breaches with their changes, by id; only `id` when given. */
async function readBreaches(c: DuckDBConnection, id?: number): Promise<Breach[]> {
  const one = id !== undefined;
  const params = one ? [ms("id", wholeOrZero(id))] : [];
  const rows = await query(
    c,
    `SELECT ${BREACH_COLUMNS} FROM breaches ${one ? "WHERE id = $id" : ""} ORDER BY id`,
    params,
  );
  const changes = await query(
    c,
    `SELECT breach_id, at_ms, actor, patch FROM breach_changes ${one ? "WHERE breach_id = $id" : ""}
      ORDER BY breach_id, seq`,
    params,
  );
  const history = new Map<number, BreachChange[]>();
  for (const ch of changes) {
    const list = history.get(Number(ch.breach_id)) ?? [];
    list.push({ at: Number(ch.at_ms), by: String(ch.actor), patch: JSON.parse(String(ch.patch)) });
    history.set(Number(ch.breach_id), list);
  }
  return rows.map((r) => toBreach(r, history.get(Number(r.id)) ?? []));
}

function toBreach(r: Row, history: BreachChange[]): Breach {
  const b: Breach = {
    id: Number(r.id),
    awareAt: Number(r.aware_at),
    description: String(r.description),
    contractIds: JSON.parse(String(r.contract_ids)) as string[],
    fields: JSON.parse(String(r.fields)) as string[],
    openedBy: String(r.opened_by),
    openedAt: Number(r.opened_at),
    dueAt: Number(r.due_at),
    status: String(r.status) as Breach["status"],
    history,
  };
  if (isPresent(r.devices_affected)) b.devicesAffected = Number(r.devices_affected);
  if (isPresent(r.notified_authority_at)) b.notifiedAuthorityAt = Number(r.notified_authority_at);
  if (isPresent(r.notified_subjects_at)) b.notifiedSubjectsAt = Number(r.notified_subjects_at);
  if (isPresent(r.measures)) b.measures = String(r.measures);
  if (isPresent(r.closed_at)) b.closedAt = Number(r.closed_at);
  return b;
}

/** Ids continue the register's: the write lane is its only writer, so max(id) cannot move. */
async function nextId(c: DuckDBConnection, table: string): Promise<number> {
  const rows = await query(c, `SELECT coalesce(max(id), 0) + 1 AS id FROM ${table}`, []);
  return Number(rows[0]?.id ?? 1);
}

/** An id that is not a whole number names no row (0 is never an id). */
function wholeOrZero(id: number): number {
  return Number.isSafeInteger(id) ? id : 0;
}

async function run(c: DuckDBConnection, sql: string, params: readonly Param[]): Promise<void> {
  const values: Record<string, DuckDBValue> = {};
  for (const p of params) values[p.name] = p.value;
  const types = Object.fromEntries(params.flatMap((p) => (p.type ? [[p.name, p.type]] : [])));
  await c.run(sql, values, types);
}

function isPresent(value: DuckDBValue | undefined): boolean {
  return value !== null && value !== undefined;
}

function text(name: string, value: string | null): Param {
  return { name, value, type: VARCHAR };
}

/** Whole milliseconds (and counts) as BIGINT; null stays NULL. */
function ms(name: string, value: number | null): Param {
  return { name, value: value === null ? null : BigInt(Math.floor(value)), type: BIGINT };
}

export function createDuckdbClauseStore(
  config: DuckdbClauseStoreConfig,
  clock: Clock = systemClock,
): ClauseStore {
  return new DuckdbClauseStore(config, clock);
}
