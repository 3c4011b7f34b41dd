import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";

/**
 * Independent readers of the open formats, shared by the tests: tableschema-js (the Frictionless
 * reference implementation for JavaScript) casts a CSV against its Table Schema, csv-parse reads
 * it as RFC 4180 says.
 */

/** The few parts of tableschema-js (CommonJS, untyped) the tests use. */
export type TsSchema = { valid: boolean; errors: Error[] };
type TsTable = { read(options: { cast?: boolean; keyed?: boolean }): Promise<Record<string, unknown>[]> };
type TableSchemaLib = {
  Schema: { load(descriptor: object, options?: { strict?: boolean }): Promise<TsSchema> };
  Table: {
    load(
      source: string,
      options: { schema: object; delimiter?: string; ltrim?: boolean; strict?: boolean },
    ): Promise<TsTable>;
  };
};
export const tableschema = createRequire(import.meta.url)("tableschema") as TableSchemaLib;

/** Reads a CSV text with tableschema, casting every cell against the schema (throws on error). */
export async function readWithSchema(csv: string, schema: object): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), "lanterne-csv-"));
  try {
    const path = join(dir, "table.csv");
    writeFileSync(path, csv, "utf8");
    // tableschema sniffs the delimiter and left-trims cells unless told otherwise.
    const table = await tableschema.Table.load(path, { schema, delimiter: ",", ltrim: false });
    return await table.read({ cast: true, keyed: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** RFC 4180 records: CRLF between them, quotes as the RFC says. */
export function parseCsv(csv: string): string[][] {
  return parse(Buffer.from(csv, "utf8"), { record_delimiter: ["\r\n"], relax_quotes: false }) as string[][];
}
