import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createCodecSandbox, type SandboxCodec } from "../gateway/codecs/sandbox.ts";
import { createWorkerCodecSandbox } from "../gateway/codecs/worker-sandbox.ts";
import { em310Bytes, FPORT } from "./lorawan-fleet.ts";

/**
 * The cost of running device codecs in the QuickJS sandbox: the EM310-UDL codec (the built-in
 * Milesight file, model variable `em310-udl`) called `calls` times through
 * `createCodecSandbox().decode`, and the same source evaluated with `new Function` in this
 * process as a plain JavaScript function, for the baseline. Only the benchmark does the latter:
 * the platform never runs a codec outside the sandbox. Then the platform's own path, the sandbox
 * on its worker thread, fed `WORKER_WAVE` concurrent calls at a time as a busy gateway would.
 */
export interface CodecOverhead {
  calls: number;
  sandboxUsPerCall: number;
  plainUsPerCall: number;
  overheadUsPerCall: number;
  /** Wall time per call through the worker sandbox, calls issued `workerWave` at a time. */
  workerUsPerCall: number;
  /** Of which the main thread was busy (queueing, posting, settling). */
  workerMainUsPerCall: number;
  workerWave: number;
  /** Both decoded every payload to the same data (the worker sandbox too). */
  sameOutput: boolean;
}

const SOURCE = fileURLToPath(new URL("../gateway/codecs/vendors/milesight.js", import.meta.url));
const VARIABLES = { model: "em310-udl" };
const WARMUP = 1_000;
const WORKER_WAVE = 5_000;

type DecodeUplink = (input: { bytes: number[]; fPort: number; variables: Record<string, string> }) => {
  data?: unknown;
};

export async function measureCodecOverhead(calls: number): Promise<CodecOverhead> {
  const source = await readFile(SOURCE, "utf8");
  const payloads = Array.from({ length: 64 }, (_, i) => [...em310Bytes(100 + i * 31, 50 + i)]);
  const sandbox = await createCodecSandbox();
  const codec = { id: "milesight-em310-udl", source, variables: VARIABLES };
  // Benchmark only: the trusted built-in codec as a plain function, for the baseline.
  const plain = new Function(`${source}\nreturn decodeUplink;`)() as DecodeUplink;
  try {
    let same = true;
    for (let i = 0; i < payloads.length; i++) {
      const bytes = payloads[i] as number[];
      const a = sandbox.decode(codec, { bytes, fPort: FPORT });
      const b = plain({ bytes, fPort: FPORT, variables: VARIABLES });
      if (!a.ok || JSON.stringify(a.data) !== JSON.stringify(b.data)) same = false;
    }
    const timeSandbox = (n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++)
        sandbox.decode(codec, { bytes: payloads[i % 64] as number[], fPort: FPORT });
      return performance.now() - t0;
    };
    let sink = 0;
    const timePlain = (n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const out = plain({ bytes: payloads[i % 64] as number[], fPort: FPORT, variables: VARIABLES });
        if (out.data) sink++;
      }
      return performance.now() - t0;
    };
    timeSandbox(WARMUP);
    timePlain(WARMUP);
    const sandboxMs = timeSandbox(calls);
    const plainMs = timePlain(calls);
    if (sink === 0) same = false;
    const sandboxUs = (sandboxMs * 1000) / calls;
    const plainUs = (plainMs * 1000) / calls;
    const worker = await measureWorker(codec, payloads, calls);
    return {
      calls,
      sandboxUsPerCall: sandboxUs,
      plainUsPerCall: plainUs,
      overheadUsPerCall: sandboxUs - plainUs,
      workerUsPerCall: worker.usPerCall,
      workerMainUsPerCall: worker.mainUsPerCall,
      workerWave: WORKER_WAVE,
      sameOutput: same && worker.same,
    };
  } finally {
    sandbox.close();
  }
}

/** Waves of concurrent calls through the worker sandbox; the event loop's busy time is the main thread's share. */
async function measureWorker(codec: SandboxCodec, payloads: number[][], calls: number) {
  const sandbox = await createWorkerCodecSandbox();
  const sync = await createCodecSandbox();
  try {
    const wave = async (n: number) => {
      const pending = [];
      for (let i = 0; i < n; i++)
        pending.push(sandbox.decode(codec, { bytes: payloads[i % 64] as number[], fPort: FPORT }));
      return Promise.all(pending);
    };
    const first = await wave(payloads.length);
    const same = first.every(
      (r, i) =>
        JSON.stringify(r) ===
        JSON.stringify(sync.decode(codec, { bytes: payloads[i] as number[], fPort: FPORT })),
    );
    await wave(WARMUP);
    const loop0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    for (let done = 0; done < calls; done += WORKER_WAVE) await wave(Math.min(WORKER_WAVE, calls - done));
    const ms = performance.now() - t0;
    const busyMs = performance.eventLoopUtilization(loop0).active;
    return { usPerCall: (ms * 1000) / calls, mainUsPerCall: (busyMs * 1000) / calls, same };
  } finally {
    sync.close();
    await sandbox.close();
  }
}
