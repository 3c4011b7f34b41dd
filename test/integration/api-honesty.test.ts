import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { communesOfEpci } from "../../services/inventory/territory.ts";
import { createDuckdbStore } from "../../services/storage/duckdb-store.ts";
import {
  basic,
  DEMO_SECRETS,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The API says what it does and does what it says: unknown parameters and formats it cannot
 * produce are refused with a code, the OpenAPI document describes every operation (who may call
 * it, what errors it answers) and is served with a page that loads nothing from elsewhere,
 * communes carry their names, buckets the period they cover, and every value dropped from an
 * operator's readings is listed for it.
 */

let t: TestPlatform;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const LAMP = "lum-57038-0001";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5," +
  "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3," +
  "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

interface Answer {
  status: number;
  type: string | null;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field.
  body: any;
}

async function api(
  path: string,
  init: RequestInit & { auth?: string; accept?: string } = {},
): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.auth) headers.set("authorization", init.auth);
  if (init.accept) headers.set("accept", init.accept);
  const res = await fetch(`${t.apiUrl}${path}`, { ...init, headers });
  const text = await res.text();
  const type = res.headers.get("content-type");
  const body = type?.startsWith("application/json") && text ? JSON.parse(text) : undefined;
  return { status: res.status, type, headers: res.headers, text, body };
}

function post(path: string, body: unknown, auth: string) {
  return api(path, {
    method: "POST",
    body: JSON.stringify(body),
    auth,
    headers: { "content-type": "application/json" },
  });
}

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe("unknown query parameters", () => {
  it("are refused with ERR_UNKNOWN_PARAMETER naming them, rather than ignored", async () => {
    const cases: [string, string | undefined, string[]][] = [
      ["/api/v1/devices?status=defectiveLamp", technician, ["status"]],
      ["/api/v1/devices?commune=57038&sector=sect-villerupt-nord", technician, ["sector"]],
      ["/api/v1/aggregates?groupBy=commune&comune=57038&fields=x", technician, ["comune", "fields"]],
      ["/api/v1/public/aggregates?groupBy=commune&operator=lumiere-est", undefined, ["operator"]],
      ["/api/v1/quarantine?status=open", lumiere, ["status"]],
      ["/api/v1/violations?value=5000", lumiere, ["value"]],
      ["/api/v1/communes?format=csv", undefined, ["format"]],
      [`/api/v1/devices/${LAMP}?format=csv`, technician, ["format"]],
    ];
    for (const [path, auth, names] of cases) {
      const res = await api(path, auth ? { auth } : {});
      expect([path, res.status, res.body?.code]).toEqual([path, 400, "ERR_UNKNOWN_PARAMETER"]);
      for (const name of names) expect(res.body.message, path).toContain(JSON.stringify(name));
    }
  });

  it("keeps the parameters a route takes, empty ones included, and other bad values as ERR_BAD_REQUEST", async () => {
    const all = await api("/api/v1/devices?commune=&domain=", { auth: technician });
    expect(all.body.count).toBe(t.platform.devices.size);
    const some = await api("/api/v1/devices?commune=57038&domain=streetlight", { auth: technician });
    expect(some.status).toBe(200);
    expect(some.body.count).toBeLessThan(t.platform.devices.size);
    const bad = await api("/api/v1/quarantine?limit=lots", { auth: technician });
    expect([bad.status, bad.body.code]).toEqual([400, "ERR_BAD_REQUEST"]);
  });
});

describe("content negotiation", () => {
  it("answers 406 ERR_NOT_ACCEPTABLE to a format a route cannot produce, naming what it can", async () => {
    for (const [path, auth] of [
      ["/api/v1/communes", undefined],
      ["/api/v1/public/aggregates?groupBy=commune", undefined],
      ["/api/v1/devices?commune=57038", technician],
      ["/metrics", technician],
    ] as const) {
      const res = await api(path, {
        accept: path === "/metrics" ? "application/json" : "text/csv",
        ...(auth ? { auth } : {}),
      });
      expect([path, res.status, res.body?.code]).toEqual([path, 406, "ERR_NOT_ACCEPTABLE"]);
      expect(res.body.message).toContain(path === "/metrics" ? "text/plain" : "application/json");
    }
    const refused = await api("/api/v1/communes", { accept: "application/json;q=0, text/csv" });
    expect(refused.status).toBe(406);
  });

  it("serves the clients it always served: no Accept, */*, JSON, browsers, Prometheus", async () => {
    for (const accept of [undefined, "*/*", "application/json", "application/*", BROWSER_ACCEPT]) {
      const res = await api("/api/v1/communes", accept ? { accept } : {});
      expect([accept, res.status]).toEqual([accept, 200]);
      expect(res.type).toMatch(/^application\/json/);
    }
    // fetch always sends an Accept header (`*/*`): a request without one, through Fastify's inject.
    const bare = await t.platform.api?.inject({ method: "GET", url: "/api/v1/communes" });
    expect(bare?.statusCode).toBe(200);
    const scrape = await api("/metrics", { auth: technician, accept: PROMETHEUS_ACCEPT });
    expect(scrape.status).toBe(200);
    expect(scrape.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(scrape.text).toMatch(/^# TYPE lanterne_/m);
  });
});

describe("the OpenAPI document", () => {
  // biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON.
  let doc: any;
  beforeAll(async () => {
    doc = (await api("/api/openapi.json")).body;
  });

  it("is a valid OpenAPI document for an independent validator", async () => {
    // The validator dereferences what it is given: it gets a copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(doc.components.schemas.ErrorBody).toMatchObject({
      type: "object",
      required: ["statusCode", "code", "error", "message"],
    });
  });

  it("gives every operation a summary, its security and its error responses, all of one shape", () => {
    const ERROR = { $ref: "#/components/schemas/ErrorBody" };
    let operations = 0;
    for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        operations += 1;
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.summary, where).toMatch(/\w{3}/);
        expect(Array.isArray(op.security), where).toBe(true);
        const guarded = op.security.some((s) => "bearer" in s || "basic" in s);
        const expected = ["400", "401", "406", "429"];
        if (guarded) expected.push("403");
        if (path.includes("{")) expected.push("404");
        for (const status of expected) {
          expect(op.responses[status]?.content?.["application/json"]?.schema, `${where} ${status}`).toEqual(
            ERROR,
          );
        }
        for (const [status, response] of Object.entries(op.responses)) {
          const own =
            (path === "/ready" && status === "503") || (path === "/api/v1/readings" && status === "422");
          if (Number(status) < 400 || own) continue;
          expect(response.content?.["application/json"]?.schema, `${where} ${status}`).toEqual(ERROR);
        }
      }
    }
    expect(operations).toBeGreaterThanOrEqual(19);
  });

  it("says who may call each operation", () => {
    const security = (path: string, method = "get") => doc.paths[path][method].security;
    expect(security("/api/v1/aggregates")).toEqual([{ bearer: [] }]);
    expect(security("/metrics")).toEqual([{ bearer: [] }]);
    expect(security("/api/v1/devices")).toEqual([{ bearer: [] }, { basic: [] }]);
    expect(security("/api/v1/violations")).toEqual([{ bearer: [] }, { basic: [] }]);
    expect(security("/api/v1/readings", "post")).toEqual([{ basic: [] }]);
    expect(security("/api/v1/public/aggregates")).toEqual([]);
    expect(security("/api/v1/communes")).toEqual([]);
    expect(security("/api/v1/integrations/{id}/uplink", "post")).toEqual([{ webhookSecret: [] }]);
    expect(doc.components.securitySchemes.webhookSecret).toEqual(
      expect.objectContaining({ type: "apiKey", in: "header", name: "X-Lanterne-Secret" }),
    );
    expect(Object.keys(doc.paths["/metrics"].get.responses["200"].content)).toEqual(["text/plain"]);
  });

  it("is served with an interactive page whose assets all come from this server", async () => {
    const page = await api("/api/docs", { accept: BROWSER_ACCEPT });
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).not.toMatch(/https?:\/\//);
    expect(page.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|unsafe-inline/);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(5);
    for (const asset of assets) {
      const url = new URL(asset, `${t.apiUrl}/api/docs`);
      expect(url.origin).toBe(new URL(t.apiUrl).origin);
      const res = await fetch(url, { headers: { accept: "*/*" } });
      expect([asset, res.status]).toEqual([asset, 200]);
      await res.arrayBuffer();
    }
    const initializer = await (await fetch(`${t.apiUrl}/api/docs/static/swagger-initializer.js`)).text();
    expect(initializer).toContain("validatorUrl: null");
    expect((await api("/api/docs/json")).body.openapi).toMatch(/^3\./);
  });
});

interface Operation {
  summary?: string;
  security: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

describe("communes and the territory", () => {
  it("lists every commune of the territory's EPCI with its name, population and devices", async () => {
    const res = await api("/api/v1/communes");
    expect(res.status).toBe(200);
    const ccphva = communesOfEpci("245701404").map((c) => c.code);
    expect(ccphva).toHaveLength(8);
    expect(res.body.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(ccphva));
    const byCode = new Map(res.body.map((c: { code: string }) => [c.code, c]));
    expect(byCode.get("57038")).toMatchObject({
      code: "57038",
      name: "Audun-le-Tiche",
      epci: "245701404",
      inEpci: true,
      devices: { streetlight: expect.any(Number) },
    });
    expect(byCode.get("54580")).toMatchObject({ name: "Villerupt", inEpci: true });
    for (const commune of res.body) {
      expect(commune.population, commune.code).toBeGreaterThan(0);
      expect(commune.inEpci, commune.code).toBe(true);
    }
    const devices = res.body.reduce(
      (n: number, c: { devices: Record<string, number> }) =>
        n + Object.values(c.devices).reduce((a, b) => a + b, 0),
      0,
    );
    expect(devices).toBe(t.platform.devices.size);
  });

  it("names the territory's owner and EPCI", async () => {
    const res = await api("/api/v1/territory");
    expect(res.body).toEqual({
      owner: { id: "ccphva", name: "Communauté de communes du Pays Haut Val d'Alzette", siren: "245701404" },
      epci: { code: "245701404", name: "CC du Pays Haut Val d'Alzette" },
      communes: 8,
      devices: t.platform.devices.size,
    });
  });
});

describe("buckets say the period they cover", () => {
  const day = Math.floor(Date.now() / DAY) * DAY - 4 * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    const lamps = Array.from({ length: 6 }, (_, i) =>
      reading(
        `lum-57038-${String(i + 1).padStart(4, "0")}`,
        { power_state: "on", status: "ok", active_power_w: 30 + i },
        iso(day + (10 + i) * HOUR + 5 * 60_000),
      ),
    );
    expect((await post("/api/v1/readings", { readings: lamps }, lumiere)).body.accepted).toBe(6);
    await t.platform.rollups.pass();
  });

  it("labels a one-bucket public answer with the day asked, not only its start", async () => {
    const res = await api(
      `/api/v1/public/aggregates?from=${iso(day)}&to=${iso(day + DAY)}&groupBy=commune&field=active_power_w&commune=57038`,
    );
    expect(res.status).toBe(200);
    expect([res.body.from, res.body.to]).toEqual([iso(day), iso(day + DAY)]);
    expect(res.body.rows).toEqual([
      expect.objectContaining({ time: iso(day), from: iso(day), to: iso(day + DAY), count: 6, devices: 6 }),
    ]);
  });

  it("labels a default range's one bucket with the whole widened range", async () => {
    const res = await api("/api/v1/public/aggregates?groupBy=commune");
    expect(res.status).toBe(200);
    for (const row of res.body.rows) expect([row.from, row.to]).toEqual([res.body.from, res.body.to]);
  });

  it("labels each bucket of a bucketed answer, and a series bucket cut by the range with the part it covers", async () => {
    const hourly = await api(
      `/api/v1/aggregates?from=${iso(day)}&to=${iso(day + DAY)}&groupBy=commune&field=active_power_w&commune=57038&resolution=1h`,
      { auth: technician },
    );
    expect(hourly.body.rows).toHaveLength(6);
    for (const row of hourly.body.rows) {
      expect(row.from).toBe(row.time);
      expect(Date.parse(row.to) - Date.parse(row.from)).toBe(HOUR);
    }
    const from = day + 10 * HOUR + 2 * 60_000;
    const series = await api(
      `/api/v1/devices/${LAMP}/series?from=${iso(from)}&to=${iso(day + 11 * HOUR)}&resolution=1h&fields=active_power_w`,
      { auth: technician },
    );
    expect(series.body.points).toEqual([
      expect.objectContaining({
        time: iso(day + 10 * HOUR),
        from: iso(from),
        to: iso(day + 11 * HOUR),
        count: 1,
      }),
    ]);
    const raw = await api(`/api/v1/devices/${LAMP}/series?from=${iso(day)}&to=${iso(day + DAY)}`, {
      auth: technician,
    });
    expect(raw.body.points.length).toBeGreaterThan(0);
    expect(raw.body.points.every((p: { from?: string }) => p.from === undefined)).toBe(true);
  });
});

describe("violations, each listed for its operator", () => {
  const DEVICE = "lum-54580-0001";
  beforeAll(async () => {
    const res = await post(
      "/api/v1/readings",
      reading(DEVICE, {
        power_state: "on",
        status: "flickering",
        active_power_w: 5000,
        presence_count: 99999,
      }),
      lumiere,
    );
    expect(res.body.accepted).toBe(1);
    const violations = res.body.items[0].violations;
    expect(violations).toContainEqual(
      expect.objectContaining({
        code: "ERR_CONTRACT_OUT_OF_RANGE",
        path: "data.active_power_w",
        value: 5000,
      }),
    );
    // The other operator's own violation, which lumiere-est must not see.
    await post("/api/v1/readings", reading("pre-54580-001", { pressure_bar: 99 }), eaux);
  });

  it("lists each value dropped from an operator's reading with its device, field, value and reason", async () => {
    const res = await api(`/api/v1/violations?device=${DEVICE}`, { auth: lumiere });
    expect(res.status).toBe(200);
    const of = (field: string) => res.body.entries.find((e: { field: string }) => e.field === field);
    expect(of("data.active_power_w")).toMatchObject({
      operator: "lumiere-est",
      device: DEVICE,
      contract: "ccphva-streetlight@1.0.0",
      value: 5000,
      code: "ERR_CONTRACT_OUT_OF_RANGE",
      reason: expect.stringContaining("outside"),
    });
    expect(of("data.status")).toMatchObject({ value: "flickering", code: "ERR_CONTRACT_NOT_ALLOWED" });
    // Personal data: the violation is listed, never its value.
    const personal = of("data.presence_count");
    expect(personal.code).toBe("ERR_CONTRACT_PERSONAL_NO_PURPOSE");
    expect(personal).not.toHaveProperty("value");
    expect(JSON.stringify(personal)).not.toContain("99999");
    for (const e of res.body.entries) {
      expect(Date.parse(e.receivedAt)).toBeGreaterThan(0);
      expect(Date.parse(e.time)).toBeGreaterThan(0);
    }
  });

  it("shows an operator its own violations only, and staff everyone's, filtered", async () => {
    const other = await api("/api/v1/violations?operator=lumiere-est", { auth: eaux });
    expect(other.status).toBe(200);
    expect(other.body.entries.length).toBeGreaterThan(0);
    expect(other.body.entries.every((e: { operator: string }) => e.operator === "eaux-alzette")).toBe(true);
    expect((await api(`/api/v1/violations?device=${DEVICE}`, { auth: eaux })).body.entries).toEqual([]);
    const staff = await api("/api/v1/violations?field=active_power_w", { auth: technician });
    expect(staff.body.entries.map((e: { field: string; value: number }) => [e.field, e.value])).toEqual([
      ["data.active_power_w", 5000],
    ]);
    const byCode = await api("/api/v1/violations?code=ERR_CONTRACT_OUT_OF_RANGE", { auth: technician });
    expect(new Set(byCode.body.entries.map((e: { operator: string }) => e.operator))).toEqual(
      new Set(["lumiere-est", "eaux-alzette"]),
    );
    expect((await api("/api/v1/violations")).status).toBe(401);
  });

  it("pages most recent first", async () => {
    const all = (await api("/api/v1/violations", { auth: technician })).body.entries;
    expect(all.length).toBeGreaterThanOrEqual(4);
    const first = await api("/api/v1/violations?limit=2", { auth: technician });
    expect(first.body.entries).toEqual(all.slice(0, 2));
    expect(first.body.next).toBe(all[1].id);
    const second = await api(`/api/v1/violations?limit=2&before=${first.body.next}`, { auth: technician });
    expect(second.body.entries).toEqual(all.slice(2, 4));
  });
});

describe("violations in a store file written before values were kept", () => {
  const dir = mkdtempSync(join(tmpdir(), "lanterne-violations-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = {
    time: 1900,
    operatorId: "op-a",
    deviceId: "lamp-1",
    contract: "streetlight@1",
    path: "data.x",
  };

  /** A file with the first layout of the violations table (no id, no value) and one row. */
  async function oldFile(path: string): Promise<void> {
    const store = createDuckdbStore({ path });
    await store.start();
    await store.close();
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run("ALTER TABLE violations DROP COLUMN value_json");
    await connection.run("ALTER TABLE violations DROP COLUMN id");
    await connection.run(`INSERT INTO violations VALUES (epoch_ms(1000), epoch_ms(900), 'op-a', 'lamp-1',
      'streetlight@1', 'ERR_CONTRACT_OUT_OF_RANGE', 'data.x', '5000 outside [0, 1000]')`);
    connection.closeSync();
    instance.closeSync();
  }

  /**
   * Opens the file in a child process (the migration), keeps one violation and dies by SIGKILL:
   * the migration and the write are in the write-ahead log only, which the next start replays.
   */
  function migrateAndDie(path: string): void {
    const child = join(dir, "migrate-and-die.mjs");
    const store = pathToFileURL(
      join(import.meta.dirname, "..", "..", "services", "storage", "duckdb-store.ts"),
    );
    const record = {
      ...base,
      receivedAt: 1500,
      code: "ERR_CONTRACT_OUT_OF_RANGE",
      detail: "9 outside [0, 1]",
      value: 9,
    };
    writeFileSync(
      child,
      `import { createDuckdbStore } from ${JSON.stringify(store.href)};
      const store = createDuckdbStore({ path: ${JSON.stringify(path)} });
      await store.start();
      await store.addViolations([${JSON.stringify(record)}]);
      process.kill(process.pid, "SIGKILL");`,
    );
    const result = spawnSync(process.execPath, ["--import", "tsx", child], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.signal, result.stderr).toBe("SIGKILL");
  }

  it("numbers the old rows, keeps them without a value and lists them with the new ones, across a crash", async () => {
    const path = join(dir, "old.duckdb");
    await oldFile(path);
    migrateAndDie(path);
    const reopened = createDuckdbStore({ path });
    await reopened.start();
    await reopened.addViolations([
      { ...base, receivedAt: 2000, code: "ERR_CONTRACT_OUT_OF_RANGE", detail: "7 outside [0, 1]", value: 7 },
      {
        ...base,
        receivedAt: 2001,
        code: "ERR_CONTRACT_NOT_ALLOWED",
        detail: "not allowed",
        value: "on'; --",
      },
    ]);
    const listed = await reopened.listViolations({ limit: 10 });
    expect(listed.map((r) => [r.receivedAt, r.value])).toEqual([
      [2001, "on'; --"],
      [2000, 7],
      [1500, 9],
      [1000, undefined],
    ]);
    const ids = listed.map((r) => r.id ?? 0);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(4);
    expect(await reopened.listViolations({ limit: 10, beforeId: ids[1] ?? 0 })).toEqual(listed.slice(2));
    expect(
      await reopened.listViolations({ limit: 10, field: "x", code: "ERR_CONTRACT_NOT_ALLOWED" }),
    ).toHaveLength(1);
    expect(await reopened.listViolations({ limit: 10, deviceId: "lamp-1' OR '1'='1" })).toEqual([]);
    await reopened.close();
  });
});
