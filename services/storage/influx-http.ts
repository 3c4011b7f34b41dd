import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { InfrastructureError, StoreUnavailableError } from "../domain/errors.ts";

/**
 * The InfluxDB v1 HTTP API, spoken with plain `fetch`: `/ping`, `/write` (line protocol) and
 * `/query` (InfluxQL). InfluxDB 1.x serves it natively, 2.x and 3.x through their v1
 * compatibility endpoints; `@influxdata/influxdb-client` speaks `/api/v2` only, which 1.6.7 (what
 * Debian ships) answers with 404.
 *
 * Errors say whether trying again may help: a network error, a timeout, a 5xx or a 429 is
 * retryable (`ERR_STORE_UNAVAILABLE`; a write is idempotent in InfluxDB, the same point written
 * twice is stored once); a refusal (4xx) is not.
 */

export interface InfluxHttpConfig {
  /** Base URL, e.g. "http://127.0.0.1:8086". */
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** Per request. */
  timeoutMs: number;
  gzip: boolean;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface WriteOutcome {
  /** Points of the batch InfluxDB refused for good. */
  dropped: number;
  /** InfluxDB's explanation, shortened ("" when nothing was dropped). */
  reason: string;
}

/** One statement's result: its series, in the order InfluxDB sent them. */
export type StatementResult = InfluxSeries[];

/** A write InfluxDB refused, in part or whole, for good. */
export const PARTIAL_WRITE = "ERR_STORE_PARTIAL_WRITE";
/** A request InfluxDB refused for good (authentication, unknown database, bad query...). */
export const STORE_REFUSED = "ERR_STORE_REFUSED";

/** How much of an error body goes into a message: InfluxDB echoes whole refused lines. */
const MAX_DETAIL = 500;

const gzip = promisify(gzipCallback);
/**
 * Level 1: a batch of 5,000 five-field lines (917 kB) shrinks 14x in 0.45 us per line, where
 * the default level 6 reaches 17x for 0.85 us per line. Compression runs on libuv's threads.
 */
const GZIP_LEVEL = 1;

export class InfluxHttp {
  private readonly base: string;
  private readonly auth: string | undefined;

  constructor(private readonly config: InfluxHttpConfig) {
    this.base = config.url.replace(/\/+$/, "");
    this.auth = basicAuth(config.username, config.password);
  }

  /** Resolves when the server answers `/ping` with 204. */
  async ping(): Promise<void> {
    const response = await this.send("/ping", { method: "GET" });
    await expectStatus(response, 204, "ping");
  }

  /**
   * Sends one write. Resolves with the number of points InfluxDB dropped for good (0 on HTTP
   * 204); throws a retryable error when the points may not have been written at all. Without
   * `rp`, the points go to the database's default retention policy (raw readings).
   */
  async write(text: string, lines: number, rp?: string): Promise<WriteOutcome> {
    const query = new URLSearchParams({ db: this.config.database, precision: "ms" });
    if (rp !== undefined) query.set("rp", rp);
    const body = this.config.gzip ? await gzip(text, { level: GZIP_LEVEL }) : text;
    const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
    if (this.config.gzip) headers["Content-Encoding"] = "gzip";
    const response = await this.send(`/write?${query}`, { method: "POST", body, headers });
    if (response.status === 204) {
      await response.body?.cancel();
      return { dropped: 0, reason: "" };
    }
    const detail = await errorDetail(response);
    // 1.x answers a partial write with 400; 2.x's v1 endpoint may use 422 for the same refusal.
    if (response.status === 400 || response.status === 422) {
      return { dropped: droppedPoints(detail, lines), reason: shorten(detail) };
    }
    throw statusError(response.status, "write", detail);
  }

  /**
   * Runs InfluxQL statements (separated by ";") with bound parameters, and returns one result
   * per statement. Responses are chunked, so a server with `max-row-limit` set streams every row
   * instead of truncating; chunks of one series are merged back.
   */
  async query(
    q: string,
    params: Record<string, unknown> = {},
    withDatabase = true,
  ): Promise<StatementResult[]> {
    const form = new URLSearchParams({ q, epoch: "ms", chunked: "true", chunk_size: "10000" });
    if (withDatabase) form.set("db", this.config.database);
    if (Object.keys(params).length > 0) form.set("params", JSON.stringify(params));
    const response = await this.send("/query", {
      method: "POST",
      body: form,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    if (response.status !== 200) throw statusError(response.status, "query", await errorDetail(response));
    return mergeChunks(await this.body(response));
  }

  /** The body, read under the request's timeout: a server that stalls mid-answer is unavailable too. */
  private async body(response: Response): Promise<string> {
    try {
      return await response.text();
    } catch (err) {
      throw StoreUnavailableError(
        `InfluxDB answer cut short from ${this.base}: ${(err as Error).message}`,
        err,
      );
    }
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.auth) headers.set("Authorization", this.auth);
    try {
      return await fetch(`${this.base}${path}`, {
        ...init,
        headers,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (err) {
      throw StoreUnavailableError(`InfluxDB unreachable at ${this.base}: ${(err as Error).message}`, err);
    }
  }
}

function basicAuth(username: string | undefined, password: string | undefined): string | undefined {
  if (username === undefined && password === undefined) return undefined;
  return `Basic ${Buffer.from(`${username ?? ""}:${password ?? ""}`).toString("base64")}`;
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status === status) {
    await response.body?.cancel();
    return;
  }
  throw statusError(response.status, what, await errorDetail(response));
}

/** The `error` (1.x) or `message` (2.x) of InfluxDB's JSON error body, or the body itself. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  let detail = text;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === "string") detail = parsed.error;
    else if (typeof parsed.message === "string") detail = parsed.message;
  } catch {
    // Not JSON (a proxy's page, an empty body): keep the text.
  }
  return detail.trim();
}

function shorten(detail: string): string {
  return detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}...` : detail;
}

function statusError(status: number, what: string, detail: string): InfrastructureError {
  const message = `InfluxDB ${what} failed with HTTP ${status}: ${shorten(detail)}`;
  if (status >= 500 || status === 429) return StoreUnavailableError(message);
  return new InfrastructureError(STORE_REFUSED, message, false);
}

/**
 * Points a 400 from `/write` dropped. InfluxDB 1.x reports refused points as
 * "partial write: <reason> dropped=N" (type conflicts, retention, limits), but does not count
 * unparsable lines in N: it lists each as "unable to parse '<line>': <reason>", joined by
 * newlines, with or without the "partial write: " prefix. A 400 saying neither refused the whole
 * batch.
 */
export function droppedPoints(detail: string, lines: number): number {
  // The count closes the message; an earlier "dropped=" could only be inside an echoed line.
  const dropped = [...detail.matchAll(/dropped=(\d+)/g)].at(-1);
  const unparsable = detail.match(/(?:^|\n|partial write: )unable to parse '/g)?.length ?? 0;
  if (!dropped && unparsable === 0) return lines;
  return Math.min(lines, Number(dropped?.[1] ?? 0) + unparsable);
}

interface RawResult {
  statement_id?: number;
  series?: InfluxSeries[];
  error?: string;
}

/** Merges a chunked `/query` response (one JSON document per line) into one result per statement. */
export function mergeChunks(body: string): StatementResult[] {
  const statements = new Map<number, Map<string, InfluxSeries>>();
  for (const line of body.split("\n")) {
    if (line.trim() === "") continue;
    const document = parseDocument(line);
    if (document.error) throw queryError(document.error);
    for (const result of document.results ?? []) addResult(statements, result);
  }
  const count = Math.max(-1, ...statements.keys()) + 1;
  return Array.from({ length: count }, (_, id) => [...(statements.get(id)?.values() ?? [])]);
}

function parseDocument(line: string): { results?: RawResult[]; error?: string } {
  try {
    return JSON.parse(line) as { results?: RawResult[]; error?: string };
  } catch {
    throw queryError(`not an InfluxDB answer: ${line}`);
  }
}

function addResult(statements: Map<number, Map<string, InfluxSeries>>, result: RawResult): void {
  if (result.error) throw queryError(result.error);
  const id = result.statement_id ?? 0;
  let series = statements.get(id);
  if (!series) {
    series = new Map();
    statements.set(id, series);
  }
  for (const s of result.series ?? []) {
    const key = `${s.name}\u0000${JSON.stringify(s.tags ?? {})}`;
    const seen = series.get(key);
    if (!seen) series.set(key, { ...s, values: [...(s.values ?? [])] });
    else for (const row of s.values ?? []) seen.values.push(row);
  }
}

function queryError(error: string): InfrastructureError {
  return new InfrastructureError(STORE_REFUSED, `InfluxDB query failed: ${shorten(error)}`, false);
}
