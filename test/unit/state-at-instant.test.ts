import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { activeAlertsAt, CLOCK_SKEW_MS, checkInstant, stateAt } from "../../services/access/alerts-at.ts";
import {
  conditionAt,
  createDeviceStatesAt,
  type DeviceStatesAt,
  ruleKind,
  silenceAfterMs,
} from "../../services/access/device-states-at.ts";
import { createAccessPolicy } from "../../services/access/policy.ts";
import { MemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import type { AlertHistoryEntry, AlertInput } from "../../services/alerts/types.ts";
import type { Principal } from "../../services/auth/principals.ts";
import { type ContractRegistry, loadContractDir } from "../../services/contracts/registry.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import type { Assignment, Device } from "../../services/domain/types.ts";
import { createDeviceIndex } from "../../services/inventory/device-index.ts";
import type { DeviceState, LatestFilter } from "../../services/storage/store.ts";
import { CCPHVA_DIR } from "../../territory/generate.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
/** `lum-handed` goes from lumiere-est to lumiere-nord at H. */
const H = Date.UTC(2026, 5, 1, 12);
const NOW = H + 600 * MIN;
const CONTRACT = "ccphva-streetlight@1.0.0";

function lamp(id: string, assignments: Assignment[]): Device {
  return {
    id,
    domain: "streetlight",
    contractId: "ccphva-streetlight",
    ownerId: "ccphva",
    commune: "57038",
    lat: 49.47,
    lon: 5.95,
    attributes: {},
    assignments,
  };
}

const devices = [
  lamp("lum-handed", [
    { operatorId: "lumiere-est", from: T0, to: H },
    { operatorId: "lumiere-nord", from: H },
  ]),
  lamp("lum-kept", [{ operatorId: "lumiere-est", from: T0 }]),
  lamp("lum-quiet", [{ operatorId: "lumiere-est", from: T0 }]),
];

const staff: Principal = { id: "technicien", role: "technician" };
const est: Principal = { id: "lumiere-est", role: "operator", operatorId: "lumiere-est" };
const nord: Principal = { id: "lumiere-nord", role: "operator", operatorId: "lumiere-nord" };

function entry(id: number, at: number, toState: AlertHistoryEntry["toState"]): AlertHistoryEntry {
  return { id, alertId: 1, at, by: "system", event: "raised", toState };
}

describe("alert state at an instant, from the history", () => {
  const history = [
    entry(1, 100, "open"),
    entry(2, 200, "cleared"),
    entry(3, 300, "open"),
    entry(4, 400, "closed"),
  ];
  it.each([
    [99, undefined],
    [100, "open"],
    [199, "open"],
    [200, "cleared"],
    [300, "open"],
    [400, "closed"],
    [10_000, "closed"],
  ])("at %d the alert is %s", (at, expected) => {
    expect(stateAt(history, at)).toBe(expected);
  });

  it("takes the later entry of two at the same time", () => {
    expect(stateAt([entry(1, 100, "open"), entry(2, 100, "cleared")], 100)).toBe("cleared");
  });

  it("refuses an instant after now, with a code", () => {
    expect(checkInstant(NOW, NOW)).toBe(NOW);
    expect(() => checkInstant(NOW + CLOCK_SKEW_MS + 1, NOW)).toThrow(
      expect.objectContaining({ code: "ERR_BAD_REQUEST" }),
    );
    // A browser's clock a little ahead: answered as now.
    expect(checkInstant(NOW + 500, NOW)).toBe(NOW);
  });
});

describe("device condition at an instant", () => {
  const base = { lastReading: 1000, silenceAfterMs: 20 * MIN, at: 1000 + 10 * MIN };
  it.each([
    ["a fault wins over a silence", { alertKinds: ["silence", "state-equals"] }, "fault"],
    ["an alert of unknown kind is a fault", { alertKinds: [undefined] }, "fault"],
    ["a silence alert makes it silent", { alertKinds: ["silence"] }, "silent"],
    ["a silence alert holds with no reading", { alertKinds: ["silence"], lastReading: undefined }, "silent"],
    ["no reading is unknown", { alertKinds: [], lastReading: undefined }, "unknown"],
    ["a recent reading is ok", { alertKinds: [] }, "ok"],
    ["exactly the threshold is still ok", { alertKinds: [], at: 1000 + 20 * MIN }, "ok"],
    ["past the threshold is silent", { alertKinds: [], at: 1001 + 20 * MIN }, "silent"],
    ["no threshold is never silent", { alertKinds: [], silenceAfterMs: undefined, at: 1e12 }, "ok"],
  ] as const)("%s", (_, input, expected) => {
    expect(conditionAt({ ...base, ...input })).toBe(expected);
  });
});

describe("the contract's word on kinds and silence", () => {
  let contracts: ContractRegistry;
  beforeAll(async () => {
    contracts = await loadContractDir(join(CCPHVA_DIR, "contracts"));
  });

  it("finds a rule's kind from the alert's rule id", () => {
    expect(ruleKind(contracts, "ccphva-streetlight/silent")).toBe("silence");
    expect(ruleKind(contracts, "ccphva-streetlight/lamp-defective")).toBe("state-equals");
    expect(ruleKind(contracts, "ccphva-streetlight/nothing")).toBeUndefined();
    expect(ruleKind(contracts, "lamp-failure")).toBeUndefined();
  });

  it("takes the silence rule's cadence and grace as the threshold", () => {
    const key = contracts.versions("ccphva-streetlight")[0]?.key ?? "";
    expect(silenceAfterMs(contracts, devices[1] as Device, key)).toBe(20 * MIN);
    expect(silenceAfterMs(contracts, devices[1] as Device, "ccphva-streetlight@0.0.0")).toBeUndefined();
  });
});

/** A store answering `latest({ at })` from fixed readings: the policy and views are under test. */
function fakeStore(readings: DeviceState[]) {
  const asked: LatestFilter[] = [];
  return {
    asked,
    async latest(filter: LatestFilter): Promise<DeviceState[]> {
      asked.push(filter);
      const at = filter.at ?? Number.POSITIVE_INFINITY;
      return readings.filter(
        (s) =>
          s.time <= at &&
          (filter.deviceIds === undefined || filter.deviceIds.includes(s.deviceId)) &&
          (filter.operatorId === undefined || s.operatorId === filter.operatorId),
      );
    },
  };
}

function state(deviceId: string, operatorId: string, time: number, power: number): DeviceState {
  return {
    deviceId,
    domain: "streetlight",
    commune: "57038",
    operatorId,
    contract: CONTRACT,
    time,
    values: { active_power_w: { value: power, time } },
  };
}

describe("devices at an instant, through the access service", () => {
  let contracts: ContractRegistry;
  let alerts: MemoryAlertStore;
  let reads: DeviceStatesAt;
  let store: ReturnType<typeof fakeStore>;

  const input = (subject: string, rule: string, operatorId: string): AlertInput => ({
    ruleId: `ccphva-streetlight/${rule}`,
    subject,
    severity: "major",
    domain: "streetlight",
    commune: "57038",
    operatorId,
    detail: "test",
  });

  beforeAll(async () => {
    contracts = await loadContractDir(join(CCPHVA_DIR, "contracts"));
  });

  beforeEach(async () => {
    const clock = fixedClock(NOW);
    const policy = createAccessPolicy({
      devices: createDeviceIndex(devices, () => clock.now()),
      contracts,
      clock,
    });
    const key = contracts.versions("ccphva-streetlight")[0]?.key ?? CONTRACT;
    store = fakeStore(
      [
        state("lum-handed", "lumiere-est", H - 25 * MIN, 40),
        state("lum-handed", "lumiere-nord", H + 10 * MIN, 41),
        state("lum-kept", "lumiere-est", H - 5 * MIN, 30),
        state("lum-quiet", "lumiere-est", H - 60 * MIN, 20),
      ].map((s) => ({ ...s, contract: key })),
    );
    alerts = new MemoryAlertStore();
    await alerts.start();
    // lum-kept: a fault from H - 30 min, cleared at H - 1 min, closed later.
    const fault = await alerts.raise(input("lum-kept", "lamp-defective", "lumiere-est"), H - 30 * MIN);
    await alerts.clear("lum-kept", fault.ruleId, H - MIN);
    // lum-handed: a silence from H + 20 min, still open.
    await alerts.raise(input("lum-handed", "silent", "lumiere-nord"), H + 20 * MIN);
    reads = createDeviceStatesAt({ policy, store: latestOnly(store), alerts, contracts, clock });
  });

  /** The newest state at or before `at` per device, as a store answers. */
  function latestOnly(s: ReturnType<typeof fakeStore>) {
    return {
      async latest(filter: LatestFilter) {
        const found = await s.latest(filter);
        const newest = new Map<string, DeviceState>();
        for (const st of found) {
          const seen = newest.get(st.deviceId);
          if (!seen || st.time > seen.time) newest.set(st.deviceId, st);
        }
        return [...newest.values()];
      },
    };
  }

  async function conditions(principal: Principal, at: number) {
    const { devices: views } = await reads.list(principal, {}, at);
    return Object.fromEntries(
      views.map((d) => [d.id, [d.condition, d.operator, d.state?.values.active_power_w?.value]]),
    );
  }

  it("gives staff each device's values, holder and condition at the instant", async () => {
    expect(await conditions(staff, H - 20 * MIN)).toEqual({
      "lum-handed": ["ok", "lumiere-est", 40],
      "lum-kept": ["fault", "lumiere-est", undefined],
      "lum-quiet": ["silent", "lumiere-est", 20],
    });
    expect(await conditions(staff, H + 30 * MIN)).toEqual({
      "lum-handed": ["silent", "lumiere-nord", 41],
      "lum-kept": ["silent", "lumiere-est", 30],
      "lum-quiet": ["silent", "lumiere-est", 20],
    });
    expect(await conditions(staff, H - 2 * 60 * MIN)).toEqual({
      "lum-handed": ["unknown", "lumiere-est", undefined],
      "lum-kept": ["unknown", "lumiere-est", undefined],
      "lum-quiet": ["unknown", "lumiere-est", undefined],
    });
  });

  it("lists the ids of the alerts active at the instant, not those cleared then", async () => {
    const [before] = (await reads.list(staff, {}, H - 2 * MIN)).devices.filter((d) => d.id === "lum-kept");
    expect(before?.alerts).toHaveLength(1);
    const after = await reads.get(staff, "lum-kept", H);
    expect([after.condition, after.alerts]).toEqual(["ok", []]);
  });

  it("shows an operator only the devices it held then, from its own readings and alerts", async () => {
    expect(await conditions(est, H - 20 * MIN)).toEqual({
      "lum-handed": ["ok", "lumiere-est", 40],
      "lum-kept": ["fault", "lumiere-est", undefined],
      "lum-quiet": ["silent", "lumiere-est", 20],
    });
    expect(Object.keys(await conditions(est, H + 30 * MIN)).sort()).toEqual(["lum-kept", "lum-quiet"]);
    expect(await conditions(nord, H + 30 * MIN)).toEqual({ "lum-handed": ["silent", "lumiere-nord", 41] });
    expect(await conditions(nord, H - 20 * MIN)).toEqual({});
    expect(
      store.asked.filter((f) => f.operatorId === "lumiere-nord").every((f) => f.at === H + 30 * MIN),
    ).toBe(true);
  });

  it("tells an operator nothing of a device it did not hold then", async () => {
    const view = await reads.get(nord, "lum-handed", H - 20 * MIN);
    expect([view.condition, view.state, view.alerts, view.operator]).toEqual(["unknown", null, [], null]);
  });

  it("filters staff's listing on the operator that held the device then", async () => {
    const { devices: views } = await reads.list(staff, { operator: "lumiere-nord" }, H + 30 * MIN);
    expect(views.map((d) => d.id)).toEqual(["lum-handed"]);
    expect((await reads.list(staff, { operator: "lumiere-nord" }, H - 30 * MIN)).count).toBe(0);
  });

  it("refuses the public and an instant after now", async () => {
    await expect(reads.list(undefined, {}, H)).rejects.toMatchObject({ code: "ERR_AUTH_REQUIRED" });
    const after = NOW + CLOCK_SKEW_MS + 1;
    await expect(reads.list(staff, {}, after)).rejects.toMatchObject({ code: "ERR_BAD_REQUEST" });
    await expect(reads.get(staff, "lum-kept", after)).rejects.toMatchObject({ code: "ERR_BAD_REQUEST" });
  });

  it("reads only the alerts of the granted devices' history", async () => {
    const seen: number[] = [];
    const spy = {
      list: alerts.list.bind(alerts),
      history: async (id: number) => {
        seen.push(id);
        return alerts.history(id);
      },
    };
    const active = await activeAlertsAt(spy, H + 30 * MIN, "lumiere-nord", () => true);
    expect(active.map((a) => a.subject)).toEqual(["lum-handed"]);
    expect(seen).toHaveLength(1);
  });
});
