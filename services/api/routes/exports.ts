import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { destructionReceipts, recordDestruction } from "../../clauses/destruction.ts";
import type { ExportJob } from "../../clauses/export-jobs.ts";
import type { ApiDeps } from "../deps.ts";
import { parseTime } from "../params.ts";

const MEDIA: Record<string, string> = {
  csv: "text/csv; charset=utf-8",
  parquet: "application/vnd.apache.parquet",
  ndjson: "application/x-ndjson",
  json: "application/json",
  geojson: "application/geo+json",
  yaml: "application/yaml",
  md: "text/markdown; charset=utf-8",
};

const JobId = Type.Object({ id: Type.String({ pattern: "^[0-9T]+-[0-9]+$", maxLength: 40 }) });

function view(job: ExportJob) {
  const iso = (t: number | null | undefined) =>
    t === null || t === undefined ? null : new Date(t).toISOString();
  return {
    ...job,
    from: iso(job.from),
    to: iso(job.to),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

/**
 * Reversibility from the running platform: an export job (the same bundle as `lanterne export`),
 * its files, and the destruction receipts of the copies handed over. Starting an export and each
 * download are written in the access log as exports; a receipt is itself an entry of the log.
 */
export async function exportRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const jobs = deps.exports;
  const log = deps.accessLog;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const who = { preHandler: app.requireRole("admin", "operator") };
  if (jobs) {
    typed.post(
      "/api/v1/exports",
      {
        ...who,
        config: { accessAction: "export" },
        schema: {
          tags: ["clauses"],
          summary: "Starts an export of the data in open formats: the whole platform, or an operator's part",
          description:
            "An operator exports its own part (the readings it delivered, the devices it held, its quarantine, " +
            "alerts, ledger); an administrator the whole platform or one operator's part. One export at a time.",
          body: Type.Object(
            {
              operator: Type.Optional(Type.String({ maxLength: 200 })),
              from: Type.Optional(Type.String()),
              to: Type.Optional(Type.String()),
              parquet: Type.Optional(Type.Boolean({ default: true })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const { from, to, operator, parquet } = request.body;
        const job = jobs.start(request.principal, {
          ...(operator !== undefined ? { operator } : {}),
          ...(from !== undefined ? { from: parseTime(from, 0, "from") } : {}),
          ...(to !== undefined ? { to: parseTime(to, 0, "to") } : {}),
          ...(parquet !== undefined ? { parquet } : {}),
        });
        return reply.code(202).send(view(job));
      },
    );
    typed.get(
      "/api/v1/exports",
      { ...who, schema: { tags: ["clauses"], summary: "The exports one may read, with their progress" } },
      async (request) => ({ exports: jobs.list(request.principal).map(view) }),
    );
    typed.get(
      "/api/v1/exports/:id",
      {
        ...who,
        schema: {
          tags: ["clauses"],
          summary: "One export: progress, then its files and checksums",
          params: JobId,
        },
      },
      async (request) => view(jobs.get(request.principal, request.params.id)),
    );
    typed.get(
      "/api/v1/exports/:id/files/*",
      {
        ...who,
        config: { accessAction: "export" },
        schema: {
          tags: ["clauses"],
          summary: "A file of a finished export (one its manifest lists)",
          params: Type.Object({ id: JobId.properties.id, "*": Type.String({ maxLength: 500 }) }),
          produces: Object.values(MEDIA).map((m) => m.split(";")[0] as string),
        },
      },
      async (request, reply) => {
        const path = request.params["*"];
        const { stream } = jobs.file(request.principal, request.params.id, path);
        const ext = path.split(".").at(-1) ?? "";
        return reply.type(MEDIA[ext] ?? "application/octet-stream").send(stream);
      },
    );
    typed.delete(
      "/api/v1/exports/:id",
      {
        ...who,
        schema: { tags: ["clauses"], summary: "Deletes an export's files from the platform", params: JobId },
      },
      async (request, reply) => {
        await jobs.remove(request.principal, request.params.id);
        return reply.code(204).send();
      },
    );
  }
  if (!log) return;
  typed.post(
    "/api/v1/destruction-receipts",
    {
      ...who,
      config: { accessLogsItself: true },
      schema: {
        tags: ["clauses"],
        summary: "Records that a copy of a bundle was destroyed, attested, in the access log",
        body: Type.Object(
          {
            bundle: Type.String({
              pattern: "^[0-9a-f]{64}$",
              description: "SHA-256 of the bundle's manifest.json",
            }),
            destroyedAt: Type.String(),
            method: Type.String({ minLength: 1, maxLength: 300 }),
            attestedBy: Type.String({ minLength: 1, maxLength: 300 }),
            statement: Type.String({ minLength: 1, maxLength: 1_000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const now = deps.clock.now();
      const entry = recordDestruction(
        log,
        request.principal,
        { ...request.body, destroyedAt: parseTime(request.body.destroyedAt, now, "destroyedAt") },
        now,
        request.ip,
      );
      return reply.code(201).send({ ...entry, at: new Date(entry.at).toISOString() });
    },
  );
  typed.get(
    "/api/v1/destruction-receipts",
    {
      ...who,
      schema: { tags: ["clauses"], summary: "Destruction receipts: an operator its own, administrators all" },
    },
    async (request) => ({
      receipts: (await destructionReceipts(log, request.principal)).map((e) => ({
        ...e,
        at: new Date(e.at).toISOString(),
      })),
    }),
  );
}
