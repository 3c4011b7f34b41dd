import { Counter, Gauge, type Registry } from "prom-client";
import type { WebhookStats } from "./webhooks.ts";

/**
 * The webhooks on `/metrics`, one series per webhook (label `webhook`, its name: never its URL or
 * secret), read at scrape time from the deliverers' own stats.
 */
export function registerWebhookMetrics(registry: Registry, stats: () => WebhookStats[]): void {
  const registers = [registry];
  const labelNames = ["webhook"] as const;
  const gauge = (name: string, help: string, read: (s: WebhookStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const s of stats()) this.set({ webhook: s.name }, read(s));
      },
    });
  const total = (name: string, help: string, read: (s: WebhookStats) => number) =>
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        // The deliverer's running total is the counter's value: set it rather than add to it.
        this.reset();
        for (const s of stats()) this.inc({ webhook: s.name }, read(s));
      },
    });
  total(
    "lanterne_webhook_delivered_total",
    "Alert changes acknowledged (2xx) by the receiver.",
    (s) => s.delivered,
  );
  total(
    "lanterne_webhook_failed_attempts_total",
    "Webhook requests that failed (status other than 2xx, timeout, connection refused).",
    (s) => s.failedAttempts,
  );
  gauge(
    "lanterne_webhook_pending",
    "Alert history changes the webhook has not handled yet (its backlog).",
    (s) => s.pending,
  );
  gauge(
    "lanterne_webhook_failing",
    "1 while the webhook retries a change or is disabled (410 Gone), else 0.",
    (s) => (s.state === "failing" || s.state === "disabled" ? 1 : 0),
  );
  gauge(
    "lanterne_webhook_last_delivered_timestamp_seconds",
    "When the receiver last acknowledged a change (0: not since start).",
    (s) => (s.lastDeliveredAt ?? 0) / 1000,
  );
}
