import type { Pipeline } from "../gateway/pipeline/pipeline.ts";
import { ChirpstackSource } from "../gateway/sources/chirpstack.ts";
import type { UplinkDecoder, UplinkSink } from "../gateway/sources/lorawan-uplink.ts";
import { TtsSource } from "../gateway/sources/tts.ts";
import type { Webhook } from "../services/api/routes/integrations.ts";
import type { Clock } from "../services/domain/clock.ts";
import { ConfigInvalidError } from "../services/domain/errors.ts";
import type { Logger } from "../services/domain/logger.ts";
import type { Device } from "../services/domain/types.ts";
import type { DeviceIndex } from "../services/inventory/device-index.ts";
import type { IntegrationConfig } from "../services/inventory/integrations.ts";

/** The network server integrations of a territory, built from `territory.yaml` (integrations:). */
export interface Integrations {
  sources: (ChirpstackSource | TtsSource)[];
  webhooks: Map<string, Webhook>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createIntegrations(
  configs: readonly IntegrationConfig[],
  deps: {
    devices: DeviceIndex;
    pipeline: Pipeline;
    clock: Clock;
    decoder: UplinkDecoder;
    env: NodeJS.ProcessEnv;
    log?: Logger;
  },
): Integrations {
  const byEui = devicesByEui(deps.devices.list());
  const sink: UplinkSink = {
    limits: deps.pipeline.limits,
    deviceByEui: (eui) => byEui.get(eui.toLowerCase()),
    decoder: deps.decoder,
    ingestItems: (uplink, items) => deps.pipeline.ingestItems(uplink, items),
    refuse: (uplink, reason) => deps.pipeline.refuse(uplink, reason),
    now: () => deps.clock.now(),
  };
  const sources: (ChirpstackSource | TtsSource)[] = [];
  const webhooks = new Map<string, Webhook>();
  for (const c of configs) {
    const password = passwordOf(c, deps.env);
    const auth = { ...(c.username ? { username: c.username } : {}), ...(password ? { password } : {}) };
    if (c.kind === "chirpstack") {
      const log = deps.log?.child({ integration: c.id });
      const cs = { id: c.id, operatorId: c.operatorId, url: c.url ?? "", ...auth, ...(log ? { log } : {}) };
      sources.push(new ChirpstackSource(c.applications ? { ...cs, applications: c.applications } : cs, sink));
      continue;
    }
    const tts = new TtsSource(
      { id: c.id, operatorId: c.operatorId, ...(c.url ? { url: c.url } : {}), ...auth },
      sink,
    );
    sources.push(tts);
    if (c.webhookSecretHash)
      webhooks.set(c.id, { secretHash: c.webhookSecretHash, receive: (body) => tts.webhook(body) });
  }
  return {
    sources,
    webhooks,
    async start() {
      await Promise.all(sources.map((s) => s.start()));
    },
    async close() {
      await Promise.all(sources.map((s) => s.close()));
    },
  };
}

/** Devices by their LoRaWAN DevEUI (inventory column `dev_eui`); a DevEUI used twice is refused. */
export function devicesByEui(devices: readonly Device[]): Map<string, Device> {
  const byEui = new Map<string, Device>();
  const twice: string[] = [];
  for (const d of devices) {
    const eui = d.attributes.dev_eui;
    if (eui === undefined) continue;
    const key = String(eui).toLowerCase();
    if (byEui.has(key)) twice.push(`${key} (${byEui.get(key)?.id}, ${d.id})`);
    byEui.set(key, d);
  }
  if (twice.length > 0)
    throw new ConfigInvalidError(`  - inventory: a DevEUI names two devices: ${twice.join(", ")}`);
  return byEui;
}

function passwordOf(c: IntegrationConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (!c.passwordEnv) return undefined;
  const value = env[c.passwordEnv];
  if (value === undefined || value === "")
    throw new ConfigInvalidError(
      `  - integrations ${c.id}: environment variable ${c.passwordEnv} is not set`,
    );
  return value;
}
