import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiDeps } from "../../services/api/deps.ts";
import { acceptPlugin } from "../../services/api/plugins/accept.ts";
import { openDataChartRoutes } from "../../services/api/routes/opendata-charts.ts";
import { admin, basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * A published dataset's chart on the real platform: containers' readings two days ago go
 * through ingestion and the rollups, an administrator approves the dataset, the publisher
 * releases it, and the chart routes (on an app of their own until openChannel registers them)
 * answer a PNG of the asked size with its alt text, which names the places and the figures
 * statistical secrecy hides.
 */

let t: TestPlatform;
let app: FastifyInstance;
const collector = basic("collecte-nord", DEMO_SECRETS["collecte-nord"]);
const DATASET = "dechets-taux-de-remplissage";
const DAY = 86_400_000;
const day = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;

/** Containers per commune fed that day: 57565 has 3 (under the contract's 5), 57603 has 6. */
const FED: Record<string, number> = { "57038": 12, "54580": 9, "57603": 6, "57565": 3 };

function container(commune: string, i: number): string {
  return `pav-${commune}-${String(i).padStart(3, "0")}`;
}

/** Three readings of each container on the day; fills vary by commune and container. */
async function feed(commune: string, count: number) {
  const readings = [];
  for (let i = 1; i <= count; i++) {
    for (const h of [6, 12, 18]) {
      const fill = Math.round((((i * 7 + h + commune.length) % 100) / 100) * 1000) / 1000;
      readings.push({
        device: container(commune, i),
        time: new Date(day + h * 3_600_000).toISOString(),
        data: { filling_level: fill },
      });
    }
  }
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    body: JSON.stringify({ readings }),
    headers: { "content-type": "application/json", authorization: collector },
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(readings.length);
}

async function approve(id: string) {
  const res = await fetch(`${t.apiUrl}/api/v1/opendata/datasets/${id}/approve`, {
    method: "POST",
    headers: { authorization: admin },
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  t = await startTestPlatform();
  for (const [commune, count] of Object.entries(FED)) await feed(commune, count);
  await t.platform.rollups.pass();
  await approve(DATASET);
  await t.platform.rollups.pass();
  const runs = await t.platform.publisher.run();
  expect(runs.find((r) => r.dataset === DATASET)?.written).toBeGreaterThan(0);
  // The app's Ajv options (services/api/app.ts): unknown query parameters refused, not stripped.
  app = Fastify({
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Under the open channel's prefix, as openChannel registers it, with the API's content negotiation.
  await app.register(acceptPlugin);
  await app.register(
    async (scope) => openDataChartRoutes(scope, { opendata: t.platform.opendata } as ApiDeps),
    { prefix: "/opendata" },
  );
  await app.ready();
}, 90_000);
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe("open dataset charts", () => {
  it("answers the social preview as a PNG with its alt text, percent-encoded", async () => {
    const res = await app.inject({ method: "GET", url: `/opendata/datasets/${DATASET}/chart.png` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.headers["cache-control"]).toBe("public, max-age=3600");
    const meta = await sharp(res.rawPayload).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
      format: "png",
      width: 1200,
      height: 630,
    });
    const alt = decodeURIComponent(String(res.headers["x-alt-text"]));
    const table = await t.platform.opendata.table(DATASET, {});
    for (const row of table.rows) expect(alt).toContain(String(row.place_name));
    expect(alt).toContain("Graphique en courbes");
    expect(alt).toContain(
      `le ${new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "UTC" }).format(day)} (UTC)`,
    );
    expect(alt).toContain("2 valeurs sur 4 sont masquées par le secret statistique");
  });

  it("answers a thumbnail in English, and the alt text, URL and size in chart.json", async () => {
    const png = await app.inject({
      method: "GET",
      url: `/opendata/datasets/${DATASET}/chart.png?size=thumbnail&lang=en`,
    });
    expect(png.statusCode).toBe(200);
    expect((await sharp(png.rawPayload).metadata()).width).toBe(400);
    const res = await app.inject({
      method: "GET",
      url: `/opendata/datasets/${DATASET}/chart.json?lang=en&size=thumbnail`,
      headers: { host: "donnees.example.fr" },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { alt: string; png: string; width: number; height: number };
    expect(body).toMatchObject({
      png: `http://donnees.example.fr/opendata/datasets/${DATASET}/chart.png?size=thumbnail&lang=en`,
      width: 400,
      height: 250,
    });
    expect(body.alt).toBe(decodeURIComponent(String(png.headers["x-alt-text"])));
    expect(body.alt).toContain("2 of 4 figures are hidden by statistical secrecy");
  });

  it("serves a client that accepts PNG only, and refuses one that accepts no PNG (406)", async () => {
    const url = `/opendata/datasets/${DATASET}/chart.png?size=thumbnail`;
    const png = await app.inject({ method: "GET", url, headers: { accept: "image/png" } });
    expect(png.statusCode).toBe(200);
    const csv = await app.inject({ method: "GET", url, headers: { accept: "text/csv" } });
    expect(csv.statusCode).toBe(406);
    expect(csv.json()).toMatchObject({ code: "ERR_NOT_ACCEPTABLE" });
  });

  it("answers the service's 404 for an unknown dataset or one not published", async () => {
    for (const id of ["inconnu-dataset", "dechets-conteneurs-pleins"]) {
      const res = await app.inject({ method: "GET", url: `/opendata/datasets/${id}/chart.png` });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: "ERR_NOT_FOUND" });
    }
  });

  it("refuses a size, a language or a parameter it does not know with a 400", async () => {
    for (const query of ["size=huge", "lang=de", "from=2025-01-01"]) {
      const res = await app.inject({
        method: "GET",
        url: `/opendata/datasets/${DATASET}/chart.png?${query}`,
      });
      expect(res.statusCode).toBe(400);
      // On this bare app Fastify's own code; the API's error handler answers ERR_BAD_REQUEST
      // or ERR_UNKNOWN_PARAMETER for the same validation failure.
      expect(res.json()).toMatchObject({ code: "FST_ERR_VALIDATION" });
    }
  });
});
