import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { AccessLog } from "../../clauses/file-access-log.ts";
import { rolesRequiredBy } from "./auth.ts";

/**
 * Every request a role guard let through (what is not public) is written to the access log once
 * answered: who and in which role, the method, route and query, from which address, the status.
 * Public routes and refused requests (401, 403) are not accesses to data. Registered before the
 * routes, so that it sees each one's guard as it is declared.
 */
export const accessLogPlugin = fp(
  async (app: FastifyInstance, opts: { log: AccessLog; now: () => number }) => {
    const guarded = new Set<string>();
    app.addHook("onRoute", (route) => {
      if (!rolesRequiredBy(route.preHandler)) return;
      for (const method of [route.method].flat()) guarded.add(`${method} ${route.url}`);
    });
    app.addHook("onResponse", async (request, reply) => {
      const principal = request.principal;
      if (!principal || reply.statusCode === 401 || reply.statusCode === 403) return;
      if (!guarded.has(`${request.method} ${request.routeOptions.url}`)) return;
      opts.log.append({
        at: opts.now(),
        who: principal.id,
        role: principal.role,
        action: request.method === "GET" || request.method === "HEAD" ? "read" : "write",
        what: `${request.method} ${request.url}`.slice(0, 2_000),
        from: request.ip,
        status: reply.statusCode,
      });
    });
  },
  { name: "lanterne-access-log", dependencies: ["lanterne-auth"] },
);
