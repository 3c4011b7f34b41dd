import { describe, expect, it } from "vitest";
import { ruleKinds } from "../../services/alerts/rules/kinds.ts";
import type { RuleInput } from "../../services/alerts/rules/types.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { loadContractDir } from "../../services/contracts/registry.ts";
import type { Device, EpochMs } from "../../services/domain/types.ts";
import { loadInventoryFile } from "../../services/inventory/load.ts";
import {
  applyFaults,
  DEMO_FAULTS,
  type FaultPlan,
  planFaults,
  SUN_MIN_DURATION_MS,
  SUN_OFFSET_DEG,
} from "../../simulator/faults.ts";
import { planScenario, readingFor } from "../../simulator/models.ts";

const DIR = "territory/ccphva";
const registry = await loadContractDir(`${DIR}/contracts`);
const contracts = registry.all();
const devices = await loadInventoryFile(`${DIR}/inventory.csv`, { ownerId: "ccphva" });
const byId = new Map(devices.map((d) => [d.id, d]));
/** 10:00 and 23:00 in Paris, a winter day: the sun fault is resolved both ways. */
const DAY_START = Date.UTC(2026, 0, 14, 9, 0, 0);
const NIGHT_START = Date.UTC(2026, 0, 14, 22, 0, 0);
/** In the night-flow window (03:30), and at a summer dusk (twilight: the sun fault waits for it). */
const STARTS = [DAY_START, NIGHT_START, Date.UTC(2026, 0, 15, 2, 30), Date.UTC(2026, 5, 21, 19, 50)];

function ruleOf(id: string): { contract: Contract; kind: string; params: unknown } | undefined {
  const [contractId, ruleId] = id.split("/");
  const contract = contracts.find((c) => c.id === contractId);
  const rule = contract?.rules.find((r) => r.id === ruleId);
  return contract && rule ? { contract, kind: rule.kind, params: rule.params } : undefined;
}

describe("the demo's fault schedule", () => {
  it("injects at least one fault for every rule kind of the demo contracts' catalogue", () => {
    const catalogue = new Set(contracts.flatMap((c) => c.rules.map((r) => r.kind)));
    expect([...catalogue].sort()).toEqual([...ruleKinds.keys()].sort());
    const injected = new Set(DEMO_FAULTS.flatMap((e) => e.rules.map((r) => ruleOf(r)?.kind)));
    for (const kind of catalogue) expect(injected, kind).toContain(kind);
  });

  it("names rules of the device's own contract and devices the MQTT simulator drives", () => {
    for (const e of DEMO_FAULTS) {
      const device = byId.get(e.device);
      expect(device, e.device).toBeDefined();
      // Thil's sensors go through the LoRaWAN simulator, which plays no faults.
      expect(device?.commune).not.toBe("54521");
      for (const r of e.rules) expect(ruleOf(r)?.contract.id, r).toBe(device?.contractId);
      expect(e.expectedByMs).toBeLessThanOrEqual(5 * 60_000);
    }
    const quick = DEMO_FAULTS.filter((e) => e.expectedByMs <= 2 * 60_000);
    expect(quick.length).toBeGreaterThan(DEMO_FAULTS.length / 2);
  });

  it("mirrors the sun rule of the streetlight contract", () => {
    expect(ruleOf("ccphva-streetlight/lit-against-sun")?.params).toMatchObject({
      offsetDeg: SUN_OFFSET_DEG,
      minDurationMs: SUN_MIN_DURATION_MS,
    });
  });

  it("chooses the lamp's fault from the sun: lit in daylight by day, dark at night by night", () => {
    const fault = (start: EpochMs) =>
      planFaults(devices, start).entries.find((e) => e.device === "lum-57038-0102")?.fault;
    expect(fault(DAY_START)).toBe("lit-in-daylight");
    expect(fault(NIGHT_START)).toBe("dark-at-night");
  });

  it("leaves devices without a fault as the models make them", () => {
    const plan = planFaults(devices, DAY_START);
    const scenario = planScenario(devices, DAY_START);
    const lamp = byId.get("lum-57038-0200") as Device;
    const data = readingFor(lamp, DAY_START + 60_000, scenario) ?? {};
    expect(applyFaults(lamp, DAY_START + 60_000, data, plan)).toBe(data);
  });
});

/** What the platform would judge for one device: its history, then live readings and ticks. */
function replay(device: Device, plan: FaultPlan, untilMs: number, liveStepMs = 30_000): RuleInput[] {
  const scenario = planScenario(devices, plan.start);
  const inputs: RuleInput[] = [];
  const history = plan.history.get(device.id);
  if (history !== undefined) {
    for (let t = plan.start - history.ms; t < plan.start; t += history.stepMs) {
      push(inputs, device, t, scenario, plan);
    }
  }
  for (let dt = 0; dt <= untilMs; dt += 10_000) {
    const t = plan.start + dt;
    if (dt % liveStepMs === 0) push(inputs, device, t, scenario, plan);
    inputs.push({ tick: t });
  }
  return inputs;
}

function push(
  inputs: RuleInput[],
  device: Device,
  t: EpochMs,
  scenario: ReturnType<typeof planScenario>,
  plan: FaultPlan,
): void {
  const model = readingFor(device, t, scenario);
  const values = model && applyFaults(device, t, model, plan);
  if (values)
    inputs.push({
      time: t,
      values,
      device: { lat: device.lat, lon: device.lon, attributes: device.attributes },
    });
}

/** Time (ms after the start) at which the rule first fires over the inputs, if it does. */
function firesAt(ruleId: string, inputs: RuleInput[], start: EpochMs): number | undefined {
  const rule = ruleOf(ruleId);
  const kind = rule && ruleKinds.get(rule.kind);
  if (!rule || !kind) throw new Error(`no rule ${ruleId}`);
  let state: unknown;
  for (const input of inputs) {
    const r = kind.evaluate(rule.params, state, input);
    state = r.state;
    if (r.verdict.verdict === "fire") return ("tick" in input ? input.tick : input.time) - start;
  }
  return undefined;
}

describe("each scripted fault opens its alert in time", () => {
  for (const start of STARTS) {
    const plan = planFaults(devices, start);
    for (const e of plan.entries) {
      for (const rule of e.rules) {
        it(`${e.fault} on ${e.device}: ${rule} (start ${new Date(start).toISOString()})`, () => {
          const at = firesAt(rule, replay(byId.get(e.device) as Device, plan, e.expectedByMs), start);
          expect(at, "never fired").toBeDefined();
          expect(at).toBeLessThanOrEqual(e.expectedByMs);
        });
      }
    }
  }

  it("does not fire the history rules on the normal fleet", () => {
    const plan = planFaults(devices, DAY_START);
    const quiet = (id: string, rule: string) =>
      firesAt(
        rule,
        replay(
          byId.get(id) as Device,
          { ...plan, history: new Map([[id, { ms: 8 * 86_400_000, stepMs: 900_000 }]]) },
          0,
        ),
        DAY_START,
      );
    for (const id of ["pre-57038-006", "pre-57038-007", "pre-54580-001", "pre-57529-002"]) {
      expect(quiet(id, "ccphva-water-pressure/pressure-drift"), id).toBeUndefined();
      expect(quiet(id, "ccphva-water-pressure/pressure-transient"), id).toBeUndefined();
      expect(quiet(id, "ccphva-water-pressure/pressure-sudden-drop"), id).toBeUndefined();
    }
    for (const d of devices.filter((x) => x.domain === "water_flow" && x.id !== "deb-57038-nord")) {
      expect(quiet(d.id, "ccphva-water-flow/night-flow-rising"), d.id).toBeUndefined();
    }
  });
});
