import type { EpochMs } from "../domain/types.ts";
import type { RetentionStatus } from "./keeper.ts";
import type { RetentionPlan, RetentionTier, TierUsage } from "./plan.ts";

const DAY = 86_400_000;

/** One line of the retention report: a rule of the plan and what its tier holds now. */
export interface RetentionLine {
  tier: RetentionTier;
  domain: string;
  contract?: string;
  keepDays: number;
  /** Oldest time the rule keeps as of the report. */
  keepsFrom: EpochMs;
  /** What the store holds for the tier and domain (raw: all versions of the domain's contract). */
  rows: number;
  bytes?: number;
  oldest?: EpochMs;
  /** Removed by the last purge. */
  lastRemoved?: number;
}

export interface RetentionReport {
  at: EpochMs;
  lines: RetentionLine[];
  longestDays: Record<RetentionTier, number>;
  lastRunAt?: EpochMs;
  lastError?: string;
}

export function retentionReport(
  plan: RetentionPlan,
  usage: readonly TierUsage[],
  at: EpochMs,
  status?: RetentionStatus,
): RetentionReport {
  const held = new Map(usage.map((u) => [`${u.tier}|${u.domain}`, u]));
  const removed = new Map(
    (status?.lastResults ?? []).map((r) => [
      `${r.rule.tier}|${r.rule.domain}|${r.rule.contract ?? ""}`,
      r.removed,
    ]),
  );
  const lines = plan.rules.map((rule) => {
    const u = held.get(`${rule.tier}|${rule.domain}`);
    const line: RetentionLine = {
      tier: rule.tier,
      domain: rule.domain,
      keepDays: rule.keepMs / DAY,
      keepsFrom: at - rule.keepMs,
      rows: u?.rows ?? 0,
    };
    if (rule.contract !== undefined) line.contract = rule.contract;
    if (u?.bytes !== undefined) line.bytes = u.bytes;
    if (u?.oldest !== undefined) line.oldest = u.oldest;
    const r = removed.get(`${rule.tier}|${rule.domain}|${rule.contract ?? ""}`);
    if (r !== undefined) line.lastRemoved = r;
    return line;
  });
  const report: RetentionReport = {
    at,
    lines,
    longestDays: {
      raw: plan.longest.raw / DAY,
      "1h": plan.longest["1h"] / DAY,
      "1d": plan.longest["1d"] / DAY,
    },
  };
  if (status?.lastRunAt !== undefined) report.lastRunAt = status.lastRunAt;
  if (status?.lastError !== undefined) report.lastError = status.lastError;
  return report;
}

const TIER_NAMES: Record<RetentionTier, string> = { raw: "raw", "1h": "hourly", "1d": "daily" };

/** The report as a table for a terminal. */
export function formatRetentionReport(report: RetentionReport): string {
  const header = ["tier", "domain", "contract", "kept", "rows", "size", "oldest"];
  const rows = report.lines.map((l) => [
    TIER_NAMES[l.tier],
    l.domain,
    l.contract ?? "(all versions)",
    days(l.keepDays),
    l.rows.toLocaleString("en-US"),
    l.bytes === undefined ? "-" : bytes(l.bytes),
    l.oldest === undefined ? "-" : new Date(l.oldest).toISOString().slice(0, 10),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [
    line(header),
    ...rows.map(line),
    "",
    "Raw readings are kept per contract version; hourly and daily rollups per domain, as long as the",
    "longest of the domain's versions asks. Size: the tier's share of its table on disk (rows of one",
    "raw line are the values of every version of the domain's contract).",
  ].join("\n");
}

function days(n: number): string {
  if (n % 365 === 0) return `${n / 365} year${n === 365 ? "" : "s"}`;
  return `${n} day${n === 1 ? "" : "s"}`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
