import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  admin,
  basic,
  DEMO_SECRETS,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

let t: TestPlatform;
const LAMP = "lum-57038-0001";
const PRESSURE = "pre-57038-001";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);

async function api(path: string, init: RequestInit & { auth?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.auth) headers.set("authorization", init.auth);
  const res = await fetch(`${t.apiUrl}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function post(path: string, body: string, auth: string) {
  return api(path, { method: "POST", body, auth, headers: { "content-type": "application/json" } });
}

beforeAll(async () => {
  t = await startTestPlatform();
  const now = Date.now();
  const lamps = Array.from({ length: 12 }, (_, i) =>
    reading(
      `lum-57038-${String(i + 1).padStart(4, "0")}`,
      { power_state: "on", status: "ok", active_power_w: 40 + i },
      new Date(now - 1000).toISOString(),
    ),
  );
  const res = await post("/api/v1/readings", JSON.stringify({ readings: lamps }), lumiere);
  expect(res.body.accepted).toBe(12);
});
afterAll(async () => {
  await t?.close();
});

describe("API: health and documentation", () => {
  it("answers health, readiness and the OpenAPI document", async () => {
    expect((await api("/health")).body).toEqual({ status: "ok" });
    expect((await api("/ready")).body).toMatchObject({ ready: true, checks: { store: true, mqtt: true } });
    const doc = (await api("/api/openapi.json")).body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/devices",
        "/api/v1/readings",
        "/api/v1/quarantine",
        "/api/v1/violations",
        "/api/v1/territory",
      ]),
    );
  });
});

describe("API: roles", () => {
  it("gives the public nothing private", async () => {
    for (const path of [
      "/api/v1/devices",
      `/api/v1/devices/${LAMP}`,
      "/api/v1/quarantine",
      "/api/v1/aggregates",
      "/api/v1/status",
    ]) {
      const res = await api(path);
      expect(res.status, path).toBe(401);
      expect(res.body.code).toBe("ERR_AUTH_REQUIRED");
    }
  });

  it("refuses bad credentials rather than treating them as the public", async () => {
    const res = await api("/api/v1/public/aggregates", { auth: "Bearer technicien.wrong" });
    expect(res).toMatchObject({ status: 401, body: { code: "ERR_AUTH_INVALID" } });
    expect((await api("/api/v1/devices", { auth: basic("lumiere-est", "nope") })).status).toBe(401);
  });

  it("lets a technician see every device with its current state, filtered", async () => {
    const all = await api("/api/v1/devices", { auth: technician });
    expect(all.body.count).toBe(t.platform.devices.size);
    const res = await api("/api/v1/devices?commune=57038&domain=streetlight", { auth: technician });
    expect(res.status).toBe(200);
    expect(
      res.body.devices.every(
        (d: { commune: string; domain: string }) => d.commune === "57038" && d.domain === "streetlight",
      ),
    ).toBe(true);
    const lamp = res.body.devices.find((d: { id: string }) => d.id === LAMP);
    expect(lamp.state.values.active_power_w.value).toBe(40);
    expect(lamp.operator).toBe("lumiere-est");
  });

  it("shows an operator only its own devices", async () => {
    const res = await api("/api/v1/devices?operator=eaux-alzette", { auth: lumiere });
    expect(res.body.count).toBeGreaterThan(0);
    expect(res.body.devices.every((d: { operator: string }) => d.operator === "lumiere-est")).toBe(true);
    expect((await api(`/api/v1/devices/${PRESSURE}`, { auth: lumiere })).body.code).toBe("ERR_FORBIDDEN");
    expect((await api(`/api/v1/devices/${LAMP}`, { auth: lumiere })).status).toBe(200);
  });

  it("lets only operators push readings", async () => {
    const res = await post(
      "/api/v1/readings",
      JSON.stringify(reading(LAMP, { power_state: "on", status: "ok" })),
      technician,
    );
    expect(res).toMatchObject({ status: 403, body: { code: "ERR_FORBIDDEN" } });
  });
});

describe("API: HTTP ingestion", () => {
  it("answers per item, with the contract's verdict", async () => {
    const body = JSON.stringify({
      readings: [
        reading(LAMP, { power_state: "on", status: "ok", illuminance_level: 3 }),
        reading("lum-00000-0000", { power_state: "on", status: "ok" }),
        reading(PRESSURE, { pressure_bar: 4 }),
        { device: LAMP, data: { power_state: 1, status: "ok" } },
      ],
    });
    const res = await post("/api/v1/readings", body, lumiere);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
    expect(res.body.quarantined).toBe(3);
    const codes = res.body.items.map((i: { violations: { code: string }[] }) =>
      i.violations.map((v) => v.code),
    );
    expect(codes).toEqual([
      ["ERR_CONTRACT_OUT_OF_RANGE"],
      ["ERR_DEVICE_UNKNOWN"],
      ["ERR_DEVICE_NOT_ASSIGNED"],
      ["ERR_CONTRACT_WRONG_TYPE"],
    ]);
  });

  it("keeps a malformed document in quarantine and answers 422", async () => {
    const res = await post("/api/v1/readings", '{"readings": [', lumiere);
    expect(res.status).toBe(422);
    expect(res.body.items[0].violations[0].code).toBe("ERR_PAYLOAD_JSON");
    const q = await api("/api/v1/quarantine?code=ERR_PAYLOAD_JSON", { auth: lumiere });
    expect(q.body.entries[0].raw).toBe('{"readings": [');
  });

  it("shows an operator only its own quarantine", async () => {
    await post("/api/v1/readings", "not json at all", eaux);
    const own = await api("/api/v1/quarantine?operator=eaux-alzette", { auth: lumiere });
    expect(own.body.entries.length).toBeGreaterThan(0);
    expect(own.body.entries.every((e: { operator: string }) => e.operator === "lumiere-est")).toBe(true);
    const staff = await api("/api/v1/quarantine?operator=eaux-alzette", { auth: technician });
    expect(staff.body.entries.every((e: { operator: string }) => e.operator === "eaux-alzette")).toBe(true);
    expect(staff.body.total).toBeGreaterThan(0);
  });

  it("counts violations of accepted readings per operator", async () => {
    const res = await api("/api/v1/compliance", { auth: admin });
    expect(res.body.violations).toContainEqual({
      operator: "lumiere-est",
      code: "ERR_CONTRACT_OUT_OF_RANGE",
      count: 1,
    });
  });
});

describe("API: series and aggregates", () => {
  it("serves a device's series at a chosen resolution", async () => {
    const res = await api(`/api/v1/devices/${LAMP}/series?resolution=1h&fields=active_power_w`, {
      auth: technician,
    });
    expect(res.status).toBe(200);
    expect(res.body.points.length).toBeGreaterThan(0);
    expect(res.body.points.every((p: { field: string }) => p.field === "active_power_w")).toBe(true);
    expect((await api(`/api/v1/devices/${LAMP}/series?resolution=1x`, { auth: technician })).body.code).toBe(
      "ERR_BAD_REQUEST",
    );
    expect(
      (await api(`/api/v1/devices/${LAMP}/series?resolution=1s&from=2000-01-01`, { auth: technician }))
        .status,
    ).toBe(400);
  });

  it("aggregates per commune and domain for staff, and publishes only open fields over enough devices", async () => {
    const staff = await api("/api/v1/aggregates?groupBy=commune,domain,operator", { auth: technician });
    const row = staff.body.rows.find((r: { field: string }) => r.field === "active_power_w");
    expect(row).toMatchObject({
      commune: "57038",
      domain: "streetlight",
      operator: "lumiere-est",
      devices: 12,
    });
    await t.platform.rollups.pass();
    const pub = await api("/api/v1/public/aggregates?groupBy=commune");
    expect(pub.status).toBe(200);
    expect(pub.body.rows.map((r: { field: string }) => r.field)).toContain("active_power_w");
    expect(
      pub.body.rows.every(
        (r: { operator?: string; devices: number }) => r.operator === undefined && r.devices >= 5,
      ),
    ).toBe(true);
    expect((await api("/api/v1/public/aggregates?groupBy=operator")).status).toBe(400);
  });

  it("answers aggregates from rollups, equal to raw readings, and updates them with late data", async () => {
    const HOUR = 3_600_000;
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000;
    const lamp = (n: number, hour: number, minute: number, power: number) =>
      reading(
        `lum-57038-${String(n).padStart(4, "0")}`,
        { power_state: "on", status: "ok", active_power_w: power },
        new Date(day + hour * HOUR + minute * 60_000).toISOString(),
      );
    const first = [lamp(1, 20, 5, 30), lamp(1, 20, 35, 50), lamp(2, 20, 10, 70), lamp(3, 21, 0, 10)];
    expect((await post("/api/v1/readings", JSON.stringify({ readings: first }), lumiere)).body.accepted).toBe(
      4,
    );
    await t.platform.rollups.pass();
    const range = `from=${new Date(day).toISOString()}&to=${new Date(day + 86_400_000).toISOString()}`;
    const path = `/api/v1/aggregates?${range}&groupBy=commune,domain&field=active_power_w&commune=57038`;
    const hourly = await api(`${path}&resolution=1h`, { auth: technician });
    expect(hourly.status).toBe(200);
    const raw = await t.platform.store.aggregate({
      from: day,
      to: day + 86_400_000,
      groupBy: ["commune", "domain"],
      field: "active_power_w",
      commune: "57038",
      resolutionMs: HOUR,
    });
    expect(raw.map((r) => r.count)).toEqual([3, 1]);
    expect(hourly.body.rows).toEqual(
      raw.map((r) => ({
        ...r.group,
        time: new Date(r.time).toISOString(),
        from: new Date(r.time).toISOString(),
        to: new Date(r.time + HOUR).toISOString(),
        field: r.field,
        measure: "gauge",
        count: r.count,
        devices: r.devices,
        mean: r.mean,
        min: r.min,
        max: r.max,
      })),
    );
    // Three days late: the day's rollups follow.
    const late = [lamp(4, 22, 0, 90)];
    expect((await post("/api/v1/readings", JSON.stringify({ readings: late }), lumiere)).body.accepted).toBe(
      1,
    );
    await t.platform.rollups.pass();
    const daily = await api(`${path}&resolution=1d`, { auth: technician });
    expect(daily.body.rows).toEqual([
      expect.objectContaining({ count: 5, devices: 4, mean: 50, min: 10, max: 90 }),
    ]);
    const pub = await api(
      `/api/v1/public/aggregates?${range}&groupBy=commune&field=active_power_w&resolution=15m`,
    );
    expect(pub.body.code).toBe("ERR_BAD_REQUEST");
  });

  it("treats injection attempts in query strings as plain values", async () => {
    const attempts = ["57038' OR '1'='1", "57038; DROP TABLE readings; --", 'x") OR 1=1 --'];
    for (const value of attempts) {
      const res = await api(`/api/v1/devices?commune=${encodeURIComponent(value)}`, { auth: technician });
      expect(res.body.count).toBe(0);
      const q = await api(`/api/v1/quarantine?device=${encodeURIComponent(value)}`, { auth: technician });
      expect(q.body.total).toBe(0);
    }
    expect((await api("/api/v1/devices", { auth: technician })).body.count).toBe(t.platform.devices.size);
  });

  it("refuses times and ids no Date or store column holds with 400, not 500 (found by fuzzing)", async () => {
    const paths = [
      `/api/v1/devices/${LAMP}/series?to=99999999999999999999`,
      `/api/v1/devices/${LAMP}/series?to=8640000000000001&resolution=1d`,
      "/api/v1/aggregates?from=8639999000000000&to=8640000000000001",
      "/api/v1/public/aggregates?to=8640000000000001",
      "/api/v1/quarantine?from=99999999999999999999",
      "/api/v1/quarantine?before=99999999999999999999",
      "/api/v1/compliance?from=99999999999999999999",
      `/api/v1/devices/${LAMP}/series?to=-8640000000000000`,
    ];
    for (const path of paths) {
      const res = await api(path, { auth: admin });
      expect([path, res.status, res.body.code]).toEqual([path, 400, "ERR_BAD_REQUEST"]);
    }
    // The last time a Date holds is still served.
    const edge = await api(`/api/v1/devices/${LAMP}/series?to=8640000000000000&resolution=1d`, {
      auth: admin,
    });
    expect([edge.status, edge.body.to]).toEqual([200, "+275760-09-13T00:00:00.000Z"]);
  });
});

describe("API: retention", () => {
  it("shows staff what each tier keeps and holds, and the public nothing", async () => {
    expect((await api("/api/v1/retention")).status).toBe(401);
    await t.platform.retention.run();
    const res = await api("/api/v1/retention", { auth: technician });
    expect(res.status).toBe(200);
    expect(res.body.lastRunAt).toBeDefined();
    const raw = res.body.lines.find(
      (l: { tier: string; domain: string }) => l.tier === "raw" && l.domain === "streetlight",
    );
    expect(raw).toMatchObject({ contract: "ccphva-streetlight@1.0.0", keepDays: 365, lastRemoved: 0 });
    expect(raw.rows).toBeGreaterThan(0);
    expect(res.body.longestDays).toEqual({ raw: 730, "1h": 3650, "1d": 10950 });
  });
});

describe("API: platform metrics", () => {
  it("serves Prometheus metrics to staff only, with refusals counted by reason", async () => {
    await post(
      "/api/v1/readings",
      JSON.stringify(reading("lum-00000-0001", { power_state: "on", status: "ok" })),
      lumiere,
    );
    expect((await api("/metrics")).status).toBe(401);
    const res = await fetch(`${t.apiUrl}/metrics`, { headers: { authorization: technician } });
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE lanterne_quarantine_total counter$/m);
    expect(text).toMatch(/^lanterne_quarantine_total\{code="ERR_DEVICE_UNKNOWN"\} [1-9]\d*$/m);
    expect(text).toMatch(/^lanterne_ingest_readings_total\{source="http",verdict="accepted"\} [1-9]\d*$/m);
    expect(text).toMatch(/^lanterne_store_write_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^lanterne_write_pending \d+$/m);
  });
});
