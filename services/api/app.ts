import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { constants as zlibConstants } from "node:zlib";
import compress from "@fastify/compress";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import { loadConfig, sessionSettings } from "../config.ts";
import { UnknownParameterError } from "../domain/errors.ts";
import type { ApiDeps } from "./deps.ts";
import { acceptPlugin } from "./plugins/accept.ts";
import { accessLogPlugin } from "./plugins/access-log.ts";
import { authPlugin } from "./plugins/auth.ts";
import { operationsPlugin } from "./plugins/operations.ts";
import { sessionPlugin } from "./plugins/session.ts";
import { webPlugin } from "./plugins/web.ts";
import { accessLogRoutes } from "./routes/access-log.ts";
import { aggregateRoutes } from "./routes/aggregates.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { algorithmRoutes } from "./routes/algorithms.ts";
import { archiveRoutes } from "./routes/archives.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { clauseRoutes } from "./routes/clauses.ts";
import { communityAdminRoutes } from "./routes/community.ts";
import { contractRoutes } from "./routes/contracts.ts";
import { deviceRoutes } from "./routes/devices.ts";
import { domainRoutes } from "./routes/domains.ts";
import { eventRoutes } from "./routes/events.ts";
import { exportRoutes } from "./routes/exports.ts";
import { healthRoutes } from "./routes/health.ts";
import { ingestRoutes } from "./routes/ingest.ts";
import { integrationRoutes } from "./routes/integrations.ts";
import { lorawanRoutes } from "./routes/lorawan.ts";
import { mapRoutes } from "./routes/map.ts";
import { DEFAULT_OPENDATA_RATE, openChannel, openDataAdminRoutes } from "./routes/opendata.ts";
import { partnerRoutes } from "./routes/partners.ts";
import { quarantineRoutes } from "./routes/quarantine.ts";
import { registerRoutes } from "./routes/registers.ts";
import { replayRoutes } from "./routes/replay.ts";
import { retentionRoutes } from "./routes/retention.ts";
import { scorecardChartRoutes } from "./routes/scorecard-charts.ts";
import { sessionRoutes } from "./routes/session.ts";
import { ErrorBodyShared } from "./schemas.ts";

export const OPENAPI_PATH = "/api/openapi.json";
/** The interactive documentation (Swagger UI, served from the package's own files). */
export const DOCS_PATH = "/api/docs";

/**
 * The documentation page loads its scripts, styles and images from this server only, and runs
 * no inline script (the package's page has none): nothing from a CDN, nothing a proxy can swap.
 * Swagger UI's logo is a data: image; its validator badge is off (no call to validator.swagger.io).
 */
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; " +
  "script-src-attr 'none'; style-src 'self'";

/**
 * The HTTP API as a tree of plugins: external plugins (OpenAPI, its documentation page), app
 * decorators (auth), then the API's own scope: content negotiation and the operations' common
 * rules (plugins/accept.ts, plugins/operations.ts), and the routes. One error handler: coded 4xx
 * errors are shown as they are, 5xx details are hidden from the client and logged with their stack.
 *
 * Query strings are validated without stripping what the schema does not name: Fastify's
 * default Ajv removes unknown properties (`removeAdditional: true`), which silently turned
 * `?status=defectiveLamp` into an unfiltered answer. Every query schema is closed, and an unknown
 * parameter is a 400 ERR_UNKNOWN_PARAMETER naming it. Types are still coerced from the query
 * string's text (`coerceTypes: "array"`, Fastify's default).
 *
 * Logs go to `options.loggerInstance` (the platform's pino logger; none, no logs). Every request
 * has an id, the caller's `X-Request-Id` when it sent a sensible one (a reverse proxy's), else a
 * new UUID; it is in every line logged for the request and in the `X-Request-Id` response header,
 * so that an operator quoting it points at the log lines of a failure.
 */
export async function buildApp(deps: ApiDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // The id is chosen in genReqId, which checks the caller's header before trusting it.
    requestIdHeader: false,
    genReqId: requestId,
    logController: new QuietRequests(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true } },
    ...options,
  });
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    done(null, payload);
  });
  app.addSchema(ErrorBodyShared);
  await registerCompression(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: "Lanterne API",
        version: "1",
        description:
          `Data of the connected public infrastructure of ${deps.owner.name}. ` +
          "Every error answers with the one ErrorBody shape; clients test its `code`.",
      },
      components: {
        securitySchemes: {
          basic: { type: "http", scheme: "basic", description: "operators: username and secret" },
          bearer: {
            type: "http",
            scheme: "bearer",
            description: "staff: <user id>.<token>; partners: lp_<agreement id>_<secret>",
          },
          webhookSecret: {
            type: "apiKey",
            in: "header",
            name: "X-Lanterne-Secret",
            description: "a network server's webhook: the integration's shared secret",
          },
        },
      },
    },
    // Shared schemas by their own name (components.schemas.ErrorBody), not def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => localName(json, i) },
  });
  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    staticCSP: DOCS_CSP,
    validatorUrl: false,
    theme: { title: "Lanterne API" },
  });
  await app.register(sessionPlugin, {
    clock: deps.clock,
    settings: deps.session ?? sessionSettings(loadConfig({}, {})),
  });
  await app.register(authPlugin, { authenticator: deps.authenticator });
  if (deps.accessLog) {
    await app.register(accessLogPlugin, { log: deps.accessLog, now: () => deps.clock.now() });
  }
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ statusCode: 404, code: "ERR_NOT_FOUND", error: "Not Found", message: request.url }),
  );
  await app.register(webPlugin, { tiles: deps.map?.tiles ?? null });
  await app.register(async (api) => {
    await api.register(acceptPlugin);
    await api.register(operationsPlugin);
    for (const routes of [
      healthRoutes,
      deviceRoutes,
      aggregateRoutes,
      quarantineRoutes,
      replayRoutes,
      ingestRoutes,
      catalogRoutes,
      retentionRoutes,
      integrationRoutes,
      lorawanRoutes,
      algorithmRoutes,
      sessionRoutes,
      domainRoutes,
      mapRoutes,
    ]) {
      await api.register(async (scope) => routes(scope, deps));
    }
    await openChannel(api, deps, deps.opendataRoutes ?? { ratePerMinute: DEFAULT_OPENDATA_RATE });
    await api.register(async (scope) => openDataAdminRoutes(scope, deps));
    await api.register(async (scope) => accessLogRoutes(scope, deps));
    await api.register(async (scope) => clauseRoutes(scope, deps));
    await api.register(async (scope) => contractRoutes(scope, deps));
    await api.register(async (scope) => exportRoutes(scope, deps));
    await api.register(async (scope) => archiveRoutes(scope, deps));
    await api.register(async (scope) => registerRoutes(scope, deps));
    await api.register(async (scope) => scorecardChartRoutes(scope, deps));
    await api.register(async (scope) => partnerRoutes(scope, deps));
    const { community } = deps;
    if (community) {
      await api.register(async (scope) =>
        communityAdminRoutes(scope, community, {
          requireAdmin: scope.requireRole("admin"),
          now: () => deps.clock.now(),
        }),
      );
    }
    const { alerts } = deps;
    if (alerts) {
      await api.register(async (scope) => alertRoutes(scope, deps, alerts));
      await api.register(async (scope) => eventRoutes(scope, deps, alerts));
    }
    api.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  });
  return app;
}

/**
 * Answers are compressed (Brotli, else gzip) when the client accepts it and the body is over
 * 1 KiB: the map's rows and the pages' bundles travel in a fraction of their size. Brotli at its
 * fastest level: the map's 2.2 MB of rows for 20,000 assets took 5 ms to 196 KB, against 19 ms
 * to 192 KB at the plugin's level 4 and 15 ms to 237 KB with gzip.
 * Request bodies are read as sent, never inflated here: an operator's payload is judged on the
 * bytes it sent, and a small compressed body cannot grow past the body limits. The event stream
 * (SSE) is left out: it writes to the socket as events happen, never held back in a compressor.
 */
async function registerCompression(app: FastifyInstance): Promise<void> {
  app.addHook("onRoute", (route) => {
    route.decompress ??= false;
  });
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ["br", "gzip"],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } },
  });
}

function localName(json: Record<string, unknown>, i: number): string {
  return typeof json.$id === "string" ? json.$id : `def-${i}`;
}

/** An id a reverse proxy or client may set: short, and nothing that could forge a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Fastify writes two info lines per request; operators push readings over HTTPS, so that would
 * be lines per message. Here one debug line per request (LANTERNE_LOG_LEVEL=debug for an access
 * log); failures are logged by the error handler, Fastify's other incidents as Fastify does.
 */
class QuietRequests extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = { method: request.method, url: request.url, statusCode: reply.statusCode };
    if (error) reply.log.warn({ ...fields, err: error }, "request errored");
    else reply.log.debug({ ...fields, responseTime: reply.elapsedTime }, "request completed");
  }
}

function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status === 503) {
    // A coded, expected state (the store is not taking writes; the store watch logs its cause):
    // shown to the client, and logged without the alarm of an unexplained failure.
    request.log.warn({ err: error, method: request.method, url: request.url }, "request refused: 503");
  } else if (status >= 500) {
    request.log.error({ err: error, method: request.method, url: request.url }, "request failed");
    return reply.code(status).send({
      statusCode: status,
      code: "ERR_INTERNAL",
      error: "Internal Server Error",
      message: "internal error",
    });
  }
  const { code, message } = error.validation
    ? validationFailure(error, request)
    : { code: error.code ?? "ERR_BAD_REQUEST", message: error.message };
  return reply.code(status).send({ statusCode: status, code, error: httpText(status), message });
}

/**
 * A query string with a parameter its closed schema does not name is ERR_UNKNOWN_PARAMETER,
 * listing every unknown one (Ajv stops at the first) and the ones the route takes; any other
 * failed validation is ERR_BAD_REQUEST.
 */
function validationFailure(error: FastifyError, request: FastifyRequest): { code: string; message: string } {
  const unknown =
    error.validationContext === "querystring" &&
    error.validation?.some((v) => v.keyword === "additionalProperties");
  if (!unknown) return { code: "ERR_BAD_REQUEST", message: error.message };
  const known = Object.keys(propertiesOf(request.routeOptions.schema?.querystring));
  const given = typeof request.query === "object" && request.query !== null ? Object.keys(request.query) : [];
  const names = given.filter((name) => !known.includes(name)).slice(0, 10);
  const failure = new UnknownParameterError(
    names.map((n) => JSON.stringify(n)).join(", "),
    known.length > 0 ? known.join(", ") : "none",
  );
  return { code: failure.code, message: failure.message };
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null || !("properties" in schema)) return {};
  const { properties } = schema;
  return typeof properties === "object" && properties !== null ? { ...properties } : {};
}

function httpText(status: number): string {
  return (
    {
      400: "Bad Request",
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not Found",
      406: "Not Acceptable",
      413: "Payload Too Large",
      415: "Unsupported Media Type",
      422: "Unprocessable Entity",
      429: "Too Many Requests",
      503: "Service Unavailable",
    }[status] ?? "Error"
  );
}
