import { afterAll, beforeAll, describe, expect } from "vitest";
import { findInfluxd, type Influxd, requireInfluxd, startInfluxd } from "./influxd.ts";
import { eventually, startTestPlatform, type TestPlatform } from "./platform.ts";

/**
 * A describe block run twice on a whole test platform: on the embedded store, then on a private
 * InfluxDB (readings through the spool). Without influxd the InfluxDB run is skipped with a loud
 * warning, except under CI, where it must run. `setup` feeds the platform once, before the tests;
 * `body` declares the tests, reaching the platform through the getter it is given.
 */
export function describeOnEachStore(
  title: string,
  database: string,
  setup: (t: TestPlatform) => Promise<void>,
  body: (platform: () => TestPlatform) => void,
): void {
  const influxPresent = findInfluxd() !== undefined || process.env.CI === "true";
  for (const [store, influx] of [
    ["the embedded store", false],
    ["InfluxDB", true],
  ] as const) {
    if (influx && !influxPresent) requireInfluxd();
    describe.skipIf(influx && !influxPresent)(`${title}, on ${store}`, () => {
      let t: TestPlatform | undefined;
      let influxd: Influxd | undefined;
      beforeAll(async () => {
        if (influx) {
          influxd = await startInfluxd();
          if (!influxd) throw new Error("influxd did not start");
          t = await startTestPlatform({ store: `influx://127.0.0.1:${influxd.port}/${database}` });
        } else {
          t = await startTestPlatform();
        }
        await setup(t);
      }, 60_000);
      afterAll(async () => {
        await t?.close();
        await influxd?.stop();
      });
      body(() => {
        if (!t) throw new Error("the test platform did not start");
        return t;
      });
    });
  }
}

export interface PostedReading {
  device: string;
  time: number;
  data: Record<string, unknown>;
}

/**
 * Posts readings over HTTP as an operator, a thousand a request, each request wholly accepted;
 * then waits for the rollups to hold them (with InfluxDB, once the spool has drained into it).
 */
export async function feedAndRollUp(
  t: TestPlatform,
  auth: string,
  readings: readonly PostedReading[],
): Promise<void> {
  for (let i = 0; i < readings.length; i += 1000) {
    const chunk = readings.slice(i, i + 1000);
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ readings: chunk }),
    });
    expect(((await res.json()) as { accepted: number }).accepted).toBe(chunk.length);
  }
  await eventually(async () => (t.platform.spool?.stats().segments ?? 0) === 0, 20_000);
  await t.platform.rollups.pass();
}

/** The rows of an aggregates answer, which must be a 200 (typed by the caller's view of a row). */
export async function aggregateRows<R = Record<string, unknown>>(
  t: TestPlatform,
  path: string,
  auth?: string,
): Promise<R[]> {
  const res = await fetch(`${t.apiUrl}${path}`, auth ? { headers: { authorization: auth } } : {});
  expect(res.status).toBe(200);
  return ((await res.json()) as { rows: R[] }).rows;
}
