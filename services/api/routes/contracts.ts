import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { DRY_RUN_MAX, dryRun } from "../../clauses/dry-run.ts";
import { contractHistory } from "../../contracts/changes.ts";
import { NotFoundError } from "../../domain/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { ViolationSchema } from "../schemas.ts";

const Id = Type.Object({ id: Type.String({ maxLength: 200 }) });

const VersionEntry = Type.Object({
  version: Type.String(),
  key: Type.String(),
  status: Type.String(),
  validFrom: Type.String({ format: "date-time" }),
  validTo: Type.Optional(Type.String({ format: "date-time" })),
  changelog: Type.Optional(Type.String({ description: "the collectivity's own words" })),
  breaking: Type.Boolean({ description: "data that met the version before may not meet this one" }),
  changes: Type.Array(
    Type.Object({
      kind: Type.String(),
      field: Type.Optional(Type.String()),
      detail: Type.String(),
      breaking: Type.Boolean(),
    }),
  ),
});

const DryRunBody = Type.Object(
  {
    version: Type.Optional(
      Type.String({ description: "check every reading by this version; default: by its time" }),
    ),
    operator: Type.Optional(Type.String({ description: "staff only: the operator the payload comes from" })),
    readings: Type.Array(
      Type.Object({
        device: Type.String({ maxLength: 200 }),
        time: Type.Union([Type.String({ maxLength: 40 }), Type.Number()]),
        data: Type.Record(Type.String(), Type.Unknown()),
      }),
      { minItems: 1, maxItems: DRY_RUN_MAX },
    ),
  },
  { additionalProperties: false },
);

const DryRunAnswer = Type.Object({
  contract: Type.String(),
  items: Type.Array(
    Type.Object({
      index: Type.Integer(),
      device: Type.String(),
      outcome: Type.Union([Type.Literal("accepted"), Type.Literal("quarantined")]),
      violations: Type.Array(ViolationSchema),
      contract: Type.Optional(Type.String()),
      values: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  ),
});

/**
 * A contract's versions with what each changes (public, like the contracts), and the dry run an
 * operator makes of a payload against a version before sending real data (nothing written).
 */
export async function contractRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/api/v1/contracts/:id/versions",
    {
      schema: {
        tags: ["catalog"],
        summary: "Every version of a contract, when it applies, and what it changes (breaking or not)",
        params: Id,
        response: { 200: Type.Object({ id: Type.String(), versions: Type.Array(VersionEntry) }) },
      },
    },
    async (request) => {
      const history = contractHistory(deps.contracts, request.params.id);
      if (history.length === 0) throw new NotFoundError(`contract ${request.params.id}`);
      return {
        id: request.params.id,
        versions: history.map(({ id: _id, validFrom, validTo, ...rest }) => ({
          ...rest,
          validFrom: new Date(validFrom).toISOString(),
          ...(validTo !== undefined ? { validTo: new Date(validTo).toISOString() } : {}),
        })),
      };
    },
  );
  typed.post(
    "/api/v1/contracts/:id/dry-run",
    {
      preHandler: app.requireRole("admin", "technician", "operator"),
      schema: {
        tags: ["catalog"],
        summary: "Checks a payload against a contract version as ingestion would, writing nothing",
        description:
          "Each reading's verdict: accepted (with the values that would be stored and what would be dropped) " +
          "or quarantined (with the reasons). An operator checks as itself; staff name the operator.",
        params: Id,
        body: DryRunBody,
        response: { 200: DryRunAnswer },
      },
    },
    async (request) =>
      dryRun(
        { devices: deps.devices, contracts: deps.contracts },
        request.principal,
        request.params.id,
        request.body,
      ),
  );
}
