import {
  BIGINT,
  type DuckDBConnection,
  DuckDBListValue,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from "@duckdb/node-api";
import { NotFoundError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import { DuckdbFile } from "../storage/duckdb/duckdb-file.ts";
import { type Condition, type Param, paramsOf, query, type Row, where } from "../storage/duckdb/sql.ts";
import {
  type CommunityQuery,
  type CommunityStore,
  checkAnswer,
  checkQuestion,
  checkReuse,
  type Question,
  type QuestionInput,
  type QuestionState,
  type Reuse,
  type ReuseDecision,
  type ReuseInput,
  type ReuseKind,
  type ReuseState,
} from "./community-store.ts";

export interface DuckdbCommunityStoreConfig {
  /** Its own database file (e.g. data/community.duckdb), apart from the other stores'; ":memory:" for tests. */
  path: string;
}

/**
 * Schema. Times are BIGINT epoch milliseconds; ids come from sequences kept in the file, so they
 * keep increasing across restarts. Only non-key columns are ever updated (state, moderation,
 * answer): DuckDB turns an update of an indexed column into a delete and an insert.
 */
const SCHEMA = [
  "CREATE SEQUENCE IF NOT EXISTS reuse_ids START 1",
  `CREATE TABLE IF NOT EXISTS reuses (
    id BIGINT PRIMARY KEY,
    title VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    datasets VARCHAR[] NOT NULL,
    kind VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    declared_at BIGINT NOT NULL,
    moderated_by VARCHAR,
    moderated_at BIGINT
  )`,
  "CREATE SEQUENCE IF NOT EXISTS question_ids START 1",
  `CREATE TABLE IF NOT EXISTS questions (
    id BIGINT PRIMARY KEY,
    dataset VARCHAR,
    text VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    asked_at BIGINT NOT NULL,
    answer VARCHAR,
    moderated_by VARCHAR,
    moderated_at BIGINT
  )`,
];

const REUSE_COLUMNS =
  "id, title, url, description, datasets, kind, state, declared_at, moderated_by, moderated_at";
const QUESTION_COLUMNS = "id, dataset, text, state, asked_at, answer, moderated_by, moderated_at";
const INSERT_REUSE = `INSERT INTO reuses (${REUSE_COLUMNS})
  VALUES (nextval('reuse_ids'), $title, $url, $description, $datasets, $kind, 'pending', $at, NULL, NULL)
  RETURNING ${REUSE_COLUMNS}`;
const MODERATE_REUSE =
  "UPDATE reuses SET state = $state, moderated_by = $by, moderated_at = $at WHERE id = $id";
const REUSE_BY_ID = `SELECT ${REUSE_COLUMNS} FROM reuses WHERE id = $id`;
const INSERT_QUESTION = `INSERT INTO questions (${QUESTION_COLUMNS})
  VALUES (nextval('question_ids'), $dataset, $text, 'pending', $at, NULL, NULL, NULL)
  RETURNING ${QUESTION_COLUMNS}`;
const MODERATE_QUESTION =
  "UPDATE questions SET state = $state, answer = $answer, moderated_by = $by, moderated_at = $at WHERE id = $id";
const QUESTION_BY_ID = `SELECT ${QUESTION_COLUMNS} FROM questions WHERE id = $id`;

/**
 * The embedded community store: DuckDB on its own file, with a write lane and a read lane as the
 * publication store has. Every value travels as a bound parameter; parameters are bound in the
 * write statements for the reason duckdb-publication-store.ts gives (one writer, prepared and
 * executed inside its own transaction), and reads run in a transaction of the read lane.
 */
class DuckdbCommunityStore implements CommunityStore {
  private readonly file: DuckdbFile;

  constructor(config: DuckdbCommunityStoreConfig) {
    this.file = new DuckdbFile(config.path, SCHEMA, "DuckdbCommunityStore");
  }

  start(): Promise<void> {
    return this.file.open();
  }

  close(): Promise<void> {
    return this.file.close();
  }

  async addReuse(input: ReuseInput, at: EpochMs): Promise<Reuse> {
    const r = checkReuse(input);
    const params = [
      text("title", r.title),
      text("url", r.url),
      text("description", r.description),
      { name: "datasets", value: listValue(r.datasets), type: LIST(VARCHAR) },
      text("kind", r.kind),
      ms("at", at),
    ];
    return this.write(async (c) => toReuse(await one(c, INSERT_REUSE, params, "reuse")));
  }

  moderateReuse(id: number, decision: ReuseDecision, by: string, at: EpochMs): Promise<Reuse> {
    return this.write(async (c) => {
      const key = ms("id", id);
      await one(c, REUSE_BY_ID, [key], `reuse ${id}`);
      await query(c, MODERATE_REUSE, [key, text("state", decision), text("by", by), ms("at", at)]);
      return toReuse(await one(c, REUSE_BY_ID, [key], `reuse ${id}`));
    });
  }

  reuses(q: CommunityQuery<ReuseState>): Promise<Reuse[]> {
    const conditions = listConditions(q, {
      sql: "list_contains(datasets, $dataset)",
      params: q.dataset === undefined ? [] : [text("dataset", q.dataset)],
    });
    const sql = `SELECT ${REUSE_COLUMNS} FROM reuses ${where(conditions)} ORDER BY id DESC LIMIT $limit`;
    const params = [...paramsOf(conditions), ms("limit", Math.max(0, q.limit))];
    return this.read(async (c) => (await query(c, sql, params)).map(toReuse));
  }

  async addQuestion(input: QuestionInput, at: EpochMs): Promise<Question> {
    const q = checkQuestion(input);
    const params = [
      { name: "dataset", value: q.dataset ?? null, type: VARCHAR },
      text("text", q.text),
      ms("at", at),
    ];
    return this.write(async (c) => toQuestion(await one(c, INSERT_QUESTION, params, "question")));
  }

  async answer(id: number, answer: { text: string; by: string }, at: EpochMs): Promise<Question> {
    const params = [
      text("state", "answered"),
      text("answer", checkAnswer(answer.text)),
      text("by", answer.by),
    ];
    return this.moderateQuestion(id, params, at);
  }

  rejectQuestion(id: number, by: string, at: EpochMs): Promise<Question> {
    const params = [
      text("state", "rejected"),
      { name: "answer", value: null, type: VARCHAR },
      text("by", by),
    ];
    return this.moderateQuestion(id, params, at);
  }

  questions(q: CommunityQuery<QuestionState>): Promise<Question[]> {
    const conditions = listConditions(q, {
      sql: "dataset = $dataset",
      params: q.dataset === undefined ? [] : [text("dataset", q.dataset)],
    });
    const sql = `SELECT ${QUESTION_COLUMNS} FROM questions ${where(conditions)} ORDER BY id DESC LIMIT $limit`;
    const params = [...paramsOf(conditions), ms("limit", Math.max(0, q.limit))];
    return this.read(async (c) => (await query(c, sql, params)).map(toQuestion));
  }

  private moderateQuestion(id: number, params: Param[], at: EpochMs): Promise<Question> {
    return this.write(async (c) => {
      const key = ms("id", id);
      await one(c, QUESTION_BY_ID, [key], `question ${id}`);
      await query(c, MODERATE_QUESTION, [key, ...params, ms("at", at)]);
      return toQuestion(await one(c, QUESTION_BY_ID, [key], `question ${id}`));
    });
  }

  private write<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.write(job);
  }

  private read<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.read(job);
  }
}

/** The state, the dataset (when asked: `byDataset`) and the cursor of a list. */
function listConditions(q: CommunityQuery<string>, byDataset: Condition): (Condition | undefined)[] {
  return [
    q.state === undefined ? undefined : { sql: "state = $state", params: [text("state", q.state)] },
    q.dataset === undefined ? undefined : byDataset,
    q.beforeId === undefined ? undefined : { sql: "id < $before_id", params: [ms("before_id", q.beforeId)] },
  ];
}

/** The one row a statement answers; ERR_NOT_FOUND (`what`) when none. */
async function one(c: DuckDBConnection, sql: string, params: readonly Param[], what: string): Promise<Row> {
  const row = (await query(c, sql, params))[0];
  if (!row) throw new NotFoundError(what);
  return row;
}

function toReuse(row: Row): Reuse {
  const reuse: Reuse = {
    id: Number(row.id),
    title: String(row.title),
    url: String(row.url),
    description: String(row.description),
    datasets: row.datasets instanceof DuckDBListValue ? row.datasets.items.map(String) : [],
    kind: String(row.kind) as ReuseKind,
    state: String(row.state) as ReuseState,
    declaredAt: Number(row.declared_at),
  };
  if (isPresent(row.moderated_at)) {
    reuse.moderation = { by: String(row.moderated_by), at: Number(row.moderated_at) };
  }
  return reuse;
}

function toQuestion(row: Row): Question {
  const question: Question = {
    id: Number(row.id),
    ...(isPresent(row.dataset) ? { dataset: String(row.dataset) } : {}),
    text: String(row.text),
    state: String(row.state) as QuestionState,
    askedAt: Number(row.asked_at),
  };
  const moderation = { by: String(row.moderated_by), at: Number(row.moderated_at) };
  if (question.state === "answered") question.answer = { text: String(row.answer), ...moderation };
  if (question.state === "rejected") question.rejection = moderation;
  return question;
}

function isPresent(value: DuckDBValue | undefined): boolean {
  return value !== null && value !== undefined;
}

function text(name: string, value: string): Param {
  return { name, value, type: VARCHAR };
}

/** Whole milliseconds (and ids, counts) as BIGINT. */
function ms(name: string, value: number): Param {
  return { name, value: BigInt(Math.floor(value)), type: BIGINT };
}

export function createDuckdbCommunityStore(config: DuckdbCommunityStoreConfig): CommunityStore {
  return new DuckdbCommunityStore(config);
}
