import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDefaultCodecRegistry } from "../../gateway/codecs/registry.ts";
import { type CodecResult, createCodecSandbox, type SandboxCodec } from "../../gateway/codecs/sandbox.ts";
import { type AsyncCodecSandbox, createWorkerCodecSandbox } from "../../gateway/codecs/worker-sandbox.ts";
import { DataCode } from "../../services/domain/errors.ts";

/**
 * The codec sandbox on its own thread, with real workers: same results as the sync sandbox, every
 * promise settles, and a codec that escapes QuickJS's limits costs a worker, not the platform.
 */
let sandbox: AsyncCodecSandbox;
beforeAll(async () => {
  sandbox = await createWorkerCodecSandbox();
});
afterAll(() => sandbox.close());

const input = { bytes: [1, 2, 3], fPort: 85 };
const codeOf = (r: CodecResult) => (r.ok ? "ok" : r.violation.code);
const echo: SandboxCodec = {
  id: "echo",
  source: `function decodeUplink(input) { return { data: { bytes: input.bytes, port: input.fPort } }; }`,
};
const echoed = (bytes: number[], port: number): CodecResult => ({
  ok: true,
  data: { bytes, port },
  warnings: [],
});
/** One native call QuickJS's interrupt handler never sees the end of: tens of seconds in the sync sandbox. */
const staller: SandboxCodec = {
  id: "staller",
  source: `function decodeUplink() { for (;;) new Array(1e6).fill(0); }`,
};

describe("worker sandbox: results", () => {
  const FIXTURES = new URL("../fixtures/codecs/", import.meta.url);
  const vectors = readdirSync(FIXTURES)
    .filter((n) => n.endsWith(".json"))
    .flatMap((n) => {
      const id = n.slice(0, -".json".length);
      const list = JSON.parse(readFileSync(new URL(n, FIXTURES), "utf8")) as {
        fPort: number;
        bytes: string;
      }[];
      return list.map((v) => ({
        id,
        fPort: v.fPort,
        bytes: Buffer.from(v.bytes.replace(/\s+/g, ""), "hex"),
      }));
    });

  it("decodes the vendor vectors as the sync sandbox does", async () => {
    const registry = await createDefaultCodecRegistry();
    const sync = await createCodecSandbox();
    const codecOf = (id: string) => registry.get(id) as SandboxCodec;
    const expected = vectors.map((v) => sync.decode(codecOf(v.id), { bytes: v.bytes, fPort: v.fPort }));
    sync.close();
    const got = await Promise.all(
      vectors.map((v) => sandbox.decode(codecOf(v.id), { bytes: v.bytes, fPort: v.fPort })),
    );
    expect(vectors.length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
  });

  it("settles many concurrent calls, each with its own result, in order", async () => {
    const calls = Array.from({ length: 3000 }, (_, i) => ({
      bytes: [i & 255, i >> 8],
      fPort: 1 + (i % 200),
    }));
    const order: number[] = [];
    const results = await Promise.all(
      calls.map((c, i) =>
        sandbox.decode(echo, c).then((r) => {
          order.push(i);
          return r;
        }),
      ),
    );
    expect(results).toEqual(calls.map((c) => echoed(c.bytes, c.fPort)));
    expect(order).toEqual(calls.map((_, i) => i));
  });

  it("reads the bytes at the call, not when the batch leaves", async () => {
    const bytes = Uint8Array.from([7, 8]);
    const pending = sandbox.decode(echo, { bytes, fPort: 2 });
    bytes.fill(0);
    expect(await pending).toEqual(echoed([7, 8], 2));
  });

  it("runs a codec's new source once its id comes with one", async () => {
    const v1 = { id: "versioned", source: `function decodeUplink() { return { data: { v: 1 } }; }` };
    const v2 = { id: "versioned", source: `function decodeUplink() { return { data: { v: 2 } }; }` };
    const [a, b] = await Promise.all([sandbox.decode(v1, input), sandbox.decode(v2, input)]);
    expect([a, b]).toEqual([
      { ok: true, data: { v: 1 }, warnings: [] },
      { ok: true, data: { v: 2 }, warnings: [] },
    ]);
    expect(await sandbox.decode(v2, input)).toEqual({ ok: true, data: { v: 2 }, warnings: [] });
  });

  it("reports the worker's counters", async () => {
    const before = sandbox.stats();
    await Promise.all([sandbox.decode(echo, input), sandbox.decode(echo, input)]);
    const after = sandbox.stats();
    expect(after.calls).toBe(before.calls + 2);
    expect(after.totalMicros).toBeGreaterThan(before.totalMicros);
    expect(after.live).toBeGreaterThan(0);
  });
});

describe("worker sandbox: hostile codecs", () => {
  it("an endless loop -> CODEC_TIMEOUT from QuickJS's own interrupt; the worker keeps serving", async () => {
    const looping = { id: "looping", source: `function decodeUplink() { while (true) {} }` };
    const restarts = sandbox.stats().workerRestarts;
    const [r, next] = await Promise.all([sandbox.decode(looping, input), sandbox.decode(echo, input)]);
    expect(r).toEqual({
      ok: false,
      violation: {
        code: DataCode.CODEC_TIMEOUT,
        path: "codec",
        detail: "decodeUplink ran past its time limit",
      },
    });
    expect(next).toEqual(echoed([1, 2, 3], 85));
    expect(sandbox.stats().workerRestarts).toBe(restarts);
  });

  it("a call past the watchdog -> CODEC_TIMEOUT; the other calls of its batch run on a new worker", async () => {
    const own = await createWorkerCodecSandbox({}, { watchdogMs: 300 });
    const results = await Promise.all([
      own.decode(echo, { bytes: [1], fPort: 1 }),
      own.decode(staller, input),
      own.decode(echo, { bytes: [3], fPort: 3 }),
    ]);
    expect(results[0]).toEqual(echoed([1], 1));
    expect(results[1]?.ok ? "ok" : results[1]?.violation).toMatchObject({
      code: DataCode.CODEC_TIMEOUT,
      detail: expect.stringMatching(/watchdog/),
    });
    expect(results[2]).toEqual(echoed([3], 3));
    expect(own.stats().workerRestarts).toBe(1);
    expect(await own.decode(echo, { bytes: [4], fPort: 4 })).toEqual(echoed([4], 4));
    await own.close();
  });

  it("calls that keep killing workers fail, and the others are run again once only", async () => {
    const own = await createWorkerCodecSandbox({}, { watchdogMs: 300 });
    const results = await Promise.all([
      own.decode(staller, input),
      own.decode(echo, input),
      own.decode({ ...staller, id: "staller-2" }, input),
    ]);
    // First worker: the first staller is to blame. Second: the other one, and the echo (run
    // twice, answered by neither worker) gives up rather than try a third.
    expect(results.map(codeOf)).toEqual([
      DataCode.CODEC_TIMEOUT,
      DataCode.CODEC_ERROR,
      DataCode.CODEC_TIMEOUT,
    ]);
    expect(own.stats().workerRestarts).toBe(2);
    expect(await own.decode(echo, input)).toEqual(echoed([1, 2, 3], 85));
    await own.close();
  });

  it("close() settles the calls not answered yet, and refuses new ones", async () => {
    const own = await createWorkerCodecSandbox({}, { watchdogMs: 60_000 });
    const pending = [own.decode(staller, input), own.decode(echo, input)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    pending.push(own.decode(echo, input));
    await own.close();
    const results = await Promise.all(pending);
    expect(results.map(codeOf)).toEqual([DataCode.CODEC_ERROR, DataCode.CODEC_ERROR, DataCode.CODEC_ERROR]);
    await expect(own.decode(echo, input)).rejects.toThrow(/closed/);
    expect(own.stats().live).toBe(0);
  });
});
