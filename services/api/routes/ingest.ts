import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { StoreNotWritingError } from "../../domain/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { errorResponse } from "../plugins/operations.ts";
import { rawJsonBodies } from "../plugins/raw-body.ts";
import { IngestResponse } from "../schemas.ts";

/**
 * HTTP ingestion for operators who push batches instead of publishing on MQTT: the same
 * payload format, authentication and contract check. The body is taken as text so that a
 * malformed document is kept in quarantine like any other refused message. The answer comes
 * once everything is durable: 200 with a verdict per reading, or 422 when the document as a
 * whole was refused (still kept in quarantine).
 */
export async function ingestRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.register(async (scope) => {
    rawJsonBodies(scope, deps.maxPayloadBytes);
    // The protobuf envelope (protos/lanterne/v1/readings.proto), kept as bytes.
    scope.addContentTypeParser(
      ["application/x-protobuf", "application/protobuf"],
      { parseAs: "buffer", bodyLimit: deps.maxPayloadBytes * 2 },
      (_req, body, done) => done(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      "/api/v1/readings",
      {
        preHandler: scope.requireRole("operator"),
        schema: {
          tags: ["ingestion"],
          summary: "Push readings over HTTPS (operators)",
          description:
            "One reading {device, time, data} or a batch {readings: [...]}, as on MQTT; or the protobuf " +
            "envelope lanterne.v1.Readings with Content-Type: application/x-protobuf. The answer, in JSON, " +
            "comes once everything is durable: a verdict per reading, with each violation and the value " +
            "dropped.",
          consumes: ["application/json", "application/x-protobuf", "application/protobuf"],
          response: {
            200: IngestResponse,
            422: {
              ...IngestResponse,
              description: "The document as a whole was refused (kept in quarantine)",
            },
            413: errorResponse("The body is over twice the payload limit: refused before it is read"),
            415: errorResponse("A Content-Type other than JSON or protobuf"),
            503: errorResponse("The store is not taking writes (ERR_STORE_UNAVAILABLE): send again later"),
          },
        },
      },
      async (request, reply) => {
        if (deps.storeWriting?.() === false) throw new StoreNotWritingError();
        const outcome = deps.ingest({
          source: "http",
          operatorId: request.principal?.operatorId ?? "",
          receivedAt: deps.clock.now(),
          ...payloadOf(request.body),
        });
        await outcome.durable;
        const items = outcome.items.map(({ deviceId, ...rest }) => ({
          ...rest,
          ...(deviceId !== undefined ? { device: deviceId } : {}),
        }));
        return reply
          .code(outcome.refusedWhole ? 422 : 200)
          .send({ accepted: outcome.accepted, quarantined: outcome.quarantined, items });
      },
    );
  });
}

function payloadOf(body: unknown): { payload: Buffer | string; format?: "protobuf" } {
  if (Buffer.isBuffer(body)) return { payload: body, format: "protobuf" };
  return { payload: typeof body === "string" ? body : "" };
}
