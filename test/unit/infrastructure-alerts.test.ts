import { describe, expect, it } from "vitest";
import { GatewayWatch } from "../../gateway/lorawan/gateway-watch.ts";
import { createRuleEngine, type RuleEngine } from "../../services/alerts/engine.ts";
import {
  EDGE_NODE_OFFLINE,
  GATEWAY_OFFLINE,
  type InfrastructureSignal,
  rearmedSilence,
} from "../../services/alerts/infrastructure.ts";
import { createMemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import { algorithmRegister } from "../../services/alerts/register.ts";
import type { AlertStore } from "../../services/alerts/store.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { createContractRegistry } from "../../services/contracts/registry.ts";
import type { Device, Observation } from "../../services/domain/types.ts";

/**
 * Infrastructure signals in the rule engine: an edge node's NDEATH (or a dark gateway) is one
 * alert with the devices behind it, which takes in their own silences, keeps new ones from being
 * raised one by one, clears on the node's return and survives a restart of the engine.
 */
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
customProperties:
  - property: owner
    value: { id: ccphva, name: CCPHVA }
  - property: validFrom
    value: "2024-01-01"
  - property: rules
    value:
      - { id: silent, kind: silence, params: { cadenceMs: 60000, graceMs: 0 }, severity: minor }
`;

function parseOk(text: string): Contract {
  const r = parseContractText(text, "test.yaml");
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.contract;
}

function lamp(id: string): Device {
  return {
    id,
    domain: "streetlight",
    contractId: "test-lamp",
    ownerId: "ccphva",
    commune: "57038",
    lat: 49.5,
    lon: 6,
    attributes: { power_w: 35 },
    assignments: [{ operatorId: "lumiere-est", from: 0 }],
  };
}

const LAMPS = [lamp("lum-1"), lamp("lum-2"), lamp("lum-3")];
const T0 = Date.parse("2026-01-10T12:00:00Z");
const SILENT = "test-lamp/silent";
const NODE = "edge-node:lumiere-est/armoire-1";

function obs(deviceId: string, time: number): Observation {
  return {
    deviceId,
    time,
    domain: "streetlight",
    commune: "57038",
    ownerId: "ccphva",
    operatorId: "lumiere-est",
    contract: "test-lamp@1.0.0",
    values: { status: "ok" },
  };
}

function node(
  state: "down" | "up",
  at: number,
  children: string[] = ["lum-1", "lum-2"],
): InfrastructureSignal {
  return {
    subject: NODE,
    ruleId: EDGE_NODE_OFFLINE,
    state,
    at,
    detail: "concentrateur Sparkplug armoire-1 arrêté (NDEATH bdSeq=0)",
    operatorId: "lumiere-est",
    children,
  };
}

async function engineOn(store: AlertStore): Promise<RuleEngine> {
  const engine = createRuleEngine({
    contracts: createContractRegistry([parseOk(CONTRACT)]),
    devices: { get: (id) => LAMPS.find((d) => d.id === id), list: () => LAMPS },
    store,
    now: () => T0,
  });
  await engine.start();
  return engine;
}

/** The three lamps report at T0. */
async function reporting(engine: RuleEngine): Promise<void> {
  engine.observe(LAMPS.map((d) => obs(d.id, T0)));
  await engine.idle();
}

describe("infrastructure signals", () => {
  it("raises one alert with the devices behind it and closes their own silences into it", async () => {
    const store = createMemoryAlertStore();
    const engine = await engineOn(store);
    await reporting(engine);
    await engine.tick(T0 + 120_000);
    expect(await store.list({ ruleId: SILENT, status: "open", limit: 10 })).toHaveLength(3);

    await engine.signal(node("down", T0 + 130_000));
    const [group] = await store.list({ subject: NODE, limit: 10 });
    expect(group).toMatchObject({
      ruleId: EDGE_NODE_OFFLINE,
      kind: "infrastructure",
      severity: "major",
      domain: "streetlight",
      operatorId: "lumiere-est",
      status: "open",
      children: ["lum-1", "lum-2"],
      openedAt: T0 + 130_000,
    });
    expect(group?.detail).toContain("2 équipements derrière");
    for (const id of ["lum-1", "lum-2"]) {
      const [own] = await store.list({ subject: id, ruleId: SILENT, limit: 1 });
      expect(own?.status, id).toBe("closed");
      expect(own?.comments.at(-1)?.text).toBe(`Regroupée dans l'alerte n° ${group?.id} (${NODE}).`);
    }
    // A device not behind the node keeps its own alert.
    const [other] = await store.list({ subject: "lum-3", ruleId: SILENT, limit: 1 });
    expect(other?.status).toBe("open");
  });

  it("raises no silence of its own for a device behind a node that is down", async () => {
    const store = createMemoryAlertStore();
    const engine = await engineOn(store);
    await reporting(engine);
    await engine.signal(node("down", T0 + 10_000));
    await engine.tick(T0 + 120_000);
    const silences = await store.list({ ruleId: SILENT, limit: 10 });
    expect(silences.map((a) => a.subject)).toEqual(["lum-3"]);
    const [group] = await store.list({ subject: NODE, limit: 10 });
    expect(group?.children).toEqual(["lum-1", "lum-2"]);
    expect((await store.history(group?.id ?? 0)).map((h) => h.event)).toEqual(["raised"]);
  });

  it("grows the alert's children when the node is reported down again with more devices", async () => {
    const store = createMemoryAlertStore();
    const engine = await engineOn(store);
    await reporting(engine);
    await engine.signal(node("down", T0 + 10_000, ["lum-1"]));
    await engine.signal(node("down", T0 + 20_000, ["lum-2"]));
    await engine.tick(T0 + 120_000);
    const [group] = await store.list({ subject: NODE, limit: 10 });
    expect(group?.children).toEqual(["lum-1", "lum-2"]);
    expect((await store.history(group?.id ?? 0)).map((h) => h.event)).toEqual(["raised", "regrouped"]);
    expect((await store.list({ ruleId: SILENT, limit: 10 })).map((a) => a.subject)).toEqual(["lum-3"]);
  });

  it("clears on the node's return, then gives each device a whole cadence before its own silence", async () => {
    const store = createMemoryAlertStore();
    const engine = await engineOn(store);
    await reporting(engine);
    await engine.signal(node("down", T0 + 10_000));
    await engine.tick(T0 + 120_000);
    await engine.signal(node("up", T0 + 300_000));
    const [group] = await store.list({ subject: NODE, limit: 10 });
    expect(group?.clearedAt).toBe(T0 + 300_000);
    // lum-1 speaks again, lum-2 stays dead: only lum-2 gets its own alert, a cadence later.
    engine.observe([obs("lum-1", T0 + 305_000)]);
    await engine.tick(T0 + 330_000);
    expect(await store.list({ subject: "lum-2", ruleId: SILENT, limit: 10 })).toHaveLength(0);
    await engine.tick(T0 + 362_000);
    expect(await store.list({ subject: "lum-2", ruleId: SILENT, limit: 10 })).toHaveLength(1);
    expect(await store.list({ subject: "lum-1", ruleId: SILENT, limit: 10 })).toHaveLength(0);
  });

  it("lets the devices raise their own silences once a person has closed the node's alert", async () => {
    const store = createMemoryAlertStore();
    const engine = await engineOn(store);
    await reporting(engine);
    await engine.signal(node("down", T0 + 10_000));
    const [group] = await store.list({ subject: NODE, limit: 1 });
    await store.closeAlert(group?.id ?? 0, "technicien", T0 + 20_000, group?.version ?? 0);
    await engine.tick(T0 + 120_000);
    const silences = await store.list({ ruleId: SILENT, limit: 10 });
    expect(silences.map((a) => a.subject).sort()).toEqual(["lum-1", "lum-2", "lum-3"]);
  });

  it("takes back what an active alert stands for after a restart", async () => {
    const store = createMemoryAlertStore();
    const first = await engineOn(store);
    await first.signal(node("down", T0 + 10_000));
    await first.close();

    const second = await engineOn(store);
    await reporting(second);
    await second.tick(T0 + 120_000);
    expect((await store.list({ ruleId: SILENT, limit: 10 })).map((a) => a.subject)).toEqual(["lum-3"]);
    await second.signal(node("up", T0 + 200_000));
    expect((await store.list({ subject: NODE, limit: 1 }))[0]?.clearedAt).toBe(T0 + 200_000);
    // Once it is up, the devices are on their own again.
    await second.tick(T0 + 300_000);
    expect(
      (await store.list({ ruleId: SILENT, cleared: false, limit: 10 })).map((a) => a.subject).sort(),
    ).toEqual(["lum-1", "lum-2", "lum-3"]);
  });

  it("files a signal with no device, or devices of several domains, under infrastructure", async () => {
    const store = createMemoryAlertStore();
    const engine = await engineOn(store);
    await engine.signal({
      subject: "gateway:aa555a0000054521",
      ruleId: GATEWAY_OFFLINE,
      state: "down",
      at: T0,
      detail: "passerelle LoRaWAN « Mairie » muette",
      children: [],
    });
    const [alert] = await store.list({ subject: "gateway:aa555a0000054521", limit: 1 });
    expect(alert).toMatchObject({ domain: "infrastructure", children: [], kind: "infrastructure" });
    expect(alert?.operatorId).toBeUndefined();
  });

  it("re-arms only a silence that fired", () => {
    expect(rearmedSilence({ last: T0, active: true, cadenceMs: 60_000 }, T0 + 5)).toEqual({
      last: T0 + 5,
      active: false,
      cadenceMs: 60_000,
    });
    const quiet = { last: T0, active: false };
    expect(rearmedSilence(quiet, T0 + 5)).toBe(quiet);
    expect(rearmedSilence(undefined, T0)).toBeUndefined();
  });
});

describe("the register's platform rules", () => {
  it("lists both signals and the compliance watch with their texts, parameters and a one-version history", () => {
    const entries = algorithmRegister([], T0);
    expect(entries.map((e) => e.rule)).toEqual([
      EDGE_NODE_OFFLINE,
      GATEWAY_OFFLINE,
      "platform/compliance-breach",
    ]);
    for (const e of entries) {
      expect(e.contract).toBe("plateforme");
      expect(e.register.fr.role).toBe("Il lève une alerte ; une personne décide.");
      expect(e.history).toHaveLength(1);
      expect(e.history[0]?.contractVersion).toBe(e.contractVersion);
      for (const name of Object.keys(e.params)) expect(e.parameters[name]).toBeTruthy();
    }
    expect(entries[1]?.params).toEqual({ silentAfterMs: 300_000 });
    expect(entries[2]).toMatchObject({
      kind: "compliance",
      severity: "minor",
      source: "services/clauses/compliance-watch.ts",
    });
    expect(entries[2]?.history[0]).toMatchObject({ kind: "compliance", severity: "minor" });
  });
});

describe("gateway watch", () => {
  const GW = [
    { eui: "aa01", name: "Mairie" },
    { eui: "aa02", name: "Château d'eau" },
  ];
  const minute = 60_000;

  it("reports a gateway silent past the timeout once, with the devices only it heard, and its return", () => {
    const watch = new GatewayWatch({ silentAfterMs: 5 * minute }, T0);
    const lastHeard = new Map([["aa01", T0]]);
    const lastUplinks = new Map([
      ["only-1", { receptions: [{ gatewayEui: "aa01" }] }],
      ["both", { receptions: [{ gatewayEui: "aa01" }, { gatewayEui: "AA02" }] }],
      ["only-2", { receptions: [{ gatewayEui: "aa02" }] }],
    ]);
    const hearing = { gateways: GW, lastHeard, lastUplinks };
    expect(watch.check(T0 + minute, hearing).map((c) => [c.eui, c.state])).toEqual([["aa01", "up"]]);
    lastHeard.set("aa02", T0 + 9 * minute);
    const down = watch.check(T0 + 10 * minute, hearing);
    expect(down).toEqual([
      { eui: "aa01", name: "Mairie", state: "down", at: T0 + 10 * minute, lastSeen: T0, devices: ["only-1"] },
      {
        eui: "aa02",
        name: "Château d'eau",
        state: "up",
        at: T0 + 10 * minute,
        lastSeen: T0 + 9 * minute,
        devices: [],
      },
    ]);
    expect(watch.check(T0 + 11 * minute, hearing)).toEqual([]);
    lastHeard.set("aa01", T0 + 12 * minute);
    expect(watch.check(T0 + 12 * minute, hearing).map((c) => [c.eui, c.state])).toEqual([["aa01", "up"]]);
  });

  it("counts a gateway never heard from the start, not from the epoch", () => {
    const watch = new GatewayWatch({ silentAfterMs: 5 * minute }, T0);
    const hearing = { gateways: GW.slice(0, 1), lastHeard: new Map(), lastUplinks: new Map() };
    expect(watch.check(T0 + minute, hearing)).toEqual([]);
    expect(watch.check(T0 + 6 * minute, hearing)).toEqual([
      { eui: "aa01", name: "Mairie", state: "down", at: T0 + 6 * minute, devices: [] },
    ]);
  });
});
