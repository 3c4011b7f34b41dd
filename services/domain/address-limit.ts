import { createHmac, randomBytes } from "node:crypto";
import type { EpochMs } from "./types.ts";

/**
 * How often one address may post to the public channel (residents' reports, declared reuses,
 * questions): in memory only, and the address is never kept, only a keyed hash of it whose key
 * dies with the process.
 */
export interface AddressLimits {
  /** Posts one address may make in an hour. */
  perAddressPerHour: number;
  /** Addresses remembered at most (oldest forgotten first): the limit's memory is bounded. */
  maxAddresses: number;
}

export const DEFAULT_COMMUNITY_LIMITS: AddressLimits = { perAddressPerHour: 5, maxAddresses: 100_000 };

const HOUR = 3_600_000;

export class AddressLimit {
  private readonly key = randomBytes(32);
  private readonly seen = new Map<string, EpochMs[]>();

  constructor(private readonly limits: AddressLimits = DEFAULT_COMMUNITY_LIMITS) {}

  /**
   * Counts a post from `address` at `now`; 0 when it is allowed, else the milliseconds until the
   * address may post again (nothing is counted then).
   */
  take(address: string, now: EpochMs): number {
    const key = createHmac("sha256", this.key).update(address).digest("base64url").slice(0, 22);
    const recent = (this.seen.get(key) ?? []).filter((t) => now - t < HOUR);
    if (recent.length >= this.limits.perAddressPerHour) {
      return Math.max(1, (recent[0] ?? now) + HOUR - now);
    }
    recent.push(now);
    this.seen.delete(key);
    this.seen.set(key, recent);
    while (this.seen.size > this.limits.maxAddresses) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    return 0;
  }
}
