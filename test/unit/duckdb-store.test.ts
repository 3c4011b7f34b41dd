import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Observation } from "../../services/domain/types.ts";
import { createDuckdbStore, type DuckdbStore } from "../../services/storage/duckdb-store.ts";
import { storeConformance } from "../conformance/store.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-duckdb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function freshPath(): string {
  files += 1;
  return join(dir, `store-${files}.duckdb`);
}

async function started(path: string): Promise<DuckdbStore> {
  const store = createDuckdbStore({ path });
  await store.start();
  return store;
}

let suitePath = "";
storeConformance(
  "DuckdbStore",
  async () => {
    suitePath = freshPath();
    return started(suitePath);
  },
  { reopen: () => started(suitePath) },
);

const T0 = Date.UTC(2025, 0, 6);

function observation(
  deviceId: string,
  time: number,
  values: Observation["values"],
  operatorId = "op-a",
): Observation {
  return {
    deviceId,
    time,
    domain: "streetlight",
    commune: "01053",
    ownerId: "ccphva",
    operatorId,
    contract: "streetlight@1",
    values,
  };
}

const UNAVAILABLE = { code: "ERR_STORE_UNAVAILABLE", retryable: true };

describe("DuckdbStore lifecycle", () => {
  it("creates the parent directory of its file", async () => {
    const path = join(dir, "nested", "deeper", "lanterne.duckdb");
    const store = await started(path);
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it("runs in memory", async () => {
    const store = await started(":memory:");
    await store.write([observation("lamp-1", T0, { power_w: 1 })]);
    expect(await store.countValues({})).toBe(1);
    await store.close();
  });

  it("rejects with a retryable error before start and after close", async () => {
    const store = createDuckdbStore({ path: freshPath() });
    await expect(store.write([observation("lamp-1", T0, { power_w: 1 })])).rejects.toMatchObject(UNAVAILABLE);
    await store.start();
    await store.close();
    await expect(store.latest({})).rejects.toMatchObject(UNAVAILABLE);
    await expect(store.addQuarantine([])).resolves.toBeUndefined();
    await expect(store.countQuarantine({})).rejects.toMatchObject(UNAVAILABLE);
    expect(await store.ping()).toBe(false);
  });

  it("writes what was queued before close, and reopens on the same file in the same process", async () => {
    const path = freshPath();
    const store = await started(path);
    await store.start();
    const writes = Array.from({ length: 10 }, (_, i) =>
      store.write([observation("lamp-1", T0 + i, { power_w: i })]),
    );
    await Promise.all([store.close(), store.close()]);
    await Promise.all(writes);
    await store.start();
    expect(await store.countValues({})).toBe(10);
    await store.close();
    const other = await started(path);
    expect(await other.countValues({})).toBe(10);
    expect(await other.ping()).toBe(true);
    await other.close();
  });

  it("refuses a resolution that is not a positive whole number of milliseconds", async () => {
    const store = await started(":memory:");
    const query = { deviceId: "lamp-1", from: T0, to: T0 + 1 };
    await expect(store.series({ ...query, resolutionMs: 0 })).rejects.toMatchObject({
      code: "ERR_BAD_REQUEST",
    });
    await expect(store.series({ ...query, resolutionMs: 1.5 })).rejects.toMatchObject({
      code: "ERR_BAD_REQUEST",
    });
    await store.close();
  });
});

describe("DuckdbStore specifics", () => {
  it("applies latest() filters to the device as of its most recent reading", async () => {
    // A device reassigned from op-a to op-b belongs to op-b now: op-a no longer sees it.
    const store = await started(":memory:");
    await store.write([
      observation("lamp-1", T0, { power_w: 1, on: true }, "op-a"),
      observation("lamp-1", T0 + 1000, { power_w: 2 }, "op-b"),
    ]);
    expect(await store.latest({ operatorId: "op-a" })).toEqual([]);
    const [state] = await store.latest({ operatorId: "op-b" });
    expect(state?.values).toEqual({ power_w: { value: 2, time: T0 + 1000 }, on: { value: true, time: T0 } });
    await store.close();
  });

  it("refuses a value that is not a FieldValue without failing the writes committed alongside", async () => {
    const store = await started(":memory:");
    const bad = observation("lamp-2", T0, { power_w: undefined as unknown as number });
    const results = await Promise.allSettled([
      store.write([observation("lamp-1", T0, { power_w: 1 })]),
      store.write([bad]),
      store.write([observation("lamp-3", T0, { power_w: 3 })]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await store.latest({})).map((d) => d.deviceId)).toEqual(["lamp-1", "lamp-3"]);
    await store.write([observation("lamp-4", T0, { power_w: 4 })]);
    expect(await store.countValues({})).toBe(3);
    await store.close();
  });

  it("keeps the later write in latest() when two writes carry the same time", async () => {
    const store = await started(":memory:");
    await store.write([observation("lamp-1", T0, { power_w: 1 })]);
    await store.write([observation("lamp-1", T0, { power_w: 2 })]);
    const [state] = await store.latest({});
    expect(state?.values.power_w).toEqual({ value: 2, time: T0 });
    await store.close();
  });

  it("keeps device ids exact when later writes bring longer strings (stale-statistics plans)", async () => {
    const store = await started(":memory:");
    for (const id of ["a", "bb", "a-much-longer-device-identifier-than-the-others"]) {
      await store.write([observation(id, T0, { state: id.repeat(3) })]);
      const states = await store.latest({ deviceIds: [id] });
      expect(states.map((s) => [s.deviceId, s.values.state?.value])).toEqual([[id, id.repeat(3)]]);
    }
    await store.close();
  });

  it("records violations of accepted readings and counts them per operator and code", async () => {
    const store = await started(":memory:");
    const base = { time: T0, deviceId: "lamp-1", contract: "streetlight@1", path: "data.x", detail: "" };
    await store.addViolations([
      { ...base, receivedAt: T0, operatorId: "op-a", code: "ERR_CONTRACT_OUT_OF_RANGE" },
      { ...base, receivedAt: T0 + 1, operatorId: "op-a", code: "ERR_CONTRACT_OUT_OF_RANGE" },
      { ...base, receivedAt: T0 + 2, operatorId: "op-b", code: "ERR_CONTRACT_UNKNOWN_FIELD" },
    ]);
    expect(await store.countViolations({})).toEqual([
      { operatorId: "op-a", code: "ERR_CONTRACT_OUT_OF_RANGE", count: 2 },
      { operatorId: "op-b", code: "ERR_CONTRACT_UNKNOWN_FIELD", count: 1 },
    ]);
    expect(await store.countViolations({ operatorId: "op-a' OR '1'='1" })).toEqual([]);
    expect(await store.countViolations({ from: T0 + 1, to: T0 + 2 })).toEqual([
      { operatorId: "op-a", code: "ERR_CONTRACT_OUT_OF_RANGE", count: 1 },
    ]);
    await store.close();
  });
});

// ---------------------------------------------------------------- durability

const CHILD = join(import.meta.dirname, "..", "helpers", "duckdb-write-until-killed.ts");
const BATCH = 500;
const FIELDS = 4;

/** Resolves with the child once it has acknowledged `batches` durable writes. */
function spawnWriter(path: string, batches: number): Promise<{ child: ChildProcess; acked: () => number }> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, path, String(BATCH)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let acked = -1;
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk;
      const all = [...output.matchAll(/acked (\d+)\n/g)];
      acked = Number(all.at(-1)?.[1] ?? -1);
      if (acked >= batches) resolve({ child, acked: () => acked });
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    child.once("exit", (code) => reject(new Error(`writer exited (${code}) before acking:\n${output}`)));
  });
}

function killed(child: ChildProcess): Promise<unknown> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  return exited;
}

describe("DuckdbStore durability", () => {
  it("keeps every acknowledged write, whole, when the process is SIGKILLed mid-stream", async () => {
    const path = freshPath();
    const { child, acked } = await spawnWriter(path, 5);
    // The file is locked by the writer: another process gets a retryable error, not a corrupt file.
    await expect(started(path)).rejects.toMatchObject(UNAVAILABLE);
    const lowerBound = acked();
    await killed(child);

    const store = await started(path);
    const values = await store.countValues({});
    expect(values).toBeGreaterThanOrEqual(lowerBound * BATCH * FIELDS);
    // Transactions are atomic: a write cut by the kill leaves nothing behind.
    expect(values % (BATCH * FIELDS)).toBe(0);
    expect(await store.countQuarantine({})).toBe(1);
    const latest = await store.latest({});
    expect(latest).toHaveLength(50);
    const newest = Math.max(...latest.map((d) => d.time));
    expect(newest).toBe(T0 + (values / (BATCH * FIELDS)) * BATCH + BATCH - 1);
    await store.close();
  }, 60_000);
});

// ---------------------------------------------------------------- throughput (printed, not asserted)

function fleetBatch(start: number, size: number): Observation[] {
  return Array.from({ length: size }, (_, i) => {
    const n = start + i;
    const values = {
      power_w: n % 150,
      dim_pct: n % 100,
      state: n % 3 === 0 ? "off" : "on",
      fault: n % 97 === 0,
    };
    return observation(`lamp-${n % 3500}`, T0 + n * 100, values);
  });
}

describe("DuckdbStore throughput", () => {
  it("prints write throughput and latest() time", async () => {
    const store = await started(freshPath());
    const total = 50_000;
    const size = 1000;
    let begin = performance.now();
    for (let start = 0; start < total; start += size) await store.write(fleetBatch(start, size));
    const seconds = (performance.now() - begin) / 1000;
    const singles = fleetBatch(total, 2000);
    begin = performance.now();
    await Promise.all(singles.map((o) => store.write([o])));
    const singleSeconds = (performance.now() - begin) / 1000;
    begin = performance.now();
    const devices = await store.latest({});
    const latestMs = performance.now() - begin;
    console.log(
      `duckdb write, batches of ${size}: ${Math.round(total / seconds)} observations/s, ` +
        `${Math.round((total * 4) / seconds)} rows/s; 2000 concurrent single writes: ` +
        `${Math.round(singles.length / singleSeconds)} observations/s; latest() over ${devices.length} ` +
        `devices / ${(total + singles.length) * 4} rows: ${latestMs.toFixed(1)} ms`,
    );
    expect(devices).toHaveLength(3500);
    await store.close();
  }, 120_000);
});
