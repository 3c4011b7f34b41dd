import { describe, expect, it } from "vitest";
import { type StateReading, stateDurations, stateText } from "../../services/storage/state-durations.ts";

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
/** Monday 6 January 2025, midnight UTC. */
const T0 = Date.UTC(2025, 0, 6);

const at = (minutes: number, state: string, attributes = "op-a"): StateReading<string> => ({
  time: T0 + minutes * MIN,
  state,
  attributes,
});

/** `{hour: {state: [seconds, readings]}}`, hours from T0. */
function table(buckets: ReturnType<typeof stateDurations<string>>, unit = H) {
  const out: Record<string, Record<string, [number, number]>> = {};
  for (const [time, b] of [...buckets].sort(([a], [b]) => a - b)) {
    out[(time - T0) / unit] = Object.fromEntries(
      [...b.states].map(([state, { ms, count }]) => [state, [ms / 1000, count]]),
    );
  }
  return out;
}

/** The state rule of services/storage/store.ts (STATE_MAX_GAP_MS), case by case. */
describe("time in each state", () => {
  const hourly = { from: T0, to: T0 + 3 * H, bucketMs: H, now: T0 + DAY };
  const cases: {
    name: string;
    readings: StateReading<string>[];
    window?: Partial<typeof hourly>;
    expected: Record<string, Record<string, [number, number]>>;
  }[] = [
    {
      name: "a reading holds until the next one",
      readings: [at(0, "on"), at(20, "off")],
      window: { to: T0 + H },
      expected: { 0: { on: [1200, 1], off: [2400, 1] } },
    },
    {
      name: "the state before the range carries in, its reading not counted",
      readings: [at(-30, "on"), at(-90, "off"), at(30, "off")],
      window: { to: T0 + H },
      expected: { 0: { on: [1800, 0], off: [1800, 1] } },
    },
    {
      name: "a state crossing buckets is cut at their ends",
      readings: [at(50, "on"), at(130, "off")],
      expected: { 0: { on: [600, 1] }, 1: { on: [3600, 0] }, 2: { on: [600, 0], off: [3000, 1] } },
    },
    {
      name: "nothing past now",
      readings: [at(10, "on")],
      window: { now: T0 + 40 * MIN },
      expected: { 0: { on: [1800, 1] } },
    },
    {
      name: "a reading at or after now is counted, without time",
      readings: [at(10, "on"), at(50, "off")],
      window: { now: T0 + 40 * MIN },
      expected: { 0: { on: [1800, 1], off: [0, 1] } },
    },
    {
      name: "nothing past a day after a reading",
      readings: [at(10, "on"), at(2 * 24 * 60 + 30, "off")],
      window: { to: T0 + 3 * DAY, bucketMs: DAY, now: T0 + 2 * DAY + H },
      expected: { 0: { on: [86_400 - 600, 1] }, 1: { on: [600, 0] }, 2: { off: [1800, 1] } },
    },
    {
      name: "a reading older than a day does not carry in",
      readings: [at(-25 * 60, "on")],
      window: { to: T0 + H },
      expected: {},
    },
    {
      name: "readings in any order, two at one time: the last in text order holds",
      readings: [at(30, "on"), at(0, "off"), at(30, "low")],
      window: { to: T0 + H },
      expected: { 0: { off: [1800, 1], low: [0, 1], on: [1800, 1] } },
    },
  ];

  it.each(cases)("$name", ({ readings, window, expected }) => {
    const w = { ...hourly, ...window };
    expect(table(stateDurations(readings, w), w.bucketMs)).toEqual(expected);
  });

  it("takes each bucket's attributes from its newest reading, a carried-in one included", () => {
    const buckets = stateDurations([at(-10, "on", "op-a"), at(70, "off", "op-b")], hourly);
    expect([...buckets].map(([time, b]) => [(time - T0) / H, b.attributes])).toEqual([
      [0, "op-a"],
      [1, "op-b"],
      [2, "op-b"],
    ]);
  });

  it("keys values as text", () => {
    expect([stateText("on"), stateText(true), stateText(false), stateText(2), stateText(0.5)]).toEqual([
      "on",
      "true",
      "false",
      "2",
      "0.5",
    ]);
  });
});
