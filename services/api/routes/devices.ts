import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { createDeviceStatesAt, type DeviceStatesAt } from "../../access/device-states-at.ts";
import { personalFieldNames } from "../../access/policy.ts";
import type { EpochMs } from "../../domain/types.ts";
import type { ApiDeps } from "../deps.ts";
import { givenTexts, parseSeriesRequest, parseTime } from "../params.ts";
import { DeviceSchema, FieldValueSchema, Query, RangeQuery } from "../schemas.ts";

const DeviceParams = Type.Object({ id: Type.String() });

const At = Type.Optional(
  Type.String({
    description:
      "a past instant, ISO 8601 or epoch ms: each device's values and condition as they were then " +
      "(values of the last reading at or before it, looked up a day back). Not after now (ERR_BAD_REQUEST).",
  }),
);

const ListQuery = Query({
  commune: Type.Optional(Type.String({ description: "INSEE code" })),
  domain: Type.Optional(Type.String()),
  operator: Type.Optional(
    Type.String({ description: "staff only: devices this operator holds now (with `at`: held then)" }),
  ),
  at: At,
});

const OneQuery = Query({ at: At });

/** A device; with `at`, also its condition and active alerts at that instant. */
const DeviceAtSchema = Type.Object({
  ...DeviceSchema.properties,
  condition: Type.Optional(
    Type.Union([Type.Literal("ok"), Type.Literal("fault"), Type.Literal("silent"), Type.Literal("unknown")], {
      description:
        "with `at` only. fault: an alert other than a silence active then (neither cleared nor closed) " +
        "about the device; silent: a silence alert active then, or no reading for longer than its " +
        "contract's silence rule (cadence + grace), else its expected period + latency; unknown: no " +
        "reading the caller may see in the day before; ok: otherwise",
    }),
  ),
  alerts: Type.Optional(
    Type.Array(Type.Integer(), {
      description: "with `at` only: ids of the alerts about the device active then",
    }),
  ),
});

const DeviceList = Type.Object({
  at: Type.Optional(Type.String({ description: "the instant asked, when `at` was given" })),
  count: Type.Integer(),
  devices: Type.Array(DeviceAtSchema),
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

/** The devices at an instant (services/access/device-states-at.ts) over the API's dependencies. */
export function deviceStatesAtOf(deps: ApiDeps): DeviceStatesAt {
  return createDeviceStatesAt({
    policy: deps.access.policy,
    store: deps.store,
    ...(deps.alerts ? { alerts: deps.alerts } : {}),
    ...(deps.latest ? { latest: deps.latest } : {}),
    contracts: deps.contracts,
    clock: deps.clock,
  });
}

/**
 * The inventory with current states, and one device's series. Who sees what is the access
 * service's decision (services/access/policy.ts): staff see every device; an operator the devices
 * it holds now or held before, with their data clipped to its periods and to its own readings.
 */
export async function deviceRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.requireRole("admin", "technician", "operator") };
  const reads = deps.access.devices;
  const past = deviceStatesAtOf(deps);
  const instant = (at: string | undefined): EpochMs | undefined =>
    at === undefined || at === "" ? undefined : parseTime(at, 0, "at");
  // A read that shows personal fields is marked as such in the access log, with their names.
  const personal = personalFieldNames(deps.contracts);
  const note = <T>(request: FastifyRequest, answer: T, fields: (a: T) => Iterable<string>): T => {
    const shown = new Set<string>();
    for (const f of fields(answer)) if (personal.has(f)) shown.add(f);
    if (shown.size > 0) request.personalFields = [...shown];
    return answer;
  };
  const stateFields = (d: { state: { values: Record<string, unknown> } | null }) =>
    Object.keys(d.state?.values ?? {});

  typed.get(
    "/api/v1/devices",
    {
      ...auth,
      schema: {
        tags: ["devices"],
        summary: "The inventory with each device's current state, or its state at a past instant",
        description:
          "Staff see every device; an operator the devices it holds now or held before, with their state " +
          "only while it holds them. With `at`: staff see every device and who held it then; an operator " +
          "the devices it held then, its own readings and alerts.",
        querystring: ListQuery,
        response: { 200: DeviceList },
      },
    },
    async (request) => {
      const filter = givenTexts(request.query, ["commune", "domain", "operator"]);
      const at = instant(request.query.at);
      const answer = await (at === undefined
        ? reads.list(request.principal, filter)
        : past.list(request.principal, filter, at));
      return note(request, answer, (a) => a.devices.flatMap(stateFields));
    },
  );

  typed.get(
    "/api/v1/devices/:id",
    {
      ...auth,
      schema: {
        tags: ["devices"],
        summary: "One device and its current state, or its state at a past instant (`at`)",
        params: DeviceParams,
        querystring: OneQuery,
        response: { 200: DeviceAtSchema },
      },
    },
    async (request) => {
      const at = instant(request.query.at);
      const { principal } = request;
      const answer = await (at === undefined
        ? reads.get(principal, request.params.id)
        : past.get(principal, request.params.id, at));
      return note(request, answer, stateFields);
    },
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
    async (request) => {
      const q = parseSeriesRequest(request.query, deps.clock.now());
      const answer = await reads.series(request.principal, request.params.id, q);
      return note(request, answer, (a) => a.points.map((p) => p.field));
    },
  );
}
