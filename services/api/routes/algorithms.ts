import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { algorithmRegister } from "../../alerts/register.ts";
import type { ApiDeps } from "../deps.ts";

const Text = Type.Object({
  purpose: Type.String(),
  data: Type.String(),
  decision: Type.String(),
  role: Type.String(),
});

const Version = Type.Object({
  contractVersion: Type.String(),
  validFrom: Type.String({ format: "date-time", description: "the version applies to readings from then" }),
  validTo: Type.Optional(Type.String({ format: "date-time" })),
  kind: Type.String(),
  severity: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
});

const Entry = Type.Object({
  rule: Type.String({ description: "the alert's rule id, contractId/ruleId" }),
  contract: Type.String(),
  contractVersion: Type.String({
    description: "the version in force now, or the latest that has the rule when it was withdrawn",
  }),
  inForce: Type.Boolean({ description: "false when the version in force now no longer has the rule" }),
  domain: Type.String(),
  kind: Type.String(),
  severity: Type.String(),
  description: Type.Optional(Type.String()),
  params: Type.Record(Type.String(), Type.Unknown()),
  parameters: Type.Record(Type.String(), Type.String()),
  register: Type.Object({ fr: Text, en: Text }),
  source: Type.String({ description: "the kind's code in the Lanterne source tree" }),
  history: Type.Array(Version, { description: "every contract version that has the rule, oldest first" }),
});

/** The public algorithm register, from the rules the engine runs (services/alerts/register.ts). */
export async function algorithmRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    "/api/v1/algorithms",
    {
      schema: {
        tags: ["catalog"],
        summary: "The register of the algorithms that raise alerts",
        description:
          "For each rule of each data contract: purpose, data used, how it decides, its role (it raises an alert; a person decides), parameters, source and the contract versions it has been part of.",
        response: { 200: Type.Object({ count: Type.Integer(), rules: Type.Array(Entry) }) },
      },
    },
    async () => {
      const rules = algorithmRegister(deps.contracts.all(), deps.clock.now());
      return { count: rules.length, rules };
    },
  );
}
