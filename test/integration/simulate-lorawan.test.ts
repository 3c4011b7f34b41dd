import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoLorawanConfig, lorawanDeviceIds } from "../../cli/demo.ts";
import { ChirpstackSource } from "../../gateway/sources/chirpstack.ts";
import { LorawanSimulator } from "../../simulator/lorawan.ts";
import { type Mosquitto, requireMosquitto, startMosquitto } from "../helpers/mosquitto.ts";
import { eventually, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * `lanterne simulate --lorawan` against the whole platform on the demo territory: Thil's ABP
 * pressure sensors through two fake packet forwarders over real UDP, its containers through a
 * fake ChirpStack over a real Mosquitto broker (the one from Debian). Every value the models
 * produced arrives in the store through MIC, decryption, deduplication, codec and contract; a
 * simulator started again goes on from the platform's frame counters, so nothing is refused as
 * a replay.
 */
const mosquittoBinary = requireMosquitto();

describe.skipIf(!mosquittoBinary)("lanterne simulate --lorawan", () => {
  let t: TestPlatform;
  let broker: Mosquitto;
  let territoryDir: string;

  beforeAll(async () => {
    broker = await startMosquitto(mosquittoBinary as string);
    territoryDir = mkdtempSync(join(tmpdir(), "lanterne-territory-"));
    cpSync("territory/ccphva", territoryDir, { recursive: true });
    const yamlPath = join(territoryDir, "territory.yaml");
    const yaml = readFileSync(yamlPath, "utf8");
    writeFileSync(yamlPath, yaml.replace("mqtt://127.0.0.1:1884", broker.url));
    t = await startTestPlatform({ territoryDir });
    const chirpstack = t.platform.integrations.sources.filter((s) => s instanceof ChirpstackSource);
    await eventually(async () => chirpstack.every((s) => s.connected) || undefined);
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await broker?.stop();
    rmSync(territoryDir, { recursive: true, force: true });
  });

  it("stores what the simulated sensors measured, through the gateways and through ChirpStack", async () => {
    const devices = t.platform.devices.list({});
    const config = await demoLorawanConfig(t.platform.territory, devices, {
      host: "127.0.0.1",
      udp: t.platform.semtechUdp?.source.port,
      marshaler: "protobuf",
    });
    const ids = lorawanDeviceIds(config);
    expect(config.gateways?.devices.length).toBe(8);
    expect(config.chirpstack?.devices.length).toBeGreaterThan(0);
    const simulator = new LorawanSimulator({
      ...config,
      intervalMs: { water_pressure: 300, waste_container: 300 },
      tickMs: 20,
    });
    await simulator.start();
    // Every device reports, then the simulator stops: the last values sent must be the stored ones.
    await eventually(async () => simulator.sent.size === ids.size || undefined, 10_000);
    await simulator.close();
    expect(simulator.stats).toMatchObject({ dropped: 0, errors: 0 });
    for (const [deviceId, sent] of simulator.sent) {
      const state = await eventually(async () => {
        const [s] = await t.platform.store.latest({ deviceIds: [deviceId] });
        return s && s.time >= sent.time ? s : undefined;
      });
      const value = (field: string) => state.values[field]?.value;
      expect(value("battery_level"), deviceId).toBe(sent.data.battery_level);
      if (sent.path === "gateway") {
        expect(value("pressure_bar"), deviceId).toBe(sent.data.pressure_bar);
      } else {
        // 1 mm of the ultrasonic distance over the container's depth.
        expect(value("filling_level") as number, deviceId).toBeCloseTo(sent.data.filling_level as number, 2);
      }
    }
    const health = t.platform.lorawanHealth();
    expect(health.gateways.every((g) => g.lastSeen !== undefined)).toBe(true);
    expect(health.abp?.every((d) => d.fCntUp !== undefined)).toBe(true);
    // Some sensors are heard by both gateways: one uplink each, with both receptions.
    const heardBy = (health.abp ?? []).map((d) => d.lastUplink?.receptions.map((r) => r.gatewayEui).sort());
    expect(heardBy).toContainEqual(["aa555a0000054521", "aa555a0000054522"]);
    expect(heardBy).toContainEqual(["aa555a0000054521"]);
    const quarantined = await t.platform.store.listQuarantine({ limit: 10 });
    expect(quarantined.map((q) => q.reasons)).toEqual([]);
  }, 30_000);

  it("as a command, goes on from the platform's frame counters: no frame refused as a replay", async () => {
    // Frames of the previous simulator still in a deduplication window are let through first.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const startedAt = Date.now();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "cli/lanterne.ts",
        "simulate",
        "--lorawan",
        "--udp",
        `127.0.0.1:${t.platform.semtechUdp?.source.port}`,
        "--chirpstack-url",
        broker.url,
        "--marshaler",
        "json",
      ],
      {
        env: {
          ...process.env,
          LANTERNE_TERRITORY: territoryDir,
          LANTERNE_HOST: "127.0.0.1",
          LANTERNE_HTTP_PORT: new URL(t.apiUrl).port,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    try {
      // The first device of each domain reports as the simulator starts.
      const pressure = await eventually(async () => {
        const [s] = await t.platform.store.latest({ deviceIds: ["pre-54521-001"] });
        return s && s.time >= startedAt ? s : undefined;
      }, 20_000);
      expect(pressure.values.pressure_bar?.value).toBeGreaterThan(0);
      const container = await eventually(async () => {
        const [s] = await t.platform.store.latest({ deviceIds: ["pav-54521-001"] });
        return s && s.time >= startedAt ? s : undefined;
      }, 20_000);
      expect(container.values.filling_level?.value).toBeGreaterThanOrEqual(0);
      const quarantined = await t.platform.store.listQuarantine({ limit: 10 });
      expect(
        quarantined.map((q) => q.reasons),
        output,
      ).toEqual([]);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(output).toContain("Simulating 8 ABP devices through 2 gateways");
  }, 40_000);
});
