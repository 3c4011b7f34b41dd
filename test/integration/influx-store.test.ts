import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Observation } from "../../services/domain/types.ts";
import { droppedPoints, mergeChunks } from "../../services/storage/influx-http.ts";
import {
  createInfluxStore,
  type InfluxStore,
  type InfluxStoreConfig,
  parseInfluxUrl,
} from "../../services/storage/influx-store.ts";
import { retentionConformance } from "../conformance/retention.suite.ts";
import { rollupConformance } from "../conformance/rollup.suite.ts";
import { timeSeriesConformance } from "../conformance/store.suite.ts";
import { type Influxd, requireInfluxd, startInfluxd } from "../helpers/influxd.ts";
import { freePort } from "../helpers/process.ts";

const T0 = Date.UTC(2025, 0, 6);

function observation(deviceId: string, time: number, values: Observation["values"]): Observation {
  return {
    deviceId,
    time,
    domain: "water",
    commune: "57038",
    ownerId: "ccphva",
    operatorId: "op-a",
    contract: "water@1",
    values,
  };
}

// ---------------------------------------------------------------- against a real influxd

const installed = requireInfluxd() !== undefined;

describe.skipIf(!installed)("InfluxStore on a real InfluxDB", () => {
  let server: Influxd;
  let databases = 0;
  let current = "";

  beforeAll(async () => {
    server = (await startInfluxd()) as Influxd;
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function started(database: string, config: Partial<InfluxStoreConfig> = {}): Promise<InfluxStore> {
    const store = createInfluxStore({ url: server.url, database, ...config });
    await store.start();
    return store;
  }

  function freshDatabase(): string {
    databases += 1;
    return `lanterne_test_${databases}`;
  }

  timeSeriesConformance(
    "InfluxStore",
    async () => {
      current = freshDatabase();
      return started(current);
    },
    { reopen: () => started(current), lastWriteWins: true },
  );

  rollupConformance(
    "InfluxStore",
    async () => {
      current = freshDatabase();
      return started(current);
    },
    { reopen: () => started(current) },
  );

  retentionConformance("InfluxStore", () => started(freshDatabase()));

  describe("InfluxStore retention policies", () => {
    it("sets the raw, hourly and daily policies to the longest duration of their tier", async () => {
      const database = freshDatabase();
      const store = await started(database);
      try {
        const DAY = 86_400_000;
        await store.applyRetention(
          { rules: [], longest: { raw: 730 * DAY, "1h": 3650 * DAY, "1d": 10950 * DAY } },
          Date.now(),
        );
        const res = await fetch(
          `${server.url}/query?q=${encodeURIComponent(`SHOW RETENTION POLICIES ON "${database}"`)}`,
        );
        const body = (await res.json()) as { results: { series: { values: unknown[][] }[] }[] };
        const policies = Object.fromEntries(
          (body.results[0]?.series[0]?.values ?? []).map((row) => [row[0], [row[1], row[4]]]),
        );
        expect(policies).toEqual({
          autogen: ["17520h0m0s", true],
          hourly: ["87600h0m0s", false],
          daily: ["262800h0m0s", false],
        });
      } finally {
        await store.close();
      }
    });
  });

  describe("InfluxStore specifics", () => {
    let store: InfluxStore;
    afterEach(async () => {
      await store?.close();
    });

    it("creates its database at start, and starts again on an existing one", async () => {
      const database = freshDatabase();
      store = await started(database);
      await store.write([observation("pt-1", T0, { pressure_bar: 3.5 })]);
      await store.close();
      store = await started(database);
      expect(await store.countValues({})).toBe(1);
    });

    it("counts exactly the points a partial write dropped, across batches", async () => {
      store = await started(freshDatabase(), { batchLines: 2 });
      await store.write([observation("pt-1", T0, { reading: 1 })]);
      const mixed = [
        observation("pt-1", T0 + 1, { reading: 2 }),
        observation("pt-1", T0 + 2, { reading: "high" }),
        observation("pt-2", T0 + 3, { reading: "low" }),
        observation("pt-2", T0 + 4, { reading: 3 }),
        observation("pt-3", T0 + 5, { reading: "none" }),
      ];
      await expect(store.write(mixed)).rejects.toMatchObject({
        code: "ERR_STORE_PARTIAL_WRITE",
        retryable: false,
        written: 2,
        dropped: 3,
      });
      expect(await store.countValues({})).toBe(3);
    });

    it("refuses a value line protocol cannot carry before sending anything", async () => {
      store = await started(freshDatabase());
      const write = store.write([
        observation("pt-1", T0, { pressure_bar: 1 }),
        observation("pt-1", T0 + 1, { pressure_bar: Number.NaN }),
      ]);
      await expect(write).rejects.toMatchObject({ code: "ERR_STORE_UNREPRESENTABLE", retryable: false });
      expect(await store.countValues({})).toBe(0);
    });

    it("writes many batches with and without gzip", async () => {
      for (const gzip of [true, false]) {
        store = await started(freshDatabase(), { gzip, batchLines: 1_000, concurrency: 3 });
        const many = Array.from({ length: 12_345 }, (_, i) => observation(`pt-${i % 50}`, T0 + i, { v: i }));
        await store.write(many);
        expect(await store.countValues({})).toBe(many.length);
        await store.close();
      }
    });

    it("reports an outage as retryable, and writes again once InfluxDB is back", async () => {
      store = await started(freshDatabase(), { timeoutMs: 2_000 });
      await store.write([observation("pt-1", T0, { pressure_bar: 1 })]);
      await server.halt();
      try {
        await expect(store.write([observation("pt-1", T0 + 1, { pressure_bar: 2 })])).rejects.toMatchObject({
          code: "ERR_STORE_UNAVAILABLE",
          retryable: true,
        });
        await expect(store.latest({})).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      } finally {
        await server.restart();
      }
      await store.write([observation("pt-1", T0 + 1, { pressure_bar: 2 })]);
      expect(await store.countValues({})).toBe(2);
    });

    it("sees a field another process added, once its schema cache is refreshed by the read", async () => {
      const database = freshDatabase();
      store = await started(database);
      const other = await started(database);
      await store.write([observation("pt-1", T0, { pressure_bar: 1 })]);
      expect(await store.series({ deviceId: "pt-1", from: T0, to: T0 + 10 })).toHaveLength(1);
      await other.write([observation("pt-1", T0 + 1, { flow_m3h: 7 })]);
      await other.close();
      const named = await store.series({ deviceId: "pt-1", from: T0, to: T0 + 10, fields: ["flow_m3h"] });
      expect(named.map((p) => p.last)).toEqual([7]);
    });
  });
});

// ---------------------------------------------------------------- against a fake server

interface Fake {
  url: string;
  requests: { url: string; headers: IncomingMessage["headers"]; body: string }[];
  maxInFlight: number;
  close(): Promise<void>;
}

/** An HTTP server that answers like InfluxDB's /write after a delay, to watch what the store sends. */
async function fakeInflux(
  answer: (body: string) => { status: number; body?: string },
  delayMs = 20,
): Promise<Fake> {
  const fake = { requests: [], maxInFlight: 0 } as unknown as Fake;
  let inFlight = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString() : raw.toString();
      fake.requests.push({ url: req.url ?? "", headers: req.headers, body });
      setTimeout(() => {
        inFlight -= 1;
        const reply = answer(body);
        res.writeHead(reply.status, { "Content-Type": "application/json" });
        res.end(reply.body ?? "");
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

describe("InfluxStore write path (fake server)", () => {
  let fake: Fake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const batch = (n: number) => Array.from({ length: n }, (_, i) => observation(`pt-${i}`, T0 + i, { v: i }));

  it("sends gzip batches of batchLines, never more than `concurrency` at once, with basic auth", async () => {
    fake = await fakeInflux(() => ({ status: 204 }));
    const store = createInfluxStore({
      url: fake.url,
      database: "lanterne",
      username: "gw",
      password: "s3cret:x",
      batchLines: 10,
      concurrency: 2,
      gzip: true,
    });
    await Promise.all([store.write(batch(45)), store.write(batch(30))]);
    const sizes = fake.requests.map((r) => r.body.split("\n").length).sort((a, b) => a - b);
    expect(sizes).toEqual([5, 10, 10, 10, 10, 10, 10, 10]);
    expect(fake.maxInFlight).toBe(2);
    const [first] = fake.requests;
    expect(first?.url).toBe("/write?db=lanterne&precision=ms");
    expect(first?.headers["content-encoding"]).toBe("gzip");
    expect(first?.headers.authorization).toBe(`Basic ${Buffer.from("gw:s3cret:x").toString("base64")}`);
  });

  it("does not compress by default when InfluxDB is on this machine", async () => {
    fake = await fakeInflux(() => ({ status: 204 }));
    const store = createInfluxStore({ url: fake.url, database: "lanterne" });
    await store.write(batch(3));
    expect(fake.requests[0]?.headers["content-encoding"]).toBeUndefined();
    expect(fake.requests[0]?.body.split("\n")).toHaveLength(3);
  });

  it("sends the batches of a write that repeats a point one after the other, in order", async () => {
    fake = await fakeInflux(() => ({ status: 204 }));
    const store = createInfluxStore({ url: fake.url, database: "lanterne", batchLines: 10, concurrency: 4 });
    await store.write([...batch(20), ...batch(20)]);
    expect(fake.maxInFlight).toBe(1);
    expect(fake.requests).toHaveLength(4);
  });

  it("waits for writes in flight on close, and refuses writes after it", async () => {
    fake = await fakeInflux(() => ({ status: 204 }), 200);
    const store = createInfluxStore({ url: fake.url, database: "lanterne", batchLines: 10 });
    let done = false;
    const writing = store.write(batch(30)).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    await store.close();
    expect(done).toBe(true);
    await writing;
    await expect(store.write(batch(1))).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
  });

  it.each([
    [500, '{"error":"timeout"}', { code: "ERR_STORE_UNAVAILABLE", retryable: true }],
    [503, "", { code: "ERR_STORE_UNAVAILABLE", retryable: true }],
    [429, "", { code: "ERR_STORE_UNAVAILABLE", retryable: true }],
    [404, '{"error":"database not found: \\"x\\""}', { code: "ERR_STORE_REFUSED", retryable: false }],
    [401, '{"error":"authorization failed"}', { code: "ERR_STORE_REFUSED", retryable: false }],
    [
      400,
      '{"error":"partial write: field type conflict: input field \\"v\\" on measurement \\"water\\" is type string, already exists as type float dropped=2"}',
      { code: "ERR_STORE_PARTIAL_WRITE", retryable: false, written: 3, dropped: 2 },
    ],
    [
      422,
      '{"code":"unprocessable entity","message":"failure writing points to database: partial write: field type conflict dropped=1"}',
      { code: "ERR_STORE_PARTIAL_WRITE", retryable: false, written: 4, dropped: 1 },
    ],
  ])("maps HTTP %i to %j", async (status, body, expected) => {
    fake = await fakeInflux(() => ({ status, body }), 0);
    const store = createInfluxStore({ url: fake.url, database: "lanterne" });
    await expect(store.write(batch(5))).rejects.toMatchObject(expected);
  });

  it("reports an unreachable server as retryable, at start and on write", async () => {
    const port = await freePort();
    const store = createInfluxStore({
      url: `http://127.0.0.1:${port}`,
      database: "lanterne",
      timeoutMs: 1_000,
    });
    await expect(store.start()).rejects.toMatchObject({ code: "ERR_STORE_UNAVAILABLE", retryable: true });
    await expect(store.write(batch(1))).rejects.toMatchObject({
      code: "ERR_STORE_UNAVAILABLE",
      retryable: true,
    });
  });
});

// ---------------------------------------------------------------- pure parts

describe("InfluxDB responses and configuration", () => {
  it.each([
    ['partial write: field type conflict: input field "x" on measurement "d" is type string dropped=2', 5, 2],
    ["partial write: points beyond retention policy dropped=7", 10, 7],
    ["unable to parse 'm,device_id=ab\\\\ x=1 3000': invalid tag format", 1, 1],
    [
      "partial write: unable to parse 'bad line': invalid field format\nunable to parse 'bad2': missing fields dropped=0",
      4,
      2,
    ],
    ["partial write: unable to parse 'bad': invalid field format dropped=3", 10, 4],
    ["something InfluxDB never said", 6, 6],
    ["partial write: max-values-per-tag limit exceeded dropped=99", 5, 5],
    ["partial write: unable to parse 'm s=\"dropped=9\"': invalid number dropped=0", 5, 1],
  ])("counts the points dropped in %j (of %i)", (detail, lines, dropped) => {
    expect(droppedPoints(detail, lines)).toBe(dropped);
  });

  it("merges a chunked /query response back into one result per statement", () => {
    const body = [
      '{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","x"],"values":[[0,0],[1,1]],"partial":true}],"partial":true}]}',
      '{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","x"],"values":[[2,2]]}]}]}',
      '{"results":[{"statement_id":1}]}',
      '{"results":[{"statement_id":2,"series":[{"name":"d","tags":{"device_id":"a"},"columns":["time","x"],"values":[[5,1]]}]}]}',
      "",
    ].join("\n");
    expect(mergeChunks(body)).toEqual([
      [
        {
          name: "m",
          columns: ["time", "x"],
          values: [
            [0, 0],
            [1, 1],
            [2, 2],
          ],
          partial: true,
        },
      ],
      [],
      [{ name: "d", tags: { device_id: "a" }, columns: ["time", "x"], values: [[5, 1]] }],
    ]);
    expect(() => mergeChunks('{"results":[{"statement_id":0,"error":"database not found: x"}]}')).toThrow(
      expect.objectContaining({ code: "ERR_STORE_REFUSED" }),
    );
  });

  it.each([
    ["influx://localhost/lanterne", { url: "http://localhost:8086", database: "lanterne" }],
    [
      "influx://gw:p%40ss%3Aword@db.example:9999/lanterne_ccphva",
      { url: "http://db.example:9999", database: "lanterne_ccphva", username: "gw", password: "p@ss:word" },
    ],
    ["influxs://db.example/x", { url: "https://db.example:8086", database: "x" }],
    ["influx://[::1]:8087/x", { url: "http://[::1]:8087", database: "x" }],
  ])("parses %s", (text, expected) => {
    expect(parseInfluxUrl(text)).toEqual(expected);
  });

  it.each(["http://localhost:8086/lanterne", "influx://localhost", "influx://localhost/a/b", "not a url"])(
    "refuses %s",
    (text) => {
      expect(() => parseInfluxUrl(text)).toThrow(expect.objectContaining({ code: "ERR_CONFIG_INVALID" }));
    },
  );

  it("refuses a database name that is not a plain identifier", () => {
    expect(() => createInfluxStore({ url: "http://localhost:8086", database: 'x"; DROP' })).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID" }),
    );
  });
});
