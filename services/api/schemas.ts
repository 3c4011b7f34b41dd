import { Type } from "@sinclair/typebox";

/** Response and query schemas shared by routes; they also make the OpenAPI document. */
export const ErrorBody = Type.Object({
  statusCode: Type.Number(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});

export const ViolationSchema = Type.Object({
  code: Type.String(),
  path: Type.String(),
  detail: Type.String(),
});

export const FieldValueSchema = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);

export const RangeQuery = {
  from: Type.Optional(Type.String({ description: "ISO 8601 or epoch ms; default: 24 h before `to`" })),
  to: Type.Optional(Type.String({ description: "ISO 8601 or epoch ms; default: now" })),
};

export const DeviceState = Type.Object({
  time: Type.String({ format: "date-time" }),
  operator: Type.String(),
  contract: Type.String(),
  values: Type.Record(Type.String(), Type.Object({ value: FieldValueSchema, time: Type.String() })),
});

/**
 * A device as its reader may see it. For an operator, `operator` is itself while it holds the
 * device and null otherwise, and `state` is null unless it holds the device now.
 */
export const DeviceSchema = Type.Object({
  id: Type.String(),
  domain: Type.String(),
  commune: Type.String(),
  operator: Type.Union([Type.String(), Type.Null()]),
  lat: Type.Number(),
  lon: Type.Number(),
  attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  state: Type.Union([DeviceState, Type.Null()]),
  periods: Type.Optional(
    Type.Array(Type.Object({ from: Type.String(), to: Type.Union([Type.String(), Type.Null()]) }), {
      description:
        "operators only: the periods it held the device (to: null while it lasts); its data are clipped to them",
    }),
  ),
});

export const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  quarantined: Type.Integer(),
  items: Type.Array(
    Type.Object({
      index: Type.Integer(),
      device: Type.Optional(Type.String()),
      status: Type.Union([Type.Literal("accepted"), Type.Literal("quarantined")]),
      violations: Type.Array(ViolationSchema),
    }),
  ),
});

export const QuarantineSchema = Type.Object({
  id: Type.Integer(),
  receivedAt: Type.String(),
  operator: Type.String(),
  device: Type.Union([Type.String(), Type.Null()]),
  contract: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  raw: Type.String(),
  truncated: Type.Boolean(),
  reasons: Type.Array(ViolationSchema),
});

export const AggregateSchema = Type.Object({
  time: Type.String(),
  commune: Type.Optional(Type.String()),
  domain: Type.Optional(Type.String()),
  operator: Type.Optional(Type.String()),
  field: Type.String(),
  measure: Type.Union([Type.Literal("gauge"), Type.Literal("counter")], {
    description:
      "gauge: count, mean, min and max of the values; counter: sum, the consumption over the bucket",
  }),
  count: Type.Integer({ description: "readings in the bucket" }),
  devices: Type.Integer(),
  mean: Type.Optional(Type.Number()),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  sum: Type.Optional(
    Type.Number({
      description:
        "a counter's consumption over the bucket: its meters' increases, a reset counted from zero, summed over devices",
    }),
  ),
});
