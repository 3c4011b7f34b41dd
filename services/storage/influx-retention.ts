import type { EpochMs } from "../domain/types.ts";
import {
  cutoff,
  type PurgeResult,
  type RetentionPlan,
  type RetentionRule,
  type RetentionTier,
  type TierUsage,
} from "../retention/plan.ts";
import type { InfluxHttp, StatementResult } from "./influx-http.ts";
import { ident, Params, tagEquals, timeConditions, where } from "./influx-queries.ts";
import { GROUP_MEASUREMENT, policyOf, unlessRefused } from "./influx-rollups.ts";
import type { Schema } from "./influx-schema.ts";
import { deviceStateMeasurement, GROUP_STATE_MEASUREMENT } from "./influx-state-rollups.ts";
import { storedMeasurement } from "./line-protocol.ts";

/**
 * Retention on InfluxDB. A retention policy belongs to a database, not to a measurement, and
 * every domain shares the same three: the default one (raw readings), `hourly` and `daily`. Each
 * is set to the longest duration any rule of its tier asks for, so InfluxDB itself drops whole
 * shards past it; the rules that ask for less (a domain, a contract version) are enforced by a
 * scheduled `DELETE`, counted first so that the purge says what it removed.
 *
 * Changing a policy needs an administrator on 1.x, and 2.x/3.x have no such statement (their
 * buckets' retention is set with their own CLI, see infra/influxdb/): a refusal leaves the policy
 * as it is and the deletes still apply. `DELETE` is refused by 2.x/3.x's v1 endpoint: there, the
 * purge fails with ERR_STORE_REFUSED, seen in the retention report, and bucket retention is the
 * only enforcement.
 */
export interface InfluxRetentionDeps {
  http: InfluxHttp;
  database: string;
  schema: () => Promise<Schema>;
}

const HOUR = 3_600_000;

export async function applyInfluxRetention(
  deps: InfluxRetentionDeps,
  plan: RetentionPlan,
  now: EpochMs,
): Promise<PurgeResult[]> {
  await alignPolicies(deps, plan);
  const results: PurgeResult[] = [];
  for (const rule of plan.rules) {
    const at = cutoff(rule, now);
    results.push({ rule, cutoff: at, removed: await purgeRule(deps.http, rule, at) });
  }
  return results;
}

// ---------------------------------------------------------------- policies

interface Policy {
  name: string;
  durationMs: number;
  isDefault: boolean;
}

async function policies(deps: InfluxRetentionDeps): Promise<Policy[]> {
  const [result] = await deps.http.query(`SHOW RETENTION POLICIES ON ${ident(deps.database)}`, {}, false);
  return (result ?? []).flatMap((s) =>
    s.values.map((row) => ({
      name: String(row[s.columns.indexOf("name")]),
      durationMs: parseDuration(String(row[s.columns.indexOf("duration")])),
      isDefault: row[s.columns.indexOf("default")] === true,
    })),
  );
}

/** InfluxDB's "17520h0m0s" ("0s" is infinite). */
function parseDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m) return 0;
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
}

async function alignPolicies(deps: InfluxRetentionDeps, plan: RetentionPlan): Promise<void> {
  const existing = await unlessRefused(() => policies(deps));
  if (!existing) return;
  const wanted: [Policy | undefined, number][] = [
    [existing.find((p) => p.isDefault), plan.longest.raw],
    [existing.find((p) => p.name === policyOf("1h")), plan.longest["1h"]],
    [existing.find((p) => p.name === policyOf("1d")), plan.longest["1d"]],
  ];
  for (const [policy, ms] of wanted) {
    if (!policy || ms <= 0 || policy.durationMs === roundUpToHour(ms)) continue;
    const statement = `ALTER RETENTION POLICY ${ident(policy.name)} ON ${ident(deps.database)} DURATION ${roundUpToHour(ms) / HOUR}h`;
    await unlessRefused(() => deps.http.query(statement, {}, false));
  }
}

function roundUpToHour(ms: number): number {
  return Math.ceil(ms / HOUR) * HOUR;
}

// ---------------------------------------------------------------- purge

/** Counts what the rule no longer keeps, then deletes it; the count is of values (raw) or rows. */
async function purgeRule(http: InfluxHttp, rule: RetentionRule, at: EpochMs): Promise<number> {
  const targets = purgeTargets(rule, at);
  let removed = 0;
  for (const [i, t] of targets.entries()) {
    const count = await countOf(
      http,
      `SELECT count(${t.counted}) FROM ${t.from}${where(t.conditions)}`,
      t.params,
    );
    if (i === 0) removed = count;
    if (count > 0) await http.query(`DELETE FROM ${t.measurement}${where(t.conditions)}`, t.params.values);
  }
  return removed;
}

interface Target {
  /** Where to count (with its retention policy). */
  from: string;
  /** What DELETE names: a measurement alone (1.x deletes in every policy). */
  measurement: string;
  counted: string;
  conditions: string[];
  params: Params;
}

function purgeTargets(rule: RetentionRule, at: EpochMs): Target[] {
  const before = timeConditions(undefined, at);
  if (rule.tier === "raw") {
    const params = new Params();
    const measurement = ident(storedMeasurement(rule.domain));
    const conditions = [tagEquals(params, "contract", rule.contract ?? ""), ...before];
    return [{ from: measurement, measurement, counted: "*", conditions, params }];
  }
  const policy = ident(policyOf(rule.tier));
  const target = (measurement: string, counted: string, domainTag: boolean): Target => {
    const params = new Params();
    const conditions = domainTag ? [tagEquals(params, "domain", rule.domain), ...before] : before;
    const name = ident(measurement);
    return { from: `${policy}.${name}`, measurement: name, counted, conditions, params };
  };
  return [
    target(storedMeasurement(`${rule.domain}_${rule.tier}`), '"count"', false),
    target(storedMeasurement(`${GROUP_MEASUREMENT}_${rule.tier}`), '"count"', true),
    // State rollups (influx-state-rollups.ts) go with their domain's numeric ones.
    target(deviceStateMeasurement(rule.domain, rule.tier), '"seconds"', false),
    target(storedMeasurement(`${GROUP_STATE_MEASUREMENT}_${rule.tier}`), '"seconds"', true),
  ];
}

/** The sum of every count column of the answer (count(*) gives one per field). */
async function countOf(http: InfluxHttp, statement: string, params: Params): Promise<number> {
  const [result] = await http.query(statement, params.values);
  return sumCounts(result ?? []);
}

function sumCounts(result: StatementResult): number {
  let total = 0;
  for (const s of result)
    for (const row of s.values)
      for (const [i, column] of s.columns.entries())
        if (column.startsWith("count") && typeof row[i] === "number") total += row[i] as number;
  return total;
}

// ---------------------------------------------------------------- usage

/**
 * Values per domain in the raw tier, rows per domain in the rollup tiers (device and group rows),
 * the oldest time of each, and bytes: each policy's shards on disk (`SHOW STATS`, 1.x), shared
 * among the policy's domains by their counts.
 */
export async function influxStorageUsage(deps: InfluxRetentionDeps): Promise<TierUsage[]> {
  const domains = [...(await deps.schema()).values()].map((m) => m.domain);
  const usage: TierUsage[] = [];
  for (const domain of domains) {
    const raw = ident(storedMeasurement(domain));
    usage.push(await tierUsage(deps.http, "raw", domain, [{ from: raw, counted: "*" }]));
    for (const tier of ["1h", "1d"] as const) {
      const policy = ident(policyOf(tier));
      const ofDomain = (measurement: string, counted: string): Source => {
        const params = new Params();
        const from = `${policy}.${ident(measurement)}`;
        return { from, counted, conditions: [tagEquals(params, "domain", domain)], params };
      };
      const sources = [
        { from: `${policy}.${ident(storedMeasurement(`${domain}_${tier}`))}`, counted: '"count"' },
        ofDomain(storedMeasurement(`${GROUP_MEASUREMENT}_${tier}`), '"count"'),
        { from: `${policy}.${ident(deviceStateMeasurement(domain, tier))}`, counted: '"seconds"' },
        ofDomain(storedMeasurement(`${GROUP_STATE_MEASUREMENT}_${tier}`), '"seconds"'),
      ];
      const u = await tierUsage(deps.http, tier, domain, sources);
      if (u.rows > 0) usage.push(u);
    }
  }
  return shareBytes(usage, await policyBytes(deps));
}

interface Source {
  from: string;
  counted: string;
  conditions?: string[];
  params?: Params;
}

async function tierUsage(
  http: InfluxHttp,
  tier: RetentionTier,
  domain: string,
  sources: readonly Source[],
): Promise<TierUsage> {
  const usage: TierUsage = { tier, domain, rows: 0 };
  for (const s of sources) {
    const params = s.params ?? new Params();
    const conditions = where(s.conditions ?? []);
    const [count, first] = await http.query(
      `SELECT count(${s.counted}) FROM ${s.from}${conditions}; SELECT ${s.counted} FROM ${s.from}${conditions} ORDER BY time ASC LIMIT 1`,
      params.values,
    );
    usage.rows += sumCounts(count ?? []);
    const time = first?.[0]?.values[0]?.[0];
    if (typeof time === "number" && (usage.oldest === undefined || time < usage.oldest)) usage.oldest = time;
  }
  return usage;
}

/** Bytes on disk per retention policy name (empty when the server does not say). */
async function policyBytes(deps: InfluxRetentionDeps): Promise<{ bytes: Map<string, number>; raw?: string }> {
  const bytes = new Map<string, number>();
  const list = await unlessRefused(() => policies(deps));
  const raw = list?.find((p) => p.isDefault)?.name;
  const stats = await unlessRefused(() => deps.http.query("SHOW STATS FOR 'shard'", {}, false));
  for (const s of stats?.[0] ?? []) {
    if (s.tags?.database !== deps.database) continue;
    const policy = s.tags?.retentionPolicy;
    const column = s.columns.indexOf("diskBytes");
    const value = s.values[0]?.[column];
    if (policy === undefined || column < 0 || typeof value !== "number") continue;
    bytes.set(policy, (bytes.get(policy) ?? 0) + value);
  }
  return raw === undefined ? { bytes } : { bytes, raw };
}

function shareBytes(usage: TierUsage[], stats: { bytes: Map<string, number>; raw?: string }): TierUsage[] {
  const policyFor = (tier: RetentionTier) => (tier === "raw" ? stats.raw : policyOf(tier));
  const totals = new Map<RetentionTier, number>();
  for (const u of usage) totals.set(u.tier, (totals.get(u.tier) ?? 0) + u.rows);
  return usage.map((u) => {
    const policy = policyFor(u.tier);
    const bytes = policy === undefined ? undefined : stats.bytes.get(policy);
    if (bytes === undefined) return u;
    return { ...u, bytes: Math.round((bytes * u.rows) / (totals.get(u.tier) || 1)) };
  });
}
