import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findInfluxd, type Influxd, startInfluxd } from "../helpers/influxd.ts";
import {
  connectOperator,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

const present = findInfluxd() !== undefined || process.env.CI === "true";
const DEVICE = "pre-57096-001";

describe.skipIf(!present)("InfluxDB outage", () => {
  let influxd: Influxd | undefined;
  let t: TestPlatform;

  beforeAll(async () => {
    influxd = await startInfluxd();
    if (!influxd) throw new Error("influxd did not start");
    t = await startTestPlatform({ store: `influx://127.0.0.1:${influxd.port}/lanterne_outage` });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await influxd?.stop();
  });

  it("keeps publishing through an outage: every acknowledged reading reaches InfluxDB exactly once", async () => {
    const client = await connectOperator(t.mqttUrl, "eaux-alzette");
    const base = Date.now() - 3_600_000;
    let sent = 0;
    const publish = async (count: number) => {
      for (let i = 0; i < count; i++, sent++) {
        const r = reading(
          DEVICE,
          { pressure_bar: 3 + sent / 1000 },
          new Date(base + sent * 1000).toISOString(),
        );
        await client.publishAsync("lanterne/eaux-alzette/readings", JSON.stringify(r), { qos: 1 });
      }
    };
    await publish(100);
    await (influxd as Influxd).halt();
    // InfluxDB is down: the PUBACKs keep coming, the readings wait in the disk spool.
    await publish(150);
    const spool = t.platform.spool?.stats();
    expect(spool?.segments).toBeGreaterThan(0);
    await (influxd as Influxd).restart();
    await publish(50);
    await eventually(async () => t.platform.spool?.stats().segments === 0, 30_000);
    expect(await t.platform.store.countValues({ deviceIds: [DEVICE] })).toBe(300);
    const series = await t.platform.store.series({ deviceId: DEVICE, from: base, to: base + 300_000 });
    expect(series.map((p) => p.time)).toEqual(Array.from({ length: 300 }, (_, i) => base + i * 1000));
    await client.endAsync();
  }, 90_000);
});
