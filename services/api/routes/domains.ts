import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { EnergyRequest } from "../../access/domains/lighting-energy.ts";
import { createDomainViews } from "../../access/domains/views.ts";
import { toCollectCsv, toCollectGeoJson } from "../../access/domains/waste-export.ts";
import { BadRequestError } from "../../domain/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { givenTexts, parseRange, parseTime } from "../params.ts";
import { chooseFormat } from "../plugins/accept.ts";
import { Query } from "../schemas.ts";

const DAY = 86_400_000;
const Num = Type.Number();
const NullableNum = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const NullableText = (description: string) => Type.Union([Type.String(), Type.Null()], { description });
const Time = Type.String({ description: "ISO 8601 or epoch ms" });

// ---- lighting energy ------------------------------------------------------------------------

const EnergyQuery = Query({
  from: Type.Optional(Type.String({ description: "ISO 8601 or epoch ms; default: 30 days before `to`" })),
  to: Type.Optional(Type.String({ description: "ISO 8601 or epoch ms; default: now" })),
  referenceFrom: Time,
  referenceTo: Time,
  groupBy: Type.Optional(
    Type.Union([Type.Literal("lamp"), Type.Literal("cabinet"), Type.Literal("commune")], {
      default: "commune",
    }),
  ),
  tariff: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 100,
      description: "€ per kWh; required: the territory sets no default tariff (ERR_BAD_REQUEST without it)",
    }),
  ),
  commune: Type.Optional(Type.String({ description: "an INSEE code: that commune's lamps only" })),
});

const EnergyFigures = Type.Object({
  kwh: Type.Number({ description: "consumption over the period: the sum of the counters' daily rollups" }),
  kwhPerDay: Type.Number(),
  lampsMeasured: Type.Integer({ description: "lamps with a consumption in the period" }),
});

const Savings = {
  lamps: Type.Integer({ description: "lamps of the group in the inventory" }),
  period: EnergyFigures,
  reference: EnergyFigures,
  referenceScaledKwh: Type.Number({ description: "the reference's kWh per day × the period's days" }),
  savedKwh: Type.Number({ description: "referenceScaledKwh − period.kwh; negative when more was used" }),
  savedPercent: NullableNum("savedKwh / referenceScaledKwh × 100; null when the reference used nothing"),
  savedEur: Type.Number({ description: "savedKwh × tariff" }),
};

const EnergyAnswer = Type.Object({
  from: Type.String({ description: "the period answered: the one asked, widened to whole UTC days" }),
  to: Type.String(),
  days: Type.Integer(),
  referenceFrom: Type.String(),
  referenceTo: Type.String(),
  referenceDays: Type.Integer(),
  groupBy: Type.String(),
  tariffEurPerKwh: Num,
  scaling: Type.Literal("per day", { description: "both periods compared per day of their whole days" }),
  groups: Type.Array(
    Type.Object({
      key: Type.String({ description: "the lamp id, the cabinet id ((none) without one) or the INSEE code" }),
      commune: NullableText("the group's commune; null when a cabinet serves several"),
      cabinet: NullableText("the lamp's cabinet (lamp, cabinet)"),
      ...Savings,
    }),
  ),
  total: Type.Object(Savings),
});

// ---- water sectors --------------------------------------------------------------------------

const Gauge = {
  readings: Type.Integer(),
  mean: NullableNum("count-weighted mean of the sensors' daily rollups, bar"),
  min: NullableNum("bar"),
  max: NullableNum("bar"),
};

const Night = Type.Object({
  night: Type.String({ description: "the local date of the night window" }),
  minFlowM3h: Type.Number({ description: "the least hourly minimum of flow_m3h within the window" }),
});

const WaterAnswer = Type.Object({
  from: Type.String({ description: "the period answered: the one asked, widened to whole UTC days" }),
  to: Type.String(),
  days: Type.Integer(),
  night: Type.Object({ timeZone: Type.String(), startHour: Type.Integer(), endHour: Type.Integer() }),
  sectors: Type.Array(
    Type.Object({
      sector: Type.String({ description: "the inventory's `sector` ((none) without one)" }),
      communes: Type.Array(Type.String()),
      pressure: Type.Object({
        ...Gauge,
        sensors: Type.Integer(),
        sensorsReporting: Type.Integer(),
        days: Type.Array(Type.Object({ date: Type.String(), ...Gauge })),
      }),
      flow: Type.Object({
        meters: Type.Array(
          Type.Object({
            device: Type.String(),
            commune: Type.String(),
            nights: Type.Array(Night),
            trendM3hPerDay: NullableNum("least-squares slope of the nightly minima, m³/h per day"),
          }),
        ),
      }),
    }),
  ),
});

// ---- waste ----------------------------------------------------------------------------------

const FORMATS = { json: "application/json", csv: "text/csv", geojson: "application/geo+json" } as const;

const ToCollectQuery = Query({
  threshold: Type.Optional(
    Type.Number({ minimum: 0, maximum: 1, default: 0.8, description: "fill level from which to collect" }),
  ),
  horizonDays: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 60,
      default: 3,
      description: "also collect what is predicted full within this many days",
    }),
  ),
  commune: Type.Optional(Type.String({ description: "an INSEE code" })),
  stream: Type.Optional(Type.String({ description: "the inventory's waste stream (glass...)" })),
  all: Type.Optional(
    Type.Boolean({ default: false, description: "every container, not only those to collect" }),
  ),
  format: Type.Optional(
    Type.Union([Type.Literal("json"), Type.Literal("csv"), Type.Literal("geojson")], {
      description: "overrides the Accept header: json, csv (text/csv) or geojson (application/geo+json)",
    }),
  ),
});

const ContainerProperties = {
  device: Type.String(),
  commune: Type.String(),
  stream: NullableText("the inventory's waste stream"),
  fillingLevel: NullableNum("the latest fill level read in the last 35 days, 0..1"),
  measuredAt: NullableText("when it was read"),
  emptiedAt: NullableText("the first reading after the last emptying seen (a fall of more than 0.3)"),
  fillRatePerDay: NullableNum(
    "fill level gained per day: least squares over the readings since the emptying",
  ),
  predictedFullAt: NullableText("when that line reaches 1.0; null when it does not rise"),
  toCollect: Type.Boolean({ description: "at or above the threshold, or predicted full within the horizon" }),
};

const ToCollectAnswer = Type.Object({
  at: Type.String(),
  threshold: Num,
  horizonDays: Num,
  count: Type.Integer(),
  containers: Type.Array(Type.Object({ ...ContainerProperties, lat: Num, lon: Num })),
});

const ToCollectGeoJson = Type.Object(
  {
    type: Type.Literal("FeatureCollection"),
    features: Type.Array(
      Type.Object({
        type: Type.Literal("Feature"),
        geometry: Type.Object({
          type: Type.Literal("Point"),
          coordinates: Type.Array(Num, { minItems: 2, maxItems: 2, description: "[longitude, latitude]" }),
        }),
        properties: Type.Object(ContainerProperties),
      }),
    ),
  },
  { description: "RFC 7946 FeatureCollection of points (WGS 84, longitude first)" },
);

// ---- overview -------------------------------------------------------------------------------

const Conditions = Type.Object({
  ok: Type.Integer(),
  fault: Type.Integer(),
  silent: Type.Integer(),
  unknown: Type.Integer(),
});

const OverviewAnswer = Type.Object({
  at: Type.String(),
  domains: Type.Array(
    Type.Object(
      { domain: Type.String(), devices: Type.Integer(), conditions: Conditions },
      {
        description: "conditions now, by the rule of GET /api/v1/devices?at=",
      },
    ),
  ),
  openAlerts: Type.Array(
    Type.Object(
      { domain: Type.String(), severity: Type.String(), count: Type.Integer() },
      {
        description: "alerts not closed (open or acknowledged)",
      },
    ),
  ),
  worstCommunes: Type.Array(
    Type.Object({
      commune: Type.String(),
      devices: Type.Integer(),
      openAlerts: Type.Integer(),
      openAlertsPer100Devices: Num,
    }),
  ),
  silent: Type.Object({
    count: Type.Integer(),
    devices: Type.Array(
      Type.Object({
        device: Type.String(),
        domain: Type.String(),
        commune: Type.String(),
        operator: NullableText("who holds it now"),
        lastReadingAt: NullableText("its last reading within the day before"),
      }),
      { description: "the 20 quiet the longest" },
    ),
  }),
  operators: Type.Array(
    Type.Object({
      operator: Type.String(),
      devices: Type.Integer({ description: "devices it holds now" }),
      heard: Type.Integer({ description: "of those, read within their contract's expected period" }),
      lastMessageAt: NullableText("its devices' latest reading"),
      quarantined24h: Type.Integer({
        description: "its messages refused into quarantine over the last 24 h",
      }),
    }),
  ),
});

const json = (schema: TSchema) => ({ 200: schema });

/**
 * The domain pages' API: the energy manager's lighting energy, the water technician's sectors,
 * the waste collector's round and the overview (services/access/domains/ computes them).
 */
export async function domainRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const views = createDomainViews({
    policy: deps.access.policy,
    store: deps.store,
    contracts: deps.contracts,
    clock: deps.clock,
    ...(deps.alerts !== undefined ? { alerts: deps.alerts } : {}),
  });
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const staff = { preHandler: app.requireRole("admin", "technician") };
  typed.get(
    "/api/v1/lighting/energy",
    {
      ...staff,
      schema: {
        tags: ["domains"],
        summary: "Lighting energy per lamp, cabinet or commune against a reference period",
        description:
          "kWh of the streetlights' energy_kwh counters from their daily rollups (never raw readings), over " +
          "the period and the reference, each widened to whole UTC days and compared per day: the reference " +
          "is scaled to the period's days, saved = scaled reference − period, euros = saved kWh × tariff. Per " +
          "lamp or cabinet each period spans 92 days at most; per commune, ten years.",
        querystring: EnergyQuery,
        response: json(EnergyAnswer),
      },
    },
    async (request) =>
      views.lighting.energy(request.principal, energyRequest(request.query, deps.clock.now())),
  );
  typed.get(
    "/api/v1/water/sectors",
    {
      ...staff,
      schema: {
        tags: ["domains"],
        summary: "Pressure and minimum night flow per water-network sector",
        description:
          "Per sector (the inventory's `sector`): pressure_bar mean, min and max from its sensors' daily " +
          "rollups over the period and per day; for each flow meter of the sector (water_flow), the least " +
          "flow_m3h of each night between 02:00 and 05:00 Europe/Paris, and the trend of those minima. The " +
          "period is widened to whole UTC days, 92 at most; default: the last 28 days.",
        querystring: Query({
          from: Type.Optional(
            Type.String({ description: "ISO 8601 or epoch ms; default: 28 days before `to`" }),
          ),
          to: Type.Optional(Type.String({ description: "ISO 8601 or epoch ms; default: now" })),
        }),
        response: json(WaterAnswer),
      },
    },
    async (request) =>
      views.water.sectors(request.principal, parseRange(request.query, deps.clock.now(), 28 * DAY)),
  );
  typed.get(
    "/api/v1/waste/to-collect",
    {
      preHandler: app.requireRole("admin", "technician", "operator"),
      schema: {
        tags: ["domains"],
        summary: "Containers to collect, with their predicted-full date (JSON, CSV or GeoJSON)",
        description:
          "Each container's latest fill level, its fill rate (least squares over its readings since its last " +
          "emptying, a fall of more than 0.3), the date that line reaches 1.0, and whether to collect it: at or " +
          "above `threshold`, or predicted full within `horizonDays`. Sorted by predicted-full date (none last). " +
          "Staff see every container; an operator, those it holds. `format` (json, csv, geojson) wins over the " +
          "Accept header; else JSON when Accept admits it, else CSV, else GeoJSON.",
        querystring: ToCollectQuery,
        produces: Object.values(FORMATS),
        response: {
          200: {
            description: "the list",
            content: {
              "application/json": { schema: ToCollectAnswer },
              "text/csv": {
                schema: Type.String({
                  description:
                    "RFC 4180, header line: device, commune, stream, lat, lon, filling_level, measured_at, " +
                    "emptied_at, fill_rate_per_day, predicted_full_at, to_collect",
                }),
              },
              "application/geo+json": { schema: ToCollectGeoJson },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { format, threshold, horizonDays, all, ...rest } = request.query;
      const chosen = chooseFormat(request.headers.accept, format, FORMATS);
      const answer = await views.waste.list(request.principal, {
        threshold: threshold ?? 0.8,
        horizonDays: horizonDays ?? 3,
        all: all ?? false,
        ...givenTexts(rest, ["commune", "stream"]),
      });
      if (chosen === "csv")
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", 'attachment; filename="to-collect.csv"')
          .send(toCollectCsv(answer));
      if (chosen === "geojson")
        return reply.type("application/geo+json").send(JSON.stringify(toCollectGeoJson(answer)));
      return reply.type("application/json; charset=utf-8").send(answer);
    },
  );
  typed.get(
    "/api/v1/overview",
    {
      ...staff,
      schema: {
        tags: ["domains"],
        summary: "Every domain at a glance: conditions, open alerts, worst communes, silent devices, feeds",
        description:
          "Now: devices per domain and condition (the rule of GET /api/v1/devices?at=), alerts not closed " +
          "per domain and severity, the communes with most open alerts per 100 devices, the silent devices, " +
          "and per operator its devices, those heard within their expected period, its last reading and its " +
          "quarantined messages of the last 24 h.",
        response: json(OverviewAnswer),
      },
    },
    async (request) => views.overview.overview(request.principal),
  );
}

function energyRequest(q: Static<typeof EnergyQuery>, now: number): EnergyRequest {
  const period = parseRange(q, now, 30 * DAY);
  const referenceFrom = parseTime(q.referenceFrom, 0, "referenceFrom");
  const referenceTo = parseTime(q.referenceTo, 0, "referenceTo");
  if (referenceFrom >= referenceTo) throw new BadRequestError("referenceFrom must be before referenceTo");
  return {
    ...period,
    referenceFrom,
    referenceTo,
    groupBy: q.groupBy ?? "commune",
    ...(q.tariff !== undefined ? { tariff: q.tariff } : {}),
    ...givenTexts(q, ["commune"]),
  };
}

/** The `format` asked (which the Accept header must admit), else JSON, CSV or GeoJSON as Accept admits. */
