import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import { registerWebhookMetrics } from "../../services/alerts/sinks/webhook-metrics.ts";
import { createWebhookSinks } from "../../services/alerts/sinks/webhooks.ts";
import type { AlertInput } from "../../services/alerts/types.ts";
import type { Logger } from "../../services/domain/logger.ts";

/**
 * The deliverer without a network: `fetch` answers from a script. What is checked here is what a
 * person running Lanterne sees: one log line when a receiver starts failing and one when it
 * recovers (not one per retry), the stats and the metrics. Real sockets: test/integration/webhooks.test.ts.
 */

const dir = mkdtempSync(join(tmpdir(), "lanterne-webhooks-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllGlobals();
});

const SECRET = "never-logged-secret-value";
const INPUT: AlertInput = {
  ruleId: "lamp-out",
  subject: "lum-57038-0002",
  severity: "major",
  domain: "streetlight",
  detail: "lamp out",
};

interface Line {
  level: string;
  fields: Record<string, unknown>;
  message: string | undefined;
}

function recordingLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (fields: object | string, message?: string): void => {
      if (typeof fields === "string") lines.push({ level, fields: bindings, message: fields });
      else lines.push({ level, fields: { ...bindings, ...fields }, message });
    };
  return {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

/** A `fetch` answering with `statuses` in turn, then 200; records the delivery ids. */
function scriptedFetch(statuses: number[], sent: string[]) {
  return vi.fn(async (_url: string, init: RequestInit) => {
    sent.push(String((init.headers as Record<string, string>)["x-lanterne-delivery"]));
    const status = statuses.shift() ?? 200;
    if (status === 0) throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    return new Response(null, { status });
  });
}

describe("webhook deliverer", () => {
  it("logs the start of a failure and the recovery once each, never the secret", async () => {
    const sent: string[] = [];
    vi.stubGlobal("fetch", scriptedFetch([500, 503, 0, 0, 502], sent));
    const store = createMemoryAlertStore();
    await store.start();
    const lines: Line[] = [];
    const sinks = createWebhookSinks(
      { store, dir: join(dir, "logs"), logger: recordingLogger(lines), random: () => 0.5 },
      [{ name: "gmao", url: "https://gmao.example.fr/in?token=abc", secret: SECRET }],
      { timeoutMs: 1_000, backoff: { initialMs: 1, maxMs: 4 } },
    );
    await sinks.start();
    await store.raise(INPUT, 1_000);
    await store.clear(INPUT.subject, INPUT.ruleId, 2_000);
    // The cursor moves once its file is written, just after the delivery is counted.
    await vi.waitFor(() => expect(sinks.stats()[0]).toMatchObject({ delivered: 2, pending: 0, cursor: 2 }));
    expect(sent).toEqual(["1", "1", "1", "1", "1", "1", "2"]);
    expect(sinks.stats()[0]).toMatchObject({
      state: "ok",
      failedAttempts: 5,
      cursor: 2,
      lastError: "HTTP 502",
    });
    await sinks.close();

    const told = lines.filter((l) => l.level !== "debug").map((l) => [l.level, l.message]);
    expect(told).toEqual([
      ["info", "new webhook: delivering the changes from now on"],
      ["warn", "webhook receiver failing: retrying with backoff"],
      ["info", "webhook receiver recovered"],
    ]);
    expect(lines[1]?.fields).toMatchObject({ webhook: "gmao", delivery: 1, reason: "HTTP 500" });
    expect(lines[1]?.fields.url).toBe("https://gmao.example.fr/in");
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    expect(JSON.stringify(lines)).not.toContain("token=abc");
  });

  it("exposes its stats on /metrics, labelled by webhook name", async () => {
    const sent: string[] = [];
    vi.stubGlobal("fetch", scriptedFetch([500], sent));
    const store = createMemoryAlertStore();
    await store.start();
    const sinks = createWebhookSinks(
      { store, dir: join(dir, "metrics") },
      [{ name: "gmao", url: "https://gmao.example.fr/in", secret: SECRET }],
      { backoff: { initialMs: 1, maxMs: 2 } },
    );
    const registry = new Registry();
    registerWebhookMetrics(registry, () => sinks.stats());
    await sinks.start();
    await store.raise(INPUT, 1_000);
    await vi.waitFor(() => expect(sinks.stats()[0]?.delivered).toBe(1));
    await sinks.close();
    const text = await registry.metrics();
    expect(text).toContain('lanterne_webhook_delivered_total{webhook="gmao"} 1');
    expect(text).toContain('lanterne_webhook_failed_attempts_total{webhook="gmao"} 1');
    expect(text).toContain('lanterne_webhook_pending{webhook="gmao"} 0');
    expect(text).toContain('lanterne_webhook_failing{webhook="gmao"} 0');
    expect(text).not.toContain(SECRET);
  });

  it("does nothing, and reads no store, without webhooks", async () => {
    const store = createMemoryAlertStore();
    const sinks = createWebhookSinks({ store, dir: join(dir, "none") }, []);
    await sinks.start();
    expect(sinks.stats()).toEqual([]);
    await sinks.close();
  });
});
