import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { createPlatform, type Platform } from "../../cli/platform.ts";
import { type Config, loadConfig } from "../../services/config.ts";
import { DEMO_SECRETS } from "../../territory/ccphva/demo-secrets.ts";

export { DEMO_SECRETS };

/** A whole platform on the demo territory, on free loopback ports, with its own data folder. */
export interface TestPlatform {
  platform: Platform;
  mqttUrl: string;
  wsUrl: string;
  apiUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestPlatform(overrides: Partial<Config> = {}): Promise<TestPlatform> {
  // The demo territory's LoRaWAN session keys are sealed with the demo's key.
  process.env.LANTERNE_SECRET_KEY ??= DEMO_SECRETS["secret-key"];
  const dataDir = mkdtempSync(join(tmpdir(), "lanterne-test-"));
  // Incidents only (a 500, a store failing): quiet unless a test provokes or meets one.
  const config = loadConfig(
    {
      host: "127.0.0.1",
      mqttPort: 0,
      wsPort: 0,
      httpPort: 0,
      udpPort: 0,
      dataDir,
      // Errors only: every test platform tries the demo ChirpStack broker, absent in most tests.
      logLevel: "error",
      ...overrides,
    },
    {},
  );
  const platform = await createPlatform(config);
  await platform.start();
  return {
    platform,
    mqttUrl: `mqtt://127.0.0.1:${platform.broker.port}`,
    wsUrl: `ws://127.0.0.1:${platform.broker.wsPort}/mqtt`,
    apiUrl: platform.apiUrl,
    dataDir,
    async close() {
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type OperatorId = "lumiere-est" | "eaux-alzette" | "collecte-nord";

/** An mqtt.js client connected as a demo operator (or with the given credentials). */
export async function connectOperator(
  url: string,
  operator: OperatorId,
  options: IClientOptions = {},
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    username: operator,
    password: DEMO_SECRETS[operator],
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
  return client;
}

export function basic(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
}

export const technician = `Bearer technicien.${DEMO_SECRETS.technicien}`;
export const admin = `Bearer admin.${DEMO_SECRETS.admin}`;

/** Polls until `check` returns a truthy value or the deadline passes (bounded: never spins forever). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function reading(device: string, data: Record<string, unknown>, time = new Date().toISOString()) {
  return { device, time, data };
}
