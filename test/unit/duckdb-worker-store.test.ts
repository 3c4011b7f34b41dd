import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createDuckdbWorkerStore,
  type DuckdbWorkerStore,
} from "../../services/storage/duckdb-worker-store.ts";
import { retentionConformance } from "../conformance/retention.suite.ts";
import { rollupConformance } from "../conformance/rollup.suite.ts";
import { storeConformance } from "../conformance/store.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-duckdb-worker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
let suitePath = "";
async function started(path: string): Promise<DuckdbWorkerStore> {
  const store = createDuckdbWorkerStore({ path });
  await store.start();
  return store;
}

storeConformance(
  "DuckdbWorkerStore (DuckDB on its own thread)",
  async () => {
    files += 1;
    suitePath = join(dir, `store-${files}.duckdb`);
    return started(suitePath);
  },
  { reopen: () => started(suitePath), lastWriteWins: true },
);

rollupConformance(
  "DuckdbWorkerStore (DuckDB on its own thread)",
  async () => {
    files += 1;
    suitePath = join(dir, `store-${files}.duckdb`);
    return started(suitePath);
  },
  { reopen: () => started(suitePath) },
);

retentionConformance("DuckdbWorkerStore (DuckDB on its own thread)", () =>
  started(join(dir, `retention-${++files}.duckdb`)),
);

describe("DuckdbWorkerStore errors", () => {
  it("carries the store's error codes across the thread", async () => {
    const store = await started(join(dir, "errors.duckdb"));
    await expect(store.aggregate({ from: 0, to: 1, groupBy: ["planet" as "commune"] })).rejects.toMatchObject(
      {
        code: "ERR_BAD_REQUEST",
        statusCode: 400,
      },
    );
    await store.close();
    await expect(store.latest({})).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE", retryable: true });
  });
});
