import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * Runs jobs one at a time, in call order: a DuckDB connection runs one statement at a time, and
 * the stores serialize their writes (and each read connection's reads) through one lane each.
 */
export class Lane {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job);
    this.tail = run.then(noop, noop);
    return run;
  }
}

/** The job in one transaction of the connection: committed when it resolves, rolled back if it throws. */
export async function inTransaction<T>(
  c: DuckDBConnection,
  job: (c: DuckDBConnection) => Promise<T>,
): Promise<T> {
  await c.run("BEGIN TRANSACTION");
  try {
    const result = await job(c);
    await c.run("COMMIT");
    return result;
  } catch (err) {
    await c.run("ROLLBACK").catch(noop);
    throw err;
  }
}

function noop(): void {}
