import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { DeviceConditionAt } from "../../access/device-states-at.ts";
import { iso } from "../../access/views.ts";
import type { ApiDeps } from "../deps.ts";
import { parseTime } from "../params.ts";
import { Query } from "../schemas.ts";
import { deviceStatesAtOf } from "./devices.ts";

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

/** The columns of a map row, in order. */
export const MAP_COLUMNS = [
  "id",
  "domain",
  "commune",
  "operator",
  "lat",
  "lon",
  "condition",
  "time",
] as const;

const MapDevicesQuery = Query({
  at: Type.Optional(Type.String({ description: "the instant (ISO 8601 or epoch ms); absent: now" })),
  commune: Type.Optional(Type.String({ description: "an INSEE code" })),
  domain: Type.Optional(Type.String()),
  operator: Type.Optional(Type.String({ description: "staff: the operator that held the device then" })),
});

const Cell = Type.Union([Type.String(), Type.Number(), Type.Null()]);
const MapDevices = Type.Object({
  at: Type.String({ description: "the instant answered, ISO 8601" }),
  count: Type.Integer(),
  columns: Type.Array(Type.String(), { description: "the names of each row's cells, in order" }),
  rows: Type.Array(Type.Array(Cell), {
    description:
      "one row per device: id, domain, commune, operator (null: none then), lat, lon, condition (ok, fault, silent, unknown), time of its last reading (ISO 8601, null: none)",
  }),
});

/** A device at the instant as a map row: what the map draws, nothing else. */
function mapRow(c: DeviceConditionAt): Array<string | number | null> {
  const d = c.device;
  return [
    d.id,
    d.domain,
    d.commune,
    c.holder,
    d.lat,
    d.lon,
    c.condition,
    c.time === undefined ? null : iso(c.time),
  ];
}

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

  const states = deviceStatesAtOf(deps);
  typed.get(
    "/api/v1/map/devices",
    {
      preHandler: app.requireRole("admin", "technician", "operator"),
      schema: {
        tags: ["map"],
        summary: "Every device the caller may see, as compact rows for the map, now or at an instant",
        description:
          "The same devices, conditions and rules of access as GET /api/v1/devices?at=, without the values: " +
          "a row of eight cells per device, so that a territory of 100,000 assets loads at once.",
        querystring: MapDevicesQuery,
        response: { 200: MapDevices },
      },
      // The schema documents the rows; JSON.stringify writes them. The schema-compiled serializer
      // checks each of the 160,000 cells of 20,000 rows against the union of its types: eight
      // times slower for the same text, on the event loop every page shares.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) => {
      const { at, ...rest } = request.query;
      const filter = Object.fromEntries(
        Object.entries(rest).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
      );
      const instant = at === undefined || at === "" ? undefined : parseTime(at, 0, "at");
      const list = await states.conditions(request.principal, filter, instant);
      return {
        at: list.at,
        count: list.devices.length,
        columns: [...MAP_COLUMNS],
        rows: list.devices.map(mapRow),
      };
    },
  );
}
