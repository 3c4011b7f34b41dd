import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";

const Commune = Type.Object({
  code: Type.String({ description: "INSEE code" }),
  name: Type.Union([Type.String(), Type.Null()], {
    description: "official name (Etalab's list); null for a code it does not hold",
  }),
  population: Type.Union([Type.Integer(), Type.Null()], { description: "municipal population (Etalab)" }),
  epci: Type.Union([Type.String(), Type.Null()], { description: "SIREN of the commune's EPCI" }),
  inEpci: Type.Boolean({
    description: "one of the territory's EPCI's communes; false for an inventory commune outside it",
  }),
  devices: Type.Record(Type.String(), Type.Integer(), { description: "devices per domain" }),
  outline: Type.Optional(
    Type.Union(
      [
        Type.Object({
          type: Type.Literal("Polygon"),
          coordinates: Type.Array(Type.Array(Type.Array(Type.Number()))),
        }),
        Type.Object({
          type: Type.Literal("MultiPolygon"),
          coordinates: Type.Array(Type.Array(Type.Array(Type.Array(Type.Number())))),
        }),
      ],
      {
        description:
          "the commune's outline the territory imported (territory.yaml `outlines`), a GeoJSON geometry in WGS 84 [lon, lat]; absent when it has none",
      },
    ),
  ),
});

const Territory = Type.Object({
  owner: Type.Object({
    id: Type.String(),
    name: Type.String(),
    siren: Type.Union([Type.String(), Type.Null()]),
  }),
  epci: Type.Union(
    [
      Type.Object({
        code: Type.String({ description: "SIREN" }),
        name: Type.Union([Type.String(), Type.Null()], { description: "official name (Etalab)" }),
      }),
      Type.Null(),
    ],
    { description: "the EPCI whose communes make up the territory (territory.yaml `epci`)" },
  ),
  communes: Type.Integer({ description: "communes listed by /api/v1/communes" }),
  devices: Type.Integer({ description: "devices in the inventory" }),
});

/** Public descriptions: the territory, its communes and the data contracts operators must meet. */
export async function catalogRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const catalog = deps.access.catalog;
  typed.get(
    "/api/v1/contracts",
    {
      schema: {
        tags: ["catalog"],
        summary: "The data contracts operators must meet, every version",
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
        summary: "The territory's communes, with names, populations and devices per domain",
        description:
          "Every commune of the territory's EPCI, with no device or some, then any commune of the inventory " +
          "outside it (`inEpci: false`), ordered by INSEE code. A commune whose outline the territory imported " +
          "carries it (`outline`, a GeoJSON Polygon or MultiPolygon).",
        response: { 200: Type.Array(Commune) },
      },
    },
    async () => catalog.communes(),
  );
  typed.get(
    "/api/v1/territory",
    {
      schema: {
        tags: ["catalog"],
        summary: "The territory: its owner and its EPCI",
        response: { 200: Territory },
      },
    },
    async () => catalog.territory(),
  );
}
