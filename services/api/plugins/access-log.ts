import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { AccessAction } from "../../clauses/access-log.ts";
import type { AccessLog } from "../../clauses/file-access-log.ts";
import { rolesRequiredBy } from "./auth.ts";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The personal fields a route's answer holds, set by the route: the access log marks the
     * entry as a read of personal data and names them.
     */
    personalFields: string[] | undefined;
  }
  interface FastifyContextConfig {
    /** What a route does in the access log's words (an export, a replay...); by method otherwise. */
    accessAction?: AccessAction;
    /** The route writes its own entry (a destruction receipt): the request is not logged again. */
    accessLogsItself?: boolean;
  }
}

/**
 * Every request a role guard let through (what is not public) is written to the access log once
 * answered: who and in which role, the method, route and query, from which address, the status.
 * Public routes and refused requests (401, 403) are not accesses to data. Registered before the
 * routes, so that it sees each one's guard as it is declared.
 */
export const accessLogPlugin = fp(
  async (app: FastifyInstance, opts: { log: AccessLog; now: () => number }) => {
    const guarded = new Set<string>();
    app.decorateRequest("personalFields", undefined);
    app.addHook("onRoute", (route) => {
      if (!rolesRequiredBy(route.preHandler)) return;
      for (const method of [route.method].flat()) guarded.add(`${method} ${route.url}`);
    });
    app.addHook("onResponse", async (request, reply) => {
      const principal = request.principal;
      if (!principal || reply.statusCode === 401 || reply.statusCode === 403) return;
      if (!guarded.has(`${request.method} ${request.routeOptions.url}`)) return;
      if (request.routeOptions.config.accessLogsItself) return;
      opts.log.append({
        at: opts.now(),
        who: principal.id,
        role: principal.role,
        action: actionOf(request),
        what: `${request.method} ${request.url}`.slice(0, 2_000),
        from: request.ip,
        status: reply.statusCode,
        ...(request.personalFields?.length ? { personal: [...request.personalFields].sort() } : {}),
      });
    });
  },
  { name: "lanterne-access-log", dependencies: ["lanterne-auth"] },
);

function actionOf(request: FastifyRequest): AccessAction {
  const declared = request.routeOptions.config.accessAction;
  if (declared !== undefined) return declared;
  return request.method === "GET" || request.method === "HEAD" ? "read" : "write";
}
