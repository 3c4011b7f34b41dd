import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

let t: TestPlatform;
const LAMP = "lum-57038-0001";
const RULE = "ccphva-streetlight/lamp-defective";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);

async function postLamp(status: string, time: number): Promise<void> {
  const body = JSON.stringify({
    readings: [reading(LAMP, { power_state: "on", status }, new Date(time).toISOString())],
  });
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", authorization: lumiere },
  });
  expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
}

const alertsOfLamp = () => t.platform.alerts.list({ subject: LAMP, ruleId: RULE, limit: 10 });

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe("rule engine on the platform", () => {
  it("raises an alert for a defective lamp posted over HTTP, and clears it when back to ok", async () => {
    const now = Date.now();
    await postLamp("defectiveLamp", now - 2000);
    const [open] = await eventually(async () => {
      const list = await alertsOfLamp();
      return list.length > 0 && list;
    });
    expect(open).toMatchObject({ subject: LAMP, severity: "major", domain: "streetlight", status: "open" });
    expect(open?.operatorId).toBe("lumiere-est");
    expect(open?.clearedAt).toBeUndefined();

    await postLamp("ok", now - 1000);
    const cleared = await eventually(async () => {
      const [a] = await alertsOfLamp();
      return a?.clearedAt !== undefined && a;
    });
    expect(cleared).toMatchObject({ id: open?.id, status: "open" });
    expect(await alertsOfLamp()).toHaveLength(1);
  });
});
