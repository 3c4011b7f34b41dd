import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Authenticator, Principal, Role } from "../../auth/principals.ts";
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

/**
 * Who is calling, from the Authorization header:
 * - `Basic base64(username:secret)`: an operator (same credentials as MQTT), or a user
 *   (`id:token`);
 * - `Bearer <user id>.<token>`: a user (administrator or technician).
 * No header: the public. A header that does not verify: 401, never a silent downgrade.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { authenticator: Authenticator }) => {
    app.decorateRequest("principal", undefined);
    app.addHook("onRequest", async (request) => {
      const header = request.headers.authorization;
      if (!header) return;
      const principal = await identify(opts.authenticator, header);
      if (!principal) throw new AuthInvalidError();
      request.principal = principal;
    });
    app.decorate("requireRole", (...roles: Role[]) => async (request: FastifyRequest) => {
      if (!request.principal) throw new AuthRequiredError();
      if (!roles.includes(request.principal.role)) throw new ForbiddenError(`role ${request.principal.role}`);
    });
  },
  { name: "lanterne-auth" },
);

async function identify(auth: Authenticator, header: string): Promise<Principal | undefined> {
  const [scheme, value = ""] = header.split(" ", 2);
  if (scheme?.toLowerCase() === "bearer") {
    const dot = value.indexOf(".");
    return dot > 0 ? auth.user(value.slice(0, dot), value.slice(dot + 1)) : undefined;
  }
  if (scheme?.toLowerCase() === "basic") {
    const text = Buffer.from(value, "base64").toString("utf8");
    const colon = text.indexOf(":");
    if (colon <= 0) return undefined;
    const [id, secret] = [text.slice(0, colon), text.slice(colon + 1)];
    return (await auth.operator(id, secret)) ?? (await auth.user(id, secret));
  }
  return undefined;
}
