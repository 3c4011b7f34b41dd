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

    // The readings drained from the spool are rolled up too: hourly and daily rows count them all.
    await eventually(async () => {
      await t.platform.rollups.pass();
      const hour = Math.floor(base / 3_600_000) * 3_600_000;
      for (const tier of ["1h", "1d"] as const) {
        const rows = await t.platform.store.groupRollups({
          tier,
          from: tier === "1h" ? hour : Math.floor(base / 86_400_000) * 86_400_000,
          to: hour + 2 * 3_600_000,
          domain: "water_pressure",
          field: "pressure_bar",
        });
        if (rows.reduce((sum, r) => sum + r.count, 0) !== 300) return false;
      }
      return true;
    }, 30_000);
  }, 90_000);

  it("writes its own health beside the readings, which reads over every domain never see", async () => {
    await t.platform.health?.writeOnce();
    expect(t.platform.health?.stats.written).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${(influxd as Influxd).port}/query?db=lanterne_outage&q=${encodeURIComponent(
      'SELECT "readings_accepted", "mqtt_connections" FROM "lanterne_platform"',
    )}`;
    const body = (await (await fetch(url)).json()) as { results: { series?: { values: unknown[][] }[] }[] };
    const rows = body.results[0]?.series?.[0]?.values ?? [];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.at(-1)?.[1]).toBeGreaterThanOrEqual(300);
    const states = await t.platform.store.latest({});
    expect(states.map((s) => s.domain)).not.toContain("lanterne_platform");
    expect(states.every((s) => s.deviceId !== "")).toBe(true);
  });
});
