import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import type { Observation } from "../../services/domain/types.ts";
import { createDuckdbStore, type DuckdbStore } from "../../services/storage/duckdb-store.ts";
import { retentionConformance } from "../conformance/retention.suite.ts";
import { rollupConformance } from "../conformance/rollup.suite.ts";
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
  { reopen: () => started(suitePath), lastWriteWins: true },
);

rollupConformance(
  "DuckdbStore",
  async () => {
    suitePath = freshPath();
    return started(suitePath);
  },
  { reopen: () => started(suitePath) },
);

retentionConformance("DuckdbStore", () => started(join(dir, `retention-${++files}.duckdb`)));

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

describe("DuckdbStore dictionaries", () => {
  it("leaves no id of a rolled-back write behind (new device, series and field)", async () => {
    const path = freshPath();
    const store = await started(path);
    const bad = observation("lamp-9", T0, { new_field: 1, broken: undefined as unknown as number }, "op-z");
    await expect(store.write([bad])).rejects.toThrow();
    await store.write([observation("lamp-9", T0 + 1, { new_field: 2 }, "op-z")]);
    await store.write([observation("lamp-8", T0 + 2, { other_field: "x" })]);
    const check = async (s: DuckdbStore) => {
      expect(await s.countValues({ deviceIds: ["lamp-9"] })).toBe(1);
      expect(await s.countValues({ operatorId: "op-z" })).toBe(1);
      const states = await s.latest({});
      expect(states.map((d) => [d.deviceId, d.operatorId, d.values])).toEqual([
        ["lamp-8", "op-a", { other_field: { value: "x", time: T0 + 2 } }],
        ["lamp-9", "op-z", { new_field: { value: 2, time: T0 + 1 } }],
      ]);
      expect(await s.series({ deviceId: "lamp-9", from: T0, to: T0 + 10 })).toEqual([
        { time: T0 + 1, field: "new_field", count: 1, mean: 2, min: 2, max: 2, last: 2 },
      ]);
    };
    await check(store);
    await store.close();
    const reopened = await started(path);
    await check(reopened);
    await reopened.close();
  });

  it("keeps every value exact across data chunks (mixed kinds, NULLs, missing fields)", async () => {
    const store = await started(":memory:");
    const values = (i: number): Observation["values"] => {
      const v: Observation["values"] = { n: i * 1.5 - 700 };
      if (i % 3 === 0) v.s = i % 2 === 0 ? `text ${i} é` : "";
      if (i % 4 !== 1) v.b = i % 5 === 0;
      if (i % 7 === 0) v.n2 = -i;
      return v;
    };
    // 3,000 observations of 2 to 4 fields: several 2,048-row chunks per transaction, ending mid-chunk.
    const batch = (from: number) =>
      Array.from({ length: 3000 }, (_, k) =>
        observation(`lamp-${(from + k) % 7}`, T0 + from + k, values(from + k)),
      );
    await store.write(batch(0));
    await store.write(batch(3000));
    const points = await store.series({ deviceId: "lamp-3", from: T0, to: T0 + 6000 });
    const expected = Array.from({ length: 6000 }, (_, i) => i)
      .filter((i) => i % 7 === 3)
      .flatMap((i) =>
        Object.entries(values(i))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([field, value]) => ({ time: T0 + i, field, last: value })),
      );
    expect(points.map((p) => ({ time: p.time, field: p.field, last: p.last }))).toEqual(expected);
    const [state] = await store.latest({ deviceIds: ["lamp-3"] });
    const newest = (field: string) => expected.filter((p) => p.field === field).at(-1);
    expect(Object.keys(state?.values ?? {}).sort()).toEqual(["b", "n", "s"]);
    for (const field of ["b", "n", "s"]) {
      expect(state?.values[field]).toEqual({ value: newest(field)?.last, time: newest(field)?.time });
    }
    await store.close();
  });

  it("picks up its dictionaries on reopen: known devices, a handover, a new field", async () => {
    const path = freshPath();
    const first = await started(path);
    await first.write([observation("lamp-1", T0, { power_w: 1, on: true }, "op-a")]);
    await first.close();
    const second = await started(path);
    await second.write([
      observation("lamp-1", T0 + 1000, { power_w: 2, dim_pct: 50 }, "op-b"),
      observation("lamp-1", T0 - 1000, { power_w: 0 }, "op-a"),
    ]);
    await second.close();
    const third = await started(path);
    expect(await third.latest({ operatorId: "op-a" })).toEqual([]);
    const [state] = await third.latest({ operatorId: "op-b" });
    expect(state).toMatchObject({ deviceId: "lamp-1", operatorId: "op-b", time: T0 + 1000 });
    expect(state?.values).toEqual({
      power_w: { value: 2, time: T0 + 1000 },
      on: { value: true, time: T0 },
      dim_pct: { value: 50, time: T0 + 1000 },
    });
    expect(await third.countValues({ deviceIds: ["lamp-1"] })).toBe(5);
    expect(await third.countValues({ operatorId: "op-a" })).toBe(3);
    await third.close();
  });
});

// ---------------------------------------------------------------- migration

/** The layout written before the series dictionary: every reading carried its text. */
const FIRST_LAYOUT = [
  `CREATE TABLE readings (
    time TIMESTAMP_MS NOT NULL, device_id VARCHAR NOT NULL, domain VARCHAR NOT NULL,
    commune VARCHAR NOT NULL, owner_id VARCHAR NOT NULL, operator_id VARCHAR NOT NULL,
    contract VARCHAR NOT NULL, field VARCHAR NOT NULL, kind TINYINT NOT NULL, num DOUBLE, txt VARCHAR)`,
  `CREATE TABLE latest (
    device_id VARCHAR NOT NULL, field VARCHAR NOT NULL, time TIMESTAMP_MS NOT NULL,
    domain VARCHAR NOT NULL, commune VARCHAR NOT NULL, operator_id VARCHAR NOT NULL,
    contract VARCHAR NOT NULL, kind TINYINT NOT NULL, num DOUBLE, txt VARCHAR,
    PRIMARY KEY (device_id, field))`,
  "CREATE SEQUENCE quarantine_id START 1",
  `CREATE TABLE quarantine (
    id BIGINT PRIMARY KEY DEFAULT nextval('quarantine_id'), received_at TIMESTAMP_MS NOT NULL,
    operator_id VARCHAR NOT NULL, device_id VARCHAR, contract VARCHAR, source VARCHAR NOT NULL,
    raw VARCHAR NOT NULL, truncated BOOLEAN NOT NULL, reasons VARCHAR NOT NULL,
    codes VARCHAR[] NOT NULL)`,
  `CREATE TABLE violations (
    received_at TIMESTAMP_MS NOT NULL, time TIMESTAMP_MS NOT NULL, operator_id VARCHAR NOT NULL,
    device_id VARCHAR NOT NULL, contract VARCHAR NOT NULL, code VARCHAR NOT NULL, path VARCHAR NOT NULL,
    detail VARCHAR NOT NULL)`,
];

/** Runs SQL on a file directly, as another program (or an older Lanterne) would. */
async function onFile(path: string, statements: readonly string[]): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  let rows: Record<string, unknown>[] = [];
  try {
    for (const sql of statements) rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return rows;
}

const ms = (t: number) => `make_timestamp_ms(${t})`;

describe("DuckdbStore migration from the first layout", () => {
  it("moves readings, latest values and quarantine into the new tables and reads them back", async () => {
    const path = freshPath();
    const row = (
      t: number,
      device: string,
      op: string,
      field: string,
      kind: number,
      num: string,
      txt: string,
    ) =>
      `(${ms(t)}, '${device}', 'streetlight', '01053', 'ccphva', '${op}', 'streetlight@1', '${field}', ${kind}, ${num}, ${txt})`;
    await onFile(path, [
      ...FIRST_LAYOUT,
      `INSERT INTO readings VALUES
        ${row(T0, "lamp-1", "op-a", "power_w", 0, "10", "NULL")},
        ${row(T0, "lamp-1", "op-a", "on", 2, "NULL", "'true'")},
        ${row(T0 + 60_000, "lamp-1", "op-b", "power_w", 0, "30", "NULL")},
        ${row(T0 + 30_000, "lamp-2", "op-a", "state", 1, "NULL", "'it''s on'")},
        ${row(T0 + 30_000, "lamp-2", "op-a", "power_w", 0, "5.5", "NULL")}`,
      `INSERT INTO latest VALUES
        ('lamp-1', 'power_w', ${ms(T0 + 60_000)}, 'streetlight', '01053', 'op-b', 'streetlight@1', 0, 30, NULL),
        ('lamp-1', 'on', ${ms(T0)}, 'streetlight', '01053', 'op-a', 'streetlight@1', 2, NULL, 'true'),
        ('lamp-2', 'state', ${ms(T0 + 30_000)}, 'streetlight', '01053', 'op-a', 'streetlight@1', 1, NULL, 'it''s on'),
        ('lamp-2', 'power_w', ${ms(T0 + 30_000)}, 'streetlight', '01053', 'op-a', 'streetlight@1', 0, 5.5, NULL)`,
      `INSERT INTO quarantine (received_at, operator_id, source, raw, truncated, reasons, codes)
        VALUES (${ms(T0)}, 'op-a', 'mqtt', '{', false, '[]', ['ERR_PAYLOAD_JSON'])`,
    ]);

    const store = await started(path);
    expect(await store.countValues({})).toBe(5);
    expect(await store.countValues({ operatorId: "op-a" })).toBe(4);
    expect(await store.latest({ operatorId: "op-a" })).toEqual([
      {
        deviceId: "lamp-2",
        domain: "streetlight",
        commune: "01053",
        operatorId: "op-a",
        contract: "streetlight@1",
        time: T0 + 30_000,
        values: {
          state: { value: "it's on", time: T0 + 30_000 },
          power_w: { value: 5.5, time: T0 + 30_000 },
        },
      },
    ]);
    const [lamp1] = await store.latest({ deviceIds: ["lamp-1"] });
    expect(lamp1).toMatchObject({ operatorId: "op-b", time: T0 + 60_000 });
    expect(lamp1?.values).toEqual({
      power_w: { value: 30, time: T0 + 60_000 },
      on: { value: true, time: T0 },
    });
    expect(await store.series({ deviceId: "lamp-1", from: T0, to: T0 + 120_000 })).toEqual([
      { time: T0, field: "on", count: 1, last: true },
      { time: T0, field: "power_w", count: 1, mean: 10, min: 10, max: 10, last: 10 },
      { time: T0 + 60_000, field: "power_w", count: 1, mean: 30, min: 30, max: 30, last: 30 },
    ]);
    const [all] = await store.aggregate({ from: T0, to: T0 + 120_000, groupBy: [], field: "power_w" });
    expect(all).toMatchObject({ count: 3, devices: 2, min: 5.5, max: 30 });
    expect(await store.countQuarantine({})).toBe(1);

    // Writing goes on with the migrated dictionaries: no duplicate device, series or field.
    await store.write([observation("lamp-1", T0 + 120_000, { power_w: 40 }, "op-b")]);
    await store.write([observation("lamp-3", T0 + 120_000, { power_w: 1 })]);
    await store.close();
    const reopened = await started(path);
    expect(await reopened.countValues({ deviceIds: ["lamp-1"] })).toBe(4);
    expect((await reopened.latest({ deviceIds: ["lamp-1"] }))[0]?.values.power_w).toEqual({
      value: 40,
      time: T0 + 120_000,
    });
    expect((await reopened.latest({})).map((d) => d.deviceId)).toEqual(["lamp-1", "lamp-2", "lamp-3"]);
    await reopened.close();

    const tables = await onFile(path, [
      "SELECT list(table_name ORDER BY table_name) AS names FROM duckdb_tables() WHERE schema_name = 'main'",
    ]);
    expect(tables[0]?.names).toEqual([
      "device_keys",
      "fields",
      "frame_counters",
      "latest",
      "quarantine",
      "readings",
      "rollup_device",
      "rollup_device_state",
      "rollup_group",
      "rollup_group_state",
      "series",
      "violations",
    ]);
  });

  it("refuses a layout it does not know, without touching the file", async () => {
    const path = freshPath();
    await onFile(path, [
      "CREATE TABLE readings (t TIMESTAMP, value DOUBLE)",
      "INSERT INTO readings VALUES (now(), 1)",
    ]);
    await expect(started(path)).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE", retryable: false });
    const rows = await onFile(path, ["SELECT count(*) AS n FROM readings"]);
    expect(rows).toEqual([{ n: "1" }]);
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

describe("DuckdbStore frame counters", () => {
  it("keeps the highest counter of each device and DevAddr, across reopen", async () => {
    const path = freshPath();
    let store = await started(path);
    await store.saveFrameCounters([
      { deviceId: "pav-1", devAddr: "26011bda", fCnt: 5 },
      { deviceId: "pav-2", devAddr: "26011bdb", fCnt: 7 },
    ]);
    await store.saveFrameCounters([
      { deviceId: "pav-1", devAddr: "26011bda", fCnt: 3 },
      { deviceId: "pav-2", devAddr: "26011bdb", fCnt: 70_000 },
      { deviceId: "pav-2", devAddr: "26011bdb", fCnt: 9 },
      { deviceId: "pav-3", devAddr: "26011bdc", fCnt: 2 ** 32 - 1 },
    ]);
    await store.close();
    store = await started(path);
    expect(await store.loadFrameCounters()).toEqual([
      { deviceId: "pav-1", devAddr: "26011bda", fCnt: 5 },
      { deviceId: "pav-2", devAddr: "26011bdb", fCnt: 70_000 },
      { deviceId: "pav-3", devAddr: "26011bdc", fCnt: 2 ** 32 - 1 },
    ]);
    await store.close();
  });
});
