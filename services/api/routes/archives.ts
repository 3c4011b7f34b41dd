import type { Readable } from "node:stream";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { importArchive } from "../../clauses/archive-import.ts";
import { StoreNotWritingError } from "../../domain/errors.ts";
import type { ApiDeps } from "../deps.ts";

/** An archive is read as it streams in: a year of one operator's readings, not held in memory. */
const ARCHIVE_LIMIT = 4 * 1024 * 1024 * 1024;

/**
 * The outgoing operator's archive, imported into the running platform at a concession's renewal
 * (services/clauses/archive-import.ts). Administrators only; logged as an import.
 */
export async function archiveRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.register(async (scope) => {
    scope.addContentTypeParser("application/x-ndjson", { bodyLimit: ARCHIVE_LIMIT }, (_req, payload, done) =>
      done(null, payload),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      "/api/v1/archives",
      {
        preHandler: scope.requireRole("admin"),
        config: { accessAction: "import" },
        bodyLimit: ARCHIVE_LIMIT,
        schema: {
          tags: ["clauses"],
          summary: "Imports an operator's archive of readings (NDJSON), each checked at its own time",
          description:
            "One reading {device, time, data} per line. Each is checked against the contract version and the " +
            "assignment valid at the reading's time: the periods the operator held the devices are stored under its " +
            "name, the rest go to quarantine with their reason. The answer comes once everything is durable.",
          consumes: ["application/x-ndjson"],
          querystring: Type.Object(
            { operator: Type.String({ minLength: 1, maxLength: 200 }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              operator: Type.String(),
              lines: Type.Integer(),
              accepted: Type.Integer(),
              quarantined: Type.Integer(),
              reasons: Type.Record(Type.String(), Type.Integer()),
            }),
          },
        },
      },
      async (request) => {
        if (deps.storeWriting?.() === false) throw new StoreNotWritingError();
        const ingest = deps.ingest;
        return importArchive(
          { ingest, now: () => deps.clock.now(), maxPayloadBytes: deps.maxPayloadBytes },
          request.principal,
          request.query.operator,
          request.body as Readable,
        );
      },
    );
  });
}
