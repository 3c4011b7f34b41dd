import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";
import { parseOpenRange, parseQuarantineRequest } from "../params.ts";
import { QuarantineSchema } from "../schemas.ts";

const QuarantineQuery = Type.Object({
  operator: Type.Optional(Type.String({ description: "staff only; an operator always reads its own" })),
  device: Type.Optional(Type.String()),
  code: Type.Optional(Type.String({ description: "an error code such as ERR_DEVICE_UNKNOWN" })),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  // Bounded like any id (a 64-bit store column): a larger number is a 400, not a failed query.
  before: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "page: entries with an id below this one",
    }),
  ),
});

const QuarantinePage = Type.Object({
  total: Type.Integer(),
  entries: Type.Array(QuarantineSchema),
  next: Type.Union([Type.Integer(), Type.Null()]),
});

const Compliance = Type.Object({
  violations: Type.Array(
    Type.Object({ operator: Type.String(), code: Type.String(), count: Type.Integer() }),
  ),
  quarantined: Type.Integer(),
});

/**
 * The quarantine: every refused message with its reasons and raw payload. An operator lists its
 * own; technicians and administrators list everyone's. Also each operator's violation counts,
 * the basis of its compliance with the data contract (services/access/quarantine-reads.ts).
 */
export async function quarantineRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.requireRole("admin", "technician", "operator") };
  const reads = deps.access.quarantine;
  typed.get(
    "/api/v1/quarantine",
    {
      ...auth,
      schema: { tags: ["quarantine"], querystring: QuarantineQuery, response: { 200: QuarantinePage } },
    },
    async (request) => reads.quarantine(request.principal, parseQuarantineRequest(request.query)),
  );
  typed.get(
    "/api/v1/compliance",
    {
      ...auth,
      schema: {
        tags: ["quarantine"],
        querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) }),
        response: { 200: Compliance },
      },
    },
    async (request) => reads.compliance(request.principal, parseOpenRange(request.query)),
  );
}
