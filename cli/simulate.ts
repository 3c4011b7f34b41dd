import type { Config } from "../services/config.ts";
import type { Device } from "../services/domain/types.ts";
import { loadInventoryFile } from "../services/inventory/load.ts";
import { loadTerritoryFile, type TerritoryFile } from "../services/inventory/territory-file.ts";
import { LorawanSimulator } from "../simulator/lorawan.ts";
import { Simulator } from "../simulator/simulator.ts";
import { demoCredentials, demoLorawanConfig } from "./demo.ts";

export interface SimulateOptions {
  url?: string;
  speed: number;
  /** LoRaWAN sensors instead of the operators' MQTT: gateways over UDP and a ChirpStack over MQTT. */
  lorawan?: {
    /** host:port of the platform's Semtech UDP listener (default: LANTERNE_HOST:LANTERNE_UDP_PORT). */
    udp?: string;
    /** The broker ChirpStack publishes to (default: the territory's ChirpStack integration's). */
    chirpstackUrl?: string;
    marshaler: "json" | "protobuf";
  };
}

/**
 * `lanterne simulate`: publishes the territory's telemetry to a running platform over MQTT, as
 * its operators. Faster than real time, readings carry the time they are sent (the platform
 * refuses readings from the future). With `--lorawan`, the territory's LoRaWAN sensors instead:
 * a fake packet forwarder per listed gateway over real UDP, and a fake ChirpStack publishing its
 * events over real MQTT.
 */
export async function simulate(config: Config, options: SimulateOptions): Promise<void> {
  const territory = await loadTerritoryFile(config.territoryDir);
  const devices = await loadInventoryFile(territory.inventoryPath, { ownerId: territory.owner.id });
  const simulator = options.lorawan
    ? await lorawanSimulator(config, options.lorawan, devices, territory, options.speed)
    : mqttSimulator(config, options, devices);
  const report = setInterval(() => process.stdout.write(`  ${simulator.summary()}\n`), 10_000);
  const stop = async () => {
    clearInterval(report);
    await simulator.close();
    process.stdout.write(`  ${simulator.summary()}\n`);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

interface Running {
  summary(): string;
  close(): Promise<void>;
}

function mqttSimulator(config: Config, options: SimulateOptions, devices: readonly Device[]): Running {
  const url = options.url ?? `mqtt://${config.host}:${config.mqttPort}`;
  const simulator = new Simulator({
    url,
    devices,
    credentials: demoCredentials(),
    speed: options.speed,
    timestamps: options.speed > 1 ? "wall" : "simulated",
    qos: 1,
    onError: (err) => process.stderr.write(`simulator: ${err.message}\n`),
  });
  simulator.start();
  process.stdout.write(
    `Simulating ${devices.length} devices to ${url} (speed ${options.speed}); Ctrl+C to stop.\n`,
  );
  return {
    summary: () => {
      const s = simulator.stats;
      return `published ${s.published} readings in ${s.messages} messages, ${s.errors} errors`;
    },
    close: () => simulator.close(),
  };
}

async function lorawanSimulator(
  config: Config,
  options: NonNullable<SimulateOptions["lorawan"]>,
  devices: readonly Device[],
  territory: TerritoryFile,
  speed: number,
): Promise<Running> {
  const [host, port] = splitHostPort(options.udp ?? `${config.host}:${config.udpPort}`);
  const counters = await savedCounters(`http://${config.host}:${config.httpPort}`);
  const lorawan = await demoLorawanConfig(territory, devices, {
    host,
    udp: port,
    marshaler: options.marshaler,
    ...(options.chirpstackUrl ? { chirpstackUrl: options.chirpstackUrl } : {}),
    firstFCnt: (id) => (counters.get(id) ?? -1) + 1,
  });
  const simulator = new LorawanSimulator({
    ...lorawan,
    speed,
    onError: (err) => process.stderr.write(`LoRaWAN simulator: ${err.message}\n`),
  });
  await simulator.start();
  const abp = lorawan.gateways?.devices.length ?? 0;
  const cs = lorawan.chirpstack;
  process.stdout.write(
    `Simulating ${abp} ABP devices through ${lorawan.gateways?.euis.length ?? 0} gateways to udp://${host}:${port}` +
      (cs ? ` and ${cs.devices.length} devices through ChirpStack at ${cs.url} (${cs.marshaler})` : "") +
      "; Ctrl+C to stop.\n",
  );
  return {
    summary: () => {
      const s = simulator.stats;
      return `gateways: ${s.udpUplinks} uplinks, ${s.udpAcks} acks; ChirpStack: ${s.chirpstackUplinks} uplinks, ${s.chirpstackStatuses} statuses; ${s.dropped} dropped, ${s.errors} errors`;
    },
    close: () => simulator.close(),
  };
}

/**
 * An ABP device's frame counter lives in the device: a simulator started again must go on from
 * the platform's newest counter, or its frames would be refused as replays. They are read from
 * the LoRaWAN health view with the demo technician's token; none when the platform cannot say.
 */
async function savedCounters(api: string): Promise<Map<string, number>> {
  const token = `technicien.${demoCredentials().technicien}`;
  try {
    const response = await fetch(`${api}/api/v1/lorawan/health`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { abp?: { deviceId: string; fCntUp?: number }[] };
    return new Map((body.abp ?? []).flatMap((d) => (d.fCntUp === undefined ? [] : [[d.deviceId, d.fCntUp]])));
  } catch (err) {
    process.stderr.write(
      `LoRaWAN simulator: frame counters not read from ${api} (${(err as Error).message}); counting from 0\n`,
    );
    return new Map();
  }
}

function splitHostPort(text: string): [string, number] {
  const at = text.lastIndexOf(":");
  const port = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`--udp ${text}: expected host:port`);
  }
  return [text.slice(0, at), port];
}
