import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { createDuckdbAlertStore } from "../../services/alerts/duckdb-alert-store.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-alerts-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INPUT = {
  ruleId: "r",
  subject: "cabinet:arm-57038-01",
  severity: "minor",
  domain: "streetlight",
  detail: "d",
} as const;

/** What the database itself enforces, beyond what the write lane checks (DuckDB adapter only). */
describe("DuckdbAlertStore in the database", () => {
  it("refuses a second alert not closed for the same subject and rule, allows one once closed", async () => {
    const path = join(dir, "unique.duckdb");
    const store = createDuckdbAlertStore({ path });
    await store.start();
    const a = await store.raise(INPUT, 1);
    await store.closeAlert(a.id, "bob", 2, a.version);
    const b = await store.raise(INPUT, 3);
    await store.close();

    const instance = await DuckDBInstance.create(path);
    const c = await instance.connect();
    const insert = `INSERT INTO alerts (id, active_key, rule_id, subject, severity, domain, detail, status,
      opened_at, version) VALUES ($id, $key, 'r', 's', 'minor', 'streetlight', 'd', 'open', 4, 1)`;
    await expect(c.run(insert, { id: 99, key: "cabinet:arm-57038-01|r" })).rejects.toThrow(/constraint/i);
    const keys = await c.runAndReadAll("SELECT id, active_key FROM alerts ORDER BY id");
    expect(keys.getRowObjectsJson()).toEqual([
      { id: String(a.id), active_key: null },
      { id: String(b.id), active_key: "cabinet:arm-57038-01|r" },
    ]);
    c.closeSync();
    instance.closeSync();
  });
});
