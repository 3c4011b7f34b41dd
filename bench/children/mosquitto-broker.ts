import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { serveParent } from "../ipc.ts";
import { findMosquitto } from "../mosquitto.ts";

/**
 * ChirpStack's own broker for the ChirpStack path: Debian's Mosquitto, configured as Lanterne's
 * README asks (no cap on messages in flight or queued for the persistent session), on a free
 * loopback port. `received` counts the PUBLISH packets it took in, from its `$SYS` tree.
 */
let child: ChildProcess | undefined;
let sys: MqttClient | undefined;
let dir = "";
let received = 0;
let lastAt = 0;
let waiters: Array<() => void> = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      server.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function start(): Promise<{ port: number; pid: number }> {
  const binary = findMosquitto();
  if (!binary) throw new Error("mosquitto not found (apt-get install mosquitto)");
  dir = mkdtempSync(join(tmpdir(), "lanterne-bench-mosquitto-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "max_inflight_messages 0",
      "max_queued_messages 0",
      "sys_interval 1",
      "",
    ].join("\n"),
  );
  child = spawn(binary, ["-c", conf], { stdio: ["ignore", "ignore", "inherit"] });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      sys = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        reconnectPeriod: 0,
        connectTimeout: 1_000,
      });
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  sys.on("message", (_topic, payload) => {
    const n = Number(payload.toString());
    if (Number.isFinite(n)) {
      if (n !== received) lastAt = Date.now();
      received = n;
    }
    for (const w of waiters) w();
    waiters = [];
  });
  await sys.subscribeAsync("$SYS/broker/publish/messages/received");
  return { port, pid: child.pid ?? 0 };
}

/** The count as of the next `$SYS` update (every second), so that it covers what came before the call. */
function fresh(): Promise<{ received: number; lastAt: number }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ received, lastAt }), 2_500);
    waiters.push(() => {
      clearTimeout(timer);
      resolve({ received, lastAt });
    });
  });
}

// Mosquitto is this process's child: it goes with it, however it ends.
process.on("exit", () => child?.kill("SIGKILL"));

serveParent(start(), {
  mark: () => undefined,
  stats: () => fresh(),
  close: async () => {
    await sys?.endAsync(true);
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  },
});
