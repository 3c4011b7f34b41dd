import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { inTransaction, Lane } from "./lane.ts";

interface Session {
  instance: DuckDBInstance;
  writer: DuckDBConnection;
  readers: DuckDBConnection[];
}

/**
 * A store's own DuckDB file (the community, publication and clause stores, the replay log, the
 * partner agreements): a write connection and one or more read connections, each behind its
 * lane, every job in one transaction (committed when it resolves, rolled back if it throws).
 * Reads in one transaction each: every prepare/execute pair sees one snapshot, which DuckDB needs
 * when the writer commits in between (duckdb/duckdb#23704). Several readers, taken in turn, keep
 * a read from waiting behind a queue of others. `open` creates the schema; `close` waits for
 * queued work, then releases the file (closing the instance checkpoints the WAL into it) so that
 * another instance can open it.
 */
export class DuckdbFile {
  private session: Session | undefined;
  private writes = new Lane();
  private reads: Lane[] = [];
  private nextRead = 0;

  constructor(
    /** ":memory:" for tests. */
    private readonly path: string,
    private readonly schema: readonly string[],
    /** Named in the error of a job given before `open`. */
    private readonly name: string,
    private readonly readerCount = 1,
  ) {}

  get isOpen(): boolean {
    return this.session !== undefined;
  }

  async open(): Promise<void> {
    if (this.session) return;
    if (this.path !== ":memory:") mkdirSync(dirname(this.path), { recursive: true });
    const instance = await DuckDBInstance.create(this.path);
    const writer = await instance.connect();
    for (const statement of this.schema) await writer.run(statement);
    const readers: DuckDBConnection[] = [];
    for (let i = 0; i < this.readerCount; i++) readers.push(await instance.connect());
    this.session = { instance, writer, readers };
    this.reads = readers.map(() => new Lane());
  }

  async close(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await Promise.all([
      this.writes.run(async () => {}),
      ...this.reads.map((lane) => lane.run(async () => {})),
    ]);
    this.session = undefined;
    session.writer.closeSync();
    for (const reader of session.readers) reader.closeSync();
    session.instance.closeSync();
    this.writes = new Lane();
    this.reads = [];
  }

  /** One transaction on the write lane. */
  write<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.writes.run(() => inTransaction(this.started().writer, job));
  }

  /** One transaction on the next read connection. */
  read<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const session = this.started();
    const i = this.nextRead++ % session.readers.length;
    return (this.reads[i] as Lane).run(() => inTransaction(session.readers[i] as DuckDBConnection, job));
  }

  /** Throws when not open: what a store's synchronous methods check before taking work. */
  started(): Session {
    if (!this.session) throw new Error(`${this.name} is not started`);
    return this.session;
  }
}
