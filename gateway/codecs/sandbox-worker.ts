import { parentPort, workerData } from "node:worker_threads";
import { DataCode, violation } from "../../services/domain/errors.ts";
import { type CodecResult, createCodecSandbox, type SandboxCodec } from "./sandbox.ts";
import {
  type BatchMessage,
  CALL_INTS,
  type CodecDef,
  SLOT,
  type WorkerBoot,
  type WorkerMessage,
} from "./sandbox-protocol.ts";

/**
 * The codec sandbox's own thread (see worker-sandbox.ts): runs each batch's calls in order in the
 * QuickJS sandbox of sandbox.ts, same limits, and answers once per batch. Which call is running
 * is written to shared memory rather than posted: the main thread reads it only when it has to
 * kill this thread, to know which call was to blame.
 */
const port = parentPort;
if (!port) throw new Error("sandbox-worker.ts runs as a worker thread only");

const boot = workerData as WorkerBoot;
const state = new Int32Array(boot.state);
const sandbox = await createCodecSandbox(boot.limits);
const codecs = new Map<number, SandboxCodec>();
const refOfId = new Map<string, number>();

port.on("message", (batch: BatchMessage) => port.postMessage(run(batch)));
port.postMessage({ type: "ready" } satisfies WorkerMessage);

function run(batch: BatchMessage): WorkerMessage {
  const stale = learn(batch.defs);
  Atomics.store(state, SLOT.seq, batch.seq);
  const count = batch.calls.length / CALL_INTS;
  const results: CodecResult[] = new Array(count);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const at = i * CALL_INTS;
    const end = batch.calls[at + 2] ?? start;
    Atomics.add(state, SLOT.started, 1);
    Atomics.store(state, SLOT.running, i);
    results[i] = decodeOne(batch.calls[at] ?? 0, batch.calls[at + 1] ?? 0, batch.bytes.subarray(start, end));
    start = end;
  }
  Atomics.store(state, SLOT.running, -1);
  for (const ref of stale) codecs.delete(ref);
  return { type: "answer", seq: batch.seq, results, stats: sandbox.stats() };
}

/** Adds the batch's codecs; returns the refs they replace, dropped once the batch ran. */
function learn(defs: readonly CodecDef[]): number[] {
  const stale: number[] = [];
  for (const { ref, codec } of defs) {
    const previous = refOfId.get(codec.id);
    if (previous !== undefined && previous !== ref) stale.push(previous);
    refOfId.set(codec.id, ref);
    codecs.set(ref, codec);
  }
  return stale;
}

function decodeOne(ref: number, fPort: number, bytes: Uint8Array): CodecResult {
  const codec = codecs.get(ref);
  if (!codec) return failed(`codec ref ${ref} is unknown to the codec worker`);
  try {
    return sandbox.decode(codec, { bytes, fPort });
  } catch (err) {
    // The sandbox returns values for everything a codec does; a throw is ours, not the codec's.
    return failed(`the codec sandbox failed: ${(err as Error).message}`);
  }
}

function failed(detail: string): CodecResult {
  return { ok: false, violation: violation(DataCode.CODEC_ERROR, "codec", detail) };
}
