import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";
import { parseAggregateRequest } from "../params.ts";
import { AggregateSchema, Query, RangeQuery } from "../schemas.ts";

const AggregateQuery = Query({
  ...RangeQuery,
  groupBy: Type.Optional(
    Type.String({ description: "comma-separated: commune, domain (and operator, private)" }),
  ),
  domain: Type.Optional(Type.String()),
  commune: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  resolution: Type.Optional(Type.String({ description: "bucket like 1h, 1d; default: the whole range" })),
});

const Response = Type.Object({
  from: Type.String({ description: "start of the range answered: the one asked, widened to whole buckets" }),
  to: Type.String({ description: "end of the range answered (exclusive)" }),
  rows: Type.Array(AggregateSchema),
});

/**
 * Aggregates per commune and domain. The private route serves the collectivity's staff. The
 * public route serves everyone alike (open data): only fields a contract publishes, never
 * personal data, never a group of fewer devices than the contract's threshold, never by operator
 * (services/access/policy.ts says which rows each audience gets).
 */
export async function aggregateRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const reads = deps.access.aggregates;
  typed.get(
    "/api/v1/aggregates",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: {
        tags: ["aggregates"],
        summary: "Aggregates per commune, domain or operator, for staff",
        description:
          "Min, max, mean and count of gauges, consumption of counters, per group and bucket. From the " +
          "hourly or daily rollups when the grouping and the resolution fit them (the range is then widened " +
          "to whole buckets), else from raw readings over a bounded range.",
        querystring: AggregateQuery,
        response: { 200: Response },
      },
    },
    async (request) => reads.staff(request.principal, parseAggregateRequest(request.query, deps.clock.now())),
  );
  typed.get(
    "/api/v1/public/aggregates",
    {
      schema: {
        tags: ["open data"],
        summary: "Open data: aggregates per commune and domain",
        description:
          "For everyone alike: the fields the contracts publish, over groups of at least the contract's " +
          "number of devices, from the rollups only (resolutions of whole hours or days).",
        querystring: AggregateQuery,
        response: { 200: Response },
      },
    },
    async (request) => reads.open(parseAggregateRequest(request.query, deps.clock.now())),
  );
}
