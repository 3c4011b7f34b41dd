import { resolve } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ConfigInvalidError } from "./domain/errors.ts";

/** pino's levels, most severe first; `silent` writes nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * The platform's configuration: every option is documented in the schema, read from the
 * environment here only, and validated once at start with every error printed.
 */
export const ConfigSchema = Type.Object({
  host: Type.String({ default: "127.0.0.1", description: "LANTERNE_HOST: address every server binds to" }),
  mqttPort: Type.Integer({ minimum: 0, maximum: 65535, default: 1883, description: "LANTERNE_MQTT_PORT" }),
  wsPort: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8083,
    description: "LANTERNE_WS_PORT: MQTT over WebSocket (/mqtt)",
  }),
  udpPort: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 1700,
    description:
      "LANTERNE_UDP_PORT: Semtech UDP packet forwarder listener (when the territory lists gateways)",
  }),
  httpPort: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: "LANTERNE_HTTP_PORT: API",
  }),
  dataDir: Type.String({
    default: "data",
    description: "LANTERNE_DATA_DIR: where the embedded store keeps its files",
  }),
  territoryDir: Type.String({
    default: "territory/ccphva",
    description: "LANTERNE_TERRITORY: territory folder",
  }),
  maxPayloadBytes: Type.Integer({
    minimum: 1024,
    default: 262_144,
    description: "LANTERNE_MAX_PAYLOAD: largest accepted message",
  }),
  maxBatch: Type.Integer({
    minimum: 1,
    default: 1000,
    description: "LANTERNE_MAX_BATCH: readings per message",
  }),
  highWater: Type.Integer({
    minimum: 100,
    default: 50_000,
    description: "LANTERNE_HIGH_WATER: write backlog before backpressure",
  }),
  store: Type.String({
    default: "duckdb",
    description:
      "LANTERNE_STORE: where time series go: duckdb (embedded, default) or influx://[user:password@]host:port/database",
  }),
  spoolMaxBytes: Type.Integer({
    minimum: 1_048_576,
    default: 1_073_741_824,
    description: "LANTERNE_SPOOL_MAX_BYTES: disk spool for readings while InfluxDB is unreachable",
  }),
  mqttConcurrency: Type.Integer({ minimum: 1, default: 1000, description: "LANTERNE_MQTT_CONCURRENCY" }),
  storeFailureExitS: Type.Integer({
    minimum: 1,
    default: 30,
    description:
      "LANTERNE_STORE_FAILURE_EXIT_S: a store that has failed every write this long (seconds) makes the process exit with status 75, for its supervisor to restart it",
  }),
  minFreeMib: Type.Integer({
    minimum: 0,
    default: 256,
    description:
      "LANTERNE_MIN_FREE_MIB: free space (MiB) the embedded store keeps on its disk; under it, writes wait (backpressure) and the platform is not ready",
  }),
  duckdbMemoryMib: Type.Integer({
    minimum: 64,
    default: 1024,
    description:
      "LANTERNE_DUCKDB_MEMORY_MIB: most memory the embedded store's cache may take (MiB); DuckDB's own default is 80 % of the machine's",
  }),
  duckdbCheckpointKib: Type.Integer({
    minimum: 64,
    default: 16_384,
    description:
      "LANTERNE_DUCKDB_CHECKPOINT_KIB: the embedded store folds its write-ahead log into the database file once the log passes this size (KiB)",
  }),
  webhooksFile: Type.String({
    default: "",
    description:
      "LANTERNE_WEBHOOKS_FILE: the alert webhooks file (services/alerts/sinks/webhook-config.ts); empty: webhooks.yaml in the data folder, if there is one",
  }),
  webhookTimeoutS: Type.Integer({
    minimum: 1,
    maximum: 300,
    default: 10,
    description: "LANTERNE_WEBHOOK_TIMEOUT_S: longest a webhook receiver may take to answer (seconds)",
  }),
  webhookRetryMaxS: Type.Integer({
    minimum: 1,
    default: 300,
    description:
      "LANTERNE_WEBHOOK_RETRY_MAX_S: longest wait between two attempts at a failing receiver (seconds)",
  }),
  trustProxy: Type.Union([Type.Literal("true"), Type.Literal("false")], {
    default: "false",
    description:
      "LANTERNE_TRUST_PROXY: true behind a TLS reverse proxy on the same host: the client's address and scheme come from X-Forwarded-For/-Proto (login throttling per address, Secure session cookies)",
  }),
  cookieSecure: Type.Union([Type.Literal("true"), Type.Literal("false")], {
    default: "false",
    description:
      "LANTERNE_COOKIE_SECURE: true marks the web session cookie Secure (sent over HTTPS only); set it whenever a reverse proxy terminates TLS in front of Lanterne",
  }),
  sessionIdleMin: Type.Integer({
    minimum: 1,
    maximum: 1440,
    default: 30,
    description: "LANTERNE_SESSION_IDLE_MIN: a web session unused this long (minutes) ends",
  }),
  sessionMaxMin: Type.Integer({
    minimum: 1,
    maximum: 10_080,
    default: 600,
    description:
      "LANTERNE_SESSION_MAX_MIN: a web session ends this long (minutes) after the login, used or not",
  }),
  mapTiles: Type.String({
    default: "",
    description:
      "LANTERNE_MAP_TILES: the map's tile server, a URL template https://host/{z}/{x}/{y}.png (http also accepted); empty: a plain background and nothing fetched from another site. Its origin is added to the pages' img-src",
  }),
  mapAttribution: Type.String({
    default: "",
    description:
      "LANTERNE_MAP_ATTRIBUTION: the credit the tile server's licence asks for, shown on the map as text (for example © OpenStreetMap contributors)",
  }),
  publicUrl: Type.String({
    default: "",
    pattern: "^(https?://[^/?#\\s]+)?$",
    description:
      "LANTERNE_PUBLIC_URL: the platform's public address (https://data.example.fr, no path), written in the open-data catalogue's links; empty: each request's own origin",
  }),
  opendataRate: Type.Integer({
    minimum: 1,
    default: 600,
    description:
      "LANTERNE_OPENDATA_RATE: requests per minute one address may make of the open channel (/opendata), the same for everyone",
  }),
  opendataContact: Type.String({
    default: "",
    description:
      "LANTERNE_OPENDATA_CONTACT: the e-mail address the open-data catalogue gives as its contact point; empty: opendata@<the owner's id>.invalid",
  }),
  hostingLocation: Type.String({
    minLength: 1,
    default: "France (hébergement de la collectivité)",
    description:
      "LANTERNE_HOSTING_LOCATION: where the platform's data are hosted, as the processing register and the sobriety report state it for contracts that name no hostingLocation of their own (a country outside the European Union there is reported as a transfer to check)",
  }),
  quarantineRetentionDays: Type.Integer({
    minimum: 1,
    default: 365,
    description:
      "LANTERNE_QUARANTINE_RETENTION_DAYS: days a refused message is kept in quarantine (replayed or not), counted from its reception; the retention keeper deletes older entries on its schedule, and nothing else deletes them",
  }),
  logLevel: Type.Union(
    LOG_LEVELS.map((level) => Type.Literal(level)),
    {
      default: "info",
      description:
        "LANTERNE_LOG_LEVEL: least severe log lines written (JSON lines on standard error): fatal, error, warn, info (default: incidents, their recovery, start and stop), debug (also one line per HTTP request) or silent",
    },
  ),
});
export type Config = Static<typeof ConfigSchema>;

const ENV: Record<keyof Config, string> = {
  host: "LANTERNE_HOST",
  mqttPort: "LANTERNE_MQTT_PORT",
  wsPort: "LANTERNE_WS_PORT",
  httpPort: "LANTERNE_HTTP_PORT",
  udpPort: "LANTERNE_UDP_PORT",
  dataDir: "LANTERNE_DATA_DIR",
  territoryDir: "LANTERNE_TERRITORY",
  maxPayloadBytes: "LANTERNE_MAX_PAYLOAD",
  maxBatch: "LANTERNE_MAX_BATCH",
  highWater: "LANTERNE_HIGH_WATER",
  mqttConcurrency: "LANTERNE_MQTT_CONCURRENCY",
  store: "LANTERNE_STORE",
  spoolMaxBytes: "LANTERNE_SPOOL_MAX_BYTES",
  duckdbCheckpointKib: "LANTERNE_DUCKDB_CHECKPOINT_KIB",
  duckdbMemoryMib: "LANTERNE_DUCKDB_MEMORY_MIB",
  storeFailureExitS: "LANTERNE_STORE_FAILURE_EXIT_S",
  minFreeMib: "LANTERNE_MIN_FREE_MIB",
  webhooksFile: "LANTERNE_WEBHOOKS_FILE",
  webhookTimeoutS: "LANTERNE_WEBHOOK_TIMEOUT_S",
  webhookRetryMaxS: "LANTERNE_WEBHOOK_RETRY_MAX_S",
  trustProxy: "LANTERNE_TRUST_PROXY",
  cookieSecure: "LANTERNE_COOKIE_SECURE",
  sessionIdleMin: "LANTERNE_SESSION_IDLE_MIN",
  sessionMaxMin: "LANTERNE_SESSION_MAX_MIN",
  mapTiles: "LANTERNE_MAP_TILES",
  mapAttribution: "LANTERNE_MAP_ATTRIBUTION",
  publicUrl: "LANTERNE_PUBLIC_URL",
  opendataRate: "LANTERNE_OPENDATA_RATE",
  opendataContact: "LANTERNE_OPENDATA_CONTACT",
  hostingLocation: "LANTERNE_HOSTING_LOCATION",
  quarantineRetentionDays: "LANTERNE_QUARANTINE_RETENTION_DAYS",
  logLevel: "LANTERNE_LOG_LEVEL",
};

export function loadConfig(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    raw[key] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  const merged = Value.Default(ConfigSchema, { ...raw, ...overrides }) as Config;
  const errors = [...Value.Errors(ConfigSchema, merged)].map((e) => `  - ${e.path || "/"}: ${e.message}`);
  const tiles = typeof merged.mapTiles === "string" ? tileTemplateProblem(merged.mapTiles) : undefined;
  if (tiles !== undefined) errors.push(`  - /mapTiles (LANTERNE_MAP_TILES): ${tiles}`);
  if (errors.length > 0) throw new ConfigInvalidError(errors.join("\n"));
  return {
    ...merged,
    dataDir: resolve(merged.dataDir),
    territoryDir: resolve(merged.territoryDir),
    webhooksFile: merged.webhooksFile === "" ? "" : resolve(merged.webhooksFile),
  };
}

/**
 * What is wrong with a tile URL template, or undefined when it is usable (or empty: no tiles).
 * Leaflet fills {z}, {x}, {y} and, when present, {s} (a subdomain) and {r} (a retina suffix);
 * a subdomain would put tiles on hosts the CSP does not name, so it is refused.
 */
export function tileTemplateProblem(template: string): string | undefined {
  if (template === "") return undefined;
  for (const part of ["{z}", "{x}", "{y}"]) {
    if (!template.includes(part)) return `must hold ${part}: https://host/{z}/{x}/{y}.png`;
  }
  if (template.includes("{s}")) return "must name one host, not {s} subdomains (the CSP names its origin)";
  let url: URL;
  try {
    url = new URL(template.replaceAll(/\{[a-z]\}/g, "0"));
  } catch {
    return "must be a URL: https://host/{z}/{x}/{y}.png";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an https:// (or http://) URL";
  if (url.username !== "" || url.password !== "") return "must not carry credentials";
  return undefined;
}

/** The map's tile server as the pages and their CSP see it (services/api/routes/map.ts). */
export interface MapSettings {
  /** The URL template, or null for a plain background. */
  tiles: string | null;
  attribution: string | null;
}

export function mapSettings(config: Pick<Config, "mapTiles" | "mapAttribution">): MapSettings {
  return {
    tiles: config.mapTiles === "" ? null : config.mapTiles,
    attribution: config.mapAttribution === "" ? null : config.mapAttribution,
  };
}

/** What the web sessions need of the configuration (services/api/plugins/session.ts). */
export interface SessionSettings {
  cookieSecure: boolean;
  idleMs: number;
  maxMs: number;
}

export function sessionSettings(
  config: Pick<Config, "cookieSecure" | "sessionIdleMin" | "sessionMaxMin">,
): SessionSettings {
  return {
    cookieSecure: config.cookieSecure === "true",
    idleMs: config.sessionIdleMin * 60_000,
    maxMs: config.sessionMaxMin * 60_000,
  };
}
