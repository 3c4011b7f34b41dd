import type { SchemaProblem } from "./schema-errors.ts";
import type { IntegrationDoc } from "./territory-schema.ts";

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
 *
 * Their shape is checked by the territory's schema (territory-schema.ts); what is left here is
 * turning them into the platform's terms and checking what refers to the rest of the file.
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

/** An integration whose keys passed the schema (territory-schema.ts). */
export function integrationOf(o: IntegrationDoc): IntegrationConfig {
  return {
    id: o.id,
    kind: o.kind,
    operatorId: o.operator,
    ...(o.url !== undefined ? { url: o.url } : {}),
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password_env !== undefined ? { passwordEnv: o.password_env } : {}),
    ...(o.applications !== undefined && o.applications.length > 0 ? { applications: o.applications } : {}),
    ...(o.webhook_secret_hash !== undefined ? { webhookSecretHash: o.webhook_secret_hash } : {}),
  };
}

/** What the schema cannot say: the operator must exist, ChirpStack is followed at its URL. */
export function integrationProblems(
  o: IntegrationDoc,
  at: string,
  operators: ReadonlySet<string>,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (!operators.has(o.operator)) {
    const known = [...operators].join(", ") || "none";
    problems.push({
      path: `${at}/operator`,
      message: `must be one of the operators (${known}), got "${o.operator}"`,
    });
  }
  if (o.kind === "chirpstack" && o.url === undefined) {
    problems.push({
      path: `${at}/url`,
      message: "is missing: a chirpstack integration is followed at its broker",
    });
  }
  return problems;
}
