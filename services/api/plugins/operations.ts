import { Type } from "@sinclair/typebox";
import type { FastifyInstance, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import type { Role } from "../../auth/principals.ts";
import { ERROR_BODY_REF } from "../schemas.ts";
import { rolesRequiredBy } from "./auth.ts";

/** The query string of a route that takes no parameter: any parameter is an unknown one. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * What every operation of the API says and checks alike, set in one place as each route is
 * added, so that a new route cannot forget it:
 * - its query string is closed: a route without one takes no parameter (ERR_UNKNOWN_PARAMETER);
 * - its OpenAPI `security`, from the roles of its `requireRole` guard: staff use the bearer
 *   scheme, operators the basic one, both where both may call; `[]` for a public route. A route
 *   that checks its own credential (a webhook's shared secret) declares `schema.security` itself;
 * - its error responses, all of the one `ErrorBody` shape: 400, 401, 406 and 429 for every route
 *   (credentials that do not verify are refused on a public route too, and throttled), 403 for a
 *   guarded one, 404 for one with a path parameter. A route declares the others it may answer
 *   (503, 413) in its own schema, which wins.
 * Hidden routes (the documents and the documentation page) are left as they are.
 */
export const operationsPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook("onRoute", (route) => {
      const schema = route.schema ?? {};
      if (schema.hide) return;
      const roles = rolesRequiredBy(route.preHandler);
      route.schema = {
        ...schema,
        querystring: schema.querystring ?? NoQuery,
        security: schema.security ?? securityFor(roles),
        response: { ...errorResponses(route, roles), ...responsesOf(schema.response) },
      };
    });
  },
  { name: "lanterne-operations", dependencies: ["lanterne-auth"] },
);

function securityFor(roles: readonly Role[] | undefined): { [scheme: string]: string[] }[] {
  if (roles === undefined) return [];
  return [
    ...(roles.some((r) => r !== "operator") ? [{ bearer: [] }] : []),
    ...(roles.includes("operator") ? [{ basic: [] }] : []),
  ];
}

/** An error response: JSON whatever the route produces on success (the error handler writes it). */
export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ERROR_BODY_REF } } };
}

function errorResponses(route: RouteOptions, roles: readonly Role[] | undefined) {
  const guarded = roles !== undefined;
  return {
    400: errorResponse(
      "A parameter the route does not take (ERR_UNKNOWN_PARAMETER), or one out of its format or range (ERR_BAD_REQUEST)",
    ),
    401: errorResponse(
      guarded
        ? "No credentials (ERR_AUTH_REQUIRED), or credentials that do not verify (ERR_AUTH_INVALID)"
        : "Credentials were sent and do not verify (ERR_AUTH_INVALID); send none to read as the public",
    ),
    ...(guarded
      ? {
          403: errorResponse(
            "The caller's role may not call the route, or the item is not its own (ERR_FORBIDDEN)",
          ),
        }
      : {}),
    ...(route.url.includes("/:") ? { 404: errorResponse("No such item (ERR_NOT_FOUND)") } : {}),
    406: errorResponse(
      "The Accept header admits none of the media types the route produces (ERR_NOT_ACCEPTABLE)",
    ),
    429: errorResponse(
      "Too many failed logins for this user name or address: retry after `Retry-After` seconds (ERR_AUTH_THROTTLED)",
    ),
  };
}

function responsesOf(response: unknown): Record<string, unknown> {
  return typeof response === "object" && response !== null ? { ...response } : {};
}
