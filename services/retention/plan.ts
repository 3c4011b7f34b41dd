import type { Contract } from "../contracts/model.ts";
import type { EpochMs } from "../domain/types.ts";

/**
 * What the data contracts let Lanterne keep, and for how long (their sobriety clause): each
 * contract declares a duration for raw readings, hourly rollups and daily rollups
 * (customProperties.retentionTiers).
 *
 * Raw readings carry the contract version they were accepted under, so each version's raw
 * duration applies to its own readings exactly. Rollups mix the readings of every version of a
 * domain's contract: a domain's rollups are kept as long as the longest of its versions asks (a
 * newer version that shortens the duration applies once the older versions' rollups are gone).
 */
export type RetentionTier = "raw" | "1h" | "1d";

export const RETENTION_TIERS: readonly RetentionTier[] = ["raw", "1h", "1d"];

export interface RetentionRule {
  tier: RetentionTier;
  domain: string;
  /** The contract version ("id@version") whose raw readings the rule covers; rollup rules have none. */
  contract?: string;
  keepMs: number;
}

export interface RetentionPlan {
  rules: readonly RetentionRule[];
  /** Per tier, the longest any rule keeps (what a store-wide policy, like InfluxDB's, must keep). */
  longest: Readonly<Record<RetentionTier, number>>;
}

export function retentionPlan(contracts: readonly Contract[]): RetentionPlan {
  const rules: RetentionRule[] = [];
  const rollups = new Map<string, { hourly: number; daily: number }>();
  for (const c of [...contracts].sort((a, b) => a.key.localeCompare(b.key))) {
    rules.push({ tier: "raw", domain: c.domain, contract: c.key, keepMs: c.retention.rawMs });
    const r = rollups.get(c.domain) ?? { hourly: 0, daily: 0 };
    rollups.set(c.domain, {
      hourly: Math.max(r.hourly, c.retention.hourlyMs),
      daily: Math.max(r.daily, c.retention.dailyMs),
    });
  }
  for (const [domain, r] of [...rollups].sort(([a], [b]) => a.localeCompare(b))) {
    rules.push({ tier: "1h", domain, keepMs: r.hourly });
    rules.push({ tier: "1d", domain, keepMs: r.daily });
  }
  const longest = { raw: 0, "1h": 0, "1d": 0 };
  for (const rule of rules) longest[rule.tier] = Math.max(longest[rule.tier], rule.keepMs);
  return { rules, longest };
}

/** The oldest time a rule still keeps at `now`: everything before it goes. */
export function cutoff(rule: RetentionRule, now: EpochMs): EpochMs {
  return now - rule.keepMs;
}

/** What one rule removed in one purge. */
export interface PurgeResult {
  rule: RetentionRule;
  cutoff: EpochMs;
  removed: number;
}

/** What a tier holds for a domain: rows (points) and, when the store can tell, bytes on disk. */
export interface TierUsage {
  tier: RetentionTier;
  domain: string;
  rows: number;
  oldest?: EpochMs;
  bytes?: number;
}

/** A store that enforces the plan and tells what each tier uses. */
export interface RetentionStore {
  /** Deletes what the plan no longer keeps at `now` (and aligns store-wide policies with it). */
  applyRetention(plan: RetentionPlan, now: EpochMs): Promise<PurgeResult[]>;
  storageUsage(): Promise<TierUsage[]>;
}
