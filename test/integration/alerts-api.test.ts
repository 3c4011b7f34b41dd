import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../cli/platform.ts";
import { createAccessService } from "../../services/access/service.ts";
import { MemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import type { AlertStore } from "../../services/alerts/store.ts";
import type { Alert } from "../../services/alerts/types.ts";
import { buildApp } from "../../services/api/app.ts";
import type { ApiDeps } from "../../services/api/deps.ts";
import {
  basic,
  DEMO_SECRETS,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

const LAMP = "lum-57038-0001";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);

let t: TestPlatform;
let app: FastifyInstance;
let alerts: AlertStore;
let lampAlert: Alert;

/**
 * The platform's alert store when it has one (the rule engine's wiring); else the test builds the
 * API itself over a memory store. Read through an optional view so that both states compile.
 */
function platformAlerts(platform: Platform): AlertStore | undefined {
  const parts: { alerts?: AlertStore } = platform;
  return parts.alerts;
}

/** The API over the platform's real stores, index and authenticator, with the given alert store. */
function apiDeps(p: Platform, store: AlertStore): ApiDeps {
  return {
    store: p.store,
    devices: p.devices,
    access: createAccessService({
      devices: p.devices,
      contracts: p.contracts,
      store: p.store,
      clock: p.clock,
      territory: p.territory,
    }),
    contracts: p.contracts,
    alerts: store,
    authenticator: p.authenticator,
    clock: p.clock,
    ingest: (uplink) => p.pipeline.ingest(uplink),
    readiness: async () => ({}),
    stats: () => ({}),
    retention: p.retention,
    metrics: async () => "",
    owner: p.territory.owner,
    maxPayloadBytes: p.config.maxPayloadBytes,
  };
}

async function call(method: "GET" | "POST", url: string, auth?: string, body?: object) {
  const res = await app.inject({
    method,
    url,
    headers: auth ? { authorization: auth } : {},
    ...(body ? { payload: body } : {}),
  });
  return { status: res.statusCode, body: res.json(), type: res.headers["content-type"] };
}

/** Whether this file built the app (and started its alert store), so must close them. */
let ownApp = false;

beforeAll(async () => {
  t = await startTestPlatform();
  const wired = platformAlerts(t.platform);
  if (wired && t.platform.api) {
    // The platform passes its own store to its API: test that wiring, over its real DuckDB store.
    alerts = wired;
    app = t.platform.api;
  } else {
    alerts = new MemoryAlertStore();
    await alerts.start();
    app = await buildApp(apiDeps(t.platform, alerts));
    ownApp = true;
  }
  const at = t.platform.clock.now() - 60_000;
  lampAlert = await alerts.raise(
    {
      ruleId: "lamp-failure",
      subject: LAMP,
      severity: "major",
      domain: "streetlight",
      commune: "57038",
      operatorId: "lumiere-est",
      detail: "lamp reports a failure",
    },
    at,
  );
});
afterAll(async () => {
  if (ownApp) {
    await app.close();
    await alerts.close();
  }
  await t?.close();
});

describe("alerts API: who reads what", () => {
  it("lists every alert to a technician, with ISO times", async () => {
    const res = await call("GET", "/api/v1/alerts?rule=lamp-failure", technician);
    expect(res.status).toBe(200);
    const found = res.body.entries.find((a: { id: number }) => a.id === lampAlert.id);
    expect(found).toMatchObject({
      subject: LAMP,
      rule: "lamp-failure",
      status: "open",
      cleared: false,
      operator: "lumiere-est",
      openedAt: new Date(lampAlert.openedAt).toISOString(),
      acknowledgedAt: null,
      version: lampAlert.version,
    });
  });

  it("lists its device's alert to the operator holding it, not to another operator", async () => {
    const own = await call("GET", "/api/v1/alerts", lumiere);
    expect(own.body.entries.map((a: { id: number }) => a.id)).toContain(lampAlert.id);
    const other = await call("GET", "/api/v1/alerts", eaux);
    expect(other.status).toBe(200);
    expect(other.body.entries.map((a: { id: number }) => a.id)).not.toContain(lampAlert.id);
  });

  it("answers one alert to its operator, 404 to another operator, 401 to the public", async () => {
    expect((await call("GET", `/api/v1/alerts/${lampAlert.id}`, lumiere)).status).toBe(200);
    const other = await call("GET", `/api/v1/alerts/${lampAlert.id}`, eaux);
    expect([other.status, other.body.code]).toEqual([404, "ERR_ALERT_NOT_FOUND"]);
    const none = await call("GET", `/api/v1/alerts/${lampAlert.id}`);
    expect([none.status, none.body.code]).toEqual([401, "ERR_AUTH_REQUIRED"]);
  });

  it("refuses the list to the public", async () => {
    const res = await call("GET", "/api/v1/alerts");
    expect([res.status, res.body.code]).toEqual([401, "ERR_AUTH_REQUIRED"]);
  });

  it("lists at `at` only the alerts open then", async () => {
    const before = new Date(lampAlert.openedAt - 1000).toISOString();
    const then = await call("GET", `/api/v1/alerts?at=${encodeURIComponent(before)}`, technician);
    expect(then.body.entries.map((a: { id: number }) => a.id)).not.toContain(lampAlert.id);
    const after = new Date(lampAlert.openedAt + 1000).toISOString();
    const later = await call("GET", `/api/v1/alerts?at=${encodeURIComponent(after)}`, technician);
    expect(later.body.entries.map((a: { id: number }) => a.id)).toContain(lampAlert.id);
  });

  it("refuses an unknown parameter", async () => {
    const res = await call("GET", "/api/v1/alerts?severity=major", technician);
    expect([res.status, res.body.code]).toEqual([400, "ERR_UNKNOWN_PARAMETER"]);
  });
});

describe("alerts API: staff acts", () => {
  const path = () => `/api/v1/alerts/${lampAlert.id}`;

  it("forbids an operator to acknowledge", async () => {
    const res = await call("POST", `${path()}/acknowledge`, lumiere, { version: lampAlert.version });
    expect([res.status, res.body.code]).toEqual([403, "ERR_FORBIDDEN"]);
  });

  it("acknowledges at the version seen, refuses a stale one", async () => {
    const stale = await call("POST", `${path()}/acknowledge`, technician, { version: lampAlert.version + 5 });
    expect([stale.status, stale.body.code]).toEqual([409, "ERR_ALERT_STALE"]);
    const res = await call("POST", `${path()}/acknowledge`, technician, { version: lampAlert.version });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "acknowledged", acknowledgedBy: "technicien" });
    expect(res.body.version).toBe(lampAlert.version + 1);
    expect(typeof res.body.timeToAcknowledgeS).toBe("number");
    const again = await call("POST", `${path()}/acknowledge`, technician, { version: lampAlert.version });
    expect([again.status, again.body.code]).toEqual([409, "ERR_ALERT_STALE"]);
  });

  it("stores and answers a comment as given, as JSON", async () => {
    const { body: current } = await call("GET", path(), technician);
    const text = '<script>alert("x")</script> & co';
    const res = await call("POST", `${path()}/comments`, technician, { version: current.version, text });
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    expect(res.body.comments.at(-1)).toMatchObject({ author: "technicien", text });
    expect((await alerts.get(lampAlert.id))?.comments.at(-1)?.text).toBe(text);
  });

  it("assigns, then closes once: closing again is a transition error", async () => {
    const { body: current } = await call("GET", path(), technician);
    const assigned = await call("POST", `${path()}/assign`, technician, {
      version: current.version,
      assignee: "equipe-nuit",
    });
    expect(assigned.body.assignee).toBe("equipe-nuit");
    const closed = await call("POST", `${path()}/close`, technician, { version: assigned.body.version });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: "closed", closedBy: "technicien" });
    const again = await call("POST", `${path()}/close`, technician, { version: closed.body.version });
    expect([again.status, again.body.code]).toEqual([409, "ERR_ALERT_TRANSITION"]);
  });

  it("answers 404 for an unknown alert", async () => {
    const res = await call("POST", "/api/v1/alerts/999999/close", technician, { version: 1 });
    expect([res.status, res.body.code]).toEqual([404, "ERR_ALERT_NOT_FOUND"]);
  });

  it("documents the routes with their security and errors", async () => {
    const doc = (await call("GET", "/api/openapi.json")).body;
    const ack = doc.paths["/api/v1/alerts/{id}/acknowledge"].post;
    expect(ack.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(ack.responses)).toEqual(expect.arrayContaining(["200", "403", "404", "409"]));
    expect(doc.paths["/api/v1/alerts"].get.security).toEqual([{ bearer: [] }, { basic: [] }]);
  });
});
