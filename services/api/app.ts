import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import swagger from "@fastify/swagger";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import type { ApiDeps } from "./deps.ts";
import { authPlugin } from "./plugins/auth.ts";
import { aggregateRoutes } from "./routes/aggregates.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { deviceRoutes } from "./routes/devices.ts";
import { healthRoutes } from "./routes/health.ts";
import { ingestRoutes } from "./routes/ingest.ts";
import { integrationRoutes } from "./routes/integrations.ts";
import { lorawanRoutes } from "./routes/lorawan.ts";
import { quarantineRoutes } from "./routes/quarantine.ts";
import { retentionRoutes } from "./routes/retention.ts";

export const OPENAPI_PATH = "/api/openapi.json";

/**
 * The HTTP API as a tree of plugins: external plugins (OpenAPI), app decorators (auth), then
 * routes. One error handler: coded 4xx errors are shown as they are, 5xx details are hidden from
 * the client and logged with their stack.
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
    ...options,
  });
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    done(null, payload);
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: "Lanterne API",
        version: "1",
        description: `Data of the connected public infrastructure of ${deps.owner.name}.`,
      },
      components: {
        securitySchemes: {
          basic: { type: "http", scheme: "basic", description: "operators: username and secret" },
          bearer: { type: "http", scheme: "bearer", description: "staff: <user id>.<token>" },
        },
      },
    },
  });
  await app.register(authPlugin, { authenticator: deps.authenticator });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ statusCode: 404, code: "ERR_NOT_FOUND", error: "Not Found", message: request.url }),
  );
  for (const routes of [
    healthRoutes,
    deviceRoutes,
    aggregateRoutes,
    quarantineRoutes,
    ingestRoutes,
    catalogRoutes,
    retentionRoutes,
    integrationRoutes,
    lorawanRoutes,
  ]) {
    await app.register(async (scope) => routes(scope, deps));
  }
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  return app;
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
  const code = error.validation ? "ERR_BAD_REQUEST" : (error.code ?? "ERR_BAD_REQUEST");
  return reply
    .code(status)
    .send({ statusCode: status, code, error: httpText(status), message: error.message });
}

function httpText(status: number): string {
  return (
    {
      400: "Bad Request",
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not Found",
      413: "Payload Too Large",
      422: "Unprocessable Entity",
      429: "Too Many Requests",
      503: "Service Unavailable",
    }[status] ?? "Error"
  );
}
