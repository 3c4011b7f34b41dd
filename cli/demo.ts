import { Simulator } from "../simulator/simulator.ts";
import { DEMO_SECRETS } from "../territory/ccphva/demo-secrets.ts";
import type { Platform } from "./platform.ts";

/** The demo's clear-text credentials (the territory file holds only their hashes). */
export function demoCredentials(): Record<string, string> {
  return { ...DEMO_SECRETS };
}

/** The built-in simulator of `npm start`: the three operators publishing over real MQTT. */
export async function startDemoSimulator(platform: Platform): Promise<Simulator> {
  const simulator = new Simulator({
    url: `mqtt://${platform.config.host}:${platform.broker.port}`,
    devices: platform.devices.list({}),
    credentials: demoCredentials(),
    qos: 1,
    onError: (err) => process.stderr.write(`simulator: ${err.message}\n`),
  });
  simulator.start();
  return simulator;
}
