import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessPolicy } from "../../services/access/policy.ts";
import { createQuarantineReads } from "../../services/access/quarantine-reads.ts";
import type { Principal } from "../../services/auth/principals.ts";
import { createMemoryReplayLog } from "../../services/clauses/memory-replay-log.ts";
import { createReplayService, type ReplayService } from "../../services/clauses/replay.ts";
import type { Device } from "../../services/domain/types.ts";
import { DAY_MS, RetentionKeeper } from "../../services/retention/keeper.ts";
import { basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The quarantine replay on the real platform (its pipeline, store and inventory). The case is a
 * concession handover recorded late: eaux-alzette takes over a streetlight and its device sends
 * before the inventory says so, every reading refused ERR_DEVICE_NOT_ASSIGNED. Once the
 * collectivity records the handover (from a date before the readings), a replay accepts them:
 * checked at the reading's own time against the corrected assignment.
 */
const DEVICE = "lum-54521-0001";
const admin: Principal = { id: "admin", role: "admin" };
const newcomer: Principal = { id: "eaux-alzette", role: "operator", operatorId: "eaux-alzette" };
const other: Principal = { id: "lumiere-est", role: "operator", operatorId: "lumiere-est" };
const technician: Principal = { id: "technicien", role: "technician" };

let t: TestPlatform;
let service: ReplayService;
let reads: ReturnType<typeof createQuarantineReads>;
const replays = createMemoryReplayLog();

async function post(operator: "eaux-alzette" | "lumiere-est", body: unknown) {
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    headers: { authorization: basic(operator, DEMO_SECRETS[operator]), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { accepted: number; quarantined: number };
}

async function openIds(principal: Principal): Promise<number[]> {
  const page = await reads.quarantine(principal, { limit: 100, device: DEVICE, state: "open" });
  return page.entries.map((e) => e.id);
}

beforeAll(async () => {
  t = await startTestPlatform();
  const { platform } = t;
  const policy = createAccessPolicy({
    devices: platform.devices,
    contracts: platform.contracts,
    clock: platform.clock,
  });
  service = createReplayService({
    quarantine: platform.store,
    replays,
    pipeline: platform.pipeline,
    devices: platform.devices,
    contracts: platform.contracts,
    policy,
    now: () => platform.clock.now(),
  });
  reads = createQuarantineReads({ policy, store: platform.store, replays });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("replaying quarantined messages", () => {
  const time = Date.now() - 60_000;
  let refused: number;

  it("quarantines readings of a device not yet handed over, then replays them once the inventory says so", async () => {
    const sent = await post("eaux-alzette", {
      device: DEVICE,
      time,
      data: { power_state: "on", status: "ok" },
    });
    expect(sent.quarantined).toBe(1);
    const [id] = await openIds(newcomer);
    expect(id).toBeDefined();
    refused = id as number;

    // Dry run before the correction: still refused, nothing written.
    const dry = await service.replay(newcomer, { ids: [refused], dryRun: true });
    expect(dry.entries[0]).toMatchObject({ id: refused, outcome: "quarantined-again" });
    expect(dry.entries[0]?.reasons.map((r) => r.code)).toEqual(["ERR_DEVICE_NOT_ASSIGNED"]);
    expect(await replays.countReplayed({})).toBe(0);
    expect(await t.platform.store.countQuarantine({ deviceId: DEVICE })).toBe(1);

    // The collectivity records the handover, a day before the readings.
    const device = t.platform.devices.get(DEVICE) as Device;
    const handover = time - DAY_MS;
    device.assignments = [
      { operatorId: "lumiere-est", from: 0, to: handover },
      { operatorId: "eaux-alzette", from: handover },
    ];
    const preview = await service.replay(newcomer, { filter: { device: DEVICE }, dryRun: true });
    expect(preview.entries).toMatchObject([{ id: refused, outcome: "accepted" }]);
    expect(preview.entries[0]?.contract).toMatch(/^ccphva-streetlight@/);
    expect(await replays.countReplayed({})).toBe(0);

    const report = await service.replay(newcomer, { ids: [refused] });
    expect(report.entries).toMatchObject([{ id: refused, outcome: "accepted", newQuarantineIds: [] }]);
    const latest = await t.platform.store.latest({ deviceIds: [DEVICE] } as never);
    expect(latest.some((s) => s.time === time)).toBe(true);
  });

  it("keeps the entry, with its trace, out of the open view", async () => {
    expect(await t.platform.store.countQuarantine({ deviceId: DEVICE })).toBe(1);
    expect(await openIds(newcomer)).toEqual([]);
    const replayed = await reads.quarantine(newcomer, { limit: 10, device: DEVICE, state: "replayed" });
    expect(replayed.total).toBe(1);
    expect(replayed.entries[0]?.replay).toMatchObject({
      by: "eaux-alzette",
      role: "operator",
      outcome: "accepted",
    });
    const all = await reads.quarantine(admin, { limit: 10, device: DEVICE, state: "all" });
    expect(all.entries.map((e) => e.id)).toEqual([refused]);
    const traces = await service.traces(newcomer, { limit: 10 });
    expect(traces.entries).toMatchObject([
      { quarantineId: refused, replayedBy: "eaux-alzette", outcome: "accepted" },
    ]);
    expect((await service.traces(other, { limit: 10 })).entries).toEqual([]);
  });

  it("skips an entry already replayed, never replaying it twice", async () => {
    const again = await service.replay(admin, { ids: [refused] });
    expect(again.entries).toMatchObject([{ id: refused, outcome: "skipped" }]);
    expect(again.entries[0]?.reasons[0]?.code).toBe("ERR_REPLAY_ALREADY_REPLAYED");
    expect((await service.traces(admin, { limit: 10 })).entries).toHaveLength(1);
  });

  it("lets an operator replay only its own entries, and technicians none", async () => {
    await expect(service.replay(other, { ids: [refused] })).rejects.toMatchObject({
      code: "ERR_QUARANTINE_NOT_FOUND",
      statusCode: 404,
    });
    await expect(service.replay(technician, { ids: [refused] })).rejects.toMatchObject({
      code: "ERR_FORBIDDEN",
    });
    await expect(
      service.replay(admin, { ids: Array.from({ length: 1001 }, (_, i) => i + 1) }),
    ).rejects.toMatchObject({ code: "ERR_REPLAY_TOO_MANY", statusCode: 400 });
  });

  it("quarantines again what a replay still refuses, with the new entry's id", async () => {
    const sent = await post("lumiere-est", { device: "lum-54521-0002", time, data: { power_state: 42 } });
    expect(sent.quarantined).toBe(1);
    const [entry] = (await reads.quarantine(other, { limit: 1, device: "lum-54521-0002" })).entries;
    const report = await service.replay(other, { ids: [entry?.id as number] });
    const [result] = report.entries;
    expect(result?.outcome).toBe("quarantined-again");
    expect(result?.newQuarantineIds).toHaveLength(1);
    const [fresh] = (await reads.quarantine(other, { limit: 1, device: "lum-54521-0002" })).entries;
    expect(fresh?.id).toBe(result?.newQuarantineIds?.[0]);
    expect(fresh?.source).toBe("replay:http");
  });

  it("refuses to replay a truncated entry, with a coded reason", async () => {
    await t.platform.store.addQuarantine([
      {
        receivedAt: Date.now(),
        operatorId: "lumiere-est",
        deviceId: "lum-54521-0003",
        source: "mqtt",
        raw: '{"device":',
        truncated: true,
        reasons: [{ code: "ERR_PAYLOAD_TOO_LARGE", path: "", detail: "too large" }],
      },
    ]);
    const [entry] = (await reads.quarantine(other, { limit: 1, device: "lum-54521-0003" })).entries;
    const report = await service.replay(other, { ids: [entry?.id as number] });
    expect(report.entries[0]).toMatchObject({
      outcome: "refused",
      reasons: [{ code: "ERR_REPLAY_TRUNCATED" }],
    });
    expect(await openIds(other)).toEqual([]);
  });

  it("deletes quarantine entries past their own retention, and keeps the newer ones", async () => {
    const old = Date.now() - 400 * DAY_MS;
    await t.platform.store.addQuarantine([
      {
        receivedAt: old,
        operatorId: "lumiere-est",
        source: "mqtt",
        raw: "{}",
        truncated: false,
        reasons: [],
      },
    ]);
    const before = await t.platform.store.countQuarantine({});
    const keeper = new RetentionKeeper(
      t.platform.store,
      t.platform.retention.plan,
      () => Date.now(),
      3_600_000,
      undefined,
      { store: t.platform.store, keepMs: 365 * DAY_MS },
    );
    await keeper.run();
    expect(keeper.status.lastQuarantineRemoved).toBe(1);
    expect(await t.platform.store.countQuarantine({})).toBe(before - 1);
    expect(await t.platform.store.countQuarantine({ to: Date.now() - 365 * DAY_MS })).toBe(0);
  });
});

describe("replaying over HTTP, as the platform serves it", () => {
  const HTTP_DEVICE = "lum-54521-0002";
  const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
  const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);

  async function call(method: string, path: string, auth: string, body?: unknown) {
    const res = await fetch(`${t.apiUrl}${path}`, {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("replays an operator's entry, which leaves the open view with its trace, in the access log", async () => {
    const time = Date.now() - 30_000;
    const sent = await post("eaux-alzette", {
      device: HTTP_DEVICE,
      time,
      data: { power_state: "on", status: "ok" },
    });
    expect(sent.quarantined).toBe(1);
    const open = await call("GET", `/api/v1/quarantine?device=${HTTP_DEVICE}`, eaux);
    const entries = open.body.entries as { id: number }[];
    expect(entries).toHaveLength(1);
    const id = entries[0]?.id as number;
    const theirs = await call("POST", "/api/v1/quarantine/replay", lumiere, { ids: [id] });
    expect(theirs.status).toBe(404);
    const device = t.platform.devices.get(HTTP_DEVICE) as Device;
    device.assignments = [
      { operatorId: "lumiere-est", from: 0, to: time - DAY_MS },
      { operatorId: "eaux-alzette", from: time - DAY_MS },
    ];
    const replayed = await call("POST", "/api/v1/quarantine/replay", eaux, { ids: [id] });
    expect(replayed.status).toBe(200);
    expect(replayed.body.entries).toMatchObject([{ id, outcome: "accepted" }]);
    const after = await call("GET", `/api/v1/quarantine?device=${HTTP_DEVICE}`, eaux);
    expect(after.body.entries).toEqual([]);
    const gone = await call("GET", `/api/v1/quarantine?device=${HTTP_DEVICE}&state=replayed`, eaux);
    expect((gone.body.entries as { id: number; replay: unknown }[])[0]).toMatchObject({
      id,
      replay: { outcome: "accepted" },
    });
    const traces = await call("GET", "/api/v1/quarantine/replays", eaux);
    expect(
      (traces.body.traces as unknown[] | undefined)?.length ?? (traces.body.entries as unknown[]).length,
    ).toBe(1);
    await t.platform.accessLog.flush();
    const log = await t.platform.accessLog.read({ action: "replay", limit: 10 });
    // Newest first: the replay, and before it the other operator's attempt, refused as not found.
    expect(log.map((e) => [e.who, e.what, e.status])).toEqual([
      ["eaux-alzette", "POST /api/v1/quarantine/replay", 200],
      ["lumiere-est", "POST /api/v1/quarantine/replay", 404],
    ]);
  });
});
