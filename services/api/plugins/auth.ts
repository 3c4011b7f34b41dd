import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { type Authenticator, type Principal, type Role, retryAfterSeconds } from "../../auth/principals.ts";
import { AuthInvalidError, AuthRequiredError, ForbiddenError } from "../../domain/errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyInstance {
    /** preHandler allowing only the given roles; the public (no credentials) gets 401. */
    requireRole(...roles: Role[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** Each guard made by requireRole, with its roles: what the OpenAPI document says of a route. */
const guards = new WeakMap<object, readonly Role[]>();

/**
 * Who is calling, from the Authorization header. Each kind of credential works in its own scheme
 * only, so that a staff token never doubles as a password:
 * - `Basic base64(username:secret)`: an operator (the same credentials as MQTT);
 * - `Bearer <user id>.<token>`: a user (administrator or technician).
 * No header: the public. A header that does not verify: 401, never a silent downgrade. Too many
 * recent failures for the username or the address: 429 `ERR_AUTH_THROTTLED` with `Retry-After`,
 * answered before the slow secret check.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { authenticator: Authenticator }) => {
    app.decorateRequest("principal", undefined);
    app.addHook("onRequest", async (request, reply) => {
      const header = request.headers.authorization;
      if (!header) return;
      let principal: Principal | undefined;
      try {
        principal = await identify(opts.authenticator, header, request.ip);
      } catch (err) {
        // The one error handler writes the body; the header has to be set here.
        const seconds = retryAfterSeconds(err);
        if (seconds !== undefined) reply.header("retry-after", String(seconds));
        throw err;
      }
      if (!principal) throw new AuthInvalidError();
      request.principal = principal;
    });
    app.decorate("requireRole", (...roles: Role[]) => {
      const guard = async (request: FastifyRequest) => {
        if (!request.principal) throw new AuthRequiredError();
        if (!roles.includes(request.principal.role))
          throw new ForbiddenError(`role ${request.principal.role}`);
      };
      guards.set(guard, roles);
      return guard;
    });
  },
  { name: "lanterne-auth" },
);

/**
 * The roles a route's preHandler (one function or a list) lets through; undefined when it has no
 * requireRole guard (a public route, or one that checks its own credential).
 */
export function rolesRequiredBy(preHandler: unknown): readonly Role[] | undefined {
  const hooks: unknown[] = Array.isArray(preHandler) ? preHandler : [preHandler];
  for (const hook of hooks) {
    const roles = typeof hook === "function" ? guards.get(hook) : undefined;
    if (roles) return roles;
  }
  return undefined;
}

async function identify(
  auth: Authenticator,
  header: string,
  address: string,
): Promise<Principal | undefined> {
  const [scheme, value = ""] = header.split(" ", 2);
  if (scheme?.toLowerCase() === "bearer") {
    const dot = value.indexOf(".");
    if (dot <= 0) return undefined;
    return auth.user(value.slice(0, dot), value.slice(dot + 1), { scheme: "bearer", address });
  }
  if (scheme?.toLowerCase() === "basic") {
    const text = Buffer.from(value, "base64").toString("utf8");
    const colon = text.indexOf(":");
    if (colon <= 0) return undefined;
    return auth.operator(text.slice(0, colon), text.slice(colon + 1), { scheme: "basic", address });
  }
  return undefined;
}
