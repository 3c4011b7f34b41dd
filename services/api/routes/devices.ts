import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";
import { givenTexts, parseSeriesRequest } from "../params.ts";
import { DeviceSchema, FieldValueSchema, Query, RangeQuery } from "../schemas.ts";

const DeviceParams = Type.Object({ id: Type.String() });

const ListQuery = Query({
  commune: Type.Optional(Type.String({ description: "INSEE code" })),
  domain: Type.Optional(Type.String()),
  operator: Type.Optional(Type.String({ description: "staff only: devices this operator holds now" })),
});

const SeriesQuery = Query({
  ...RangeQuery,
  resolution: Type.Optional(Type.String({ description: "raw, or a bucket like 15m, 1h, 1d" })),
  fields: Type.Optional(Type.String({ description: "comma-separated field names" })),
});

const Series = Type.Object({
  device: Type.String(),
  from: Type.String(),
  to: Type.String(),
  resolution: Type.String(),
  points: Type.Array(
    Type.Object({
      time: Type.String({ description: "the point's time, or its bucket's start" }),
      from: Type.Optional(
        Type.String({
          description: "bucketed series: start of the period the bucket covers within the range",
        }),
      ),
      to: Type.Optional(Type.String({ description: "bucketed series: end of that period (exclusive)" })),
      field: Type.String(),
      count: Type.Integer(),
      mean: Type.Optional(Type.Number()),
      min: Type.Optional(Type.Number()),
      max: Type.Optional(Type.Number()),
      last: FieldValueSchema,
    }),
  ),
});

/**
 * The inventory with current states, and one device's series. Who sees what is the access
 * service's decision (services/access/policy.ts): staff see every device; an operator the devices
 * it holds now or held before, with their data clipped to its periods and to its own readings.
 */
export async function deviceRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.requireRole("admin", "technician", "operator") };
  const reads = deps.access.devices;

  typed.get(
    "/api/v1/devices",
    {
      ...auth,
      schema: {
        tags: ["devices"],
        summary: "The inventory with each device's current state",
        description:
          "Staff see every device; an operator the devices it holds now or held before, with their state " +
          "only while it holds them.",
        querystring: ListQuery,
        response: { 200: Type.Object({ count: Type.Integer(), devices: Type.Array(DeviceSchema) }) },
      },
    },
    async (request) =>
      reads.list(request.principal, givenTexts(request.query, ["commune", "domain", "operator"])),
  );

  typed.get(
    "/api/v1/devices/:id",
    {
      ...auth,
      schema: {
        tags: ["devices"],
        summary: "One device and its current state",
        params: DeviceParams,
        response: { 200: DeviceSchema },
      },
    },
    async (request) => reads.get(request.principal, request.params.id),
  );

  typed.get(
    "/api/v1/devices/:id/series",
    {
      ...auth,
      schema: {
        tags: ["devices"],
        summary: "A device's readings over a range, raw or in buckets",
        description: "An operator reads only its own readings, within the periods it held the device.",
        params: DeviceParams,
        querystring: SeriesQuery,
        response: { 200: Series },
      },
    },
    async (request) =>
      reads.series(request.principal, request.params.id, parseSeriesRequest(request.query, deps.clock.now())),
  );
}
