import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Clock, systemClock } from "../../domain/clock.ts";
import { type Logger, silentLogger } from "../../domain/logger.ts";
import type { EpochMs } from "../../domain/types.ts";
import { followChanges } from "../follow.ts";
import type { AlertStore } from "../store.ts";
import type { AlertChange } from "../types.ts";
import { type BackoffConfig, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
import { readCursor, writeCursor } from "./cursor-file.ts";
import { webhookBody } from "./payload.ts";
import { signBody } from "./signature.ts";
import { accepts, type Webhook } from "./webhook-config.ts";

/**
 * Webhooks for alert transitions: each change of the alert history is POSTed, signed, to every
 * webhook whose filter it passes, so that a maintenance system follows Lanterne's alerts.
 *
 * The alert history is the outbox. A webhook keeps only a cursor, the last history id its
 * receiver acknowledged, in `<dir>/<name>.cursor`; its deliverer follows the history from there
 * (followChanges: stored changes first, then live ones). A receiver down for an hour loses
 * nothing: the changes wait in the history, not in memory. Delivery only reads the alert store,
 * on its own loop: a slow or dead receiver never holds up ingestion or the rule engine.
 *
 * One change per request, in history order: the next change is not sent before the current one
 * has a 2xx. Anything else (another status, a timeout, a refused connection) retries the same
 * change with exponential backoff and jitter, forever. 410 Gone is the receiver saying "stop":
 * the webhook is disabled until the next start, its cursor left where it was, so nothing is lost
 * if it was a mistake. Redirects are not followed (a 3xx is a failure): a POST does not survive
 * one, and the configured URL is the one the secret was shared with.
 *
 * At least once: a crash between a 2xx and the cursor's write resends that change; the receiver
 * deduplicates by `x-lanterne-delivery`. A webhook met for the first time starts from now: its
 * cursor is written at once to the latest history id, not the whole past.
 *
 * Headers of each request (signature.ts tells receivers how to verify):
 *   content-type: application/json
 *   x-lanterne-event: alert.<raised|acknowledged|cleared|reopened|closed|assigned|commented>
 *   x-lanterne-delivery: <history id>
 *   x-lanterne-timestamp: <Unix seconds>
 *   x-lanterne-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">
 */

export interface WebhookSinkOptions {
  /** The longest a receiver may take to answer one request (ms). */
  timeoutMs?: number;
  backoff?: BackoffConfig;
}

export interface WebhookSinkDeps {
  store: Pick<AlertStore, "changes" | "onChange" | "lastChangeId">;
  /** The folder of the cursor files: `<dataDir>/webhooks`. */
  dir: string;
  logger?: Logger;
  clock?: Clock;
  /** [0, 1): the backoff's jitter. */
  random?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * `ok`: the last attempt succeeded (or none was needed); `failing`: the current change is being
 * retried; `disabled`: the receiver answered 410 Gone; `stopped`: closed or not started.
 */
export type WebhookState = "ok" | "failing" | "disabled" | "stopped";

export interface WebhookStats {
  name: string;
  state: WebhookState;
  /** Changes acknowledged by the receiver since start. */
  delivered: number;
  /** Attempts that failed since start (each retry counts). */
  failedAttempts: number;
  /** Changes its filter let pass without sending since start. */
  skipped: number;
  /** The durable cursor: the last history id written to the cursor file. */
  cursor: number;
  /** History changes not handled yet (to send, or to filter out): the latest history id - the position. */
  pending: number;
  /** The history id being retried while failing. */
  retrying?: number;
  /** A short reason ("HTTP 500", "ECONNREFUSED", "timeout"), never a body or a secret. */
  lastError?: string;
  lastErrorAt?: EpochMs;
  nextRetryAt?: EpochMs;
  lastDeliveredAt?: EpochMs;
}

type Outcome = { ok: true } | { ok: false; gone: boolean; reason: string };

/** Delivers one webhook; `start()` reads its cursor and begins, `close()` aborts what is in flight. */
export class WebhookDeliverer {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffConfig;
  private readonly cursorPath: string;
  private state: WebhookState = "stopped";
  /** Durable: what the cursor file holds. */
  private cursor = 0;
  /** The last history id handled (acknowledged or filtered out), ahead of `cursor` after filtered ones. */
  private position = 0;
  private delivered = 0;
  private failedAttempts = 0;
  private skipped = 0;
  private retrying: number | undefined;
  private lastError: string | undefined;
  private lastErrorAt: EpochMs | undefined;
  private nextRetryAt: EpochMs | undefined;
  private lastDeliveredAt: EpochMs | undefined;
  private failingSince: EpochMs | undefined;
  private cursorFailing = false;

  constructor(
    private readonly deps: WebhookSinkDeps,
    private readonly webhook: Webhook,
    options: WebhookSinkOptions,
    private readonly latestId: () => number,
  ) {
    this.log = (deps.logger ?? silentLogger).child({ component: "webhooks", webhook: webhook.name });
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.cursorPath = join(deps.dir, `${webhook.name}.cursor`);
  }

  get name(): string {
    return this.webhook.name;
  }

  async start(): Promise<void> {
    const latest = await this.deps.store.lastChangeId();
    const saved = await readCursor(this.cursorPath);
    let after = saved ?? latest;
    if (saved === undefined) {
      this.log.info({ after }, "new webhook: delivering the changes from now on");
    } else if (saved > latest) {
      // The alert history was replaced (a new alerts.duckdb): the old ids mean nothing in it.
      this.log.warn(
        { cursor: saved, latest },
        "webhook cursor ahead of the alert history: starting from now",
      );
      after = latest;
    }
    if (after !== saved) await writeCursor(this.cursorPath, after);
    this.cursor = after;
    this.position = after;
    this.state = "ok";
    this.running = this.run();
  }

  /** Stops promptly: the request in flight and the retry wait are aborted; the position is kept. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = undefined;
    if (this.state !== "disabled") this.state = "stopped";
    // Changes filtered out since the last delivery need not be looked at again.
    if (this.position > this.cursor) await this.persist(this.position);
  }

  stats(): WebhookStats {
    return {
      name: this.webhook.name,
      state: this.state,
      delivered: this.delivered,
      failedAttempts: this.failedAttempts,
      skipped: this.skipped,
      cursor: this.cursor,
      pending: Math.max(0, this.latestId() - this.position),
      ...optional({
        retrying: this.retrying,
        lastError: this.lastError,
        lastErrorAt: this.lastErrorAt,
        nextRetryAt: this.nextRetryAt,
        lastDeliveredAt: this.lastDeliveredAt,
      }),
    };
  }

  /** Follows the history from the position; a failed read of the store waits and follows again. */
  private async run(): Promise<void> {
    const { signal } = this.abort;
    for (let failures = 1; !signal.aborted && this.state !== "disabled"; failures++) {
      try {
        await this.follow(signal);
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        this.log.error({ err, failures }, "reading the alert history failed: following again");
        if (!(await pause(backoffDelay(failures, this.backoff, this.random), signal))) return;
      }
    }
  }

  private async follow(signal: AbortSignal): Promise<void> {
    for await (const change of followChanges(this.deps.store, this.position, { signal })) {
      if (!accepts(this.webhook.events, change.event, change.alert)) {
        this.skipped++;
        this.position = change.id;
        continue;
      }
      if (!(await this.deliver(change, signal))) return;
      this.position = change.id;
      await this.persist(change.id);
    }
  }

  /** Sends one change until a 2xx; false when closed or disabled meanwhile. */
  private async deliver(change: AlertChange, signal: AbortSignal): Promise<boolean> {
    const body = JSON.stringify(webhookBody(change));
    for (let failures = 1; ; failures++) {
      const outcome = await this.attempt(change, body, signal);
      if (signal.aborted) return false;
      if (outcome.ok) {
        this.succeeded();
        return true;
      }
      if (outcome.gone) {
        this.disable(change, outcome.reason);
        return false;
      }
      const delay = backoffDelay(failures, this.backoff, this.random);
      this.failed(change, outcome.reason, delay);
      if (!(await pause(delay, signal))) return false;
    }
  }

  private async attempt(change: AlertChange, body: string, closing: AbortSignal): Promise<Outcome> {
    const timestamp = String(Math.floor(this.clock.now() / 1000));
    const request = requestSignal(closing, this.timeoutMs);
    try {
      const response = await fetch(this.webhook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Lanterne-Webhooks/1",
          "x-lanterne-event": `alert.${change.event}`,
          "x-lanterne-delivery": String(change.id),
          "x-lanterne-timestamp": timestamp,
          "x-lanterne-signature": signBody(this.webhook.secret, timestamp, body),
        },
        body,
        redirect: "manual",
        signal: request.signal,
      });
      // The answer's body means nothing to Lanterne: release the connection.
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return { ok: true };
      return { ok: false, gone: response.status === 410, reason: `HTTP ${response.status}` };
    } catch (err) {
      return { ok: false, gone: false, reason: reasonOf(err) };
    } finally {
      request.done();
    }
  }

  private succeeded(): void {
    const now = this.clock.now();
    this.delivered++;
    this.lastDeliveredAt = now;
    if (this.state === "failing") {
      this.log.info(
        { delivery: this.retrying, downMs: now - (this.failingSince ?? now), lastError: this.lastError },
        "webhook receiver recovered",
      );
    }
    this.state = "ok";
    this.retrying = undefined;
    this.nextRetryAt = undefined;
    this.failingSince = undefined;
  }

  private failed(change: AlertChange, reason: string, delayMs: number): void {
    const now = this.clock.now();
    this.failedAttempts++;
    this.lastError = reason;
    this.lastErrorAt = now;
    this.nextRetryAt = now + delayMs;
    this.retrying = change.id;
    // One line when the receiver starts failing, one when it recovers: not one per retry.
    if (this.state === "failing") return;
    this.state = "failing";
    this.failingSince = now;
    this.log.warn(
      { delivery: change.id, reason, url: safeUrl(this.webhook.url), retryInMs: delayMs },
      "webhook receiver failing: retrying with backoff",
    );
  }

  private disable(change: AlertChange, reason: string): void {
    this.failedAttempts++;
    this.lastError = reason;
    this.lastErrorAt = this.clock.now();
    this.nextRetryAt = undefined;
    this.retrying = change.id;
    this.state = "disabled";
    this.log.error(
      { delivery: change.id, url: safeUrl(this.webhook.url), cursor: this.cursor },
      "webhook receiver answered 410 Gone: webhook disabled until the next start",
    );
  }

  /** A cursor that cannot be written costs a resend after a restart, not a stop: keep delivering. */
  private async persist(after: number): Promise<void> {
    try {
      await writeCursor(this.cursorPath, after);
      this.cursor = after;
      if (this.cursorFailing) this.log.info({ after }, "webhook cursor written again");
      this.cursorFailing = false;
    } catch (err) {
      if (!this.cursorFailing)
        this.log.error({ err }, "webhook cursor cannot be written: a restart will resend");
      this.cursorFailing = true;
    }
  }
}

/** The webhooks of a platform: one deliverer each, started and closed together. */
export interface WebhookSinks {
  start(): Promise<void>;
  close(): Promise<void>;
  /** For /metrics and the stats route. */
  stats(): WebhookStats[];
}

export function createWebhookSinks(
  deps: WebhookSinkDeps,
  webhooks: readonly Webhook[],
  options: WebhookSinkOptions = {},
): WebhookSinks {
  let latest = 0;
  let stop: (() => void) | undefined;
  const latestId = () => latest;
  const deliverers = webhooks.map((w) => new WebhookDeliverer(deps, w, options, latestId));
  return {
    async start() {
      if (deliverers.length === 0) return;
      stop = deps.store.onChange((change) => {
        latest = Math.max(latest, change.id);
      });
      latest = Math.max(latest, await deps.store.lastChangeId());
      for (const d of deliverers) await d.start();
    },
    async close() {
      stop?.();
      stop = undefined;
      await Promise.all(deliverers.map((d) => d.close()));
    },
    stats: () => deliverers.map((d) => d.stats()),
  };
}

/**
 * One request's signal: aborted by `close()` or after `timeoutMs` (AbortSignal.timeout). Its
 * listener on the long-lived closing signal is removed once the request ends, so that a receiver
 * retried for days leaves nothing attached to it.
 */
function requestSignal(closing: AbortSignal, timeoutMs: number): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const timeout = AbortSignal.timeout(timeoutMs);
  const onClose = () => controller.abort(closing.reason);
  const onTimeout = () => controller.abort(timeout.reason);
  closing.addEventListener("abort", onClose, { once: true });
  timeout.addEventListener("abort", onTimeout, { once: true });
  return {
    signal: controller.signal,
    done() {
      closing.removeEventListener("abort", onClose);
      timeout.removeEventListener("abort", onTimeout);
    },
  };
}

/** Waits `ms`; false when aborted first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** A short reason for a failed request: never a body, a header or a secret. */
function reasonOf(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timeout";
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (typeof cause?.code === "string") return cause.code;
  return err instanceof Error ? err.name : "error";
}

/** The URL as logged: no query (it may hold a receiver's token). */
function safeUrl(text: string): string {
  const url = new URL(text);
  return `${url.origin}${url.pathname}`;
}

function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
