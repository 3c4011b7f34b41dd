import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { QuarantineEntry } from "../../domain/types.ts";
import type { ApiDeps } from "../deps.ts";
import { parseTime } from "../params.ts";
import { QuarantineSchema } from "../schemas.ts";

/**
 * The quarantine: every refused message with its reasons and raw payload. An operator lists its
 * own; technicians and administrators list everyone's. Also each operator's violation counts,
 * the basis of its compliance with the data contract.
 */
export async function quarantineRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const auth = { preHandler: app.requireRole("admin", "technician", "operator") };
  app.get(
    "/api/v1/quarantine",
    {
      ...auth,
      schema: {
        tags: ["quarantine"],
        querystring: Type.Object({
          operator: Type.Optional(Type.String()),
          device: Type.Optional(Type.String()),
          code: Type.Optional(Type.String({ description: "an error code such as ERR_DEVICE_UNKNOWN" })),
          from: Type.Optional(Type.String()),
          to: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          before: Type.Optional(Type.Integer({ description: "page: entries with an id below this one" })),
        }),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            entries: Type.Array(QuarantineSchema),
            next: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query as Record<string, string | number | undefined>;
      const p = request.principal;
      const operatorId = p?.role === "operator" ? p.operatorId : (q.operator as string | undefined);
      const filter = {
        ...(operatorId ? { operatorId } : {}),
        ...(q.device ? { deviceId: String(q.device) } : {}),
        ...(q.code ? { code: String(q.code) } : {}),
        ...(q.from ? { from: parseTime(String(q.from), 0, "from") } : {}),
        ...(q.to ? { to: parseTime(String(q.to), 0, "to") } : {}),
      };
      const limit = Number(q.limit ?? 100);
      const entries = await deps.store.listQuarantine({
        ...filter,
        limit,
        ...(q.before !== undefined ? { beforeId: Number(q.before) } : {}),
      });
      const total = await deps.store.countQuarantine(filter);
      const last = entries.at(-1);
      return {
        total,
        entries: entries.map(entryView),
        next: entries.length === limit && last?.id !== undefined ? last.id : null,
      };
    },
  );
  app.get(
    "/api/v1/compliance",
    {
      ...auth,
      schema: {
        tags: ["quarantine"],
        querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) }),
        response: {
          200: Type.Object({
            violations: Type.Array(
              Type.Object({ operator: Type.String(), code: Type.String(), count: Type.Integer() }),
            ),
            quarantined: Type.Integer(),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query as { from?: string; to?: string };
      const p = request.principal;
      const range = {
        ...(q.from ? { from: parseTime(q.from, 0, "from") } : {}),
        ...(q.to ? { to: parseTime(q.to, 0, "to") } : {}),
        ...(p?.role === "operator" && p.operatorId ? { operatorId: p.operatorId } : {}),
      };
      const rows = await deps.store.countViolations(range);
      const quarantined = await deps.store.countQuarantine(range);
      return {
        violations: rows.map((r) => ({ operator: r.operatorId, code: r.code, count: r.count })),
        quarantined,
      };
    },
  );
}

function entryView(e: QuarantineEntry) {
  return {
    id: e.id ?? 0,
    receivedAt: new Date(e.receivedAt).toISOString(),
    operator: e.operatorId,
    device: e.deviceId ?? null,
    contract: e.contract ?? null,
    source: e.source,
    raw: e.raw,
    truncated: e.truncated,
    reasons: e.reasons,
  };
}
