import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProcessingRegister } from "../../services/clauses/processing-register.ts";
import type { SobrietyReport } from "../../services/clauses/sobriety.ts";
import {
  admin,
  basic,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The registers of the data clauses on the real platform: the processing register lists the demo's
 * personal field (the lamp posts' presence counts) for staff, in JSON and CSV, and is refused to an
 * operator; the sobriety report counts the readings an operator sent this year and the values
 * refused as not needed; `lanterne report sobriety` reads the same from the stopped platform's files.
 */
const run = promisify(execFile);
const YEAR = new Date().getUTCFullYear();
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const LAMPS = ["lum-57038-0001", "lum-57038-0002", "lum-57038-0003"];
let t: TestPlatform;
let closed = false;

async function get(path: string, auth?: string) {
  const res = await fetch(`${t.apiUrl}${path}`, auth ? { headers: { authorization: auth } } : {});
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

async function sobriety(): Promise<SobrietyReport> {
  const res = await get(`/api/v1/reports/sobriety?year=${YEAR}`, technician);
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as SobrietyReport;
}

async function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, ["--import", "tsx", "cli/lanterne.ts", ...args], {
    env: { ...process.env, LANTERNE_LOG_LEVEL: "error", ...env },
    timeout: 120_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

beforeAll(async () => {
  t = await startTestPlatform();
  const time = new Date(Date.now() - 60_000).toISOString();
  const readings = LAMPS.map((device) =>
    // presence_count is personal without a stated purpose; colour is not in the contract: both dropped.
    reading(device, { power_state: "on", status: "ok", presence_count: 3, colour: "blue" }, time),
  );
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    headers: { authorization: lumiere, "content-type": "application/json" },
    body: JSON.stringify({ readings }),
  });
  expect(res.status).toBeLessThan(300);
  await t.platform.deliveries.flush();
}, 120_000);

afterAll(async () => {
  if (!closed) await t.close();
  else rmSync(t.dataDir, { recursive: true, force: true });
});

describe("the personal-data processing register", () => {
  it("lists the demo's personal fields for administrators and technicians", async () => {
    for (const auth of [admin, technician]) {
      const res = await get("/api/v1/personal-data/register", auth);
      expect(res.status).toBe(200);
      const register = JSON.parse(res.text) as ProcessingRegister;
      expect(register.controller.id).toBe("ccphva");
      const entry = register.entries.find((e) => e.contractId === "ccphva-streetlight");
      expect(entry).toMatchObject({
        field: "presence_count",
        collected: false,
        purpose: null,
        legalBasisIsDefault: true,
        recipients: ["admin"],
        openData: false,
        hostingLocation: "FR",
        transfersOutsideEu: "aucun",
        versions: ["1.0.0"],
      });
    }
  });

  it("is offered as CSV", async () => {
    const res = await get("/api/v1/personal-data/register?format=csv", admin);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^contrat,nom_contrat,domaine,versions,champ,/);
    expect(lines.some((l) => l.startsWith("ccphva-streetlight,") && l.includes(",presence_count,"))).toBe(
      true,
    );
  });

  it("is refused to an operator (403) and to nobody (401)", async () => {
    expect((await get("/api/v1/personal-data/register", lumiere)).status).toBe(403);
    expect((await get("/api/v1/personal-data/register")).status).toBe(401);
  });
});

describe("the sobriety report", () => {
  it("counts this year's readings and the values refused as not needed", async () => {
    const report = await eventually(async () => {
      const r = await sobriety();
      const lamp = r.contracts.find((c) => c.contractId === "ccphva-streetlight");
      if ((lamp?.readings.total ?? 0) < LAMPS.length || (lamp?.refused.unknownFields ?? 0) < LAMPS.length) {
        return false;
      }
      return r;
    });
    expect(report.year).toBe(YEAR);
    const lamp = report.contracts.find((c) => c.contractId === "ccphva-streetlight");
    expect(lamp?.readings.total).toBe(LAMPS.length);
    expect(lamp?.readings.byMonth[new Date().getUTCMonth()]).toBe(LAMPS.length);
    expect(lamp?.refused).toEqual({ unknownFields: LAMPS.length, personalWithoutPurpose: LAMPS.length });
    expect(lamp?.stored.rawValuesOfYear).toBe(LAMPS.length * 2);
    expect(lamp?.retention[0]?.rawDays).toBe(365);
    expect(lamp?.hostingLocation).toBe("FR");
    expect(report.footprint.timeSeriesMeasuredHere).toBe(true);
    expect(report.footprint.files.map((f) => f.name)).toEqual(
      expect.arrayContaining(["lanterne.duckdb", "clauses.duckdb", "alerts.duckdb"]),
    );
    expect(report.deletionsRecorded).toBe(false);
  });

  it("is for staff only, for a year that makes sense", async () => {
    expect((await get(`/api/v1/reports/sobriety?year=${YEAR}`, lumiere)).status).toBe(403);
    expect((await get(`/api/v1/reports/sobriety?year=${YEAR}`)).status).toBe(401);
    expect((await get("/api/v1/reports/sobriety?year=abc", admin)).status).toBe(400);
    expect((await get(`/api/v1/reports/sobriety?year=${YEAR + 5}`, admin)).status).toBe(400);
  });

  it("is printed by `lanterne report sobriety` from the stopped platform's files", async () => {
    await t.platform.close();
    closed = true;
    const env = { LANTERNE_DATA_DIR: t.dataDir };
    const json = await cli(["report", "sobriety", "--year", String(YEAR), "--format", "json"], env);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as SobrietyReport;
    const lamp = report.contracts.find((c) => c.contractId === "ccphva-streetlight");
    expect(lamp?.readings.total).toBe(LAMPS.length);
    expect(lamp?.refused.unknownFields).toBe(LAMPS.length);
    const text = await cli(["report", "sobriety", "--year", String(YEAR)], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Rapport de sobriété des données — année ${YEAR}`);
    expect(text.stdout).toContain("presence_count [donnée personnelle] : aucune finalité déclarée");
    const csv = await cli(["report", "sobriety", "--year", String(YEAR), "--format", "csv"], env);
    expect(csv.stdout.split("\r\n")[0]).toMatch(/^annee,contrat,domaine/);
    expect((await cli(["report", "sobriety"], env)).code).toBe(2);
  }, 180_000);
});
