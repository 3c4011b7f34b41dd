import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";

const Readiness = Type.Object({ ready: Type.Boolean(), checks: Type.Record(Type.String(), Type.Boolean()) });

/** Liveness (the process answers) and readiness (the store and the broker are usable). */
export async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/health",
    {
      schema: {
        tags: ["health"],
        summary: "Liveness: the process answers",
        response: { 200: Type.Object({ status: Type.Literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );
  typed.get(
    "/ready",
    {
      schema: {
        tags: ["health"],
        summary: "Readiness: the store and the broker are usable",
        response: {
          200: Readiness,
          503: { ...Readiness, description: "Not ready: `checks` says which part is not" },
        },
      },
    },
    async (_req, reply) => {
      const checks = await deps.readiness();
      const ready = Object.values(checks).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ ready, checks });
    },
  );
  typed.get(
    "/api/v1/status",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: {
        tags: ["health"],
        summary: "Counters of the running platform",
        response: { 200: Type.Record(Type.String(), Type.Number()) },
      },
    },
    async () => deps.stats(),
  );
  typed.get(
    "/metrics",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: {
        tags: ["health"],
        summary: "Prometheus metrics",
        description:
          "Prometheus text format 0.0.4 (scrape with a staff bearer token). Prometheus' own Accept header " +
          "(OpenMetrics first, then text/plain) is served this format.",
        produces: ["text/plain"],
        response: { 200: Type.String({ description: "Prometheus text exposition format 0.0.4" }) },
      },
    },
    async (_req, reply) => reply.type("text/plain; version=0.0.4; charset=utf-8").send(await deps.metrics()),
  );
}
