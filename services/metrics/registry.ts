/**
 * A small metrics registry rendered in the Prometheus text exposition format (version 0.0.4).
 * Counters and gauges carry optional labels; histograms have fixed buckets. Names follow the
 * Prometheus conventions: `_total` for counters, base units (seconds, bytes).
 */
type Labels = Readonly<Record<string, string>>;

/** A counter: `c(labels, by)`, or `c.with(labels)` for an incrementer of one series. */
export type Counter = ((labels?: Labels, by?: number) => void) & {
  with(labels: Labels): (by?: number) => void;
};

interface Family {
  help: string;
  type: "counter" | "gauge" | "histogram";
}

export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly values = new Map<string, Map<string, number>>();
  private readonly histograms = new Map<string, Histogram>();
  private readonly collectors: Array<() => void> = [];

  counter(name: string, help: string): Counter {
    this.declare(name, help, "counter");
    const count = (labels: Labels = {}, by = 1) => this.add(name, labels, by);
    return Object.assign(count, {
      with: (labels: Labels) => {
        // For the hot path: the series key is computed once.
        const key = labelKey(labels);
        const series = this.series(name);
        return (by = 1) => series.set(key, (series.get(key) ?? 0) + by);
      },
    });
  }

  gauge(name: string, help: string): (value: number, labels?: Labels) => void {
    this.declare(name, help, "gauge");
    return (value, labels = {}) => this.series(name).set(labelKey(labels), value);
  }

  histogram(name: string, help: string, buckets: readonly number[]): (value: number) => void {
    this.declare(name, help, "histogram");
    const h = new Histogram(buckets);
    this.histograms.set(name, h);
    return (value) => h.observe(value);
  }

  /** Called before each rendering: the place to read gauges from their owners. */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  render(): string {
    for (const c of this.collectors) c();
    const out: string[] = [];
    for (const [name, family] of this.families) {
      out.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      if (family.type === "histogram") out.push(...(this.histograms.get(name)?.render(name) ?? []));
      else for (const [labels, v] of this.series(name)) out.push(`${name}${labels} ${formatNumber(v)}`);
    }
    return `${out.join("\n")}\n`;
  }

  private declare(name: string, help: string, type: Family["type"]): void {
    if (this.families.has(name)) throw new Error(`metric ${name} declared twice`);
    this.families.set(name, { help, type });
  }

  private add(name: string, labels: Labels, by: number): void {
    const s = this.series(name);
    const key = labelKey(labels);
    s.set(key, (s.get(key) ?? 0) + by);
  }

  private series(name: string): Map<string, number> {
    let s = this.values.get(name);
    if (!s) {
      s = new Map();
      this.values.set(name, s);
    }
    return s;
  }
}

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= (this.bounds[i] as number)) this.counts[i] = (this.counts[i] ?? 0) + 1;
    }
  }

  render(name: string): string[] {
    const lines = this.bounds.map((b, i) => `${name}_bucket{le="${b}"} ${this.counts[i]}`);
    lines.push(
      `${name}_bucket{le="+Inf"} ${this.count}`,
      `${name}_sum ${formatNumber(this.sum)}`,
      `${name}_count ${this.count}`,
    );
    return lines;
  }
}

function labelKey(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

/** Label values escape backslash, double quote and newline (exposition format). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN";
}
