import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeStores } from "../../services/storage/composite-store.ts";
import { createDuckdbStore } from "../../services/storage/duckdb-store.ts";
import { createDuckdbWorkerStore } from "../../services/storage/duckdb-worker-store.ts";
import { createInfluxStore } from "../../services/storage/influx-store.ts";
import { SpooledStore } from "../../services/storage/spooled-store.ts";
import { archiveConformance } from "../conformance/archive.suite.ts";
import { type Influxd, requireInfluxd, startInfluxd } from "../helpers/influxd.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-archive-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

archiveConformance("DuckdbStore", async () => {
  const store = createDuckdbStore({ path: join(dir, `direct-${++files}.duckdb`) });
  await store.start();
  return store;
});

archiveConformance("DuckdbWorkerStore (DuckDB on its own thread)", async () => {
  const store = createDuckdbWorkerStore({ path: join(dir, `worker-${++files}.duckdb`) });
  await store.start();
  return store;
});

/** Readings through a spool in front of the store, rollups from the store: the production shape. */
archiveConformance("composed stores (spool in front of the readings)", async () => {
  const inner = createDuckdbStore({ path: join(dir, `composed-${++files}.duckdb`) });
  const spool = new SpooledStore(inner, {
    dir: join(dir, `spool-${files}`),
    maxBytes: 1_000_000,
    retryMs: 50,
  });
  const store = composeStores(spool, inner, inner);
  await store.start();
  return store;
});

describe("composed stores without an archive for the rollups", () => {
  it("fail the scan rather than export nothing", async () => {
    const inner = createDuckdbStore({ path: join(dir, `no-archive-${++files}.duckdb`) });
    const store = composeStores(inner, inner, inner, {});
    await store.start();
    const scan = async () => {
      for await (const _page of store.scanDeviceRollups({ tier: "1h" })) break;
    };
    await expect(scan()).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
    await store.close();
  });
});

const installed = requireInfluxd() !== undefined;

describe.skipIf(!installed)("on a real InfluxDB", () => {
  let server: Influxd | undefined;
  let databases = 0;
  beforeAll(async () => {
    server = await startInfluxd();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  archiveConformance("InfluxStore", async () => {
    if (!server) throw new Error("influxd did not start");
    const store = createInfluxStore({ url: server.url, database: `lanterne_archive_${++databases}` });
    await store.start();
    return store;
  });
});
