import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ConfigInvalidError } from "../../services/domain/errors.ts";
import { masterKeyFrom } from "./sealed-key.ts";

/**
 * Configuration of a Semtech UDP listener and of the ABP devices behind it. Validated once at
 * start, every error listed. The device keys in here are sealed (`v1:...`, see sealed-key.ts);
 * the master key that opens them comes from the environment, never from this file.
 */
const Hex = (chars: number, description: string) =>
  Type.String({ pattern: `^[0-9a-fA-F]{${chars}}$`, description });

export const GatewaySchema = Type.Object({
  eui: Hex(16, "gateway EUI as the packet forwarder sends it (bytes 4-11 of PUSH_DATA), 16 hex characters"),
  name: Type.String({ minLength: 1, description: "name shown to technicians" }),
});
export type GatewayConfig = Static<typeof GatewaySchema>;

export const AbpDeviceSchema = Type.Object({
  deviceId: Type.String({ minLength: 1, description: "inventory id of the device" }),
  devAddr: Hex(8, "DevAddr, big-endian as printed on labels"),
  nwkSKey: Type.String({
    pattern: "^v1:",
    description: "NwkSKey sealed with sealKey (context lorawan-abp:<devaddr>:nwk)",
  }),
  appSKey: Type.String({
    pattern: "^v1:",
    description: "AppSKey sealed with sealKey (context lorawan-abp:<devaddr>:app)",
  }),
  fCntUp: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 0xffff_ffff, description: "last accepted 32-bit uplink counter" }),
  ),
});

export const SemtechUdpConfigSchema = Type.Object({
  id: Type.String({ default: "semtech-udp", description: "names the listener in quarantine and stats" }),
  host: Type.String({ default: "0.0.0.0", description: "address the UDP socket binds to" }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 1700, description: "UDP port (1700 by custom)" }),
  gateways: Type.Array(GatewaySchema, {
    description: "the only gateways accepted: GWMP has no authentication",
  }),
  dedupWindowMs: Type.Integer({
    minimum: 0,
    maximum: 60_000,
    default: 10_000,
    description:
      "how long after a frame's first copy, handled at once, copies from other gateways join it (no wait)",
  }),
  maxPendingUplinks: Type.Integer({
    minimum: 1,
    default: 100_000,
    description: "frames remembered to recognise their copies (the oldest are forgotten first)",
  }),
});
export type SemtechUdpConfig = Static<typeof SemtechUdpConfigSchema>;

/** Applies defaults and validates; throws one ConfigInvalidError listing every problem. */
export function loadSemtechUdpConfig(raw: unknown): SemtechUdpConfig {
  const merged = Value.Default(SemtechUdpConfigSchema, structuredClone(raw ?? {}));
  const errors = [...Value.Errors(SemtechUdpConfigSchema, merged)].map(
    (e) => `  - ${e.path || "/"}: ${e.message}`,
  );
  if (errors.length > 0) throw new ConfigInvalidError(errors.join("\n"));
  const config = merged as SemtechUdpConfig;
  return { ...config, gateways: config.gateways.map((g) => ({ ...g, eui: g.eui.toLowerCase() })) };
}

/** The ABP devices of a listener (sealed keys); open them with `openSessions`. */
export function loadAbpDevices(raw: unknown): Static<typeof AbpDeviceSchema>[] {
  const schema = Type.Array(AbpDeviceSchema);
  const errors = [...Value.Errors(schema, raw)].map((e) => `  - devices${e.path}: ${e.message}`);
  if (errors.length > 0) throw new ConfigInvalidError(errors.join("\n"));
  return raw as Static<typeof AbpDeviceSchema>[];
}

export const MASTER_KEY_ENV = "LANTERNE_SECRET_KEY";

/** LANTERNE_SECRET_KEY: 64 hex characters (the key) or a passphrase (stretched with scrypt). */
export function masterKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  const secret = env[MASTER_KEY_ENV];
  if (secret === undefined || secret === "") {
    throw new ConfigInvalidError(`  - ${MASTER_KEY_ENV} is not set: LoRaWAN session keys cannot be opened`);
  }
  return masterKeyFrom(secret);
}
