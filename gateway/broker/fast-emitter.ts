import { createRequire } from "node:module";

/**
 * mqemitter 7 queues messages past its concurrency limit in arrays it drains with
 * `Array#shift`, which is O(n): under a flood the queue grows, every dequeue gets slower, and
 * aedes collapses from ~20k to under 2k msg/s. The same emitter with an O(1) FIFO keeps its
 * throughput past saturation. Only the two queues are replaced; matching is untouched.
 *
 * The queues are private fields: mqemitter is pinned to an exact version in package.json, and
 * test/unit/fast-emitter.test.ts checks them on every upgrade. Should they change anyway, the
 * broker refuses to start rather than run with the patch silently ignored.
 */
const require = createRequire(import.meta.url);
const MQEmitter = require("mqemitter") as (opts: { concurrency: number }) => Record<string, unknown>;
const MQEMITTER_VERSION = (require("mqemitter/package.json") as { version: string }).version;

/** mqemitter's private queues (7.1.0: arrays pushed in `emit`, shifted in `released`). */
export const PATCHED_FIELDS = ["_messageQueue", "_messageCallbacks"] as const;

/** A FIFO with O(1) push and shift, shaped like the array it replaces (push, shift, length). */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  push(item: T): number {
    this.items.push(item);
    return this.length;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    // Compact once the consumed part dominates, so memory follows the live length.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get length(): number {
    return this.items.length - this.head;
  }
}

export function createFastEmitter(concurrency: number): unknown {
  const mq = MQEmitter({ concurrency });
  for (const field of PATCHED_FIELDS) {
    const queue = mq[field];
    if (!Array.isArray(queue) || queue.length !== 0) {
      throw new Error(
        `mqemitter ${MQEMITTER_VERSION} has no empty array ${field}: gateway/broker/fast-emitter.ts must follow its new internals`,
      );
    }
    mq[field] = new Fifo<unknown>();
  }
  return mq;
}
