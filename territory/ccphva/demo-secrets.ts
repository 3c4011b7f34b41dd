import { createHash } from "node:crypto";

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
  /** LANTERNE_SECRET_KEY of the demo: opens the LoRaWAN session keys sealed in lorawan-abp.yaml. */
  "secret-key": "demo-lanterne-secret-key",
} as const satisfies Readonly<Record<string, string>>;

/**
 * The demo's ABP session keys in clear, for the LoRaWAN simulator (a real device holds them in
 * its memory; the platform holds them only sealed, in lorawan-abp.yaml). Derived from the device
 * id so that they need no storage: `npx tsx territory/seal-demo-keys.ts` seals them again.
 */
export function demoAbpKeys(deviceId: string): { nwkSKey: Buffer; appSKey: Buffer } {
  const derive = (slot: string) =>
    createHash("sha256").update(`lanterne-demo:${slot}:${deviceId}`).digest().subarray(0, 16);
  return { nwkSKey: derive("nwk"), appSKey: derive("app") };
}
