import swagger from "@fastify/swagger";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from "fastify";
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
 * routes. One error handler: coded 4xx errors are shown as they are, 5xx details are hidden.
 */
export async function buildApp(deps: ApiDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...options });
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

function errorHandler(
  this: FastifyInstance,
  error: FastifyError,
  _request: unknown,
  reply: import("fastify").FastifyReply,
) {
  const status = error.statusCode ?? 500;
  // 503 is a coded, expected state (the store is not taking writes); other 5xx details are hidden.
  if (status >= 500 && status !== 503) {
    this.log.error(error);
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
