import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { expectedPeriodMs } from "../../services/contracts/cadence.ts";
import { checkReading } from "../../services/contracts/check.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { createContractRegistry, loadContractDir } from "../../services/contracts/registry.ts";
import type { Device } from "../../services/domain/types.ts";

const DIR = "territory/ccphva/contracts";
const T0 = Date.parse("2026-01-15T10:00:00Z");

async function waterContract(): Promise<string> {
  return readFile(`${DIR}/water-pressure.yaml`, "utf8");
}

function parseOk(text: string): Contract {
  const r = parseContractText(text, "test.yaml");
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.contract;
}

const device: Device = {
  id: "pre-57038-001",
  domain: "water_pressure",
  contractId: "ccphva-water-pressure",
  ownerId: "ccphva",
  commune: "57038",
  lat: 49.47,
  lon: 5.95,
  attributes: {},
  assignments: [
    { operatorId: "eaux-old", from: Date.parse("2024-01-01"), to: Date.parse("2026-01-01") },
    { operatorId: "eaux-alzette", from: Date.parse("2026-01-01") },
  ],
};
const devices = { get: (id: string) => (id === device.id ? device : undefined) };

describe("data contract files", () => {
  it("loads the three demo contracts", async () => {
    const registry = await loadContractDir(DIR);
    expect(
      registry
        .all()
        .map((c) => c.key)
        .sort(),
    ).toEqual([
      "ccphva-streetlight@1.0.0",
      "ccphva-waste-container@1.0.0",
      "ccphva-water-flow@1.0.0",
      "ccphva-water-pressure@1.0.0",
    ]);
    const water = registry.versionAt("ccphva-water-pressure", T0);
    expect(water?.fields.get("pressure_bar")).toMatchObject({
      type: "number",
      required: true,
      minimum: 0,
      maximum: 16,
    });
    expect(water?.frequencyMs).toBe(15 * 60_000);
    expect(water?.retention.rawMs).toBe(2 * 365 * 86_400_000);
  });

  it("lists every error of an invalid contract at once", () => {
    const text = [
      "apiVersion: v9",
      "kind: Contract",
      "id: x",
      "version: 1.0.0",
      "status: alive",
      "domain: Water Pressure",
      "schema:",
      "  - name: r",
      "    properties:",
      "      - name: PressureBar",
      "        logicalType: float",
      "      - name: level",
      "        logicalType: number",
      "        logicalTypeOptions: { minimum: 2, maximum: 1 }",
      "customProperties:",
      "  - property: licence",
      "    value: cc-by-nc",
    ].join("\n");
    const r = parseContractText(text, "bad.yaml");
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    for (const part of [
      "apiVersion",
      "kind",
      "status",
      "domain",
      ".name",
      "logicalType",
      "minimum is greater",
      "owner",
      "validFrom",
      "licence",
    ]) {
      expect(
        errors.some((e) => e.includes(part)),
        `expected an error about ${part} in\n${errors.join("\n")}`,
      ).toBe(true);
    }
  });

  it("refuses a YAML syntax error and duplicate keys", () => {
    expect(parseContractText("a: [1,", "x.yaml").ok).toBe(false);
    expect(parseContractText("id: a\nid: b\n", "x.yaml").ok).toBe(false);
  });

  it("picks the version valid at the reading's own time", async () => {
    const v1 = parseOk(await waterContract());
    const v2 = parseOk(
      (await waterContract())
        .replace("version: 1.0.0", "version: 2.0.0")
        .replace('value: "2024-01-01"', 'value: "2026-06-01"'),
    );
    const registry = createContractRegistry([v2, v1]);
    expect(registry.versionAt("ccphva-water-pressure", Date.parse("2023-12-31"))).toBeUndefined();
    expect(registry.versionAt("ccphva-water-pressure", Date.parse("2025-03-01"))?.version).toBe("1.0.0");
    expect(registry.versionAt("ccphva-water-pressure", Date.parse("2026-06-01"))?.version).toBe("2.0.0");
  });
});

describe("contract check", () => {
  const check = async (
    data: Record<string, unknown>,
    operator = "eaux-alzette",
    time = T0,
    id = device.id,
  ) => {
    const registry = createContractRegistry([parseOk(await waterContract())]);
    return checkReading({ deviceId: id, time, data }, operator, devices, registry);
  };
  const codes = (o: Awaited<ReturnType<typeof check>>) =>
    (o.accepted ? o.violations : o.reasons).map((v) => v.code);

  it.each([
    ["accepts a conforming reading", { pressure_bar: 4.2, battery_level: 0.9 }, true, []],
    ["refuses a missing required field", { battery_level: 0.9 }, false, ["ERR_CONTRACT_REQUIRED_MISSING"]],
    ["refuses a wrong type", { pressure_bar: "4.2" }, false, ["ERR_CONTRACT_WRONG_TYPE"]],
    ["refuses a non-finite number", { pressure_bar: 4, flow_m3h: [1] }, false, ["ERR_CONTRACT_WRONG_TYPE"]],
    [
      "drops an implausible value and keeps the rest",
      { pressure_bar: 4, battery_level: 7 },
      true,
      ["ERR_CONTRACT_OUT_OF_RANGE"],
    ],
    [
      "reports and drops an unknown field",
      { pressure_bar: 4, colour: "blue" },
      true,
      ["ERR_CONTRACT_UNKNOWN_FIELD"],
    ],
    [
      "refuses an out-of-range required field only as a violation",
      { pressure_bar: 99 },
      true,
      ["ERR_CONTRACT_OUT_OF_RANGE"],
    ],
  ] as const)("%s", async (_name, data, accepted, expected) => {
    const outcome = await check({ ...data });
    expect(outcome.accepted).toBe(accepted);
    expect(codes(outcome)).toEqual(expected);
    if (outcome.accepted) {
      expect(outcome.observation.contract).toBe("ccphva-water-pressure@1.0.0");
      for (const v of outcome.violations)
        expect(outcome.observation.values).not.toHaveProperty(v.path.slice(5));
    }
  });

  it("refuses an unknown device", async () => {
    expect(codes(await check({ pressure_bar: 4 }, "eaux-alzette", T0, "nope"))).toEqual([
      "ERR_DEVICE_UNKNOWN",
    ]);
  });

  it("follows the assignment periods of a concession handover", async () => {
    const before = Date.parse("2025-12-31T23:59:59Z");
    expect(codes(await check({ pressure_bar: 4 }, "eaux-alzette", before))).toEqual([
      "ERR_DEVICE_NOT_ASSIGNED",
    ]);
    expect((await check({ pressure_bar: 4 }, "eaux-old", before)).accepted).toBe(true);
    expect(codes(await check({ pressure_bar: 4 }, "eaux-old", Date.parse("2026-01-01")))).toEqual([
      "ERR_DEVICE_NOT_ASSIGNED",
    ]);
  });

  it("does not store personal data without a stated purpose", async () => {
    const registry = await loadContractDir(DIR);
    const lamp: Device = { ...device, id: "lum-1", domain: "streetlight", contractId: "ccphva-streetlight" };
    const outcome = checkReading(
      { deviceId: "lum-1", time: T0, data: { power_state: "on", status: "ok", presence_count: 12 } },
      "eaux-alzette",
      { get: () => lamp },
      registry,
    );
    expect(outcome.accepted).toBe(true);
    expect(codes(outcome)).toEqual(["ERR_CONTRACT_PERSONAL_NO_PURPOSE"]);
    expect(outcome.accepted && outcome.observation.values).not.toHaveProperty("presence_count");
  });

  it("refuses a value outside the allowed list only for that field", async () => {
    const registry = await loadContractDir(DIR);
    const lamp: Device = { ...device, id: "lum-1", domain: "streetlight", contractId: "ccphva-streetlight" };
    const outcome = checkReading(
      { deviceId: "lum-1", time: T0, data: { power_state: "dazzling", status: "ok", active_power_w: 50 } },
      "eaux-alzette",
      { get: () => lamp },
      registry,
    );
    expect(codes(outcome)).toEqual(["ERR_CONTRACT_NOT_ALLOWED"]);
    expect(outcome.accepted && outcome.observation.values).toEqual({ status: "ok", active_power_w: 50 });
  });
});

describe("cadence per device", () => {
  it("takes the first matching rule, else the contract frequency", async () => {
    const registry = await loadContractDir(DIR);
    const waste = registry.versionAt("ccphva-waste-container", T0) as Contract;
    const container = (stream: string): Device => ({ ...device, attributes: { stream, depth_mm: 1800 } });
    expect(expectedPeriodMs(waste, container("glass"))).toBe(6 * 3_600_000);
    expect(expectedPeriodMs(waste, container("paper"))).toBe(3_600_000);
  });

  it("refuses a malformed cadence rule", async () => {
    const text = (await waterContract()).replace(
      "customProperties:\n  - property: owner",
      "customProperties:\n  - property: cadence\n    value: [{ when: { sector: [1] }, every: hourly }]\n  - property: owner",
    );
    const r = parseContractText(text, "x.yaml");
    expect(r.ok ? [] : r.errors).toEqual([
      "customProperties.cadence[0].every: expected an ISO 8601 duration",
      "customProperties.cadence[0].when: expected {attribute: value}",
    ]);
  });
});
