/**
 * The LoRaWAN network servers a territory receives data from, declared in `territory.yaml`
 * under `integrations:`. Secrets never sit in the file: a password is named by the environment
 * variable that holds it (`password_env`), a webhook secret by its scrypt hash.
 *
 *   integrations:
 *     - id: cs-collecte            # names the integration (MQTT client id, quarantine source)
 *       kind: chirpstack           # chirpstack | tts
 *       operator: collecte-nord    # whose contracts the data must meet
 *       url: mqtt://chirpstack.example.org:1883
 *       username: lanterne
 *       password_env: LANTERNE_CS_COLLECTE_PASSWORD
 *       applications: [3fa1...]    # chirpstack: application ids to follow (default: all)
 *     - id: tts-eaux
 *       kind: tts
 *       operator: eaux-alzette
 *       url: mqtts://eu1.cloud.thethings.network:8883   # optional: MQTT is QoS 0 only
 *       username: "eaux-alzette@ttn"
 *       password_env: LANTERNE_TTS_EAUX_KEY
 *       webhook_secret_hash: "scrypt$..."                # POST /api/v1/integrations/tts-eaux/uplink
 */
export interface IntegrationConfig {
  id: string;
  kind: "chirpstack" | "tts";
  operatorId: string;
  url?: string;
  username?: string;
  /** Name of the environment variable holding the password (never the password). */
  passwordEnv?: string;
  applications?: string[];
  webhookSecretHash?: string;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;

export function readIntegration(
  o: Obj,
  i: number,
  operators: ReadonlySet<string>,
  errors: string[],
): IntegrationConfig {
  const at = `integrations[${i}]`;
  if (!str(o.id) || !/^[a-z0-9][a-z0-9-]*$/.test(o.id)) errors.push(`${at}.id: lowercase letters, digits, -`);
  if (o.kind !== "chirpstack" && o.kind !== "tts") errors.push(`${at}.kind: chirpstack or tts`);
  if (!str(o.operator) || !operators.has(o.operator)) errors.push(`${at}.operator: one of the operators`);
  if (o.url !== undefined && (!str(o.url) || !/^mqtts?:\/\/[^/]/.test(o.url)))
    errors.push(`${at}.url: mqtt://host:port or mqtts://host:port`);
  if (o.kind === "chirpstack" && !str(o.url)) errors.push(`${at}.url: required for chirpstack`);
  if (o.password !== undefined)
    errors.push(`${at}.password: not in the file; name its variable in password_env`);
  if (
    o.webhook_secret_hash !== undefined &&
    !(str(o.webhook_secret_hash) && o.webhook_secret_hash.startsWith("scrypt$"))
  )
    errors.push(`${at}.webhook_secret_hash: a scrypt hash (npx tsx territory/hash-secret.ts)`);
  const apps = Array.isArray(o.applications) ? o.applications.filter(str) : undefined;
  return {
    id: String(o.id),
    kind: o.kind === "tts" ? "tts" : "chirpstack",
    operatorId: String(o.operator),
    ...(str(o.url) ? { url: o.url } : {}),
    ...(str(o.username) ? { username: o.username } : {}),
    ...(str(o.password_env) ? { passwordEnv: o.password_env } : {}),
    ...(apps && apps.length > 0 ? { applications: apps } : {}),
    ...(str(o.webhook_secret_hash) ? { webhookSecretHash: o.webhook_secret_hash } : {}),
  };
}
