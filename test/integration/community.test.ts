import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CommunityRouteOptions,
  communityAdminRoutes,
  communityRoutes,
  publishedDataset,
} from "../../services/api/routes/community.ts";
import { AuthRequiredError, NotFoundError } from "../../services/domain/errors.ts";
import type { CommunityStore } from "../../services/opendata/community-store.ts";
import { createDuckdbCommunityStore } from "../../services/opendata/duckdb-community-store.ts";

/**
 * The community routes over HTTP (inject), on a real DuckDB store in memory, before they are
 * wired into the API: a Fastify app with the API's Ajv options, the public routes under the open
 * channel's prefix, and the administrators' routes behind a guard that stands for
 * requireRole("admin") (401 without an Authorization header).
 */

const WASTE = "dechets-taux-de-remplissage";
const LIGHT = "eclairage-heures-allumage";
const PUBLISHED = new Set([WASTE, LIGHT]);
const NOW = Date.UTC(2025, 3, 1, 9);
const ADMIN = { authorization: "Bearer admin.secret" };

let store: CommunityStore;
let app: FastifyInstance;
let now: number;

async function build(limits?: CommunityRouteOptions["limits"]): Promise<FastifyInstance> {
  const made = Fastify({
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true } },
  });
  const clock = () => now;
  await made.register(
    async (scope) =>
      communityRoutes(scope, store, {
        datasetExists: async (id) => PUBLISHED.has(id),
        now: clock,
        ...(limits ? { limits } : {}),
      }),
    { prefix: "/opendata" },
  );
  const requireAdmin = async (request: FastifyRequest) => {
    if (!request.headers.authorization) throw new AuthRequiredError();
  };
  await made.register(async (scope) => communityAdminRoutes(scope, store, { requireAdmin, now: clock }));
  return made;
}

function reuse(over: Record<string, unknown> = {}) {
  return {
    title: "Carte du remplissage",
    url: "https://exemple.fr/carte",
    description: "Les conteneurs de la communauté de communes, sur une carte.",
    datasets: [WASTE],
    kind: "visualisation",
    ...over,
  };
}

beforeEach(async () => {
  now = NOW;
  store = createDuckdbCommunityStore({ path: ":memory:" });
  await store.start();
  app = await build({ perAddressPerHour: 100, maxAddresses: 100 });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

describe("declared reuses", () => {
  it("takes a declaration as pending (202), shows it only once an administrator publishes it", async () => {
    const posted = await app.inject({ method: "POST", url: "/opendata/reuses", payload: reuse() });
    expect(posted.statusCode).toBe(202);
    const { id } = posted.json();
    expect(posted.json()).toEqual({ id: expect.any(Number), state: "pending" });
    expect((await app.inject(`/opendata/reuses?dataset=${WASTE}`)).json()).toEqual({
      reuses: [],
      next_before: null,
    });

    const pending = await app.inject({ url: "/api/v1/community/reuses?state=pending", headers: ADMIN });
    expect(pending.statusCode).toBe(200);
    expect(pending.json().reuses).toEqual([
      expect.objectContaining({ id, state: "pending", moderated_by: null, title: "Carte du remplissage" }),
    ]);
    now += 60_000;
    const moderated = await app.inject({
      method: "POST",
      url: `/api/v1/community/reuses/${id}/moderate`,
      headers: ADMIN,
      payload: { decision: "published" },
    });
    expect(moderated.statusCode).toBe(200);
    expect(moderated.json()).toMatchObject({
      id,
      state: "published",
      moderated_at: new Date(now).toISOString(),
    });

    const shown = await app.inject(`/opendata/reuses?dataset=${WASTE}`);
    expect(shown.headers["cache-control"]).toBe("no-cache");
    expect(shown.json()).toEqual({
      reuses: [
        {
          id,
          title: "Carte du remplissage",
          url: "https://exemple.fr/carte",
          description: "Les conteneurs de la communauté de communes, sur une carte.",
          datasets: [WASTE],
          kind: "visualisation",
          declared_at: new Date(NOW).toISOString(),
          published_at: new Date(now).toISOString(),
        },
      ],
      next_before: null,
    });
    // Who moderated is not for the public.
    expect(shown.body).not.toContain("moderated");
    expect((await app.inject(`/opendata/reuses?dataset=${LIGHT}`)).json().reuses).toEqual([]);
    expect((await app.inject("/opendata/reuses")).json().reuses).toHaveLength(1);
  });

  it("refuses a body outside its schema: lengths, http(s) only, unknown fields, kinds, datasets", async () => {
    const bad = [
      reuse({ title: "x".repeat(121) }),
      reuse({ description: "x".repeat(1001) }),
      reuse({ url: `https://exemple.fr/${"a".repeat(490)}` }),
      reuse({ url: "javascript:alert(1)" }),
      reuse({ url: "ftp://exemple.fr/" }),
      reuse({ url: "https://exemple.fr/a b" }),
      reuse({ email: "someone@exemple.fr" }),
      reuse({ name: "Jean" }),
      reuse({ kind: "spam" }),
      reuse({ datasets: [] }),
      reuse({ datasets: [WASTE, WASTE] }),
      reuse({ datasets: ["../etc/passwd"] }),
      reuse({ title: "   " }),
      reuse({ title: "a\nb" }),
      reuse({ url: "https://user:pw@exemple.fr/" }),
    ];
    for (const payload of bad) {
      const res = await app.inject({ method: "POST", url: "/opendata/reuses", payload });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 120)).toBe(400);
    }
    expect(await store.reuses({ limit: 100 })).toEqual([]);
  });

  it("refuses a dataset that is not published (ERR_BAD_REQUEST naming it)", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/opendata/reuses",
      payload: reuse({ datasets: [WASTE, "jeu-en-apercu"] }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "ERR_BAD_REQUEST" });
    expect(res.json().message).toContain("jeu-en-apercu");
  });

  it("keeps hostile texts exactly, as JSON strings", async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">';
    const { id } = (
      await app.inject({ method: "POST", url: "/opendata/reuses", payload: reuse({ title: hostile }) })
    ).json();
    await store.moderateReuse(id, "published", "admin", NOW);
    expect((await app.inject("/opendata/reuses")).json().reuses[0].title).toBe(hostile);
  });

  it("pages newest first with before=, and takes no unknown query parameter", async () => {
    for (let i = 0; i < 5; i++) {
      const { id } = (
        await app.inject({ method: "POST", url: "/opendata/reuses", payload: reuse({ title: `R${i}` }) })
      ).json();
      await store.moderateReuse(id, "published", "admin", NOW);
    }
    const first = (await app.inject("/opendata/reuses?limit=3")).json();
    expect(first.reuses.map((r: { title: string }) => r.title)).toEqual(["R4", "R3", "R2"]);
    const next = (await app.inject(`/opendata/reuses?limit=3&before=${first.next_before}`)).json();
    expect(next.reuses.map((r: { title: string }) => r.title)).toEqual(["R1", "R0"]);
    expect(next.next_before).toBeNull();
    expect((await app.inject("/opendata/reuses?state=pending")).statusCode).toBe(400);
    expect((await app.inject("/opendata/reuses?limit=1000")).statusCode).toBe(400);
  });
});

describe("questions", () => {
  it("takes a question as pending, shows it with its answer once answered, hides a rejected one", async () => {
    const asked = await app.inject({
      method: "POST",
      url: "/opendata/questions",
      payload: { dataset: WASTE, text: "Pourquoi certains chiffres sont-ils masqués ?" },
    });
    expect(asked.statusCode).toBe(202);
    const { id } = asked.json();
    const other = (
      await app.inject({ method: "POST", url: "/opendata/questions", payload: { text: "Spam spam" } })
    ).json();
    expect((await app.inject(`/opendata/questions?dataset=${WASTE}`)).json().questions).toEqual([]);
    const pending = await app.inject({ url: "/api/v1/community/questions?state=pending", headers: ADMIN });
    expect(pending.json().questions.map((q: { id: number }) => q.id)).toEqual([other.id, id]);

    now += 3_600_000;
    const answered = await app.inject({
      method: "POST",
      url: `/api/v1/community/questions/${id}/answer`,
      headers: ADMIN,
      payload: { text: "Le secret statistique : moins de 5 équipements." },
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.json()).toMatchObject({ id, state: "answered" });
    const rejected = await app.inject({
      method: "POST",
      url: `/api/v1/community/questions/${other.id}/reject`,
      headers: ADMIN,
    });
    expect(rejected.json()).toMatchObject({ id: other.id, state: "rejected" });

    expect((await app.inject(`/opendata/questions?dataset=${WASTE}`)).json()).toEqual({
      questions: [
        {
          id,
          dataset: WASTE,
          text: "Pourquoi certains chiffres sont-ils masqués ?",
          asked_at: new Date(NOW).toISOString(),
          answer: {
            text: "Le secret statistique : moins de 5 équipements.",
            answered_at: new Date(now).toISOString(),
          },
        },
      ],
      next_before: null,
    });
    expect((await app.inject("/opendata/questions")).json().questions).toHaveLength(1);
  });

  it("refuses an unknown dataset, an empty or too long text, any other field", async () => {
    for (const payload of [
      { dataset: "jeu-en-apercu", text: "Question ?" },
      { text: "" },
      { text: "x".repeat(1001) },
      { text: "Question ?", email: "a@b.fr" },
    ]) {
      const res = await app.inject({ method: "POST", url: "/opendata/questions", payload });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
    }
  });
});

describe("the per-address limit", () => {
  it("answers 429 ERR_COMMUNITY_THROTTLED past the limit, per address, with Retry-After; an hour later again", async () => {
    await app.close();
    app = await build({ perAddressPerHour: 2, maxAddresses: 10 });
    const post = (remoteAddress: string, url = "/opendata/reuses") =>
      app.inject({
        method: "POST",
        url,
        payload: url.endsWith("reuses") ? reuse() : { text: "Question ?" },
        remoteAddress,
      });
    expect((await post("192.0.2.1")).statusCode).toBe(202);
    expect((await post("192.0.2.1", "/opendata/questions")).statusCode).toBe(202);
    const refused = await post("192.0.2.1");
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: "ERR_COMMUNITY_THROTTLED" });
    expect(Number(refused.headers["retry-after"])).toBe(3600);
    expect((await post("192.0.2.1", "/opendata/questions")).statusCode).toBe(429);
    expect((await post("192.0.2.2")).statusCode).toBe(202);
    // A refused post is not stored, and an invalid one does not count.
    expect(await store.reuses({ limit: 100 })).toHaveLength(2);
    now += 3_600_000;
    expect((await post("192.0.2.1")).statusCode).toBe(202);
  });
});

describe("the administrators' routes", () => {
  it("answer 401 without credentials, 404 for an unknown id, 400 for a bad decision", async () => {
    // Valid requests: the body is validated before the guard runs (as requireRole does in the API).
    for (const [method, url, payload] of [
      ["GET", "/api/v1/community/reuses?state=pending", undefined],
      ["GET", "/api/v1/community/questions?state=pending", undefined],
      ["POST", "/api/v1/community/reuses/1/moderate", { decision: "published" }],
      ["POST", "/api/v1/community/questions/1/answer", { text: "Réponse" }],
      ["POST", "/api/v1/community/questions/1/reject", undefined],
    ] as const) {
      const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
      expect(res.statusCode, url).toBe(401);
    }
    const missing = await app.inject({
      method: "POST",
      url: "/api/v1/community/reuses/99/moderate",
      headers: ADMIN,
      payload: { decision: "published" },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "ERR_NOT_FOUND" });
    const { id } = (await app.inject({ method: "POST", url: "/opendata/reuses", payload: reuse() })).json();
    const bad = await app.inject({
      method: "POST",
      url: `/api/v1/community/reuses/${id}/moderate`,
      headers: ADMIN,
      payload: { decision: "pending" },
    });
    expect(bad.statusCode).toBe(400);
    const unanswered = await app.inject({
      method: "POST",
      url: "/api/v1/community/questions/99/answer",
      headers: ADMIN,
      payload: { text: "Réponse" },
    });
    expect(unanswered.statusCode).toBe(404);
  });
});

describe("publishedDataset", () => {
  it("is true for a dataset the open-data service gives, false for its 404, and passes other failures on", async () => {
    const exists = publishedDataset({
      get: async (id: string) => {
        if (id === WASTE) return {} as never;
        if (id === "broken") throw new Error("store down");
        throw new NotFoundError(`dataset ${id}`);
      },
    });
    expect(await exists(WASTE)).toBe(true);
    expect(await exists("jeu-en-apercu")).toBe(false);
    await expect(exists("broken")).rejects.toThrow("store down");
  });
});
