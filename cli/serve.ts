import type { Config } from "../services/config.ts";
import { demoCredentials, startDemoSimulator } from "./demo.ts";
import { createPlatform, type Platform } from "./platform.ts";

/** Runs the platform until SIGINT/SIGTERM, then closes it cleanly (pending writes included). */
export async function serve(config: Config, options: { simulator: boolean }): Promise<void> {
  const started = Date.now();
  log(`Lanterne: loading territory ${config.territoryDir}`);
  const platform = await createPlatform(config);
  log(
    `  ${platform.devices.size} devices, ${platform.contracts.all().length} data contracts, ${platform.territory.operators.length} operators`,
  );
  await platform.start();
  const simulator = options.simulator ? await startDemoSimulator(platform) : undefined;
  printSummary(platform, options.simulator, Date.now() - started);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log("Lanterne: stopping (writing what is pending)...");
    await simulator?.close();
    await platform.close();
    log("Lanterne: stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

function printSummary(p: Platform, simulator: boolean, ms: number): void {
  const c = p.config;
  const api = p.apiUrl;
  const lines = [
    "",
    `Lanterne is running for ${p.territory.owner.name} (started in ${ms} ms)`,
    `  API              ${api}   (OpenAPI: ${api}/api/openapi.json)`,
    `  MQTT             mqtt://${c.host}:${p.broker.port}   topic lanterne/{operator}/readings`,
    `  MQTT/WebSocket   ws://${c.host}:${p.broker.wsPort}/mqtt`,
    `  Data             ${c.dataDir}`,
    "",
    "  Try:",
    `    curl ${api}/ready`,
    `    curl ${api}/api/v1/public/aggregates`,
  ];
  if (simulator) {
    const creds = demoCredentials();
    lines.push(
      `    curl -H 'Authorization: Bearer technicien.${creds.technicien}' '${api}/api/v1/devices?domain=waste_container'`,
      `    curl -u lumiere-est:${creds["lumiere-est"]} ${api}/api/v1/quarantine`,
      "    # a LoRaWAN uplink as The Things Stack's webhook posts it (Milesight EM310-UDL, container pav-54521-001):",
      `    curl -H 'X-Lanterne-Secret: ${creds["tts-collecte"] ?? "?"}' -H 'Content-Type: application/json' ${api}/api/v1/integrations/tts-collecte/uplink \\`,
      `      -d '{"end_device_ids":{"dev_eui":"24e1245452110001"},"uplink_message":{"f_port":85,"frm_payload":"AXVcA4IaBAQAAA=="}}'`,
      "",
      "  Demo credentials (never for production):",
      `    operators (MQTT and HTTP Basic): ${p.territory.operators.map((o) => `${o.username} / ${creds[o.id] ?? "?"}`).join(", ")}`,
      `    staff tokens (HTTP Bearer <id>.<token>): admin.${creds.admin}, technicien.${creds.technicien}`,
      "  The simulator publishes live telemetry as the three operators over MQTT.",
    );
  }
  lines.push("  Stop with Ctrl+C.", "");
  log(lines.join("\n"));
}

function log(text: string): void {
  process.stdout.write(`${text}\n`);
}
