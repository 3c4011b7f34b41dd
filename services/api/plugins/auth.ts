import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import {
  type Authenticator,
  type Principal,
  parsePartnerKey,
  type Role,
  retryAfterSeconds,
} from "../../auth/principals.ts";
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
 * - `Bearer <user id>.<token>`: a user (administrator or technician);
 * - `Bearer lp_<agreement id>_<secret>`: a partner under an agreement (services/clauses/partners.ts),
 *   refused with 401 `ERR_AGREEMENT_ENDED` once the agreement is not in force.
 * No header: the principal of the web session (plugins/session.ts), when its cookie names a live
 * one, else the public. A header always wins over a cookie. A header that does not verify: 401, never a silent downgrade. Too many
 * recent failures for the username or the address: 429 `ERR_AUTH_THROTTLED` with `Retry-After`,
 * answered before the slow secret check.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { authenticator: Authenticator }) => {
    app.decorateRequest("principal", undefined);
    app.addHook("onRequest", async (request, reply) => {
      const header = request.headers.authorization;
      if (!header) {
        request.principal = request.session?.principal;
        return;
      }
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

/** What a login form names: a staff account (id + token) or an operator (username + secret). */
export type LoginKind = "staff" | "operator";

/**
 * The login form's check, through the same authenticator and schemes as the Authorization header
 * (staff as Bearer, operators as Basic), so that a session's principal is exactly the header's for
 * the same credentials, and failures count in the same throttle. Sets `Retry-After` on a 429.
 */
export async function logIn(
  auth: Authenticator,
  login: { kind: LoginKind; identifier: string; secret: string },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Principal> {
  const attempt = { scheme: login.kind === "staff" ? "bearer" : "basic", address: request.ip } as const;
  let principal: Principal | undefined;
  try {
    principal =
      login.kind === "staff"
        ? await auth.user(login.identifier, login.secret, attempt)
        : await auth.operator(login.identifier, login.secret, attempt);
  } catch (err) {
    const seconds = retryAfterSeconds(err);
    if (seconds !== undefined) reply.header("retry-after", String(seconds));
    throw err;
  }
  if (!principal) throw new AuthInvalidError();
  return principal;
}

async function identify(
  auth: Authenticator,
  header: string,
  address: string,
): Promise<Principal | undefined> {
  const [scheme, value = ""] = header.split(" ", 2);
  if (scheme?.toLowerCase() === "bearer") {
    // A partner key has no dot, a user's token always has one: the two cannot be confused.
    const partner = parsePartnerKey(value);
    if (partner) return auth.partner(partner.id, partner.secret, { scheme: "bearer", address });
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
