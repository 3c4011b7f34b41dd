import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../cli/platform.ts";
import { createAccessService } from "../../services/access/service.ts";
import { buildApp } from "../../services/api/app.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import {
  basic,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The supervision pages' sessions over real HTTP: logging in through POST /api/v1/session gives
 * the same principal as the Authorization header, the cookie is HttpOnly and SameSite=Strict,
 * every change made with the cookie needs the CSRF token while header-authenticated clients need
 * none, failed logins are throttled as the API's are, and sessions end when idle, at their
 * absolute limit, and at logout.
 */

let t: TestPlatform;

/** A browser's cookie jar, reduced to what these tests need: one cookie per name. */
class Client {
  readonly cookies = new Map<string, string>();
  csrf = "";
  constructor(readonly base: () => string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const all: Record<string, string> = { accept: "application/json", ...headers };
    if (this.cookies.size > 0) all.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (body !== undefined) all["content-type"] = "application/json";
    const res = await fetch(`${this.base()}${path}`, {
      method,
      headers: all,
      redirect: "manual",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1);
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  async token(): Promise<string> {
    const res = await this.call("GET", "/api/v1/session/csrf");
    this.csrf = String(res.body.token);
    return this.csrf;
  }

  async login(kind: "staff" | "operator", identifier: string, secret: string) {
    await this.token();
    const res = await this.call(
      "POST",
      "/api/v1/session",
      { kind, identifier, secret },
      { "x-csrf-token": this.csrf },
    );
    if (res.status === 200) this.csrf = String(res.body.csrfToken);
    return res;
  }
}

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe("web sessions", () => {
  it("logs a technician in with a secure cookie, the same principal as the Bearer header", async () => {
    const c = new Client(() => t.apiUrl);
    await c.token();
    const res = await c.call(
      "POST",
      "/api/v1/session",
      { kind: "staff", identifier: "technicien", secret: DEMO_SECRETS.technicien },
      { "x-csrf-token": c.csrf },
    );
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((line) => line.startsWith("lanterne_session="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);
    expect(res.body.me).toEqual({ id: "technicien", role: "technician", operator: null });
    const viaCookie = await c.call("GET", "/api/v1/me");
    const viaHeader = await fetch(`${t.apiUrl}/api/v1/me`, { headers: { authorization: technician } });
    expect(viaCookie.body).toEqual(await viaHeader.json());
    expect((await c.call("GET", "/api/v1/alerts")).status).toBe(200);
  });

  it("gives an operator its own principal and refuses it the staff's acts", async () => {
    const c = new Client(() => t.apiUrl);
    const res = await c.login("operator", "lumiere-est", DEMO_SECRETS["lumiere-est"]);
    expect(res.body.me).toEqual({ id: "lumiere-est", role: "operator", operator: "lumiere-est" });
    const act = await c.call(
      "POST",
      "/api/v1/alerts/1/acknowledge",
      { version: 1 },
      { "x-csrf-token": c.csrf },
    );
    expect(act.status).toBe(403);
    expect(act.body.code).toBe("ERR_FORBIDDEN");
  });

  it("refuses a change made with the cookie without the CSRF token, not one made with a header", async () => {
    const c = new Client(() => t.apiUrl);
    await c.login("staff", "technicien", DEMO_SECRETS.technicien);
    const lamp = "lum-57038-0002";
    const now = Date.now();
    const posted = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: basic("lumiere-est", DEMO_SECRETS["lumiere-est"]),
      },
      body: JSON.stringify({
        readings: [
          reading(lamp, { power_state: "on", status: "defectiveLamp" }, new Date(now).toISOString()),
        ],
      }),
    });
    expect(posted.status).toBeLessThan(300);
    const alert = await eventually(async () => {
      const page = await c.call("GET", `/api/v1/alerts?subject=${lamp}`);
      const [first] = page.body.entries as Array<{ id: number; version: number }>;
      return first;
    });
    for (const headers of [{}, { "x-csrf-token": "forged" }] as Record<string, string>[]) {
      const refused = await c.call(
        "POST",
        `/api/v1/alerts/${alert.id}/acknowledge`,
        { version: alert.version },
        headers,
      );
      expect(refused.status).toBe(403);
      expect(String(refused.body.code)).toMatch(/^FST_CSRF_/);
    }
    const logout = await c.call("DELETE", "/api/v1/session");
    expect(logout.status).toBe(403);
    const done = await c.call(
      "POST",
      `/api/v1/alerts/${alert.id}/acknowledge`,
      { version: alert.version },
      { "x-csrf-token": c.csrf },
    );
    expect(done.status).toBe(200);
    // An API client with the header needs no token, even with a stray cookie.
    const viaHeader = await fetch(`${t.apiUrl}/api/v1/alerts/${alert.id}/comments`, {
      method: "POST",
      headers: {
        authorization: technician,
        "content-type": "application/json",
        cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      },
      body: JSON.stringify({ version: alert.version + 1, text: "via the API" }),
    });
    expect(viaHeader.status).toBe(200);
  });

  it("needs the CSRF token to log in", async () => {
    const c = new Client(() => t.apiUrl);
    const res = await c.call("POST", "/api/v1/session", {
      kind: "staff",
      identifier: "technicien",
      secret: DEMO_SECRETS.technicien,
    });
    expect(res.status).toBe(403);
    expect(String(res.body.code)).toMatch(/^FST_CSRF_/);
  });

  it("refuses a wrong secret (401), then throttles the account (429 with Retry-After)", async () => {
    const c = new Client(() => t.apiUrl);
    const wrong = await c.login("staff", "admin", "not-the-token");
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe("ERR_AUTH_INVALID");
    let last = wrong;
    for (let i = 0; i < 6 && last.status !== 429; i++) last = await c.login("staff", "admin", `wrong-${i}`);
    expect(last.status).toBe(429);
    expect(last.body.code).toBe("ERR_AUTH_THROTTLED");
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    // The right token is refused too while the account is throttled: the header path agrees.
    expect((await c.login("staff", "admin", DEMO_SECRETS.admin)).status).toBe(429);
  });

  it("ends the session at logout", async () => {
    const c = new Client(() => t.apiUrl);
    await c.login("staff", "technicien", DEMO_SECRETS.technicien);
    const stolen = new Map(c.cookies);
    expect((await c.call("DELETE", "/api/v1/session", undefined, { "x-csrf-token": c.csrf })).status).toBe(
      204,
    );
    expect((await c.call("GET", "/api/v1/me")).status).toBe(401);
    const replay = new Client(() => t.apiUrl);
    for (const [k, v] of stolen) replay.cookies.set(k, v);
    expect((await replay.call("GET", "/api/v1/me")).status).toBe(401);
  });

  it("sends a page behind the login to the login page, and serves it once logged in", async () => {
    const c = new Client(() => t.apiUrl);
    const away = await c.call("GET", "/alertes?lang=en");
    expect(away.status).toBe(303);
    expect(away.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/alertes?lang=en")}`);
    await c.login("staff", "technicien", DEMO_SECRETS.technicien);
    const res = await fetch(`${t.apiUrl}/alertes`, {
      headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe-inline");
  });
});

describe("web session expiry", () => {
  const clock = fixedClock(Date.now());
  let app: FastifyInstance;
  let base = "";

  beforeAll(async () => {
    app = await buildApp({
      ...apiDeps(t.platform),
      clock,
      session: { cookieSecure: false, idleMs: 10 * 60_000, maxMs: 60 * 60_000 },
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  it("ends a session unused for the idle time", async () => {
    const c = new Client(() => base);
    await c.login("staff", "technicien", DEMO_SECRETS.technicien);
    clock.advance(9 * 60_000);
    expect((await c.call("GET", "/api/v1/me")).status).toBe(200);
    clock.advance(9 * 60_000);
    expect((await c.call("GET", "/api/v1/me")).status).toBe(200);
    clock.advance(11 * 60_000);
    expect((await c.call("GET", "/api/v1/me")).status).toBe(401);
  });

  it("ends a session at its absolute limit, however busy", async () => {
    const c = new Client(() => base);
    await c.login("staff", "technicien", DEMO_SECRETS.technicien);
    for (let i = 0; i < 7; i++) {
      clock.advance(8 * 60_000);
      expect((await c.call("GET", "/api/v1/me")).status, `after ${(i + 1) * 8} min`).toBe(200);
    }
    clock.advance(8 * 60_000);
    expect((await c.call("GET", "/api/v1/me")).status).toBe(401);
  });
});

function apiDeps(p: Platform) {
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
    authenticator: p.authenticator,
    clock: p.clock,
    ingest: (uplink: Parameters<Platform["pipeline"]["ingest"]>[0]) => p.pipeline.ingest(uplink),
    readiness: async () => ({}),
    stats: () => ({}),
    retention: p.retention,
    metrics: async () => "",
    owner: p.territory.owner,
    maxPayloadBytes: p.config.maxPayloadBytes,
  };
}
