import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { iso } from "../../access/views.ts";
import { NotFoundError } from "../../domain/errors.ts";
import { communeByCode } from "../../inventory/territory.ts";
import { type Outage, outages } from "../../reports/outages.ts";
import type { ApiDeps } from "../deps.ts";

/**
 * Residents' side of the open channel: what may be reported, an asset's public identity (the
 * number on its sticker), the report itself, and the map of outages and repairs. No credentials;
 * the report keeps nothing personal (services/reports/citizen-reports.ts).
 */
const AssetId = Type.String({ pattern: "^[A-Za-z0-9._:-]{1,64}$" });
const ReportBody = Type.Object(
  {
    asset: AssetId,
    category: Type.String({ pattern: "^[a-z][a-z0-9-]{1,39}$" }),
  },
  { additionalProperties: false },
);

/** Registered under the open channel's prefix, with its CORS and rate limit (openChannel). */
export async function reportRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const reports = deps.reports;
  const alerts = deps.alerts;
  if (!reports || !alerts) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.get(
    "/reports/categories",
    { schema: { tags: ["reports"], summary: "What residents may report, per domain" } },
    async () => ({ domains: reports.domains() }),
  );
  typed.get(
    "/assets/:id",
    {
      schema: {
        tags: ["reports"],
        summary: "An asset residents may report on: its domain, commune and place",
        params: Type.Object({ id: AssetId }),
      },
    },
    async (request) => {
      const device = deps.devices.get(request.params.id);
      const domain = device && reports.domains().find((d) => d.contract === device.contractId);
      if (!device || !domain) throw new NotFoundError(`asset ${request.params.id}`);
      return {
        asset: device.id,
        domain: device.domain,
        commune: device.commune,
        commune_name: communeByCode(device.commune)?.name ?? device.commune,
        lat: device.lat,
        lon: device.lon,
        categories: domain.categories,
      };
    },
  );
  typed.post(
    "/reports",
    {
      schema: {
        tags: ["reports"],
        summary: "Report a fault on an asset: joins the asset's open case, or opens one",
        description:
          "Nothing personal is asked or kept: no name, no contact, no text. An address may report a few times an hour (429 ERR_REPORT_THROTTLED).",
        body: ReportBody,
      },
    },
    async (request, reply) => {
      const receipt = await reports.report(request.body, request.ip);
      reply.code(201);
      return { ...receipt, since: iso(receipt.since) };
    },
  );
  const current = () =>
    outages({ alerts, devices: deps.devices, contracts: deps.contracts }, deps.clock.now());
  typed.get(
    "/outages",
    {
      schema: {
        tags: ["reports"],
        summary: "Current outages and repairs of the last 30 days, one case per asset, with their dates",
      },
    },
    async (_request, reply) => {
      reply.header("cache-control", "public, max-age=30");
      return { outages: (await current()).map(outageView) };
    },
  );
  typed.get(
    "/outages.geojson",
    {
      schema: {
        tags: ["reports"],
        summary: "The same outages as GeoJSON (RFC 7946) points",
        produces: ["application/geo+json", "application/json"],
      },
    },
    async (_request, reply) => {
      reply.type("application/geo+json").header("cache-control", "public, max-age=30");
      return JSON.stringify({
        type: "FeatureCollection",
        features: (await current()).map((o) => ({
          type: "Feature",
          id: o.asset,
          geometry: { type: "Point", coordinates: [o.lon, o.lat] },
          properties: outageView(o),
        })),
      });
    },
  );
}

function outageView(o: Outage) {
  return {
    asset: o.asset,
    domain: o.domain,
    commune: o.commune,
    commune_name: communeByCode(o.commune)?.name ?? o.commune,
    lat: o.lat,
    lon: o.lon,
    status: o.status,
    since: iso(o.since),
    repaired_at: o.repairedAt === undefined ? null : iso(o.repairedAt),
    reported_by_residents: o.reportedByResidents,
    detected_by_sensors: o.detectedBySensors,
  };
}
