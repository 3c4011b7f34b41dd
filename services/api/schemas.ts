import { type TProperties, Type } from "@sinclair/typebox";

/** Response and query schemas shared by routes; they also make the OpenAPI document. */

/** The one shape of every error answer (the error handler in app.ts writes it). */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer({ description: "the HTTP status" }),
    code: Type.String({ description: "what went wrong, from the error catalogue: ERR_BAD_REQUEST..." }),
    error: Type.String({ description: "the HTTP status text" }),
    message: Type.String({ description: "for people; clients test `code`, never this" }),
  },
  { additionalProperties: false },
);

export const ERROR_BODY_ID = "ErrorBody";

/** ErrorBody as added once to the app (app.addSchema), and referred to by every error response. */
export const ErrorBodyShared = { ...ErrorBody, $id: ERROR_BODY_ID };
export const ERROR_BODY_REF = Type.Ref(ERROR_BODY_ID);

/**
 * A query string: closed, so that a parameter the route does not take is refused
 * (ERR_UNKNOWN_PARAMETER) instead of being stripped and the answer given unfiltered.
 */
export function Query<T extends TProperties>(properties: T) {
  return Type.Object(properties, { additionalProperties: false });
}

export const ViolationSchema = Type.Object({
  code: Type.String(),
  path: Type.String(),
  detail: Type.String(),
  value: Type.Optional(
    Type.Union([Type.Number(), Type.String()], {
      description: "the value dropped, as sent (out of range, not allowed); never for personal data",
    }),
  ),
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
  assignments: Type.Optional(
    Type.Array(
      Type.Object({
        operator: Type.String(),
        from: Type.String({ format: "date-time" }),
        to: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
      }),
      {
        description:
          "staff only, on GET /api/v1/devices/{id}: who held the device and when, oldest first (to: null while it lasts, exclusive otherwise), a period still to come included",
      },
    ),
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
  time: Type.String({
    description: "the bucket's start (kept for older clients: `from` says the period the row covers)",
  }),
  from: Type.String({
    format: "date-time",
    description: "start of the period the row covers: its bucket within the answer's range",
  }),
  to: Type.String({
    format: "date-time",
    description: "end of the period the row covers (exclusive); one bucket: the answer's whole range",
  }),
  commune: Type.Optional(Type.String()),
  domain: Type.Optional(Type.String()),
  operator: Type.Optional(Type.String()),
  field: Type.String(),
  measure: Type.Union([Type.Literal("gauge"), Type.Literal("counter"), Type.Literal("state")], {
    description:
      "gauge: count, mean, min and max of the values; counter: sum, the consumption over the bucket; state: states, the time in each value",
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
  states: Type.Optional(
    Type.Record(Type.String(), Type.Number(), {
      description:
        "a state field's seconds in each of its values over the bucket, summed over devices: a reading's value holds until the device's next reading, a day at most, never past now",
    }),
  ),
});

const Time = (description?: string) =>
  Type.String({ format: "date-time", ...(description !== undefined ? { description } : {}) });
const NullableTime = (description: string) => Type.Union([Time(), Type.Null()], { description });
const NullableText = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

/** An alert of the faults issue (services/access/alert-reads.ts makes it). */
export const AlertSchema = Type.Object({
  id: Type.Integer(),
  subject: Type.String({ description: "a device id, or a group: `cabinet:arm-57038-01`, `gateway:...`" }),
  rule: Type.String({ description: "the rule that raised it" }),
  severity: Type.Union([
    Type.Literal("info"),
    Type.Literal("minor"),
    Type.Literal("major"),
    Type.Literal("critical"),
  ]),
  domain: Type.String(),
  commune: NullableText("INSEE code, when the subject is in one commune"),
  operator: NullableText("the operator the alert was raised under"),
  detail: Type.String(),
  status: Type.Union([Type.Literal("open"), Type.Literal("acknowledged"), Type.Literal("closed")], {
    description: "the human workflow; only a person closes an alert",
  }),
  cleared: Type.Boolean({
    description: "the condition has ended (the data cleared it); not closed for that",
  }),
  openedAt: Time(),
  acknowledgedAt: NullableTime("when a person acknowledged it"),
  acknowledgedBy: NullableText("who acknowledged it"),
  clearedAt: NullableTime("when the condition ended; null while it holds"),
  closedAt: NullableTime("when a person closed it"),
  closedBy: NullableText("who closed it"),
  assignee: NullableText("who deals with it"),
  comments: Type.Array(
    Type.Object({
      author: Type.String(),
      at: Time(),
      text: Type.String({ description: "plain text as written: escape it to show it in HTML" }),
    }),
  ),
  version: Type.Integer({ description: "pass it back with an act: another one is a 409 ERR_ALERT_STALE" }),
  timeToAcknowledgeS: Type.Union([Type.Number(), Type.Null()], {
    description: "seconds from opening to acknowledgement",
  }),
  timeToRepairS: Type.Union([Type.Number(), Type.Null()], {
    description: "seconds from opening to the last clearing: how long the fault lasted",
  }),
  children: Type.Array(Type.String(), {
    description: "device ids behind a correlated alert (a cabinet's streetlights); empty for one device",
  }),
  kind: NullableText("the rule kind that raised it (`silence`, `band`...)"),
});
