import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { sealDevice } from "../../gateway/lorawan/session.ts";
import { startTestPlatform, type TestPlatform } from "./platform.ts";

/** The session keys and the master key the helper seals them with (test values, never real ones). */
export const SEMTECH_MASTER_HEX = "5a".repeat(32);
export const SEMTECH_KEYS = {
  nwkSKey: Buffer.from("2b7e151628aed2a6abf7158809cf4f3c", "hex"),
  appSKey: Buffer.from("3c4fcf098815f7aba6d2ae2816157e2b", "hex"),
};

export interface SemtechPlatform {
  t: TestPlatform;
  /** A UDP socket on 127.0.0.1 standing for the gateway's packet forwarder. */
  gateway: Socket;
  /** Stops the platform and starts it again on the same territory and data folder. */
  restart(): Promise<TestPlatform>;
  close(): Promise<void>;
}

/**
 * The demo territory with one collectivity gateway and one ABP device of its own in place of the
 * demo's (sealed with SEMTECH_MASTER_HEX, set as LANTERNE_SECRET_KEY while the platform runs),
 * started on free loopback ports, with a UDP socket to speak for the gateway.
 */
export async function startSemtechPlatform(
  gatewayEui: string,
  device: { deviceId: string; devAddr: string },
): Promise<SemtechPlatform> {
  const territoryDir = mkdtempSync(join(tmpdir(), "lanterne-territory-"));
  cpSync("territory/ccphva", territoryDir, { recursive: true });
  const master = Buffer.from(SEMTECH_MASTER_HEX, "hex");
  writeFileSync(
    join(territoryDir, "lorawan-abp.yaml"),
    stringify([sealDevice({ ...device, ...SEMTECH_KEYS }, master)]),
  );
  const yamlPath = join(territoryDir, "territory.yaml");
  const demo = readFileSync(yamlPath, "utf8");
  writeFileSync(
    yamlPath,
    `${demo.slice(0, demo.indexOf("\nsemtech_udp:"))}\nsemtech_udp:\n  gateways:\n    - eui: "${gatewayEui}"\n      name: "Mairie de Thil"\n  abp_devices: lorawan-abp.yaml\n  dedup_window_ms: 50\n`,
  );
  const previousKey = process.env.LANTERNE_SECRET_KEY;
  process.env.LANTERNE_SECRET_KEY = SEMTECH_MASTER_HEX;
  let t = await startTestPlatform({ territoryDir });
  const gateway = createSocket("udp4");
  gateway.bind(0, "127.0.0.1");
  await once(gateway, "listening");
  return {
    t,
    gateway,
    async restart() {
      await t.platform.close();
      t = await startTestPlatform({ territoryDir, dataDir: t.dataDir });
      return t;
    },
    async close() {
      gateway.close();
      await t.close();
      rmSync(territoryDir, { recursive: true, force: true });
      if (previousKey === undefined) delete process.env.LANTERNE_SECRET_KEY;
      else process.env.LANTERNE_SECRET_KEY = previousKey;
    },
  };
}
