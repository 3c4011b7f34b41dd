import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";

/** Liveness (the process answers) and readiness (the store and the broker are usable). */
export async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/health",
    { schema: { tags: ["health"], response: { 200: Type.Object({ status: Type.Literal("ok") }) } } },
    async () => ({ status: "ok" as const }),
  );
  typed.get(
    "/ready",
    {
      schema: {
        tags: ["health"],
        response: {
          200: Type.Object({ ready: Type.Boolean(), checks: Type.Record(Type.String(), Type.Boolean()) }),
          503: Type.Object({ ready: Type.Boolean(), checks: Type.Record(Type.String(), Type.Boolean()) }),
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
      schema: { tags: ["health"], response: { 200: Type.Record(Type.String(), Type.Number()) } },
    },
    async () => deps.stats(),
  );
  typed.get(
    "/metrics",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: { tags: ["health"], description: "Prometheus text format (scrape with a staff bearer token)." },
    },
    async (_req, reply) => reply.type("text/plain; version=0.0.4; charset=utf-8").send(await deps.metrics()),
  );
}
