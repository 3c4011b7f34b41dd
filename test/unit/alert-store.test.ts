import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createDuckdbAlertStore, type DuckdbAlertStore } from "../../services/alerts/duckdb-alert-store.ts";
import { createMemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import { alertStoreConformance } from "../conformance/alert-store.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-alerts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function started(path: string): Promise<DuckdbAlertStore> {
  const store = createDuckdbAlertStore({ path });
  await store.start();
  return store;
}

alertStoreConformance("MemoryAlertStore", async () => createMemoryAlertStore());

let files = 0;
let suitePath = "";
alertStoreConformance(
  "DuckdbAlertStore",
  async () => {
    suitePath = join(dir, `alerts-${++files}.duckdb`);
    return started(suitePath);
  },
  { reopen: () => started(suitePath) },
);

alertStoreConformance("DuckdbAlertStore (:memory:)", () => started(":memory:"));
