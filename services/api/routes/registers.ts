import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { csvOf, DEFAULT_LEGAL_BASIS, registerRows } from "../../clauses/processing-register.ts";
import type { RegistersService } from "../../clauses/registers-service.ts";
import { Query } from "../schemas.ts";

const Nullable = (schema: TSchema) => Type.Union([schema, Type.Null()]);
const Role = Type.Union([Type.Literal("admin"), Type.Literal("technician"), Type.Literal("operator")]);

const EntrySchema = Type.Object({
  contractId: Type.String(),
  contractName: Type.String(),
  domain: Type.String(),
  versions: Type.Array(Type.String(), { description: "the contract versions this line applies in" }),
  field: Type.String(),
  description: Nullable(Type.String()),
  unit: Nullable(Type.String()),
  purpose: Nullable(Type.String({ description: "null: no stated purpose, so the field is never stored" })),
  collected: Type.Boolean(),
  legalBasis: Type.String(),
  legalBasisIsDefault: Type.Boolean({
    description: `true: the contract names none; "${DEFAULT_LEGAL_BASIS}"`,
  }),
  retention: Type.Object({ rawDays: Type.Number(), hourlyDays: Type.Number(), dailyDays: Type.Number() }),
  recipients: Type.Array(Role, { description: "roles that may read the values" }),
  openData: Type.Literal(false),
  hostingLocation: Type.String(),
  hostingFromContract: Type.Boolean(),
  transfersOutsideEu: Type.String(),
});

const RegisterSchema = Type.Object({
  controller: Type.Object({ id: Type.String(), name: Type.String(), siren: Type.Optional(Type.String()) }),
  generatedAt: Type.Number({ description: "epoch ms" }),
  defaultLegalBasis: Type.String(),
  entries: Type.Array(EntrySchema),
});

const Count = Nullable(Type.Integer({ description: "null: not measured" }));

const ContractSobrietySchema = Type.Object({
  contractId: Type.String(),
  name: Type.String(),
  domain: Type.String(),
  versions: Type.Array(Type.String()),
  hostingLocation: Type.String(),
  fields: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Nullable(Type.String()),
      unit: Nullable(Type.String()),
      personal: Type.Boolean(),
      purpose: Nullable(Type.String()),
      collected: Type.Boolean(),
    }),
  ),
  readings: Type.Object({
    total: Type.Integer(),
    byMonth: Type.Array(Type.Integer(), { minItems: 12, maxItems: 12, description: "January first" }),
  }),
  stored: Type.Object({
    rawValuesOfYear: Count,
    tiers: Type.Array(
      Type.Object({
        tier: Type.String({ description: "raw, 1h or 1d" }),
        rows: Count,
        bytes: Count,
        oldest: Nullable(Type.Number()),
      }),
    ),
  }),
  retention: Type.Array(
    Type.Object({
      version: Type.String(),
      rawDays: Type.Number(),
      hourlyDays: Type.Number(),
      dailyDays: Type.Number(),
    }),
  ),
  deleted: Type.Object({
    rawReadingsPastRetention: Type.Integer(),
    lastPurge: Nullable(Type.Object({ at: Type.Number(), removed: Type.Integer() })),
  }),
  refused: Type.Object({ unknownFields: Type.Integer(), personalWithoutPurpose: Type.Integer() }),
});

const SobrietySchema = Type.Object({
  year: Type.Integer(),
  from: Type.Number(),
  to: Type.Number(),
  generatedAt: Type.Number(),
  hostingLocation: Type.String(),
  contracts: Type.Array(ContractSobrietySchema),
  footprint: Type.Object({
    timeSeriesMeasuredHere: Type.Boolean({ description: "false with InfluxDB: measured on its server" }),
    files: Type.Array(Type.Object({ name: Type.String(), bytes: Type.Integer() })),
    totalBytes: Type.Integer(),
  }),
  deletionsRecorded: Type.Literal(false, {
    description: "retention deletions are not tallied over time: only the running keeper's last purge",
  }),
});

export interface RegistersRouteDeps {
  registers?: RegistersService;
}

/**
 * The registers of the data clauses (staff): the personal-data processing register built from the
 * contracts (GDPR art. 30) and the yearly sobriety report.
 */
export async function registerRoutes(app: FastifyInstance, deps: RegistersRouteDeps): Promise<void> {
  const registers = deps.registers;
  if (!registers) return;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/api/v1/personal-data/register",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: {
        tags: ["clauses"],
        summary: "The personal-data processing register (GDPR art. 30), built from the contracts",
        description:
          "One line per contract and personal field: purpose, legal basis, categories, retention per tier, " +
          "recipients, hosting, transfers outside the EU, the versions it applies in. It holds no personal data.",
        querystring: Query({
          format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("csv")])),
        }),
        produces: ["application/json", "text/csv"],
        response: {
          200: {
            description: "the register",
            content: {
              "application/json": { schema: RegisterSchema },
              "text/csv": { schema: Type.String({ description: "RFC 4180, one row per entry" }) },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const register = registers.processingRegister(request.principal);
      if (request.query.format === "csv") {
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", 'attachment; filename="registre-traitements.csv"')
          .send(csvOf(registerRows(register)));
      }
      return reply.type("application/json; charset=utf-8").send(register);
    },
  );
  typed.get(
    "/api/v1/reports/sobriety",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: {
        tags: ["clauses"],
        summary: "The yearly sobriety report: what is collected, for what, kept how long, and removed",
        querystring: Query({ year: Type.Integer({ minimum: 1970, maximum: 9999 }) }),
        response: { 200: SobrietySchema },
      },
    },
    async (request) => registers.sobriety(request.principal, request.query.year),
  );
}
