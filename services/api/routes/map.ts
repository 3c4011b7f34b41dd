import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";

const MapConfig = Type.Object({
  tiles: Type.Union([Type.String(), Type.Null()], {
    description:
      "the tile server's URL template (LANTERNE_MAP_TILES, {z}/{x}/{y}); null: a plain background. " +
      "The pages' Content-Security-Policy allows its origin in img-src",
  }),
  attribution: Type.Union([Type.String(), Type.Null()], {
    description: "the credit the tile server asks for (LANTERNE_MAP_ATTRIBUTION), plain text; null: none",
  }),
});

/** What the map page needs of the platform's configuration, for the people who see the map. */
export async function mapRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const settings = { tiles: deps.map?.tiles ?? null, attribution: deps.map?.attribution ?? null };
  typed.get(
    "/api/v1/map/config",
    {
      preHandler: app.requireRole("admin", "technician", "operator"),
      schema: {
        tags: ["map"],
        summary: "The map's background: its tile server and attribution, or none",
        response: { 200: MapConfig },
      },
    },
    async () => settings,
  );
}
