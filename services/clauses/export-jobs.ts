import { createHash } from "node:crypto";
import { createReadStream, type ReadStream } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Principal } from "../auth/principals.ts";
import { BadRequestError, ForbiddenError, NotFoundError, TooManyExportsError } from "../domain/errors.ts";
import type { Logger } from "../domain/logger.ts";
import type { EpochMs } from "../domain/types.ts";
import { type ExportSources, exportBundle } from "./bundle/export.ts";
import { MANIFEST, type Manifest } from "./bundle/format.ts";

export interface ExportJob {
  id: string;
  state: "running" | "done" | "failed";
  /** The operator whose data it holds; null for the whole platform. */
  operator: string | null;
  from: EpochMs | null;
  to: EpochMs | null;
  createdBy: string;
  startedAt: EpochMs;
  finishedAt?: EpochMs;
  progress: { stage: string; done: number };
  /** Once done: the manifest's counts and files, and its own SHA-256 (what a destruction receipt names). */
  counts?: Record<string, number>;
  files?: { path: string; bytes: number; sha256: string }[];
  error?: string;
}

export interface ExportRequest {
  /** Administrators only: one operator's data; an operator always exports its own. */
  operator?: string;
  from?: EpochMs;
  to?: EpochMs;
  parquet?: boolean;
}

/**
 * `lanterne export` as a job of the running platform: an administrator exports the whole platform
 * or an operator's part, an operator its own part (what it delivered and the devices it held,
 * nothing of the others). One job at a time, written under data/exports/<id>; its files are
 * downloaded through the API, each checked against the manifest. Jobs are kept until the platform
 * stops or they are deleted; a bundle's copy held elsewhere is the holder's to destroy.
 */
export class ExportJobs {
  private readonly jobs = new Map<string, ExportJob>();
  private running: Promise<void> | undefined;
  private seq = 0;

  constructor(
    private readonly sources: ExportSources,
    private readonly dir: string,
    private readonly log: Logger,
    private readonly now: () => EpochMs,
  ) {}

  start(principal: Principal | undefined, q: ExportRequest): ExportJob {
    const operator = scopeOf(principal, q.operator);
    if (this.running)
      throw new TooManyExportsError("an export is already running: try again once it is done");
    const id = `${new Date(this.now()).toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${++this.seq}`;
    const job: ExportJob = {
      id,
      state: "running",
      operator: operator ?? null,
      from: q.from ?? null,
      to: q.to ?? null,
      createdBy: principal?.id ?? "",
      startedAt: this.now(),
      progress: { stage: "starting", done: 0 },
    };
    this.jobs.set(id, job);
    this.running = this.run(job, q).finally(() => {
      this.running = undefined;
    });
    return { ...job };
  }

  list(principal: Principal | undefined): ExportJob[] {
    return [...this.jobs.values()].filter((j) => visible(principal, j)).map((j) => ({ ...j }));
  }

  get(principal: Principal | undefined, id: string): ExportJob {
    const job = this.jobs.get(id);
    if (!job || !visible(principal, job)) throw new NotFoundError(`export ${id}`);
    return { ...job };
  }

  /** A file of a finished job, only one its manifest lists. */
  file(principal: Principal | undefined, id: string, path: string): { stream: ReadStream; bytes: number } {
    const job = this.get(principal, id);
    if (job.state !== "done") throw new BadRequestError(`export ${id} is ${job.state}`);
    if (path === MANIFEST) return this.open(id, path, Number.NaN);
    const file = job.files?.find((f) => f.path === path);
    if (!file) throw new NotFoundError(`file ${path} of export ${id}`);
    return this.open(id, path, file.bytes);
  }

  async remove(principal: Principal | undefined, id: string): Promise<void> {
    const job = this.get(principal, id);
    if (job.state === "running") throw new BadRequestError(`export ${id} is still running`);
    await rm(join(this.dir, id), { recursive: true, force: true });
    this.jobs.delete(id);
  }

  /** Waits for the running job, if any (tests, close). */
  async idle(): Promise<void> {
    await this.running;
  }

  private open(id: string, path: string, bytes: number) {
    return { stream: createReadStream(join(this.dir, id, path)), bytes };
  }

  private async run(job: ExportJob, q: ExportRequest): Promise<void> {
    try {
      const manifest = await exportBundle(this.sources, join(this.dir, job.id), {
        ...(job.operator !== null ? { operatorId: job.operator } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        parquet: q.parquet ?? true,
        progress: (stage, done) => {
          job.progress = { stage, done };
        },
      });
      await this.finish(job, manifest);
    } catch (err) {
      job.state = "failed";
      job.error = (err as Error).message;
      job.finishedAt = this.now();
      this.log.error({ err, job: job.id }, "export failed");
    }
  }

  private async finish(job: ExportJob, manifest: Manifest): Promise<void> {
    const text = await readFile(join(this.dir, job.id, MANIFEST));
    job.counts = { ...manifest.counts };
    job.files = [
      ...manifest.files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
      { path: MANIFEST, bytes: text.byteLength, sha256: createHash("sha256").update(text).digest("hex") },
    ];
    job.state = "done";
    job.finishedAt = this.now();
  }
}

function scopeOf(principal: Principal | undefined, asked: string | undefined): string | undefined {
  if (!principal) throw new ForbiddenError("sign in to export");
  if (principal.role === "operator") return principal.operatorId ?? principal.id;
  if (principal.role !== "admin") throw new ForbiddenError("exports are for administrators and operators");
  return asked;
}

function visible(principal: Principal | undefined, job: ExportJob): boolean {
  if (principal?.role === "admin") return true;
  return principal?.role === "operator" && job.operator === (principal.operatorId ?? principal.id);
}
