import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDuckdbStore } from "../../services/storage/duckdb-store.ts";
import { basic, DEMO_SECRETS, eventually } from "../helpers/platform.ts";
import { freePort, killHard, startServeProcess } from "../helpers/process.ts";

/**
 * A store that fails says so: the real `lanterne serve` on a real file in a small tmpfs, filled
 * until the free space falls under the reserve (LANTERNE_MIN_FREE_MIB). The platform must stop
 * being ready, stop acknowledging, and exit with status 75 for its supervisor; every reading it
 * acknowledged before is in the file afterwards (without the reserve, DuckDB running out of room
 * inside its log dropped acknowledged commits at the next start). Mounting a tmpfs needs root,
 * which CI and the test set-up have.
 */
const mountPoint = mkdtempSync(join(tmpdir(), "lanterne-full-"));
const mounted = tryMount(mountPoint, "3m");
if (!mounted) {
  const why = "store-failure.test.ts: cannot mount a tmpfs (needs root): the full-disk test is skipped";
  if (process.env.CI === "true") throw new Error(why);
  console.warn(`\n!!! ${why}\n`);
}
afterAll(() => {
  if (mounted) execFileSync("umount", ["-l", mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!mounted)("a store that fails", () => {
  it("makes the platform not ready, refuses new writes, exits 75, and keeps what it acknowledged", async () => {
    const [mqttPort, httpPort, wsPort] = [await freePort(), await freePort(), await freePort()];
    const api = `http://127.0.0.1:${httpPort}`;
    const dataDir = join(mountPoint, "data");
    const child = await startServeProcess(
      {
        LANTERNE_HOST: "127.0.0.1",
        LANTERNE_MQTT_PORT: String(mqttPort),
        LANTERNE_HTTP_PORT: String(httpPort),
        LANTERNE_WS_PORT: String(wsPort),
        LANTERNE_DATA_DIR: dataDir,
        LANTERNE_STORE_FAILURE_EXIT_S: "10",
        LANTERNE_MIN_FREE_MIB: "1",
      },
      `${api}/ready`,
    );
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const auth = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
      const base = Date.now() - 86_400_000;
      let acknowledged = 0;
      // Random values compress badly: the disk fills within a few hundred batches.
      for (let b = 0; b < 400; b++) {
        const readings = Array.from({ length: 1000 }, (_, i) => ({
          device: "pre-57041-001",
          time: base + (b * 1000 + i) * 1000,
          data: { pressure_bar: Math.random() * 10 },
        }));
        const res = await fetch(`${api}/api/v1/readings`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json" },
          body: JSON.stringify({ readings }),
          signal: AbortSignal.timeout(4000),
        }).catch(() => undefined);
        if (res?.status !== 200) break;
        acknowledged += 1000;
      }
      expect(acknowledged).toBeGreaterThan(0);

      const ready = await eventually(async () => {
        const res = await fetch(`${api}/ready`).catch(() => undefined);
        return res?.status === 503 ? ((await res.json()) as { checks: Record<string, boolean> }) : undefined;
      }, 20_000);
      expect(ready.checks.store).toBe(false);
      const refused = await fetch(`${api}/api/v1/readings`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ device: "pre-57041-001", data: { pressure_bar: 2 } }),
      });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { code: string }).code).toBe("ERR_STORE_UNAVAILABLE");

      expect(await exited).toBe(75);
      expect(stderr).toMatch(/not ready: .*under the reserve of 1\.0 MiB/);

      // Room again (as after an operator frees the disk): every acknowledged reading is there.
      execFileSync("mount", ["-o", "remount,size=64m", mountPoint]);
      const store = createDuckdbStore({ path: join(dataDir, "lanterne.duckdb") });
      await store.start();
      expect(await store.countValues({ deviceIds: ["pre-57041-001"] })).toBeGreaterThanOrEqual(acknowledged);
      await store.close();
    } finally {
      await killHard(child);
    }
  }, 90_000);
});
