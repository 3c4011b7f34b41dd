import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/** GET /api/v1/map/devices: the map's compact rows, the same devices and conditions as /devices?at=. */

let t: TestPlatform;
const LAMP = "lum-57038-0004";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);

interface Rows {
  at: string;
  count: number;
  columns: string[];
  rows: Array<Array<string | number | null>>;
}

async function get<T>(path: string, auth?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${t.apiUrl}${path}`, auth ? { headers: { authorization: auth } } : {});
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  t = await startTestPlatform();
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    body: JSON.stringify({ readings: [reading(LAMP, { power_state: "on", status: "defectiveLamp" })] }),
    headers: { "content-type": "application/json", authorization: lumiere },
  });
  expect(res.status).toBe(200);
  await eventually(async () => (await t.platform.alerts.list({ subject: LAMP, limit: 1 })).length > 0);
});
afterAll(async () => {
  await t?.close();
});

describe("GET /api/v1/map/devices", () => {
  it("gives staff one row per device with the condition and last reading /devices?at= gives", async () => {
    // The live map (no instant) reads the platform's in-memory latest readings and the alerts'
    // current statuses; /devices?at= reads the store and the alert history.
    await eventually(async () => t.platform.latest.ready);
    const at = new Date().toISOString();
    const [rows, full] = await Promise.all([
      get<Rows>("/api/v1/map/devices", technician),
      get<{ devices: Array<{ id: string; condition: string; lat: number; state: { time: string } | null }> }>(
        `/api/v1/devices?at=${at}`,
        technician,
      ),
    ]);
    expect(rows.status).toBe(200);
    expect(rows.body.columns).toEqual([
      "id",
      "domain",
      "commune",
      "operator",
      "lat",
      "lon",
      "condition",
      "time",
    ]);
    expect(rows.body.count).toBe(full.body.devices.length);
    expect(rows.body.rows.every((r) => r.length === 8)).toBe(true);
    const byId = new Map(full.body.devices.map((d) => [d.id, d]));
    for (const r of rows.body.rows) {
      expect(r[6]).toBe(byId.get(String(r[0]))?.condition);
      expect(r[4]).toBe(byId.get(String(r[0]))?.lat);
      expect(r[7]).toBe(byId.get(String(r[0]))?.state?.time ?? null);
    }
    const lamp = rows.body.rows.find((r) => r[0] === LAMP);
    expect(lamp?.[6]).toBe("fault");
    expect(typeof lamp?.[7]).toBe("string");
  });

  it("answers now without `at`, an operator its own devices only, and the public nothing", async () => {
    const now = await get<Rows>("/api/v1/map/devices", technician);
    expect(now.body.rows.find((r) => r[0] === LAMP)?.[6]).toBe("fault");
    const water = await get<Rows>("/api/v1/map/devices", eaux);
    expect(water.status).toBe(200);
    expect(water.body.rows.length).toBeGreaterThan(0);
    expect(water.body.rows.every((r) => r[3] === "eaux-alzette")).toBe(true);
    expect((await get<{ code: string }>("/api/v1/map/devices")).status).toBe(401);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await get<{ code: string }>(`/api/v1/map/devices?at=${future}`, technician)).body.code).toBe(
      "ERR_BAD_REQUEST",
    );
  });
});
