import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { retentionReport } from "../../retention/report.ts";
import type { ApiDeps } from "../deps.ts";

const Line = Type.Object({
  tier: Type.String({ description: "raw, 1h (hourly rollups) or 1d (daily rollups)" }),
  domain: Type.String(),
  contract: Type.Optional(Type.String({ description: "raw tier: the contract version the rule covers" })),
  keepDays: Type.Number(),
  keepsFrom: Type.String({ description: "data older than this are deleted by the next purge" }),
  rows: Type.Number(),
  bytes: Type.Optional(Type.Number()),
  oldest: Type.Optional(Type.String()),
  lastRemoved: Type.Optional(Type.Number()),
});

const Report = Type.Object({
  at: Type.String(),
  lastRunAt: Type.Optional(Type.String()),
  lastError: Type.Optional(Type.String()),
  longestDays: Type.Record(Type.String(), Type.Number()),
  lines: Type.Array(Line),
});

const iso = (ms: number) => new Date(ms).toISOString();

/** What the contracts' retention clauses keep, for how long, and what each tier holds now (staff). */
export async function retentionRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/api/v1/retention",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: {
        tags: ["operations"],
        summary: "Retention: what each tier keeps, for how long, and what it holds",
        response: { 200: Report },
      },
    },
    async () => {
      const at = deps.clock.now();
      const report = retentionReport(
        deps.retention.plan,
        await deps.store.storageUsage(),
        at,
        deps.retention.status,
      );
      return {
        at: iso(report.at),
        ...(report.lastRunAt !== undefined ? { lastRunAt: iso(report.lastRunAt) } : {}),
        ...(report.lastError !== undefined ? { lastError: report.lastError } : {}),
        longestDays: report.longestDays,
        lines: report.lines.map(({ keepsFrom, oldest, ...l }) => ({
          ...l,
          keepsFrom: iso(keepsFrom),
          ...(oldest !== undefined ? { oldest: iso(oldest) } : {}),
        })),
      };
    },
  );
}
