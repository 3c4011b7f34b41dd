import { describe, expect, it } from "vitest";
import { createFastEmitter, Fifo } from "../../gateway/broker/fast-emitter.ts";

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
    const mq = createFastEmitter(2) as {
      on(
        topic: string,
        fn: (m: { topic: string; n: number }, cb: () => void) => void,
        done?: () => void,
      ): void;
      emit(m: { topic: string; n: number }, cb?: () => void): void;
    };
    const seen: number[] = [];
    const pending: Array<() => void> = [];
    mq.on("t/#", (m, cb) => {
      seen.push(m.n);
      pending.push(cb);
    });
    await new Promise((r) => setImmediate(r));
    for (let n = 0; n < 100; n++) mq.emit({ topic: "t/x", n });
    while (pending.length > 0) (pending.shift() as () => void)();
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
