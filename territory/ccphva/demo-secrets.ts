/**
 * The demo's credentials, in clear on purpose: the demo prints them on start so that anyone can
 * try the operator and API paths. `territory.yaml` holds only their scrypt hashes, as a real
 * territory file would. Never reuse these for a real deployment.
 * Keys are operator ids (MQTT/HTTP username = id) and API user ids.
 */
export const DEMO_SECRETS = {
  "lumiere-est": "demo-lumiere-est",
  "eaux-alzette": "demo-eaux-alzette",
  "collecte-nord": "demo-collecte-nord",
  admin: "demo-admin-token",
  technicien: "demo-technicien-token",
  /** The Things Stack webhook's shared secret (integration tts-collecte). */
  "tts-collecte": "demo-tts-collecte-webhook",
} as const satisfies Readonly<Record<string, string>>;
