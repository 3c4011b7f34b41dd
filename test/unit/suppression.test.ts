import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Granularity } from "../../services/contracts/model.ts";
import { countFalls } from "../../services/opendata/compute.ts";
import {
  coarser,
  type RawFigure,
  revisionDiscloses,
  secure,
  suppress,
} from "../../services/opendata/suppression.ts";

const DAY = 86_400_000;
const JAN = Date.UTC(2026, 0, 1);

function fig(day: number, place: string, devices: number, value = devices * 10): RawFigure {
  return { period: JAN + day * DAY, place, value, devices };
}

/** Groups as an attacker sees them: the places of a period, the periods of a place in a month. */
function groups(figures: readonly RawFigure[], granularity: Granularity): Map<string, RawFigure[]> {
  const out = new Map<string, RawFigure[]>();
  const add = (k: string, f: RawFigure) => out.set(k, [...(out.get(k) ?? []), f]);
  for (const f of figures) {
    add(`period ${f.period}`, f);
    add(`place ${f.place} ${coarser(f.period, granularity)}`, f);
  }
  return out;
}

describe("suppress", () => {
  it("hides figures behind too few devices, and one more in each group a total would reveal", () => {
    const figures = [fig(0, "57038", 12), fig(0, "54580", 3), fig(0, "57041", 7), fig(0, "57096", 9)];
    const out = suppress(figures, 5, "day");
    const byPlace = new Map(out.map((f) => [f.place, f]));
    expect(byPlace.get("54580")?.status).toBe("suppressed-primary");
    // 54580 alone hidden: the territory total minus the others would give it. The smallest other goes too.
    expect(byPlace.get("57041")?.status).toBe("suppressed-secondary");
    expect(byPlace.get("57038")).toEqual({
      period: JAN,
      place: "57038",
      value: 120,
      devices: 12,
      status: "published",
    });
    expect(byPlace.get("54580")).toMatchObject({ value: null, devices: null });
  });

  it("leaves a release with nothing below the threshold as it is", () => {
    const figures = [fig(0, "a", 5), fig(0, "b", 6), fig(1, "a", 8), fig(1, "b", 9)];
    expect(suppress(figures, 5, "day").every((f) => f.status === "published")).toBe(true);
  });

  it("hides along time as well: a month's days add up to the month", () => {
    // One place, days 0..3 of January: day 2 under the threshold must take another day with it.
    const figures = [fig(0, "a", 9), fig(1, "a", 8), fig(2, "a", 2), fig(3, "a", 7)];
    const out = suppress(figures, 5, "day");
    expect(out.filter((f) => f.status !== "published").map((f) => f.period)).toEqual([
      JAN + 2 * DAY,
      JAN + 3 * DAY,
    ]);
  });

  it("propagates across both directions until no group has a lone hidden cell", () => {
    const figures = [
      fig(0, "a", 2),
      fig(0, "b", 9),
      fig(1, "a", 9),
      fig(1, "b", 9),
      fig(0, "c", 9),
      fig(1, "c", 9),
    ];
    const out = suppress(figures, 5, "day");
    for (const group of groups(figures, "day").values()) {
      const hidden = group.filter(
        (g) => out.find((o) => o.period === g.period && o.place === g.place)?.status !== "published",
      );
      expect(hidden.length === 0 || hidden.length >= 2).toBe(true);
    }
  });

  it("holds for any release: no lone hidden cell in any group, all below the threshold hidden, same answer twice", () => {
    const release = fc
      .uniqueArray(
        fc.record({
          day: fc.integer({ min: 0, max: 40 }),
          place: fc.constantFrom("a", "b", "c", "d"),
          devices: fc.integer({ min: 0, max: 20 }),
          value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        }),
        { selector: (r) => `${r.day}/${r.place}`, maxLength: 80 },
      )
      .map((rs) =>
        rs.map((r) => ({ period: JAN + r.day * DAY, place: r.place, value: r.value, devices: r.devices })),
      );
    fc.assert(
      fc.property(release, fc.integer({ min: 1, max: 10 }), (figures, min) => {
        const out = suppress(figures, min, "day");
        const status = new Map(out.map((o) => [`${o.period}/${o.place}`, o]));
        for (const f of figures) {
          const o = status.get(`${f.period}/${f.place}`);
          if (f.devices < min) expect(o?.status).toBe("suppressed-primary");
          if (o?.status !== "published") expect(o?.value).toBeNull();
          else expect(o.value).toBe(f.value);
        }
        for (const group of groups(figures, "day").values()) {
          const hidden = group.filter((g) => status.get(`${g.period}/${g.place}`)?.status !== "published");
          expect(hidden.length !== 1 || group.length === 1).toBe(true);
        }
        expect(suppress(figures, min, "day")).toEqual(out);
      }),
      { numRuns: 300 },
    );
  });

  it("defeats the total-minus-parts attack: a hidden figure is never the only unknown of a sum", () => {
    const figures = [fig(0, "a", 30, 300), fig(0, "b", 2, 17), fig(0, "c", 6, 61), fig(0, "d", 40, 400)];
    const total = figures.reduce((s, f) => s + f.value, 0);
    const out = suppress(figures, 5, "day");
    const known = out.filter((f) => f.status === "published").reduce((s, f) => s + (f.value ?? 0), 0);
    const unknown = out.filter((f) => f.status !== "published");
    expect(unknown.length).toBeGreaterThanOrEqual(2);
    // What an attacker gets is the sum of the hidden cells, never device b's 17 alone.
    expect(total - known).toBe(17 + 61);
  });

  it("groups hours by day, days by month, months by year (UTC)", () => {
    const t = Date.UTC(2026, 4, 17, 13);
    expect(coarser(t, "hour")).toBe(Date.UTC(2026, 4, 17));
    expect(coarser(t, "day")).toBe(Date.UTC(2026, 4, 1));
    expect(coarser(t, "month")).toBe(Date.UTC(2026, 0, 1));
  });
});

describe("revisionDiscloses", () => {
  it("holds back a revision whose devices changed by fewer than the threshold", () => {
    const prev = { devices: 10, status: "published" as const };
    const next = (devices: number) => ({
      period: JAN,
      place: "a",
      value: 1,
      devices,
      status: "published" as const,
    });
    expect(revisionDiscloses(prev, next(11), 5)).toBe(true);
    expect(revisionDiscloses(prev, next(14), 5)).toBe(true);
    expect(revisionDiscloses(prev, next(15), 5)).toBe(false);
    expect(revisionDiscloses(prev, next(10), 5)).toBe(false);
    expect(revisionDiscloses({ devices: null, status: "suppressed-primary" }, next(11), 5)).toBe(false);
  });
});

describe("secure", () => {
  const spec = { level: "commune" as const, minDevices: 5, granularity: "day" as const };

  it("rounds published values to the dataset's step, without binary noise, and leaves hidden ones empty", () => {
    const out = secure(
      [fig(0, "a", 9, 0.36), fig(0, "b", 8, 0.349999), fig(0, "c", 2, 0.5), fig(0, "d", 7, 12.25)],
      {
        ...spec,
        round: 0.1,
      },
    );
    expect(out.map((f) => f.value)).toEqual([0.4, 0.3, null, null]);
    expect(secure([fig(0, "a", 9, 73.4)], { ...spec, round: 10 })[0]?.value).toBe(70);
  });

  it("publishes each asset's own figure, whatever the threshold", () => {
    const out = secure([fig(0, "lamp-1", 1, 100), fig(0, "lamp-2", 1, 0)], { ...spec, level: "asset" });
    expect(out.map((f) => f.status)).toEqual(["published", "published"]);
    expect(out.map((f) => f.devices)).toEqual([1, 1]);
  });
});

describe("countFalls (containers emptied)", () => {
  const h = (hour: number, min: number, max = min) => ({ time: hour * 3_600_000, min, max });

  it("counts a fall below the highest since the last one, once, even mid-hour", () => {
    // Rises, emptied in the middle of hour 3 (its max before, its min after), rises, emptied again.
    expect(countFalls([h(1, 0.4), h(2, 0.7), h(3, 0.05, 0.8), h(4, 0.1), h(5, 0.6), h(6, 0.0)], 0.3)).toBe(2);
  });

  it("counts no fall for noise or a slow decrease, and reads the hours in time order", () => {
    expect(countFalls([h(2, 0.5), h(1, 0.6), h(3, 0.45), h(4, 0.4)], 0.3)).toBe(0);
    expect(countFalls([h(3, 0.1), h(1, 0.2), h(2, 0.9)], 0.3)).toBe(1);
  });
});
