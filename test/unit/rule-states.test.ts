import { describe, expect, it } from "vitest";
import { RuleStates } from "../../services/alerts/rule-states.ts";
import type { Contract, RuleSpec } from "../../services/contracts/model.ts";

function contract(key: string, rules: RuleSpec[]): Contract {
  return { key, rules } as unknown as Contract;
}

const band = (max: number): RuleSpec => ({
  id: "band",
  kind: "band",
  params: { field: "x", max },
  severity: "minor",
});
const silent: RuleSpec = { id: "silent", kind: "silence", params: { graceMs: 0 }, severity: "minor" };

describe("rule states", () => {
  it("keeps one state per rule of the device's contract", () => {
    const states = new RuleStates(10);
    const c = contract("c@1", [band(5), silent]);
    const entry = states.entry("d1", c);
    RuleStates.set(entry, 1, { last: 1 });
    expect(RuleStates.get(states.entry("d1", c), 1)).toEqual({ last: 1 });
    expect(states.size).toBe(1);
    expect(states.stateCount).toBe(2);
  });

  it("carries a state over a new contract version only for the same rule with the same parameters", () => {
    const states = new RuleStates(10);
    const v1 = contract("c@1", [band(5), silent]);
    const v2 = contract("c@2", [silent, band(6)]);
    const entry = states.entry("d1", v1);
    RuleStates.set(entry, 0, "band state");
    RuleStates.set(entry, 1, "silence state");
    const next = states.entry("d1", v2);
    expect(RuleStates.contractOf(next)).toBe(v2);
    expect(RuleStates.get(next, 0)).toBe("silence state");
    expect(RuleStates.get(next, 1)).toBeUndefined();
  });

  it("stays within its bound, forgetting first the devices not seen since the last sweep", () => {
    const states = new RuleStates(3);
    const c = contract("c@1", [silent]);
    for (const id of ["a", "b", "c"]) states.entry(id, c);
    // A sweep clears the "seen" marks before anything goes; the device seen last survives the next.
    states.entry("d", c);
    expect(states.size).toBe(3);
    states.entry("a", c);
    states.entry("e", c);
    expect(states.size).toBe(3);
    expect(states.existing("a")).toBeDefined();
    for (let i = 0; i < 1000; i++) states.entry(`x${i}`, c);
    expect(states.size).toBe(3);
  });

  it("restores a saved state without counting it as seen", () => {
    const states = new RuleStates(2);
    const c = contract("c@1", [silent]);
    states.restore("old", c, 0, { last: 1 });
    states.entry("live", c);
    states.entry("new", c);
    expect(states.existing("old")).toBeUndefined();
    expect(states.existing("live")).toBeDefined();
  });
});
