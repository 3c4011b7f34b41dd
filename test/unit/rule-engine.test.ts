import { describe, expect, it } from "vitest";
import { createRuleEngine, type RuleEngine } from "../../services/alerts/engine.ts";
import { createMemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import type { AlertStore } from "../../services/alerts/store.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { createContractRegistry } from "../../services/contracts/registry.ts";
import type { Device, FieldValue, Observation } from "../../services/domain/types.ts";

const CONTRACT = `
apiVersion: v3.1.0
kind: DataContract
id: test-lamp
version: 1.0.0
status: active
domain: streetlight
schema:
  - name: reading
    logicalType: object
    properties:
      - { name: status, logicalType: string, required: true }
      - { name: power_state, logicalType: string }
customProperties:
  - property: owner
    value: { id: ccphva, name: CCPHVA }
  - property: validFrom
    value: "2024-01-01"
  - property: rules
    value:
      - { id: lamp-defective, kind: state-equals, field: status, params: { values: [defectiveLamp] }, severity: major }
      - { id: silent, kind: silence, params: { cadenceMs: 60000, graceMs: 0 }, severity: minor }
`;

function parseOk(text: string): Contract {
  const r = parseContractText(text, "test.yaml");
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.contract;
}

const LAMP: Device = {
  id: "lum-1",
  domain: "streetlight",
  contractId: "test-lamp",
  ownerId: "ccphva",
  commune: "57038",
  lat: 49.5,
  lon: 6,
  attributes: { power_w: 35 },
  assignments: [{ operatorId: "lumiere-est", from: 0 }],
};

const T0 = Date.parse("2026-01-10T12:00:00Z");

function obs(time: number, values: Record<string, FieldValue>): Observation {
  return {
    deviceId: LAMP.id,
    time,
    domain: "streetlight",
    commune: "57038",
    ownerId: "ccphva",
    operatorId: "lumiere-est",
    contract: "test-lamp@1.0.0",
    values,
  };
}

function setup(): { engine: RuleEngine; store: AlertStore } {
  const store = createMemoryAlertStore();
  const engine = createRuleEngine({
    contracts: createContractRegistry([parseOk(CONTRACT)]),
    devices: { get: (id) => (id === LAMP.id ? LAMP : undefined) },
    store,
    now: () => T0,
  });
  engine.start();
  return { engine, store };
}

const RULE = "test-lamp/lamp-defective";

describe("rule engine", () => {
  it("raises one alert for a defective lamp, even twice a millisecond apart", async () => {
    const { engine, store } = setup();
    engine.observe([obs(T0, { status: "defectiveLamp" }), obs(T0 + 1, { status: "defectiveLamp" })]);
    await engine.idle();
    const alerts = await store.list({ ruleId: RULE, limit: 10 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      subject: "lum-1",
      severity: "major",
      domain: "streetlight",
      commune: "57038",
      operatorId: "lumiere-est",
      status: "open",
      openedAt: T0,
    });
    expect(alerts[0]?.clearedAt).toBeUndefined();
  });

  it("clears the alert when the lamp is back to ok", async () => {
    const { engine, store } = setup();
    engine.observe([obs(T0, { status: "defectiveLamp" })]);
    engine.observe([obs(T0 + 60_000, { status: "ok" })]);
    await engine.idle();
    const alerts = await store.list({ ruleId: RULE, limit: 10 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: "open", clearedAt: T0 + 60_000 });
  });

  it("does not duplicate on a replay of the same batch", async () => {
    const { engine, store } = setup();
    const batch = [obs(T0, { status: "defectiveLamp" })];
    engine.observe(batch);
    engine.observe(batch);
    await engine.idle();
    expect(await store.list({ ruleId: RULE, limit: 10 })).toHaveLength(1);
    expect((await store.history(1)).map((h) => h.event)).toEqual(["raised"]);
  });

  it("reports a silence on a tick and clears it at the next reading", async () => {
    const { engine, store } = setup();
    engine.observe([obs(T0, { status: "ok" })]);
    await engine.tick(T0 + 30_000);
    expect(await store.list({ ruleId: "test-lamp/silent", limit: 10 })).toHaveLength(0);
    await engine.tick(T0 + 120_000);
    const [silent] = await store.list({ ruleId: "test-lamp/silent", limit: 10 });
    expect(silent).toMatchObject({ subject: "lum-1", severity: "minor", commune: "57038" });
    engine.observe([obs(T0 + 130_000, { status: "ok" })]);
    await engine.idle();
    expect((await store.get(silent?.id ?? 0))?.clearedAt).toBe(T0 + 130_000);
  });

  it("drains its queue on close and then ignores new batches", async () => {
    const { engine, store } = setup();
    engine.observe([obs(T0, { status: "defectiveLamp" })]);
    await engine.close();
    expect(await store.list({ ruleId: RULE, limit: 10 })).toHaveLength(1);
    engine.observe([obs(T0 + 1, { status: "ok" })]);
    await engine.idle();
    expect((await store.list({ ruleId: RULE, limit: 10 }))[0]?.clearedAt).toBeUndefined();
  });

  it("drops batches past its bound instead of growing", async () => {
    const store = createMemoryAlertStore();
    const engine = createRuleEngine(
      {
        contracts: createContractRegistry([parseOk(CONTRACT)]),
        devices: { get: () => LAMP },
        store,
        now: () => T0,
      },
      { maxQueued: 1, maxStates: 10 },
    );
    engine.start();
    engine.observe([obs(T0, { status: "ok" }), obs(T0 + 1, { status: "ok" })]);
    await engine.idle();
    expect(engine.stats.dropped).toBe(2);
  });
});

describe("rules in contracts", () => {
  const withRules = (rules: string) => CONTRACT.replace(/ {2}- property: rules[\s\S]*$/, rules);

  it("reports the kind's parameter errors with their path", () => {
    const r = parseContractText(
      withRules(`  - property: rules
    value:
      - { id: a, kind: band, field: status, params: { min: 1 }, severity: minor }
      - { id: b, kind: rate, field: status, params: { mode: sudden, windowMs: 1000, maxDelta: -1 }, severity: minor }
`),
      "x.yaml",
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join("\n")).toMatch(/customProperties\.rules\[1\]\.params\/maxDelta: /);
  });

  it("refuses an unknown kind, a duplicate id, an unknown field", () => {
    const r = parseContractText(
      withRules(`  - property: rules
    value:
      - { id: a, kind: nope, params: {}, severity: minor }
      - { id: b, kind: state-equals, field: status, params: { values: [x] }, severity: minor }
      - { id: b, kind: state-equals, field: status, params: { values: [y] }, severity: minor }
      - { id: c, kind: state-equals, field: colour, params: { values: [x] }, severity: minor }
`),
      "x.yaml",
    );
    expect(r.ok).toBe(false);
    const text = r.ok ? "" : r.errors.join("\n");
    expect(text).toMatch(/rules\[0\]\.kind: unknown rule kind "nope"/);
    expect(text).toMatch(/rules\[2\]\.id: rule b declared twice/);
    expect(text).toMatch(/rules\[3\]\.params\/field: no such field "colour"/);
  });

  it("merges the field shorthand into the parameters", () => {
    const rule = parseOk(CONTRACT).rules[0];
    expect(rule).toMatchObject({
      id: "lamp-defective",
      params: { field: "status", values: ["defectiveLamp"] },
    });
  });
});
