import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * The platform's Prometheus registry: prom-client's, rendered in the text exposition format
 * 0.0.4 (`registry.contentType`), where metric names are written as declared (the OpenMetrics
 * format would append `_total` to counters and rename the ones that lack it).
 *
 * One registry per platform rather than prom-client's global one, so that several platforms in
 * one process (the tests) do not collide on metric names. The process's own metrics (CPU,
 * memory, event-loop lag `nodejs_eventloop_lag_seconds`, garbage collection, handles) are
 * collected on it too.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
