import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform, type Platform } from "../../cli/platform.ts";
import { loadConfig } from "../../services/config.ts";
import { serveParent } from "../ipc.ts";
import { UsageMeter } from "../metrics.ts";
import { WriterProbe } from "./writer-probe.ts";

/**
 * The whole platform on the alerts benchmark's territory (LANTERNE_BENCH_TERRITORY), its listeners
 * on loopback ports chosen by the system, a temporary data folder (removed by the parent too, in
 * case closing outlasts its grace and the child is killed).
 *
 * With LANTERNE_BENCH_RULES=off the rule engine is closed as soon as the platform has started: it
 * then takes no batch and no tick (observe and tick return at once), which is what a platform
 * without rules would cost. The platform has no option for it; this is the nearest without one.
 */
const meter = new UsageMeter();
const dataDir = mkdtempSync(join(tmpdir(), "lanterne-bench-alerts-data-"));
const rulesOn = process.env.LANTERNE_BENCH_RULES !== "off";
let platform: Platform | undefined;
let durable = 0;
let lastDurableAt = 0;
const probe = new WriterProbe(() => platform?.writer);

async function start(): Promise<{
  mqttPort: number;
  apiUrl: string;
  pid: number;
  rulesOn: boolean;
  dataDir: string;
}> {
  const territoryDir = process.env.LANTERNE_BENCH_TERRITORY;
  if (!territoryDir) throw new Error("LANTERNE_BENCH_TERRITORY is not set");
  const config = loadConfig(
    {
      host: "127.0.0.1",
      mqttPort: 0,
      wsPort: 0,
      httpPort: 0,
      udpPort: 0,
      dataDir,
      territoryDir,
      logLevel: "error",
    },
    {},
  );
  const p = await createPlatform(config);
  const previous = p.writer.onDurable;
  p.writer.onDurable = (observations, seconds, refused) => {
    previous?.(observations, seconds, refused);
    if (observations.length === 0) return;
    durable += observations.length;
    lastDurableAt = Date.now();
  };
  await p.start();
  if (!rulesOn) await p.ruleEngine.close();
  platform = p;
  return { mqttPort: p.broker.port, apiUrl: p.apiUrl, pid: process.pid, rulesOn, dataDir };
}

function stats() {
  const p = platform;
  if (!p) throw new Error("platform not started");
  return {
    received: p.broker.stats.received,
    durable,
    lastDurableAt,
    quarantined: p.writer.stats.quarantined,
    writeFailures: p.writer.stats.failures,
    pending: p.writer.stats.pending,
    ...probe.read(),
    rules: { ...p.ruleEngine.stats, states: p.ruleEngine.size },
    usage: meter.read(),
  };
}

export type AlertsChildStats = ReturnType<typeof stats>;

/** Waits (at most `ms`) for the engine to have judged every batch handed to it. */
async function settle(ms: number): Promise<boolean> {
  const p = platform;
  if (!p) throw new Error("platform not started");
  const done = p.ruleEngine.idle().then(() => true);
  const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref());
  return Promise.race([done, late]);
}

serveParent(start(), {
  mark: () => {
    meter.mark();
    probe.mark();
  },
  stats,
  settle: (ms: number) => settle(ms),
  close: async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
});

process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
