import { Worker } from "node:worker_threads";
import { DataCode, violation } from "../../services/domain/errors.ts";
import { type Logger, silentLogger } from "../../services/domain/logger.ts";
import type { Violation } from "../../services/domain/types.ts";
import type {
  CodecInput,
  CodecResult,
  CodecSandbox,
  SandboxCodec,
  SandboxLimits,
  SandboxStats,
} from "./sandbox.ts";
import {
  type BatchMessage,
  CALL_INTS,
  type CodecDef,
  SLOT,
  STATE_SLOTS,
  type WorkerBoot,
  type WorkerMessage,
} from "./sandbox-protocol.ts";

/**
 * The codec sandbox on a thread of its own. On the main thread a codec call cost 26-90 us under
 * load, and a hostile codec could hold the event loop for seconds where QuickJS's interrupt is
 * not polled (inside one native `Array.prototype.fill` over a million slots, say), stalling MQTT,
 * the API and every other source. Here the main thread only queues calls; the worker runs them.
 *
 * - Calls made in the same turn of the event loop go as one message (up to `maxBatch`), with
 *   their bytes packed in one transferred buffer; a codec's source goes once per worker.
 * - At most `maxInFlight` batches wait for an answer; later calls wait here and make bigger
 *   batches, so a busy worker is fed in fewer, larger messages.
 * - Watchdog: a call still running after `watchdogMs` has escaped QuickJS's own limits. The
 *   worker is terminated and replaced; that call fails with CODEC_TIMEOUT, the other calls of
 *   the unanswered batches run again on the new worker. A worker that crashes is handled alike.
 *   A call is sent twice at most, so a codec that kills every worker cannot loop forever.
 * - Every promise settles, with a result or a coded violation; `close()` included.
 */
export interface AsyncCodecSandbox {
  decode(codec: SandboxCodec, input: CodecInput): Promise<CodecResult>;
  stats(): AsyncSandboxStats;
  /** Stops the worker; calls not answered yet settle with CODEC_ERROR. */
  close(): Promise<void>;
}

export interface AsyncSandboxStats extends SandboxStats {
  /** Workers replaced after a stall or a crash. */
  workerRestarts: number;
}

export interface WorkerSandboxOptions {
  /**
   * How long one call may run, in ms, before the worker counts as stalled. Well above the
   * sandbox's own limits (`timeoutMs`, and `loadTimeoutMs` for a codec's first call), which
   * normally stop a codec first. A stall is seen between one and two periods after it began.
   */
  watchdogMs: number;
  /** Most calls in one message to the worker. */
  maxBatch: number;
  /** Most batches sent and not answered yet. */
  maxInFlight: number;
  /** Where a replaced worker is reported (stall or crash, with the codec it was running). */
  log?: Logger;
}

export const DEFAULT_WORKER_SANDBOX_OPTIONS: Readonly<WorkerSandboxOptions> = {
  watchdogMs: 1000,
  maxBatch: 256,
  maxInFlight: 2,
};

/** Starts the worker and resolves once QuickJS is loaded in it (a failure to start rejects). */
export async function createWorkerCodecSandbox(
  limits: Partial<SandboxLimits> = {},
  options: Partial<WorkerSandboxOptions> = {},
): Promise<AsyncCodecSandbox> {
  const sandbox = new WorkerCodecSandbox(limits, { ...DEFAULT_WORKER_SANDBOX_OPTIONS, ...options });
  await sandbox.start();
  return sandbox;
}

/** The sync sandbox behind the async port, on the calling thread: for tests and tools that want no worker. */
export function inlineCodecSandbox(sandbox: CodecSandbox): AsyncCodecSandbox {
  return {
    decode: async (codec, input) => sandbox.decode(codec, input),
    stats: () => ({ ...sandbox.stats(), workerRestarts: 0 }),
    close: async () => sandbox.close(),
  };
}

const BOOT = new URL("./sandbox-worker-boot.mjs", import.meta.url);
/** Times a call is sent to a worker before it fails for the workers' deaths rather than run again. */
const MAX_ATTEMPTS = 2;

interface Call {
  def: CodecDef;
  fPort: number;
  /** A copy: the caller may reuse its buffer before the batch leaves. */
  bytes: Uint8Array;
  attempts: number;
  settle: (result: CodecResult) => void;
}

interface Batch {
  seq: number;
  calls: Call[];
}

/** The current codec of an id, to tell a changed source from the same one. */
interface Known {
  def: CodecDef;
  variables: SandboxCodec["variables"];
  variablesJson: string;
}

interface Thread {
  worker: Worker;
  state: Int32Array;
  /** Codec ref of each id this worker holds. */
  refs: Map<string, number>;
  /** The worker's own counters, as of its last answer. */
  stats: SandboxStats;
  /** `SLOT.started` at the watchdog's previous look. */
  lastStarted: number;
  watchdog: NodeJS.Timeout;
}

class WorkerCodecSandbox implements AsyncCodecSandbox {
  private thread: Thread | undefined;
  private queue: Call[] = [];
  private readonly inFlight = new Map<number, Batch>();
  private readonly codecs = new Map<string, Known>();
  /** Counters of the workers replaced so far. */
  private readonly past: SandboxStats = zeroStats();
  private workerRestarts = 0;
  private seq = 0;
  private refs = 0;
  private flushQueued = false;
  private closed = false;

  constructor(
    private readonly limits: Partial<SandboxLimits>,
    private readonly options: WorkerSandboxOptions,
  ) {}

  async start(): Promise<void> {
    const { worker } = this.spawn();
    worker.ref();
    await new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the codec worker exited with code ${code}`)));
    });
    worker.unref();
  }

  decode(codec: SandboxCodec, input: CodecInput): Promise<CodecResult> {
    if (this.closed) return Promise.reject(new Error("codec sandbox is closed"));
    return new Promise((settle) => {
      const bytes = new Uint8Array(input.bytes);
      this.queue.push({ def: this.defOf(codec), fPort: input.fPort, bytes, attempts: 0, settle });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else this.flushSoon();
    });
  }

  stats(): AsyncSandboxStats {
    const now = this.thread?.stats ?? zeroStats();
    const sum = addStats(this.past, now);
    return { ...sum, live: now.live, workerRestarts: this.workerRestarts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    const closing = violation(DataCode.CODEC_ERROR, "codec", "the codec sandbox closed before this call ran");
    for (const call of this.takeAll()) call.settle(fail(closing));
    if (!thread) return;
    clearInterval(thread.watchdog);
    Object.assign(this.past, addStats(this.past, thread.stats), { live: 0 });
    await thread.worker.terminate();
  }

  /** The ref of a codec's current source, a new one when the source or variables changed. */
  private defOf(codec: SandboxCodec): CodecDef {
    const known = this.codecs.get(codec.id);
    if (known && known.def.codec.source === codec.source && sameVariables(known, codec.variables)) {
      return known.def;
    }
    const { id, source, variables } = codec;
    const def: CodecDef = { ref: ++this.refs, codec: variables ? { id, source, variables } : { id, source } };
    this.codecs.set(id, { def, variables, variablesJson: JSON.stringify(variables ?? {}) });
    return def;
  }

  /** Calls made in the same turn of the event loop go together. */
  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight.size < this.options.maxInFlight && !this.closed) {
      const thread = this.thread ?? this.spawn();
      this.post(thread, this.queue.splice(0, this.options.maxBatch));
    }
  }

  private post(thread: Thread, calls: Call[]): void {
    this.seq = (this.seq + 1) | 0;
    const message = packBatch(this.seq, calls, thread.refs);
    // An idle sandbox does not keep the process alive; a call waiting for its answer does.
    if (this.inFlight.size === 0) thread.worker.ref();
    this.inFlight.set(this.seq, { seq: this.seq, calls });
    thread.worker.postMessage(message, [message.calls.buffer, message.bytes.buffer]);
  }

  private spawn(): Thread {
    const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
    state[SLOT.running] = -1;
    const boot: WorkerBoot = { limits: this.limits, state: state.buffer as SharedArrayBuffer };
    const worker = new Worker(BOOT, { workerData: boot });
    const thread: Thread = {
      worker,
      state,
      refs: new Map(),
      stats: zeroStats(),
      lastStarted: 0,
      watchdog: setInterval(() => this.watch(thread), this.options.watchdogMs).unref(),
    };
    worker.on("message", (m: WorkerMessage) => this.onMessage(thread, m));
    worker.on("error", (err) => this.replace(thread, crashed(err.message, errorCode(err))));
    worker.on("exit", (code) => this.replace(thread, crashed(`it exited with code ${code}`)));
    worker.unref();
    this.thread = thread;
    return thread;
  }

  private onMessage(thread: Thread, m: WorkerMessage): void {
    if (m.type !== "answer" || this.thread !== thread) return;
    const batch = this.inFlight.get(m.seq);
    if (!batch) return;
    this.inFlight.delete(m.seq);
    thread.stats = m.stats;
    if (this.inFlight.size === 0) thread.worker.unref();
    const missing = violation(DataCode.CODEC_ERROR, "codec", "the codec worker gave no result");
    batch.calls.forEach((call, i) => {
      call.settle(m.results[i] ?? fail(missing));
    });
    this.flush();
  }

  /** Stalled: the same call has been running since the previous look. */
  private watch(thread: Thread): void {
    const running = Atomics.load(thread.state, SLOT.running);
    const seq = Atomics.load(thread.state, SLOT.seq);
    const started = Atomics.load(thread.state, SLOT.started);
    const stalled = running >= 0 && started === thread.lastStarted;
    thread.lastStarted = started;
    if (!stalled) return;
    const detail = `decodeUplink ran past the codec worker's watchdog (${this.options.watchdogMs} ms)`;
    this.replace(thread, violation(DataCode.CODEC_TIMEOUT, "codec", detail), { seq, index: running });
  }

  /**
   * Drops a stalled or dead worker: the call it was running gets `blame`, the other calls it was
   * given run again on a new worker (once), in their order, ahead of calls not sent yet.
   */
  private replace(thread: Thread, blame: Violation, culprit = runningCall(thread.state)): void {
    if (this.thread !== thread) return;
    this.thread = undefined;
    clearInterval(thread.watchdog);
    thread.worker.terminate().catch(() => {});
    Object.assign(this.past, addStats(this.past, thread.stats), { live: 0 });
    this.workerRestarts++;
    this.logReplaced(blame, culprit);
    const retry: Call[] = [];
    for (const batch of this.inFlight.values()) {
      batch.calls.forEach((call, index) => {
        if (culprit?.seq === batch.seq && culprit.index === index) call.settle(fail(blame));
        else if (call.attempts >= MAX_ATTEMPTS) call.settle(fail(lostTwice(call.attempts)));
        else retry.push(call);
      });
    }
    this.inFlight.clear();
    this.queue = retry.concat(this.queue);
    this.flush();
  }

  /** One line per replaced worker: each costs a watchdog period or a crash, so they stay rare. */
  private logReplaced(blame: Violation, culprit: { seq: number; index: number } | undefined): void {
    const call = culprit && this.inFlight.get(culprit.seq)?.calls[culprit.index];
    const fields = {
      code: blame.code,
      detail: blame.detail,
      ...(call ? { codec: call.def.codec.id } : {}),
      workerRestarts: this.workerRestarts,
    };
    (this.options.log ?? silentLogger).warn(fields, "codec worker replaced");
  }

  private takeAll(): Call[] {
    const calls = [...this.inFlight.values()].flatMap((b) => b.calls).concat(this.queue);
    this.inFlight.clear();
    this.queue = [];
    return calls;
  }
}

/** One message for a batch: new codecs first, then calls as ints and bytes in one buffer each. */
function packBatch(seq: number, calls: readonly Call[], refs: Map<string, number>): BatchMessage {
  const defs: CodecDef[] = [];
  const ints = new Int32Array(calls.length * CALL_INTS);
  const bytes = new Uint8Array(calls.reduce((n, c) => n + c.bytes.length, 0));
  let end = 0;
  calls.forEach((call, i) => {
    const { ref, codec } = call.def;
    if (refs.get(codec.id) !== ref) {
      defs.push(call.def);
      refs.set(codec.id, ref);
    }
    bytes.set(call.bytes, end);
    end += call.bytes.length;
    ints[i * CALL_INTS] = ref;
    ints[i * CALL_INTS + 1] = call.fPort;
    ints[i * CALL_INTS + 2] = end;
    call.attempts++;
  });
  return { seq, defs, calls: ints, bytes };
}

function runningCall(state: Int32Array): { seq: number; index: number } | undefined {
  const index = Atomics.load(state, SLOT.running);
  return index >= 0 ? { seq: Atomics.load(state, SLOT.seq), index } : undefined;
}

function sameVariables(known: Known, variables: SandboxCodec["variables"]): boolean {
  return known.variables === variables || known.variablesJson === JSON.stringify(variables ?? {});
}

function errorCode(err: Error): string | undefined {
  return (err as Error & { code?: string }).code;
}

function crashed(why: string, code?: string): Violation {
  // Node's own heap limit, not QuickJS's: still the call's memory, as far as anyone can tell.
  const kind = code === "ERR_WORKER_OUT_OF_MEMORY" ? DataCode.CODEC_MEMORY : DataCode.CODEC_ERROR;
  return violation(kind, "codec", `the codec worker stopped during this call: ${why}`);
}

function lostTwice(attempts: number): Violation {
  const detail = `the codec worker stopped ${attempts} times while this call waited: not run again`;
  return violation(DataCode.CODEC_ERROR, "codec", detail);
}

function fail(v: Violation): CodecResult {
  return { ok: false, violation: v };
}

function zeroStats(): SandboxStats {
  return { calls: 0, totalMicros: 0, maxMicros: 0, runtimesCreated: 0, restarts: 0, live: 0 };
}

function addStats(a: SandboxStats, b: SandboxStats): SandboxStats {
  return {
    calls: a.calls + b.calls,
    totalMicros: a.totalMicros + b.totalMicros,
    maxMicros: Math.max(a.maxMicros, b.maxMicros),
    runtimesCreated: a.runtimesCreated + b.runtimesCreated,
    restarts: a.restarts + b.restarts,
    live: a.live + b.live,
  };
}
