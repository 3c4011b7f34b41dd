import { describe, expect, it } from "vitest";
import { ruleKinds, validateRuleParams } from "../../services/alerts/rules/kinds.ts";
import { HORIZON_DEG, solarElevationDeg, sunTimes } from "../../services/alerts/rules/solar.ts";
import type { DeviceFacts, RuleInput } from "../../services/alerts/rules/types.ts";
import type { FieldValue } from "../../services/domain/types.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 5, 1, 12);

/** A reading of one field every `step` ms from `start`. */
function series(
  field: string,
  values: FieldValue[],
  step = MIN,
  start = T0,
  device?: DeviceFacts,
): RuleInput[] {
  return values.map((v, i) => ({
    time: start + i * step,
    values: { [field]: v },
    ...(device ? { device } : {}),
  }));
}

/** Runs a kind over inputs and returns its verdicts as letters: f(ire), c(lear), .(none). */
function run(kindId: string, params: unknown, inputs: RuleInput[]): string {
  const k = ruleKinds.get(kindId);
  if (!k) throw new Error(`no kind ${kindId}`);
  expect(validateRuleParams(kindId, params).errors).toEqual([]);
  let state: unknown;
  let out = "";
  for (const input of inputs) {
    const r = k.evaluate(params, state, input);
    state = r.state;
    out += r.verdict.verdict === "fire" ? "f" : r.verdict.verdict === "clear" ? "c" : ".";
  }
  return out;
}

interface Case {
  name: string;
  kind: string;
  params: unknown;
  inputs: RuleInput[];
  expected: string;
}

const band = { field: "pressure_bar", min: 2, max: 6, margin: 0.5 };
const paris = { lat: 48.8566, lon: 2.3522 };
const lamp = { lat: 49.47, lon: 5.91, attributes: { rated_power_w: 100 } };
const onOff = { stateField: "power_state", onValues: ["on"] };
/** Paris, 2026-06-21: 01:00 UTC is night, 12:00 UTC is day. */
const NIGHT = Date.UTC(2026, 5, 21, 1);
const NOON = Date.UTC(2026, 5, 21, 12);

function lampReading(time: number, state: string, power: number, device: DeviceFacts = lamp): RuleInput {
  return { time, values: { power_state: state, active_power_w: power }, device };
}

/** Readings every 20 min (Paris time) with a given night minimum at 03:00 local (01:00 UTC in summer). */
function nights(minima: number[]): RuleInput[] {
  const out: RuleInput[] = [];
  minima.forEach((m, d) => {
    const base = Date.UTC(2026, 5, 1 + d, 0);
    for (let i = 0; i < 72; i++) {
      const t = base + i * 20 * MIN;
      const v = t === base + HOUR ? m : 50 + (i % 5);
      out.push({ time: t, values: { flow_m3h: v } });
    }
  });
  out.push({ tick: Date.UTC(2026, 5, 1 + minima.length, 12) });
  return out;
}

const cases: Case[] = [
  // band
  {
    name: "band fires outside and clears inside the margin",
    kind: "band",
    params: band,
    inputs: series("pressure_bar", [4, 7, 7, 5, 4]),
    expected: ".f.c.",
  },
  {
    name: "band does not fire inside",
    kind: "band",
    params: band,
    inputs: series("pressure_bar", [2, 4, 6]),
    expected: "...",
  },
  {
    name: "band flapping at the limit fires once and does not clear within the margin",
    kind: "band",
    params: band,
    inputs: series("pressure_bar", [6.1, 5.9, 6.1, 5.8, 6.2, 5.4]),
    expected: "f....c",
  },
  {
    name: "band min duration ignores short excursions",
    kind: "band",
    params: { ...band, minDurationMs: 2 * MIN },
    inputs: series("pressure_bar", [7, 5, 7, 7, 7, 4]),
    expected: "....fc",
  },
  {
    name: "band tick completes the min duration",
    kind: "band",
    params: { ...band, minDurationMs: 10 * MIN },
    inputs: [
      ...series("pressure_bar", [1]),
      { tick: T0 + 5 * MIN },
      { tick: T0 + 11 * MIN },
      { tick: T0 + 12 * MIN },
    ],
    expected: "..f.",
  },
  {
    name: "band ignores strings and missing fields",
    kind: "band",
    params: band,
    inputs: [...series("pressure_bar", ["high"]), ...series("other", [99])],
    expected: "..",
  },
  // state-equals
  {
    name: "state-equals fires and clears",
    kind: "state-equals",
    params: { field: "status", values: ["defectiveLamp"] },
    inputs: series("status", ["ok", "defectiveLamp", "defectiveLamp", "ok"]),
    expected: ".f.c",
  },
  {
    name: "state-equals min duration",
    kind: "state-equals",
    params: { field: "status", values: ["defectiveLamp"], minDurationMs: 2 * MIN },
    inputs: series("status", ["defectiveLamp", "ok", "defectiveLamp", "defectiveLamp", "defectiveLamp"]),
    expected: "....f",
  },
  // rate
  {
    name: "rate sudden fires on a jump and clears once stable",
    kind: "rate",
    params: { mode: "sudden", field: "pressure_bar", windowMs: 10 * MIN, maxDelta: 1 },
    inputs: series("pressure_bar", [4, 4, 4, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]), // The window is kept in quarter buckets: the jump leaves it between 7.5 and 10 min later.
    expected: "...f.......c...",
  },
  {
    name: "rate sudden ignores slow drift",
    kind: "rate",
    params: { mode: "sudden", field: "pressure_bar", windowMs: 10 * MIN, maxDelta: 1 },
    inputs: series(
      "pressure_bar",
      Array.from({ length: 100 }, (_, i) => 4 - i * 0.02),
    ),
    expected: ".".repeat(100),
  },
  {
    name: "rate drift fires on a steady slope",
    kind: "rate",
    params: { mode: "drift", field: "pressure_bar", windowMs: 3 * DAY, maxDriftPerDay: 0.1 },
    inputs: series(
      "pressure_bar",
      Array.from({ length: 16 }, (_, i) => 4 - i * 0.1),
      12 * HOUR,
    ),
    expected: "......f.........",
  },
  {
    name: "rate drift does not fire on a flat noisy signal",
    kind: "rate",
    params: { mode: "drift", field: "pressure_bar", windowMs: 3 * DAY, maxDriftPerDay: 0.1 },
    inputs: series(
      "pressure_bar",
      Array.from({ length: 40 }, (_, i) => 4 + (i % 2 ? 0.05 : -0.05)),
      6 * HOUR,
    ),
    expected: ".".repeat(40),
  },
  // spike
  {
    name: "spike fires on a transient and clears after",
    kind: "spike",
    params: { field: "pressure_bar", k: 5, maxDurationMs: 2 * MIN, minDeviation: 0.5 },
    inputs: series("pressure_bar", [...Array.from({ length: 12 }, (_, i) => 4 + (i % 2) * 0.1), 9, 4, 4.1]),
    expected: `${".".repeat(13)}fc`,
  },
  {
    name: "spike ignores a level change (too long)",
    kind: "spike",
    params: { field: "pressure_bar", k: 5, maxDurationMs: 2 * MIN, minDeviation: 0.5 },
    inputs: series("pressure_bar", [
      ...Array.from({ length: 12 }, (_, i) => 4 + (i % 2) * 0.1),
      9,
      9,
      9,
      9,
      9,
      9,
      9,
    ]),
    expected: ".".repeat(19),
  },
  {
    name: "spike does not fire on noise",
    kind: "spike",
    params: { field: "pressure_bar", k: 5, maxDurationMs: 2 * MIN, minDeviation: 0.5 },
    inputs: series(
      "pressure_bar",
      Array.from({ length: 50 }, (_, i) => 4 + (i % 3) * 0.1),
    ),
    expected: ".".repeat(50),
  },
  // inconsistent
  {
    name: "inconsistent: on but low power, then fixed",
    kind: "inconsistent",
    params: {
      ...onOff,
      valueField: "active_power_w",
      ratedAttribute: "rated_power_w",
      minRatio: 0.5,
      offMax: 5,
    },
    inputs: [
      lampReading(T0, "on", 90),
      lampReading(T0 + MIN, "on", 10),
      lampReading(T0 + 2 * MIN, "on", 52),
      lampReading(T0 + 3 * MIN, "on", 95),
    ],
    expected: ".f.c",
  },
  {
    name: "inconsistent: off but drawing power",
    kind: "inconsistent",
    params: { ...onOff, valueField: "active_power_w", offMax: 5 },
    inputs: [
      lampReading(T0, "off", 0),
      lampReading(T0 + MIN, "off", 40),
      lampReading(T0 + 2 * MIN, "off", 1),
    ],
    expected: ".fc",
  },
  {
    name: "inconsistent: no rated value, no verdict",
    kind: "inconsistent",
    params: { ...onOff, valueField: "active_power_w", ratedAttribute: "rated_power_w", minRatio: 0.5 },
    inputs: [lampReading(T0, "on", 1, { lat: 1, lon: 1 })],
    expected: ".",
  },
  // sun
  {
    name: "sun: off at night fires, on at night clears",
    kind: "sun",
    params: onOff,
    inputs: [lampReading(NIGHT, "off", 0, paris), lampReading(NIGHT + MIN, "on", 90, paris)],
    expected: "fc",
  },
  {
    name: "sun: on in daylight fires",
    kind: "sun",
    params: onOff,
    inputs: [lampReading(NOON, "off", 0, paris), lampReading(NOON + MIN, "on", 90, paris)],
    expected: ".f",
  },
  {
    name: "sun: either state accepted in twilight",
    kind: "sun",
    params: onOff,
    inputs: [
      lampReading(Date.UTC(2026, 5, 21, 19, 58), "off", 0, paris),
      lampReading(Date.UTC(2026, 5, 21, 19, 59), "on", 90, paris),
    ],
    expected: "..",
  },
  {
    name: "sun: min duration",
    kind: "sun",
    params: { ...onOff, minDurationMs: 30 * MIN },
    inputs: [0, 10, 20, 30].map((m) => lampReading(NIGHT + m * MIN, "off", 0, paris)),
    expected: "...f",
  },
  // silence
  {
    name: "silence fires on tick after cadence + grace, clears on reading",
    kind: "silence",
    params: { cadenceMs: 10 * MIN, graceMs: 5 * MIN },
    inputs: [
      ...series("x", [1]),
      { tick: T0 + 15 * MIN },
      { tick: T0 + 16 * MIN },
      { tick: T0 + 30 * MIN },
      ...series("x", [1], MIN, T0 + 31 * MIN),
    ],
    // The first reading clears too: a silence raised before a restart lost the state.
    expected: "c.f.c",
  },
  {
    name: "silence: no fire for a device never heard",
    kind: "silence",
    params: { cadenceMs: MIN, graceMs: 0 },
    inputs: [{ tick: T0 + DAY }],
    expected: ".",
  },
  // threshold-low, weak-radio
  {
    name: "threshold-low fires below the level, clears above level + margin",
    kind: "threshold-low",
    params: { field: "battery_pct", level: 20, margin: 5 },
    inputs: series("battery_pct", [30, 19, 21, 24, 26]),
    expected: ".f..c",
  },
  {
    name: "weak-radio fires on low SNR, clears when both are well above",
    kind: "weak-radio",
    params: { rssiMin: -120, snrMin: -15 },
    inputs: [
      { time: T0, values: { rssi_dbm: -100, snr_db: 5 } },
      { time: T0 + MIN, values: { rssi_dbm: -100, snr_db: -16 } },
      { time: T0 + 2 * MIN, values: { rssi_dbm: -100, snr_db: -14 } },
      { time: T0 + 3 * MIN, values: { rssi_dbm: -100, snr_db: -11 } },
    ],
    expected: ".f.c",
  },
  // counter-not-reset
  {
    name: "counter-not-reset fires when not emptied, clears at emptying",
    kind: "counter-not-reset",
    params: { field: "fill_level_pct", periodMs: 3 * DAY, minDrop: 30 },
    inputs: series("fill_level_pct", [10, 30, 50, 70, 85, 90, 5, 20], DAY),
    expected: "....f.c.",
  },
  {
    name: "counter-not-reset: regular emptying never fires",
    kind: "counter-not-reset",
    params: { field: "fill_level_pct", periodMs: 3 * DAY, minDrop: 30 },
    inputs: series("fill_level_pct", [10, 50, 80, 5, 50, 80, 5, 50], DAY),
    expected: "........",
  },
  {
    name: "counter-not-reset: noise is not a reset; tick fires",
    kind: "counter-not-reset",
    params: { field: "fill_level_pct", periodMs: 3 * DAY, minDrop: 30, minLevel: 50 },
    inputs: [...series("fill_level_pct", [60, 58, 61], DAY), { tick: T0 + 3 * DAY + MIN }],
    expected: "...f",
  },
  // night-minimum-rising
  {
    name: "night-minimum-rising fires after N rising nights",
    kind: "night-minimum-rising",
    params: { field: "flow_m3h", startHour: 2, endHour: 4, days: 3 },
    inputs: nights([10, 11, 12, 13]),
    expected: "f",
  },
  {
    name: "night-minimum-rising does not fire on a flat minimum",
    kind: "night-minimum-rising",
    params: { field: "flow_m3h", startHour: 2, endHour: 4, days: 3 },
    inputs: nights([10, 11, 10, 11, 12]),
    expected: "",
  },
  {
    name: "night-minimum-rising clears at the first night without a rise",
    kind: "night-minimum-rising",
    params: { field: "flow_m3h", startHour: 2, endHour: 4, days: 2, minRise: 1 },
    inputs: nights([10, 11, 12, 12]),
    expected: "fc",
  },
];

describe("rule kinds", () => {
  it.each(cases)("$name", (c) => {
    const got = run(c.kind, c.params, c.inputs);
    // Night cases list only the non-empty verdicts: their inputs are long.
    expect(c.kind === "night-minimum-rising" ? got.replaceAll(".", "") : got).toBe(c.expected);
  });

  it("every kind has a case, a register entry in both languages and described parameters", () => {
    for (const [id, k] of ruleKinds) {
      expect(cases.some((c) => c.kind === id)).toBe(true);
      expect(k.register.fr.role).toBe("Il lève une alerte ; une personne décide.");
      expect(k.register.en.role).toBe("It raises an alert; a person decides.");
      expect(JSON.stringify(k.params)).toContain("description");
    }
  });

  it("reports the value and a French detail when firing", () => {
    const k = ruleKinds.get("band");
    const r = k?.evaluate(band, undefined, { time: T0, values: { pressure_bar: 7.5 } });
    expect(r?.verdict).toEqual({
      verdict: "fire",
      detail: "pressure_bar = 7.5 hors de la plage [2 ; 6]",
      value: 7.5,
    });
  });
});

describe("rule kind state stays bounded", () => {
  const noisy = (i: number) => 4 + Math.sin(i / 7) * 3 + (i % 13 === 0 ? 5 : 0);
  const inputs = (i: number): RuleInput =>
    i % 17 === 0
      ? { tick: T0 + i * 7 * MIN }
      : {
          time: T0 + i * 7 * MIN,
          values: {
            v: noisy(i),
            flow_m3h: noisy(i),
            status: i % 3 ? "ok" : "defectiveLamp",
            power_state: i % 2 ? "on" : "off",
            active_power_w: noisy(i) * 10,
            rssi_dbm: -110 - noisy(i) * 3,
            snr_db: -10 - noisy(i),
          },
          device: lamp,
        };
  const params: Record<string, unknown> = {
    band: { field: "v", min: 2, max: 6, margin: 0.5, minDurationMs: 10 * MIN },
    "state-equals": { field: "status", values: ["defectiveLamp"] },
    rate: { mode: "drift", field: "v", windowMs: DAY, maxDriftPerDay: 1 },
    spike: { field: "v", k: 3, maxDurationMs: 20 * MIN },
    inconsistent: {
      ...onOff,
      valueField: "active_power_w",
      ratedAttribute: "rated_power_w",
      minRatio: 0.5,
      offMax: 5,
    },
    sun: onOff,
    silence: { cadenceMs: 5 * MIN, graceMs: MIN },
    "threshold-low": { field: "v", level: 2 },
    "weak-radio": { rssiMin: -120, snrMin: -15 },
    "counter-not-reset": { field: "v", periodMs: HOUR, minDrop: 2 },
    "night-minimum-rising": { field: "flow_m3h", startHour: 2, endHour: 4, days: 14 },
  };

  it.each([...ruleKinds.keys()])("%s after 10,000 inputs", (id) => {
    const k = ruleKinds.get(id);
    if (!k) throw new Error(id);
    const p = params[id];
    expect(validateRuleParams(id, p).errors).toEqual([]);
    let state: unknown;
    let largest = 0;
    for (let i = 0; i < 10_000; i++) {
      state = k.evaluate(p, state, inputs(i)).state;
      largest = Math.max(largest, JSON.stringify(state ?? null).length);
    }
    expect(largest).toBeLessThanOrEqual(k.maxStateBytes);
  });

  it("rate sudden keeps at most a few buckets whatever the cadence", () => {
    const k = ruleKinds.get("rate");
    const p = { mode: "sudden", field: "v", windowMs: HOUR, maxDelta: 1 };
    let state: unknown;
    for (let i = 0; i < 10_000; i++)
      state = k?.evaluate(p, state, { time: T0 + i * 1000, values: { v: noisy(i) } }).state;
    expect(JSON.stringify(state).length).toBeLessThanOrEqual(k?.maxStateBytes ?? 0);
  });
});

describe("rule parameter validation", () => {
  it.each([
    ["band", { field: "p", min: 1, margin: -1 }, "/margin"],
    ["band", { field: "p", minDurationMs: "10" }, "/minDurationMs"],
    ["band", { min: 1 }, "/field"],
    ["band", { field: "p", extra: 1 }, "/extra"],
    ["state-equals", { field: "s", values: [] }, "/values"],
    ["silence", { cadenceMs: 0, graceMs: 0 }, "/cadenceMs"],
    ["night-minimum-rising", { field: "f", startHour: 25, endHour: 4, days: 3 }, "/startHour"],
    ["rate", { mode: "sudden", field: "p", windowMs: 1000 }, "/maxDelta"],
  ])("%s %j reports %s", (kind, params, path) => {
    const r = validateRuleParams(kind, params);
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.path)).toContain(path);
  });

  it("rejects an unknown kind", () => {
    expect(validateRuleParams("astrology", {})).toEqual({
      ok: false,
      errors: [{ path: "", message: 'unknown rule kind "astrology"' }],
    });
  });
});

describe("sun times (suncalc)", () => {
  const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

  it.each([
    // Reference: the NOAA Solar Calculator and timeanddate.com, to the minute.
    ["Paris 2026-06-21", 48.8566, 2.3522, Date.UTC(2026, 5, 21), "03:47", "19:58"],
    ["Thil 2026-06-21", 49.47, 5.91, Date.UTC(2026, 5, 21), "03:29", "19:46"],
    ["Thil 2026-12-21", 49.47, 5.91, Date.UTC(2026, 11, 21), "07:30", "15:39"],
  ])("%s", (_name, lat, lon, day, sunrise, sunset) => {
    const t = sunTimes(day, lat, lon);
    if (!t) throw new Error("polar");
    // Rounded to the nearest minute; one minute of slack covers the approximation.
    const near = (got: number, want: string) =>
      Math.abs(got - Date.parse(`${new Date(day).toISOString().slice(0, 10)}T${want}:00Z`)) <= 90_000;
    expect(near(t.sunrise, sunrise), hhmm(t.sunrise)).toBe(true);
    expect(near(t.sunset, sunset), hhmm(t.sunset)).toBe(true);
    // The horizon the sun rule compares against is where the sun stands at sunrise and sunset.
    expect(solarElevationDeg(t.sunrise, lat, lon)).toBeCloseTo(HORIZON_DEG, 2);
    expect(solarElevationDeg(t.sunset, lat, lon)).toBeCloseTo(HORIZON_DEG, 2);
  });

  it("has no sunrise in polar night nor sunset in polar day", () => {
    expect(sunTimes(Date.UTC(2026, 11, 21), 78.22, 15.65)).toBeUndefined();
    expect(sunTimes(Date.UTC(2026, 5, 21), 78.22, 15.65)).toBeUndefined();
  });

  it("gives the times of the reading's own UTC day, late evening included", () => {
    const evening = sunTimes(Date.UTC(2026, 11, 21, 23, 30), 49.47, 5.91);
    const midnight = sunTimes(Date.UTC(2026, 11, 21), 49.47, 5.91);
    expect(evening).toEqual(midnight);
  });
});

describe("silence from the contract's cadence", () => {
  const silence = ruleKinds.get("silence");
  const T = Date.UTC(2026, 0, 5, 8);
  const HOUR = 3_600_000;
  const run = (params: Record<string, unknown>, inputs: RuleInput[]) => {
    let state: unknown;
    return inputs.map((input) => {
      const step = silence?.evaluate(params as never, state as never, input);
      state = step?.state;
      return step?.verdict.verdict;
    });
  };

  it("takes the device's cadence when the rule sets none, and keeps it for the ticks", () => {
    const reading = { time: T, values: { fill_level: 0.2 }, device: { cadenceMs: 6 * HOUR } };
    expect(run({ graceMs: HOUR }, [reading, { tick: T + 6.5 * HOUR }, { tick: T + 7.5 * HOUR }])).toEqual([
      "clear",
      "none",
      "fire",
    ]);
  });

  it("never fires when neither the rule nor the contract gives a cadence", () => {
    expect(run({ graceMs: 0 }, [{ time: T, values: {} }, { tick: T + 1000 * HOUR }])).toEqual([
      "clear",
      "none",
    ]);
  });

  it("prefers the rule's own cadence", () => {
    const reading = { time: T, values: {}, device: { cadenceMs: 6 * HOUR } };
    expect(run({ cadenceMs: HOUR, graceMs: 0 }, [reading, { tick: T + 2 * HOUR }])).toEqual([
      "clear",
      "fire",
    ]);
  });
});

describe("kinds that say ticks never concern them", () => {
  it("decide nothing and keep their state on a tick, whatever came before", () => {
    const T = Date.UTC(2026, 0, 5, 8);
    const quiet = [...ruleKinds.values()].filter((k) => k.ticks === false);
    expect(quiet.map((k) => k.kind).sort()).toEqual(["rate", "spike", "sun"]);
    const params: Record<string, Record<string, unknown>> = {
      rate: { field: "x", mode: "sudden", windowMs: 3_600_000, maxDelta: 1 },
      spike: { field: "x", k: 4, maxDurationMs: 600_000 },
      sun: { stateField: "s", onValues: ["on"] },
    };
    for (const kind of quiet) {
      const p = validateRuleParams(kind.kind, params[kind.kind] ?? {});
      expect(p.ok, kind.kind).toBe(true);
      let state: unknown;
      for (let i = 0; i < 30; i++) {
        const reading = {
          time: T + i * 60_000,
          values: { x: i % 7 === 0 ? 40 : 1, s: i % 2 ? "on" : "off" },
          device: { lat: 49.5, lon: 6 },
        };
        state = kind.evaluate(params[kind.kind] as never, state as never, reading).state;
        const onTick = kind.evaluate(params[kind.kind] as never, state as never, {
          tick: T + i * 60_000 + 30_000,
        });
        expect(onTick.verdict.verdict, kind.kind).toBe("none");
        expect(onTick.state, kind.kind).toBe(state);
      }
    }
  });
});
