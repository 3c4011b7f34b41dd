import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { inTransaction, Lane } from "./lane.ts";

/**
 * A small store's DuckDB file (the community store, the replay log, the partner agreements):
 * its own file, a write connection and a read connection, each behind its lane, every job in one
 * transaction (committed when it resolves, rolled back if it throws). `open` creates the schema;
 * `close` waits for queued work, then releases the file so that another instance can open it.
 */
export class DuckdbFile {
  private session:
    | { instance: DuckDBInstance; writer: DuckDBConnection; reader: DuckDBConnection }
    | undefined;
  private writes = new Lane();
  private reads = new Lane();

  constructor(
    /** ":memory:" for tests. */
    private readonly path: string,
    private readonly schema: readonly string[],
    /** Named in the error of a job given before `open`. */
    private readonly name: string,
  ) {}

  async open(): Promise<void> {
    if (this.session) return;
    if (this.path !== ":memory:") mkdirSync(dirname(this.path), { recursive: true });
    const instance = await DuckDBInstance.create(this.path);
    const writer = await instance.connect();
    for (const statement of this.schema) await writer.run(statement);
    this.session = { instance, writer, reader: await instance.connect() };
  }

  async close(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await Promise.all([this.writes.run(async () => {}), this.reads.run(async () => {})]);
    this.session = undefined;
    session.writer.closeSync();
    session.reader.closeSync();
    session.instance.closeSync();
    this.writes = new Lane();
    this.reads = new Lane();
  }

  /** One transaction on the write lane. */
  write<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.writes.run(() => inTransaction(this.started().writer, job));
  }

  /** Reads in one transaction on the read connection (one snapshot per prepare/execute pair). */
  read<T>(job: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.reads.run(() => inTransaction(this.started().reader, job));
  }

  private started() {
    if (!this.session) throw new Error(`${this.name} is not started`);
    return this.session;
  }
}
