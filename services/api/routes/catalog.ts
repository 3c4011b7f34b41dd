import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";

/** Public descriptions: the territory's communes and the data contracts operators must meet. */
export async function catalogRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/api/v1/contracts",
    {
      schema: {
        tags: ["catalog"],
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.String(),
              version: Type.String(),
              name: Type.String(),
              domain: Type.String(),
              owner: Type.String(),
              validFrom: Type.String(),
              licence: Type.String(),
              fields: Type.Array(
                Type.Object({
                  name: Type.String(),
                  type: Type.String(),
                  required: Type.Boolean(),
                  unit: Type.Optional(Type.String()),
                  minimum: Type.Optional(Type.Number()),
                  maximum: Type.Optional(Type.Number()),
                  allowed: Type.Optional(Type.Array(Type.String())),
                  personal: Type.Boolean(),
                }),
              ),
            }),
          ),
        },
      },
    },
    async () =>
      deps.contracts.all().map((c) => ({
        id: c.id,
        version: c.version,
        name: c.name,
        domain: c.domain,
        owner: c.owner.id,
        validFrom: new Date(c.validFrom).toISOString(),
        licence: c.licence,
        fields: [...c.fields.values()].map((f) => ({
          name: f.name,
          type: f.type,
          required: f.required,
          personal: f.personal,
          ...(f.unit ? { unit: f.unit } : {}),
          ...(f.minimum !== undefined ? { minimum: f.minimum } : {}),
          ...(f.maximum !== undefined ? { maximum: f.maximum } : {}),
          ...(f.allowed ? { allowed: [...f.allowed] } : {}),
        })),
      })),
  );
  typed.get(
    "/api/v1/communes",
    {
      schema: {
        tags: ["catalog"],
        response: {
          200: Type.Array(
            Type.Object({ code: Type.String(), devices: Type.Record(Type.String(), Type.Integer()) }),
          ),
        },
      },
    },
    async () =>
      deps.devices.communes().map((code) => {
        const devices: Record<string, number> = {};
        for (const d of deps.devices.list({ commune: code }))
          devices[d.domain] = (devices[d.domain] ?? 0) + 1;
        return { code, devices };
      }),
  );
}
