import { describe, expect, it } from "vitest";
import {
  consumptionPerBucket,
  increase,
  type MeterReading,
} from "../../services/storage/counter-increases.ts";
import { COUNTER_MAX_GAP_MS } from "../../services/storage/store.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 6);

const at = (time: number, value: number): MeterReading => ({ time, value });

describe("increase", () => {
  const cases: { name: string; previous: MeterReading | undefined; current: MeterReading; want: number }[] = [
    { name: "no predecessor", previous: undefined, current: at(T0, 100), want: 0 },
    { name: "a rise", previous: at(T0, 100), current: at(T0 + MINUTE, 101.5), want: 1.5 },
    { name: "no change", previous: at(T0, 100), current: at(T0 + MINUTE, 100), want: 0 },
    { name: "a reset counts from zero", previous: at(T0, 501), current: at(T0 + MINUTE, 0.5), want: 0.5 },
    { name: "a gap of exactly the limit", previous: at(T0, 1), current: at(T0 + DAY, 3), want: 2 },
    { name: "a gap over the limit", previous: at(T0, 1), current: at(T0 + DAY + 1, 3), want: 0 },
    { name: "a reset over the gap", previous: at(T0, 9), current: at(T0 + 2 * DAY, 3), want: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(increase(c.previous, c.current)).toBe(c.want);
    });
  }

  it("takes the gap it is given", () => {
    expect(increase(at(T0, 1), at(T0 + 2 * HOUR, 3), HOUR)).toBe(0);
    expect(COUNTER_MAX_GAP_MS).toBe(DAY);
  });
});

describe("consumptionPerBucket", () => {
  const entries = (m: Map<number, number>) =>
    Object.fromEntries([...m].map(([t, v]) => [(t - T0) / HOUR, v]));

  it("counts each increase in the bucket of the later reading, the one before `from` included", () => {
    const readings = [
      at(T0 - 10 * MINUTE, 100),
      at(T0 + 15 * MINUTE, 101.5),
      at(T0 + 45 * MINUTE, 102),
      at(T0 + 75 * MINUTE, 104),
    ];
    expect(entries(consumptionPerBucket(readings, T0, HOUR))).toEqual({ 0: 2, 1: 2 });
    expect(entries(consumptionPerBucket(readings, T0, DAY))).toEqual({ 0: 4 });
  });

  it("gives 0 to a bucket whose only reading has no predecessor", () => {
    expect(entries(consumptionPerBucket([at(T0 + 5 * MINUTE, 7)], T0, HOUR))).toEqual({ 0: 0 });
  });

  it("uses only the newest reading before `from`, and no bucket before it", () => {
    const readings = [at(T0 - 3 * HOUR, 1), at(T0 - 2 * HOUR, 50), at(T0 - HOUR, 60), at(T0 + MINUTE, 61)];
    expect(entries(consumptionPerBucket(readings, T0, HOUR))).toEqual({ 0: 1 });
    expect(consumptionPerBucket(readings.slice(0, 3), T0, HOUR).size).toBe(0);
  });

  it("counts a reset from zero, and nothing across a gap longer than a day", () => {
    const readings = [
      at(T0 + 10 * MINUTE, 500),
      at(T0 + 20 * MINUTE, 501),
      at(T0 + 30 * MINUTE, 0.5),
      at(T0 + 40 * MINUTE, 1.5),
      at(T0 + 2 * DAY + 40 * MINUTE, 11.5),
      at(T0 + 2 * DAY + 50 * MINUTE, 12),
    ];
    expect(entries(consumptionPerBucket(readings, T0, HOUR))).toEqual({ 0: 2.5, 48: 0.5 });
  });

  it("follows time, not the order given (readings merged from several series)", () => {
    const readings = [at(T0 + 40 * MINUTE, 12), at(T0 - 5 * MINUTE, 9), at(T0 + 10 * MINUTE, 10)];
    expect(entries(consumptionPerBucket(readings, T0, HOUR))).toEqual({ 0: 3 });
  });

  it("takes two readings of the same time smallest first, so that no reset is invented", () => {
    const readings = [at(T0, 10), at(T0 + MINUTE, 12), at(T0 + MINUTE, 11)];
    expect(entries(consumptionPerBucket(readings, T0, HOUR))).toEqual({ 0: 2 });
  });

  it("buckets on the epoch, also before it", () => {
    const readings = [at(-HOUR - 1, 1), at(-1, 4), at(0, 6)];
    expect(Object.fromEntries(consumptionPerBucket(readings, -2 * HOUR, HOUR))).toEqual({
      [-2 * HOUR]: 0,
      [-HOUR]: 3,
      0: 2,
    });
  });

  it("answers nothing for no reading", () => {
    expect(consumptionPerBucket([], T0, HOUR).size).toBe(0);
  });
});
