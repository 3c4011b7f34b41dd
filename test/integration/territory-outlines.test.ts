import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basic,
  DEMO_SECRETS,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The demo territory imports its communes' outlines (territory/ccphva/communes.geojson): each of
 * its 8 communes comes with its own through the public communes list, as the map reads it; the
 * map's background settings answer the people who see the map.
 */

let t: TestPlatform;
const DEMO_OUTLINES = JSON.parse(readFileSync("territory/ccphva/communes.geojson", "utf8")) as {
  features: Array<{ properties: { code: string }; geometry: { type: string; coordinates: unknown } }>;
};

interface Commune {
  code: string;
  inEpci: boolean;
  outline?: { type: string; coordinates: unknown };
}

async function get(path: string, authorization?: string) {
  const res = await fetch(`${t.apiUrl}${path}`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe("the territory's commune outlines", () => {
  it("gives each demo commune its imported outline in /api/v1/communes, to everyone", async () => {
    const { status, body } = await get("/api/v1/communes");
    expect(status).toBe(200);
    const communes = body as Commune[];
    const inEpci = communes.filter((c) => c.inEpci);
    expect(inEpci).toHaveLength(8);
    for (const feature of DEMO_OUTLINES.features) {
      const commune = communes.find((c) => c.code === feature.properties.code);
      expect(commune?.outline, feature.properties.code).toEqual(feature.geometry);
    }
    for (const c of inEpci) expect(["Polygon", "MultiPolygon"], c.code).toContain(c.outline?.type);
  });

  it("documents the outline in the OpenAPI answer of the communes", async () => {
    const { body } = await get("/api/openapi.json");
    const doc = JSON.stringify(body);
    expect(doc).toContain("/api/v1/communes");
    expect(doc).toContain("territory.yaml `outlines`");
  });
});

describe("GET /api/v1/map/config", () => {
  it("answers staff and operators with no tile server by default, and nobody signed out", async () => {
    const staff = await get("/api/v1/map/config", technician);
    expect(staff.status).toBe(200);
    expect(staff.body).toEqual({ tiles: null, attribution: null });
    const operator = await get("/api/v1/map/config", basic("lumiere-est", DEMO_SECRETS["lumiere-est"]));
    expect(operator.status).toBe(200);
    const anonymous = await get("/api/v1/map/config");
    expect(anonymous.status).toBe(401);
    expect((anonymous.body as { code: string }).code).toBe("ERR_AUTH_REQUIRED");
  });

  it("is in the OpenAPI document, and the pages' img-src names no other site", async () => {
    const { body } = await get("/api/openapi.json");
    const paths = (body as { paths: Record<string, { get?: { tags?: string[]; summary?: string } }> }).paths;
    expect(paths["/api/v1/map/config"]?.get?.tags).toEqual(["map"]);
    expect(paths["/api/v1/map/config"]?.get?.summary).toBeTruthy();
    const page = await fetch(`${t.apiUrl}/connexion`);
    expect(page.headers.get("content-security-policy")).toContain("img-src 'self';");
  });
});
