import { fastifySSE } from "@fastify/sse";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { iso } from "../../access/views.ts";
import { TooManyStreamsError } from "../../domain/errors.ts";
import { communeByCode } from "../../inventory/territory.ts";
import { type LiveFigures, liveFigures } from "../../opendata/live-figures.ts";
import { outages } from "../../reports/outages.ts";
import type { ApiDeps } from "../deps.ts";

/**
 * The public figures of the moment (services/opendata/live-figures.ts), as a snapshot and as a
 * stream of Server-Sent Events: one `figures` event at once, then one whenever they change,
 * checked every few seconds. Computed once per beat for every listener, not per listener.
 */
export const MAX_PUBLIC_STREAMS = 500;
const BEAT_MS = 10_000;
const HEARTBEAT_MS = 15_000;

export async function liveRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const latest = deps.latest;
  const alerts = deps.alerts;
  if (!latest || !alerts) return;
  await app.register(fastifySSE, { heartbeatInterval: HEARTBEAT_MS });
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  let cached: { at: number; text: string; value: ReturnType<typeof view> } | undefined;
  const snapshot = async () => {
    const now = deps.clock.now();
    if (cached && now - cached.at < BEAT_MS / 2) return cached;
    const current = await outages({ alerts, devices: deps.devices, contracts: deps.contracts }, now);
    const figures = liveFigures(
      { devices: () => deps.devices.list(), latest, contracts: deps.contracts },
      current,
      now,
    );
    const value = view(figures);
    cached = { at: now, text: JSON.stringify(value), value };
    return cached;
  };
  const open = new Set<AbortController>();
  app.addHook("preClose", async () => {
    for (const stream of open) stream.abort();
  });

  typed.get(
    "/live.json",
    {
      schema: {
        tags: ["open data"],
        summary: "The public figures of the moment: assets, reporting now, outages",
      },
    },
    async (_request, reply) => {
      reply.type("application/json; charset=utf-8").header("cache-control", "public, max-age=10");
      return (await snapshot()).text;
    },
  );
  typed.get(
    "/live",
    {
      sse: "only",
      compress: false,
      schema: {
        tags: ["open data"],
        summary: "The same figures as Server-Sent Events: `figures` at once, then at each change",
        produces: ["text/event-stream"],
      },
    },
    async (_request, reply) => {
      if (open.size >= MAX_PUBLIC_STREAMS) throw new TooManyStreamsError(MAX_PUBLIC_STREAMS);
      const stream = new AbortController();
      open.add(stream);
      reply.sse.onClose(() => stream.abort());
      reply.sse.keepAlive();
      reply.header("cache-control", "no-store");
      try {
        let last = "";
        while (!stream.signal.aborted && reply.sse.isConnected) {
          const { text, value } = await snapshot();
          if (text !== last) await reply.sse.send({ event: "figures", data: value });
          last = text;
          await sleep(BEAT_MS, stream.signal);
        }
      } finally {
        open.delete(stream);
        reply.sse.close();
      }
    },
  );
}

function view(f: LiveFigures) {
  return {
    at: iso(f.at),
    domains: f.domains.map((d) => ({
      domain: d.domain,
      title: d.title,
      assets: d.assets,
      reporting: d.reporting,
      outages: d.outages,
      communes: d.communes.map((c) => ({ ...c, name: communeByCode(c.commune)?.name ?? c.commune })),
      other_communes: d.otherCommunes ?? null,
    })),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
