import { createHash } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { AuthInvalidError, NotFoundError, StoreNotWritingError } from "../../domain/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { errorResponse } from "../plugins/operations.ts";
import { rawJsonBodies } from "../plugins/raw-body.ts";

/**
 * Webhooks of LoRaWAN network servers (The Things Stack): POST /api/v1/integrations/{id}/uplink
 * with the integration's shared secret in `X-Lanterne-Secret`. The body is taken as text, so a
 * malformed one is kept in quarantine; the answer comes once the uplink is stored or
 * quarantined (a failure the network server sees, rather than a silent loss).
 */
export interface Webhook {
  /** The stored scrypt hash of the shared secret. */
  secretHash: string;
  receive(body: string): Promise<void>;
}

export interface WebhookDeps {
  webhooks: ReadonlyMap<string, Webhook>;
  verifySecret(secret: string, hash: string): Promise<boolean>;
}

export async function integrationRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const hooks = deps.webhooks;
  if (!hooks) return;
  const verified = new SecretCache(hooks.verifySecret);
  app.register(async (scope) => {
    rawJsonBodies(scope, deps.maxPayloadBytes);
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      "/api/v1/integrations/:id/uplink",
      {
        schema: {
          tags: ["ingestion"],
          summary: "A network server's uplink webhook",
          description:
            "The Things Stack v3 uplink messages, with the integration's shared secret in X-Lanterne-Secret. " +
            "The answer comes once the uplink is stored or quarantined.",
          // The shared secret is checked by the handler, not by a role guard.
          security: [{ webhookSecret: [] }],
          params: Type.Object({ id: Type.String({ description: "the integration's id in territory.yaml" }) }),
          response: {
            200: Type.Object({ ok: Type.Boolean() }),
            401: errorResponse("No X-Lanterne-Secret, or one that does not verify (ERR_AUTH_INVALID)"),
            413: errorResponse("The body is over twice the payload limit: refused before it is read"),
            503: errorResponse("The store is not taking writes (ERR_STORE_UNAVAILABLE): send again later"),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const hook = hooks.webhooks.get(id);
        if (!hook) throw new NotFoundError(`integration ${id}`);
        const secret = request.headers["x-lanterne-secret"];
        if (typeof secret !== "string" || !(await verified.check(id, secret, hook.secretHash)))
          throw new AuthInvalidError();
        if (deps.storeWriting?.() === false) throw new StoreNotWritingError();
        await hook.receive(typeof request.body === "string" ? request.body : "");
        return { ok: true };
      },
    );
  });
}

/** A secret checked once (scrypt is slow on purpose); remembered by its SHA-256, never in clear. */
class SecretCache {
  private readonly good = new Set<string>();

  constructor(private readonly verify: (secret: string, hash: string) => Promise<boolean>) {}

  async check(id: string, secret: string, hash: string): Promise<boolean> {
    const key = `${id}:${createHash("sha256").update(secret).digest("hex")}`;
    if (this.good.has(key)) return true;
    const ok = await this.verify(secret, hash);
    if (ok) this.good.add(key);
    return ok;
  }
}
