import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { iso } from "../../access/views.ts";
import type { AccessAction } from "../../clauses/access-log.ts";
import type { ApiDeps } from "../deps.ts";
import { parseOpenRange } from "../params.ts";
import { Query } from "../schemas.ts";

const AccessQuery = Query({
  from: Type.Optional(Type.String({ description: "entries at or after (ISO 8601 or epoch ms)" })),
  to: Type.Optional(Type.String({ description: "entries before" })),
  who: Type.Optional(Type.String({ maxLength: 100 })),
  action: Type.Optional(
    Type.Union(["read", "write", "export", "replay", "import", "destroy"].map((a) => Type.Literal(a))),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: "entries with a lower sequence number" })),
});

/** The access log for administrators: its entries, newest first, and the chain's verdict. */
export async function accessLogRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const log = deps.accessLog;
  if (!log) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/api/v1/access-log",
    {
      preHandler: app.requireRole("admin"),
      schema: {
        tags: ["clauses"],
        summary: "Who read what, when and from where: the hash-chained access log, newest first",
        querystring: AccessQuery,
      },
    },
    async (request) => {
      const { limit = 100, before, who, action, ...range } = request.query;
      const { from, to } = parseOpenRange(range);
      const entries = await log.read({
        limit,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(who !== undefined ? { who } : {}),
        ...(action !== undefined ? { action: action as AccessAction } : {}),
        ...(before !== undefined ? { beforeSeq: before } : {}),
      });
      return {
        entries: entries.map((e) => ({ ...e, at: iso(e.at) })),
        next: entries.length === limit ? (entries.at(-1)?.seq ?? null) : null,
      };
    },
  );
  typed.get(
    "/api/v1/access-log/verify",
    {
      preHandler: app.requireRole("admin"),
      schema: {
        tags: ["clauses"],
        summary: "Checks the whole chain: intact, or the first entry that does not hold",
      },
    },
    async () => log.verify(),
  );
}
