import mqtt, { type MqttClient } from "mqtt";
import { findMosquitto, type Mosquitto, startMosquitto } from "../../test/helpers/mosquitto.ts";
import { serveParent } from "../ipc.ts";

/**
 * ChirpStack's own broker for the ChirpStack path: Debian's Mosquitto, configured as Lanterne's
 * README asks (no cap on messages in flight or queued for the persistent session), on a free
 * loopback port. `received` counts the PUBLISH packets it took in, from its `$SYS` tree.
 */
let broker: Mosquitto | undefined;
let sys: MqttClient | undefined;
let received = 0;
let lastAt = 0;
let waiters: Array<() => void> = [];

async function start(): Promise<{ port: number; pid: number }> {
  const binary = findMosquitto();
  if (!binary) throw new Error("mosquitto not found (apt-get install mosquitto)");
  broker = await startMosquitto(binary, [
    "max_inflight_messages 0",
    "max_queued_messages 0",
    "sys_interval 1",
  ]);
  sys = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5_000 });
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
  return { port: broker.port, pid: broker.pid };
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
process.on("exit", () => {
  try {
    if (broker?.pid) process.kill(broker.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
});

serveParent(start(), {
  mark: () => undefined,
  stats: () => fresh(),
  close: async () => {
    await sys?.endAsync(true);
    await broker?.stop();
    broker = undefined;
  },
});
