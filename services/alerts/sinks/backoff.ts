/** Retry pacing of a webhook whose receiver fails. */
export interface BackoffConfig {
  /** Wait after the first failed attempt (ms). */
  initialMs: number;
  /** Longest wait between two attempts (ms), however long the receiver stays down. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 1_000, maxMs: 300_000 };

/**
 * The wait before attempt `failures + 1`: the initial wait doubled at each failure up to the cap,
 * then drawn between half of it and all of it, so that webhooks failing together (one receiver
 * down behind several of them, a restart) do not retry in lockstep. `random` returns [0, 1).
 */
export function backoffDelay(failures: number, config: BackoffConfig, random: () => number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 40);
  const ceiling = Math.min(config.maxMs, config.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
