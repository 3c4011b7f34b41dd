import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createDuckdbAlertStore } from "../../services/alerts/duckdb-alert-store.ts";
import { readCursor } from "../../services/alerts/sinks/cursor-file.ts";
import type { Webhook } from "../../services/alerts/sinks/webhook-config.ts";
import { createWebhookSinks, type WebhookSinks } from "../../services/alerts/sinks/webhooks.ts";
import type { AlertStore } from "../../services/alerts/store.ts";
import type { AlertInput } from "../../services/alerts/types.ts";

/**
 * Webhooks against a real HTTP receiver on a real socket, fed by the real DuckDB alert store: the
 * receiver fails, refuses connections, hangs, recovers; every change must arrive once it does, in
 * history order, signed, and a restarted deliverer resumes from its cursor.
 */

const dir = mkdtempSync(join(tmpdir(), "lanterne-webhooks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = "a-shared-secret-of-some-length";
/** Small waits so that retries happen quickly; nothing below asserts a duration. */
const FAST = { timeoutMs: 2_000, backoff: { initialMs: 5, maxMs: 40 } };

type Mode = "ok" | "fail" | "hang" | "gone";

interface Delivery {
  id: string;
  event: string;
  timestamp: string;
  signatureValid: boolean;
  body: { delivery: string; event: string; change: { id: number; event: string }; device: unknown };
}

/** A receiver as a maintenance system would write one: verifies the signature, dedups by delivery id. */
class Receiver {
  mode: Mode = "ok";
  /** Every request, answered or not. */
  attempts: string[] = [];
  /** Requests answered 2xx, in arrival order. */
  acknowledged: Delivery[] = [];
  port = 0;
  private server: Server | undefined;
  private hanging: ServerResponse[] = [];

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/lanterne?token=t`;
  }

  /** Distinct delivery ids acknowledged, in first-arrival order (what the receiver keeps). */
  get kept(): number[] {
    return [...new Set(this.acknowledged.map((d) => Number(d.id)))];
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Down: the port refuses connections until `listen()` again. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const res of this.hanging) res.destroy();
    this.hanging = [];
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const id = String(req.headers["x-lanterne-delivery"]);
    this.attempts.push(id);
    if (this.mode === "hang") {
      this.hanging.push(res);
      return;
    }
    if (this.mode !== "ok") {
      res.writeHead(this.mode === "gone" ? 410 : 500).end("no");
      return;
    }
    const timestamp = String(req.headers["x-lanterne-timestamp"]);
    this.acknowledged.push({
      id,
      event: String(req.headers["x-lanterne-event"]),
      timestamp,
      signatureValid: verify(raw, timestamp, String(req.headers["x-lanterne-signature"])),
      body: JSON.parse(raw),
    });
    res.writeHead(204).end();
  }
}

/** The receiver's side of the signature, written from the documented recipe only. */
function verify(raw: string, timestamp: string, header: string): boolean {
  const expected = createHmac("sha256", SECRET).update(`${timestamp}.${raw}`).digest();
  const match = /^sha256=([0-9a-f]{64})$/.exec(header);
  if (match?.[1] === undefined) return false;
  const given = Buffer.from(match[1], "hex");
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && timingSafeEqual(given, expected);
}

let clock = 1_780_000_000_000;
function at(): number {
  clock += 1_000;
  return clock;
}

function lamp(n: number): AlertInput {
  return {
    ruleId: "lamp-out",
    subject: `lum-57038-${String(n).padStart(4, "0")}`,
    severity: "major",
    domain: "streetlight",
    detail: "lamp out",
  };
}

async function openStore(name: string): Promise<AlertStore> {
  const store = createDuckdbAlertStore({ path: join(dir, `${name}.duckdb`) });
  await store.start();
  return store;
}

function sinksFor(store: AlertStore, cursors: string, webhook: Webhook, options = FAST): WebhookSinks {
  return createWebhookSinks({ store, dir: cursors }, [webhook], options);
}

/** The history ids after `after`, as the store holds them. */
async function idsAfter(store: AlertStore, after: number): Promise<number[]> {
  return (await store.changes(after, 10_000)).map((c) => c.id);
}

const WAIT = { timeout: 10_000, interval: 10 };

describe("webhooks against a real receiver", () => {
  it("delivers everything raised while the receiver failed and was down, in order, signed, once", async () => {
    const store = await openStore("outage");
    const cursors = join(dir, "outage-cursors");
    const receiver = new Receiver();
    await receiver.listen();
    // Before the webhook exists: not sent (a new webhook starts from now).
    await store.raise(lamp(1), at());
    const start = await store.lastChangeId();
    const hook = { name: "gmao", url: receiver.url, secret: SECRET };
    let sinks = sinksFor(store, cursors, hook);
    await sinks.start();

    receiver.mode = "fail";
    const a = await store.raise(lamp(2), at());
    await store.clear(a.subject, a.ruleId, at());
    await vi.waitFor(() => expect(receiver.attempts.length).toBeGreaterThanOrEqual(3), WAIT);
    const failing = sinks.stats()[0];
    expect(failing?.state).toBe("failing");
    expect(failing?.lastError).toBe("HTTP 500");
    expect(failing?.retrying).toBe(start + 1);
    expect(failing?.pending).toBe(2);
    expect(receiver.attempts.every((id) => id === String(start + 1))).toBe(true);

    // Connections refused for a while; changes keep coming, the store never waits.
    await receiver.stop();
    const failedBefore = failing?.failedAttempts ?? 0;
    for (let n = 3; n <= 6; n++) await store.raise(lamp(n), at());
    const b = await store.get(a.id);
    await store.acknowledge(a.id, "alice", at(), b?.version ?? 0);
    await vi.waitFor(() => {
      const s = sinks.stats()[0];
      expect(s?.lastError).toBe("ECONNREFUSED");
      expect(s?.failedAttempts).toBeGreaterThan(failedBefore + 2);
    }, WAIT);
    expect(sinks.stats()[0]?.pending).toBe(7);

    receiver.mode = "ok";
    await receiver.listen();
    const expected = await idsAfter(store, start);
    expect(expected).toHaveLength(7);
    await vi.waitFor(() => expect(receiver.kept).toEqual(expected), WAIT);
    expect(receiver.acknowledged.every((d) => d.signatureValid)).toBe(true);
    expect(receiver.acknowledged.map((d) => Number(d.id))).toEqual(expected);
    const first = receiver.acknowledged[0];
    expect(first?.event).toBe("alert.raised");
    expect(first?.body.delivery).toBe(first?.id);
    expect(first?.body.change).toMatchObject({ id: start + 1, event: "raised" });
    expect(first?.body.device).toMatchObject({ subject: a.subject, state: "fault", previous: "ok" });
    expect(receiver.acknowledged[1]?.event).toBe("alert.cleared");
    await vi.waitFor(() => expect(sinks.stats()[0]).toMatchObject({ state: "ok", pending: 0, delivered: 7 }));
    await vi.waitFor(async () =>
      expect(await readCursor(join(cursors, "gmao.cursor"))).toBe(expected.at(-1)),
    );

    // Restart: a new deliverer over the same alert file and cursor folder resumes where it was.
    await sinks.close();
    await store.close();
    const reopened = await openStore("outage");
    const lastAcknowledged = expected.at(-1) ?? 0;
    for (let n = 7; n <= 8; n++) await reopened.raise(lamp(n), at());
    const before = receiver.acknowledged.length;
    sinks = sinksFor(reopened, cursors, hook);
    await sinks.start();
    const resumed = await idsAfter(reopened, lastAcknowledged);
    expect(resumed).toHaveLength(2);
    await vi.waitFor(() => expect(receiver.kept).toEqual([...expected, ...resumed]), WAIT);
    // Nothing acknowledged before the restart was sent again.
    expect(receiver.acknowledged.slice(before).map((d) => Number(d.id))).toEqual(resumed);
    await sinks.close();
    await reopened.close();
    await receiver.stop();
  });

  it("times out a receiver that hangs and retries the same change", async () => {
    const store = await openStore("hang");
    const receiver = new Receiver();
    await receiver.listen();
    receiver.mode = "hang";
    const sinks = sinksFor(
      store,
      join(dir, "hang-cursors"),
      { name: "slow", url: receiver.url, secret: SECRET },
      { timeoutMs: 50, backoff: { initialMs: 5, maxMs: 20 } },
    );
    await sinks.start();
    await store.raise(lamp(1), at());
    await vi.waitFor(() => expect(receiver.attempts.length).toBeGreaterThanOrEqual(2), WAIT);
    expect(sinks.stats()[0]).toMatchObject({ state: "failing", lastError: "timeout" });
    // The store is never held up by a receiver that hangs.
    await store.raise(lamp(2), at());
    receiver.mode = "ok";
    const expected = await idsAfter(store, 0);
    await vi.waitFor(() => expect(receiver.kept).toEqual(expected), WAIT);
    expect(new Set(receiver.attempts.slice(0, 2))).toEqual(new Set([String(expected[0])]));
    await sinks.close();
    await store.close();
    await receiver.stop();
  });

  it("closes promptly with a request in flight and keeps the change for the next start", async () => {
    const store = await openStore("close");
    const cursors = join(dir, "close-cursors");
    const receiver = new Receiver();
    await receiver.listen();
    receiver.mode = "hang";
    const hook = { name: "hung", url: receiver.url, secret: SECRET };
    // A minute of timeout: close() must abort the request, not wait for it (vitest would time out).
    const slow = { timeoutMs: 60_000, backoff: { initialMs: 5, maxMs: 20 } };
    let sinks = sinksFor(store, cursors, hook, slow);
    await sinks.start();
    const start = await store.lastChangeId();
    await store.raise(lamp(1), at());
    await vi.waitFor(() => expect(receiver.attempts).toHaveLength(1), WAIT);
    await sinks.close();
    expect(sinks.stats()[0]?.state).toBe("stopped");
    expect(await readCursor(join(cursors, "hung.cursor"))).toBe(start);

    receiver.mode = "ok";
    sinks = sinksFor(store, cursors, hook, slow);
    await sinks.start();
    await vi.waitFor(() => expect(receiver.kept).toEqual([start + 1]), WAIT);
    await sinks.close();
    await store.close();
    await receiver.stop();
  });

  it("disables a webhook whose receiver answers 410 Gone, its cursor left in place", async () => {
    const store = await openStore("gone");
    const cursors = join(dir, "gone-cursors");
    const receiver = new Receiver();
    await receiver.listen();
    receiver.mode = "gone";
    const sinks = sinksFor(store, cursors, { name: "old", url: receiver.url, secret: SECRET });
    await sinks.start();
    const start = await store.lastChangeId();
    await store.raise(lamp(1), at());
    await store.raise(lamp(2), at());
    await vi.waitFor(() => expect(sinks.stats()[0]?.state).toBe("disabled"), WAIT);
    expect(receiver.attempts).toEqual([String(start + 1)]);
    await sinks.close();
    expect(sinks.stats()[0]?.state).toBe("disabled");
    expect(await readCursor(join(cursors, "old.cursor"))).toBe(start);
    await store.close();
    await receiver.stop();
  });

  it("sends only what the filter lets through, and moves past the rest", async () => {
    const store = await openStore("filter");
    const cursors = join(dir, "filter-cursors");
    const receiver = new Receiver();
    await receiver.listen();
    const sinks = sinksFor(store, cursors, {
      name: "critical-only",
      url: receiver.url,
      secret: SECRET,
      events: { kinds: ["raised"], severities: ["critical"] },
    });
    await sinks.start();
    const minor = await store.raise({ ...lamp(1), severity: "minor" }, at());
    const critical = await store.raise({ ...lamp(2), severity: "critical" }, at());
    await store.clear(critical.subject, critical.ruleId, at());
    await store.clear(minor.subject, minor.ruleId, at());
    const last = await store.lastChangeId();
    await vi.waitFor(
      () => expect(sinks.stats()[0]).toMatchObject({ pending: 0, delivered: 1, skipped: 3 }),
      WAIT,
    );
    expect(receiver.acknowledged.map((d) => d.body.change.event)).toEqual(["raised"]);
    expect(receiver.acknowledged[0]?.body.change).toMatchObject({ alert: { id: critical.id } });
    await sinks.close();
    // What was filtered out is not looked at again after a restart.
    expect(await readCursor(join(cursors, "critical-only.cursor"))).toBe(last);
    await store.close();
    await receiver.stop();
  });
});
