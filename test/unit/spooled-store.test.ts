import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InfrastructureError, StoreUnavailableError } from "../../services/domain/errors.ts";
import type { Observation } from "../../services/domain/types.ts";
import { createDuckdbStore } from "../../services/storage/duckdb-store.ts";
import { SpooledStore } from "../../services/storage/spooled-store.ts";
import type { TimeSeriesStore } from "../../services/storage/store.ts";

const root = mkdtempSync(join(tmpdir(), "lanterne-spool-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A real DuckDB store behind a switch that makes it fail like a server that went away. */
async function switchable() {
  n++;
  const real = createDuckdbStore({ path: join(root, `ts-${n}.duckdb`) });
  await real.start();
  const state = { down: false, refuse: false, writes: [] as number[] };
  const store: TimeSeriesStore & { start(): Promise<void>; close(): Promise<void> } = {
    start: async () => {},
    close: () => real.close(),
    async write(obs) {
      if (state.down) throw StoreUnavailableError("connection refused");
      if (state.refuse)
        throw new InfrastructureError("ERR_STORE_PARTIAL_WRITE", "field type conflict", false);
      state.writes.push(obs[0]?.time ?? -1);
      return real.write(obs);
    },
    latest: (f) => real.latest(f),
    series: (q) => real.series(q),
    aggregate: (q) => real.aggregate(q),
    countValues: (f) => real.countValues(f),
  };
  return { store, state, dir: join(root, `spool-${n}`) };
}

const obs = (time: number): Observation => ({
  deviceId: "pre-1",
  time,
  domain: "water_pressure",
  commune: "57038",
  ownerId: "ccphva",
  operatorId: "eaux-alzette",
  contract: "ccphva-water-pressure@1.0.0",
  values: { pressure_bar: 4 + time / 1000 },
});

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("spool in front of a remote store", () => {
  it("passes writes through while the store is up, spools while it is down, drains in order", async () => {
    const { store, state, dir } = await switchable();
    const spooled = new SpooledStore(store, { dir, maxBytes: 1 << 20, retryMs: 20 });
    await spooled.start();
    await spooled.write([obs(1)]);
    expect(spooled.stats().segments).toBe(0);
    state.down = true;
    for (let t = 2; t <= 6; t++) await spooled.write([obs(t)]);
    expect(spooled.stats()).toMatchObject({ segments: 5 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".json"))).toHaveLength(5);
    state.down = false;
    await until(() => spooled.stats().segments === 0);
    expect(state.writes).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await spooled.countValues({})).toBe(6);
    await spooled.close();
  });

  it("keeps the order when writes arrive while older batches are still spooled", async () => {
    const { store, state, dir } = await switchable();
    const spooled = new SpooledStore(store, { dir, maxBytes: 1 << 20, retryMs: 50 });
    await spooled.start();
    state.down = true;
    await spooled.write([obs(1)]);
    state.down = false;
    await spooled.write([obs(2)]);
    await until(() => spooled.stats().segments === 0);
    expect(state.writes).toEqual([1, 2]);
    await spooled.close();
  });

  it("drains what a previous process spooled", async () => {
    const { store, state, dir } = await switchable();
    const first = new SpooledStore(store, { dir, maxBytes: 1 << 20, retryMs: 20 });
    state.down = true;
    await first.start();
    await first.write([obs(10)]);
    await first.write([obs(11)]);
    await first.close();
    state.down = false;
    const { store: store2, state: state2 } = await switchable();
    const second = new SpooledStore(store2, { dir, maxBytes: 1 << 20, retryMs: 20 });
    await second.start();
    await until(() => second.stats().segments === 0);
    expect(state2.writes).toEqual([10, 11]);
    await second.close();
  });

  it("holds writers when full instead of dropping", async () => {
    const { store, state, dir } = await switchable();
    const spooled = new SpooledStore(store, { dir, maxBytes: 400, retryMs: 20 });
    await spooled.start();
    state.down = true;
    await spooled.write([obs(1), obs(2)]);
    await spooled.write([obs(3), obs(4)]);
    let done = false;
    const held = spooled.write([obs(5)]).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    state.down = false;
    await held;
    await until(() => spooled.stats().segments === 0);
    expect(state.writes).toEqual([1, 3, 5]);
    await spooled.close();
  });

  it("keeps a batch the store refuses for good under rejected/, with the reason", async () => {
    const { store, state, dir } = await switchable();
    const spooled = new SpooledStore(store, { dir, maxBytes: 1 << 20, retryMs: 20 });
    await spooled.start();
    state.refuse = true;
    await spooled.write([obs(1), obs(2)]);
    expect(spooled.stats().rejected).toBe(2);
    const kept = readdirSync(join(dir, "rejected"));
    expect(kept.some((f) => f.endsWith(".reason.json"))).toBe(true);
    expect(existsSync(join(dir, "rejected"))).toBe(true);
    await spooled.close();
  });
});
