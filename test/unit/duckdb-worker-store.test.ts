import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

describe("DuckdbWorkerStore lifecycle", () => {
  const observation = (time: number) => ({
    deviceId: "d1",
    time,
    domain: "streetlight",
    commune: "57038",
    ownerId: "o",
    operatorId: "op",
    contract: "c@1",
    values: { active_power_w: 40 },
  });

  it("opens its file once however often it is started (one store seen through two roles)", async () => {
    const path = join(dir, "twice.duckdb");
    const store = createDuckdbWorkerStore({ path });
    await Promise.all([store.start(), store.start()]);
    await store.start();
    await store.write([observation(1_000), observation(2_000)]);
    await store.close();
    await store.close();
    const again = await started(path);
    expect(await again.countValues({})).toBe(2);
    await again.close();
  });

  it("refuses a second store on a file already open in this process", async () => {
    const path = join(dir, "shared.duckdb");
    const first = await started(path);
    await expect(started(path)).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    await first.close();
    const second = await started(path);
    await second.close();
  });

  it("names a damaged file and says what to do", async () => {
    const path = join(dir, "damaged.duckdb");
    writeFileSync(path, Buffer.alloc(64 * 1024, 0x5a));
    const store = createDuckdbWorkerStore({ path });
    const failure = store.start();
    await expect(failure).rejects.toMatchObject({ code: "ERR_STORE_DAMAGED", retryable: false });
    await expect(failure).rejects.toThrow(path);
    await expect(failure).rejects.toThrow(/move the file/);
  });
});
