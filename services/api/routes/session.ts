import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Principal } from "../../auth/principals.ts";
import { ForbiddenError } from "../../domain/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { logIn } from "../plugins/auth.ts";
import { errorResponse } from "../plugins/operations.ts";
import { requireCsrf } from "../plugins/session.ts";

const Me = Type.Object({
  id: Type.String({ description: "the staff account's id, or the operator's id" }),
  role: Type.Union([Type.Literal("admin"), Type.Literal("technician"), Type.Literal("operator")]),
  operator: Type.Union([Type.String(), Type.Null()], {
    description: "the operator acted as; null for staff",
  }),
});

const CsrfToken = Type.Object({
  token: Type.String({
    description: "send it in the X-CSRF-Token header of each change made with the cookie",
  }),
});

const Login = Type.Object(
  {
    kind: Type.Union([Type.Literal("staff"), Type.Literal("operator")], {
      description: "staff: a user id and its API token; operator: a username and its secret",
    }),
    identifier: Type.String({ minLength: 1, maxLength: 200 }),
    secret: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

const LoggedIn = Type.Object({ me: Me, csrfToken: CsrfToken.properties.token });

const CsrfErrors = {
  403: errorResponse("No CSRF token, or a wrong one (FST_CSRF_MISSING_SECRET, FST_CSRF_INVALID_TOKEN)"),
};

function meOf(principal: Principal) {
  // Partners read through their own routes only (services/api/routes/partners.ts): no session.
  if (principal.role === "partner") throw new ForbiddenError("partners have no session");
  return { id: principal.id, role: principal.role, operator: principal.operatorId ?? null };
}

/**
 * The supervision pages' login (plugins/session.ts): a CSRF token, logging in and out, and who is
 * logged in. Logging in checks the form's credentials exactly as the Authorization header would
 * (plugins/auth.ts `logIn`), throttled alike, and starts a new session (a new id, so that an id
 * planted before the login is worth nothing after it).
 */
export async function sessionRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/api/v1/session/csrf",
    {
      schema: {
        tags: ["session"],
        summary: "A CSRF token for this browser's session (starts one if needed)",
        response: { 200: CsrfToken },
      },
    },
    async (_request, reply) => ({ token: reply.generateCsrf() }),
  );
  typed.post(
    "/api/v1/session",
    {
      preHandler: requireCsrf(app),
      schema: {
        tags: ["session"],
        summary: "Log in: a session cookie for the supervision pages",
        description:
          "Needs the X-CSRF-Token of GET /api/v1/session/csrf. Answers who is logged in and the new session's CSRF token.",
        body: Login,
        response: { 200: LoggedIn, ...CsrfErrors },
      },
    },
    async (request, reply) => {
      const principal = await logIn(deps.authenticator, request.body, request, reply);
      await request.session.regenerate();
      request.session.principal = principal;
      return { me: meOf(principal), csrfToken: reply.generateCsrf() };
    },
  );
  typed.delete(
    "/api/v1/session",
    {
      schema: {
        tags: ["session"],
        summary: "Log out: the session ends",
        response: { 204: Type.Null({ description: "logged out" }), ...CsrfErrors },
      },
    },
    async (request, reply) => {
      await request.session.destroy();
      return reply.code(204).send(null);
    },
  );
  typed.get(
    "/api/v1/me",
    {
      preHandler: app.requireRole("admin", "technician", "operator"),
      schema: { tags: ["session"], summary: "Who is calling", response: { 200: Me } },
    },
    async (request) => {
      if (!request.principal) throw new Error("requireRole let the public through");
      return meOf(request.principal);
    },
  );
}
