import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDuckdbStore } from "../../services/storage/duckdb-store.ts";
import { connectOperator, reading } from "../helpers/platform.ts";
import { freePort, killHard, startServeProcess } from "../helpers/process.ts";

const dataDir = mkdtempSync(join(tmpdir(), "lanterne-restart-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("durability", () => {
  it("loses nothing acknowledged at QoS 1 when the process is killed hard", async () => {
    const [mqttPort, httpPort, wsPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      LANTERNE_HOST: "127.0.0.1",
      LANTERNE_MQTT_PORT: String(mqttPort),
      LANTERNE_HTTP_PORT: String(httpPort),
      LANTERNE_WS_PORT: String(wsPort),
      LANTERNE_DATA_DIR: dataDir,
    };
    const child = await startServeProcess(env, `http://127.0.0.1:${httpPort}/ready`);
    const client = await connectOperator(`mqtt://127.0.0.1:${mqttPort}`, "eaux-alzette");
    const base = Date.now() - 3_600_000;
    const messages = 300;
    let acked = 0;
    const sends = Array.from({ length: messages }, (_, i) => {
      const r = reading(
        "pre-57041-001",
        { pressure_bar: 2 + i / 1000 },
        new Date(base + i * 1000).toISOString(),
      );
      return client
        .publishAsync("lanterne/eaux-alzette/readings", JSON.stringify(r), { qos: 1 })
        .then(() => acked++);
    });
    await Promise.all(sends);
    expect(acked).toBe(messages);
    // No graceful shutdown: SIGKILL right after the last PUBACK.
    await killHard(child);
    client.end(true);

    const store = createDuckdbStore({ path: join(dataDir, "lanterne.duckdb") });
    await store.start();
    expect(await store.countValues({ deviceIds: ["pre-57041-001"] })).toBe(messages);
    await store.close();

    // And the platform starts again on the same files.
    const again = await startServeProcess(env, `http://127.0.0.1:${httpPort}/ready`);
    await killHard(again);
  });
});
