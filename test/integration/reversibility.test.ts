import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findInfluxd, type Influxd, requireInfluxd, startInfluxd } from "../helpers/influxd.ts";
import { readWithSchema, tableschema } from "../helpers/open-formats.ts";
import {
  admin,
  basic,
  DEMO_SECRETS,
  eventually,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

/**
 * Reversibility, end to end on each store: a platform fed with readings, refusals, alerts and
 * registers is stopped; `lanterne export` writes its bundle; `lanterne import` loads it into an
 * empty Lanterne; both platforms then answer the same scorecards, open figures, alerts and
 * series. A bundle that does not hold (a byte changed, a file slipped in, a reading of a device
 * the bundle does not list) is refused with its file, the target left empty.
 */
const run = promisify(execFile);
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const DAY = 86_400_000;
const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
const dayLabel = new Date(yesterday).toISOString().slice(0, 10);
const lamps = Array.from({ length: 8 }, (_, i) => `lum-57038-${String(i + 1).padStart(4, "0")}`);

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

async function get(t: TestPlatform, path: string): Promise<unknown> {
  const res = await fetch(`${t.apiUrl}${path}`, { headers: { authorization: admin } });
  expect(res.status, path).toBe(200);
  return res.json();
}

async function post(t: TestPlatform, path: string, body: unknown, auth = admin) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A day of readings every quarter of an hour, one lamp broken in the afternoon, one refusal. */
async function feed(t: TestPlatform): Promise<void> {
  const readings = [];
  for (let q = 0; q < 96; q += 4) {
    const time = new Date(yesterday + q * 15 * 60_000).toISOString();
    for (const [i, device] of lamps.entries()) {
      const broken = i === 0 && q >= 56 && q < 72;
      readings.push({
        device,
        time,
        data: {
          power_state: q < 28 || q > 72 ? "on" : "off",
          status: broken ? "defectiveLamp" : "ok",
          energy_kwh: 100 + q * 0.05 + i,
          ...(q === 8 && i === 2 ? { active_power_w: 99_999 } : {}),
        },
      });
    }
  }
  readings.push({
    device: "lum-99999-9999",
    time: new Date(yesterday).toISOString(),
    data: { status: "ok" },
  });
  const res = await post(t, "/api/v1/readings", { readings }, lumiere);
  expect(res.body.accepted).toBe(readings.length - 1);
  await eventually(async () => (t.platform.spool?.stats().segments ?? 0) === 0, 20_000);
  await t.platform.ruleEngine.idle();
  await t.platform.rollups.pass();
  await t.platform.deliveries.flush();
  const alerts = (await get(t, "/api/v1/alerts?limit=10")) as { entries: { id: number; version: number }[] };
  const first = alerts.entries[0];
  expect(first).toBeDefined();
  if (first) {
    const ack = await post(t, `/api/v1/alerts/${first.id}/acknowledge`, { version: first.version });
    expect(ack.status).toBe(200);
  }
  expect(
    (
      await post(t, "/api/v1/exemptions", {
        contractId: "ccphva-streetlight",
        obligation: "latency",
        fields: [],
        reason: "Reprise d'un historique de relevés.",
        decision: "Arrêté 2026-12",
        decidedAt: new Date(yesterday).toISOString(),
        from: new Date(yesterday).toISOString(),
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await post(t, "/api/v1/breaches", {
        awareAt: new Date(yesterday).toISOString(),
        description: "Test de registre.",
        contractIds: [],
        fields: [],
      })
    ).status,
  ).toBe(201);
}

/** What both platforms must answer alike. */
async function answers(t: TestPlatform) {
  const month = new Date(yesterday).toISOString().slice(0, 7);
  const preview = (id: string, from: string, to: string) =>
    get(t, `/api/v1/opendata/datasets/${id}/preview?from=${from}&to=${to}`);
  const nextDay = new Date(yesterday + DAY).toISOString().slice(0, 10);
  return {
    scorecards: await get(t, `/api/v1/scorecards?period=${dayLabel}`),
    inService: await preview("eclairage-points-lumineux-en-service", dayLabel, nextDay),
    perLamp: await preview("eclairage-etat-par-point-lumineux", dayLabel, nextDay),
    energy: await preview("eclairage-energie-consommee", dayLabel, nextDay),
    faults: await preview("eclairage-pannes-de-lampe", `${month}-01`, nextDay),
    // A compliance notice is judged again by each platform once started: its notes are its own.
    alerts: (
      (await get(t, "/api/v1/alerts?limit=100")) as { entries: Record<string, unknown>[] }
    ).entries.map((a) =>
      a.rule === "platform/compliance-breach" ? { id: a.id, subject: a.subject, openedAt: a.openedAt } : a,
    ),
    series: await get(t, `/api/v1/devices/${lamps[0]}/series?from=${dayLabel}&to=${nextDay}`),
    quarantine: (
      (await get(t, "/api/v1/quarantine?limit=100")) as { entries: { id?: number }[] }
    ).entries.map(({ id: _id, ...rest }) => rest),
    violations: (
      (await get(t, "/api/v1/violations?limit=100")) as { entries: { id?: number }[] }
    ).entries.map(({ id: _id, ...rest }) => rest),
    exemptions: await get(t, "/api/v1/exemptions"),
  };
}

const influxPresent = findInfluxd() !== undefined || process.env.CI === "true";
for (const onInflux of [false, true]) {
  if (onInflux && !influxPresent) requireInfluxd();
  describe.skipIf(onInflux && !influxPresent)(
    `reversibility, on ${onInflux ? "InfluxDB" : "the embedded store"}`,
    () => {
      const tmp = mkdtempSync(join(tmpdir(), "lanterne-bundle-"));
      const dirA = join(tmp, "a");
      const dirB = join(tmp, "b");
      const bundle = join(tmp, "bundle");
      let influxd: Influxd | undefined;
      let storeA: Record<string, string> = {};
      let storeB: Record<string, string> = {};
      let a: TestPlatform | undefined;
      let b: TestPlatform | undefined;

      beforeAll(async () => {
        if (onInflux) {
          influxd = await startInfluxd();
          if (!influxd) throw new Error("influxd did not start");
          storeA = { store: `influx://127.0.0.1:${influxd.port}/bundle_a` };
          storeB = { store: `influx://127.0.0.1:${influxd.port}/bundle_b` };
        }
        const first = await startTestPlatform({ dataDir: dirA, ...storeA });
        await feed(first);
        await first.platform.close();
      }, 120_000);
      afterAll(async () => {
        await a?.platform.close();
        await b?.platform.close();
        await influxd?.stop();
        rmSync(tmp, { recursive: true, force: true });
      });

      const env = (dataDir: string, store: Record<string, string>) => ({
        LANTERNE_DATA_DIR: dataDir,
        ...(store.store ? { LANTERNE_STORE: store.store } : {}),
      });

      it("exports everything in open formats, described by a Data Package and checksummed", async () => {
        const out = await cli(["export", bundle], env(dirA, storeA));
        expect(out.stderr).not.toMatch(/ERR_/);
        expect(out.code).toBe(0);
        const manifest = JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8"));
        expect(manifest.counts.readings).toBe(lamps.length * 24);
        expect(manifest.counts.quarantine).toBe(1);
        expect(manifest.counts.violations).toBe(1);
        expect(manifest.counts.alerts).toBeGreaterThan(0);
        expect(manifest.counts.exemptions).toBe(1);
        const pkg = JSON.parse(readFileSync(join(bundle, "datapackage.json"), "utf8")) as {
          resources: { path: string; schema?: object; hash: string }[];
        };
        expect(pkg.resources.map((r) => r.path).sort()).toEqual(
          manifest.files
            .map((f: { path: string }) => f.path)
            .filter((p: string) => p !== "datapackage.json")
            .sort(),
        );
        // Every table reads back against its own Table Schema with Frictionless' own library.
        let readingRows = 0;
        for (const resource of pkg.resources.filter((r) => r.schema)) {
          const schema = await tableschema.Schema.load(resource.schema as object);
          expect(schema.valid, resource.path).toBe(true);
          const rows = await readWithSchema(
            readFileSync(join(bundle, resource.path), "utf8"),
            resource.schema as object,
          );
          if (resource.path.startsWith("readings/")) readingRows += rows.length;
        }
        expect(readingRows).toBe(lamps.length * 24);
        // Each Parquet file beside its CSV holds the same rows, read by an independent reader.
        const { parquetReadObjects } = await import("hyparquet");
        for (const f of manifest.files.filter((x: { path: string }) => x.path.endsWith(".parquet"))) {
          const bytes = readFileSync(join(bundle, f.path));
          const rows = await parquetReadObjects({
            file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
          });
          expect(rows.length, f.path).toBe(f.rows);
        }
      });

      it("refuses a bundle that does not hold, naming the file, and leaves the target empty", async () => {
        const bad = join(tmp, "bad");
        await run("cp", ["-r", bundle, bad]);
        const table = readFileSync(join(bad, "quarantine.csv"), "utf8");
        writeFileSync(join(bad, "quarantine.csv"), table.replace("lum-99999-9999", "lum-99999-9998"));
        const tampered = await cli(["import", bad], env(join(tmp, "t1"), storeB));
        expect(tampered.code).toBe(1);
        expect(tampered.stderr).toMatch(/ERR_BUNDLE_INVALID.*quarantine\.csv.*SHA-256/);
        writeFileSync(join(bad, "quarantine.csv"), table);
        appendFileSync(join(bad, "extra.csv"), "x\r\n");
        const slipped = await cli(["import", bad], env(join(tmp, "t2"), storeB));
        expect(slipped.stderr).toMatch(/ERR_BUNDLE_INVALID.*extra\.csv.*not listed/);
        rmSync(join(bad, "extra.csv"));
        // Checksums made to match: the tables themselves are checked, row by row.
        const manifestPath = join(bad, "manifest.json");
        const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
          files: { path: string; bytes: number; sha256: string }[];
        };
        const rewrite = (path: string, text: string) => {
          writeFileSync(join(bad, path), text);
          const file = manifest.files.find((f) => f.path === path);
          if (!file) throw new Error(`${path} is not in the manifest`);
          file.bytes = Buffer.byteLength(text);
          file.sha256 = createHash("sha256").update(text).digest("hex");
          writeFileSync(manifestPath, JSON.stringify(manifest));
        };
        const readingsPath =
          manifest.files.map((f) => f.path).find((p) => /^readings\/.*\.csv$/.test(p)) ?? "";
        const readings = readFileSync(join(bad, readingsPath), "utf8");
        rewrite(readingsPath, readings.replace(lamps[1] as string, "lum-00000-0000"));
        const stranger = await cli(["import", bad], env(join(tmp, "t3"), storeB));
        expect(stranger.stderr).toMatch(
          /ERR_BUNDLE_INVALID.*readings\/.*device lum-00000-0000 is not in the bundle's inventory/,
        );
        rewrite(readingsPath, readings.replace("time,device_id", "instant,device_id"));
        const schema = await cli(["import", bad], env(join(tmp, "t4"), storeB));
        expect(schema.stderr).toMatch(/ERR_BUNDLE_INVALID.*readings\/.*header/);
        rmSync(bad, { recursive: true, force: true });
        // The target of a refused import holds nothing: the real import below needs it empty.
        const target = await startTestPlatform({ dataDir: join(tmp, "t1"), ...storeB });
        expect(await target.platform.store.countValues({})).toBe(0);
        await target.platform.close();
      });

      it("loads the bundle into an empty Lanterne, which then answers as the first did", async () => {
        const out = await cli(["import", bundle], env(dirB, storeB));
        expect(out.stderr).not.toMatch(/ERR_/);
        expect(out.code).toBe(0);
        const again = await cli(["import", bundle], env(dirB, storeB));
        expect(again.stderr).toMatch(/ERR_IMPORT_TARGET_NOT_EMPTY/);
        a = await startTestPlatform({ dataDir: dirA, ...storeA });
        b = await startTestPlatform({ dataDir: dirB, ...storeB });
        const [fromA, fromB] = await Promise.all([answers(a), answers(b)]);
        expect((fromA.scorecards as { scorecards: unknown[] }).scorecards.length).toBeGreaterThan(0);
        expect((fromA.inService as { records: unknown[] }).records.length).toBeGreaterThan(0);
        expect(fromA.alerts.length).toBeGreaterThan(0);
        expect(fromB).toEqual(fromA);
        const log = (await get(b, "/api/v1/access-log?action=import")) as { entries: { what: string }[] };
        expect(log.entries.some((e) => e.what.startsWith("import bundle sha256:"))).toBe(true);
      });
    },
  );
}
