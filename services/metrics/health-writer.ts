import { hostname } from "node:os";
import type { EpochMs } from "../domain/types.ts";

/**
 * The platform's own health, written every 10 s into the time-series store beside the readings
 * (InfluxDB measurement `lanterne_platform`, tag `instance`), where the platform dashboard reads
 * it. Counters are cumulative since the process started (Grafana takes their non-negative
 * difference, so a restart is no negative spike). A sample that cannot be written (InfluxDB
 * down) is skipped, never spooled: a gap in the health curve is itself the information.
 */
export const HEALTH_MEASUREMENT = "lanterne_platform";

export interface HealthSample {
  readings_accepted: number;
  readings_quarantined: number;
  write_pending: number;
  spool_depth: number;
  spool_age_s: number;
  mqtt_connections: number;
}

export interface HealthPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number>;
  time: EpochMs;
}

export class HealthWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  readonly stats = { written: 0, skipped: 0 };

  constructor(
    private readonly sample: () => HealthSample,
    private readonly sink: (point: HealthPoint) => Promise<void>,
    private readonly now: () => EpochMs = Date.now,
    private readonly instance = hostname(),
    private readonly intervalMs = 10_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.writeOnce(), this.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  /** One sample now; a sample still being written makes this one skipped (no pile-up). */
  async writeOnce(): Promise<void> {
    if (this.writing) {
      this.stats.skipped++;
      return;
    }
    const point: HealthPoint = {
      measurement: HEALTH_MEASUREMENT,
      tags: { instance: this.instance },
      fields: { ...this.sample() },
      time: this.now(),
    };
    this.writing = this.sink(point)
      .then(() => {
        this.stats.written++;
      })
      .catch(() => {
        this.stats.skipped++;
      })
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }
}
