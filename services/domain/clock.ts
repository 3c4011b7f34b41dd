import type { EpochMs } from "./types.ts";

/** Time source, injected so that tests and replays control "now". */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() };

export function fixedClock(start: EpochMs): Clock & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}
