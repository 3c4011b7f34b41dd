import type { Clock } from "../domain/clock.ts";

/**
 * Failed logins counted per key (a username, or a remote address), consulted before the slow KDF
 * so that a refused attempt costs a map lookup, not tens of milliseconds of scrypt.
 *
 * After `maxFailures` failures a key is refused until its backoff expires; once it has, the key
 * may try again, and a further failure blocks it again for twice as long (up to `maxBackoffMs`).
 * A key is forgotten `windowMs` after its last failure (once its backoff is over), so a few typos
 * a day never add up. Memory is bounded: past `maxEntries` keys, the one whose last failure is
 * oldest is forgotten first.
 */
export interface ThrottleConfig {
  maxFailures: number;
  windowMs: number;
  backoffMs: number;
  maxBackoffMs: number;
  maxEntries: number;
}

export interface LoginThrottle {
  /** Milliseconds before `key` may try again; 0 when it may try now. */
  retryAfterMs(key: string): number;
  /** Whether `key` failed recently (its attempts wait behind clean ones for the KDF). */
  suspect(key: string): boolean;
  failed(key: string): void;
  /** A verified success: the key's record is cleared. */
  succeeded(key: string): void;
  /** Keys remembered (for tests and status pages). */
  readonly size: number;
}

/** Per username: an account's secret cannot be guessed faster than 5 tries, then 30 s, 1 min, 2 min... */
export const USER_THROTTLE: ThrottleConfig = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  backoffMs: 30_000,
  maxBackoffMs: 15 * 60_000,
  maxEntries: 10_000,
};

/**
 * Per remote address: higher than per user, because one address may carry several honest
 * clients (a NAT, the collectivity's office, the simulator's three operators).
 */
export const ADDRESS_THROTTLE: ThrottleConfig = { ...USER_THROTTLE, maxFailures: 20 };

interface Entry {
  failures: number;
  last: number;
  blockedUntil: number;
  /** Blocks so far: the next one lasts backoffMs * 2^strikes. */
  strikes: number;
}

export function createLoginThrottle(config: ThrottleConfig, clock: Clock): LoginThrottle {
  const entries = new Map<string, Entry>();
  /** The live entry of `key`, after forgetting it when it has decayed. */
  const live = (key: string, now: number): Entry | undefined => {
    const e = entries.get(key);
    if (e && e.blockedUntil <= now && now - e.last > config.windowMs) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    retryAfterMs(key) {
      const now = clock.now();
      const e = live(key, now);
      return e && e.blockedUntil > now ? e.blockedUntil - now : 0;
    },
    suspect(key) {
      return live(key, clock.now()) !== undefined;
    },
    failed(key) {
      const now = clock.now();
      const e = live(key, now) ?? { failures: 0, last: now, blockedUntil: 0, strikes: 0 };
      e.failures++;
      e.last = now;
      // Failures of attempts already under way when the block began do not lengthen it.
      if (e.failures >= config.maxFailures && e.blockedUntil <= now) {
        e.blockedUntil = now + Math.min(config.maxBackoffMs, config.backoffMs * 2 ** e.strikes);
        e.strikes++;
      }
      // Re-inserted so that the Map's order is the order of last failures: the oldest goes first.
      entries.delete(key);
      if (entries.size >= config.maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, e);
    },
    succeeded(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
