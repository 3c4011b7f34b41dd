import type { Config } from "../services/config.ts";
import { loadInventoryFile } from "../services/inventory/load.ts";
import { loadTerritoryFile } from "../services/inventory/territory-file.ts";
import { Simulator } from "../simulator/simulator.ts";
import { demoCredentials } from "./demo.ts";

/**
 * `lanterne simulate`: publishes the territory's telemetry to a running platform over MQTT, as
 * its operators. Faster than real time, readings carry the time they are sent (the platform
 * refuses readings from the future).
 */
export async function simulate(config: Config, options: { url?: string; speed: number }): Promise<void> {
  const territory = await loadTerritoryFile(config.territoryDir);
  const devices = await loadInventoryFile(territory.inventoryPath, { ownerId: territory.owner.id });
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
  const report = setInterval(() => {
    const s = simulator.stats;
    process.stdout.write(
      `  published ${s.published} readings in ${s.messages} messages, ${s.errors} errors\n`,
    );
  }, 10_000);
  const stop = async () => {
    clearInterval(report);
    await simulator.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}
