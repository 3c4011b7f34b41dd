import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRuleEngine, type RuleEngine } from "../../services/alerts/engine.ts";
import { createMemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import type { AlertStore } from "../../services/alerts/store.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { createContractRegistry } from "../../services/contracts/registry.ts";
import type { Device, FieldValue, Observation } from "../../services/domain/types.ts";
import { createDeviceIndex } from "../../services/inventory/device-index.ts";

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

async function setup(): Promise<{ engine: RuleEngine; store: AlertStore }> {
  const store = createMemoryAlertStore();
  const engine = createRuleEngine({
    contracts: createContractRegistry([parseOk(CONTRACT)]),
    devices: { get: (id) => (id === LAMP.id ? LAMP : undefined), list: () => [LAMP] },
    store,
    now: () => T0,
  });
  await engine.start();
  return { engine, store };
}

const RULE = "test-lamp/lamp-defective";

describe("rule engine", () => {
  it("raises one alert for a defective lamp, even twice a millisecond apart", async () => {
    const { engine, store } = await setup();
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
    const { engine, store } = await setup();
    engine.observe([obs(T0, { status: "defectiveLamp" })]);
    engine.observe([obs(T0 + 60_000, { status: "ok" })]);
    await engine.idle();
    const alerts = await store.list({ ruleId: RULE, limit: 10 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: "open", clearedAt: T0 + 60_000 });
  });

  it("does not duplicate on a replay of the same batch", async () => {
    const { engine, store } = await setup();
    const batch = [obs(T0, { status: "defectiveLamp" })];
    engine.observe(batch);
    engine.observe(batch);
    await engine.idle();
    expect(await store.list({ ruleId: RULE, limit: 10 })).toHaveLength(1);
    expect((await store.history(1)).map((h) => h.event)).toEqual(["raised"]);
  });

  it("reports a silence on a tick and clears it at the next reading", async () => {
    const { engine, store } = await setup();
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
    const { engine, store } = await setup();
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
        devices: { get: () => LAMP, list: () => [LAMP] },
        store,
        now: () => T0,
      },
      { maxQueued: 1, maxStates: 10 },
    );
    await engine.start();
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

/** Five lamps on cabinet arm-1, two on arm-2, all lumiere-est's; silences correlated by cabinet. */
const CORRELATED = CONTRACT.replace(
  "params: { cadenceMs: 60000, graceMs: 0 }, severity: minor }",
  "params: { cadenceMs: 60000, graceMs: 0 }, severity: minor, correlate: { by: [operator, cabinet], minDevices: 3, minShare: 0.5 } }",
);

function lamp(n: number, cabinet: string): Device {
  return { ...LAMP, id: `lum-${n}`, attributes: { power_w: 35, cabinet } };
}

function obsOf(device: string, time: number): Observation {
  return { ...obs(time, { status: "ok" }), deviceId: device };
}

describe("correlation", () => {
  const ARM1 = [1, 2, 3, 4, 5].map((n) => lamp(n, "arm-1"));
  const ARM2 = [6, 7].map((n) => lamp(n, "arm-2"));
  // Other lamps of the operator, on other cabinets: the operator's feed is far from all down.
  const OTHERS = [8, 9, 10, 11, 12, 13, 14, 15].map((n) => lamp(n, `arm-${n}`));
  const ALL = [...ARM1, ...ARM2, ...OTHERS];
  const SILENT = "test-lamp/silent";

  async function correlated() {
    const store = createMemoryAlertStore();
    const engine = createRuleEngine({
      contracts: createContractRegistry([parseOk(CORRELATED)]),
      devices: createDeviceIndex(ALL, () => T0),
      store,
      now: () => T0,
    });
    await engine.start();
    engine.observe(ALL.map((d) => obsOf(d.id, T0)));
    return { engine, store };
  }

  it("makes a cabinet's silence one alert listing its lamps, and clears it with them", async () => {
    const { engine, store } = await correlated();
    // Every lamp but arm-1's reports again; arm-1's fall silent, found one after the other in a tick.
    engine.observe([...ARM2, ...OTHERS].map((d) => obsOf(d.id, T0 + 50_000)));
    await engine.idle();
    await engine.tick(T0 + 70_000);
    const alerts = await store.list({ ruleId: SILENT, limit: 50 });
    const open = alerts.filter((a) => a.status !== "closed");
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      subject: "cabinet:arm-1",
      children: ARM1.map((d) => d.id),
      kind: "silence",
    });
    // The first lamps' own alerts, raised before the group formed, are closed into it.
    for (const a of alerts.filter((x) => x.status === "closed")) {
      expect(a.closedBy).toBe("system");
      expect(a.comments[0]?.text).toContain(`n° ${open[0]?.id}`);
    }

    // Power is back: the lamps report, the cabinet's alert clears with the last of them.
    engine.observe(ARM1.slice(0, 4).map((d) => obsOf(d.id, T0 + 80_000)));
    await engine.idle();
    expect((await store.get(open[0]?.id ?? 0))?.clearedAt).toBeUndefined();
    engine.observe([obsOf("lum-5", T0 + 81_000)]);
    await engine.idle();
    expect((await store.get(open[0]?.id ?? 0))?.clearedAt).toBe(T0 + 81_000);
  });

  it("clears a cabinet's alert raised before a restart when its lamps report again", async () => {
    const { engine, store } = await correlated();
    engine.observe([...ARM2, ...OTHERS].map((d) => obsOf(d.id, T0 + 50_000)));
    await engine.idle();
    await engine.tick(T0 + 70_000);
    await engine.close();
    const [group] = await store.list({ subject: "cabinet:arm-1", limit: 1 });
    // A new engine without saved states: the store's active group alert is all it knows.
    const after = createRuleEngine({
      contracts: createContractRegistry([parseOk(CORRELATED)]),
      devices: createDeviceIndex(ALL, () => T0),
      store,
      now: () => T0,
    });
    await after.start();
    after.observe(ARM1.map((d) => obsOf(d.id, T0 + 80_000)));
    await after.idle();
    // The lamps' silence states were lost with the first engine; their readings clear all the same.
    expect((await store.get(group?.id ?? 0))?.clearedAt).toBe(T0 + 80_000);
  });

  it("keeps one alert per lamp below the group's threshold", async () => {
    const { engine, store } = await correlated();
    engine.observe(ALL.filter((d) => d.id !== "lum-6").map((d) => obsOf(d.id, T0 + 50_000)));
    await engine.idle();
    await engine.tick(T0 + 70_000);
    const alerts = await store.list({ ruleId: SILENT, limit: 50 });
    expect(alerts.map((a) => a.subject)).toEqual(["lum-6"]);
  });

  it("makes an operator's whole feed one alert, absorbing its cabinets'", async () => {
    const { engine, store } = await correlated();
    await engine.tick(T0 + 70_000);
    const open = (await store.list({ ruleId: SILENT, limit: 50 })).filter((a) => a.status !== "closed");
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ subject: "operator:lumiere-est" });
    expect(open[0]?.children).toHaveLength(ALL.length);
  });
});

describe("rule engine states across a restart", () => {
  it("keeps a silence's last reading through a stop and a start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lanterne-rules-"));
    const statePath = join(dir, "rule-state.ndjson");
    const store = createMemoryAlertStore();
    const make = () =>
      createRuleEngine(
        {
          contracts: createContractRegistry([parseOk(CONTRACT)]),
          devices: createDeviceIndex([LAMP], () => T0),
          store,
          now: () => T0,
        },
        { maxQueued: 1000, maxStates: 1000, statePath },
      );
    const first = make();
    await first.start();
    first.observe([obs(T0, { status: "ok" })]);
    await first.close();
    expect(readFileSync(statePath, "utf8").trim().split("\n")).toHaveLength(2);
    // A stop cut while writing would leave a torn line: the whole lines are still taken back.
    appendFileSync(statePath, '{"d":"lum-1","c":"test-lamp@1.0.0","r":"si');

    // A new engine, as after a restart: the lamp's last reading is known, so its silence fires.
    const second = make();
    await second.start();
    expect(second.size).toBe(2);
    await second.tick(T0 + 120_000);
    expect(await store.list({ ruleId: "test-lamp/silent", limit: 10 })).toHaveLength(1);
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
