import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { requireStaff } from "../../services/access/domains/staff.ts";
import { createAccessPolicy } from "../../services/access/policy.ts";
import { createAuthenticator, type Principal } from "../../services/auth/principals.ts";
import { createMemoryPartnerStore } from "../../services/clauses/memory-partner-store.ts";
import type { PartnerStore } from "../../services/clauses/partner-store.ts";
import { createPartnerService, type PartnerService, pseudonym } from "../../services/clauses/partners.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { type ContractRegistry, loadContractDir } from "../../services/contracts/registry.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import type { Device, Observation } from "../../services/domain/types.ts";
import type { ArchiveFilter, TierFilter } from "../../services/storage/archive.ts";
import type { DeviceRollup } from "../../services/storage/store.ts";

/**
 * Partner access without HTTP: pseudonyms, the scope's checks, paging, the contract's
 * `partnerPseudonymisation`, and the authenticator's partner keys (ended at each request).
 */
const DIR = "territory/ccphva/contracts";
const T0 = Date.UTC(2026, 2, 2, 10);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const admin: Principal = { id: "admin", role: "admin" };

describe("pseudonyms", () => {
  const k1 = "11".repeat(32);
  const k2 = "22".repeat(32);

  it("are 16 hex digits, stable within an agreement", () => {
    expect(pseudonym(k1, "lum-57038-0001")).toMatch(/^[0-9a-f]{16}$/);
    expect(pseudonym(k1, "lum-57038-0001")).toBe(pseudonym(k1, "lum-57038-0001"));
    expect(pseudonym(k1, "lum-57038-0001")).not.toBe(pseudonym(k1, "lum-57038-0002"));
  });

  it("differ across agreements, so that two partners cannot join their extracts", () => {
    expect(pseudonym(k1, "lum-57038-0001")).not.toBe(pseudonym(k2, "lum-57038-0001"));
  });

  it("cannot be turned back into device ids without the agreement's key", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `lum-57038-${String(i).padStart(4, "0")}`);
    const shown = new Set(ids.map((id) => pseudonym(k1, id)));
    // Neither the id nor a plain digest of it: someone with the inventory but not the key
    // (another partner, a re-user) cannot rebuild the table.
    for (const id of ids) {
      expect(shown.has(createHash("sha256").update(id).digest("hex").slice(0, 16))).toBe(false);
      expect(shown.has(pseudonym(k2, id))).toBe(false);
      expect([...shown].some((p) => p.includes(id))).toBe(false);
    }
    expect(shown.size).toBe(ids.length);
  });
});

describe("the contract's partnerPseudonymisation", () => {
  let text: string;
  beforeAll(async () => {
    text = await readFile(`${DIR}/streetlight.yaml`, "utf8");
  });
  const withProperty = (value: string) =>
    text.replace(
      /^customProperties:\n/m,
      `customProperties:\n  - property: partnerPseudonymisation\n    value: ${value}\n`,
    );

  it("is absent by default, true when the contract says so", () => {
    const plain = parseContractText(text, "x.yaml");
    expect(plain.ok && plain.contract.partnerPseudonymisation).toBe(undefined);
    const forced = parseContractText(withProperty("true"), "x.yaml");
    expect(forced.ok && forced.contract.partnerPseudonymisation).toBe(true);
    const no = parseContractText(withProperty("false"), "x.yaml");
    expect(no.ok && no.contract.partnerPseudonymisation).toBe(undefined);
  });

  it("is refused when not a boolean", () => {
    const bad = parseContractText(withProperty('"yes"'), "x.yaml");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join()).toContain("partnerPseudonymisation");
  });
});

/** An archive of a few readings and rollups, scanned in (time, device) order as the stores do. */
function fakeArchive(readings: Observation[], rollups: DeviceRollup[]) {
  const inRange = (q: ArchiveFilter, t: number, id: string) =>
    (q.from === undefined || t >= q.from) &&
    (q.to === undefined || t < q.to) &&
    (q.deviceIds === undefined || q.deviceIds.includes(id));
  const order = <T extends { time: number; deviceId: string }>(a: T, b: T) =>
    a.time - b.time || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0);
  async function* pages<T>(items: T[], size: number) {
    for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
  }
  return {
    scanReadings: (q: ArchiveFilter) =>
      pages(readings.filter((o) => inRange(q, o.time, o.deviceId)).sort(order), q.pageSize ?? 5000),
    scanDeviceRollups: (q: TierFilter) =>
      pages(
        rollups.filter((r) => r.tier === q.tier && inRange(q, r.time, r.deviceId)).sort(order),
        q.pageSize ?? 5000,
      ),
  };
}

function lamp(id: string, contractId = "ccphva-streetlight"): Device {
  return {
    id,
    domain: "streetlight",
    contractId,
    ownerId: "ccphva",
    commune: "57038",
    lat: 49.44,
    lon: 5.98,
    attributes: { cabinet: "ARM-01" },
    assignments: [],
  };
}

function obs(deviceId: string, time: number, values: Observation["values"]): Observation {
  return {
    deviceId,
    time,
    domain: "streetlight",
    commune: "57038",
    ownerId: "ccphva",
    operatorId: "lumiere-est",
    contract: "ccphva-streetlight@1.0.0",
    values,
  };
}

describe("the access policy and a partner", () => {
  it("refuses a partner everywhere, never as staff, and hides personal fields from it", async () => {
    const contracts = await loadContractDir(DIR);
    const policy = createAccessPolicy({
      devices: { get: () => lamp("lum-a"), list: () => [lamp("lum-a")] },
      contracts,
      clock: fixedClock(T0),
    });
    const p: Principal = { id: "pa-1", role: "partner", partnerId: "LIEC" };
    const forbidden = { code: "ERR_FORBIDDEN", statusCode: 403 };
    expect(() => policy.listDevices(p, {})).toThrow(expect.objectContaining(forbidden));
    expect(() => policy.device(p, "lum-a")).toThrow(expect.objectContaining(forbidden));
    expect(() => policy.operatorScope(p, undefined)).toThrow(expect.objectContaining(forbidden));
    expect(() => policy.staffAggregates(p)).toThrow(expect.objectContaining(forbidden));
    expect(() => requireStaff(p, "the desk")).toThrow(expect.objectContaining(forbidden));
    expect(policy.hiddenFields(p, "ccphva-streetlight").has("presence_count")).toBe(true);
  });
});

describe("the partner service", () => {
  let contracts: ContractRegistry;
  let store: PartnerStore;
  let service: PartnerService;
  const clock = fixedClock(T0);
  const devices = [lamp("lum-a"), lamp("lum-b"), lamp("bin-a", "ccphva-waste-container")];
  const readings = [
    obs("lum-a", T0 - 3 * HOUR, { power_state: "on", status: "ok", presence_count: 4, active_power_w: 30 }),
    obs("lum-b", T0 - 3 * HOUR, { power_state: "off", status: "ok" }),
    obs("lum-a", T0 - 2 * HOUR, { power_state: "on", status: "defectiveLamp" }),
    obs("lum-b", T0 - 2 * HOUR, { active_power_w: 12 }),
    obs("lum-b", T0 - HOUR, { power_state: "low", status: "ok" }),
    obs("lum-a", T0 - 40 * DAY, { power_state: "on", status: "ok" }),
  ];
  const rollup = (
    deviceId: string,
    time: number,
    tier: "1h" | "1d",
    field = "active_power_w",
  ): DeviceRollup => ({
    tier,
    time,
    deviceId,
    domain: "streetlight",
    commune: "57038",
    operatorId: "lumiere-est",
    field,
    count: 4,
    mean: 20,
    min: 10,
    max: 30,
  });
  const rollups = [
    rollup("lum-a", T0 - 2 * DAY, "1d"),
    rollup("lum-b", T0 - 2 * DAY, "1d"),
    rollup("lum-a", T0 - 2 * DAY, "1d", "illuminance_level"),
    rollup("lum-a", T0 - 3 * HOUR, "1h"),
  ];

  beforeAll(async () => {
    contracts = await loadContractDir(DIR);
    store = createMemoryPartnerStore();
    service = createPartnerService({
      store,
      archive: fakeArchive(readings, rollups),
      contracts,
      devices: { get: (id) => devices.find((d) => d.id === id), list: () => devices },
      clock,
      hashSecret: async (secret) => `plain:${secret}`,
    });
  });

  const create = (fields: Partial<Parameters<PartnerService["create"]>[1]> = {}) =>
    service.create(admin, {
      partner: "Université de Lorraine — LIEC",
      purpose: "Chiroptères et extinction nocturne",
      legalReference: "Convention 2026-014",
      scope: [{ contractId: "ccphva-streetlight", fields: ["power_state", "status"], granularity: "raw" }],
      dataFrom: T0 - 30 * DAY,
      validTo: T0 + 365 * DAY,
      ...fields,
    });
  const partnerOf = (id: string): Principal => ({ id, role: "partner", partnerId: "x" });

  it("gives a key `lp_<id>_<secret>` once and keeps only its hash", async () => {
    const { agreement, key } = await create();
    expect(key).toMatch(new RegExp(`^lp_${agreement.id}_[A-Za-z0-9_-]{32}$`));
    const kept = await store.findKey(agreement.id);
    expect(kept?.keyHash).toBe(`plain:${key.slice(`lp_${agreement.id}_`.length)}`);
    expect(JSON.stringify(await service.list(admin))).not.toContain(key);
  });

  it("lets administrators only record, list and end agreements", async () => {
    const tech: Principal = { id: "technicien", role: "technician" };
    await expect(service.list(tech)).rejects.toMatchObject({ code: "ERR_FORBIDDEN" });
    await expect(service.create(tech, {} as never)).rejects.toMatchObject({ code: "ERR_FORBIDDEN" });
    await expect(service.end(tech, "pa-x", "why")).rejects.toMatchObject({ code: "ERR_FORBIDDEN" });
  });

  it.each([
    [
      "a personal field",
      { contractId: "ccphva-streetlight", fields: ["presence_count"], granularity: "raw" },
    ],
    ["an unknown field", { contractId: "ccphva-streetlight", fields: ["colour"], granularity: "raw" }],
    ["an unknown contract", { contractId: "nope", fields: ["status"], granularity: "raw" }],
  ] as const)("refuses a scope naming %s", async (_what, item) => {
    await expect(create({ scope: [{ ...item, fields: [...item.fields] }] })).rejects.toMatchObject({
      code: "ERR_AGREEMENT_INVALID",
      statusCode: 400,
    });
  });

  it("forces pseudonyms when a contract of the scope asks for them", async () => {
    const forcing = {
      versions: (id: string) =>
        contracts.versions(id).map((c): Contract => ({ ...c, partnerPseudonymisation: true })),
    };
    const strict = createPartnerService({
      store,
      archive: fakeArchive([], []),
      contracts: forcing,
      devices: { get: () => undefined, list: () => [] },
      clock,
      hashSecret: async (s) => s,
    });
    const { agreement } = await strict.create(admin, {
      partner: "p",
      purpose: "q",
      legalReference: "r",
      scope: [{ contractId: "ccphva-streetlight", fields: ["status"], granularity: "1d" }],
      validTo: T0 + DAY,
      pseudonymise: false,
    });
    expect(agreement.pseudonymise).toBe(true);
    const { agreement: plain } = await create({ pseudonymise: false });
    expect(plain.pseudonymise).toBe(false);
  });

  it("serves raw readings of the scope's fields only, paged by cursor", async () => {
    const { agreement } = await create();
    const p = partnerOf(agreement.id);
    const first = await service.readings(p, { contract: "ccphva-streetlight", limit: 2 });
    expect(first.items.map((r) => [r.device, r.time])).toEqual([
      ["lum-a", T0 - 3 * HOUR],
      ["lum-b", T0 - 3 * HOUR],
    ]);
    expect(first.items[0]).toEqual({
      device: "lum-a",
      time: T0 - 3 * HOUR,
      commune: "57038",
      values: { power_state: "on", status: "ok" },
      lat: 49.44,
      lon: 5.98,
      attributes: { cabinet: "ARM-01" },
    });
    // lum-b's reading at -2 h holds no granted field: not shown.
    const second = await service.readings(p, {
      contract: "ccphva-streetlight",
      limit: 2,
      cursor: first.next,
    });
    expect(second.items.map((r) => [r.device, r.time])).toEqual([
      ["lum-a", T0 - 2 * HOUR],
      ["lum-b", T0 - HOUR],
    ]);
    expect(second.next).toBeUndefined();
    const one = await service.readings(p, { contract: "ccphva-streetlight", fields: ["status"] });
    expect(one.items.every((r) => Object.keys(r.values).join() === "status")).toBe(true);
    // Readings before dataFrom (-40 days) are never served.
    expect(one.items.some((r) => r.time < T0 - 30 * DAY)).toBe(false);
  });

  it("resumes within one instant without skipping or repeating", async () => {
    const { agreement } = await create();
    const p = partnerOf(agreement.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.readings(p, {
        contract: "ccphva-streetlight",
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((r) => `${r.device}@${r.time}`));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([
      `lum-a@${T0 - 3 * HOUR}`,
      `lum-b@${T0 - 3 * HOUR}`,
      `lum-a@${T0 - 2 * HOUR}`,
      `lum-b@${T0 - HOUR}`,
    ]);
  });

  it("shows pseudonyms without location when the agreement says so", async () => {
    const { agreement } = await create({ pseudonymise: true });
    const page = await service.readings(partnerOf(agreement.id), { contract: "ccphva-streetlight" });
    const key = (await store.findKey(agreement.id))?.pseudonymKey as string;
    expect(page.pseudonymised).toBe(true);
    expect(page.items[0]).toEqual({
      device: pseudonym(key, "lum-a"),
      time: T0 - 3 * HOUR,
      commune: "57038",
      values: { power_state: "on", status: "ok" },
    });
    expect(JSON.stringify(page)).not.toContain("lum-");
  });

  it.each([
    ["another contract", { contract: "ccphva-waste-container" }],
    ["a field not granted", { contract: "ccphva-streetlight", fields: ["active_power_w"] }],
    ["a personal field", { contract: "ccphva-streetlight", fields: ["presence_count"] }],
    ["readings before the data period", { contract: "ccphva-streetlight", from: T0 - 31 * DAY }],
  ])("refuses %s with ERR_OUTSIDE_AGREEMENT", async (_what, q) => {
    const { agreement } = await create();
    await expect(service.readings(partnerOf(agreement.id), q)).rejects.toMatchObject({
      code: "ERR_OUTSIDE_AGREEMENT",
      statusCode: 403,
    });
  });

  it("refuses readings after the data period's end", async () => {
    const { agreement } = await create({ dataTo: T0 - DAY });
    await expect(
      service.readings(partnerOf(agreement.id), { contract: "ccphva-streetlight", to: T0 }),
    ).rejects.toMatchObject({ code: "ERR_OUTSIDE_AGREEMENT" });
  });

  it("serves rollups no finer than granted, whole buckets within the period", async () => {
    const scope = [
      { contractId: "ccphva-streetlight", fields: ["active_power_w"], granularity: "1d" as const },
    ];
    const { agreement } = await create({ scope });
    const p = partnerOf(agreement.id);
    await expect(service.readings(p, { contract: "ccphva-streetlight" })).rejects.toMatchObject({
      code: "ERR_OUTSIDE_AGREEMENT",
    });
    await expect(service.rollups(p, { contract: "ccphva-streetlight", tier: "1h" })).rejects.toMatchObject({
      code: "ERR_OUTSIDE_AGREEMENT",
    });
    const daily = await service.rollups(p, { contract: "ccphva-streetlight", tier: "1d" });
    expect(daily.items).toEqual([
      { device: "lum-a", time: T0 - 2 * DAY, field: "active_power_w", count: 4, mean: 20, min: 10, max: 30 },
      { device: "lum-b", time: T0 - 2 * DAY, field: "active_power_w", count: 4, mean: 20, min: 10, max: 30 },
    ]);
    const { agreement: short } = await create({ scope, dataTo: T0 - 2 * DAY + HOUR });
    await expect(
      service.rollups(partnerOf(short.id), {
        contract: "ccphva-streetlight",
        tier: "1d",
        to: T0 - 2 * DAY + HOUR,
      }),
    ).resolves.toMatchObject({ items: [] });
  });

  it("refuses everyone once the agreement is ended, and other roles always", async () => {
    const { agreement } = await create();
    const p = partnerOf(agreement.id);
    await service.end(admin, agreement.id, "convention résiliée");
    await expect(service.readings(p, { contract: "ccphva-streetlight" })).rejects.toMatchObject({
      code: "ERR_AGREEMENT_ENDED",
      statusCode: 401,
    });
    await expect(service.own({ id: "admin", role: "admin" })).rejects.toMatchObject({
      code: "ERR_FORBIDDEN",
    });
    await expect(service.end(admin, "pa-none", "x")).rejects.toMatchObject({
      code: "ERR_AGREEMENT_NOT_FOUND",
    });
  });

  it("feeds the authenticator: a partner key verifies while in force, never past the end", async () => {
    const { agreement, key } = await create({ validFrom: T0 + HOUR, validTo: T0 + DAY });
    const auth = createAuthenticator([], [], async (secret, stored) => stored === `plain:${secret}`, {
      clock,
      partners: (id) => service.credential(id),
    });
    const secret = key.slice(`lp_${agreement.id}_`.length);
    // Not yet in force.
    await expect(auth.partner(agreement.id, secret)).rejects.toMatchObject({ code: "ERR_AGREEMENT_ENDED" });
    clock.advance(2 * HOUR);
    expect(await auth.partner(agreement.id, secret)).toEqual({
      id: agreement.id,
      role: "partner",
      partnerId: "Université de Lorraine — LIEC",
    });
    expect(await auth.partner(agreement.id, "wrong-secret-wrong-secret")).toBeUndefined();
    expect(await auth.partner("pa-none", secret)).toBeUndefined();
    // Ended: refused at once, although the verdict was cached.
    await service.end(admin, agreement.id, "fin anticipée");
    clock.advance(1);
    await expect(auth.partner(agreement.id, secret)).rejects.toMatchObject({ code: "ERR_AGREEMENT_ENDED" });
    // Past its end date likewise.
    const { agreement: later, key: laterKey } = await create({ validTo: clock.now() + HOUR });
    const laterSecret = laterKey.slice(`lp_${later.id}_`.length);
    expect(await auth.partner(later.id, laterSecret)).toMatchObject({ role: "partner" });
    clock.advance(HOUR);
    await expect(auth.partner(later.id, laterSecret)).rejects.toMatchObject({ code: "ERR_AGREEMENT_ENDED" });
  });
});
