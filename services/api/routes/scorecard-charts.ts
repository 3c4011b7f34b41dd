import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  type ChartLang,
  DEFAULT_TREND_MONTHS,
  MAX_TREND_MONTHS,
  scorecardChartAlt,
  scorecardChartPng,
} from "../../clauses/scorecard-chart.ts";
import type { ApiDeps } from "../deps.ts";
import { Query } from "../schemas.ts";

/**
 * An operator's compliance with one contract month by month: as a PNG chart (the alt text in
 * X-Alt-Text) and as JSON (the figures the chart draws, for a table beside it). Staff name the
 * operator; an operator reads its own whatever it names (ClausesService.trend). The answer is
 * the caller's own view: private, never cached by a shared cache.
 */
const CACHE = "private, no-cache";

const Nullable = (schema: TSchema) => Type.Union([schema, Type.Null()]);
const Ratio = Nullable(Type.Number({ minimum: 0, maximum: 1 }));

const TrendQuery = {
  operator: Type.Optional(
    Type.String({ maxLength: 200, description: "staff: required; an operator reads its own" }),
  ),
  contract: Type.String({ minLength: 1, maxLength: 200 }),
  months: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_TREND_MONTHS,
      default: DEFAULT_TREND_MONTHS,
      description: "months shown",
    }),
  ),
  until: Type.Optional(
    Type.String({
      pattern: "^\\d{4}-\\d{2}$",
      description: "the last month shown, YYYY-MM (default: this month)",
    }),
  ),
};

const Lang = Type.Unsafe<ChartLang>(
  Type.String({ enum: ["fr", "en"], default: "fr", description: "language of the texts and the alt text" }),
);

const Trend = Type.Object({
  operatorId: Type.String(),
  contractId: Type.String(),
  months: Type.Integer(),
  targets: Type.Object({
    completeness: Type.Optional(Type.Number()),
    timeliness: Type.Optional(Type.Number()),
    conformity: Type.Optional(Type.Number()),
  }),
  points: Type.Array(
    Type.Object({
      month: Type.String({ description: "YYYY-MM" }),
      from: Type.Number({ description: "epoch ms, UTC" }),
      to: Type.Number({ description: "epoch ms, exclusive" }),
      devices: Type.Integer(),
      completeness: Ratio,
      timeliness: Ratio,
      conformity: Ratio,
      breaches: Type.Array(
        Type.Object({
          measure: Type.String(),
          value: Type.Number(),
          target: Type.Number(),
          exempted: Type.Boolean(),
        }),
      ),
    }),
  ),
  alt: Type.String({ description: "the chart's alt text, in the asked language" }),
});

export async function scorecardChartRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const clauses = deps.clauses;
  if (!clauses) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const preHandler = app.requireRole("admin", "technician", "operator");
  const ask = (q: {
    operator?: string | undefined;
    contract: string;
    months?: number | undefined;
    until?: string | undefined;
  }) => ({
    contract: q.contract,
    ...(q.operator !== undefined ? { operator: q.operator } : {}),
    ...(q.months !== undefined ? { months: q.months } : {}),
    ...(q.until !== undefined ? { until: q.until } : {}),
  });

  typed.get(
    "/api/v1/scorecards/chart.png",
    {
      preHandler,
      schema: {
        tags: ["clauses"],
        summary: "An operator's completeness, timeliness and conformity month by month, as a PNG chart",
        description:
          "Three lines from 0 to 100 %, the contract's targets dashed. The alt text is in the X-Alt-Text header, " +
          "percent-encoded UTF-8 (decodeURIComponent); /api/v1/scorecards/trend gives the same figures as JSON.",
        querystring: Query({
          ...TrendQuery,
          lang: Type.Optional(Lang),
          width: Type.Optional(
            Type.Integer({ minimum: 320, maximum: 1600, default: 960, description: "pixels" }),
          ),
        }),
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
      const { lang = "fr", width = 960, ...q } = request.query;
      const trend = await clauses.trend(request.principal, ask(q));
      const chart = await scorecardChartPng(trend, { width, height: Math.round(width / 2), lang });
      return reply
        .type("image/png")
        .header("cache-control", CACHE)
        .header("x-alt-text", encodeURIComponent(chart.alt))
        .send(chart.png);
    },
  );
  typed.get(
    "/api/v1/scorecards/trend",
    {
      preHandler,
      schema: {
        tags: ["clauses"],
        summary: "An operator's completeness, timeliness and conformity month by month, with the targets",
        querystring: Query({ ...TrendQuery, lang: Type.Optional(Lang) }),
        response: { 200: Trend },
      },
    },
    async (request, reply) => {
      const { lang = "fr", ...q } = request.query;
      const trend = await clauses.trend(request.principal, ask(q));
      reply.header("cache-control", CACHE);
      return { ...trend, alt: scorecardChartAlt(trend, lang) };
    },
  );
}
