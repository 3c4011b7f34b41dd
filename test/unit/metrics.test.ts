import { describe, expect, it } from "vitest";
import { Metrics } from "../../services/metrics/registry.ts";

describe("Prometheus text rendering", () => {
  it("renders counters with escaped labels, gauges and histograms", () => {
    const m = new Metrics();
    const c = m.counter("x_total", "Things.");
    const g = m.gauge("depth", "Depth.");
    const h = m.histogram("t_seconds", "Time.", [0.1, 1]);
    c({ code: 'A"B\\C\nD' });
    c({ code: 'A"B\\C\nD' }, 2);
    g(7);
    h(0.05);
    h(0.5);
    h(3);
    expect(m.render()).toBe(
      [
        "# HELP x_total Things.",
        "# TYPE x_total counter",
        'x_total{code="A\\"B\\\\C\\nD"} 3',
        "# HELP depth Depth.",
        "# TYPE depth gauge",
        "depth 7",
        "# HELP t_seconds Time.",
        "# TYPE t_seconds histogram",
        't_seconds_bucket{le="0.1"} 1',
        't_seconds_bucket{le="1"} 2',
        't_seconds_bucket{le="+Inf"} 3',
        "t_seconds_sum 3.55",
        "t_seconds_count 3",
        "",
      ].join("\n"),
    );
  });

  it("refuses a metric declared twice", () => {
    const m = new Metrics();
    m.counter("a_total", "A.");
    expect(() => m.gauge("a_total", "A.")).toThrow(/declared twice/);
  });
});
