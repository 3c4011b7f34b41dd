import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { REPLAY_MAX, type ReplayFilter, type ReplayService } from "../../clauses/replay.ts";
import type { ReplayTrace } from "../../clauses/replay-log.ts";
import { parseOpenRange } from "../params.ts";
import { Query, ViolationSchema } from "../schemas.ts";

const Time = (description: string) => Type.String({ description: `${description}: ISO 8601 or epoch ms` });

const ReplayBody = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), {
        minItems: 1,
        maxItems: REPLAY_MAX,
        description: "quarantine entry ids",
      }),
    ),
    filter: Type.Optional(
      Type.Object(
        {
          operator: Type.Optional(Type.String({ description: "administrators only" })),
          device: Type.Optional(Type.String()),
          code: Type.Optional(Type.String({ description: "an error code such as ERR_CONTRACT_WRONG_TYPE" })),
          from: Type.Optional(Time("received at or after")),
          to: Type.Optional(Time("received before")),
        },
        { additionalProperties: false, description: `the open entries it matches, ${REPLAY_MAX} at most` },
      ),
    ),
    dryRun: Type.Optional(Type.Boolean({ default: false, description: "check only, write nothing" })),
  },
  { additionalProperties: false },
);

const ReplayEntry = Type.Object({
  id: Type.Integer(),
  outcome: Type.Union(
    ["accepted", "quarantined-again", "skipped", "refused"].map((o) => Type.Literal(o)),
    { description: "skipped: already replayed; refused: not replayable (truncated, own-codec source)" },
  ),
  reasons: Type.Array(ViolationSchema),
  contract: Type.Optional(Type.String({ description: "the contract version checked against" })),
  newQuarantineIds: Type.Optional(Type.Array(Type.Integer())),
});

const ReplayReport = Type.Object({
  dryRun: Type.Boolean(),
  replayedAt: Type.String({ format: "date-time" }),
  entries: Type.Array(ReplayEntry),
});

const Trace = Type.Object({
  id: Type.Integer(),
  quarantineId: Type.Integer(),
  replayedAt: Type.String({ format: "date-time" }),
  replayedBy: Type.String(),
  role: Type.String(),
  outcome: Type.Union([Type.Literal("accepted"), Type.Literal("quarantined-again")]),
  reasons: Type.Array(ViolationSchema),
  contract: Type.Union([Type.String(), Type.Null()]),
  newQuarantineIds: Type.Array(Type.Integer()),
  operator: Type.String(),
  device: Type.Union([Type.String(), Type.Null()]),
  receivedAt: Type.String({ format: "date-time", description: "the entry's first reception" }),
});

const TraceQuery = Query({
  operator: Type.Optional(Type.String({ description: "staff only; an operator always reads its own" })),
  from: Type.Optional(Time("replayed at or after")),
  to: Type.Optional(Time("replayed before")),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
});

/**
 * The quarantine's replay (services/clauses/replay.ts): administrators and operators replay
 * selected entries after a contract correction or a fixed codec; technicians read the traces
 * but do not replay (a replay writes readings in an operator's name). Each replay is in the
 * access log as action "replay".
 */
export async function replayRoutes(app: FastifyInstance, deps: { replay?: ReplayService }): Promise<void> {
  const service = deps.replay;
  if (!service) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.post(
    "/api/v1/quarantine/replay",
    {
      preHandler: app.requireRole("admin", "operator"),
      config: { accessAction: "replay" },
      schema: {
        tags: ["quarantine"],
        summary: "Replay quarantined messages through the pipeline",
        description:
          "By `ids` or by `filter` (open entries only), at most 1000 (ERR_REPLAY_TOO_MANY). Each entry " +
          "re-enters the pipeline as received, with the replay's time as reception time, and is checked " +
          "against the contract version valid at the reading's time. It stays in the quarantine store and " +
          "leaves the open view with a trace; an entry is replayed once (a second time: skipped). An " +
          "operator replays its own entries; another's id is ERR_QUARANTINE_NOT_FOUND. `dryRun` writes nothing.",
        body: ReplayBody,
        response: { 200: ReplayReport },
      },
    },
    async (request) => {
      const { ids, filter, dryRun } = request.body;
      const report = await service.replay(request.principal, {
        ...(ids !== undefined ? { ids } : {}),
        ...(filter !== undefined ? { filter: filterOf(filter) } : {}),
        ...(dryRun !== undefined ? { dryRun } : {}),
      });
      return { ...report, replayedAt: new Date(report.replayedAt).toISOString() };
    },
  );
  typed.get(
    "/api/v1/quarantine/replays",
    {
      preHandler: app.requireRole("admin", "technician", "operator"),
      schema: {
        tags: ["quarantine"],
        summary: "Replay traces: who replayed which entry, when, against which contract, with what outcome",
        description: "Most recent first. An operator reads the traces of its own entries.",
        querystring: TraceQuery,
        response: {
          200: Type.Object({ entries: Type.Array(Trace), next: Type.Union([Type.Integer(), Type.Null()]) }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await service.traces(request.principal, {
        ...(q.operator !== undefined ? { operator: q.operator } : {}),
        ...parseOpenRange(q),
        limit: q.limit ?? 100,
        ...(q.before !== undefined ? { before: q.before } : {}),
      });
      return { entries: page.entries.map(traceView), next: page.next };
    },
  );
}

function filterOf(f: {
  operator?: string;
  device?: string;
  code?: string;
  from?: string;
  to?: string;
}): ReplayFilter {
  const { from: _from, to: _to, ...texts } = f;
  return { ...texts, ...parseOpenRange(f) };
}

function traceView(t: ReplayTrace) {
  return {
    id: t.id ?? 0,
    quarantineId: t.quarantineId,
    replayedAt: new Date(t.replayedAt).toISOString(),
    replayedBy: t.replayedBy,
    role: t.role,
    outcome: t.outcome,
    reasons: t.reasons,
    contract: t.contract ?? null,
    newQuarantineIds: t.newQuarantineIds,
    operator: t.entry.operatorId,
    device: t.entry.deviceId ?? null,
    receivedAt: new Date(t.entry.receivedAt).toISOString(),
  };
}
