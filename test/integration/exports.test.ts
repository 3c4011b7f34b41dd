import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../helpers/open-formats.ts";
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
 * Reversibility from the running platform: an operator exports its own part and nothing of the
 * others', an administrator the whole platform; files download as the manifest lists them, with
 * their checksums; the export and the attested destruction of a copy are in the access log.
 */
let t: TestPlatform;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);

interface Job {
  id: string;
  state: string;
  operator: string | null;
  counts?: Record<string, number>;
  files?: { path: string; bytes: number; sha256: string }[];
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field.
type Json = any;

async function call(
  method: string,
  path: string,
  auth: string,
  body?: unknown,
): Promise<{ status: number; type: string; body: Json }> {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = res.headers.get("content-type") ?? "";
  return {
    status: res.status,
    type,
    body: type.startsWith("application/json") ? await res.json() : await res.text(),
  };
}

async function finished(id: string, auth: string): Promise<Job> {
  return eventually(async () => {
    const job = (await call("GET", `/api/v1/exports/${id}`, auth)).body as Job;
    return job.state !== "running" && job;
  }, 30_000);
}

beforeAll(async () => {
  t = await startTestPlatform();
  const time = new Date(Date.now() - 60_000).toISOString();
  const lamps = ["lum-57038-0001", "lum-57038-0002"].map((d) =>
    reading(d, { power_state: "on", status: "ok" }, time),
  );
  expect((await call("POST", "/api/v1/readings", lumiere, { readings: lamps })).body.accepted).toBe(2);
  const water = [reading("pre-54521-001", { pressure_bar: 3.2 }, time)];
  expect((await call("POST", "/api/v1/readings", eaux, { readings: water })).body.accepted).toBe(1);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("export jobs", () => {
  let job: Job;

  it("exports an operator's own part, whatever it asks, and nothing of the others'", async () => {
    const started = await call("POST", "/api/v1/exports", lumiere, {
      operator: "eaux-alzette",
      parquet: false,
    });
    expect(started.status).toBe(202);
    expect(started.body.operator).toBe("lumiere-est");
    job = await finished(started.body.id, lumiere);
    await t.platform.exports.idle();
    expect(job.state).toBe("done");
    expect(job.counts?.readings).toBe(2);
    const csv = job.files?.find((f) => f.path.startsWith("readings/") && f.path.endsWith(".csv"));
    expect(csv).toBeDefined();
    const file = await call("GET", `/api/v1/exports/${job.id}/files/${csv?.path}`, lumiere);
    expect(file.type).toMatch(/^text\/csv/);
    const rows = parseCsv(file.body as string);
    expect(
      rows
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(["lum-57038-0001", "lum-57038-0002"]);
    expect(
      createHash("sha256")
        .update(file.body as string)
        .digest("hex"),
    ).toBe(csv?.sha256);
  });

  it("keeps each operator's exports from the others, and from technicians", async () => {
    expect((await call("GET", `/api/v1/exports/${job.id}`, eaux)).status).toBe(404);
    expect(((await call("GET", "/api/v1/exports", eaux)).body as { exports: Job[] }).exports).toEqual([]);
    expect((await call("POST", "/api/v1/exports", technician, {})).status).toBe(403);
    expect(
      (await call("GET", `/api/v1/exports/${job.id}/files/..%2F..%2Flanterne.duckdb`, lumiere)).status,
    ).toBe(404);
  });

  it("exports the whole platform for an administrator, and logs the export", async () => {
    const started = await call("POST", "/api/v1/exports", admin, { parquet: false });
    const whole = await finished(started.body.id, admin);
    expect(whole.operator).toBeNull();
    expect(whole.counts?.readings).toBe(3);
    await t.platform.accessLog.flush();
    const log = (await call("GET", "/api/v1/access-log?action=export", admin)).body as {
      entries: { who: string }[];
    };
    expect(log.entries.map((e) => e.who)).toEqual(expect.arrayContaining(["admin", "lumiere-est"]));
  });

  it("records an attested destruction of a copy in the access log, once", async () => {
    const manifest = job.files?.find((f) => f.path === "manifest.json");
    const receipt = {
      bundle: manifest?.sha256,
      destroyedAt: new Date().toISOString(),
      method: "effacement sécurisé (shred -u)",
      attestedBy: "Responsable SI, Lumière Est",
      statement: "Toutes les copies du lot ont été détruites.",
    };
    expect(
      (await call("POST", "/api/v1/destruction-receipts", lumiere, { ...receipt, bundle: "abc" })).status,
    ).toBe(400);
    expect((await call("POST", "/api/v1/destruction-receipts", lumiere, receipt)).status).toBe(201);
    const mine = (await call("GET", "/api/v1/destruction-receipts", lumiere)).body as {
      receipts: { what: string }[];
    };
    expect(mine.receipts).toHaveLength(1);
    expect(mine.receipts[0]?.what).toContain(`sha256:${manifest?.sha256}`);
    expect(
      ((await call("GET", "/api/v1/destruction-receipts", eaux)).body as { receipts: unknown[] }).receipts,
    ).toEqual([]);
    const log = (await call("GET", "/api/v1/access-log?action=destroy", admin)).body as {
      entries: unknown[];
    };
    expect(log.entries).toHaveLength(1);
  });
});
