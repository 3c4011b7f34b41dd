import { join } from "node:path";
import Fastify, { type FastifyRequest } from "fastify";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { createAccessPolicy } from "../../services/access/policy.ts";
import type { ApiDeps } from "../../services/api/deps.ts";
import { scorecardChartRoutes } from "../../services/api/routes/scorecard-charts.ts";
import type { Principal, Role } from "../../services/auth/principals.ts";
import { DeliveryRecorder } from "../../services/clauses/delivery-recorder.ts";
import { createMemoryClauseStore } from "../../services/clauses/memory-clause-store.ts";
import {
  type ScorecardTrend,
  scorecardChartAlt,
  scorecardChartPng,
  scorecardChartSvg,
} from "../../services/clauses/scorecard-chart.ts";
import { createClausesService } from "../../services/clauses/service.ts";
import { type ContractRegistry, loadContractDir } from "../../services/contracts/registry.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import { AuthRequiredError, ForbiddenError } from "../../services/domain/errors.ts";
import { silentLogger } from "../../services/domain/logger.ts";
import type { Device, Observation } from "../../services/domain/types.ts";
import { createDeviceIndex } from "../../services/inventory/device-index.ts";

/**
 * The scorecards' trend chart: one card per month for one operator and contract (an operator
 * reads its own), a PNG of the asked size, an alt text that says the latest values against the
 * targets, and every text from the data escaped in the SVG.
 */

const CCPHVA_DIR = join(import.meta.dirname, "../../territory/ccphva");
const CONTRACT = "ccphva-streetlight";
const NOV = Date.UTC(2026, 10, 1);
const QUARTER = 15 * 60_000;
const DAY_MS = 86_400_000;

const trend: ScorecardTrend = {
  operatorId: "lumiere-est",
  contractId: CONTRACT,
  months: 3,
  targets: { completeness: 0.95, timeliness: 0.95, conformity: 0.98 },
  points: [
    {
      month: "2026-09",
      from: Date.UTC(2026, 8, 1),
      to: Date.UTC(2026, 9, 1),
      devices: 0,
      completeness: null,
      timeliness: null,
      conformity: null,
      breaches: [],
    },
    {
      month: "2026-10",
      from: Date.UTC(2026, 9, 1),
      to: NOV,
      devices: 2,
      completeness: 0.97,
      timeliness: 0.99,
      conformity: 1,
      breaches: [],
    },
    {
      month: "2026-11",
      from: NOV,
      to: Date.UTC(2026, 11, 1),
      devices: 2,
      completeness: 0.941,
      timeliness: 0.992,
      conformity: 0.985,
      breaches: [{ measure: "completeness", value: 0.941, target: 0.95, exempted: false }],
    },
  ],
};

function lamp(id: string): Device {
  return {
    id,
    domain: "streetlight",
    contractId: CONTRACT,
    ownerId: "ccphva",
    commune: "57038",
    lat: 49.47,
    lon: 5.98,
    attributes: {},
    assignments: [{ operatorId: "a", from: 0 }],
  };
}

describe("the scorecards' trend chart", () => {
  it("renders a PNG of the asked size, in French and in English", async () => {
    for (const [width, height, lang] of [
      [960, 480, "fr"],
      [400, 200, "en"],
    ] as const) {
      const { png, alt } = await scorecardChartPng(trend, { width, height, lang });
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", width, height]);
      const stats = await sharp(png).stats();
      // Not blank: the lines and texts make the channels vary.
      expect(stats.channels[0]?.stdev ?? 0).toBeGreaterThan(5);
      expect(alt.length).toBeGreaterThan(40);
    }
  });

  it("says the latest values and the targets in the alt text", () => {
    const fr = scorecardChartAlt(trend, "fr");
    expect(fr).toContain("novembre 2026");
    expect(fr).toContain("septembre 2026");
    expect(fr).toMatch(/complétude 94,1\s%\s\(objectif 95\s%\)/);
    expect(fr).toMatch(/ponctualité 99,2\s%\s\(objectif 95\s%\)/);
    expect(fr).toMatch(/conformité 98,5\s%\s\(objectif 98\s%\)/);
    const en = scorecardChartAlt(trend, "en");
    expect(en).toContain("In November 2026: completeness 94.1% (target 95%)");
    const empty = scorecardChartAlt({ ...trend, points: trend.points.slice(0, 1) }, "fr");
    expect(empty).toContain("Aucune donnée");
  });

  it("escapes every text from the data and draws the targets dashed", () => {
    const hostile = { ...trend, operatorId: `<x&"'>`, contractId: "c]]>" };
    const { svg, alt } = scorecardChartSvg(hostile, { width: 800, height: 400 });
    expect(svg).not.toContain("<x&");
    expect(svg).toContain("&lt;x&amp;&quot;&apos;&gt;");
    expect(alt).toContain(`<x&"'>`);
    expect(svg.match(/class="target"[^>]*stroke-dasharray/g)?.length).toBe(3);
    // The month without data breaks nothing: each line starts at October.
    expect(svg.match(/<path d="M/g)?.length).toBeGreaterThanOrEqual(3);
  });

  describe("from the ledger", () => {
    const clock = fixedClock(Date.UTC(2026, 11, 4));
    const store = createMemoryClauseStore(clock);
    let contracts: ContractRegistry;
    let service: ReturnType<typeof createClausesService>;

    beforeAll(async () => {
      contracts = await loadContractDir(join(CCPHVA_DIR, "contracts"));
      const index = createDeviceIndex([lamp("L1")], () => clock.now());
      service = createClausesService({
        store,
        policy: createAccessPolicy({ devices: index, contracts, clock }),
        devices: index,
        contracts,
        clock,
      });
      const latency = (key: string) => contracts.all().find((c) => c.key === key)?.latencyMs;
      const recorder = new DeliveryRecorder(store, latency, silentLogger);
      const day = NOV + 2 * DAY_MS;
      recorder.observe(
        Array.from(
          { length: 96 },
          (_, i): Observation => ({
            deviceId: "L1",
            time: day + i * QUARTER,
            domain: "streetlight",
            commune: "57038",
            ownerId: "ccphva",
            operatorId: "a",
            contract: `${CONTRACT}@1.0.0`,
            values: { powerState: "on" },
            receivedAt: day + i * QUARTER + 1_000,
          }),
        ),
      );
      await recorder.close();
    });

    it("gives one point per month, the last holding `until`, with the contract's targets", async () => {
      const admin = { id: "admin", role: "admin" as const };
      const t = await service.trend(admin, {
        operator: "a",
        contract: CONTRACT,
        months: 3,
        until: "2026-11",
      });
      expect(t.points.map((p) => p.month)).toEqual(["2026-09", "2026-10", "2026-11"]);
      expect(t.targets).toEqual({ completeness: 0.95, timeliness: 0.95, conformity: 0.98 });
      const nov = t.points[2];
      expect(nov?.timeliness).toBe(1);
      expect(nov?.completeness).toBeCloseTo(96 / (30 * 96), 5);
      expect(t.points[0]?.timeliness).toBeNull();
      const twelve = await service.trend(admin, { operator: "a", contract: CONTRACT });
      expect(twelve.points).toHaveLength(12);
      expect(twelve.points[11]?.month).toBe("2026-12");
    });

    it("gives an operator its own trend only, and staff must name the operator", async () => {
      const asB = { id: "b", role: "operator" as const, operatorId: "b" };
      const t = await service.trend(asB, { operator: "a", contract: CONTRACT, until: "2026-11", months: 1 });
      expect(t.operatorId).toBe("b");
      expect(t.points[0]?.timeliness).toBeNull();
      await expect(
        service.trend({ id: "admin", role: "admin" }, { contract: CONTRACT }),
      ).rejects.toMatchObject({
        code: "ERR_BAD_REQUEST",
      });
      await expect(
        service.trend({ id: "admin", role: "admin" }, { operator: "a", contract: "nope" }),
      ).rejects.toMatchObject({ code: "ERR_BAD_REQUEST" });
    });

    it("serves the PNG with its alt text in X-Alt-Text, and the trend as JSON, to the roles allowed", async () => {
      const app = Fastify({ ajv: { customOptions: { coerceTypes: "array", useDefaults: true } } });
      const principals: Record<string, Principal> = {
        admin: { id: "admin", role: "admin" },
        b: { id: "b", role: "operator", operatorId: "b" },
      };
      app.decorateRequest("principal", undefined);
      app.addHook("onRequest", async (request) => {
        request.principal = principals[String(request.headers["x-who"])];
      });
      app.decorate("requireRole", (...roles: Role[]) => async (request: FastifyRequest) => {
        if (!request.principal) throw new AuthRequiredError();
        if (!roles.includes(request.principal.role)) throw new ForbiddenError(request.principal.role);
      });
      await scorecardChartRoutes(app, { clauses: service } as unknown as ApiDeps);
      const q = `operator=a&contract=${CONTRACT}&until=2026-11&months=6`;
      const png = await app.inject({
        url: `/api/v1/scorecards/chart.png?${q}&width=640`,
        headers: { "x-who": "admin" },
      });
      expect(png.statusCode).toBe(200);
      expect(png.headers["content-type"]).toBe("image/png");
      const meta = await sharp(png.rawPayload).metadata();
      expect([meta.width, meta.height]).toEqual([640, 320]);
      const alt = decodeURIComponent(String(png.headers["x-alt-text"]));
      expect(alt).toContain("de a au contrat ccphva-streetlight");
      expect(alt).toMatch(
        /En novembre 2026\u00a0: complétude 3,3\s%\s\(objectif 95\s%\), ponctualité 100\s%/,
      );
      const json = await app.inject({
        url: `/api/v1/scorecards/trend?${q}&lang=en`,
        headers: { "x-who": "admin" },
      });
      expect(json.statusCode).toBe(200);
      const body = json.json() as ScorecardTrend & { alt: string };
      expect(body.points).toHaveLength(6);
      expect(body.alt).toContain("In November 2026: completeness 3.3% (target 95%)");
      const asB = await app.inject({ url: `/api/v1/scorecards/trend?${q}`, headers: { "x-who": "b" } });
      expect((asB.json() as ScorecardTrend).operatorId).toBe("b");
      expect((await app.inject({ url: `/api/v1/scorecards/trend?${q}` })).statusCode).toBe(401);
      expect(
        (await app.inject({ url: `/api/v1/scorecards/trend?${q}&months=99`, headers: { "x-who": "admin" } }))
          .statusCode,
      ).toBe(400);
      await app.close();
    });
  });
});
