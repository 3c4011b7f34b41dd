import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Agreement } from "../../clauses/partner-store.ts";
import type { PartnerPage, PartnerService } from "../../clauses/partners.ts";
import type { EpochMs } from "../../domain/types.ts";
import { parseTime } from "../params.ts";
import { errorResponse } from "../plugins/operations.ts";
import { FieldValueSchema, Query } from "../schemas.ts";

/** What the partner routes need; the rest of ApiDeps is not read. */
export interface PartnerRouteDeps {
  /** Partner agreements (services/clauses/partners.ts); without it these routes are not served. */
  partners?: PartnerService;
}

const Nullable = (schema: TSchema) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ description: "ISO 8601 or epoch ms" });
const Granularity = Type.Union([Type.Literal("raw"), Type.Literal("1h"), Type.Literal("1d")]);
const Tier = Type.Union([Type.Literal("1h"), Type.Literal("1d")]);

const ScopeItem = Type.Object(
  {
    contract: Type.String({ minLength: 1, maxLength: 200, description: "a contract id" }),
    fields: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      minItems: 1,
      maxItems: 200,
      description: "field names of the contract; a personal field is refused",
    }),
    granularity: Granularity,
  },
  { additionalProperties: false },
);

const AgreementBody = Type.Object(
  {
    partner: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: "e.g. Université de Lorraine — LIEC",
    }),
    purpose: Type.String({ minLength: 1, maxLength: 2000 }),
    legalReference: Type.String({ minLength: 1, maxLength: 2000, description: "e.g. a convention number" }),
    scope: Type.Array(ScopeItem, { minItems: 1, maxItems: 50 }),
    dataFrom: Type.Optional(Time),
    dataTo: Type.Optional(Time),
    validFrom: Type.Optional(Type.String({ description: "ISO 8601 or epoch ms; default: now" })),
    validTo: Type.String({ description: "ISO 8601 or epoch ms: the agreement ends then, always" }),
    pseudonymise: Type.Optional(
      Type.Boolean({ description: "forced to true when a contract of the scope requires it" }),
    ),
  },
  { additionalProperties: false },
);

const AgreementView = Type.Object({
  id: Type.String(),
  partner: Type.String(),
  purpose: Type.String(),
  legalReference: Type.String(),
  scope: Type.Array(
    Type.Object({ contract: Type.String(), fields: Type.Array(Type.String()), granularity: Granularity }),
  ),
  dataFrom: Nullable(Type.String({ format: "date-time" })),
  dataTo: Nullable(Type.String({ format: "date-time" })),
  validFrom: Type.String({ format: "date-time" }),
  validTo: Type.String({ format: "date-time" }),
  pseudonymise: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  endedAt: Nullable(Type.String({ format: "date-time" })),
  endedBy: Nullable(Type.String()),
  endReason: Nullable(Type.String()),
});

const PageQuery = {
  contract: Type.String({ minLength: 1, maxLength: 200 }),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
  fields: Type.Optional(
    Type.String({ maxLength: 4000, description: "comma-separated; default: the scope's" }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 40, description: "`next` of the previous page" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000 })),
};

const PageHead = {
  contract: Type.String(),
  fields: Type.Array(Type.String()),
  pseudonymised: Type.Boolean({ description: "devices are pseudonyms, without location or attributes" }),
  next: Nullable(Type.String({ description: "give it back as `cursor`; null: no more" })),
};

const ReadingsPage = Type.Object({
  ...PageHead,
  readings: Type.Array(
    Type.Object({
      device: Type.String(),
      time: Type.String({ format: "date-time" }),
      commune: Type.String(),
      values: Type.Record(Type.String(), FieldValueSchema),
      lat: Type.Optional(Type.Number()),
      lon: Type.Optional(Type.Number()),
      attributes: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
    }),
  ),
});

const RollupsPage = Type.Object({
  ...PageHead,
  tier: Tier,
  rollups: Type.Array(
    Type.Object({
      device: Type.String(),
      time: Type.String({ format: "date-time", description: "bucket start" }),
      field: Type.String(),
      count: Type.Integer(),
      mean: Type.Number(),
      min: Type.Number(),
      max: Type.Number(),
      sum: Type.Optional(Type.Number({ description: "a counter's consumption over the bucket" })),
    }),
  ),
});

/** A partner route's 401s, besides the usual ones: its agreement is over (or not begun). */
const PartnerErrors = {
  401: errorResponse(
    "No credentials (ERR_AUTH_REQUIRED), a key that does not verify (ERR_AUTH_INVALID), or an agreement not in force (ERR_AGREEMENT_ENDED)",
  ),
  403: errorResponse("Not a partner (ERR_FORBIDDEN), or outside the agreement (ERR_OUTSIDE_AGREEMENT)"),
};

const iso = (t: EpochMs | undefined) => (t === undefined ? null : new Date(t).toISOString());

function view(a: Agreement) {
  return {
    id: a.id,
    partner: a.partner,
    purpose: a.purpose,
    legalReference: a.legalReference,
    scope: a.scope.map((s) => ({ contract: s.contractId, fields: s.fields, granularity: s.granularity })),
    dataFrom: iso(a.dataFrom),
    dataTo: iso(a.dataTo),
    validFrom: new Date(a.validFrom).toISOString(),
    validTo: new Date(a.validTo).toISOString(),
    pseudonymise: a.pseudonymise,
    createdBy: a.createdBy,
    createdAt: new Date(a.createdAt).toISOString(),
    endedAt: iso(a.endedAt),
    endedBy: a.endedBy ?? null,
    endReason: a.endReason ?? null,
  };
}

function pageQuery(q: {
  contract: string;
  from?: string;
  to?: string;
  fields?: string;
  cursor?: string;
  limit?: number;
}) {
  const from = q.from !== undefined ? parseTime(q.from, 0, "from") : undefined;
  const to = q.to !== undefined ? parseTime(q.to, 0, "to") : undefined;
  const fields = q.fields
    ?.split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  return {
    contract: q.contract,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(fields !== undefined && fields.length > 0 ? { fields } : {}),
    ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
  };
}

function head<T>(page: PartnerPage<T>) {
  return {
    contract: page.contract,
    fields: page.fields,
    pseudonymised: page.pseudonymised,
    next: page.next ?? null,
  };
}

/**
 * Partner and research access (data clauses, item 7): administrators record, list and end the
 * agreements; a partner reads its own agreement and, within it, raw readings or rollups. Every
 * route is role-guarded, so the access log keeps every partner request with its role.
 */
export async function partnerRoutes(app: FastifyInstance, deps: PartnerRouteDeps): Promise<void> {
  const partners = deps.partners;
  if (!partners) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { preHandler: app.requireRole("admin") };
  const partner = { preHandler: app.requireRole("partner") };
  typed.post(
    "/api/v1/partners/agreements",
    {
      ...admin,
      schema: {
        tags: ["clauses"],
        summary: "Records a partner agreement; its key is in this answer only",
        body: AgreementBody,
        response: { 201: Type.Object({ agreement: AgreementView, key: Type.String() }) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const optional = (name: string, value: string | undefined) =>
        value === undefined ? {} : { [name]: parseTime(value, 0, name) };
      const { agreement, key } = await partners.create(request.principal, {
        partner: b.partner,
        purpose: b.purpose,
        legalReference: b.legalReference,
        scope: b.scope.map((s) => ({ contractId: s.contract, fields: s.fields, granularity: s.granularity })),
        ...optional("dataFrom", b.dataFrom),
        ...optional("dataTo", b.dataTo),
        ...optional("validFrom", b.validFrom),
        validTo: parseTime(b.validTo, 0, "validTo"),
        ...(b.pseudonymise !== undefined ? { pseudonymise: b.pseudonymise } : {}),
      });
      return reply.code(201).send({ agreement: view(agreement), key });
    },
  );
  typed.get(
    "/api/v1/partners/agreements",
    {
      ...admin,
      schema: {
        tags: ["clauses"],
        summary: "Every partner agreement, ended ones included (never their keys)",
        response: { 200: Type.Object({ agreements: Type.Array(AgreementView) }) },
      },
    },
    async (request) => ({ agreements: (await partners.list(request.principal)).map(view) }),
  );
  typed.post(
    "/api/v1/partners/agreements/:id/end",
    {
      ...admin,
      schema: {
        tags: ["clauses"],
        summary: "Ends an agreement now: its key lets nobody in from this instant",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: { 200: AgreementView },
      },
    },
    async (request) => view(await partners.end(request.principal, request.params.id, request.body.reason)),
  );
  typed.get(
    "/api/v1/partner/agreement",
    {
      ...partner,
      schema: {
        tags: ["partners"],
        summary: "The calling partner's agreement: scope, purpose, dates",
        response: { 200: AgreementView, ...PartnerErrors },
      },
    },
    async (request) => view(await partners.own(request.principal)),
  );
  typed.get(
    "/api/v1/partner/readings",
    {
      ...partner,
      schema: {
        tags: ["partners"],
        summary:
          "Raw readings of a contract the agreement grants raw, its fields only, in (time, device) order",
        querystring: Query(PageQuery),
        response: { 200: ReadingsPage, ...PartnerErrors },
      },
    },
    async (request) => {
      const page = await partners.readings(request.principal, pageQuery(request.query));
      const readings = page.items.map((r) => ({ ...r, time: new Date(r.time).toISOString() }));
      return { ...head(page), readings };
    },
  );
  typed.get(
    "/api/v1/partner/rollups",
    {
      ...partner,
      schema: {
        tags: ["partners"],
        summary: "Hourly or daily rollups per device of a contract the agreement grants",
        querystring: Query({ ...PageQuery, tier: Tier }),
        response: { 200: RollupsPage, ...PartnerErrors },
      },
    },
    async (request) => {
      const { tier, ...rest } = request.query;
      const page = await partners.rollups(request.principal, { ...pageQuery(rest), tier });
      const rollups = page.items.map((r) => ({ ...r, time: new Date(r.time).toISOString() }));
      return { ...head(page), tier, rollups };
    },
  );
}
