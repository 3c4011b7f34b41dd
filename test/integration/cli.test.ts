import { execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createPlatform } from "../../cli/platform.ts";
import { openSessions } from "../../gateway/lorawan/session.ts";
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
    // The official ODCS schema speaks first, with the JSON path of the value.
    expect(out).toContain(
      `FAIL ${file}:\n  - /schema/0/properties/0/logicalType: must be equal to one of the allowed values (`,
    );
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

describe("lanterne lorawan seal", () => {
  function sealWith(input: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "cli/lanterne.ts", "lorawan", "seal", ...args],
        {
          env: { ...process.env, LANTERNE_SECRET_KEY: "5a".repeat(32) },
        },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
      child.stdin.end(input);
    });
  }

  it("seals an ABP device's keys read from standard input, openable with the master key", async () => {
    const nwk = "2b7e151628aed2a6abf7158809cf4f3c";
    const app = "3c4fcf098815f7aba6d2ae2816157e2b";
    const { code, out } = await sealWith(
      `${nwk}\n${app}\n`,
      "--device",
      "pav-54521-001",
      "--dev-addr",
      "26011BDA",
    );
    expect(code).toBe(0);
    expect(out).not.toContain(nwk);
    const sessions = openSessions(parseYaml(out), Buffer.from("5a".repeat(32), "hex"));
    const [session] = sessions.candidates("26011bda");
    expect(session?.useKeys((k) => [k.nwkSKey.toString("hex"), k.appSKey.toString("hex")])).toEqual([
      nwk,
      app,
    ]);
  });

  it("refuses malformed keys and arguments, listing each", async () => {
    const { code, err } = await sealWith("xyz\n", "--dev-addr", "123");
    expect(code).toBe(2);
    for (const part of ["--device", "--dev-addr", "NwkSKey", "AppSKey"]) expect(err).toContain(part);
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

  it("refuses to start when territory.yaml has an unknown key, naming it", async () => {
    const dir = join(tmp, "territory-typo");
    cpSync("territory/ccphva", dir, { recursive: true });
    const yamlPath = join(dir, "territory.yaml");
    writeFileSync(yamlPath, readFileSync(yamlPath, "utf8").replace("epci:", "epic:"));
    const config = loadConfig({ territoryDir: dir, dataDir: join(tmp, "data-typo") }, {});
    await expect(createPlatform(config)).rejects.toMatchObject({
      code: "ERR_TERRITORY_INVALID",
      message: expect.stringContaining("  - /epic: unknown key (a typo?)"),
    });
  });

  it("refuses a configuration with every bad value listed", () => {
    expect(() => loadConfig({}, { LANTERNE_MQTT_PORT: "70000", LANTERNE_HIGH_WATER: "3" })).toThrow(
      /mqttPort[\s\S]*highWater/,
    );
  });
});
