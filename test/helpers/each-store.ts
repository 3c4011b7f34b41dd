import { afterAll, beforeAll, describe } from "vitest";
import { findInfluxd, type Influxd, requireInfluxd, startInfluxd } from "./influxd.ts";
import { startTestPlatform, type TestPlatform } from "./platform.ts";

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
