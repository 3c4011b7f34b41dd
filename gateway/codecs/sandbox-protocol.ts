import type { CodecResult, SandboxCodec, SandboxLimits, SandboxStats } from "./sandbox.ts";

/**
 * What the main thread and the codec worker (worker-sandbox.ts, sandbox-worker.ts) say to each
 * other. Types and slot numbers only, so that the main thread never loads QuickJS.
 */

export interface WorkerBoot {
  limits: Partial<SandboxLimits>;
  /** `STATE_SLOTS` Int32 slots the worker writes as it goes, read by the main thread's watchdog. */
  state: SharedArrayBuffer;
}

/**
 * Slots of the shared state. The worker bumps `started` before it sets `running`, so a watchdog
 * that sees `running >= 0` and an unchanged `started` knows that one call has run all along.
 */
export const SLOT = {
  /** `seq` of the batch being run. */
  seq: 0,
  /** Index in that batch of the call running now, -1 between calls. */
  running: 1,
  /** Calls started since the worker began (wraps; only compared for equality). */
  started: 2,
} as const;
export const STATE_SLOTS = 3;

/** A codec's source, sent once per worker; `ref` changes whenever the source or variables do. */
export interface CodecDef {
  ref: number;
  codec: SandboxCodec;
}

/** Ints per call in `BatchMessage.calls`: codec ref, fPort, end of its bytes in `bytes`. */
export const CALL_INTS = 3;

export interface BatchMessage {
  seq: number;
  /** Codecs this worker has not seen yet; a newer ref of a known id replaces the older after this batch. */
  defs: CodecDef[];
  /** `CALL_INTS` ints per call; a call's bytes start where the previous call's end. */
  calls: Int32Array<ArrayBuffer>;
  bytes: Uint8Array<ArrayBuffer>;
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "answer"; seq: number; results: CodecResult[]; stats: SandboxStats };
