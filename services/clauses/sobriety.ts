import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Contract } from "../contracts/model.ts";
import { DataCode } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type { RetentionStatus } from "../retention/keeper.ts";
import type { RetentionStore, RetentionTier } from "../retention/plan.ts";
import type { TimeSeriesStore } from "../storage/store.ts";
import { type ClauseStore, contractIdOf, DAY_MS } from "./clause-store.ts";

/**
 * The yearly sobriety report (DESIGN: "only the data needed are collected, each kept only as long
 * as its purpose requires, with a yearly report"): per contract, what each field is for, how many
 * readings came in that year (month by month), what the stores hold now per tier, how long each
 * tier is kept, what retention removed, what was refused as not needed, and the footprint on disk.
 *
 * Everything is read from what already exists: the contracts, the delivery ledger (kept after the
 * readings themselves are gone), the store's counts and the retention keeper's status. What no
 * part of the platform records is said so (`null` and a note), never estimated silently.
 */

export interface SobrietyField {
  name: string;
  description: string | null;
  unit: string | null;
  personal: boolean;
  /** Personal: the contract's stated purpose (null: none, so never stored); else the description. */
  purpose: string | null;
  /** False for a personal field without a stated purpose: refused at ingestion. */
  collected: boolean;
}

export interface SobrietyTier {
  tier: RetentionTier;
  /** Values (points) the store holds now for the domain; null: not measured. */
  rows: number | null;
  bytes: number | null;
  oldest: EpochMs | null;
}

export interface SobrietyRetention {
  version: string;
  rawDays: number;
  hourlyDays: number;
  dailyDays: number;
}

export interface ContractSobriety {
  contractId: string;
  name: string;
  domain: string;
  /** The versions in force at some time of the year, oldest first. */
  versions: string[];
  hostingLocation: string;
  fields: SobrietyField[];
  readings: { total: number; byMonth: number[] };
  stored: {
    /** Field values of the year's readings still held raw (all versions of the domain); null: not measured. */
    rawValuesOfYear: number | null;
    /** What each tier of the domain holds now, whatever the year. */
    tiers: SobrietyTier[];
  };
  retention: SobrietyRetention[];
  deleted: {
    /**
     * Readings of the year (ledger) older than their version's raw duration today: the hourly purge
     * has removed them, or removes them at its next pass. Rollups keep their summaries.
     */
    rawReadingsPastRetention: number;
    /** What the keeper's last purge removed for the domain, when this process ran one. */
    lastPurge: { at: EpochMs; removed: number } | null;
  };
  refused: {
    /** Values of fields the contract does not declare, dropped (ERR_CONTRACT_UNKNOWN_FIELD). */
    unknownFields: number;
    /** Personal values without a stated purpose, dropped (ERR_CONTRACT_PERSONAL_NO_PURPOSE). */
    personalWithoutPurpose: number;
  };
}

export interface StorageFootprint {
  /** False with InfluxDB: the time series are on its server, measured there. */
  timeSeriesMeasuredHere: boolean;
  files: Array<{ name: string; bytes: number }>;
  totalBytes: number;
}

export interface SobrietyReport {
  year: number;
  from: EpochMs;
  to: EpochMs;
  generatedAt: EpochMs;
  /** The platform's (LANTERNE_HOSTING_LOCATION); a contract may name its own. */
  hostingLocation: string;
  contracts: ContractSobriety[];
  footprint: StorageFootprint;
  /** Retention deletions are not tallied over time: only the keeper's last purge is known. */
  deletionsRecorded: false;
}

export interface SobrietyDeps {
  contracts: readonly Contract[];
  ledger: Pick<ClauseStore, "deliveries" | "refusals">;
  store: Pick<TimeSeriesStore, "countValues"> & Partial<Pick<RetentionStore, "storageUsage">>;
  /** The running keeper's status; a stopped platform (the CLI) has none. */
  retention?: RetentionStatus;
  footprint: () => Promise<StorageFootprint>;
  hostingLocation: string;
  now: () => EpochMs;
}

const TIERS: readonly RetentionTier[] = ["raw", "1h", "1d"];

export function yearRange(year: number): { from: EpochMs; to: EpochMs } {
  return { from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1) };
}

export async function sobrietyReport(deps: SobrietyDeps, year: number): Promise<SobrietyReport> {
  const { from, to } = yearRange(year);
  const now = deps.now();
  const usage = deps.store.storageUsage ? await deps.store.storageUsage() : undefined;
  const byId = new Map<string, Contract[]>();
  for (const c of [...deps.contracts].sort((a, b) => a.validFrom - b.validFrom)) {
    byId.set(c.id, [...(byId.get(c.id) ?? []), c]);
  }
  const contracts: ContractSobriety[] = [];
  for (const [id, versions] of [...byId].sort(([a], [b]) => a.localeCompare(b))) {
    const inYear = versions.filter((v) => v.validFrom < to && (v.validTo ?? Number.POSITIVE_INFINITY) > from);
    const shown = inYear.length > 0 ? inYear : versions;
    contracts.push(await contractSobriety(deps, id, shown, { from, to, now, usage }));
  }
  return {
    year,
    from,
    to,
    generatedAt: now,
    hostingLocation: deps.hostingLocation,
    contracts,
    footprint: await deps.footprint(),
    deletionsRecorded: false,
  };
}

interface Span {
  from: EpochMs;
  to: EpochMs;
  now: EpochMs;
  usage: Awaited<ReturnType<RetentionStore["storageUsage"]>> | undefined;
}

async function contractSobriety(
  deps: SobrietyDeps,
  id: string,
  versions: readonly Contract[],
  span: Span,
): Promise<ContractSobriety> {
  const newest = versions[versions.length - 1] as Contract;
  const days = await deps.ledger.deliveries({ from: span.from, to: span.to, contractId: id, by: "day" });
  const byMonth = Array.from({ length: 12 }, () => 0);
  const rawMs = new Map(deps.contracts.map((c) => [c.key, c.retention.rawMs]));
  let past = 0;
  for (const d of days) {
    const month = new Date(d.day).getUTCMonth();
    byMonth[month] = (byMonth[month] ?? 0) + d.readings;
    const keep = rawMs.get(d.contract);
    if (keep !== undefined && d.day + DAY_MS <= span.now - keep) past += d.readings;
  }
  const refusals = await deps.ledger.refusals({ from: span.from, to: span.to, contractId: id, by: "code" });
  const refused = (code: string) =>
    refusals
      .filter((r) => r.code === code && contractIdOf(r.contract) === id)
      .reduce((sum, r) => sum + r.count, 0);
  return {
    contractId: id,
    name: newest.name,
    domain: newest.domain,
    versions: versions.map((v) => v.version),
    hostingLocation: newest.hostingLocation ?? deps.hostingLocation,
    fields: fieldsOf(versions),
    readings: { total: byMonth.reduce((a, b) => a + b, 0), byMonth },
    stored: {
      rawValuesOfYear: await deps.store.countValues({ domain: newest.domain, from: span.from, to: span.to }),
      tiers: TIERS.map((tier) => tierOf(span.usage, tier, newest.domain)),
    },
    retention: versions.map((v) => ({
      version: v.version,
      rawDays: v.retention.rawMs / DAY_MS,
      hourlyDays: v.retention.hourlyMs / DAY_MS,
      dailyDays: v.retention.dailyMs / DAY_MS,
    })),
    deleted: { rawReadingsPastRetention: past, lastPurge: lastPurgeOf(deps.retention, newest.domain, span) },
    refused: {
      unknownFields: refused(DataCode.UNKNOWN_FIELD),
      personalWithoutPurpose: refused(DataCode.PERSONAL_NO_PURPOSE),
    },
  };
}

/** Every field of the year's versions, as the newest one describes it. */
function fieldsOf(versions: readonly Contract[]): SobrietyField[] {
  const fields = new Map<string, SobrietyField>();
  for (const v of versions) {
    for (const f of v.fields.values()) {
      const stated = v.personalDataPurposes.get(f.name) ?? null;
      fields.set(f.name, {
        name: f.name,
        description: f.description ?? null,
        unit: f.unit ?? null,
        personal: f.personal,
        purpose: f.personal ? stated : (f.description ?? null),
        collected: !f.personal || stated !== null,
      });
    }
  }
  return [...fields.values()];
}

function tierOf(usage: Span["usage"], tier: RetentionTier, domain: string): SobrietyTier {
  const u = usage?.find((x) => x.tier === tier && x.domain === domain);
  if (!usage) return { tier, rows: null, bytes: null, oldest: null };
  return { tier, rows: u?.rows ?? 0, bytes: u?.bytes ?? null, oldest: u?.oldest ?? null };
}

/** The keeper's last purge for the domain, if it happened in the year asked. */
function lastPurgeOf(
  status: RetentionStatus | undefined,
  domain: string,
  span: Span,
): { at: EpochMs; removed: number } | null {
  const at = status?.lastRunAt;
  if (at === undefined || at < span.from || at >= span.to || !status?.lastResults) return null;
  const removed = status.lastResults
    .filter((r) => r.rule.domain === domain)
    .reduce((sum, r) => sum + r.removed, 0);
  return { at, removed };
}

/**
 * The size of each entry of the data folder (a folder's files summed), largest first. With
 * InfluxDB the readings are on its server: measured there, not here.
 */
export async function dataDirFootprint(dataDir: string, influx: boolean): Promise<StorageFootprint> {
  let names: string[] = [];
  try {
    names = await readdir(dataDir);
  } catch {
    // No data folder yet: nothing stored.
  }
  const files = await Promise.all(
    names.sort().map(async (name) => ({ name, bytes: await sizeOf(join(dataDir, name)) })),
  );
  files.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  return {
    timeSeriesMeasuredHere: !influx,
    files,
    totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
  };
}

async function sizeOf(path: string, depth = 0): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) return s.size;
    if (depth > 8) return 0;
    const inner = await readdir(path);
    const sizes = await Promise.all(inner.map((n) => sizeOf(join(path, n), depth + 1)));
    return sizes.reduce((a, b) => a + b, 0);
  } catch {
    // A file removed meanwhile (a checkpoint's WAL) counts as nothing.
    return 0;
  }
}
