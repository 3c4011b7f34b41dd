import type { ItemResult } from "../../gateway/pipeline/pipeline.ts";
import { AUTH_SCHEMES, type AuthScheme, type AuthStats } from "../auth/principals.ts";
import type { RollupStats } from "../rollups/maintainer.ts";
import { type Counter, Metrics } from "./registry.ts";

/**
 * The platform's own metrics (`GET /metrics`, Prometheus text format): what comes in, what is
 * refused and why, how long the store takes, how much is waiting, who is connected.
 */
export interface PlatformGauges {
  writePending(): number;
  mqttConnections(): number;
  mqttAuthFailures(): number;
  mqttForbidden(): number;
  /** Disk spool in front of InfluxDB (zero with the embedded store). */
  spool(): { bytes: number; segments: number; oldestAgeMs: number };
  rollups(): RollupStats;
  /** The authenticator's running totals of failed and throttled logins (MQTT and HTTP). */
  auth?(): AuthStats;
}

export interface PlatformMetrics {
  registry: Metrics;
  /** Pipeline verdicts: readings accepted, quarantined by reason, violations by code. */
  observe(source: string, items: readonly ItemResult[]): void;
  /** A durable flush of the writer. */
  flushed(observations: number, seconds: number): void;
}

const WRITE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createPlatformMetrics(gauges: PlatformGauges): PlatformMetrics {
  const registry = new Metrics();
  const readings = registry.counter(
    "lanterne_ingest_readings_total",
    "Readings received, by source and verdict.",
  );
  const quarantined = registry.counter(
    "lanterne_quarantine_total",
    "Readings or messages kept in quarantine, by reason code (a refusal may have several reasons).",
  );
  const violations = registry.counter(
    "lanterne_violations_total",
    "Violations on accepted readings (dropped or unknown fields), by code.",
  );
  const stored = registry.counter(
    "lanterne_store_observations_total",
    "Observations made durable in the store.",
  );
  const writeSeconds = registry.histogram(
    "lanterne_store_write_seconds",
    "Time the store took to make one flush durable.",
    WRITE_BUCKETS,
  );
  const pending = registry.gauge(
    "lanterne_write_pending",
    "Readings, quarantine entries and violations not yet durable.",
  );
  const connections = registry.gauge("lanterne_mqtt_connections", "MQTT clients connected.");
  const authFailures = registry.gauge(
    "lanterne_mqtt_auth_failures",
    "MQTT connections refused for bad credentials.",
  );
  const forbidden = registry.gauge(
    "lanterne_mqtt_forbidden",
    "MQTT publishes refused for a topic outside the operator's own.",
  );
  const spoolBytes = registry.gauge(
    "lanterne_spool_bytes",
    "Bytes of readings waiting in the disk spool for InfluxDB.",
  );
  const spoolSegments = registry.gauge("lanterne_spool_segments", "Batches waiting in the disk spool.");
  const spoolAge = registry.gauge("lanterne_spool_oldest_age_seconds", "Age of the oldest spooled batch.");
  const rollupDirty = registry.gauge(
    "lanterne_rollup_dirty_buckets",
    "Rollup buckets (tier and time) waiting to be recomputed after new or late readings.",
  );
  const rollupPasses = registry.gauge("lanterne_rollup_passes", "Rollup passes completed since start.");
  const rollupFailures = registry.gauge(
    "lanterne_rollup_failures",
    "Rollup passes that failed since start (their buckets are kept for the next pass).",
  );
  const rollupPassSeconds = registry.gauge(
    "lanterne_rollup_last_pass_seconds",
    "Duration of the last rollup pass.",
  );
  const authFailuresTotal = registry.counter(
    "lanterne_auth_failures_total",
    "Logins whose credentials did not verify, by scheme (mqtt, basic, bearer).",
  );
  const authThrottledTotal = registry.counter(
    "lanterne_auth_throttled_total",
    "Logins refused before any check after repeated failures of the username or address, by scheme.",
  );
  const authFailuresBy = followTotals(authFailuresTotal);
  const authThrottledBy = followTotals(authThrottledTotal);
  /** One incrementer per source and verdict: every message counts, so no label work per message. */
  const bySource = new Map<string, { accepted: (by?: number) => void; quarantined: (by?: number) => void }>();
  const verdictsOf = (source: string) => {
    let v = bySource.get(source);
    if (!v) {
      v = {
        accepted: readings.with({ source, verdict: "accepted" }),
        quarantined: readings.with({ source, verdict: "quarantined" }),
      };
      bySource.set(source, v);
    }
    return v;
  };
  registry.onCollect(() => {
    const r = gauges.rollups();
    rollupDirty(r.dirtyBuckets);
    rollupPasses(r.passes);
    rollupFailures(r.failures);
    rollupPassSeconds(r.lastPassMs / 1000);
    const s = gauges.spool();
    spoolBytes(s.bytes);
    spoolSegments(s.segments);
    spoolAge(s.oldestAgeMs / 1000);
    pending(gauges.writePending());
    connections(gauges.mqttConnections());
    authFailures(gauges.mqttAuthFailures());
    forbidden(gauges.mqttForbidden());
    const auth = gauges.auth?.();
    if (auth) {
      for (const scheme of AUTH_SCHEMES) {
        authFailuresBy(scheme, auth.failures[scheme]);
        authThrottledBy(scheme, auth.throttled[scheme]);
      }
    }
  });
  return {
    registry,
    observe(source, items) {
      let accepted = 0;
      let refused = 0;
      for (const item of items) {
        if (item.status === "quarantined") {
          refused++;
          for (const v of item.violations) quarantined({ code: v.code });
        } else {
          accepted++;
          for (const v of item.violations) violations({ code: v.code });
        }
      }
      const verdicts = verdictsOf(source);
      if (accepted > 0) verdicts.accepted(accepted);
      if (refused > 0) verdicts.quarantined(refused);
    },
    flushed(observations, seconds) {
      stored({}, observations);
      writeSeconds(seconds);
    },
  };
}

/**
 * A counter whose owner keeps the running total (the authenticator counts on its hot path without
 * knowing about metrics): each collection adds what the total gained since the last one.
 */
function followTotals(counter: Counter): (scheme: AuthScheme, total: number) => void {
  const seen = new Map<AuthScheme, number>();
  return (scheme, total) => {
    const gained = total - (seen.get(scheme) ?? 0);
    if (gained > 0 || !seen.has(scheme)) counter({ scheme }, gained);
    seen.set(scheme, total);
  };
}
