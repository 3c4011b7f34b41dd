import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoCredentials } from "../../cli/demo.ts";
import { createPlatform, type Platform } from "../../cli/platform.ts";
import { loadConfig } from "../../services/config.ts";
import type { Clock } from "../../services/domain/clock.ts";
import { DEMO_FAULTS } from "../../simulator/faults.ts";
import { Simulator } from "../../simulator/simulator.ts";
import { DEMO_SECRETS, technician } from "../helpers/platform.ts";

/**
 * The demo's simulator against a real platform, ten times faster than real time: the platform's
 * clock and the simulator's models run on the same accelerated time, so the faults scripted for
 * the first minutes of `npm start` all open their alerts within half a minute of wall-clock time.
 */
const SPEED = 10;
const WALL_MS = 3000;

let platform: Platform;
let simulator: Simulator;
let dataDir: string;

beforeAll(async () => {
  process.env.LANTERNE_SECRET_KEY ??= DEMO_SECRETS["secret-key"];
  dataDir = mkdtempSync(join(tmpdir(), "lanterne-faults-"));
  const wall0 = Date.now();
  const clock: Clock = { now: () => wall0 + (Date.now() - wall0) * SPEED };
  const config = loadConfig(
    { host: "127.0.0.1", mqttPort: 0, wsPort: 0, httpPort: 0, udpPort: 0, dataDir, logLevel: "error" },
    {},
  );
  platform = await createPlatform(config, clock);
  await platform.start();
  const faulty = new Set(DEMO_FAULTS.map((e) => e.device));
  // The faulty devices, every sector meter and a few healthy neighbours: the whole fleet is not needed.
  const devices = platform.devices
    .list({})
    .filter(
      (d) => faulty.has(d.id) || d.domain === "water_flow" || /^(lum|pre|pav)-57038-00[6-9]$/.test(d.id),
    );
  simulator = new Simulator({
    url: `mqtt://127.0.0.1:${platform.broker.port}`,
    devices,
    credentials: demoCredentials(),
    faults: DEMO_FAULTS,
    speed: SPEED,
    startTime: wall0,
    qos: 1,
    intervalMs: {
      streetlight: WALL_MS,
      water_pressure: WALL_MS,
      waste_container: WALL_MS,
      water_flow: WALL_MS,
    },
  });
  simulator.start();
}, 30_000);

// Closing waits for the rollup pass over the published history (days of readings): about 30 s
// on an idle machine, several times that on a busy one; the bound only stops a hang.
afterAll(async () => {
  await simulator?.close();
  await platform?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 240_000);

interface AlertEntry {
  subject: string;
  rule: string;
}

async function openAlerts(): Promise<AlertEntry[]> {
  const res = await fetch(`${platform.apiUrl}/api/v1/alerts?limit=1000`, {
    headers: { authorization: technician },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: AlertEntry[] }).entries;
}

describe("the demo's scripted faults on a running platform", () => {
  it("open an alert for every scheduled fault, each on its device and rule", async () => {
    const expected = (simulator.plannedFaults?.entries ?? []).flatMap((e) =>
      e.rules.map((rule) => `${e.device} ${rule}`),
    );
    expect(expected.length).toBeGreaterThanOrEqual(DEMO_FAULTS.length);
    const latest = Math.max(...DEMO_FAULTS.map((e) => e.expectedByMs));
    const deadline = Date.now() + latest / SPEED + 25_000;
    let missing = expected;
    while (missing.length > 0 && Date.now() < deadline) {
      await platform.ruleEngine.tick();
      const seen = new Set((await openAlerts()).map((a) => `${a.subject} ${a.rule}`));
      missing = expected.filter((k) => !seen.has(k));
      if (missing.length > 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(missing).toEqual([]);
    expect(simulator.stats.errors).toBe(0);
  }, 60_000);

  it("leaves the healthy neighbours' sun, power and pressure rules quiet", async () => {
    const healthy = new Set(["lum-57038-0006", "pre-57038-006", "pre-57038-007"]);
    const rules = new Set([
      "ccphva-streetlight/lit-against-sun",
      "ccphva-streetlight/power-inconsistent",
      "ccphva-water-pressure/pressure-sudden-drop",
      "ccphva-water-pressure/pressure-transient",
      "ccphva-water-pressure/pressure-drift",
    ]);
    const noisy = (await openAlerts()).filter((a) => healthy.has(a.subject) && rules.has(a.rule));
    expect(noisy).toEqual([]);
  });
});
