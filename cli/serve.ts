import type { Config } from "../services/config.ts";
import { loadTerritoryFile } from "../services/inventory/territory-file.ts";
import {
  type Closable,
  demoCredentials,
  startChirpstackStandIn,
  startDemoSimulator,
  useDemoSecretKey,
} from "./demo.ts";
import { createPlatform, type Platform } from "./platform.ts";

/**
 * Runs the platform until SIGINT/SIGTERM, then closes it cleanly (pending writes included).
 * `demo`: the demo's secret key unless one is set; `simulator`: the demo's simulators, and a
 * stand-in for the ChirpStack broker the demo territory follows.
 */
export async function serve(config: Config, options: { demo: boolean; simulator: boolean }): Promise<void> {
  const started = Date.now();
  if (options.demo) useDemoSecretKey();
  log(`Lanterne: loading territory ${config.territoryDir}`);
  const standIn = options.simulator
    ? await startChirpstackStandIn(await loadTerritoryFile(config.territoryDir))
    : undefined;
  const platform = await createPlatform(config);
  log(
    `  ${platform.devices.size} devices, ${platform.contracts.all().length} data contracts, ${platform.territory.operators.length} operators`,
  );
  await platform.start();
  if (options.demo) await platform.approveOpenData("demo");
  const simulator = options.simulator ? await startDemoSimulator(platform) : undefined;
  printSummary(platform, options.simulator, Date.now() - started, standIn);
  // The summary above is for people; the same facts as a log line, for the journal.
  const logger = platform.logger;
  logger.info(
    { api: platform.apiUrl, mqttPort: platform.broker.port, startMs: Date.now() - started },
    "started",
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: writing what is pending");
    await simulator?.close();
    const written = await platform.close();
    await standIn?.close();
    if (!written) {
      logger.fatal(
        { exitCode: STORE_FAILED_EXIT },
        "stopped with writes the store did not take (never acknowledged)",
      );
      process.exit(STORE_FAILED_EXIT);
    }
    logger.info("stopped");
    process.exit(0);
  };
  // A store that cannot write will not heal in this process: exit for the supervisor to restart
  // it (systemd's Restart=on-failure). What was not durable was never acknowledged.
  platform.onStoreFailed = (reason) => {
    logger.fatal({ code: "ERR_STORE_FAILED", reason, exitCode: STORE_FAILED_EXIT }, "store failed; exiting");
    process.exit(STORE_FAILED_EXIT);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

/** EX_TEMPFAIL (sysexits.h): a temporary failure, worth a restart. */
const STORE_FAILED_EXIT = 75;

function printSummary(p: Platform, simulator: boolean, ms: number, standIn: Closable | undefined): void {
  const c = p.config;
  const api = p.apiUrl;
  const lines = [
    "",
    `Lanterne is running for ${p.territory.owner.name} (started in ${ms} ms)`,
    `  Web app          ${api}/   (log in at ${api}/connexion; public register ${api}/algorithmes)`,
    `  API              ${api}   (documentation: ${api}/api/docs)`,
    `  MQTT             mqtt://${c.host}:${p.broker.port}   topic lanterne/{operator}/readings`,
    `  MQTT/WebSocket   ws://${c.host}:${p.broker.wsPort}/mqtt`,
    ...(p.semtechUdp
      ? [`  LoRaWAN gateways udp://${c.host}:${p.semtechUdp.source.port}   Semtech UDP packet forwarder`]
      : []),
    `  Data             ${c.dataDir}`,
    "",
    "  Try:",
    `    curl ${api}/ready`,
    `    curl ${api}/api/v1/public/aggregates`,
    `    curl ${api}/opendata/catalog   # open datasets (DCAT-AP: ${api}/opendata/catalog.jsonld, .ttl)`,
  ];
  if (simulator) {
    const creds = demoCredentials();
    lines.push(
      `    curl -H 'Authorization: Bearer technicien.${creds.technicien}' '${api}/api/v1/devices?domain=waste_container'`,
      `    curl -u lumiere-est:${creds["lumiere-est"]} ${api}/api/v1/quarantine`,
      `    curl -H 'Authorization: Bearer technicien.${creds.technicien}' ${api}/api/v1/lorawan/health`,
      `    curl -H 'Authorization: Bearer technicien.${creds.technicien}' '${api}/api/v1/alerts?status=open'   # faults the contracts' rules raised`,
      "    # watch faults arrive live (alert transitions and device states, Server-Sent Events; the demo plays one per rule in its first minutes):",
      `    curl -N -H 'Authorization: Bearer technicien.${creds.technicien}' ${api}/api/v1/events`,
      `    curl ${api}/api/v1/algorithms   # the public register of those rules (page: ${api}/algorithmes)`,
      "    # a LoRaWAN uplink as The Things Stack's webhook posts it (Milesight EM310-UDL, container pav-54521-001):",
      `    curl -H 'X-Lanterne-Secret: ${creds["tts-collecte"] ?? "?"}' -H 'Content-Type: application/json' ${api}/api/v1/integrations/tts-collecte/uplink \\`,
      `      -d '{"end_device_ids":{"dev_eui":"24e1245452110001"},"uplink_message":{"f_port":85,"frm_payload":"AXVcA4IaBAQAAA=="}}'`,
      "",
      "  Demo credentials (never for production):",
      `    operators (MQTT and HTTP Basic): ${p.territory.operators.map((o) => `${o.username} / ${creds[o.id] ?? "?"}`).join(", ")}`,
      `    staff tokens (HTTP Bearer <id>.<token>): admin.${creds.admin}, technicien.${creds.technicien}`,
      `    web app: "Agent de la collectivité" technicien / ${creds.technicien}, or an operator above`,
      `    LANTERNE_SECRET_KEY (opens the demo's sealed LoRaWAN keys): ${creds["secret-key"]}`,
      "  The simulator publishes live telemetry as the three operators over MQTT; Thil's pressure",
      "  sensors send LoRaWAN frames through two gateways (UDP) and its containers come through",
      standIn
        ? "  the collector's ChirpStack (a stand-in broker on mqtt://127.0.0.1:1884, protobuf events)."
        : "  the collector's ChirpStack (its broker, 127.0.0.1:1884, was taken: not simulated).",
    );
  }
  lines.push("  Stop with Ctrl+C.", "");
  log(lines.join("\n"));
}

function log(text: string): void {
  process.stdout.write(`${text}\n`);
}
