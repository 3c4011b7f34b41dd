import { expect, it } from "vitest";
import { aggregateRows, describeOnEachStore, feedAndRollUp } from "../helpers/each-store.ts";
import { basic, DEMO_SECRETS, type TestPlatform, technician } from "../helpers/platform.ts";

/**
 * A state field is aggregated as the time in each state: the demo's lamps report their
 * `power_state` (text, a state by default) every 15 minutes over a day, lit at night, some dimmed
 * late in the evening, one silent for the morning (its last state holds through the silence), one
 * starting only at 06:00 (the hours before are unknown) and changing at odd minutes. The staff
 * aggregates per commune must give the hours in each state computed here from the readings sent.
 * On both stores: the embedded DuckDB, and InfluxDB through its spool.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const DAY_START = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const DAY_END = DAY_START + DAY;
const COMMUNES = ["57038", "54580"];
const LAMPS = COMMUNES.flatMap((c) =>
  Array.from({ length: 6 }, (_, i) => `lum-${c}-${String(i + 1).padStart(4, "0")}`),
);

interface Sent {
  device: string;
  time: number;
  state: string;
}

/** The state of lamp `k` at `hour` of the day (negative: the evening before). */
function stateAt(k: number, hour: number): string {
  if (k === 4 && (hour >= 22 || hour < 5)) return "low";
  return hour < 7 || hour >= 17 ? "on" : "off";
}

/** Readings every 15 minutes from 30 minutes before the day to its end, per lamp, with exceptions. */
function stateReadings(): Sent[] {
  const sent: Sent[] = [];
  LAMPS.forEach((device, k) => {
    for (let time = DAY_START - 30 * MINUTE; time < DAY_END; time += 15 * MINUTE) {
      const hour = (time - DAY_START) / HOUR;
      // Lamp 3 is silent from 08:00 to 12:00: its 07:45 state ("off") holds through the gap.
      if (k === 3 && hour >= 8 && hour < 12) continue;
      // Lamp 5 is installed at 06:00: what it did before is unknown.
      if (k === 5 && hour < 6) continue;
      sent.push({ device, time, state: stateAt(k, hour < 0 ? hour + 24 : hour) });
    }
  });
  // Lamp 2 switches on at 16:52, between two readings, and reports it at once.
  sent.push({ device: LAMPS[2] as string, time: DAY_START + 16 * HOUR + 52 * MINUTE, state: "on" });
  return sent;
}

/**
 * Seconds per state and commune over the day, from the readings themselves: each holds until the
 * lamp's next reading (at most a day), cut at the day's bounds.
 */
function expectedPerCommune(sent: readonly Sent[]): Map<string, Record<string, number>> {
  const perCommune = new Map<string, Record<string, number>>();
  for (const device of LAMPS) {
    const commune = device.split("-")[1] as string;
    const totals = perCommune.get(commune) ?? {};
    const mine = sent.filter((s) => s.device === device).sort((a, b) => a.time - b.time);
    mine.forEach((s, i) => {
      const end = Math.min(mine[i + 1]?.time ?? DAY_END, s.time + DAY, DAY_END);
      const ms = end - Math.max(s.time, DAY_START);
      if (ms > 0) totals[s.state] = (totals[s.state] ?? 0) + ms / 1000;
    });
    perCommune.set(commune, totals);
  }
  return perCommune;
}

interface Row {
  commune?: string;
  time: string;
  field: string;
  measure: string;
  count: number;
  devices: number;
  states?: Record<string, number>;
  mean?: number;
}

/** The readings as the lamps' operator posts them. */
function feed(t: TestPlatform, sent: readonly Sent[]): Promise<void> {
  const readings = sent.map((s) => ({
    device: s.device,
    time: s.time,
    data: { power_state: s.state, status: "ok", active_power_w: s.state === "off" ? 0 : 40 },
  }));
  return feedAndRollUp(t, lumiere, readings);
}

const range = () => `from=${new Date(DAY_START).toISOString()}&to=${new Date(DAY_END).toISOString()}`;

function expectStates(actual: Record<string, number> | undefined, expected: Record<string, number>): void {
  expect(Object.keys(actual ?? {}).sort()).toEqual(Object.keys(expected).sort());
  for (const [state, seconds] of Object.entries(expected)) expect(actual?.[state]).toBeCloseTo(seconds, 3);
}

const sent = stateReadings();

describeOnEachStore(
  "a state field is aggregated as time in each state",
  "lanterne_states",
  (t) => feed(t, sent),
  (platform) => {
    it("staff: the day's hours in each state per commune match the readings", async () => {
      const expected = expectedPerCommune(sent);
      const rows = await aggregateRows<Row>(
        platform(),
        `/api/v1/aggregates?groupBy=commune&field=power_state&resolution=1d&${range()}`,
        technician,
      );
      const mine = rows.filter((r) => COMMUNES.includes(String(r.commune)));
      expect(mine).toHaveLength(2);
      for (const row of mine) {
        expect(row.measure).toBe("state");
        expect(row.mean).toBeUndefined();
        expect(row.devices).toBe(6);
        expect(row.count).toBe(
          sent.filter((s) => s.device.includes(`-${row.commune}-`) && s.time >= DAY_START).length,
        );
        expectStates(row.states, expected.get(String(row.commune)) ?? {});
      }
      console.log(
        `${platform().platform.config.store}: hours in each state per commune:`,
        Object.fromEntries(
          mine.map((r) => [
            r.commune,
            Object.fromEntries(Object.entries(r.states ?? {}).map(([s, v]) => [s, v / 3600])),
          ]),
        ),
      );
    });

    it("staff: the hourly figures add up to the day's, and each hour is a lamp-hour per lamp known", async () => {
      const expected = expectedPerCommune(sent);
      const hourly = await aggregateRows<Row>(
        platform(),
        `/api/v1/aggregates?groupBy=commune&field=power_state&resolution=1h&${range()}`,
        technician,
      );
      for (const commune of COMMUNES) {
        const rows = hourly.filter((r) => r.commune === commune);
        expect(rows).toHaveLength(24);
        const total: Record<string, number> = {};
        for (const r of rows)
          for (const [s, v] of Object.entries(r.states ?? {})) total[s] = (total[s] ?? 0) + v;
        expectStates(total, expected.get(commune) ?? {});
        const noon = rows.find((r) => r.time === new Date(DAY_START + 12 * HOUR).toISOString());
        // Every lamp is off at noon, the silent one included (its last reading said so).
        expectStates(noon?.states, { off: 6 * 3600 });
      }
    });

    it("public: a field the contract does not publish is not answered", async () => {
      const rows = await aggregateRows<Row>(
        platform(),
        `/api/v1/public/aggregates?groupBy=commune&field=power_state&resolution=1d&${range()}`,
      );
      expect(rows).toEqual([]);
    });
  },
);
