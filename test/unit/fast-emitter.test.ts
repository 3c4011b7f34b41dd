import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { createFastEmitter, Fifo, PATCHED_FIELDS } from "../../gateway/broker/fast-emitter.ts";

interface Message {
  topic: string;
  n: number;
}

/** What the tests reach of an mqemitter: its API, and its private fields by name. */
interface Emitter {
  on(topic: string, notify: (m: Message, cb: () => void) => void, done?: () => void): void;
  emit(m: Message, cb?: () => void): void;
  /** mqemitter's getter over its message queue. */
  readonly length: number;
  [field: string]: unknown;
}

const require = createRequire(import.meta.url);
const MQEmitter = require("mqemitter") as (opts: { concurrency: number }) => Emitter;

/** A listener that holds each delivery until `release()`: deliveries past the concurrency queue up. */
function holding(mq: Emitter) {
  const seen: number[] = [];
  const held: Array<() => void> = [];
  mq.on("t/#", (m, cb) => {
    seen.push(m.n);
    held.push(cb);
  });
  const release = () => {
    while (held.length > 0) (held.shift() as () => void)();
  };
  return { seen, release };
}

describe("O(1) FIFO for the broker's message queue", () => {
  it("keeps order across compactions", () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift() as number);
    }
    while (q.length > 0) out.push(q.shift() as number);
    expect(out).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
  });

  it("delivers every message past the emitter's concurrency, in order", async () => {
    const mq = createFastEmitter(2) as Emitter;
    const { seen, release } = holding(mq);
    await new Promise((r) => setImmediate(r));
    for (let n = 0; n < 100; n++) mq.emit({ topic: "t/x", n });
    release();
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

/**
 * fast-emitter.ts replaces private fields of mqemitter. These tests fail when an upgrade renames
 * or reshapes them, before the broker silently runs without the patch (or breaks).
 */
describe("mqemitter internals the patch relies on", () => {
  it("is declared at the exact version installed", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const installed = (require("mqemitter/package.json") as { version: string }).version;
    expect(pkg.dependencies.mqemitter).toBe(installed);
  });

  it("keeps its queues in the empty arrays the patch replaces", () => {
    const mq = MQEmitter({ concurrency: 1 });
    for (const field of PATCHED_FIELDS) {
      expect(Array.isArray(mq[field]), field).toBe(true);
      expect((mq[field] as unknown[]).length, field).toBe(0);
    }
    expect(typeof mq._released, "_released").toBe("function");
  });

  it("queues messages past its concurrency in those fields, read through `length`", () => {
    const mq = MQEmitter({ concurrency: 1 });
    const { seen, release } = holding(mq);
    for (let n = 0; n < 3; n++) mq.emit({ topic: "t/x", n });
    expect(seen).toEqual([0]);
    expect((mq._messageQueue as Message[]).map((m) => m.n)).toEqual([1, 2]);
    expect((mq._messageCallbacks as unknown[]).length).toBe(2);
    expect(mq.length).toBe(2);
    release();
    release();
    release();
    expect(seen).toEqual([0, 1, 2]);
    expect(mq.length).toBe(0);
  });

  it("queues into the patched FIFOs once patched, and still delivers in order", () => {
    const mq = createFastEmitter(1) as Emitter;
    for (const field of PATCHED_FIELDS) expect(mq[field], field).toBeInstanceOf(Fifo);
    const { seen, release } = holding(mq);
    for (let n = 0; n < 5; n++) mq.emit({ topic: "t/x", n });
    expect(seen).toEqual([0]);
    // The FIFOs hold what mqemitter queued: the patch is in its path, not beside it.
    expect((mq._messageQueue as Fifo<Message>).length).toBe(4);
    expect((mq._messageCallbacks as Fifo<unknown>).length).toBe(4);
    expect(mq.length).toBe(4);
    for (let i = 0; i < 5; i++) release();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(mq.length).toBe(0);
  });
});
