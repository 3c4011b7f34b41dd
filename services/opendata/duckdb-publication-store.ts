import {
  BIGINT,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBValue,
  VARCHAR,
} from "@duckdb/node-api";
import type { EpochMs } from "../domain/types.ts";
import { DuckdbFile } from "../storage/duckdb/duckdb-file.ts";
import {
  type Condition,
  inList,
  type Param,
  paramsOf,
  query,
  type Row,
  where,
} from "../storage/duckdb/sql.ts";
import {
  type Approval,
  type ComputedFigure,
  type DatasetSummary,
  FIRST_PUBLICATION,
  type FigureQuery,
  type FigureStatus,
  type FigureVersion,
  type PublicationStore,
  type PublishedFigure,
} from "./publication-store.ts";

export interface DuckdbPublicationStoreConfig {
  /** Its own database file (e.g. data/opendata.duckdb), apart from the other stores'; ":memory:" for tests. */
  path: string;
}

/** The reason of every version 1, whatever the release says (the port's rule). */

/**
 * Schema. Times and periods are BIGINT epoch milliseconds (the port's EpochMs, round-tripped
 * exactly); AT and BY are DuckDB keywords, hence `at_ms` and `actor`.
 *
 * `figure_versions` is the changelog: every version ever written, never updated nor deleted.
 * `current_figures` holds the newest version of each (dataset, period, place), written in the
 * same transaction as the version: figures() then reads one row per figure instead of picking
 * max(version) out of the whole history, which grows with every revision. Its primary key is the
 * figure, and only non-key columns are ever updated (DuckDB turns an update of an indexed column
 * into a delete and an insert). That key is the database's own guard of one current version per
 * figure; the write lane is what keeps versions consecutive. The changelog has no such index on
 * (dataset, period, place, version): it costs an index insert of text keys per version and grows
 * in memory with every version ever written, for a guarantee that versions already draw from
 * `current_figures` in the same transaction.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS figure_versions (
    id BIGINT PRIMARY KEY,
    dataset VARCHAR NOT NULL,
    period BIGINT NOT NULL,
    place VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    value DOUBLE,
    devices INTEGER,
    status VARCHAR NOT NULL,
    published_at BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    previous_value DOUBLE,
    previous_devices INTEGER,
    previous_status VARCHAR
  )`,
  `CREATE TABLE IF NOT EXISTS current_figures (
    dataset VARCHAR NOT NULL,
    period BIGINT NOT NULL,
    place VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    value DOUBLE,
    devices INTEGER,
    status VARCHAR NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (dataset, period, place)
  )`,
  "CREATE SEQUENCE IF NOT EXISTS approval_ids START 1",
  `CREATE TABLE IF NOT EXISTS approvals (
    id BIGINT PRIMARY KEY,
    dataset VARCHAR NOT NULL,
    definition VARCHAR NOT NULL,
    actor VARCHAR NOT NULL,
    at_ms BIGINT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS downloads (
    dataset VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (dataset, format)
  )`,
];

/**
 * The write connection's own staging tables (TEMP: per connection, never in the file). A release
 * is appended to `figure_batch`; `figure_changes` keeps the figures that differ from their
 * current version, already numbered. Both are emptied before COMMIT, and a ROLLBACK empties them
 * too (temp tables are transactional).
 */
const STAGING = [
  `CREATE TEMP TABLE IF NOT EXISTS figure_batch (
    seq INTEGER, period BIGINT, place VARCHAR, value DOUBLE, devices INTEGER, status VARCHAR
  )`,
  `CREATE TEMP TABLE IF NOT EXISTS figure_changes (
    id BIGINT, period BIGINT, place VARCHAR, version INTEGER, value DOUBLE, devices INTEGER,
    status VARCHAR, previous_value DOUBLE, previous_devices INTEGER, previous_status VARCHAR, fresh BOOLEAN
  )`,
];

/**
 * The diff, in one statement. A figure given twice in a release counts once, as its last
 * occurrence (QUALIFY). Value, devices and status all count: IS DISTINCT FROM compares exactly
 * and takes NULL as equal to NULL. Ids continue the store's: the write lane is the only writer, so
 * max(id) cannot move before COMMIT, and row_number() (computed after WHERE) numbers only the
 * changes, in the release's order.
 */
const STAGE_CHANGES = `INSERT INTO temp.figure_changes
  SELECT (SELECT coalesce(max(id), 0) FROM figure_versions) + row_number() OVER (ORDER BY b.seq),
    b.period, b.place, coalesce(c.version, 0) + 1, b.value, b.devices, b.status,
    c.value, c.devices, c.status, c.version IS NULL
  FROM (
    SELECT * FROM temp.figure_batch
    QUALIFY row_number() OVER (PARTITION BY period, place ORDER BY seq DESC) = 1
  ) b
  LEFT JOIN current_figures c ON c.dataset = $dataset AND c.period = b.period AND c.place = b.place
  WHERE c.version IS NULL OR c.value IS DISTINCT FROM b.value OR c.devices IS DISTINCT FROM b.devices
    OR c.status IS DISTINCT FROM b.status`;
const INSERT_VERSIONS = `INSERT INTO figure_versions
  SELECT id, $dataset, period, place, version, value, devices, status, $at,
    CASE WHEN fresh THEN $first ELSE $reason END, previous_value, previous_devices, previous_status
  FROM temp.figure_changes`;
const UPDATE_CURRENT = `UPDATE current_figures c
  SET version = ch.version, value = ch.value, devices = ch.devices, status = ch.status, published_at = $at
  FROM temp.figure_changes ch
  WHERE NOT ch.fresh AND c.dataset = $dataset AND c.period = ch.period AND c.place = ch.place`;
const INSERT_CURRENT = `INSERT INTO current_figures
  SELECT $dataset, period, place, version, value, devices, status, $at FROM temp.figure_changes WHERE fresh`;
const CHANGES = `SELECT id, period, place, version, value, devices, status, previous_value,
  previous_devices, previous_status, fresh FROM temp.figure_changes ORDER BY id`;
const CLEAR_STAGING = ["DELETE FROM temp.figure_batch", "DELETE FROM temp.figure_changes"];

const CURRENT_COLUMNS = "dataset, period, place, version, value, devices, status, published_at";
const VERSION_COLUMNS = `${CURRENT_COLUMNS}, id, reason, previous_value, previous_devices, previous_status`;
const SUMMARY = `SELECT count(*) AS figures, min(period) AS first, max(period) AS last,
  max(published_at) AS modified, coalesce(sum(version - 1), 0) AS revisions
  FROM current_figures WHERE dataset = $dataset`;
const INSERT_APPROVAL = `INSERT INTO approvals (id, dataset, definition, actor, at_ms)
  VALUES (nextval('approval_ids'), $dataset, $definition, $by, $at)`;
/** Newest by `at`; of two at the same instant, the one approved last. */
const NEWEST_APPROVAL = `SELECT dataset, definition, actor, at_ms FROM approvals
  WHERE dataset = $dataset ORDER BY at_ms DESC, id DESC LIMIT 1`;
const ADD_DOWNLOADS = `INSERT INTO downloads (dataset, format, total) VALUES ($dataset, $format, $n)
  ON CONFLICT (dataset, format) DO UPDATE SET total = total + excluded.total`;
const DOWNLOADS = "SELECT format, total FROM downloads WHERE dataset = $dataset ORDER BY format";

/** Read connections: the public channel's requests spread over them. */
const READERS = 4;
/** Download counts are written at most this often, added up in memory between. */
const DOWNLOADS_FLUSH_MS = 5_000;

/**
 * The embedded publication store: DuckDB on its own file. A release is recorded in one
 * transaction of the write lane: appended to a staging table, compared with the current versions
 * in SQL, and only the differences written to the changelog and to `current_figures`. Serializing
 * writes on one connection is what makes two concurrent releases of a dataset number their
 * versions one after the other, never twice the same nor with a gap.
 *
 * Parameters are bound in the write statements although services/storage/duckdb/sql.ts warns
 * about prepared plans (duckdb/duckdb#23704): that hazard is another connection committing
 * between prepare and execute, and here the one writer prepares and executes inside its own
 * transaction.
 */
class DuckdbPublicationStore implements PublicationStore {
  private readonly file: DuckdbFile;
  /**
   * Summaries and newest approvals, kept as the store's only writer leaves them: the public
   * channel asks for them on every request (its ETag), and a summary scans the dataset's figures.
   */
  private readonly summaries = new Map<string, DatasetSummary>();
  private readonly approvals = new Map<string, Approval | null>();
  /** Bumped by each committed write of a dataset: a read begun before it is not kept. */
  private readonly generations = new Map<string, number>();
  /** Downloads counted since the last flush, by dataset then format. */
  private pendingDownloads = new Map<string, Map<string, number>>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(config: DuckdbPublicationStoreConfig) {
    this.file = new DuckdbFile(config.path, [...SCHEMA, ...STAGING], "DuckdbPublicationStore", READERS);
  }

  async start(): Promise<void> {
    if (this.file.isOpen) return;
    await this.file.open();
    this.flushTimer = setInterval(
      // A failed flush puts its counts back (flushDownloads): the next beat or close writes them.
      () => void this.flushDownloads().catch(() => undefined),
      DOWNLOADS_FLUSH_MS,
    );
    this.flushTimer.unref();
  }

  /** Waits for queued work, then releases the file so that another instance can open it. */
  async close(): Promise<void> {
    if (!this.file.isOpen) return;
    clearInterval(this.flushTimer);
    await this.flushDownloads();
    await this.file.close();
    this.summaries.clear();
    this.approvals.clear();
  }

  record(
    dataset: string,
    figures: readonly ComputedFigure[],
    reason: string,
    at: EpochMs,
  ): Promise<FigureVersion[]> {
    if (figures.length === 0) return Promise.resolve([]);
    return this.afterWrite(
      dataset,
      this.write(async (c) => {
        const appender = await c.createAppender("figure_batch", "main", "temp");
        try {
          appendFigures(appender, figures);
        } finally {
          appender.closeSync();
        }
        const named = text("dataset", dataset);
        const release = [named, ms("at", at)];
        await run(c, STAGE_CHANGES, [named]);
        await run(c, INSERT_VERSIONS, [...release, text("first", FIRST_PUBLICATION), text("reason", reason)]);
        await run(c, UPDATE_CURRENT, release);
        await run(c, INSERT_CURRENT, release);
        const changes = await query(c, CHANGES, []);
        for (const statement of CLEAR_STAGING) await c.run(statement);
        return changes.map((row) => writtenVersion(row, dataset, reason, at));
      }),
    );
  }

  figures(q: FigureQuery): Promise<PublishedFigure[]> {
    const conditions = figureConditions(q);
    const sql = `SELECT ${CURRENT_COLUMNS} FROM current_figures ${where(conditions)}
      ORDER BY period, place LIMIT $limit OFFSET $offset`;
    const paging = [ms("limit", Math.max(0, q.limit)), ms("offset", Math.max(0, q.offset ?? 0))];
    return this.read(async (c) =>
      (await query(c, sql, [...paramsOf(conditions), ...paging])).map(toPublished),
    );
  }

  countFigures(q: Omit<FigureQuery, "limit" | "offset">): Promise<number> {
    const conditions = figureConditions(q);
    const sql = `SELECT count(*) AS n FROM current_figures ${where(conditions)}`;
    return this.read(async (c) => Number((await query(c, sql, paramsOf(conditions)))[0]?.n ?? 0));
  }

  changelog(dataset: string, limit: number, beforeId?: number): Promise<FigureVersion[]> {
    const conditions: (Condition | undefined)[] = [
      { sql: "dataset = $dataset", params: [text("dataset", dataset)] },
      beforeId === undefined ? undefined : { sql: "id < $before_id", params: [ms("before_id", beforeId)] },
    ];
    const sql = `SELECT ${VERSION_COLUMNS} FROM figure_versions ${where(conditions)}
      ORDER BY id DESC LIMIT $limit`;
    const params = [...paramsOf(conditions), ms("limit", Math.max(0, limit))];
    return this.read(async (c) => (await query(c, sql, params)).map(toVersion));
  }

  async summary(dataset: string): Promise<DatasetSummary> {
    const held = this.summaries.get(dataset);
    if (held) return { ...held };
    const generation = this.generation(dataset);
    const summary = await this.readSummary(dataset);
    // Kept only if no write of the dataset committed while it was read.
    if (generation === this.generation(dataset)) this.summaries.set(dataset, summary);
    return { ...summary };
  }

  private generation(dataset: string): number {
    return this.generations.get(dataset) ?? 0;
  }

  /** Once a write of the dataset has committed, what is held of it is read again. */
  private async afterWrite<T>(dataset: string, written: Promise<T>): Promise<T> {
    try {
      return await written;
    } finally {
      this.generations.set(dataset, this.generation(dataset) + 1);
      this.summaries.delete(dataset);
      this.approvals.delete(dataset);
    }
  }

  private readSummary(dataset: string): Promise<DatasetSummary> {
    return this.read(async (c) => {
      const row = (await query(c, SUMMARY, [text("dataset", dataset)]))[0] ?? {};
      const summary: DatasetSummary = {
        dataset,
        figures: Number(row.figures ?? 0),
        revisions: Number(row.revisions ?? 0),
      };
      if (isPresent(row.first)) summary.first = Number(row.first);
      if (isPresent(row.last)) summary.last = Number(row.last);
      if (isPresent(row.modified)) summary.modified = Number(row.modified);
      return summary;
    });
  }

  async approve(approval: Approval): Promise<void> {
    const params = [
      text("dataset", approval.dataset),
      text("definition", approval.definition),
      text("by", approval.by),
      ms("at", approval.at),
    ];
    await this.afterWrite(
      approval.dataset,
      this.write((c) => run(c, INSERT_APPROVAL, params)),
    );
  }

  async approval(dataset: string): Promise<Approval | undefined> {
    const held = this.approvals.get(dataset);
    if (held !== undefined) return held ?? undefined;
    const generation = this.generation(dataset);
    const found = await this.read(async (c) => {
      const row = (await query(c, NEWEST_APPROVAL, [text("dataset", dataset)]))[0];
      if (!row) return undefined;
      return { dataset, definition: String(row.definition), by: String(row.actor), at: Number(row.at_ms) };
    });
    if (generation === this.generation(dataset)) this.approvals.set(dataset, found ?? null);
    return found;
  }

  /** Counted in memory, written every few seconds and at close: a download never waits on a write. */
  async countDownload(dataset: string, format: string): Promise<void> {
    this.file.started();
    this.addDownloads(dataset, format, 1);
  }

  async downloads(dataset: string): Promise<Record<string, number>> {
    const stored = await this.read(async (c) => {
      const rows = await query(c, DOWNLOADS, [text("dataset", dataset)]);
      return Object.fromEntries(rows.map((r) => [String(r.format), Number(r.total)])) as Record<
        string,
        number
      >;
    });
    for (const [format, n] of this.pendingDownloads.get(dataset) ?? [])
      stored[format] = (stored[format] ?? 0) + n;
    return stored;
  }

  private async flushDownloads(): Promise<void> {
    if (this.pendingDownloads.size === 0 || !this.file.isOpen) return;
    const pending = this.pendingDownloads;
    this.pendingDownloads = new Map();
    try {
      await this.write(async (c) => {
        for (const [dataset, formats] of pending) {
          for (const [format, n] of formats) {
            await run(c, ADD_DOWNLOADS, [text("dataset", dataset), text("format", format), ms("n", n)]);
          }
        }
      });
    } catch (err) {
      // The transaction rolled back: the counts go back to memory, for the next flush or close.
      for (const [dataset, formats] of pending) {
        for (const [format, n] of formats) this.addDownloads(dataset, format, n);
      }
      throw err;
    }
  }

  private addDownloads(dataset: string, format: string, n: number): void {
    const formats = this.pendingDownloads.get(dataset) ?? new Map<string, number>();
    formats.set(format, (formats.get(format) ?? 0) + n);
    this.pendingDownloads.set(dataset, formats);
  }

  /** One transaction on the write lane; rolled back if the job throws. */
  private write<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.write(job);
  }

  /**
   * Reads in one transaction on the read connection, as readSnapshot of
   * services/storage/duckdb/sql.ts does: each prepare/execute pair sees one snapshot, which
   * DuckDB needs when the writer commits in between (duckdb/duckdb#23704).
   */
  private read<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.file.read(job);
  }
}

/**
 * Row by row into the staging table: about a microsecond a figure, a few tens of ms for 20,000,
 * small beside the statements that follow, so the column-wise chunks of duckdb/chunks.ts would
 * buy little here.
 */
function appendFigures(appender: DuckDBAppender, figures: readonly ComputedFigure[]): void {
  figures.forEach((f, seq) => {
    appender.appendInteger(seq);
    appender.appendBigInt(BigInt(Math.floor(f.period)));
    appender.appendVarchar(f.place);
    if (f.value === null) appender.appendNull();
    else appender.appendDouble(f.value);
    if (f.devices === null) appender.appendNull();
    else appender.appendInteger(f.devices);
    appender.appendVarchar(f.status);
    appender.endRow();
  });
  appender.flushSync();
}

/** The figures a query selects: its dataset, [from, to) and places (an empty list selects none). */
function figureConditions(q: Omit<FigureQuery, "limit" | "offset">): (Condition | undefined)[] {
  return [
    { sql: "dataset = $dataset", params: [text("dataset", q.dataset)] },
    q.from === undefined ? undefined : { sql: "period >= $from", params: [ms("from", q.from)] },
    q.to === undefined ? undefined : { sql: "period < $to", params: [ms("to", q.to)] },
    inList("place", "places", q.places),
  ];
}

async function run(c: DuckDBConnection, sql: string, params: readonly Param[]): Promise<void> {
  const values: Record<string, DuckDBValue> = {};
  for (const p of params) values[p.name] = p.value;
  const types = Object.fromEntries(params.flatMap((p) => (p.type ? [[p.name, p.type]] : [])));
  await c.run(sql, values, types);
}

function writtenVersion(row: Row, dataset: string, reason: string, at: EpochMs): FigureVersion {
  const fresh = row.fresh === true;
  const version = versionOf(row, { dataset, publishedAt: at, reason: fresh ? FIRST_PUBLICATION : reason });
  return fresh ? version : withPrevious(version, row);
}

function toVersion(row: Row): FigureVersion {
  const version = versionOf(row, {
    dataset: String(row.dataset),
    publishedAt: Number(row.published_at),
    reason: String(row.reason),
  });
  return isPresent(row.previous_status) ? withPrevious(version, row) : version;
}

function versionOf(
  row: Row,
  known: Pick<FigureVersion, "dataset" | "publishedAt" | "reason">,
): FigureVersion {
  return {
    id: Number(row.id),
    dataset: known.dataset,
    period: Number(row.period),
    place: String(row.place),
    value: numberOrNull(row.value),
    devices: numberOrNull(row.devices),
    status: String(row.status) as FigureStatus,
    version: Number(row.version),
    publishedAt: known.publishedAt,
    reason: known.reason,
  };
}

function withPrevious(version: FigureVersion, row: Row): FigureVersion {
  version.previous = {
    value: numberOrNull(row.previous_value),
    devices: numberOrNull(row.previous_devices),
    status: String(row.previous_status) as FigureStatus,
  };
  return version;
}

function toPublished(row: Row): PublishedFigure {
  return {
    dataset: String(row.dataset),
    period: Number(row.period),
    place: String(row.place),
    value: numberOrNull(row.value),
    devices: numberOrNull(row.devices),
    status: String(row.status) as FigureStatus,
    version: Number(row.version),
    publishedAt: Number(row.published_at),
  };
}

function isPresent(value: DuckDBValue | undefined): boolean {
  return value !== null && value !== undefined;
}

function numberOrNull(value: DuckDBValue | undefined): number | null {
  return isPresent(value) ? Number(value) : null;
}

function text(name: string, value: string): Param {
  return { name, value, type: VARCHAR };
}

/** Whole milliseconds (and counts) as BIGINT; a fraction of a millisecond is dropped. */
function ms(name: string, value: number): Param {
  return { name, value: BigInt(Math.floor(value)), type: BIGINT };
}

export function createDuckdbPublicationStore(config: DuckdbPublicationStoreConfig): PublicationStore {
  return new DuckdbPublicationStore(config);
}
