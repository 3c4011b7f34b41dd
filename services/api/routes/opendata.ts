import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { iso } from "../../access/views.ts";
import { BadRequestError } from "../../domain/errors.ts";
import { dcatJsonLd, dcatTurtle } from "../../opendata/dcat.ts";
import { FORMAT_IDS, FORMATS, isFormatId, tableSchema } from "../../opendata/formats/index.ts";
import type { FigureFilter, OpenDataService } from "../../opendata/service.ts";
import type { ApiDeps } from "../deps.ts";
import { parseTime } from "../params.ts";
import { Query } from "../schemas.ts";
import { communityRoutes, publishedDataset } from "./community.ts";
import { liveRoutes } from "./live.ts";
import { openDataChartRoutes } from "./opendata-charts.ts";
import { reportRoutes } from "./reports.ts";
import { type CachedAnswer, ResponseCache } from "./response-cache.ts";

/**
 * The open channel, under /opendata: no authentication, the same answers and the same rate
 * limit for everyone, open to every origin (CORS) so that a re-user's page can call it from the
 * browser. Answers carry an ETag and Last-Modified from the dataset's version, so that portals
 * and caches revalidate with a 304 that costs no read of the figures.
 */
export interface OpenDataRouteOptions {
  /** Requests per minute from one address (LANTERNE_OPENDATA_RATE). */
  ratePerMinute: number;
  /** The public base URL (LANTERNE_PUBLIC_URL); absent, the request's own origin. */
  publicUrl?: string;
}

const CACHE = "public, max-age=300";
export const DEFAULT_OPENDATA_RATE = 600;
const PLACE = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_PLACES = 100;

const Id = Type.Object({ id: Type.String({ pattern: "^[a-z][a-z0-9-]{2,79}$" }) });
const Range = {
  from: Type.Optional(Type.String({ description: "periods starting at or after (ISO 8601 or epoch ms)" })),
  to: Type.Optional(Type.String({ description: "periods starting before (ISO 8601 or epoch ms)" })),
  place: Type.Optional(Type.String({ description: "place codes, comma-separated (INSEE codes, sectors)" })),
};
const RecordsQuery = Query({
  ...Range,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, default: 0 })),
});
const DownloadParams = Type.Object({
  id: Id.properties.id,
  format: Type.Union(FORMAT_IDS.map((f) => Type.Literal(f))),
});
const ChangelogQuery = Query({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: "changelog ids strictly below this one" })),
});

/**
 * The whole open channel under its prefix, `/opendata`: CORS open to every origin and one rate
 * limit per address, registered once for the datasets and the residents' routes together (the
 * preflight answers under the prefix only, never for the private API).
 */
export async function openChannel(
  app: FastifyInstance,
  deps: ApiDeps,
  options: OpenDataRouteOptions,
): Promise<void> {
  await app.register(
    async (scope) => {
      await scope.register(cors, {
        origin: "*",
        methods: ["GET", "HEAD", "POST"],
        exposedHeaders: ["ETag", "Last-Modified", "Content-Disposition", "X-Alt-Text"],
      });
      await scope.register(rateLimit, {
        max: options.ratePerMinute,
        timeWindow: 60_000,
        errorResponseBuilder: tooMany,
      });
      await openDataRoutes(scope, deps, options);
      await reportRoutes(scope, deps);
      const { community, opendata } = deps;
      if (community && opendata) {
        await communityRoutes(scope, community, {
          datasetExists: publishedDataset(opendata),
          now: () => deps.clock.now(),
        });
      }
      await liveRoutes(scope, deps);
      await openDataChartRoutes(scope, deps);
    },
    { prefix: PREFIX },
  );
}

/** Where the open channel lives. */
export const PREFIX = "/opendata";

export async function openDataRoutes(
  app: FastifyInstance,
  deps: ApiDeps,
  options: OpenDataRouteOptions,
): Promise<void> {
  const service = deps.opendata;
  if (!service) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = (request: FastifyRequest) => options.publicUrl ?? `${request.protocol}://${request.host}`;
  const cache = new ResponseCache();
  /** The answer for this address at this version, from memory when it was made already. */
  const send = async (
    request: FastifyRequest,
    reply: FastifyReply,
    tag: string,
    make: () => Promise<CachedAnswer>,
  ) => {
    const answer = await cache.answer(`${base(request)}${request.url}`, tag, make);
    reply.type(answer.type);
    return answer.body;
  };

  typed.get(
    "/catalog",
    { schema: { tags: ["open data"], summary: "The published datasets" } },
    async (request, reply) => {
      const version = await service.catalogueVersion();
      if (notModified(request, reply, `catalog-${version.tag}`, version.modified)) return reply;
      return { datasets: (await service.list(false)).map((d) => publicInfo(d, base(request))) };
    },
  );
  typed.get(
    "/catalog.jsonld",
    {
      schema: {
        tags: ["open data"],
        summary: "The DCAT-AP 3 catalogue (JSON-LD)",
        produces: ["application/ld+json", "application/json"],
      },
    },
    async (request, reply) => {
      const version = await service.catalogueVersion();
      if (notModified(request, reply, `jsonld-${version.tag}`, version.modified)) return reply;
      return send(request, reply, version.tag, async () => ({
        type: "application/ld+json; charset=utf-8",
        body: JSON.stringify(dcatJsonLd(await service.catalogue(base(request)))),
      }));
    },
  );
  typed.get(
    "/catalog.ttl",
    {
      schema: { tags: ["open data"], summary: "The DCAT-AP 3 catalogue (Turtle)", produces: ["text/turtle"] },
    },
    async (request, reply) => {
      const version = await service.catalogueVersion();
      if (notModified(request, reply, `ttl-${version.tag}`, version.modified)) return reply;
      return send(request, reply, version.tag, async () => ({
        type: "text/turtle; charset=utf-8",
        body: await dcatTurtle(await service.catalogue(base(request))),
      }));
    },
  );
  typed.get(
    "/datasets/:id",
    {
      schema: { tags: ["open data"], summary: "A dataset's metadata, links and download counts", params: Id },
    },
    async (request, reply) => {
      const { id } = request.params;
      const version = await service.version(id);
      if (notModified(request, reply, `meta-${version.tag}`, version.modified)) return reply;
      const info = await service.get(id);
      return { ...publicInfo(info, base(request)), downloads: await service.downloads(id) };
    },
  );
  typed.get(
    "/datasets/:id/schema.json",
    { schema: { tags: ["open data"], summary: "The dataset's Frictionless Table Schema", params: Id } },
    async (request, reply) => {
      const { id } = request.params;
      const version = await service.version(id);
      if (notModified(request, reply, `schema-${version.tag}`, version.modified)) return reply;
      return tableSchema(await service.emptyTable(id));
    },
  );
  typed.get(
    "/datasets/:id/records",
    {
      schema: {
        tags: ["open data"],
        summary: "The dataset's published figures, filtered by period and place, paged",
        params: Id,
        querystring: RecordsQuery,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { limit = 100, offset = 0, ...range } = request.query;
      const filter = figureFilter(range);
      const version = await service.version(id);
      if (notModified(request, reply, `records-${version.tag}-${request.url}`, version.modified))
        return reply;
      return send(request, reply, version.tag, async () => {
        const { table, total } = await service.records(id, filter, limit, offset);
        const fields = table.fields.map((f) => ({
          name: f.name,
          type: f.type,
          title: f.title,
          ...(f.unit ? { unit: f.unit } : {}),
        }));
        const body = JSON.stringify({ dataset: id, total, limit, offset, fields, records: table.rows });
        return { type: "application/json; charset=utf-8", body };
      });
    },
  );
  typed.get(
    "/datasets/:id/data.:format",
    {
      schema: {
        tags: ["open data"],
        summary: "Download the dataset: CSV (RFC 4180), JSON, GeoJSON (RFC 7946) or Parquet",
        params: DownloadParams,
        querystring: Query(Range),
        produces: FORMAT_IDS.map((f) => FORMATS[f].mediaType.split(";")[0] as string),
      },
    },
    async (request, reply) => {
      const { id, format } = request.params;
      const filter = figureFilter(request.query);
      if (!isFormatId(format)) throw new BadRequestError(`unknown format ${String(format).slice(0, 20)}`);
      const spec = FORMATS[format];
      const version = await service.version(id);
      if (notModified(request, reply, `data-${version.tag}-${request.url}`, version.modified)) return reply;
      reply.header("content-disposition", `attachment; filename="${id}.${spec.extension}"`);
      const body = await send(request, reply, version.tag, async () => {
        const table = await service.table(id, filter, { geometries: format === "geojson" });
        const rendered = spec.render(table);
        return {
          type: spec.mediaType,
          body: typeof rendered === "string" ? rendered : Buffer.from(rendered),
        };
      });
      // A download is a file someone takes (a portal, curl, a link followed): a page's script
      // reading the data to draw it (Fetch Metadata: Sec-Fetch-Dest "empty") is not counted.
      if (request.headers["sec-fetch-dest"] !== "empty") await service.countDownload(id, format);
      return body;
    },
  );
  typed.get(
    "/datasets/:id/changelog",
    {
      schema: {
        tags: ["open data"],
        summary: "Every version of the dataset's figures, newest first, with its reason",
        params: Id,
        querystring: ChangelogQuery,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const version = await service.version(id);
      if (notModified(request, reply, `log-${version.tag}-${request.url}`, version.modified)) return reply;
      const { limit = 100, before } = request.query;
      const versions = await service.changelog(id, limit, before);
      return {
        dataset: id,
        versions: versions.map((v) => ({
          id: v.id,
          period_start: iso(v.period),
          place_code: v.place,
          version: v.version,
          value: v.value,
          devices: v.devices,
          status: v.status,
          published_at: iso(v.publishedAt),
          reason: v.reason,
          ...(v.previous ? { previous: v.previous } : {}),
        })),
      };
    },
  );
}

/** The administrators' side: every dataset with its state, a preview, the approval. */
export async function openDataAdminRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const service = deps.opendata;
  if (!service) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { preHandler: app.requireRole("admin") };
  typed.get(
    "/api/v1/opendata/datasets",
    {
      ...admin,
      schema: {
        tags: ["open data"],
        summary: "Every dataset the contracts declare, published or in preview",
      },
    },
    async () => ({ datasets: await service.list(true) }),
  );
  typed.get(
    "/api/v1/opendata/datasets/:id/preview",
    {
      ...admin,
      schema: {
        tags: ["open data"],
        summary: "The figures the dataset would publish over a range, computed now and recorded nowhere",
        params: Id,
        querystring: Query({ from: Type.String(), to: Type.String() }),
      },
    },
    async (request) => {
      const from = parseTime(request.query.from, 0, "from");
      const to = parseTime(request.query.to, 0, "to");
      if (to <= from) throw new BadRequestError("to must be after from");
      const table = await service.preview(request.params.id, from, to);
      return { dataset: request.params.id, fields: table.fields, records: table.rows };
    },
  );
  typed.post(
    "/api/v1/opendata/datasets/:id/approve",
    {
      ...admin,
      schema: {
        tags: ["open data"],
        summary: "Approve the dataset's current definition for publication",
        params: Id,
      },
    },
    async (request) => service.approve(request.params.id, request.principal?.id ?? "admin"),
  );
}

function figureFilter(q: { from?: string; to?: string; place?: string }): FigureFilter {
  const places = q.place ? q.place.split(",").filter((p) => p !== "") : [];
  if (places.length > MAX_PLACES) throw new BadRequestError(`at most ${MAX_PLACES} places`);
  const bad = places.find((p) => !PLACE.test(p));
  if (bad !== undefined)
    throw new BadRequestError(`place ${JSON.stringify(bad.slice(0, 70))} is not a place code`);
  return {
    ...(q.from ? { from: parseTime(q.from, 0, "from") } : {}),
    ...(q.to ? { to: parseTime(q.to, 0, "to") } : {}),
    ...(places.length > 0 ? { places } : {}),
  };
}

/**
 * Sets the validators and caching headers; answers 304 when the client's copy is current. The
 * tag is derived from the dataset's version and the request, never from the body.
 */
function notModified(
  request: FastifyRequest,
  reply: FastifyReply,
  tag: string,
  modified: number | undefined,
): boolean {
  const etag = `W/"${hashTag(tag)}"`;
  reply.header("etag", etag).header("cache-control", CACHE);
  if (modified !== undefined) reply.header("last-modified", new Date(modified).toUTCString());
  const match = request.headers["if-none-match"];
  const since = request.headers["if-modified-since"];
  const fresh =
    match !== undefined
      ? match.split(",").some((t) => t.trim() === etag || t.trim() === "*")
      : since !== undefined &&
        modified !== undefined &&
        Math.floor(modified / 1000) * 1000 <= Date.parse(since);
  if (fresh) reply.code(304).send();
  return fresh;
}

function hashTag(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${h.toString(16)}-${text.length}`;
}

function publicInfo(d: Awaited<ReturnType<OpenDataService["get"]>>, base: string) {
  const self = `${base}/opendata/datasets/${d.id}`;
  return {
    id: d.id,
    title: d.title,
    description: d.description,
    keywords: d.keywords,
    licence: d.licence,
    licence_url: d.licenceUrl,
    indicator: d.indicator,
    unit: d.unit,
    granularity: d.granularity,
    level: d.level,
    frequency: d.frequency,
    min_devices: d.minDevices,
    contract: d.contract,
    definition_history: d.history.map((h) => ({ ...h, validFrom: iso(h.validFrom) })),
    figures: d.figures,
    first_period: d.first === undefined ? null : iso(d.first),
    last_period: d.last === undefined ? null : iso(d.last),
    modified: d.modified === undefined ? null : iso(d.modified),
    revisions: d.revisions,
    links: {
      self,
      schema: `${self}/schema.json`,
      records: `${self}/records`,
      changelog: `${self}/changelog`,
      downloads: Object.fromEntries(FORMAT_IDS.map((f) => [f, `${self}/data.${FORMATS[f].extension}`])),
    },
  };
}

function tooMany(_request: FastifyRequest, context: { after: string }) {
  return {
    statusCode: 429,
    code: "ERR_RATE_LIMITED",
    error: "Too Many Requests",
    message: `too many requests: the same limit for everyone, try again in ${context.after}`,
  };
}
