import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { createDuckdbStore } from "../../services/storage/duckdb-store.ts";
import { basic, connectOperator, DEMO_SECRETS, reading } from "../helpers/platform.ts";
import { freePort, killHard, startServeProcess, stopGracefully } from "../helpers/process.ts";

/**
 * Durability through the real `lanterne serve` process and its real database file: a hard kill,
 * a clean stop by SIGINT and SIGTERM on a new file (which once lost every reading), a session
 * long enough for the store to checkpoint by itself, and a stop in the middle of a QoS 1 flood.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Serve {
  env: Record<string, string>;
  mqttUrl: string;
  apiUrl: string;
  dbPath: string;
}

async function serveEnv(extra: Record<string, string> = {}): Promise<Serve> {
  const dataDir = mkdtempSync(join(tmpdir(), "lanterne-restart-"));
  dirs.push(dataDir);
  const [mqttPort, httpPort, wsPort] = [await freePort(), await freePort(), await freePort()];
  return {
    env: {
      LANTERNE_HOST: "127.0.0.1",
      LANTERNE_MQTT_PORT: String(mqttPort),
      LANTERNE_HTTP_PORT: String(httpPort),
      LANTERNE_WS_PORT: String(wsPort),
      LANTERNE_DATA_DIR: dataDir,
      ...extra,
    },
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    apiUrl: `http://127.0.0.1:${httpPort}`,
    dbPath: join(dataDir, "lanterne.duckdb"),
  };
}

const start = (s: Serve) => startServeProcess(s.env, `${s.apiUrl}/ready`);

/** Readings of one pressure sensor at distinct times from `first` on: each is one stored value. */
async function publishReadings(
  client: MqttClient,
  device: string,
  first: number,
  count: number,
): Promise<number> {
  const base = Date.now() - 3_600_000;
  let acked = 0;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      client
        .publishAsync(
          "lanterne/eaux-alzette/readings",
          JSON.stringify(
            reading(device, { pressure_bar: 2 }, new Date(base + (first + i) * 1000).toISOString()),
          ),
          { qos: 1 },
        )
        .then(() => acked++),
    ),
  );
  return acked;
}

async function storedValues(dbPath: string, device: string): Promise<number> {
  const store = createDuckdbStore({ path: dbPath });
  await store.start();
  try {
    return await store.countValues({ deviceIds: [device] });
  } finally {
    await store.close();
  }
}

describe("durability", () => {
  it("loses nothing acknowledged at QoS 1 when the process is killed hard", async () => {
    const s = await serveEnv();
    const child = await start(s);
    const client = await connectOperator(s.mqttUrl, "eaux-alzette");
    expect(await publishReadings(client, "pre-57041-001", 0, 300)).toBe(300);
    // No graceful shutdown: SIGKILL right after the last PUBACK.
    await killHard(child);
    client.end(true);
    expect(await storedValues(s.dbPath, "pre-57041-001")).toBe(300);
    // And the platform starts again on the same files.
    await killHard(await start(s));
  });

  it("keeps every reading of a new file through a clean stop by SIGINT, then by SIGTERM", async () => {
    const s = await serveEnv();
    const device = "pre-57041-002";
    let child = await start(s);
    let client = await connectOperator(s.mqttUrl, "eaux-alzette");
    expect(await publishReadings(client, device, 0, 300)).toBe(300);
    client.end(true);
    expect(await stopGracefully(child, "SIGINT")).toBe(0);

    child = await start(s);
    client = await connectOperator(s.mqttUrl, "eaux-alzette");
    expect(await publishReadings(client, device, 300, 200)).toBe(200);
    client.end(true);
    expect(await stopGracefully(child, "SIGTERM")).toBe(0);

    expect(await storedValues(s.dbPath, device)).toBe(500);
  });

  it("keeps every reading after the store checkpointed by itself during the session", async () => {
    // A 64 KiB log threshold makes DuckDB fold the log into the file many times in this session.
    const s = await serveEnv({ LANTERNE_DUCKDB_CHECKPOINT_KIB: "64" });
    const device = "pre-57041-003";
    const child = await start(s);
    const initialSize = statSync(s.dbPath).size;
    const auth = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
    const base = Date.now() - 86_400_000;
    const batches = 20;
    const perBatch = 500;
    for (let b = 0; b < batches; b++) {
      const readings = Array.from({ length: perBatch }, (_, i) =>
        reading(
          device,
          { pressure_bar: 2 + i / 1000 },
          new Date(base + (b * perBatch + i) * 1000).toISOString(),
        ),
      );
      const res = await fetch(`${s.apiUrl}/api/v1/readings`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ readings }),
      });
      expect(((await res.json()) as { accepted: number }).accepted).toBe(perBatch);
    }
    // Checkpoints wrote the readings into the file itself while the platform ran.
    expect(statSync(s.dbPath).size).toBeGreaterThan(initialSize);
    expect(await stopGracefully(child, "SIGINT")).toBe(0);
    expect(await storedValues(s.dbPath, device)).toBe(batches * perBatch);
  });

  it("keeps every acknowledged reading when stopped during a flood of QoS 1 messages", async () => {
    const s = await serveEnv();
    const devices = ["pre-57041-004", "pre-57041-005", "pre-57041-006"];
    const child = await start(s);
    const acked = new Map(devices.map((d) => [d, 0]));
    const base = Date.now() - 7_200_000;
    const perDevice = 3000;
    const floods = await Promise.all(
      devices.map(async (device, k) => {
        const client = await connectOperator(s.mqttUrl, "eaux-alzette", {
          clientId: `eaux-alzette-flood-${k}`,
        });
        client.on("error", () => {});
        const sends = Array.from({ length: perDevice }, (_, i) =>
          client
            .publishAsync(
              "lanterne/eaux-alzette/readings",
              JSON.stringify(reading(device, { pressure_bar: 3 }, new Date(base + i * 1000).toISOString())),
              { qos: 1 },
            )
            .then(
              () => acked.set(device, (acked.get(device) ?? 0) + 1),
              () => undefined,
            ),
        );
        return { client, sends };
      }),
    );
    // Stop once the flood is under way, whatever has been acknowledged by then.
    while ([...acked.values()].reduce((a, b) => a + b, 0) < 500) await new Promise((r) => setTimeout(r, 10));
    const exit = stopGracefully(child, "SIGTERM");
    for (const f of floods) f.client.end(true);
    await Promise.all(floods.flatMap((f) => f.sends));
    expect(await exit).toBe(0);
    for (const device of devices) {
      const stored = await storedValues(s.dbPath, device);
      expect(stored).toBeGreaterThanOrEqual(acked.get(device) ?? 0);
    }
  });
});
