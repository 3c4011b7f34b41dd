import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createAccessPolicy } from "../../services/access/policy.ts";
import { DeliveryRecorder } from "../../services/clauses/delivery-recorder.ts";
import { createMemoryClauseStore } from "../../services/clauses/memory-clause-store.ts";
import { parsePeriod, previousPeriod } from "../../services/clauses/scorecard-period.ts";
import { createClausesService } from "../../services/clauses/service.ts";
import { type ContractRegistry, loadContractDir } from "../../services/contracts/registry.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import { silentLogger } from "../../services/domain/logger.ts";
import type { Device, Observation } from "../../services/domain/types.ts";
import { createDeviceIndex } from "../../services/inventory/device-index.ts";

const CCPHVA_DIR = join(import.meta.dirname, "../../territory/ccphva");
const DAY = Date.UTC(2026, 10, 3);
const NOON = DAY + 12 * 3_600_000;
const QUARTER = 15 * 60_000;
const CONTRACT = "ccphva-streetlight";

function lamp(id: string, assignments: Device["assignments"]): Device {
  return {
    id,
    domain: "streetlight",
    contractId: CONTRACT,
    ownerId: "ccphva",
    commune: "57038",
    lat: 49.47,
    lon: 5.98,
    attributes: {},
    assignments,
  };
}

const devices = [
  lamp("L1", [{ operatorId: "a", from: 0 }]),
  lamp("L2", [{ operatorId: "a", from: 0 }]),
  lamp("L3", [
    { operatorId: "a", from: 0, to: NOON },
    { operatorId: "b", from: NOON },
  ]),
];

function readings(
  device: string,
  operatorId: string,
  from: number,
  count: number,
  delayMs: (i: number) => number,
) {
  return Array.from(
    { length: count },
    (_, i): Observation => ({
      deviceId: device,
      time: from + i * QUARTER,
      domain: "streetlight",
      commune: "57038",
      ownerId: "ccphva",
      operatorId,
      contract: `${CONTRACT}@1.0.0`,
      values: { powerState: "on" },
      receivedAt: from + i * QUARTER + delayMs(i),
    }),
  );
}

describe("compliance scorecards", () => {
  const clock = fixedClock(DAY + 2 * 86_400_000);
  const store = createMemoryClauseStore(clock);
  let contracts: ContractRegistry;
  let service: ReturnType<typeof createClausesService>;

  beforeAll(async () => {
    contracts = await loadContractDir(join(CCPHVA_DIR, "contracts"));
    const index = createDeviceIndex(devices, () => clock.now());
    service = createClausesService({
      store,
      policy: createAccessPolicy({ devices: index, contracts, clock }),
      devices: index,
      contracts,
      clock,
    });
    const latency = (key: string) => contracts.all().find((c) => c.key === key)?.latencyMs;
    const recorder = new DeliveryRecorder(store, latency, silentLogger);
    recorder.observe(readings("L1", "a", DAY, 96, () => 30_000));
    // L3 under a: ten of its 48 readings ten minutes late (the contract allows five).
    recorder.observe(readings("L3", "a", DAY, 48, (i) => (i < 10 ? 600_000 : 2_000)));
    // L3 under b reports every 12 minutes: more than promised, which must not hide a silent lamp.
    recorder.observe(
      readings("L3", "b", NOON, 60, () => 1_000).map((o, i) => {
        const time = NOON + i * 12 * 60_000;
        return { ...o, time, receivedAt: time + 1_000 };
      }),
    );
    const refused = {
      receivedAt: DAY + 3_600_000,
      operatorId: "a",
      source: "mqtt",
      raw: "{}",
      truncated: false,
    };
    recorder.refused(
      Array.from({ length: 4 }, () => ({
        ...refused,
        deviceId: "L2",
        contract: `${CONTRACT}@1.0.0`,
        reasons: [{ code: "ERR_CONTRACT_TYPE", path: "data.powerState", detail: "not a string" }],
      })),
      [
        {
          receivedAt: DAY + 3_600_000,
          time: DAY,
          operatorId: "a",
          deviceId: "L1",
          contract: `${CONTRACT}@1.0.0`,
          code: "ERR_CONTRACT_OUT_OF_RANGE",
          path: "data.illuminanceLevel",
          detail: "above 1",
          value: 3,
        },
      ],
    );
    await recorder.close();
    await store.addExemption({
      contractId: CONTRACT,
      operatorId: "a",
      fields: [],
      obligation: "latency",
      reason: "Passerelles LoRaWAN remplacées en novembre.",
      decision: "Délibération 2026-041",
      decidedAt: DAY - 86_400_000,
      from: DAY - 86_400_000,
      to: DAY + 7 * 86_400_000,
      createdBy: "admin",
    });
  });

  it("measures completeness against the cadence, each device at most its promise", async () => {
    const { scorecards } = await service.scorecards({ id: "admin", role: "admin" }, { period: "2026-11-03" });
    const a = scorecards.find((c) => c.operatorId === "a" && c.contractId === CONTRACT);
    const b = scorecards.find((c) => c.operatorId === "b" && c.contractId === CONTRACT);
    expect(a?.completeness).toEqual({ expected: 240, received: 144, counted: 144, ratio: 0.6 });
    expect(a?.devices).toBe(3);
    expect(a?.silentDevices).toBe(1);
    expect(b?.completeness).toEqual({ expected: 48, received: 60, counted: 48, ratio: 1 });
    expect(b?.silentDevices).toBe(0);
  });

  it("measures timeliness against the contract's latency, with the delay's classes", async () => {
    const { scorecards } = await service.scorecards({ id: "admin", role: "admin" }, { period: "2026-11-03" });
    const a = scorecards.find((c) => c.operatorId === "a");
    expect(a?.timeliness.readings).toBe(144);
    expect(a?.timeliness.onTime).toBe(134);
    expect(a?.timeliness.ratio).toBeCloseTo(134 / 144, 10);
    expect(a?.timeliness.promisedMs).toBe(300_000);
    expect(a?.timeliness.maxMs).toBe(600_000);
    // The 95th percentile falls in the ≤ 15 min class, bounded by the slowest reading seen.
    expect(a?.timeliness.p95Ms).toBe(600_000);
  });

  it("measures conformity from the refusals, by reason, and lists breaches with their exemptions", async () => {
    const { scorecards } = await service.scorecards({ id: "admin", role: "admin" }, { period: "2026-11-03" });
    const a = scorecards.find((c) => c.operatorId === "a");
    expect(a?.conformity).toMatchObject({ accepted: 144, quarantined: 4, droppedValues: 1 });
    expect(a?.conformity.ratio).toBeCloseTo(144 / 148, 10);
    expect(a?.conformity.reasons.map((r) => [r.kind, r.code, r.count])).toEqual([
      ["quarantine", "ERR_CONTRACT_TYPE", 4],
      ["violation", "ERR_CONTRACT_OUT_OF_RANGE", 1],
    ]);
    expect(a?.breaches.map((x) => [x.measure, x.exempted])).toEqual([
      ["completeness", false],
      ["timeliness", true],
      ["conformity", false],
    ]);
    expect(a?.exemptions.map((e) => e.decision)).toEqual(["Délibération 2026-041"]);
    const b = scorecards.find((c) => c.operatorId === "b");
    expect(b?.breaches).toEqual([]);
  });

  it("gives the period before for the trend", async () => {
    const { scorecards } = await service.scorecards({ id: "admin", role: "admin" }, { period: "2026-11-03" });
    const a = scorecards.find((c) => c.operatorId === "a");
    // The day before: promised, nothing received.
    expect(a?.previous?.completeness).toBe(0);
    const month = await service.scorecards({ id: "admin", role: "admin" }, { period: "2026-11" });
    expect(month.scorecards.find((c) => c.operatorId === "a")?.completeness.received).toBe(144);
  });

  it("shows an operator its own cards only, whatever it asks", async () => {
    const asB = { id: "b", role: "operator" as const, operatorId: "b" };
    const mine = await service.scorecards(asB, { period: "2026-11-03", operator: "a" });
    expect(mine.scorecards.map((c) => c.operatorId)).toEqual(["b"]);
  });

  it("refuses a period it cannot read", async () => {
    await expect(
      service.scorecards({ id: "admin", role: "admin" }, { period: "2026-13" }),
    ).rejects.toMatchObject({
      code: "ERR_BAD_REQUEST",
    });
    expect(parsePeriod("2026-02-30")).toBeUndefined();
    const jan = parsePeriod("2026-01");
    expect(jan && previousPeriod(jan).label).toBe("2025-12");
  });
});
