import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { ItemResult } from "../../gateway/pipeline/pipeline.ts";
import type { AuthStats } from "../../services/auth/principals.ts";
import { createPlatformMetrics, type PlatformGauges } from "../../services/metrics/platform-metrics.ts";
import type { RollupStats } from "../../services/rollups/maintainer.ts";

/**
 * The exposition text is read back with an independent parser (parse-prometheus-text-format, a
 * port of the Python client's), not with prom-client, which wrote it.
 */
interface Family {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: Array<{
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
}
const require = createRequire(import.meta.url);
const parseExposition = require("parse-prometheus-text-format") as (text: string) => Family[];

/**
 * The names dashboards, alerts and the README use: renaming one breaks them. Running totals are
 * counters, the four without the `_total` suffix included (their names are kept as they were).
 */
const COUNTERS = [
  "lanterne_ingest_readings_total",
  "lanterne_quarantine_total",
  "lanterne_violations_total",
  "lanterne_store_observations_total",
  "lanterne_auth_failures_total",
  "lanterne_auth_throttled_total",
  "lanterne_mqtt_auth_failures",
  "lanterne_mqtt_forbidden",
  "lanterne_rollup_passes",
  "lanterne_rollup_failures",
  "lanterne_rules_evaluated_total",
  "lanterne_rules_raised_total",
  "lanterne_rules_cleared_total",
  "lanterne_rules_dropped_total",
  "lanterne_rules_failures_total",
  "lanterne_opendata_runs_total",
  "lanterne_opendata_versions_total",
  "lanterne_opendata_withheld_total",
  "lanterne_opendata_failures_total",
];
const GAUGES = [
  "lanterne_write_pending",
  "lanterne_mqtt_connections",
  "lanterne_spool_bytes",
  "lanterne_spool_segments",
  "lanterne_spool_oldest_age_seconds",
  "lanterne_rollup_dirty_buckets",
  "lanterne_rollup_last_pass_seconds",
  "lanterne_rules_states",
];
const HISTOGRAMS = ["lanterne_store_write_seconds"];

function setup() {
  const rollups: RollupStats = {
    passes: 4,
    deviceRows: 0,
    groupRows: 0,
    failures: 1,
    dirtyBuckets: 7,
    lastPassMs: 1500,
    lastSuccessAt: 0,
  };
  const auth: AuthStats = {
    failures: { mqtt: 2, basic: 5, bearer: 0 },
    throttled: { mqtt: 0, basic: 1, bearer: 0 },
  };
  const state = { pending: 3, connections: 2, mqttAuthFailures: 5, forbidden: 1 };
  const gauges: PlatformGauges = {
    writePending: () => state.pending,
    mqttConnections: () => state.connections,
    mqttAuthFailures: () => state.mqttAuthFailures,
    mqttForbidden: () => state.forbidden,
    spool: () => ({ bytes: 10, segments: 1, oldestAgeMs: 2000 }),
    rollups: () => rollups,
    rules: () => ({ evaluated: 40, raised: 3, cleared: 2, dropped: 0, failures: 1, states: 12 }),
    auth: () => auth,
  };
  const metrics = createPlatformMetrics(gauges);
  const scrape = async () => {
    const families = parseExposition(await metrics.registry.metrics());
    return new Map(families.map((f) => [f.name, f]));
  };
  return { metrics, state, rollups, auth, scrape };
}

function value(family: Family | undefined, labels: Record<string, string> = {}): number {
  const sample = family?.metrics.find((m) => JSON.stringify(m.labels ?? {}) === JSON.stringify(labels));
  return Number(sample?.value);
}

const accepted = (codes: string[] = []): ItemResult =>
  ({
    status: "accepted",
    violations: codes.map((code) => ({ code, path: "data", detail: "" })),
  }) as ItemResult;
const refused = (codes: string[]): ItemResult =>
  ({
    status: "quarantined",
    violations: codes.map((code) => ({ code, path: "data", detail: "" })),
  }) as ItemResult;

describe("platform metrics (prom-client, read back with an independent parser)", () => {
  it("keeps every metric name, with running totals as counters", async () => {
    const { scrape } = setup();
    const families = await scrape();
    const ours = [...families.keys()].filter((name) => name.startsWith("lanterne_")).sort();
    expect(ours).toEqual([...COUNTERS, ...GAUGES, ...HISTOGRAMS].sort());
    for (const name of COUNTERS) expect(families.get(name)?.type, name).toBe("COUNTER");
    for (const name of GAUGES) expect(families.get(name)?.type, name).toBe("GAUGE");
    for (const name of HISTOGRAMS) expect(families.get(name)?.type, name).toBe("HISTOGRAM");
    // Ours only: prom-client's own `nodejs_active_resources_total` is a gauge.
    for (const name of ours) {
      if (name.endsWith("_total")) expect(families.get(name)?.type, name).toBe("COUNTER");
      expect(families.get(name)?.help, name).not.toBe("");
    }
  });

  it("serves the text format 0.0.4, where names are written as declared", () => {
    const { metrics } = setup();
    expect(metrics.registry.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("counts verdicts by source, refusals and violations by code, and flushes", async () => {
    const { metrics, scrape } = setup();
    metrics.observe("mqtt", [
      accepted(),
      accepted(["ERR_CONTRACT_OUT_OF_RANGE"]),
      refused(["ERR_DEVICE_UNKNOWN"]),
    ]);
    metrics.observe("mqtt", [accepted()]);
    metrics.observe("http", [refused(["ERR_DEVICE_UNKNOWN", "ERR_TYPE"])]);
    metrics.flushed(3, 0.02);
    metrics.flushed(2, 3);
    const f = await scrape();
    const readings = f.get("lanterne_ingest_readings_total");
    expect(value(readings, { source: "mqtt", verdict: "accepted" })).toBe(3);
    expect(value(readings, { source: "mqtt", verdict: "quarantined" })).toBe(1);
    expect(value(readings, { source: "http", verdict: "quarantined" })).toBe(1);
    expect(value(f.get("lanterne_quarantine_total"), { code: "ERR_DEVICE_UNKNOWN" })).toBe(2);
    expect(value(f.get("lanterne_quarantine_total"), { code: "ERR_TYPE" })).toBe(1);
    expect(value(f.get("lanterne_violations_total"), { code: "ERR_CONTRACT_OUT_OF_RANGE" })).toBe(1);
    expect(value(f.get("lanterne_store_observations_total"))).toBe(5);
    const writes = f.get("lanterne_store_write_seconds")?.metrics[0];
    expect(writes?.count).toBe("2");
    expect(Number(writes?.sum)).toBeCloseTo(3.02);
    expect(writes?.buckets?.["0.025"]).toBe("1");
    expect(writes?.buckets?.["+Inf"]).toBe("2");
  });

  it("reads gauges and the owners' running totals at each scrape", async () => {
    const { state, rollups, auth, scrape } = setup();
    let f = await scrape();
    expect(value(f.get("lanterne_write_pending"))).toBe(3);
    expect(value(f.get("lanterne_spool_oldest_age_seconds"))).toBe(2);
    expect(value(f.get("lanterne_rollup_last_pass_seconds"))).toBe(1.5);
    expect(value(f.get("lanterne_mqtt_auth_failures"))).toBe(5);
    expect(value(f.get("lanterne_rollup_passes"))).toBe(4);
    expect(value(f.get("lanterne_rules_raised_total"))).toBe(3);
    expect(value(f.get("lanterne_rules_states"))).toBe(12);
    expect(value(f.get("lanterne_auth_failures_total"), { scheme: "basic" })).toBe(5);
    expect(value(f.get("lanterne_auth_throttled_total"), { scheme: "bearer" })).toBe(0);
    state.pending = 0;
    state.mqttAuthFailures = 9;
    rollups.passes = 6;
    auth.failures.basic = 8;
    f = await scrape();
    expect(value(f.get("lanterne_write_pending"))).toBe(0);
    // The counter's value is the owner's total, not a sum of successive scrapes.
    expect(value(f.get("lanterne_mqtt_auth_failures"))).toBe(9);
    expect(value(f.get("lanterne_rollup_passes"))).toBe(6);
    expect(value(f.get("lanterne_auth_failures_total"), { scheme: "basic" })).toBe(8);
    expect(value(f.get("lanterne_auth_failures_total"), { scheme: "mqtt" })).toBe(2);
  });

  it("escapes label values so that they read back as they were", async () => {
    const { metrics, scrape } = setup();
    const code = 'A"B\\C\nD';
    metrics.observe("mqtt", [refused([code])]);
    const f = await scrape();
    expect(f.get("lanterne_quarantine_total")?.metrics.map((m) => m.labels?.code)).toEqual([code]);
  });

  it("adds the process's CPU, memory and event-loop lag", async () => {
    const { scrape } = setup();
    const f = await scrape();
    expect(f.get("process_cpu_seconds_total")?.type).toBe("COUNTER");
    expect(f.get("process_resident_memory_bytes")?.type).toBe("GAUGE");
    expect(f.get("nodejs_heap_size_used_bytes")?.type).toBe("GAUGE");
    expect(f.get("nodejs_eventloop_lag_seconds")?.type).toBe("GAUGE");
    expect(f.get("nodejs_eventloop_lag_p99_seconds")?.type).toBe("GAUGE");
    expect(value(f.get("process_resident_memory_bytes"))).toBeGreaterThan(0);
  });

  it("gives each platform a registry of its own (several in one process do not collide)", async () => {
    const a = setup();
    const b = setup();
    a.metrics.flushed(1, 0.001);
    expect(value((await a.scrape()).get("lanterne_store_observations_total"))).toBe(1);
    expect(value((await b.scrape()).get("lanterne_store_observations_total"))).toBe(0);
  });
});
