import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CodecSandbox, createCodecSandbox, type SandboxCodec } from "../../gateway/codecs/sandbox.ts";
import { DataCode } from "../../services/domain/errors.ts";

/**
 * Hostile codecs in the real QuickJS sandbox (no mock): every one must come back as a value with
 * its code, and the sandbox must keep serving afterwards.
 */
let sandbox: CodecSandbox;
beforeAll(async () => {
  sandbox = await createCodecSandbox({ timeoutMs: 50, memoryBytes: 16 * 1024 * 1024 });
});
afterAll(() => sandbox.close());

const input = { bytes: [1, 2, 3], fPort: 85 };
let seq = 0;
const codec = (body: string): SandboxCodec => ({ id: `test-${seq++}`, source: body });
const returning = (expr: string) => codec(`function decodeUplink(input) { return ${expr}; }`);
const codeOf = (c: SandboxCodec) => {
  const r = sandbox.decode(c, input);
  return r.ok ? "ok" : r.violation.code;
};

describe("sandbox: results", () => {
  it("passes input bytes, fPort and variables in, and data and warnings out", () => {
    const echo: SandboxCodec = {
      id: "echo",
      source: `function decodeUplink(input) {
        return { data: { sum: input.bytes.reduce((a, b) => a + b, 0), port: input.fPort, v: input.variables.k },
                 warnings: ["w"] };
      }`,
      variables: { k: "x" },
    };
    expect(sandbox.decode(echo, input)).toEqual({
      ok: true,
      data: { sum: 6, port: 85, v: "x" },
      warnings: ["w"],
    });
  });

  it("maps non-empty errors to CODEC_ERROR with their text", () => {
    const r = sandbox.decode(returning(`{ data: {}, errors: ["bad frame", "really"] }`), input);
    expect(r).toEqual({
      ok: false,
      violation: { code: DataCode.CODEC_ERROR, path: "bytes", detail: "bad frame; really" },
    });
  });

  it("keeps a codec's own globals between uplinks (as ChirpStack does)", () => {
    const counter = codec(`var n = 0; function decodeUplink() { n++; return { data: { n: n } }; }`);
    sandbox.decode(counter, input);
    expect(sandbox.decode(counter, input)).toEqual({ ok: true, data: { n: 2 }, warnings: [] });
  });

  it("does not let one codec see another's globals", () => {
    sandbox.decode(codec(`globalThis.secret = 42; function decodeUplink() { return { data: {} }; }`), input);
    const spy = returning(`{ data: { seen: typeof globalThis.secret } }`);
    expect(sandbox.decode(spy, input)).toEqual({ ok: true, data: { seen: "undefined" }, warnings: [] });
  });
});

describe("sandbox: hostile codecs", () => {
  it("a codec that throws -> CODEC_ERROR with the error's name and message", () => {
    const r = sandbox.decode(codec(`function decodeUplink() { throw new TypeError("boom"); }`), input);
    expect(r).toEqual({
      ok: false,
      violation: { code: DataCode.CODEC_ERROR, path: "codec", detail: "decodeUplink threw TypeError: boom" },
    });
  });

  it("a source that does not compile, or has no decodeUplink -> CODEC_ERROR", () => {
    expect(codeOf(codec(`function decodeUplink( {`))).toBe(DataCode.CODEC_ERROR);
    expect(codeOf(codec(`function Decoder(bytes, port) { return {}; }`))).toBe(DataCode.CODEC_ERROR);
  });

  it("an endless loop -> CODEC_TIMEOUT near the limit, then a fresh runtime serves the next uplink", () => {
    const looping: SandboxCodec = {
      id: "looping",
      source: `var calls = 0;
        function decodeUplink(input) { calls++; if (input.fPort === 1) while (true) {} return { data: { calls: calls } }; }`,
    };
    const restarts = sandbox.stats().restarts;
    const started = performance.now();
    const r = sandbox.decode(looping, { bytes: [], fPort: 1 });
    const elapsed = performance.now() - started;
    expect(r.ok ? "ok" : r.violation.code).toBe(DataCode.CODEC_TIMEOUT);
    expect(elapsed).toBeGreaterThanOrEqual(49);
    expect(elapsed).toBeLessThan(500);
    expect(sandbox.stats().restarts).toBe(restarts + 1);
    // calls restarts from 0: the stopped runtime was thrown away, not reused.
    expect(sandbox.decode(looping, { bytes: [], fPort: 2 })).toEqual({
      ok: true,
      data: { calls: 1 },
      warnings: [],
    });
  });

  it("a loop at load time -> CODEC_TIMEOUT", () => {
    expect(codeOf(codec(`for (;;) {} function decodeUplink() { return { data: {} }; }`))).toBe(
      DataCode.CODEC_TIMEOUT,
    );
  });

  it("allocating past the memory limit -> CODEC_MEMORY, and the process and sandbox keep running", () => {
    const hog: SandboxCodec = {
      id: "hog",
      source: `function decodeUplink(input) {
        if (input.fPort === 1) { var s = "x".repeat(64 * 1024 * 1024); return { data: { n: s.length } }; }
        return { data: { fine: true } };
      }`,
    };
    const r = sandbox.decode(hog, { bytes: [], fPort: 1 });
    expect(r.ok ? "ok" : r.violation.code).toBe(DataCode.CODEC_MEMORY);
    expect(sandbox.decode(hog, { bytes: [], fPort: 2 })).toEqual({
      ok: true,
      data: { fine: true },
      warnings: [],
    });
  });

  it("allocating step by step until out of memory -> CODEC_MEMORY (given the time to get there)", async () => {
    const patient = await createCodecSandbox({ timeoutMs: 5000, memoryBytes: 4 * 1024 * 1024 });
    const grower = codec(
      `function decodeUplink() { var a = []; for (;;) a.push({ i: a.length, s: "v" + a.length }); }`,
    );
    const r = patient.decode(grower, input);
    patient.close();
    expect(r.ok ? "ok" : r.violation.code).toBe(DataCode.CODEC_MEMORY);
  });

  it("runaway recursion -> CODEC_MEMORY (the stack limit)", () => {
    expect(
      codeOf(codec(`function f(n) { return f(n + 1) + 1; } function decodeUplink() { return f(0); }`)),
    ).toBe(DataCode.CODEC_MEMORY);
  });

  it.each([
    ["undefined", "undefined"],
    ["a string", `"hello"`],
    ["an array", `[1, 2]`],
    ["null data", `{ data: null }`],
    ["data as an array", `{ data: [1] }`],
    ["NaN", `{ data: { x: NaN } }`],
    ["Infinity nested", `{ data: { a: [1, { b: -Infinity }] } }`],
    ["a function", `{ data: { f: function () {} } }`],
    ["a symbol", `{ data: { s: Symbol("x") } }`],
    ["a cycle", `(function () { var o = { data: {} }; o.data.self = o; return o; })()`],
    ["a huge object", `{ data: { big: "x".repeat(100000) } }`],
    [
      "a deep object",
      `(function () { var d = {}; for (var i = 0; i < 100; i++) d = { d: d }; return { data: d }; })()`,
    ],
    ["errors not an array", `{ data: {}, errors: "bad" }`],
    ["a BigInt", `{ data: { n: 10n } }`],
  ])("garbage result (%s) -> CODEC_OUTPUT", (_name, expr) => {
    expect(codeOf(returning(expr))).toBe(DataCode.CODEC_OUTPUT);
  });

  it("has no require, process, fetch, std, os; import() never reaches the host", () => {
    const probe = codec(`function decodeUplink() {
      var imported = "none";
      try { import("node:fs").then(function () { imported = "loaded"; }, function () { imported = "refused"; }); }
      catch (e) { imported = "threw"; }
      return { data: {
        require: typeof require, process: typeof process, fetch: typeof globalThis.fetch,
        std: typeof std, os: typeof os, setTimeout: typeof setTimeout, imported: imported } };
    }`);
    const first = sandbox.decode(probe, input);
    expect(first).toEqual({
      ok: true,
      data: {
        require: "undefined",
        process: "undefined",
        fetch: "undefined",
        std: "undefined",
        os: "undefined",
        setTimeout: "undefined",
        imported: "none",
      },
      warnings: [],
    });
  });

  it("cannot subvert the wrapper by replacing JSON", () => {
    const sneaky = codec(`JSON.stringify = function () { return "R{\\"data\\":{\\"forged\\":1}}"; };
      function decodeUplink() { return { data: { x: NaN } }; }`);
    expect(codeOf(sneaky)).toBe(DataCode.CODEC_OUTPUT);
  });

  it("counts calls and time for benchmarks", () => {
    const before = sandbox.stats();
    sandbox.decode(returning(`{ data: {} }`), input);
    const after = sandbox.stats();
    expect(after.calls).toBe(before.calls + 1);
    expect(after.totalMicros).toBeGreaterThan(before.totalMicros);
  });

  it("close() disposes every runtime and refuses further use", async () => {
    const own = await createCodecSandbox();
    own.decode(returning(`{ data: {} }`), input);
    expect(own.stats().live).toBe(1);
    own.close();
    expect(own.stats().live).toBe(0);
    expect(() => own.decode(returning(`{ data: {} }`), input)).toThrow(/closed/);
  });
});
