import { expect, it } from "vitest";
import { describeOnEachStore, feedAndRollUp, type PostedReading } from "../helpers/each-store.ts";
import { basic, DEMO_SECRETS, eventually, type TestPlatform, technician } from "../helpers/platform.ts";

/**
 * The devices and alerts at a past instant, through the API: four of the demo's lamps report at
 * known times a few hours ago, one declares a defective lamp for ten minutes (the rule engine
 * raises and clears the alert at the readings' times), one gets a silence alert the staff's
 * stores hold for ten minutes. `GET /api/v1/devices?at=` must give at each instant the values of
 * the last reading at or before it and the condition then; `GET /api/v1/alerts?at=` the alerts
 * open then. On both stores: the embedded DuckDB, and InfluxDB through its spool.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
/** Readings start at B; every instant asked is hours before now, before any alert the clock raises. */
const B = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const [L1, L2, L3, L4] = ["lum-54521-0001", "lum-54521-0002", "lum-54521-0003", "lum-54521-0004"] as const;
const SILENCE_RULE = "ccphva-streetlight/silent";

function lit(device: string, minutes: number, status: string, power: number): PostedReading {
  return { device, time: B + minutes * MINUTE, data: { power_state: "off", status, active_power_w: power } };
}

/**
 * Off, drawing at most 4 W (the contract's off maximum is 5 W), each lamp's readings within 30
 * minutes: no rule but the defective lamp's fires on them.
 */
const SENT: PostedReading[] = [
  lit(L1, 0, "ok", 0),
  lit(L1, 10, "ok", 1),
  lit(L2, 0, "ok", 1),
  lit(L2, 5, "defectiveLamp", 2),
  lit(L2, 15, "ok", 3),
  lit(L3, 0, "ok", 4),
  lit(L4, 30, "ok", 2),
  lit(L4, 50, "ok", 3),
];

let silenceAlert = 0;

async function feed(t: TestPlatform): Promise<void> {
  await feedAndRollUp(t, lumiere, SENT);
  // The engine raised the defective lamp's alert at B + 5 min and cleared it at B + 15 min.
  await eventually(async () => {
    const [a] = await t.platform.alerts.list({ subject: L2, limit: 10 });
    return a?.clearedAt !== undefined;
  });
  const input = {
    ruleId: SILENCE_RULE,
    subject: L4,
    severity: "major" as const,
    domain: "streetlight",
    commune: "54521",
    operatorId: "lumiere-est",
    detail: "aucune mesure",
  };
  silenceAlert = (await t.platform.alerts.raise(input, B + 40 * MINUTE)).id;
  await t.platform.alerts.clear(L4, SILENCE_RULE, B + 48 * MINUTE);
}

async function get(t: TestPlatform, path: string, auth?: string) {
  const res = await fetch(`${t.apiUrl}${path}`, { headers: auth ? { authorization: auth } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface DeviceAt {
  id: string;
  operator: string | null;
  condition: string;
  alerts: number[];
  state: { time: string; values: Record<string, { value: unknown; time: string }> } | null;
}

const iso = (minutes: number) => new Date(B + minutes * MINUTE).toISOString();

/** Each of the four lamps' condition and power at B + `minutes`, as the caller sees them. */
async function lampsAt(t: TestPlatform, minutes: number, auth = technician) {
  const res = await get(t, `/api/v1/devices?commune=54521&domain=streetlight&at=${iso(minutes)}`, auth);
  expect(res.status).toBe(200);
  expect(res.body.at).toBe(iso(minutes));
  const devices = res.body.devices as DeviceAt[];
  return Object.fromEntries(
    [L1, L2, L3, L4].map((id) => {
      const d = devices.find((x) => x.id === id);
      return [id, d ? [d.condition, d.state?.values.active_power_w?.value ?? null] : null];
    }),
  );
}

describeOnEachStore("devices and alerts at a past instant", "lanterne_at_instant", feed, (platform) => {
  it("gives each lamp the values of its last reading at or before the instant, and its condition", async () => {
    const t = platform();
    expect(await lampsAt(t, -1)).toEqual({
      [L1]: ["unknown", null],
      [L2]: ["unknown", null],
      [L3]: ["unknown", null],
      [L4]: ["unknown", null],
    });
    expect(await lampsAt(t, 7)).toEqual({
      [L1]: ["ok", 0],
      [L2]: ["fault", 2],
      [L3]: ["ok", 4],
      [L4]: ["unknown", null],
    });
    expect(await lampsAt(t, 12)).toEqual({
      [L1]: ["ok", 1],
      [L2]: ["fault", 2],
      [L3]: ["ok", 4],
      [L4]: ["unknown", null],
    });
    // The contract's silence rule: 15 min cadence + 5 min grace.
    expect(await lampsAt(t, 20)).toEqual({
      [L1]: ["ok", 1],
      [L2]: ["ok", 3],
      [L3]: ["ok", 4],
      [L4]: ["unknown", null],
    });
    expect(await lampsAt(t, 35)).toEqual({
      [L1]: ["silent", 1],
      [L2]: ["ok", 3],
      [L3]: ["silent", 4],
      [L4]: ["ok", 2],
    });
    expect((await lampsAt(t, 45))[L4]).toEqual(["silent", 2]);
    expect((await lampsAt(t, 55))[L4]).toEqual(["ok", 3]);
  });

  it("answers one device at an instant, with its values' times and its active alerts", async () => {
    const t = platform();
    const res = await get(t, `/api/v1/devices/${L2}?at=${B + 7 * MINUTE}`, technician);
    expect(res.status).toBe(200);
    const d = res.body as unknown as DeviceAt;
    expect(d).toMatchObject({ id: L2, operator: "lumiere-est", condition: "fault" });
    expect(d.alerts).toHaveLength(1);
    expect(d.state?.time).toBe(iso(5));
    expect(d.state?.values.status).toEqual({ value: "defectiveLamp", time: iso(5) });
    const silent = await get(t, `/api/v1/devices/${L4}?at=${iso(45)}`, technician);
    expect((silent.body as unknown as DeviceAt).alerts).toEqual([silenceAlert]);
    const now = await get(t, `/api/v1/devices/${L2}`, technician);
    expect(now.body.condition).toBeUndefined();
  });

  it("lists the alerts open at an instant, cleared ones included", async () => {
    const t = platform();
    const ids = async (minutes: number) => {
      const res = await get(t, `/api/v1/alerts?subject=${L4}&at=${iso(minutes)}`, lumiere);
      expect(res.status).toBe(200);
      return (res.body.entries as { id: number }[]).map((a) => a.id);
    };
    expect(await ids(39)).toEqual([]);
    expect(await ids(45)).toEqual([silenceAlert]);
    // Cleared at 48 min but not closed: still open then, and no longer active (devices above).
    expect(await ids(55)).toEqual([silenceAlert]);
  });

  it("shows an operator its own devices at the instant, another operator none, the public nothing", async () => {
    const t = platform();
    expect(await lampsAt(t, 7, lumiere)).toEqual({
      [L1]: ["ok", 0],
      [L2]: ["fault", 2],
      [L3]: ["ok", 4],
      [L4]: ["unknown", null],
    });
    const other = await get(t, `/api/v1/devices?domain=streetlight&at=${iso(7)}`, eaux);
    expect([other.status, other.body.count]).toEqual([200, 0]);
    const one = await get(t, `/api/v1/devices/${L2}?at=${iso(7)}`, eaux);
    expect([one.status, one.body.code]).toEqual([403, "ERR_FORBIDDEN"]);
    const alerts = await get(t, `/api/v1/alerts?subject=${L4}&at=${iso(45)}`, eaux);
    expect(alerts.body.entries).toEqual([]);
    const none = await get(t, `/api/v1/devices?at=${iso(7)}`);
    expect([none.status, none.body.code]).toEqual([401, "ERR_AUTH_REQUIRED"]);
  });

  it("refuses an instant in the future or unreadable, with a code", async () => {
    const t = platform();
    const future = new Date(Date.now() + HOUR).toISOString();
    for (const path of [
      `/api/v1/devices?at=${future}`,
      `/api/v1/devices/${L1}?at=${future}`,
      `/api/v1/alerts?at=${future}`,
      "/api/v1/devices?at=yesterday",
      `/api/v1/devices/${L1}?at=yesterday`,
      "/api/v1/alerts?at=yesterday",
    ]) {
      const res = await get(t, path, technician);
      expect([path, res.status, res.body.code]).toEqual([path, 400, "ERR_BAD_REQUEST"]);
    }
    const unknown = await get(t, `/api/v1/devices/${L1}?when=${iso(7)}`, technician);
    expect([unknown.status, unknown.body.code]).toEqual([400, "ERR_UNKNOWN_PARAMETER"]);
  });
});
