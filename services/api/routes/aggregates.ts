import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ContractRegistry } from "../../contracts/registry.ts";
import { BadRequestError } from "../../domain/errors.ts";
import { aggregateFromRollups, planRollupQuery } from "../../rollups/aggregates.ts";
import type {
  AggregateRow,
  GroupDimension,
  AggregateQuery as StoreAggregateQuery,
} from "../../storage/store.ts";
import type { ApiDeps } from "../deps.ts";
import { checkBucketCount, parseList, parseRange, parseResolution } from "../params.ts";
import { AggregateSchema, RangeQuery } from "../schemas.ts";

const DAY = 86_400_000;
const MAX_BUCKETS = 5_000;

const AggregateQuery = Type.Object({
  ...RangeQuery,
  groupBy: Type.Optional(
    Type.String({ description: "comma-separated: commune, domain (and operator, private)" }),
  ),
  domain: Type.Optional(Type.String()),
  commune: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  resolution: Type.Optional(Type.String({ description: "bucket like 1h, 1d; default: the whole range" })),
});
type AggregateQuery = Static<typeof AggregateQuery>;

const Response = Type.Object({ from: Type.String(), to: Type.String(), rows: Type.Array(AggregateSchema) });

/**
 * Aggregates per commune and domain. The private route serves the collectivity's staff. The
 * public route serves everyone alike (open data): only fields a contract publishes, never
 * personal data, never a group of fewer devices than the contract's threshold, never by operator.
 */
export async function aggregateRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get(
    "/api/v1/aggregates",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: { tags: ["aggregates"], querystring: AggregateQuery, response: { 200: Response } },
    },
    async (request) =>
      query(deps, request.query as AggregateQuery, ["commune", "domain", "operator"], "raw allowed"),
  );
  app.get(
    "/api/v1/public/aggregates",
    { schema: { tags: ["open data"], querystring: AggregateQuery, response: { 200: Response } } },
    async (request) => {
      // Always per domain: a field name alone does not say which contract publishes it.
      const q = request.query as AggregateQuery;
      const groups = new Set([...(parseList(q.groupBy) ?? ["commune"]), "domain"]);
      const result = await query(
        deps,
        { ...q, groupBy: [...groups].join(",") },
        ["commune", "domain"],
        "rollups only",
      );
      return { ...result, rows: result.rows.filter(publishable(deps.contracts)) };
    },
  );
}

/**
 * Served from the commune and domain rollups whenever the query fits them (services/rollups/
 * aggregates.ts), with the range widened to whole buckets. Staff may also group by operator or
 * ask for buckets shorter than an hour: those are read from raw readings, over a range bounded
 * by the bucket count. The public route reads rollups only.
 */
async function query(
  deps: ApiDeps,
  q: AggregateQuery,
  allowed: GroupDimension[],
  source: "raw allowed" | "rollups only",
) {
  const range = parseRange(q, deps.clock.now(), DAY);
  const resolutionMs = parseResolution(q.resolution);
  const groupBy = (parseList(q.groupBy) ?? ["commune", "domain"]) as GroupDimension[];
  const bad = groupBy.filter((g) => !allowed.includes(g));
  if (bad.length > 0)
    throw new BadRequestError(`groupBy accepts ${allowed.join(", ")}; not ${bad.join(", ")}`);
  const request: StoreAggregateQuery = {
    ...range,
    groupBy,
    ...(q.domain ? { domain: q.domain } : {}),
    ...(q.commune ? { commune: q.commune } : {}),
    ...(q.field ? { field: q.field } : {}),
    ...(resolutionMs !== undefined ? { resolutionMs } : {}),
  };
  const plan = planRollupQuery(request);
  if (!plan && source === "rollups only")
    throw new BadRequestError("resolution must be a whole number of hours (1h, 6h, 1d...)");
  const { from, to } = plan ?? range;
  checkBucketCount(from, to, resolutionMs, MAX_BUCKETS);
  const rows = plan
    ? await aggregateFromRollups(deps.store, request, plan)
    : await deps.store.aggregate(request);
  const hidden = personalFieldNames(deps.contracts);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    rows: rowViews(rows.filter((r) => !hidden.has(r.field))),
  };
}

/**
 * Answer rows, built for a year of daily rows per commune (thousands): one ISO string per bucket
 * time, not per row, and no spread.
 */
type AggregateView = Static<typeof AggregateSchema>;

function rowViews(rows: readonly AggregateRow[]): AggregateView[] {
  const iso = new Map<number, string>();
  return rows.map((r) => {
    let time = iso.get(r.time);
    if (time === undefined) {
      time = new Date(r.time).toISOString();
      iso.set(r.time, time);
    }
    const view: AggregateView = {
      time,
      field: r.field,
      count: r.count,
      devices: r.devices,
      mean: r.mean,
      min: r.min,
      max: r.max,
    };
    if (r.group.commune !== undefined) view.commune = r.group.commune;
    if (r.group.domain !== undefined) view.domain = r.group.domain;
    if (r.group.operator !== undefined) view.operator = r.group.operator;
    return view;
  });
}

function personalFieldNames(contracts: ContractRegistry): Set<string> {
  const names = new Set<string>();
  for (const c of contracts.all()) for (const f of c.fields.values()) if (f.personal) names.add(f.name);
  return names;
}

/** A row is public when some contract of its domain publishes the field with enough devices. */
function publishable(contracts: ContractRegistry) {
  const open = contracts.all().filter((c) => c.openData.publish);
  return (row: { domain?: string; field: string; devices: number }) =>
    open.some(
      (c) =>
        c.domain === row.domain &&
        row.devices >= c.openData.minDevices &&
        c.openData.fields.includes(row.field),
    );
}
