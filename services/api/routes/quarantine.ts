import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { QUARANTINE_STATES } from "../../access/quarantine-reads.ts";
import type { ApiDeps } from "../deps.ts";
import { parseOpenRange, parseQuarantineRequest, parseViolationRequest } from "../params.ts";
import { QuarantineSchema, Query, ViolationSchema } from "../schemas.ts";

const Paging = {
  from: Type.Optional(Type.String({ description: "received at or after: ISO 8601 or epoch ms" })),
  to: Type.Optional(Type.String({ description: "received before: ISO 8601 or epoch ms" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  // Bounded like any id (a 64-bit store column): a larger number is a 400, not a failed query.
  before: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "page: entries with an id below this one (the previous page's `next`)",
    }),
  ),
};

const QuarantineQuery = Query({
  operator: Type.Optional(Type.String({ description: "staff only; an operator always reads its own" })),
  device: Type.Optional(Type.String()),
  code: Type.Optional(Type.String({ description: "an error code such as ERR_DEVICE_UNKNOWN" })),
  state: Type.Optional(
    Type.Union(
      QUARANTINE_STATES.map((s) => Type.Literal(s)),
      {
        default: "open",
        description:
          "open (default): not replayed; replayed: left the quarantine by a replay (POST /api/v1/quarantine/replay); all",
      },
    ),
  ),
  ...Paging,
});

/** How an entry left the open view: its replay trace (services/clauses/replay-log.ts). */
export const ReplaySummarySchema = Type.Object({
  at: Type.String({ format: "date-time" }),
  by: Type.String({ description: "the principal who replayed it" }),
  role: Type.String(),
  outcome: Type.Union([Type.Literal("accepted"), Type.Literal("quarantined-again")]),
  contract: Type.Union([Type.String(), Type.Null()], { description: "contract version checked against" }),
  reasons: Type.Array(ViolationSchema),
  newQuarantineIds: Type.Array(Type.Integer()),
});

const QuarantineEntry = Type.Composite([
  QuarantineSchema,
  Type.Object({
    replay: Type.Union([ReplaySummarySchema, Type.Null()], {
      description: "the entry's replay, null while it is open",
    }),
  }),
]);

const QuarantinePage = Type.Object({
  total: Type.Integer({ description: "entries of the asked state matching the filter" }),
  entries: Type.Array(QuarantineEntry),
  next: Type.Union([Type.Integer(), Type.Null()]),
});

const Compliance = Type.Object({
  violations: Type.Array(
    Type.Object({ operator: Type.String(), code: Type.String(), count: Type.Integer() }),
  ),
  quarantined: Type.Integer(),
});

const ViolationQuery = Query({
  operator: Type.Optional(Type.String({ description: "staff only; an operator always reads its own" })),
  device: Type.Optional(Type.String()),
  field: Type.Optional(
    Type.String({
      description: "a field name (`active_power_w`) or a violation path (`data.active_power_w`)",
    }),
  ),
  code: Type.Optional(Type.String({ description: "an error code such as ERR_CONTRACT_OUT_OF_RANGE" })),
  ...Paging,
});

const ViolationPage = Type.Object({
  entries: Type.Array(
    Type.Object({
      id: Type.Integer(),
      receivedAt: Type.String({ format: "date-time" }),
      time: Type.String({ format: "date-time", description: "the reading's own time" }),
      operator: Type.String(),
      device: Type.String(),
      contract: Type.String(),
      field: Type.String({ description: "the violation's path in the reading, `data.<field>` for a field" }),
      value: Type.Optional(
        Type.Union([Type.Number(), Type.String()], {
          description: "the value dropped, as sent; absent for an unknown field or personal data",
        }),
      ),
      code: Type.String(),
      reason: Type.String(),
    }),
  ),
  next: Type.Union([Type.Integer(), Type.Null()], {
    description: "`before` of the next page; null at the end",
  }),
});

/**
 * The quarantine: every refused message with its reasons and raw payload. An operator lists its
 * own; technicians and administrators list everyone's. Also each operator's violation counts,
 * the basis of its compliance with the data contract, and each violation behind them
 * (services/access/quarantine-reads.ts).
 */
export async function quarantineRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.requireRole("admin", "technician", "operator") };
  const reads = deps.access.quarantine;
  typed.get(
    "/api/v1/quarantine",
    {
      ...auth,
      schema: {
        tags: ["quarantine"],
        summary: "Refused messages with their reasons and raw payload",
        description:
          "Most recent first. An operator reads what it sent; staff read everyone's. Replayed entries " +
          "leave the open view (the default) and are listed with `state=replayed` or `state=all`, with their replay.",
        querystring: QuarantineQuery,
        response: { 200: QuarantinePage },
      },
    },
    async (request) => reads.quarantine(request.principal, parseQuarantineRequest(request.query)),
  );
  typed.get(
    "/api/v1/compliance",
    {
      ...auth,
      schema: {
        tags: ["quarantine"],
        summary: "Violation and quarantine counts per operator and code",
        description: "An operator reads its own counts. `/api/v1/violations` lists each violation counted.",
        querystring: Query({
          from: Type.Optional(Type.String({ description: "received at or after" })),
          to: Type.Optional(Type.String({ description: "received before" })),
        }),
        response: { 200: Compliance },
      },
    },
    async (request) => reads.compliance(request.principal, parseOpenRange(request.query)),
  );
  typed.get(
    "/api/v1/violations",
    {
      ...auth,
      schema: {
        tags: ["quarantine"],
        summary: "Each violation of accepted readings: device, field, value dropped and reason",
        description:
          "The fields dropped from accepted readings (out of range, not an allowed value) and the fields " +
          "not in the contract, most recent first. An operator reads those of the readings it sent; staff " +
          "read everyone's.",
        querystring: ViolationQuery,
        response: { 200: ViolationPage },
      },
    },
    async (request) => reads.violations(request.principal, parseViolationRequest(request.query)),
  );
}
