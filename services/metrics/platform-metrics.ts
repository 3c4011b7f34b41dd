import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { ItemResult } from "../../gateway/pipeline/pipeline.ts";
import { AUTH_SCHEMES, type AuthStats } from "../auth/principals.ts";
import type { RollupStats } from "../rollups/maintainer.ts";
import { createMetricsRegistry } from "./registry.ts";

/**
 * The platform's own metrics (`GET /metrics`, Prometheus text format): what comes in, what is
 * refused and why, how long the store takes, how much is waiting, who is connected, and the
 * process's CPU, memory and event-loop lag.
 *
 * Names are those dashboards and alerts already use: running totals are counters, including the
 * few whose names lack the `_total` suffix (`lanterne_mqtt_auth_failures`, ...), kept as they
 * are since the text format 0.0.4 writes names unchanged.
 */
export interface PlatformGauges {
  writePending(): number;
  mqttConnections(): number;
  /** Running totals of the broker since start. */
  mqttAuthFailures(): number;
  mqttForbidden(): number;
  /** Disk spool in front of InfluxDB (zero with the embedded store). */
  spool(): { bytes: number; segments: number; oldestAgeMs: number };
  rollups(): RollupStats;
  /** The authenticator's running totals of failed and throttled logins (MQTT and HTTP). */
  auth?(): AuthStats;
  /** The rule engine's running totals, and the (device, rule) states it holds. */
  rules?(): {
    evaluated: number;
    raised: number;
    cleared: number;
    dropped: number;
    failures: number;
    states: number;
  };
  /** The open-data publisher's running totals. */
  opendata?(): { runs: number; written: number; withheld: number; failures: number };
}

export interface PlatformMetrics {
  /** prom-client's registry: `await registry.metrics()` is the exposition text. */
  registry: Registry;
  /** Pipeline verdicts: readings accepted, quarantined by reason, violations by code. */
  observe(source: string, items: readonly ItemResult[]): void;
  /** A durable flush of the writer. */
  flushed(observations: number, seconds: number): void;
}

const WRITE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createPlatformMetrics(gauges: PlatformGauges): PlatformMetrics {
  const registry = createMetricsRegistry();
  const registers = [registry];
  const readings = new Counter({
    name: "lanterne_ingest_readings_total",
    help: "Readings received, by source and verdict.",
    labelNames: ["source", "verdict"] as const,
    registers,
  });
  const quarantined = new Counter({
    name: "lanterne_quarantine_total",
    help: "Readings or messages kept in quarantine, by reason code (a refusal may have several reasons).",
    labelNames: ["code"] as const,
    registers,
  });
  const violations = new Counter({
    name: "lanterne_violations_total",
    help: "Violations on accepted readings (dropped or unknown fields), by code.",
    labelNames: ["code"] as const,
    registers,
  });
  const stored = new Counter({
    name: "lanterne_store_observations_total",
    help: "Observations made durable in the store.",
    registers,
  });
  const writeSeconds = new Histogram({
    name: "lanterne_store_write_seconds",
    help: "Time the store took to make one flush durable.",
    buckets: WRITE_BUCKETS,
    registers,
  });
  declareSnapshots(registry, gauges);
  return {
    registry,
    observe(source, items) {
      let accepted = 0;
      let refused = 0;
      for (const item of items) {
        if (item.status === "quarantined") {
          refused++;
          for (const v of item.violations) quarantined.inc({ code: v.code });
        } else {
          accepted++;
          for (const v of item.violations) violations.inc({ code: v.code });
        }
      }
      // One increment per verdict and message, not per reading: a batch of 1,000 costs two.
      if (accepted > 0) readings.inc({ source, verdict: "accepted" }, accepted);
      if (refused > 0) readings.inc({ source, verdict: "quarantined" }, refused);
    },
    flushed(observations, seconds) {
      stored.inc(observations);
      writeSeconds.observe(seconds);
    },
  };
}

/**
 * Values their owners keep (the writer, the broker, the spool, the rollup maintainer, the
 * authenticator count on their own paths without knowing about metrics), read at scrape time.
 */
function declareSnapshots(registry: Registry, gauges: PlatformGauges): void {
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge("lanterne_write_pending", "Readings, quarantine entries and violations not yet durable.", () =>
    gauges.writePending(),
  );
  gauge("lanterne_mqtt_connections", "MQTT clients connected.", () => gauges.mqttConnections());
  gauge(
    "lanterne_spool_bytes",
    "Bytes of readings waiting in the disk spool for InfluxDB.",
    () => gauges.spool().bytes,
  );
  gauge("lanterne_spool_segments", "Batches waiting in the disk spool.", () => gauges.spool().segments);
  gauge(
    "lanterne_spool_oldest_age_seconds",
    "Age of the oldest spooled batch.",
    () => gauges.spool().oldestAgeMs / 1000,
  );
  gauge(
    "lanterne_rollup_dirty_buckets",
    "Rollup buckets (tier and time) waiting to be recomputed after new or late readings.",
    () => gauges.rollups().dirtyBuckets,
  );
  gauge(
    "lanterne_rollup_last_pass_seconds",
    "Duration of the last rollup pass.",
    () => gauges.rollups().lastPassMs / 1000,
  );
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        // The owner's running total is the counter's value: set it rather than add to it.
        this.reset();
        this.inc(read());
      },
    });
  total("lanterne_mqtt_auth_failures", "MQTT connections refused for bad credentials.", () =>
    gauges.mqttAuthFailures(),
  );
  total("lanterne_mqtt_forbidden", "MQTT publishes refused for a topic outside the operator's own.", () =>
    gauges.mqttForbidden(),
  );
  total("lanterne_rollup_passes", "Rollup passes completed since start.", () => gauges.rollups().passes);
  total(
    "lanterne_rollup_failures",
    "Rollup passes that failed since start (their buckets are kept for the next pass).",
    () => gauges.rollups().failures,
  );
  const rules = (
    name: string,
    help: string,
    read: (r: NonNullable<ReturnType<NonNullable<PlatformGauges["rules"]>>>) => number,
  ) =>
    total(name, help, () => {
      const r = gauges.rules?.();
      return r ? read(r) : 0;
    });
  rules(
    "lanterne_rules_evaluated_total",
    "Rule evaluations (a reading or a tick against one rule of one device).",
    (r) => r.evaluated,
  );
  rules("lanterne_rules_raised_total", "Alerts raised or reactivated by the rules.", (r) => r.raised);
  rules("lanterne_rules_cleared_total", "Clearings decided by the rules.", (r) => r.cleared);
  rules(
    "lanterne_rules_dropped_total",
    "Durable readings the rule engine could not evaluate because its queue was full.",
    (r) => r.dropped,
  );
  rules(
    "lanterne_rules_failures_total",
    "Verdicts the alert store refused (retried at the next reading).",
    (r) => r.failures,
  );
  const opendata = (name: string, help: string, key: "runs" | "written" | "withheld" | "failures") =>
    total(name, help, () => gauges.opendata?.()[key] ?? 0);
  opendata("lanterne_opendata_runs_total", "Open-data publisher runs completed.", "runs");
  opendata(
    "lanterne_opendata_versions_total",
    "Figure versions the publisher recorded (first publications and revisions).",
    "written",
  );
  opendata(
    "lanterne_opendata_withheld_total",
    "Revisions held back because fewer devices than the threshold changed them.",
    "withheld",
  );
  opendata(
    "lanterne_opendata_failures_total",
    "Open-data publisher runs that failed (retried at the next run).",
    "failures",
  );
  gauge(
    "lanterne_rules_states",
    "(device, rule) states the rule engine holds.",
    () => gauges.rules?.().states ?? 0,
  );
  const byScheme = (name: string, help: string, read: (stats: AuthStats) => AuthStats["failures"]) =>
    new Counter({
      name,
      help,
      labelNames: ["scheme"] as const,
      registers,
      collect() {
        const stats = gauges.auth?.();
        if (!stats) return;
        this.reset();
        const totals = read(stats);
        for (const scheme of AUTH_SCHEMES) this.inc({ scheme }, totals[scheme]);
      },
    });
  byScheme(
    "lanterne_auth_failures_total",
    "Logins whose credentials did not verify, by scheme (mqtt, basic, bearer).",
    (s) => s.failures,
  );
  byScheme(
    "lanterne_auth_throttled_total",
    "Logins refused before any check after repeated failures of the username or address, by scheme.",
    (s) => s.throttled,
  );
}
