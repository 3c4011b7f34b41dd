import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { Aedes } from "aedes";
import { parse as parseYaml } from "yaml";
import type { Device } from "../services/domain/types.ts";
import { currentOperator } from "../services/inventory/device-index.ts";
import type { TerritoryFile } from "../services/inventory/territory-file.ts";
import { DEMO_FAULTS, describePlan } from "../simulator/faults.ts";
import { type AbpDevice, LorawanSimulator, type LorawanSimulatorConfig } from "../simulator/lorawan.ts";
import { canEncode } from "../simulator/lorawan-payloads.ts";
import { Simulator } from "../simulator/simulator.ts";
import { DEMO_SECRETS, demoAbpKeys } from "../territory/ccphva/demo-secrets.ts";
import type { Platform } from "./platform.ts";

/** The demo's clear-text credentials (the territory file holds only their hashes). */
export function demoCredentials(): Record<string, string> {
  return { ...DEMO_SECRETS };
}

/** The demo's LANTERNE_SECRET_KEY (it opens the demo's sealed ABP keys), unless one is set. */
export function useDemoSecretKey(env: NodeJS.ProcessEnv = process.env): void {
  env.LANTERNE_SECRET_KEY ??= DEMO_SECRETS["secret-key"];
}

/** The ChirpStack application the demo's containers belong to. */
export const DEMO_CHIRPSTACK_APPLICATION = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
/** The commune whose LoRaWAN sensors the demo simulates over LoRaWAN (Thil). */
export const DEMO_LORAWAN_COMMUNE = "54521";

export interface Closable {
  close(): Promise<void>;
}

/**
 * The built-in simulators of `npm start`: the streetlights and most sensors publishing over real
 * MQTT as their operators, and the LoRaWAN sensors of Thil through the collectivity's gateways
 * (UDP) and the collector's ChirpStack (MQTT, protobuf marshaler).
 */
export async function startDemoSimulator(platform: Platform): Promise<Closable> {
  const devices = platform.devices.list({});
  const sessions = platform.semtechUdp?.sessions;
  const lorawan = await demoLorawanConfig(platform.territory, devices, {
    udp: platform.semtechUdp?.source.port,
    host: platform.config.host,
    // The platform's saved counters are the devices' own: they go on from there.
    firstFCnt: (id) => (sessions?.all().find((s) => s.deviceId === id)?.fCntUp ?? -1) + 1,
  });
  const simulated = lorawanDeviceIds(lorawan);
  const mqttSimulator = new Simulator({
    url: `mqtt://${platform.config.host}:${platform.broker.port}`,
    devices: devices.filter((d) => !simulated.has(d.id)),
    credentials: demoCredentials(),
    qos: 1,
    faults: DEMO_FAULTS,
    onError: (err) => process.stderr.write(`simulator: ${err.message}\n`),
  });
  mqttSimulator.start();
  printFaultSchedule(mqttSimulator);
  const lorawanSimulator = new LorawanSimulator({
    ...lorawan,
    ...(mqttSimulator.plannedScenario ? { scenario: mqttSimulator.plannedScenario } : {}),
    onError: (err) => process.stderr.write(`LoRaWAN simulator: ${err.message}\n`),
  });
  await lorawanSimulator.start();
  return {
    async close() {
      await lorawanSimulator.close();
      await mqttSimulator.close();
    },
  };
}

/** The start-up summary of the scripted faults: what a technician will see, on which device, when. */
function printFaultSchedule(simulator: Simulator): void {
  const plan = simulator.plannedFaults;
  if (!plan || plan.entries.length === 0) return;
  const lines = describePlan(plan).map((l) => `    ${l}`);
  process.stdout.write(
    `  Scripted faults (time after start; before it: shown by the history published at start):\n${lines.join("\n")}\n`,
  );
}

/** The devices a LoRaWAN simulator configuration drives (left out of the MQTT simulator). */
export function lorawanDeviceIds(config: LorawanSimulatorConfig): Set<string> {
  return new Set([
    ...(config.gateways?.devices ?? []).map((d) => d.deviceId),
    ...(config.chirpstack?.devices ?? []).map((d) => d.id),
  ]);
}

/**
 * The demo territory's LoRaWAN side as a simulator sees it: its listed gateways and ABP devices
 * (keys from demo-secrets.ts), and the Thil containers of its first ChirpStack integration's
 * operator, published to that integration's broker.
 */
export async function demoLorawanConfig(
  territory: TerritoryFile,
  devices: readonly Device[],
  target: {
    host: string;
    udp: number | undefined;
    chirpstackUrl?: string;
    marshaler?: "json" | "protobuf";
    firstFCnt?: (deviceId: string) => number;
  },
): Promise<LorawanSimulatorConfig> {
  const config: LorawanSimulatorConfig = { devices };
  const abp = await abpDevicesOf(territory);
  if (target.udp !== undefined && abp.length > 0) {
    config.gateways = { host: target.host, port: target.udp, euis: gatewayEuis(territory), devices: abp };
  }
  const cs = territory.integrations.find((i) => i.kind === "chirpstack" && i.url);
  const url = target.chirpstackUrl ?? cs?.url;
  if (cs && url) {
    const now = Date.now();
    config.chirpstack = {
      url,
      applicationId: DEMO_CHIRPSTACK_APPLICATION,
      marshaler: target.marshaler ?? "protobuf",
      devices: devices.filter(
        (d) =>
          d.commune === DEMO_LORAWAN_COMMUNE &&
          d.attributes.dev_eui !== undefined &&
          canEncode(d) &&
          currentOperator(d, now) === cs.operatorId,
      ),
    };
  }
  if (target.firstFCnt) config.firstFCnt = target.firstFCnt;
  return config;
}

async function abpDevicesOf(territory: TerritoryFile): Promise<AbpDevice[]> {
  const path = territory.semtechUdp?.abpDevicesPath;
  if (!path) return [];
  const entries: unknown = parseYaml(await readFile(path, "utf8"));
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((e: { deviceId?: unknown; devAddr?: unknown }) =>
    typeof e.deviceId === "string" && typeof e.devAddr === "string"
      ? [{ deviceId: e.deviceId, devAddr: e.devAddr, ...demoAbpKeys(e.deviceId) }]
      : [],
  );
}

function gatewayEuis(territory: TerritoryFile): string[] {
  const gateways = territory.semtechUdp?.gateways;
  if (!Array.isArray(gateways)) return [];
  return gateways.flatMap((g: { eui?: unknown }) => (typeof g.eui === "string" ? [g.eui] : []));
}

/**
 * A stand-in for the collector's ChirpStack broker, on the port the demo's ChirpStack integration
 * follows (an open MQTT broker on loopback, as ChirpStack's Mosquitto would be on its own host).
 * Undefined when the territory has no such integration on this machine or the port is taken.
 */
export async function startChirpstackStandIn(territory: TerritoryFile): Promise<Closable | undefined> {
  const cs = territory.integrations.find((i) => i.kind === "chirpstack" && i.url);
  const url = cs?.url ? new URL(cs.url) : undefined;
  if (!url || !["127.0.0.1", "localhost"].includes(url.hostname)) return undefined;
  const aedes = await Aedes.createBroker();
  const server = createServer((socket) => aedes.handle(socket));
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(Number(url.port || 1883), url.hostname, () => resolve(true));
  });
  const close = () =>
    new Promise<void>((resolve) => {
      aedes.close(() => server.close(() => resolve()));
      server.unref();
    });
  if (!listening) {
    await close();
    return undefined;
  }
  return { close };
}
