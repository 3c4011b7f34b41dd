import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatSobriety, sobrietyCsvRows } from "../../cli/report.ts";
import {
  type ClauseStore,
  type DeliveryCount,
  LATENCY_BUCKETS,
} from "../../services/clauses/clause-store.ts";
import { createMemoryClauseStore } from "../../services/clauses/memory-clause-store.ts";
import { csvOf } from "../../services/clauses/processing-register.ts";
import { dataDirFootprint, type SobrietyDeps, sobrietyReport } from "../../services/clauses/sobriety.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { loadContractDir } from "../../services/contracts/registry.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import { DataCode } from "../../services/domain/errors.ts";
import type { RetentionStatus } from "../../services/retention/keeper.ts";
import type { TierUsage } from "../../services/retention/plan.ts";

/**
 * The yearly sobriety report from the demo contracts and an in-memory delivery ledger: readings per
 * month, fields and purposes, what each tier holds, the retention applied, what is past its raw
 * duration, what was refused as not needed, and the footprint of the data folder.
 */
const DAY = 86_400_000;
const YEAR = 2025;
const NOW = Date.parse("2026-03-01T00:00:00Z");
const LAMP = "ccphva-streetlight@1.0.0";
let contracts: readonly Contract[];
let ledger: ClauseStore;
let dataDir: string;
const counted: object[] = [];

function delivery(
  day: string,
  readings: number,
  contract = LAMP,
  deviceId = "lum-57038-0001",
): DeliveryCount {
  const latencyHistogram = Array.from({ length: LATENCY_BUCKETS }, (_, i) => (i === 0 ? readings : 0));
  return {
    day: Date.parse(`${day}T00:00:00Z`),
    operatorId: "lumiere-est",
    contract,
    deviceId,
    readings,
    late: 0,
    latencySumMs: 0,
    latencyMaxMs: 0,
    latencyHistogram,
  };
}

const usage: TierUsage[] = [
  { tier: "raw", domain: "streetlight", rows: 1200, bytes: 4096, oldest: Date.parse("2025-03-01") },
  { tier: "1h", domain: "streetlight", rows: 300 },
  { tier: "1d", domain: "streetlight", rows: 20 },
];

function deps(extra: Partial<SobrietyDeps> = {}): SobrietyDeps {
  return {
    contracts,
    ledger,
    store: {
      async countValues(filter) {
        counted.push(filter);
        return filter.domain === "streetlight" ? 900 : 0;
      },
      storageUsage: async () => usage,
    },
    footprint: () => dataDirFootprint(dataDir, false),
    hostingLocation: "France (hébergement de la collectivité)",
    now: () => NOW,
    ...extra,
  };
}

beforeAll(async () => {
  contracts = (await loadContractDir("territory/ccphva/contracts")).all();
  ledger = createMemoryClauseStore(fixedClock(NOW));
  await ledger.recordDeliveries([
    delivery("2025-01-10", 100),
    delivery("2025-01-11", 50, LAMP, "lum-57038-0002"),
    delivery("2025-06-30", 30),
    delivery("2025-12-31", 7),
    // Outside the year: not counted.
    delivery("2024-12-31", 1000),
    delivery("2026-01-01", 1000),
    delivery("2025-05-05", 11, "ccphva-waste-container@1.0.0", "pav-54521-002"),
  ]);
  const refusal = (code: string, count: number, contract = LAMP) => ({
    day: Date.parse("2025-04-02T00:00:00Z"),
    operatorId: "lumiere-est",
    contract,
    deviceId: "lum-57038-0001",
    kind: "violation" as const,
    code,
    count,
  });
  await ledger.recordRefusals([
    refusal(DataCode.UNKNOWN_FIELD, 4),
    refusal(DataCode.PERSONAL_NO_PURPOSE, 9),
    refusal(DataCode.OUT_OF_RANGE, 2),
    refusal(DataCode.UNKNOWN_FIELD, 5, "ccphva-waste-container@1.0.0"),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), "lanterne-sobriety-"));
  writeFileSync(join(dataDir, "lanterne.duckdb"), Buffer.alloc(3000));
  writeFileSync(join(dataDir, "clauses.duckdb"), Buffer.alloc(1000));
  mkdirSync(join(dataDir, "imported"));
  writeFileSync(join(dataDir, "imported", "a.csv"), Buffer.alloc(500));
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("the sobriety report", () => {
  it("counts the year's readings per contract and month, from the delivery ledger", async () => {
    const report = await sobrietyReport(deps(), YEAR);
    expect(report).toMatchObject({ year: YEAR, from: Date.UTC(YEAR, 0, 1), to: Date.UTC(YEAR + 1, 0, 1) });
    expect(report.contracts.map((c) => c.contractId)).toEqual(contracts.map((c) => c.id).sort());
    const lamp = report.contracts.find((c) => c.contractId === "ccphva-streetlight");
    expect(lamp?.readings.total).toBe(187);
    expect(lamp?.readings.byMonth).toEqual([150, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0, 7]);
    const waste = report.contracts.find((c) => c.contractId === "ccphva-waste-container");
    expect(waste?.readings.total).toBe(11);
    expect(waste?.readings.byMonth[4]).toBe(11);
  });

  it("gives each field its purpose: the description, or a personal field's stated purpose", async () => {
    const lamp = (await sobrietyReport(deps(), YEAR)).contracts.find((c) => c.domain === "streetlight");
    const energy = lamp?.fields.find((f) => f.name === "energy_kwh");
    expect(energy).toMatchObject({ personal: false, collected: true });
    expect(energy?.purpose).toBe(energy?.description);
    expect(lamp?.fields.find((f) => f.name === "presence_count")).toMatchObject({
      personal: true,
      purpose: null,
      collected: false,
    });
  });

  it("states what the tiers hold, the raw values of the year and the retention applied", async () => {
    counted.length = 0;
    const lamp = (await sobrietyReport(deps(), YEAR)).contracts.find((c) => c.domain === "streetlight");
    expect(lamp?.stored.rawValuesOfYear).toBe(900);
    expect(counted).toContainEqual({
      domain: "streetlight",
      from: Date.UTC(YEAR, 0, 1),
      to: Date.UTC(YEAR + 1, 0, 1),
    });
    expect(lamp?.stored.tiers).toEqual([
      { tier: "raw", rows: 1200, bytes: 4096, oldest: Date.parse("2025-03-01") },
      { tier: "1h", rows: 300, bytes: null, oldest: null },
      { tier: "1d", rows: 20, bytes: null, oldest: null },
    ]);
    expect(lamp?.retention).toEqual([{ version: "1.0.0", rawDays: 365, hourlyDays: 1825, dailyDays: 7300 }]);
  });

  it("says 'not measured' (null) where the store cannot count the tiers", async () => {
    const report = await sobrietyReport(deps({ store: { countValues: async () => 0 } }), YEAR);
    expect(report.contracts[0]?.stored.tiers.every((t) => t.rows === null)).toBe(true);
  });

  it("counts the readings past their raw duration, and the keeper's last purge when it ran that year", async () => {
    // 2026-03-01 minus 365 days is 2025-03-01: the January readings are past, the others not.
    const lamp = (await sobrietyReport(deps(), YEAR)).contracts.find((c) => c.domain === "streetlight");
    expect(lamp?.deleted).toEqual({ rawReadingsPastRetention: 150, lastPurge: null });
    const status: RetentionStatus = {
      runs: 3,
      failures: 0,
      lastRunAt: Date.parse("2025-12-31T23:00:00Z"),
      lastResults: [
        {
          rule: { tier: "raw", domain: "streetlight", contract: LAMP, keepMs: 365 * DAY },
          cutoff: 0,
          removed: 40,
        },
        { rule: { tier: "1h", domain: "streetlight", keepMs: 5 * 365 * DAY }, cutoff: 0, removed: 2 },
        { rule: { tier: "raw", domain: "waste", keepMs: 365 * DAY }, cutoff: 0, removed: 99 },
      ],
    };
    const report = await sobrietyReport(deps({ retention: status }), YEAR);
    expect(report.deletionsRecorded).toBe(false);
    expect(report.contracts.find((c) => c.domain === "streetlight")?.deleted.lastPurge).toEqual({
      at: status.lastRunAt,
      removed: 42,
    });
    const later = await sobrietyReport(deps({ retention: status }), YEAR - 1);
    expect(later.contracts.every((c) => c.deleted.lastPurge === null)).toBe(true);
  });

  it("counts the values refused as not needed: undeclared fields, personal ones without a purpose", async () => {
    const report = await sobrietyReport(deps(), YEAR);
    expect(report.contracts.find((c) => c.domain === "streetlight")?.refused).toEqual({
      unknownFields: 4,
      personalWithoutPurpose: 9,
    });
    expect(
      report.contracts.find((c) => c.contractId === "ccphva-waste-container")?.refused.unknownFields,
    ).toBe(5);
  });

  it("measures the data folder's files, a folder's content summed", async () => {
    const report = await sobrietyReport(deps(), YEAR);
    expect(report.footprint).toEqual({
      timeSeriesMeasuredHere: true,
      files: [
        { name: "lanterne.duckdb", bytes: 3000 },
        { name: "clauses.duckdb", bytes: 1000 },
        { name: "imported", bytes: 500 },
      ],
      totalBytes: 4500,
    });
    expect((await dataDirFootprint(dataDir, true)).timeSeriesMeasuredHere).toBe(false);
    expect((await dataDirFootprint(join(dataDir, "absent"), false)).files).toEqual([]);
  });

  it("reads as French text and as CSV", async () => {
    const report = await sobrietyReport(deps(), YEAR);
    const text = formatSobriety(report, "CCPHVA");
    expect(text).toContain(`Rapport de sobriété des données — année ${YEAR}`);
    expect(text).toContain("presence_count [donnée personnelle] : aucune finalité déclarée");
    expect(text).toContain("janv. 150");
    expect(text).toContain("4 valeurs de champs non déclarés");
    const rows = sobrietyCsvRows(report);
    expect(rows[0]?.slice(0, 3)).toEqual(["annee", "contrat", "domaine"]);
    expect(rows).toHaveLength(contracts.length + 1);
    expect(csvOf(rows).split("\r\n")[0]).toContain("releves_12");
  });
});
