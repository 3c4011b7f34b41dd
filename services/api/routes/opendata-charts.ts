import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type ChartLang, type ChartSizeName, createDatasetCharts } from "../../opendata/chart-png.ts";
import type { ApiDeps } from "../deps.ts";
import { Query } from "../schemas.ts";

/**
 * A published dataset's chart on the open channel: a PNG for thumbnails and social previews
 * (Open Graph, 1200×630) and its alt text. Registered under the open channel's prefix, with its
 * CORS (which exposes X-Alt-Text) and rate limit (openChannel): the same answer for everyone.
 * The chart covers the dataset's latest periods (two weeks of hours, 92 days, three years of
 * months), read through the open-data service, so that an unknown or unpublished dataset is the
 * service's 404; it is rendered once per version of the dataset, size and language.
 */
const CACHE = "public, max-age=3600";

const Id = Type.Object({ id: Type.String({ pattern: "^[a-z][a-z0-9-]{2,79}$" }) });
const Size = Type.Unsafe<ChartSizeName>(
  Type.String({
    enum: ["thumbnail", "social"],
    default: "social",
    description: "thumbnail: 400×250; social: 1200×630 (Open Graph, social previews)",
  }),
);
const Lang = Type.Unsafe<ChartLang>(
  Type.String({ enum: ["fr", "en"], default: "fr", description: "language of the texts and the alt text" }),
);
const ChartQuery = Query({ size: Type.Optional(Size), lang: Type.Optional(Lang) });
const ChartInfo = Type.Object({
  alt: Type.String({ description: "the alt text: what the chart shows, in words" }),
  png: Type.String({ description: "URL of the chart's PNG" }),
  width: Type.Integer(),
  height: Type.Integer(),
});

export async function openDataChartRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const service = deps.opendata;
  if (!service) return;
  const charts = createDatasetCharts(service);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = (request: FastifyRequest) =>
    deps.opendataRoutes?.publicUrl ?? `${request.protocol}://${request.host}`;

  typed.get(
    "/datasets/:id/chart.png",
    {
      schema: {
        tags: ["open data"],
        summary: "The dataset's latest figures as a line chart (PNG), for thumbnails and social previews",
        description:
          "One line per place (the 8 with the most published figures), gaps where statistical secrecy hides a value. " +
          "The alt text is in the X-Alt-Text header, percent-encoded UTF-8 (decodeURIComponent), and in chart.json.",
        params: Id,
        querystring: ChartQuery,
        produces: ["image/png"],
        response: {
          200: {
            description: "the chart; its alt text in X-Alt-Text",
            content: { "image/png": { schema: Type.Unsafe<Buffer>(Type.String({ format: "binary" })) } },
          },
        },
      },
    },
    async (request, reply) => {
      const { size = "social", lang = "fr" } = request.query;
      const chart = await charts.chart(request.params.id, size, lang);
      return reply
        .type("image/png")
        .header("cache-control", CACHE)
        .header("x-alt-text", encodeURIComponent(chart.alt))
        .send(chart.png);
    },
  );
  typed.get(
    "/datasets/:id/chart.json",
    {
      schema: {
        tags: ["open data"],
        summary: "The dataset's chart: its alt text, the URL of its PNG and its size",
        params: Id,
        querystring: ChartQuery,
        response: { 200: ChartInfo },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { size = "social", lang = "fr" } = request.query;
      const chart = await charts.chart(id, size, lang);
      reply.header("cache-control", CACHE);
      const png = `${base(request)}${app.prefix}/datasets/${id}/chart.png?size=${size}&lang=${lang}`;
      return { alt: chart.alt, png, width: chart.width, height: chart.height };
    },
  );
}
