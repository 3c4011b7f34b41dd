import type { FastifyInstance } from "fastify";

/**
 * Ingest routes take JSON bodies as text: the pipeline decodes them, so that a malformed
 * document is kept in quarantine with its reason instead of being answered 400 by Fastify.
 * Twice the payload limit is read, so an oversized document still reaches the quarantine with
 * ERR_PAYLOAD_TOO_LARGE; past that, Fastify refuses it with 413 before reading it all.
 */
export function rawJsonBodies(scope: FastifyInstance, maxPayloadBytes: number): void {
  scope.removeContentTypeParser("application/json");
  scope.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: maxPayloadBytes * 2 },
    (_req, body, done) => done(null, body),
  );
}
