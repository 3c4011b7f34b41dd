import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { OBLIGATIONS } from "../../clauses/clause-store.ts";
import { scorecardTable } from "../../clauses/scorecard-table.ts";
import type { ClausesService } from "../../clauses/service.ts";
import { toCsv } from "../../opendata/formats/csv.ts";
import type { ApiDeps } from "../deps.ts";
import { parseTime } from "../params.ts";
import { chooseFormat } from "../plugins/accept.ts";
import { Query } from "../schemas.ts";

const FORMATS = { json: "application/json", csv: "text/csv" } as const;
const Nullable = (schema: TSchema) => Type.Union([schema, Type.Null()]);
const Ratio = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
const Ms = Nullable(Type.Number());

const Period = Type.Object({
  kind: Type.Union([Type.Literal("day"), Type.Literal("month"), Type.Literal("year")]),
  label: Type.String(),
  from: Type.Number({ description: "epoch ms, UTC" }),
  to: Type.Number({ description: "epoch ms, exclusive" }),
});

const ScorecardSchema = Type.Object({
  operatorId: Type.String(),
  contractId: Nullable(Type.String({ description: "null: refusals no contract was found for" })),
  period: Period,
  devices: Type.Integer(),
  silentDevices: Type.Integer(),
  completeness: Type.Object({
    expected: Type.Integer({
      description: "readings the cadence promised for the time each device was held",
    }),
    received: Type.Integer(),
    counted: Type.Integer({ description: "received, each device counting at most its promise" }),
    ratio: Ratio,
  }),
  timeliness: Type.Object({
    readings: Type.Integer(),
    onTime: Type.Integer(),
    ratio: Ratio,
    promisedMs: Ms,
    meanMs: Ms,
    p95Ms: Ms,
    maxMs: Ms,
  }),
  conformity: Type.Object({
    accepted: Type.Integer(),
    quarantined: Type.Integer(),
    droppedValues: Type.Integer({ description: "each listed by /api/v1/violations" }),
    ratio: Ratio,
    reasons: Type.Array(
      Type.Object({
        kind: Type.Union([Type.Literal("quarantine"), Type.Literal("violation")]),
        code: Type.String(),
        count: Type.Integer(),
      }),
    ),
  }),
  targets: Type.Object({
    completeness: Type.Optional(Type.Number()),
    timeliness: Type.Optional(Type.Number()),
    conformity: Type.Optional(Type.Number()),
  }),
  breaches: Type.Array(
    Type.Object({
      measure: Type.String(),
      value: Type.Number(),
      target: Type.Number(),
      exempted: Type.Boolean({ description: "a registered exemption excuses it" }),
    }),
  ),
  exemptions: Type.Array(
    Type.Object({
      id: Type.Integer(),
      obligation: Type.String(),
      decision: Type.String(),
      fields: Type.Array(Type.String()),
    }),
  ),
  previous: Nullable(
    Type.Object(
      { completeness: Ratio, timeliness: Ratio, conformity: Ratio },
      { description: "the period before" },
    ),
  ),
});

const ScorecardQuery = Query({
  period: Type.String({
    pattern: "^\\d{4}(-\\d{2}(-\\d{2})?)?$",
    description: "a UTC day (2026-11-03), month (2026-11) or year (2026)",
  }),
  operator: Type.Optional(Type.String({ description: "staff only; an operator always reads its own" })),
  contract: Type.Optional(Type.String()),
  format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("csv")])),
});

const ExemptionSchema = Type.Object({
  id: Type.Integer(),
  contractId: Type.String(),
  operatorId: Type.Optional(Type.String({ description: "absent: every operator of the contract" })),
  fields: Type.Array(Type.String(), { description: "empty: every field" }),
  obligation: Type.String(),
  reason: Type.String(),
  decision: Type.String({ description: "the reference of the public decision" }),
  decidedAt: Type.String({ format: "date-time" }),
  from: Type.String({ format: "date-time" }),
  to: Type.Optional(Type.String({ format: "date-time" })),
  createdAt: Type.String({ format: "date-time" }),
  revokedAt: Type.Optional(Type.String({ format: "date-time" })),
  revokeReason: Type.Optional(Type.String()),
});

const NewExemptionBody = Type.Object(
  {
    contractId: Type.String({ minLength: 1, maxLength: 200 }),
    operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    fields: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200, default: [] }),
    obligation: Type.Union(OBLIGATIONS.map((o) => Type.Literal(o))),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    decision: Type.String({ minLength: 1, maxLength: 500 }),
    decidedAt: Type.String({ description: "ISO 8601 or epoch ms" }),
    from: Type.String({ description: "ISO 8601 or epoch ms" }),
    to: Type.Optional(Type.String({ description: "ISO 8601 or epoch ms" })),
  },
  { additionalProperties: false },
);

const BreachBody = Type.Object(
  {
    awareAt: Type.String({ description: "when the breach became known: the 72 hours run from here" }),
    description: Type.String({ minLength: 1, maxLength: 5000 }),
    contractIds: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100, default: [] }),
    fields: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 200, default: [] }),
    devicesAffected: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const BreachPatchBody = Type.Object(
  {
    notifiedAuthorityAt: Type.Optional(Type.String()),
    notifiedSubjectsAt: Type.Optional(Type.String()),
    measures: Type.Optional(Type.String({ maxLength: 5000 })),
    closedAt: Type.Optional(Type.String()),
    note: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);

const Id = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

/**
 * The data clauses measured and registered: compliance scorecards, the exemption register
 * (public), the personal-data breach record (administrators).
 */
export async function clauseRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const clauses = deps.clauses;
  if (!clauses) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/api/v1/scorecards",
    {
      preHandler: app.requireRole("admin", "technician", "operator"),
      schema: {
        tags: ["clauses"],
        summary: "Each operator's compliance with each contract over a day, month or year (JSON or CSV)",
        description:
          "Completeness against the cadence promised, timeliness against the contract's latency, conformity " +
          "(deliveries not quarantined, by reason), silent devices, breaches of the contract's targets and the " +
          "exemptions that excuse them, and the period before for the trend. An operator reads its own.",
        querystring: ScorecardQuery,
        produces: Object.values(FORMATS),
        response: {
          200: {
            description: "the scorecards",
            content: {
              "application/json": {
                schema: Type.Object({ period: Period, scorecards: Type.Array(ScorecardSchema) }),
              },
              "text/csv": {
                schema: Type.String({ description: "RFC 4180, one row per operator and contract" }),
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { format, ...q } = request.query;
      const answer = await clauses.scorecards(request.principal, q);
      if (chooseFormat(request.headers.accept, format, FORMATS) === "csv") {
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="scorecards-${answer.period.label}.csv"`)
          .send(toCsv(scorecardTable(answer.scorecards)));
      }
      return reply.type("application/json; charset=utf-8").send(answer);
    },
  );
  exemptionRoutes(app, clauses, deps);
  breachRoutes(app, clauses);
}

function exemptionRoutes(app: FastifyInstance, clauses: ClausesService, deps: ApiDeps): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const view = (e: Awaited<ReturnType<ClausesService["exemptions"]>>[number]) => {
    const { createdBy: _by, revokedBy: _rby, to: _to, revokedAt: _rat, ...rest } = e;
    return {
      ...rest,
      decidedAt: iso(e.decidedAt),
      from: iso(e.from),
      createdAt: iso(e.createdAt),
      ...(e.to !== undefined ? { to: iso(e.to) } : {}),
      ...(e.revokedAt !== undefined ? { revokedAt: iso(e.revokedAt) } : {}),
    };
  };
  typed.get(
    "/api/v1/exemptions",
    {
      schema: {
        tags: ["clauses"],
        summary: "The exemption register: public, dated, reasoned decisions",
        description: "Open to everyone: an exemption from an obligation of a contract is a public decision.",
        querystring: Query({
          contract: Type.Optional(Type.String()),
          operator: Type.Optional(Type.String()),
          at: Type.Optional(Type.String({ description: "in force at this instant (ISO 8601 or epoch ms)" })),
        }),
        response: { 200: Type.Object({ exemptions: Type.Array(ExemptionSchema) }) },
      },
    },
    async (request) => {
      const { contract, operator, at } = request.query;
      const list = await clauses.exemptions({
        ...(contract !== undefined ? { contractId: contract } : {}),
        ...(operator !== undefined ? { operatorId: operator } : {}),
        ...(at !== undefined ? { activeAt: parseTime(at, deps.clock.now(), "at") } : {}),
      });
      return { exemptions: list.map(view) };
    },
  );
  typed.post(
    "/api/v1/exemptions",
    {
      preHandler: app.requireRole("admin"),
      schema: {
        tags: ["clauses"],
        summary: "Registers an exemption granted by a public reasoned decision",
        body: NewExemptionBody,
        response: { 201: ExemptionSchema },
      },
    },
    async (request, reply) => {
      const { decidedAt, from, to, operatorId, ...rest } = request.body;
      const now = deps.clock.now();
      const created = await clauses.addExemption(request.principal, {
        ...rest,
        fields: rest.fields ?? [],
        ...(operatorId !== undefined ? { operatorId } : {}),
        decidedAt: parseTime(decidedAt, now, "decidedAt"),
        from: parseTime(from, now, "from"),
        ...(to !== undefined ? { to: parseTime(to, now, "to") } : {}),
      });
      return reply.code(201).send(view(created));
    },
  );
  typed.post(
    "/api/v1/exemptions/:id/revoke",
    {
      preHandler: app.requireRole("admin"),
      schema: {
        tags: ["clauses"],
        summary: "Ends an exemption, with the reason; it stays in the register",
        params: Id,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            at: Type.Optional(Type.String({ description: "when it ends (default: now)" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ExemptionSchema },
      },
    },
    async (request) => {
      const { reason, at } = request.body;
      const when = at !== undefined ? parseTime(at, deps.clock.now(), "at") : undefined;
      return view(await clauses.revokeExemption(request.principal, request.params.id, reason, when));
    },
  );
}

function breachRoutes(app: FastifyInstance, clauses: ClausesService): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { preHandler: app.requireRole("admin") };
  const time = (value: string | undefined, name: string) =>
    value === undefined ? undefined : parseTime(value, Date.now(), name);
  typed.get(
    "/api/v1/breaches",
    { ...admin, schema: { tags: ["clauses"], summary: "Personal-data breaches with what is due and when" } },
    async (request) => ({ breaches: await clauses.breaches(request.principal) }),
  );
  typed.post(
    "/api/v1/breaches",
    {
      ...admin,
      schema: {
        tags: ["clauses"],
        summary: "Records a personal-data breach: the 72-hour clock of GDPR art. 33 starts at awareAt",
        body: BreachBody,
      },
    },
    async (request, reply) => {
      const { awareAt, devicesAffected, ...rest } = request.body;
      const breach = await clauses.openBreach(request.principal, {
        ...rest,
        contractIds: rest.contractIds ?? [],
        fields: rest.fields ?? [],
        awareAt: parseTime(awareAt, Date.now(), "awareAt"),
        ...(devicesAffected !== undefined ? { devicesAffected } : {}),
      });
      return reply.code(201).send(breach);
    },
  );
  typed.patch(
    "/api/v1/breaches/:id",
    {
      ...admin,
      schema: {
        tags: ["clauses"],
        summary: "Records a notice, the measures taken, the closing; every change is kept",
        params: Id,
        body: BreachPatchBody,
      },
    },
    async (request) => {
      const b = request.body;
      const patch = {
        ...optionalTime("notifiedAuthorityAt", time(b.notifiedAuthorityAt, "notifiedAuthorityAt")),
        ...optionalTime("notifiedSubjectsAt", time(b.notifiedSubjectsAt, "notifiedSubjectsAt")),
        ...optionalTime("closedAt", time(b.closedAt, "closedAt")),
        ...(b.measures !== undefined ? { measures: b.measures } : {}),
        ...(b.note !== undefined ? { note: b.note } : {}),
      };
      return clauses.updateBreach(request.principal, request.params.id, patch);
    },
  );
}

function optionalTime<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
