import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { mapCodecData } from "../../gateway/codecs/mapping.ts";
import { type CodecRegistry, createDefaultCodecRegistry } from "../../gateway/codecs/registry.ts";
import { type CodecSandbox, createCodecSandbox } from "../../gateway/codecs/sandbox.ts";
import { encodeDataUp } from "../../gateway/lorawan/encode.ts";
import { type AbpDeviceConfig, masterKeyFrom, openSessions } from "../../gateway/lorawan/session.ts";
import { processUplink } from "../../gateway/lorawan/uplink.ts";
import type { Device } from "../../services/domain/types.ts";
import { loadInventoryFile } from "../../services/inventory/load.ts";
import { encodeUplink } from "../../simulator/lorawan-payloads.ts";
import { planScenario, readingFor } from "../../simulator/models.ts";
import { DEMO_SECRETS, demoAbpKeys } from "../../territory/ccphva/demo-secrets.ts";

/**
 * The LoRaWAN simulator speaks the built-in codecs' formats: what it encodes for a model's values,
 * the vendor codec (in its sandbox) and the mapping turn back into the same contract values. And
 * the demo's sealed ABP keys are the ones the simulator derives.
 */
let registry: CodecRegistry;
let sandbox: CodecSandbox;
let devices: Device[];

beforeAll(async () => {
  registry = await createDefaultCodecRegistry();
  sandbox = await createCodecSandbox();
  devices = await loadInventoryFile("territory/ccphva/inventory.csv", { ownerId: "ccphva" });
});
afterAll(() => sandbox?.close());

function roundTrip(device: Device, t: number) {
  const data = readingFor(device, t, planScenario(devices, t));
  if (!data) throw new Error(`no model for ${device.id}`);
  const encoded = encodeUplink(device, data);
  if (!encoded) throw new Error(`no encoder for ${device.id}`);
  const codecId = String(device.attributes.codec);
  const codec = registry.get(codecId);
  if (!codec) throw new Error(`no codec ${codecId}`);
  const decoded = sandbox.decode(codec, { bytes: encoded.bytes, fPort: encoded.fPort });
  if (!decoded.ok) throw new Error(decoded.violation.detail);
  return { sent: data, mapped: mapCodecData(codecId, decoded.data, device) };
}

describe("simulated LoRaWAN payloads", () => {
  const hours = [0, 6, 9, 13, 19, 23].map((h) => Date.UTC(2026, 10, 23, h, 17));

  it("give back a pressure sensor's pressure (to the 0.01 bar the sensor resolves) and battery", () => {
    const sensors = devices.filter((d) => d.domain === "water_pressure").slice(0, 20);
    for (const device of sensors) {
      for (const t of hours) {
        const { sent, mapped } = roundTrip(device, t);
        expect(mapped.problems).toEqual([]);
        expect(mapped.data).toEqual({ pressure_bar: sent.pressure_bar, battery_level: sent.battery_level });
      }
    }
  });

  it("give back a container's filling level (to 1 mm of its depth), lid and battery", () => {
    const containers = devices.filter((d) => d.domain === "waste_container").slice(0, 40);
    for (const device of containers) {
      for (const t of hours) {
        const { sent, mapped } = roundTrip(device, t);
        expect(mapped.problems).toEqual([]);
        const depth = device.attributes.depth_mm as number;
        expect(
          Math.abs((mapped.data.filling_level as number) - (sent.filling_level as number)),
        ).toBeLessThanOrEqual(1 / depth + 0.0005);
        expect(mapped.data.battery_level).toBe(sent.battery_level);
        expect(mapped.data.status).toBe(sent.status === "lidOpen" ? "lidOpen" : "ok");
      }
    }
  });
});

describe("the demo's ABP devices", () => {
  it("open with the demo's key, and are the keys the simulator uses", () => {
    const entries = parseYaml(readFileSync("territory/ccphva/lorawan-abp.yaml", "utf8")) as AbpDeviceConfig[];
    const sessions = openSessions(entries, masterKeyFrom(DEMO_SECRETS["secret-key"]));
    expect(sessions.all().length).toBe(entries.length);
    for (const [i, entry] of entries.entries()) {
      // A frame the simulator would send with the derived keys passes the MIC and decrypts.
      const payload = Buffer.from([0x01, 0x75, 0x64, 0x03, 0x7b, 0x90, 0x01]);
      const phy = encodeDataUp(
        { devAddr: entry.devAddr, fCnt: i, fPort: 85, payload },
        demoAbpKeys(entry.deviceId),
      );
      const result = processUplink(phy, sessions);
      expect(result.ok && result.uplink.deviceId).toBe(entry.deviceId);
      expect(result.ok && result.uplink.payload).toEqual(payload);
    }
    expect(() => openSessions(entries, masterKeyFrom("another-key-of-the-territory"))).toThrow();
  });
});
