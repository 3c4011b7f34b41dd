import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness, type Memory, memory, memoryGrowth, type QuarantineMark } from "./harness.ts";
import { runSource, SOURCES, type SourceName, type SourceRun } from "./properties.ts";

/**
 * One message never stops the platform and nothing is lost: every property of properties.ts,
 * seeded and bounded, against one in-process platform over real sockets. The seed is printed;
 * `LANTERNE_FUZZ_SEED=<seed> npx vitest run test/fuzz` replays a run, and `npm run fuzz` goes
 * on for longer with the same properties.
 */
const SEED = Number(process.env.LANTERNE_FUZZ_SEED ?? 20_261_123);

/** Runs per source: the whole folder stays well under a minute on two cores. */
const RUNS: Readonly<Record<SourceName, number>> = {
  mqtt: 60,
  "mqtt-pb": 40,
  ws: 30,
  sparkplug: 30,
  http: 60,
  "http-pb": 40,
  tts: 40,
  udp: 50,
  chirpstack: 40,
  api: 120,
};

let h: Harness;
let mark: QuarantineMark;
let baseline: Memory;

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (replay: LANTERNE_FUZZ_SEED=${SEED} npx vitest run test/fuzz)`);
  h = await Harness.start();
  mark = await h.quarantineMark();
  baseline = memory();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function report(run: SourceRun): string {
  if (!run.failed) return "";
  return [
    `${run.name}: property failed after ${run.runs} runs (seed ${run.seed}, path ${run.path ?? "?"})`,
    `  counterexample: ${run.counterexample ?? "?"}`,
    `  ${run.error ?? ""}`,
  ].join("\n");
}

describe("fuzzing every way into the platform", () => {
  for (const source of SOURCES) {
    it(`${source.name}: ${source.what}`, async () => {
      const run = await runSource(h, source, { seed: SEED, numRuns: RUNS[source.name], maxSeconds: 20 });
      expect(run.failed, report(run)).toBe(false);
    }, 60_000);
  }

  it("kept every refusal in the store with a coded reason, as many as the writer counted", async () => {
    const entries = await h.checkQuarantineSince(mark);
    expect(entries).toBeGreaterThan(0);
  });

  it("holds no more memory than it did before the run", () => {
    const after = memory();
    console.log(
      `fuzz memory: heap ${baseline.heapUsedMb} -> ${after.heapUsedMb} MB, rss ${baseline.rssMb} -> ${after.rssMb} MB`,
    );
    expect(memoryGrowth(baseline, after)).toBeUndefined();
  });
});
