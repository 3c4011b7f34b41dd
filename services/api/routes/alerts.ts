import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type TObject, type TProperties, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AlertReads, createAlertReads } from "../../access/alert-reads.ts";
import { MAX_COMMENT_LENGTH } from "../../alerts/errors.ts";
import type { AlertStore } from "../../alerts/store.ts";
import type { ApiDeps } from "../deps.ts";
import { parseAlertListRequest } from "../params.ts";
import { errorResponse } from "../plugins/operations.ts";
import { AlertSchema, Query } from "../schemas.ts";

const AlertListQuery = Query({
  status: Type.Optional(
    Type.Union([Type.Literal("open"), Type.Literal("acknowledged"), Type.Literal("closed")], {
      description: "the workflow status; whether the condition has ended is `cleared` in each alert",
    }),
  ),
  subject: Type.Optional(Type.String({ description: "a device id, or a group: `cabinet:arm-57038-01`" })),
  rule: Type.Optional(Type.String({ description: "the rule's id" })),
  domain: Type.Optional(Type.String()),
  commune: Type.Optional(Type.String({ description: "an INSEE code" })),
  at: Type.Optional(
    Type.String({
      description:
        "the alerts open at this past instant (raised at or before it, not closed then; cleared ones " +
        "included), from their history: ISO 8601 or epoch ms, not after now (ERR_BAD_REQUEST). Each " +
        "alert is shown as it is now; GET /api/v1/devices?at= gives which were active then.",
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "page: alerts with an id below this one (the previous page's `next`)",
    }),
  ),
});

const AlertPage = Type.Object({
  entries: Type.Array(AlertSchema),
  next: Type.Union([Type.Integer(), Type.Null()], {
    description: "`before` of the next page; null at the end",
  }),
});

const AlertId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

const Version = {
  version: Type.Integer({
    minimum: 1,
    description: "the alert's version the caller saw; another one is a 409 ERR_ALERT_STALE: read again",
  }),
};

/** A body: closed, so that a misspelt field is a 400 rather than silently ignored. */
function Body<T extends TProperties>(properties: T): TObject<T> {
  return Type.Object(properties, { additionalProperties: false });
}

/** Staff acts answer these besides the common errors (plugins/operations.ts). */
const ActErrors = {
  409: errorResponse(
    "The alert changed since the caller read it (ERR_ALERT_STALE), or cannot go there from its state (ERR_ALERT_TRANSITION)",
  ),
};

/**
 * The faults issue: alerts raised by the rules, and the staff's acts on them (acknowledge,
 * close, assign, comment). Who sees which alert is decided in services/access/alert-reads.ts.
 */
export async function alertRoutes(app: FastifyInstance, deps: ApiDeps, store: AlertStore): Promise<void> {
  const reads = alertReadsOf(deps, store);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const readers = { preHandler: app.requireRole("admin", "technician", "operator") };
  typed.get(
    "/api/v1/alerts",
    {
      ...readers,
      schema: {
        tags: ["alerts"],
        summary: "Alerts, newest first",
        description: "Staff read every alert; an operator, those of the devices and feeds it holds now.",
        querystring: AlertListQuery,
        response: { 200: AlertPage },
      },
    },
    async (request) => reads.list(request.principal, parseAlertListRequest(request.query)),
  );
  typed.get(
    "/api/v1/alerts/:id",
    {
      ...readers,
      schema: {
        tags: ["alerts"],
        summary: "One alert",
        description: "An alert the caller may not read is not found (404), whoever holds it.",
        params: AlertId,
        response: { 200: AlertSchema },
      },
    },
    async (request) => reads.get(request.principal, request.params.id),
  );
  actRoutes(app, reads);
}

/** Who reads and acts on which alert (services/access/alert-reads.ts), over the API's dependencies. */
export function alertReadsOf(deps: ApiDeps, store: AlertStore): AlertReads {
  return createAlertReads({ policy: deps.access.policy, store, devices: deps.devices, clock: deps.clock });
}

/** The staff's acts: each takes the version the caller saw, the caller is the actor. */
function actRoutes(app: FastifyInstance, reads: AlertReads): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const staff = { preHandler: app.requireRole("admin", "technician") };
  const schema = (summary: string) => ({
    tags: ["alerts"],
    summary,
    params: AlertId,
    response: { 200: AlertSchema, ...ActErrors },
  });
  typed.post(
    "/api/v1/alerts/:id/acknowledge",
    { ...staff, schema: { ...schema("Acknowledge an open alert"), body: Body(Version) } },
    async (request) =>
      reads.act(request.principal, request.params.id, { kind: "acknowledge", version: request.body.version }),
  );
  typed.post(
    "/api/v1/alerts/:id/close",
    { ...staff, schema: { ...schema("Close an alert: the fault is dealt with"), body: Body(Version) } },
    async (request) =>
      reads.act(request.principal, request.params.id, { kind: "close", version: request.body.version }),
  );
  typed.post(
    "/api/v1/alerts/:id/assign",
    {
      ...staff,
      schema: {
        ...schema("Assign an alert to someone"),
        body: Body({ ...Version, assignee: Type.String({ minLength: 1, maxLength: 200 }) }),
      },
    },
    async (request) => {
      const { version, assignee } = request.body;
      return reads.act(request.principal, request.params.id, { kind: "assign", version, assignee });
    },
  );
  typed.post(
    "/api/v1/alerts/:id/comments",
    {
      ...staff,
      schema: {
        ...schema("Comment on an alert"),
        description: "The text is stored and answered as given (plain text): escaping is the renderer's job.",
        // Length and blankness are the store's rule (ERR_ALERT_COMMENT), one code for both adapters.
        body: Body({
          ...Version,
          text: Type.String({ description: `plain text, ${MAX_COMMENT_LENGTH} characters at most` }),
        }),
      },
    },
    async (request) => {
      const { version, text } = request.body;
      return reads.act(request.principal, request.params.id, { kind: "comment", version, text });
    },
  );
}
