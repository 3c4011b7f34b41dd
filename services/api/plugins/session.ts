import { randomBytes } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import csrfProtection from "@fastify/csrf-protection";
import fastifySession from "@fastify/session";
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import fp from "fastify-plugin";
import type { Principal } from "../../auth/principals.ts";
import type { SessionSettings } from "../../config.ts";
import type { Clock } from "../../domain/clock.ts";

declare module "fastify" {
  interface Session {
    /** Who logged in: exactly what the Authorization header gives for the same credentials. */
    principal?: Principal;
    /** The CSRF secret (@fastify/csrf-protection keeps it under this name). */
    _csrf?: string;
  }
}

/** The session cookie's name; the pages never read it (HttpOnly). */
export const SESSION_COOKIE = "lanterne_session";
/** The header a page sends its CSRF token in (GET /api/v1/session/csrf gives the token). */
export const CSRF_HEADER = "x-csrf-token";

/** Methods that change nothing: no CSRF token asked. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface SessionPluginOptions {
  clock: Clock;
  settings: SessionSettings;
  /** Most sessions kept at once; past it the least recently used goes first. */
  maxSessions?: number;
}

/**
 * The supervision pages' sessions: `@fastify/cookie`, `@fastify/session` over the bounded
 * in-memory store below, and `@fastify/csrf-protection` keeping its secret in the session.
 *
 * - The cookie holds a signed random id only: `HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure`
 *   when LANTERNE_COOKIE_SECURE is true (behind a TLS reverse proxy), and expires with the session's
 *   absolute lifetime.
 * - A session ends when unused for LANTERNE_SESSION_IDLE_MIN or LANTERNE_SESSION_MAX_MIN after it
 *   began, whichever comes first, judged by the platform's clock. Sessions live in this process's
 *   memory: a restart logs everyone out, which suits one process per territory.
 * - Every request that changes something (not GET/HEAD/OPTIONS) and carries the cookie of a
 *   logged-in session but no Authorization header must send the session's CSRF token in `X-CSRF-Token`, else 403
 *   `FST_CSRF_INVALID_TOKEN` (or `FST_CSRF_MISSING_SECRET`). API clients that authenticate with
 *   a header send no cookie and are unaffected.
 *
 * Registered before the auth plugin (plugins/auth.ts), which reads `request.session.principal`.
 */
export const sessionPlugin = fp(
  async (app: FastifyInstance, opts: SessionPluginOptions) => {
    const { settings } = opts;
    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      cookieName: SESSION_COOKIE,
      // Sessions do not outlive the process, so neither does the key that signs their ids.
      secret: randomBytes(32).toString("base64url"),
      store: new BoundedSessionStore(opts.clock, settings, opts.maxSessions ?? 10_000),
      saveUninitialized: false,
      rolling: false,
      cookie: {
        path: "/",
        httpOnly: true,
        sameSite: "strict",
        secure: settings.cookieSecure,
        maxAge: settings.maxMs,
      },
    });
    await app.register(csrfProtection, {
      sessionPlugin: "@fastify/session",
      getToken: (request: FastifyRequest) => headerValue(request.headers[CSRF_HEADER]),
    });
    app.addHook("onRequest", (request, reply, done) => {
      if (!needsCsrfCheck(request)) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: "lanterne-session" },
);

function needsCsrfCheck(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (request.headers.authorization) return false;
  // A cookie whose session has ended authenticates nothing: the route answers 401 as to the public.
  return request.session?.principal !== undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The CSRF check as a route's preHandler (the login, which has no principal yet). */
export function requireCsrf(app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) =>
    app.csrfProtection(request, reply, done);
}

type StoredSession = Parameters<fastifySession.SessionStore["set"]>[1];

interface Entry {
  session: StoredSession;
  createdAt: number;
  seenAt: number;
}

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, result?: StoredSession | null) => void;

/**
 * Sessions in memory, bounded in number and in time. A session read after its idle or absolute
 * limit is gone (and forgotten); each read counts as use. Past `max` sessions, the least recently
 * used is dropped: a flood of new sessions can log people out, not exhaust the memory. The Map
 * keeps insertion order, and a use moves the entry to the end, so the first entry is the oldest.
 */
export class BoundedSessionStore implements fastifySession.SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #maxMs: number;
  readonly #max: number;

  constructor(clock: Clock, settings: Pick<SessionSettings, "idleMs" | "maxMs">, max: number) {
    this.#clock = clock;
    this.#idleMs = settings.idleMs;
    this.#maxMs = settings.maxMs;
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  set(sessionId: string, session: StoredSession, callback: Callback): void {
    const now = this.#clock.now();
    const previous = this.#entries.get(sessionId);
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, { session, createdAt: previous?.createdAt ?? now, seenAt: now });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    callback();
  }

  get(sessionId: string, callback: GetCallback): void {
    const entry = this.#entries.get(sessionId);
    const now = this.#clock.now();
    if (!entry || now - entry.seenAt > this.#idleMs || now - entry.createdAt > this.#maxMs) {
      this.#entries.delete(sessionId);
      callback(null, null);
      return;
    }
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, { ...entry, seenAt: now });
    callback(null, entry.session);
  }

  destroy(sessionId: string, callback: Callback): void {
    this.#entries.delete(sessionId);
    callback();
  }
}
