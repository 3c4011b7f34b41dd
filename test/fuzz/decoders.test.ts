import fc from "fast-check";
import { describe, it } from "vitest";
import { DECODER_PROPERTIES } from "./decoder-properties.ts";

/**
 * Every decoder, alone, on the fuzz inputs of every source: never a throw, always a coded
 * refusal, nothing handed on past the JSON bounds. Seeded (printed); replay a failure with
 * `LANTERNE_FUZZ_SEED=<seed>`, or run longer with `npm run fuzz -- --source decoders`.
 */
const SEED = Number(process.env.LANTERNE_FUZZ_SEED ?? 20_261_123);
const RUNS = 300;

describe("decoders on fuzzed input", () => {
  for (const { name, property } of DECODER_PROPERTIES) {
    it(`${name}: never throws, refuses with a code, hands on bounded values`, () => {
      console.log(`fuzz seed ${SEED}: ${name}`);
      fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });
    });
  }
});
