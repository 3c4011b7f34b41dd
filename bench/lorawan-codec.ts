import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createCodecSandbox } from "../gateway/codecs/sandbox.ts";
import { em310Bytes, FPORT } from "./lorawan-fleet.ts";

/**
 * The cost of running device codecs in the QuickJS sandbox: the EM310-UDL codec (the built-in
 * Milesight file, model variable `em310-udl`) called `calls` times through
 * `createCodecSandbox().decode`, and the same source evaluated with `new Function` in this
 * process as a plain JavaScript function, for the baseline. Only the benchmark does the latter:
 * the platform never runs a codec outside the sandbox.
 */
export interface CodecOverhead {
  calls: number;
  sandboxUsPerCall: number;
  plainUsPerCall: number;
  overheadUsPerCall: number;
  /** Both decoded every payload to the same data. */
  sameOutput: boolean;
}

const SOURCE = fileURLToPath(new URL("../gateway/codecs/vendors/milesight.js", import.meta.url));
const VARIABLES = { model: "em310-udl" };
const WARMUP = 1_000;

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
    return {
      calls,
      sandboxUsPerCall: sandboxUs,
      plainUsPerCall: plainUs,
      overheadUsPerCall: sandboxUs - plainUs,
      sameOutput: same,
    };
  } finally {
    sandbox.close();
  }
}
