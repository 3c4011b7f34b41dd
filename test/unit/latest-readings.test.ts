import { describe, expect, it } from "vitest";
import { LatestReadings } from "../../services/access/latest-readings.ts";
import type { Observation } from "../../services/domain/types.ts";
import type { DeviceState } from "../../services/storage/store.ts";

function obs(deviceId: string, time: number, operatorId = "op-a", contract = "c@1.0.0"): Observation {
  return {
    deviceId,
    time,
    domain: "d",
    commune: "57038",
    ownerId: "o",
    operatorId,
    contract,
    values: { x: 1 },
  };
}

function state(deviceId: string, time: number): DeviceState {
  return {
    deviceId,
    time,
    domain: "d",
    commune: "57038",
    operatorId: "op-a",
    contract: "c@1.0.0",
    values: {},
  };
}

describe("LatestReadings", () => {
  it("keeps each device's newest reading, whatever order the batches come in", () => {
    const latest = new LatestReadings();
    latest.observe([obs("a", 2_000), obs("b", 1_000)]);
    latest.observe([obs("a", 1_500, "op-late")]);
    latest.observe([obs("b", 3_000, "op-b", "c@2.0.0")]);
    expect(latest.get("a")).toEqual({ time: 2_000, contract: "c@1.0.0", operatorId: "op-a" });
    expect(latest.get("b")).toEqual({ time: 3_000, contract: "c@2.0.0", operatorId: "op-b" });
    expect(latest.get("c")).toBeUndefined();
  });

  it("takes the last write on an equal time, as the stores do", () => {
    const latest = new LatestReadings();
    latest.observe([obs("a", 2_000, "op-a")]);
    latest.observe([obs("a", 2_000, "op-b")]);
    expect(latest.get("a")?.operatorId).toBe("op-b");
  });

  it("is ready once seeded, and a seed older than what arrived since start changes nothing", () => {
    const latest = new LatestReadings();
    expect(latest.ready).toBe(false);
    latest.observe([obs("a", 5_000)]);
    latest.seed([state("a", 4_000), state("b", 4_000)]);
    expect(latest.ready).toBe(true);
    expect(latest.get("a")?.time).toBe(5_000);
    expect(latest.get("b")?.time).toBe(4_000);
    expect(latest.size).toBe(2);
  });
});
