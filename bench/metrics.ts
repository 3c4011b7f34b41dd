import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Process measures shared by the benchmark's processes: CPU in cores, RSS, latency percentiles. */

export interface ProcessUsage {
  /** CPU time used over the wall time since the mark, in cores (1.0 = one core busy). */
  cores: number;
  cpuMs: number;
  wallMs: number;
  rssMb: number;
  peakRssMb: number;
}

/** CPU and RSS since a mark; RSS peak is sampled every 100 ms (an unref'd timer). */
export class UsageMeter {
  private cpu = process.cpuUsage();
  private wall = performance.now();
  private peak = 0;

  constructor() {
    setInterval(() => this.sample(), 100).unref();
  }

  mark(): void {
    this.cpu = process.cpuUsage();
    this.wall = performance.now();
    this.peak = 0;
    this.sample();
  }

  read(): ProcessUsage {
    const d = process.cpuUsage(this.cpu);
    const cpuMs = (d.user + d.system) / 1000;
    const wallMs = performance.now() - this.wall;
    const rss = this.sample();
    return {
      cores: wallMs > 0 ? cpuMs / wallMs : 0,
      cpuMs,
      wallMs,
      rssMb: mb(rss),
      peakRssMb: mb(this.peak),
    };
  }

  private sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** Latencies in whole milliseconds, counted in buckets: constant memory whatever the count. */
export class LatencyHistogram {
  private readonly buckets: Uint32Array;
  count = 0;
  max = 0;

  constructor(private readonly limitMs = 300_000) {
    this.buckets = new Uint32Array(limitMs + 1);
  }

  add(ms: number): void {
    const i = ms < 0 ? 0 : ms > this.limitMs ? this.limitMs : Math.round(ms);
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The smallest latency that `q` of the samples do not exceed (q in 0..1); undefined when empty. */
  percentile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= rank) return i;
    }
    return this.limitMs;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whole-machine CPU counters from /proc/stat (Linux); undefined elsewhere. */
export interface MachineSample {
  busy: number;
  total: number;
}

export function machineSample(): MachineSample | undefined {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "")
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Cores busy on the whole machine between two samples (every process, not only the benchmark's). */
export function machineCores(
  from: MachineSample | undefined,
  to: MachineSample | undefined,
): number | undefined {
  if (!from || !to || to.total <= from.total) return undefined;
  return ((to.busy - from.busy) / (to.total - from.total)) * availableParallelism();
}
