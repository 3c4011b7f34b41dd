import { execFile } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  admin,
  basic,
  DEMO_SECRETS,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The access log on the real platform: a technician's and an operator's reads of data that is
 * not public are logged with who, role, what and from where; public reads and refused requests
 * are not; an administrator reads the log and its verdict; the command line names the first
 * altered entry of a copy.
 */
let t: TestPlatform;
const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), "lanterne-access-cli-"));
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);

interface Entry {
  seq: number;
  who: string;
  role: string;
  action: string;
  what: string;
  from: string;
  status: number;
  hash: string;
}

async function entries(): Promise<Entry[]> {
  const res = await fetch(`${t.apiUrl}/api/v1/access-log?limit=100`, { headers: { authorization: admin } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: Entry[] }).entries;
}

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("the access log", () => {
  it("logs each read of data that is not public, with who, role, what and from where", async () => {
    await fetch(`${t.apiUrl}/api/v1/devices/lum-57038-0001`, { headers: { authorization: technician } });
    await fetch(`${t.apiUrl}/api/v1/quarantine?limit=5`, { headers: { authorization: lumiere } });
    await fetch(`${t.apiUrl}/api/v1/territory`);
    await fetch(`${t.apiUrl}/api/v1/devices/lum-57038-0001`);
    await fetch(`${t.apiUrl}/api/v1/devices/lum-57038-0001`, {
      headers: { authorization: lumiere.replace(/.{4}$/, "AAAA") },
    });
    const logged = await entries();
    expect(logged.find((e) => e.what === "GET /api/v1/devices/lum-57038-0001")).toMatchObject({
      who: "technicien",
      role: "technician",
      action: "read",
      from: "127.0.0.1",
      status: 200,
    });
    expect(logged.find((e) => e.what === "GET /api/v1/quarantine?limit=5")).toMatchObject({
      who: "lumiere-est",
      role: "operator",
    });
    expect(logged.some((e) => e.what.startsWith("GET /api/v1/territory"))).toBe(false);
    expect(logged.filter((e) => e.what === "GET /api/v1/devices/lum-57038-0001")).toHaveLength(1);
  });

  it("marks a read of personal data with the personal fields it showed, for administrators only", async () => {
    // The demo collects no personal field: a territory whose streetlight contract states a purpose.
    const territoryDir = join(tmp, "territory");
    cpSync("territory/ccphva", territoryDir, { recursive: true });
    const contract = join(territoryDir, "contracts/streetlight.yaml");
    const text = readFileSync(contract, "utf8");
    const purposed = text.replace(
      /- property: personalDataPurposes\n(\s+)value: \{\}/,
      "- property: personalDataPurposes\n$1value: { presence_count: Dimensionner l'éclairage à la fréquentation. }",
    );
    expect(purposed).not.toBe(text);
    writeFileSync(contract, purposed);
    const p = await startTestPlatform({ territoryDir });
    try {
      const time = new Date(Date.now() - 5_000).toISOString();
      const res = await fetch(`${p.apiUrl}/api/v1/readings`, {
        method: "POST",
        headers: { authorization: lumiere, "content-type": "application/json" },
        body: JSON.stringify({
          readings: [
            { device: "lum-57038-0007", time, data: { power_state: "on", status: "ok", presence_count: 12 } },
          ],
        }),
      });
      expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
      const path = "/api/v1/devices/lum-57038-0007";
      await fetch(`${p.apiUrl}${path}`, { headers: { authorization: admin } });
      await fetch(`${p.apiUrl}${path}`, { headers: { authorization: technician } });
      await fetch(`${p.apiUrl}${path}/series?from=${time}`, { headers: { authorization: admin } });
      const res2 = await fetch(`${p.apiUrl}/api/v1/access-log?limit=100`, {
        headers: { authorization: admin },
      });
      const logged = ((await res2.json()) as { entries: (Entry & { personal?: string[] })[] }).entries;
      const reads = logged.filter((e) => e.what.startsWith(`GET ${path}`)).map((e) => [e.role, e.personal]);
      expect(reads).toEqual(
        [
          ["admin", ["presence_count"]],
          ["technician", undefined],
          ["admin", ["presence_count"]],
        ].reverse(),
      );
      const verdict = await (
        await fetch(`${p.apiUrl}/api/v1/access-log/verify`, { headers: { authorization: admin } })
      ).json();
      expect(verdict).toMatchObject({ ok: true });
    } finally {
      await p.close();
    }
  });

  it("reads back as an intact chain, and the command line names the first altered entry of a copy", async () => {
    const verdict = await (
      await fetch(`${t.apiUrl}/api/v1/access-log/verify`, { headers: { authorization: admin } })
    ).json();
    expect(verdict).toMatchObject({ ok: true });
    expect(
      (await fetch(`${t.apiUrl}/api/v1/access-log`, { headers: { authorization: technician } })).status,
    ).toBe(403);
    await t.platform.accessLog.flush();
    const copy = join(tmp, "copy.ndjson");
    copyFileSync(t.platform.accessLog.path, copy);
    const cli = (args: string[]) =>
      run(process.execPath, ["--import", "tsx", "cli/lanterne.ts", "access-log", ...args], {
        cwd: process.cwd(),
      }).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          out: e.stdout,
          err: e.stderr,
        }),
      );
    const intact = await cli(["verify", "--file", copy]);
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(/chain intact/);
    const lines = readFileSync(copy, "utf8").trimEnd().split("\n");
    lines[0] = (lines[0] as string).replace('"technicien"', '"quelquun"');
    writeFileSync(copy, `${lines.join("\n")}\n`);
    const broken = await cli(["verify", "--file", copy]);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/broken at entry 1/);
  }, 60_000);
});
