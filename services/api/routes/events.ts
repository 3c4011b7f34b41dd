import { fastifySSE } from "@fastify/sse";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { followChanges } from "../../alerts/follow.ts";
import { alertEvent, deviceEvent } from "../../alerts/sinks/payload.ts";
import type { AlertStore } from "../../alerts/store.ts";
import { EventIdInvalidError, TooManyStreamsError } from "../../domain/errors.ts";
import type { ApiDeps } from "../deps.ts";
import { Query } from "../schemas.ts";
import { alertReadsOf } from "./alerts.ts";

/** Streams open at once; past it a new one is refused (503) rather than starving ingestion. */
export const MAX_STREAMS = 200;
/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** How long a client waits before reconnecting (the SSE `retry` field). */
const RETRY_MS = 2_000;

const EventsQuery = Query({
  lastEventId: Type.Optional(
    Type.String({
      maxLength: 40,
      description:
        "resume after this event id, as the Last-Event-ID header does (for a first connection that cannot set headers)",
    }),
  ),
});

/**
 * The live stream of alert transitions and subject state changes (Server-Sent Events).
 *
 * Each change of the alert history is an `alert` event whose id is the history id; when it moves
 * its subject's state (ok, fault, silent), a `device` event comes just before it, without an id:
 * a client cut between the two resumes before the pair and gets the state again rather than
 * missing it. Resuming with `Last-Event-ID` (or `?lastEventId=`) replays every change after that
 * id from the store, then goes on live: a client away for an hour misses nothing.
 */
export async function eventRoutes(app: FastifyInstance, deps: ApiDeps, store: AlertStore): Promise<void> {
  await app.register(fastifySSE, { heartbeatInterval: HEARTBEAT_MS });
  const reads = alertReadsOf(deps, store);
  const open = new Set<AbortController>();
  // Streams never end by themselves: end them so that the server can close.
  app.addHook("preClose", async () => {
    for (const stream of open) stream.abort();
  });
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    "/api/v1/events",
    {
      sse: "only",
      compress: false,
      preHandler: app.requireRole("admin", "technician", "operator"),
      schema: {
        tags: ["alerts"],
        summary: "Live alert transitions and device state changes (Server-Sent Events)",
        description:
          "`alert` events (id: the history id; data: the change and the alert after it) and `device` events (data: subject, state, previous). Resumable with Last-Event-ID. An operator follows the alerts of the devices and feeds it holds.",
        produces: ["text/event-stream"],
        querystring: EventsQuery,
        headers: Type.Object({
          "last-event-id": Type.Optional(Type.String({ maxLength: 40 })),
        }),
      },
    },
    async (request, reply) => {
      const visible = reads.watcher(request.principal);
      const after = resumePoint(reply.sse.lastEventId ?? request.query.lastEventId);
      if (open.size >= MAX_STREAMS) throw new TooManyStreamsError(MAX_STREAMS);
      const stream = new AbortController();
      open.add(stream);
      reply.sse.onClose(() => stream.abort());
      reply.sse.keepAlive();
      reply.header("cache-control", "no-store");
      reply.header("x-accel-buffering", "no");
      await reply.sse.send({
        retry: RETRY_MS,
        event: "ready",
        data: { after: after === "now" ? null : after },
      });
      try {
        for await (const change of followChanges(store, after, { signal: stream.signal })) {
          if (!reply.sse.isConnected) break;
          if (!visible(change.alert)) continue;
          if (change.subjectBefore !== change.subjectAfter) {
            await reply.sse.send({ event: "device", data: deviceEvent(change) });
          }
          await reply.sse.send({ id: String(change.id), event: "alert", data: alertEvent(change) });
        }
      } finally {
        open.delete(stream);
        stream.abort();
        reply.sse.close();
      }
    },
  );
}

/** The id to resume after: the history id of the last `alert` event the client received. */
function resumePoint(lastEventId: string | null | undefined): number | "now" {
  if (lastEventId === undefined || lastEventId === null || lastEventId === "") return "now";
  if (!/^\d{1,15}$/.test(lastEventId)) {
    throw new EventIdInvalidError(JSON.stringify(lastEventId.slice(0, 40)));
  }
  return Number(lastEventId);
}
