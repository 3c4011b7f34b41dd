import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
 * Partner and research access on the real platform: an administrator records an agreement for
 * the streetlight contract (power_state and status, raw), the partner reads what the lighting
 * contractor sent through its own key, within its scope only, and the access log keeps each of
 * its reads; once the agreement is ended, the same key lets nobody in.
 */
const CONTRACT = "ccphva-streetlight";
const DEVICE = "lum-57038-0001";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const DAY = 86_400_000;

let t: TestPlatform;
const sentAt = Date.now() - 10 * 60_000;

interface AgreementAnswer {
  agreement: { id: string; pseudonymise: boolean; endedAt: string | null };
  key: string;
}
interface ReadingsAnswer {
  pseudonymised: boolean;
  fields: string[];
  readings: Array<{ device: string; time: string; values: Record<string, unknown>; lat?: number }>;
  next: string | null;
}

async function call(path: string, authorization: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization,
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function agreementBody(fields: Record<string, unknown> = {}) {
  return {
    partner: "Université de Lorraine — LIEC",
    purpose: "Effet de l'extinction nocturne sur les chiroptères",
    legalReference: "Convention CCPHVA-UL 2026-014",
    scope: [{ contract: CONTRACT, fields: ["power_state", "status"], granularity: "raw" }],
    dataFrom: new Date(sentAt - DAY).toISOString(),
    validTo: new Date(Date.now() + 365 * DAY).toISOString(),
    ...fields,
  };
}

async function createAgreement(fields: Record<string, unknown> = {}): Promise<AgreementAnswer> {
  const res = await call("/api/v1/partners/agreements", admin, {
    method: "POST",
    body: agreementBody(fields),
  });
  expect(res.status).toBe(201);
  return res.body as unknown as AgreementAnswer;
}

beforeAll(async () => {
  t = await startTestPlatform();
  const res = await call("/api/v1/readings", lumiere, {
    method: "POST",
    body: [
      reading(
        DEVICE,
        { power_state: "on", status: "ok", active_power_w: 42 },
        new Date(sentAt).toISOString(),
      ),
      reading(DEVICE, { power_state: "off", status: "ok" }, new Date(sentAt + 60_000).toISOString()),
    ],
  });
  expect(res.body).toMatchObject({ accepted: 2 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("partner agreements", () => {
  let plain: AgreementAnswer;

  it("are recorded by administrators only", async () => {
    for (const who of [technician, lumiere]) {
      const res = await call("/api/v1/partners/agreements", who, { method: "POST", body: agreementBody() });
      expect(res.status).toBe(403);
    }
    plain = await createAgreement();
    expect(plain.key).toMatch(new RegExp(`^lp_${plain.agreement.id}_`));
    const list = await call("/api/v1/partners/agreements", admin);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain(plain.agreement.id);
    expect(JSON.stringify(list.body)).not.toContain(plain.key.slice(-20));
  });

  it("refuse a scope naming a personal field", async () => {
    const scope = [{ contract: CONTRACT, fields: ["status", "presence_count"], granularity: "raw" }];
    const res = await call("/api/v1/partners/agreements", admin, {
      method: "POST",
      body: agreementBody({ scope }),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("ERR_AGREEMENT_INVALID");
  });

  it("let the partner read its scope's fields of the contractor's readings", async () => {
    const partner = `Bearer ${plain.key}`;
    const own = await call("/api/v1/partner/agreement", partner);
    expect(own).toMatchObject({ status: 200, body: { id: plain.agreement.id, pseudonymise: false } });
    const page = await eventually(async () => {
      const res = await call(`/api/v1/partner/readings?contract=${CONTRACT}`, partner);
      expect(res.status).toBe(200);
      const body = res.body as unknown as ReadingsAnswer;
      return body.readings.filter((r) => r.device === DEVICE).length === 2 && body;
    });
    const mine = page.readings.filter((r) => r.device === DEVICE);
    expect(mine.map((r) => r.values)).toEqual([
      { power_state: "on", status: "ok" },
      { power_state: "off", status: "ok" },
    ]);
    expect(mine[0]?.lat).toBeTypeOf("number");
    expect(page.pseudonymised).toBe(false);
  });

  it("show pseudonyms, without location, when the agreement asks for them", async () => {
    const pseudo = await createAgreement({ pseudonymise: true });
    expect(pseudo.agreement.pseudonymise).toBe(true);
    const res = await call(`/api/v1/partner/readings?contract=${CONTRACT}`, `Bearer ${pseudo.key}`);
    const body = res.body as unknown as ReadingsAnswer;
    expect(body.pseudonymised).toBe(true);
    expect(body.readings.length).toBeGreaterThanOrEqual(2);
    for (const r of body.readings) {
      expect(r.device).toMatch(/^[0-9a-f]{16}$/);
      expect(r).not.toHaveProperty("lat");
      expect(r).not.toHaveProperty("attributes");
    }
    expect(JSON.stringify(body)).not.toContain("lum-");
    // Another agreement, other pseudonyms: the two extracts cannot be joined.
    const other = await createAgreement({ pseudonymise: true });
    const again = (await call(`/api/v1/partner/readings?contract=${CONTRACT}`, `Bearer ${other.key}`))
      .body as unknown as ReadingsAnswer;
    expect(again.readings[0]?.device).not.toBe(body.readings[0]?.device);
  });

  it("refuse what lies outside the agreement", async () => {
    const partner = `Bearer ${plain.key}`;
    for (const path of [
      "/api/v1/partner/readings?contract=ccphva-water-pressure",
      `/api/v1/partner/readings?contract=${CONTRACT}&fields=active_power_w`,
      `/api/v1/partner/readings?contract=${CONTRACT}&from=${sentAt - 2 * DAY}`,
    ]) {
      const res = await call(path, partner);
      expect(res.status, path).toBe(403);
      expect(res.body.code, path).toBe("ERR_OUTSIDE_AGREEMENT");
    }
  });

  it("never let a partner key reach a staff or operator route", async () => {
    const partner = `Bearer ${plain.key}`;
    for (const path of [
      "/api/v1/devices",
      `/api/v1/devices/${DEVICE}`,
      "/api/v1/quarantine",
      "/api/v1/scorecards?period=2026-11",
      "/api/v1/access-log",
      "/api/v1/partners/agreements",
      "/api/v1/me",
    ]) {
      expect((await call(path, partner)).status, path).toBe(403);
    }
  });

  it("are refused by every guarded route of the API but their own", async () => {
    const doc = (await (await fetch(`${t.apiUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const partner = `Bearer ${plain.key}`;
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (path.startsWith("/api/v1/partner/")) continue;
      for (const [method, op] of Object.entries(operations)) {
        // Role-guarded routes only (a webhook checks its own shared secret).
        const schemes = (op.security ?? []).flatMap((s) => Object.keys(s as object));
        if (!schemes.includes("bearer") && !schemes.includes("basic")) continue;
        const url = path.replace(/\{[^}]+\}/g, "x");
        const res = await fetch(`${t.apiUrl}${url}`, {
          method: method.toUpperCase(),
          headers: { authorization: partner, "content-type": "application/json" },
          ...(method === "get" || method === "head" || method === "delete" ? {} : { body: "{}" }),
        });
        // Refused by the guard (403), or by the schema before it (400): never an answer.
        expect([400, 403], `${method} ${path}`).toContain(res.status);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("log every partner read with its role", async () => {
    const res = await call(`/api/v1/access-log?limit=100&who=${plain.agreement.id}`, admin);
    const entries = (
      res.body as { entries: Array<{ who: string; role: string; what: string; status: number }> }
    ).entries;
    const reads = entries.filter((e) =>
      e.what.startsWith(`GET /api/v1/partner/readings?contract=${CONTRACT}`),
    );
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads.every((e) => e.role === "partner" && e.who === plain.agreement.id)).toBe(true);
    expect(entries.some((e) => e.what === "GET /api/v1/partner/agreement")).toBe(true);
  });

  it("end with the agreement: the same key then gets 401 ERR_AGREEMENT_ENDED", async () => {
    const partner = `Bearer ${plain.key}`;
    expect((await call("/api/v1/partner/agreement", partner)).status).toBe(200);
    const forbidden = await call(`/api/v1/partners/agreements/${plain.agreement.id}/end`, lumiere, {
      method: "POST",
      body: { reason: "x" },
    });
    expect(forbidden.status).toBe(403);
    const ended = await call(`/api/v1/partners/agreements/${plain.agreement.id}/end`, admin, {
      method: "POST",
      body: { reason: "Convention résiliée par le partenaire" },
    });
    expect(ended.status).toBe(200);
    expect(ended.body.endedAt).not.toBeNull();
    for (const path of ["/api/v1/partner/agreement", `/api/v1/partner/readings?contract=${CONTRACT}`]) {
      const res = await call(path, partner);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("ERR_AGREEMENT_ENDED");
    }
    // A wrong secret under the same id learns nothing of the agreement.
    const wrong = await call(
      "/api/v1/partner/agreement",
      `Bearer lp_${plain.agreement.id}_${"A".repeat(32)}`,
    );
    expect(wrong).toMatchObject({ status: 401, body: { code: "ERR_AUTH_INVALID" } });
    // The agreement is kept, ended.
    const list = (await call("/api/v1/partners/agreements", admin)).body as {
      agreements: Array<{ id: string; endReason: string | null }>;
    };
    expect(list.agreements.find((a) => a.id === plain.agreement.id)?.endReason).toBe(
      "Convention résiliée par le partenaire",
    );
  });
});
