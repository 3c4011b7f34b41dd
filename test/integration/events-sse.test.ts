import { EventSource } from "eventsource";
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

/**
 * The live stream over a real socket, read by a standard EventSource client (the `eventsource`
 * package, which resends Last-Event-ID when it reconnects), on the real platform: a reading
 * posted over HTTP fires a contract rule, and its alert and the lamp's new state arrive.
 */

let t: TestPlatform;
const LAMP = "lum-57038-0002";
const WATER = "pre-54521-001";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);

interface Received {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

/** An EventSource with the caller's Authorization, collecting every event it gets. */
function follow(auth: string, init: { lastEventId?: string } = {}) {
  const received: Received[] = [];
  const errors: unknown[] = [];
  const query = init.lastEventId === undefined ? "" : `?lastEventId=${init.lastEventId}`;
  const source = new EventSource(`${t.apiUrl}/api/v1/events${query}`, {
    fetch: (input, options) =>
      fetch(input, { ...options, headers: { ...options?.headers, authorization: auth } }),
  });
  for (const type of ["ready", "alert", "device"]) {
    source.addEventListener(type, (e) => {
      received.push({ type, id: e.lastEventId, data: JSON.parse(e.data) as Record<string, unknown> });
    });
  }
  source.onerror = (e) => errors.push(e);
  const ready = eventually(async () => received.some((r) => r.type === "ready"));
  return { source, received, errors, ready };
}

async function post(auth: string, device: string, values: Record<string, unknown>, time: number) {
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    body: JSON.stringify({ readings: [reading(device, values, new Date(time).toISOString())] }),
    headers: { "content-type": "application/json", authorization: auth },
  });
  expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
}

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe("GET /api/v1/events", () => {
  it("refuses the public and a Last-Event-ID it never sent", async () => {
    expect((await fetch(`${t.apiUrl}/api/v1/events`)).status).toBe(401);
    const res = await fetch(`${t.apiUrl}/api/v1/events`, {
      headers: { authorization: technician, "last-event-id": "abc" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("ERR_EVENT_ID_INVALID");
  });

  it("streams an alert raised by a reading with the lamp's new state, and resumes after a cut", async () => {
    const staff = follow(technician);
    const operator = follow(eaux);
    await Promise.all([staff.ready, operator.ready]);
    const now = Date.now();
    await post(lumiere, LAMP, { power_state: "on", status: "defectiveLamp" }, now - 2000);
    const alert = await eventually(async () => staff.received.find((r) => r.type === "alert"));
    const device = staff.received.find((r) => r.type === "device");
    expect(alert.data).toMatchObject({ event: "raised", toState: "open", by: "system" });
    expect(alert.data.alert).toMatchObject({ subject: LAMP, rule: "ccphva-streetlight/lamp-defective" });
    expect(alert.id).toBe(String(alert.data.id));
    // The state change comes first, so that a cut between the two replays it.
    expect(device?.data).toMatchObject({ subject: LAMP, state: "fault", previous: "ok" });
    expect(staff.received.indexOf(device as Received)).toBeLessThan(staff.received.indexOf(alert));

    // The client goes away; meanwhile the lamp is repaired and a technician acknowledges.
    staff.source.close();
    const lastSeen = alert.id;
    await post(lumiere, LAMP, { power_state: "on", status: "ok" }, now - 1000);
    const alertId = (alert.data.alert as { id: number }).id;
    await eventually(async () => (await t.platform.alerts.get(alertId))?.clearedAt !== undefined);
    const ack = await fetch(`${t.apiUrl}/api/v1/alerts/${alertId}/acknowledge`, {
      method: "POST",
      body: JSON.stringify({ version: 2 }),
      headers: { "content-type": "application/json", authorization: technician },
    });
    expect(ack.status).toBe(200);

    const resumed = follow(technician, { lastEventId: lastSeen });
    const events = await eventually(async () => {
      const alerts = resumed.received.filter((r) => r.type === "alert");
      return alerts.length >= 2 && alerts;
    });
    expect(events.map((e) => e.data.event)).toEqual(["cleared", "acknowledged"]);
    expect(events.every((e) => Number(e.id) > Number(lastSeen))).toBe(true);
    expect(resumed.received.find((r) => r.type === "device")?.data).toMatchObject({
      subject: LAMP,
      state: "ok",
      previous: "fault",
    });
    resumed.source.close();

    // The water operator follows its own alerts only: nothing of the lamp reached it.
    expect(operator.received.filter((r) => r.type !== "ready")).toEqual([]);
    operator.source.close();
    expect(staff.errors).toEqual([]);
  });

  it("lets an operator follow the alerts of its own devices", async () => {
    const operator = follow(eaux);
    await operator.ready;
    const now = Date.now();
    await post(eaux, WATER, { pressure_bar: 5 }, now - 600_000);
    await post(eaux, WATER, { pressure_bar: 1.9 }, now - 1000);
    const alert = await eventually(async () => operator.received.find((r) => r.type === "alert"));
    expect(alert.data.alert).toMatchObject({
      subject: WATER,
      rule: "ccphva-water-pressure/pressure-sudden-drop",
    });
    operator.source.close();
  });
});
