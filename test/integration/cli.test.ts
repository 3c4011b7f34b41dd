import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createPlatform } from "../../cli/platform.ts";
import { loadConfig } from "../../services/config.ts";
import { createDuckdbStore } from "../../services/storage/duckdb-store.ts";

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "lanterne-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function lanterne(...args: string[]): Promise<{ code: number; out: string }> {
  return lanterneWith({}, ...args);
}

async function lanterneWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "cli/lanterne.ts", ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const BAD = `apiVersion: v3.1.0
kind: DataContract
id: broken
version: 1.0.0
status: active
domain: water
schema:
  - name: r
    properties:
      - name: level
        logicalType: decimal
customProperties:
  - property: validFrom
    value: "someday"
`;

describe("lanterne contracts validate", () => {
  it("accepts the demo contracts", async () => {
    const { code, out } = await lanterne(
      "contracts",
      "validate",
      "territory/ccphva/contracts/streetlight.yaml",
    );
    expect(code).toBe(0);
    expect(out).toContain("ok   territory/ccphva/contracts/streetlight.yaml: ccphva-streetlight@1.0.0");
  });

  it("lists every error of an invalid file and exits 1", async () => {
    const file = join(tmp, "broken.yaml");
    writeFileSync(file, BAD);
    const { code, out } = await lanterne("contracts", "validate", file);
    expect(code).toBe(1);
    for (const part of ["logicalType", "owner", "validFrom: unreadable date"]) expect(out).toContain(part);
  });

  it("prints its usage for an unknown command, with exit 2", async () => {
    const { code, out } = await lanterne("dance");
    expect(code).toBe(2);
    expect(out).toContain("usage:");
  });
});

describe("lanterne retention", () => {
  it("shows what each tier keeps and holds, and purges what the contracts no longer keep", async () => {
    const dataDir = join(tmp, "retention");
    const store = createDuckdbStore({ path: join(dataDir, "lanterne.duckdb") });
    await store.start();
    const lamp = (time: number) => ({
      deviceId: "lum-57038-0001",
      time,
      ownerId: "ccphva",
      domain: "streetlight",
      commune: "57038",
      operatorId: "lumiere-est",
      contract: "ccphva-streetlight@1.0.0",
      values: { active_power_w: 40 },
    });
    const year = 365 * 86_400_000;
    await store.write([lamp(Date.now() - 2 * year), lamp(Date.now() - 1000)]);
    await store.close();
    const env = { LANTERNE_DATA_DIR: dataDir };
    const before = await lanterneWith(env, "retention");
    expect(before.code).toBe(0);
    expect(before.out).toMatch(/raw\s+streetlight\s+ccphva-streetlight@1\.0\.0\s+1 year\s+2\s/);
    expect(before.out).toMatch(/daily\s+water_pressure\s+\(all versions\)\s+30 years/);
    const applied = await lanterneWith(env, "retention", "--apply");
    expect(applied.out).toContain("purged 1 rows");
    expect(applied.out).toMatch(/raw\s+streetlight\s+ccphva-streetlight@1\.0\.0\s+1 year\s+1\s/);
  });
});

describe("start with an invalid territory", () => {
  it("refuses to start when a contract file is invalid, listing its errors", async () => {
    const dir = join(tmp, "territory");
    cpSync("territory/ccphva", dir, { recursive: true });
    writeFileSync(join(dir, "contracts", "broken.yaml"), BAD);
    const config = loadConfig({ territoryDir: dir, dataDir: join(tmp, "data") }, {});
    await expect(createPlatform(config)).rejects.toMatchObject({
      code: "ERR_CONTRACT_FILE_INVALID",
      message: expect.stringMatching(/broken\.yaml[\s\S]*logicalType[\s\S]*validFrom/),
    });
  });

  it("refuses a configuration with every bad value listed", () => {
    expect(() => loadConfig({}, { LANTERNE_MQTT_PORT: "70000", LANTERNE_HIGH_WATER: "3" })).toThrow(
      /mqttPort[\s\S]*highWater/,
    );
  });
});
