import {
  BIGINT,
  type DuckDBConnection,
  DuckDBListValue,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from "@duckdb/node-api";
import { ReplayRecordedError } from "../domain/errors.ts";
import type { EpochMs, Violation } from "../domain/types.ts";
import { DuckdbFile } from "../storage/duckdb/duckdb-file.ts";
import { type Condition, type Param, paramsOf, query, type Row, where } from "../storage/duckdb/sql.ts";
import type { ReplayedFilter, ReplayLog, ReplayOutcome, ReplayQuery, ReplayTrace } from "./replay-log.ts";

export interface DuckdbReplayLogConfig {
  /** Its own database file (e.g. data/replays.duckdb), apart from the other stores'; ":memory:" for tests. */
  path: string;
}

/**
 * Schema. Times are BIGINT epoch milliseconds; trace ids come from a sequence kept in the file.
 * The primary key on the quarantine id is the database's own guard of one trace per entry; rows
 * are never updated, only deleted by the quarantine's retention.
 */
const SCHEMA = [
  "CREATE SEQUENCE IF NOT EXISTS replay_ids START 1",
  `CREATE TABLE IF NOT EXISTS replays (
    quarantine_id BIGINT PRIMARY KEY,
    id BIGINT NOT NULL,
    replayed_at BIGINT NOT NULL,
    replayed_by VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    reasons VARCHAR NOT NULL,
    contract VARCHAR,
    new_quarantine_ids BIGINT[] NOT NULL,
    operator_id VARCHAR NOT NULL,
    device_id VARCHAR,
    received_at BIGINT NOT NULL,
    codes VARCHAR[] NOT NULL
  )`,
];

const COLUMNS = `quarantine_id, id, replayed_at, replayed_by, role, outcome, reasons, contract,
  new_quarantine_ids, operator_id, device_id, received_at, codes`;
const INSERT = `INSERT INTO replays (${COLUMNS}) VALUES ($quarantine_id, nextval('replay_ids'), $replayed_at,
  $replayed_by, $role, $outcome, $reasons, $contract, $new_ids, $operator_id, $device_id, $received_at, $codes)`;
const ALREADY = "SELECT quarantine_id FROM replays WHERE list_contains($ids, quarantine_id) LIMIT 1";
const BY_IDS = `SELECT ${COLUMNS} FROM replays WHERE list_contains($ids, quarantine_id)`;
const DELETE_BEFORE = "DELETE FROM replays WHERE received_at < $cutoff";

/**
 * The embedded replay log: DuckDB on its own file, a write lane and a read lane as the community
 * store has; every value a bound parameter, reads in a transaction of the read lane.
 */
class DuckdbReplayLog implements ReplayLog {
  private readonly file: DuckdbFile;

  constructor(config: DuckdbReplayLogConfig) {
    this.file = new DuckdbFile(config.path, SCHEMA, "DuckdbReplayLog");
  }

  start(): Promise<void> {
    return this.file.open();
  }

  close(): Promise<void> {
    return this.file.close();
  }

  record(traces: readonly ReplayTrace[]): Promise<void> {
    if (traces.length === 0) return Promise.resolve();
    const ids = traces.map((t) => t.quarantineId);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice !== undefined) return Promise.reject(new ReplayRecordedError(twice));
    return this.write(async (c) => {
      const [found] = await query(c, ALREADY, [idList(ids)]);
      if (found) throw new ReplayRecordedError(Number(found.quarantine_id));
      for (const t of traces) await query(c, INSERT, traceParams(t));
    });
  }

  async replayedIds(ids: readonly number[]): Promise<Map<number, ReplayTrace>> {
    if (ids.length === 0) return new Map();
    const rows = await this.read((c) => query(c, BY_IDS, [idList(ids)]));
    return new Map(rows.map((r) => [Number(r.quarantine_id), toTrace(r)]));
  }

  list(q: ReplayQuery): Promise<ReplayTrace[]> {
    const conditions: (Condition | undefined)[] = [
      q.operatorId === undefined
        ? undefined
        : cond("operator_id = $operator_id", text("operator_id", q.operatorId)),
      q.from === undefined ? undefined : cond("replayed_at >= $from_ms", num("from_ms", q.from)),
      q.to === undefined ? undefined : cond("replayed_at < $to_ms", num("to_ms", q.to)),
      q.beforeId === undefined ? undefined : cond("id < $before_id", num("before_id", q.beforeId)),
    ];
    const sql = `SELECT ${COLUMNS} FROM replays ${where(conditions)} ORDER BY id DESC LIMIT $limit`;
    const params = [...paramsOf(conditions), num("limit", Math.max(0, q.limit))];
    return this.read(async (c) => (await query(c, sql, params)).map(toTrace));
  }

  countReplayed(f: ReplayedFilter): Promise<number> {
    const conditions = replayedConditions(f);
    const sql = `SELECT count(*) AS n FROM replays ${where(conditions)}`;
    return this.read(async (c) => Number((await query(c, sql, paramsOf(conditions)))[0]?.n ?? 0));
  }

  deleteBefore(time: EpochMs): Promise<number> {
    return this.write(async (c) => {
      const reader = await c.runAndReadAll(DELETE_BEFORE, { cutoff: whole(time) }, { cutoff: BIGINT });
      return reader.rowsChanged;
    });
  }

  private write<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.write(job);
  }

  private read<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.read(job);
  }
}

/** The quarantine's filter, on the entry's own fields as the trace keeps them. */
function replayedConditions(f: ReplayedFilter): (Condition | undefined)[] {
  return [
    f.operatorId === undefined
      ? undefined
      : cond("operator_id = $operator_id", text("operator_id", f.operatorId)),
    f.deviceId === undefined ? undefined : cond("device_id = $device_id", text("device_id", f.deviceId)),
    f.code === undefined ? undefined : cond("list_contains(codes, $code)", text("code", f.code)),
    f.from === undefined ? undefined : cond("received_at >= $from_ms", num("from_ms", f.from)),
    f.to === undefined ? undefined : cond("received_at < $to_ms", num("to_ms", f.to)),
  ];
}

function traceParams(t: ReplayTrace): Param[] {
  return [
    num("quarantine_id", t.quarantineId),
    num("replayed_at", t.replayedAt),
    text("replayed_by", t.replayedBy),
    text("role", t.role),
    text("outcome", t.outcome),
    text("reasons", JSON.stringify(t.reasons)),
    { name: "contract", value: t.contract ?? null, type: VARCHAR },
    idList(t.newQuarantineIds, "new_ids"),
    text("operator_id", t.entry.operatorId),
    { name: "device_id", value: t.entry.deviceId ?? null, type: VARCHAR },
    num("received_at", t.entry.receivedAt),
    { name: "codes", value: listValue([...t.entry.codes]), type: LIST(VARCHAR) },
  ];
}

function toTrace(row: Row): ReplayTrace {
  const deviceId = present(row.device_id) ? String(row.device_id) : undefined;
  const contract = present(row.contract) ? String(row.contract) : undefined;
  return {
    id: Number(row.id),
    quarantineId: Number(row.quarantine_id),
    replayedAt: Number(row.replayed_at),
    replayedBy: String(row.replayed_by),
    role: String(row.role),
    outcome: String(row.outcome) as ReplayOutcome,
    reasons: JSON.parse(String(row.reasons)) as Violation[],
    ...(contract !== undefined ? { contract } : {}),
    newQuarantineIds: listOf(row.new_quarantine_ids).map(Number),
    entry: {
      operatorId: String(row.operator_id),
      ...(deviceId !== undefined ? { deviceId } : {}),
      receivedAt: Number(row.received_at),
      codes: listOf(row.codes).map(String),
    },
  };
}

function listOf(value: DuckDBValue | undefined): readonly DuckDBValue[] {
  return value instanceof DuckDBListValue ? value.items : [];
}

function present(value: DuckDBValue | undefined): boolean {
  return value !== null && value !== undefined;
}

function cond(sql: string, param: Param): Condition {
  return { sql, params: [param] };
}

function text(name: string, value: string): Param {
  return { name, value, type: VARCHAR };
}

function whole(value: number): bigint {
  return BigInt(Math.floor(value));
}

function num(name: string, value: number): Param {
  return { name, value: whole(value), type: BIGINT };
}

function idList(ids: readonly number[], name = "ids"): Param {
  return { name, value: listValue(ids.map(whole)), type: LIST(BIGINT) };
}

export function createDuckdbReplayLog(config: DuckdbReplayLogConfig): ReplayLog {
  return new DuckdbReplayLog(config);
}
