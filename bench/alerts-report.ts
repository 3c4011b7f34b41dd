import type { AlertsOptions } from "./alerts-args.ts";
import { CONTRACT_ID, RULES } from "./alerts-fleet.ts";
import type { InjectedFault } from "./alerts-load.ts";
import type { ReceivedAlert } from "./alerts-sse.ts";

/** Figures of the alerts benchmark, the matching of injected events to the stream, and the report. */

export const TARGETS = {
  faultP99Ms: 200,
  /** A silence is reported within the cadence plus this. */
  silenceOverCadenceMs: 60_000,
  /** CPU per message with rules over without. */
  cpuRatio: 1.1,
  stateBytesPerDevice: 300,
};

export interface LoadPhase {
  key: string;
  name: string;
  rulesOn: boolean;
  /** Fixed offered rate (msgs/s), or undefined for a flood. */
  offeredRate: number | undefined;
  sent: number;
  errors: number;
  durable: number;
  /** Sent without error minus made durable. */
  loss: number;
  /** Made durable per second, from the start to the last one. */
  rate: number;
  caughtUp: boolean;
  /** Whether the engine had judged every batch when the figures were read (rules on). */
  settled: boolean;
  cpuUsPerMsg: number;
  cores: number;
  peakRssMb: number;
  eventLoopMaxMs: number;
  generatorCores: number;
  rules: {
    evaluated: number;
    raised: number;
    cleared: number;
    dropped: number;
    failures: number;
    states: number;
  };
}

export interface Spread {
  n: number;
  p50: number | undefined;
  p99: number | undefined;
  max: number | undefined;
}

export interface FaultMeasure extends Spread {
  injected: number;
  missed: number;
  /** The slowest faults: when they were published (ms after the load started) and their latency. */
  worst: Array<{ afterStartMs: number; kind: string; ms: number }>;
}

export interface SilenceMeasure extends Spread {
  silenced: number;
  missed: number;
  /** Silence alerts of devices that were not told to stop. */
  unexpected: number;
}

export interface StateMeasure {
  devices: number;
  rulesPerDevice: number;
  states: number;
  dropped: number;
  heapBytes: number;
  rssBytes: number;
  secondReadings: number;
  heapBytesAfterSecond: number;
  firstUsPerReading: number;
  secondUsPerReading: number;
  breakdown: Array<{ part: string; bytesPerDevice: number }>;
}

export interface AlertsResult {
  options: AlertsOptions;
  rate: number;
  phaseSeconds: number;
  phases: LoadPhase[];
  faults?: FaultMeasure;
  silence?: SilenceMeasure;
  state?: StateMeasure;
  failures: Array<{ name: string; error: string }>;
}

/** Nearest-rank percentile (q in 0..1) of unsorted samples; undefined when there are none. */
export function percentile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function spread(samples: readonly number[]): Spread {
  return {
    n: samples.length,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: samples.length === 0 ? undefined : Math.max(...samples),
  };
}

const ruleOf = (id: string) => `${CONTRACT_ID}/${id}`;

/**
 * Publish-to-stream latency of each injected fault: the first `raised` event of its device and
 * rule whose reading time is the fault's. A fault never seen on the stream is missed.
 */
export function matchFaults(
  faults: readonly InjectedFault[],
  received: readonly ReceivedAlert[],
  startAt = 0,
): FaultMeasure {
  const latencies: number[] = [];
  const seen: FaultMeasure["worst"] = [];
  for (const f of faults) {
    const rule = ruleOf(f.kind === "state" ? RULES.state : RULES.band);
    const hit = received.find(
      (r) => r.event === "raised" && r.subject === f.deviceId && r.rule === rule && r.at === f.publishedAt,
    );
    if (!hit) continue;
    latencies.push(hit.receivedAt - f.publishedAt);
    seen.push({ afterStartMs: f.publishedAt - startAt, kind: f.kind, ms: hit.receivedAt - f.publishedAt });
  }
  const worst = seen.sort((a, b) => b.ms - a.ms).slice(0, 5);
  return { injected: faults.length, missed: faults.length - latencies.length, ...spread(latencies), worst };
}

/** From each silenced device's last reading to its silence alert on the stream. */
export function matchSilences(
  silenced: ReadonlyMap<string, number>,
  received: readonly ReceivedAlert[],
): SilenceMeasure {
  const rule = ruleOf(RULES.silence);
  const raised = received.filter((r) => r.event === "raised" && r.rule === rule);
  const delays: number[] = [];
  for (const [device, last] of silenced) {
    const hit = raised.find((r) => r.subject === device);
    if (hit) delays.push(hit.receivedAt - last);
  }
  const unexpected = raised.filter((r) => !silenced.has(r.subject)).length;
  return { silenced: silenced.size, missed: silenced.size - delays.length, unexpected, ...spread(delays) };
}

export interface Verdict {
  name: string;
  measured: string;
  target: string;
  pass: boolean;
}

export function verdicts(r: AlertsResult): Verdict[] {
  const out: Verdict[] = [];
  const off = r.phases.find((p) => p.key === "A");
  const on = r.phases.find((p) => p.key === "B");
  if (r.faults) {
    const f = r.faults;
    out.push({
      name: "fault publish -> SSE p99",
      measured: `${ms(f.p99)} (p50 ${ms(f.p50)}, max ${ms(f.max)}, ${f.n}/${f.injected} seen)`,
      target: `< ${TARGETS.faultP99Ms} ms, none missed`,
      pass: f.missed === 0 && f.n > 0 && (f.p99 ?? Infinity) < TARGETS.faultP99Ms,
    });
  }
  if (r.silence) {
    const s = r.silence;
    const cadence = r.options.cadenceMs;
    out.push({
      name: "silence delay - cadence",
      measured:
        `max ${sec(s.max === undefined ? undefined : s.max - cadence)} ` +
        `(delay p50 ${sec(s.p50)}, max ${sec(s.max)}; ${s.n}/${s.silenced} seen, ${s.unexpected} unexpected)`,
      target: `<= ${TARGETS.silenceOverCadenceMs / 1000} s, none missed`,
      pass:
        s.missed === 0 &&
        s.n > 0 &&
        s.unexpected === 0 &&
        (s.max ?? Infinity) - cadence <= TARGETS.silenceOverCadenceMs,
    });
  }
  if (off && on) {
    const ratio = on.cpuUsPerMsg / off.cpuUsPerMsg;
    out.push({
      name: "ingest CPU/msg, rules on / off",
      measured: `${ratio.toFixed(3)} (${on.cpuUsPerMsg.toFixed(1)} vs ${off.cpuUsPerMsg.toFixed(1)} us/msg)`,
      target: `<= ${TARGETS.cpuRatio.toFixed(2)}, loss 0, no reading unjudged`,
      pass:
        ratio <= TARGETS.cpuRatio &&
        off.loss === 0 &&
        on.loss === 0 &&
        on.settled &&
        on.rules.dropped === 0 &&
        on.rules.failures === 0,
    });
  }
  if (r.state) {
    const s = r.state;
    const heap = s.heapBytes / s.devices;
    const rss = s.rssBytes / s.devices;
    out.push({
      name: "rule state per device",
      measured: `${Math.round(heap)} B heap, ${Math.round(rss)} B RSS (${fmt(s.devices)} devices x ${s.rulesPerDevice} rules)`,
      target: `< ${TARGETS.stateBytesPerDevice} B heap and RSS`,
      pass: s.states === s.devices * s.rulesPerDevice && Math.max(heap, rss) < TARGETS.stateBytesPerDevice,
    });
  }
  return out;
}

export function reportLines(r: AlertsResult): string[] {
  const o = r.options;
  const lines = [
    "",
    `Lanterne alerts benchmark — ${fmt(o.devices)} devices at ${o.speedup}x a ${o.cadenceMs / 1000} s cadence ` +
      `(${fmt(r.rate)} msgs/s, QoS 0, ${o.clients} clients), phases A/B ${r.phaseSeconds} s, ` +
      `bench contract: state-equals + band (no minimum duration) + silence (cadence ${o.cadenceMs / 1000} s, grace ${o.graceMs / 1000} s)`,
    ...phaseTable(r.phases),
    "",
    ...ratioLines(r.phases),
    ...faultLines(r.faults),
    ...stateLines(r.state),
    ...r.failures.map((f) => `${f.name} FAILED: ${f.error.split("\n").slice(0, 6).join("\n    ")}`),
    "",
    "targets:",
  ];
  const vs = verdicts(r);
  for (const v of vs) {
    lines.push(
      `  ${v.name.padEnd(32)} ${v.measured.padEnd(72)} target ${v.target.padEnd(40)} ${v.pass ? "PASS" : "FAIL"}`,
    );
  }
  lines.push(summaryLine(r, vs));
  return lines;
}

export function summaryLine(r: AlertsResult, vs: readonly Verdict[] = verdicts(r)): string {
  const passed = vs.filter((v) => v.pass).length;
  const failed = vs.filter((v) => !v.pass).map((v) => v.name);
  const all = r.failures.length === 0 && failed.length === 0 && vs.length > 0;
  return `alerts: ${all ? "PASS" : "FAIL"} — ${passed}/${vs.length} targets met${failed.length > 0 ? `; failed: ${failed.join(", ")}` : ""}${r.failures.length > 0 ? `; ${r.failures.length} phase(s) did not run` : ""}`;
}

function phaseTable(phases: readonly LoadPhase[]): string[] {
  const cols: Array<[string, number]> = [
    ["phase", 24],
    ["offered/s", 10],
    ["sent", 10],
    ["stored", 10],
    ["loss", 6],
    ["stored/s", 9],
    ["srv cores", 9],
    ["srv us/msg", 10],
    ["RSS MB", 7],
    ["loop max", 9],
    ["gen cores", 9],
    ["evaluated", 10],
    ["raised", 7],
    ["cleared", 8],
    ["dropped", 8],
  ];
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(cols[i]?.[1] ?? 0) : c.padStart(cols[i]?.[1] ?? 0))).join(" ");
  const header = line(cols.map(([c]) => c));
  return [
    header,
    "-".repeat(header.length),
    ...phases.map((p) =>
      line([
        p.name,
        p.offeredRate === undefined ? "max" : fmt(p.offeredRate),
        fmt(p.sent),
        fmt(p.durable),
        fmt(p.loss),
        fmt(p.rate),
        p.cores.toFixed(2),
        p.cpuUsPerMsg.toFixed(1),
        fmt(p.peakRssMb),
        `${fmt(p.eventLoopMaxMs)} ms`,
        p.generatorCores.toFixed(2),
        p.rulesOn ? fmt(p.rules.evaluated) : "-",
        p.rulesOn ? fmt(p.rules.raised) : "-",
        p.rulesOn ? fmt(p.rules.cleared) : "-",
        p.rulesOn ? fmt(p.rules.dropped) : "-",
      ]),
    ),
  ];
}

function ratioLines(phases: readonly LoadPhase[]): string[] {
  const by = new Map(phases.map((p) => [p.key, p]));
  const out: string[] = [];
  const pair = (off: LoadPhase | undefined, on: LoadPhase | undefined, what: string) => {
    if (!off || !on) return;
    const extra = on.cpuUsPerMsg - off.cpuUsPerMsg;
    out.push(
      `${what}: CPU/msg on/off ${(on.cpuUsPerMsg / off.cpuUsPerMsg).toFixed(3)} ` +
        `(rules add ${extra.toFixed(1)} us/msg), stored/s on/off ${(on.rate / Math.max(1, off.rate)).toFixed(3)} ` +
        `(${fmt(on.rate)} vs ${fmt(off.rate)})` +
        (on.settled ? "" : "; the engine had not judged every batch when the figures were read"),
    );
  };
  pair(by.get("A"), by.get("B"), "fixed rate (A/B)");
  pair(by.get("C"), by.get("D"), "flood (C/D)");
  for (const p of phases) {
    const notes = [
      p.caughtUp ? "" : "did not catch up in time",
      p.errors > 0 ? `${p.errors} publish errors` : "",
      p.rules.failures > 0 ? `${p.rules.failures} alert store failures` : "",
      p.rules.dropped > 0
        ? `${fmt(p.rules.dropped)} readings dropped by the engine's full queue (never judged)`
        : "",
    ].filter(Boolean);
    if (notes.length > 0) out.push(`${p.name}: ${notes.join(", ")}`);
  }
  return out;
}

function faultLines(f: FaultMeasure | undefined): string[] {
  if (!f || f.worst.length === 0) return [];
  const worst = f.worst.map(
    (w) => `${w.ms} ms (${w.kind}, published ${(w.afterStartMs / 1000).toFixed(1)} s in)`,
  );
  return [`slowest faults to the stream: ${worst.join(", ")}`];
}

function stateLines(s: StateMeasure | undefined): string[] {
  if (!s) return [];
  const per = (b: number) => `${Math.round(b / s.devices)} B/device`;
  return [
    `rule state, in process: ${fmt(s.devices)} devices x ${s.rulesPerDevice} rules = ${fmt(s.states)} states: ` +
      `heap +${mb(s.heapBytes)} MB (${per(s.heapBytes)}), RSS +${mb(s.rssBytes)} MB (${per(s.rssBytes)}); ` +
      `after a second reading of ${fmt(s.secondReadings)} devices heap +${mb(s.heapBytesAfterSecond)} MB (${per(s.heapBytesAfterSecond)})`,
    `rule evaluation CPU, in process: ${s.firstUsPerReading.toFixed(2)} us per device's first reading, ` +
      `${s.secondUsPerReading.toFixed(2)} us per later reading (${s.rulesPerDevice} rules, memory alert store)`,
    "where the state's bytes go (per device, taken off the live engine one part at a time):",
    ...s.breakdown.map((b) => `  ${String(b.bytesPerDevice).padStart(5)} B  ${b.part}`),
  ];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function mb(bytes: number): string {
  return (bytes / 1_048_576).toFixed(0);
}

function ms(n: number | undefined): string {
  return n === undefined ? "-" : `${Math.round(n)} ms`;
}

function sec(n: number | undefined): string {
  return n === undefined ? "-" : `${(n / 1000).toFixed(1)} s`;
}
