import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractHistory } from "../../services/contracts/changes.ts";
import { loadContractDir } from "../../services/contracts/registry.ts";
import { admin, basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * Contract versions on the real platform: a second version of the streetlight contract, taking
 * effect in ten days, narrows the power range and shortens the latency. Its changes are listed
 * and judged breaking, announced to the operator whose feed they break (and to no other), and an
 * operator dry-runs a payload against it, nothing written.
 */
const DAY = 86_400_000;
const territoryDir = mkdtempSync(join(tmpdir(), "lanterne-territory-"));
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
const takesEffect = new Date(Math.floor(Date.now() / DAY) * DAY + 10 * DAY).toISOString().slice(0, 10);
let t: TestPlatform;

function secondVersion(text: string): string {
  return text
    .replace(/^version: 1\.0\.0$/m, "version: 2.0.0")
    .replace(
      "logicalTypeOptions: { minimum: 0, maximum: 1000 }",
      "logicalTypeOptions: { minimum: 0, maximum: 250 }",
    )
    .replace(/(- property: latency\n\s+value: )5/, "$12")
    .replace(
      /- property: validFrom\n(\s+)value: "2024-01-01"/,
      `- property: validFrom\n$1value: "${takesEffect}"\n  - property: changelog\n$1value: "Puissance plafonnée à 250 W ; livraison en 2 minutes."`,
    );
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field.
type Json = Record<string, any>;

async function api(path: string, auth: string, body?: unknown) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

beforeAll(async () => {
  cpSync("territory/ccphva", territoryDir, { recursive: true });
  const v1 = readFileSync(join(territoryDir, "contracts/streetlight.yaml"), "utf8");
  const v2 = secondVersion(v1);
  expect(v2).not.toBe(v1);
  writeFileSync(join(territoryDir, "contracts/streetlight-v2.yaml"), v2);
  t = await startTestPlatform({ territoryDir });
}, 60_000);
afterAll(async () => {
  await t?.close();
  rmSync(territoryDir, { recursive: true, force: true });
});

describe("contract versions", () => {
  it("lists each version with what it changes, and judges the breaking ones", async () => {
    const res = await fetch(`${t.apiUrl}/api/v1/contracts/ccphva-streetlight/versions`);
    expect(res.status).toBe(200);
    const { versions } = (await res.json()) as { versions: Json[] };
    expect(versions.map((v) => v.version)).toEqual(["1.0.0", "2.0.0"]);
    expect(versions[0]?.validTo).toBe(`${takesEffect}T00:00:00.000Z`);
    expect(versions[1]).toMatchObject({ breaking: true, changelog: expect.stringMatching(/250 W/) });
    const kinds = versions[1]?.changes.map((c: { kind: string; breaking: boolean }) => [c.kind, c.breaking]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ["range-narrowed", true],
        ["latency-changed", true],
      ]),
    );
    expect((await fetch(`${t.apiUrl}/api/v1/contracts/ccphva-nothing/versions`)).status).toBe(404);
  });

  it("announces a breaking version to the operators it concerns, and to no other", async () => {
    const mine = await api("/api/v1/alerts?rule=platform/contract-change", lumiere);
    expect(mine.body.entries.map((a: { subject: string }) => a.subject)).toEqual([
      "contract:ccphva-streetlight@2.0.0/lumiere-est",
    ]);
    expect(mine.body.entries[0].detail).toMatch(new RegExp(`applicable le ${takesEffect}`));
    const theirs = await api("/api/v1/alerts?rule=platform/contract-change", eaux);
    expect(theirs.body.entries).toEqual([]);
  });

  it("dry-runs a payload against the coming version, as ingestion would, writing nothing", async () => {
    const before = await t.platform.store.countValues({});
    const readings = [
      {
        device: "lum-57038-0001",
        time: new Date().toISOString(),
        data: { power_state: "on", status: "ok", active_power_w: 400 },
      },
      { device: "lum-57038-0002", time: new Date().toISOString(), data: { power_state: 3 } },
    ];
    const coming = await api("/api/v1/contracts/ccphva-streetlight/dry-run", lumiere, {
      version: "2.0.0",
      readings,
    });
    expect(coming.status).toBe(200);
    expect(coming.body.items[0]).toMatchObject({ outcome: "accepted", contract: "ccphva-streetlight@2.0.0" });
    expect(coming.body.items[0].violations.map((v: { code: string }) => v.code)).toEqual([
      "ERR_CONTRACT_OUT_OF_RANGE",
    ]);
    expect(coming.body.items[0].values.active_power_w).toBeUndefined();
    expect(coming.body.items[1].outcome).toBe("quarantined");
    const now = await api("/api/v1/contracts/ccphva-streetlight/dry-run", lumiere, {
      readings: readings.slice(0, 1),
    });
    expect(now.body.items[0]).toMatchObject({
      outcome: "accepted",
      violations: [],
      contract: "ccphva-streetlight@1.0.0",
    });
    const notHers = await api("/api/v1/contracts/ccphva-streetlight/dry-run", eaux, {
      readings: readings.slice(0, 1),
    });
    expect(notHers.body.items[0].violations[0].code).toBe("ERR_DEVICE_NOT_ASSIGNED");
    const staff = await api("/api/v1/contracts/ccphva-streetlight/dry-run", admin, {
      readings: readings.slice(0, 1),
    });
    expect(staff.body.code).toBe("ERR_BAD_REQUEST");
    expect(await t.platform.store.countValues({})).toBe(before);
  });

  it("computes the same history from the files as the platform serves", async () => {
    const registry = await loadContractDir(join(territoryDir, "contracts"));
    const history = contractHistory(registry, "ccphva-streetlight");
    expect(history.map((h) => h.breaking)).toEqual([false, true]);
  });
});
