import { expect, it } from "vitest";
import { aggregateRows, describeOnEachStore, feedAndRollUp } from "../helpers/each-store.ts";
import { basic, DEMO_SECRETS, type TestPlatform, technician } from "../helpers/platform.ts";

/**
 * A counter is aggregated as consumption: the demo's lamps report their cumulative energy meter
 * (`energy_kwh`, declared a counter in the streetlight contract), and the day's energy per commune
 * served by the public and staff aggregates must equal the sum of the lamps' meter differences,
 * computed here from the readings sent, with a meter replaced (reset) and a lamp silent for part
 * of the day. On both stores: the embedded DuckDB, and InfluxDB through its spool.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const DAY_START = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const COMMUNES = ["57038", "54580"];
const LAMPS = COMMUNES.flatMap((c) =>
  Array.from({ length: 6 }, (_, i) => `lum-${c}-${String(i + 1).padStart(4, "0")}`),
);

interface Sent {
  device: string;
  time: number;
  energy: number;
}

/** A day of readings every 15 minutes, from 30 minutes before the day to its end, per lamp. */
function meterReadings(): Sent[] {
  const sent: Sent[] = [];
  LAMPS.forEach((device, k) => {
    let energy = 1000 + 137 * k;
    for (let time = DAY_START - 30 * 60_000; time < DAY_START + DAY; time += 15 * 60_000) {
      const hour = (time - DAY_START) / HOUR;
      // Lamp 3 is silent from 08:00 to 12:00 (a shorter gap than a day: its consumption counts).
      if (k === 3 && hour >= 8 && hour < 12) continue;
      const lit = hour < 7 || hour >= 17;
      energy += lit ? 0.01 + 0.001 * k : 0;
      // Lamp 5's meter is replaced at 13:00: the new one starts from zero.
      if (k === 5 && hour === 13) energy = 0.004;
      sent.push({ device, time, energy: Math.round(energy * 1e6) / 1e6 });
    }
  });
  return sent;
}

/** The day's consumption per commune, from the readings themselves: differences, resets from zero. */
function expectedPerCommune(sent: readonly Sent[]): Map<string, number> {
  const perCommune = new Map<string, number>();
  for (const device of LAMPS) {
    const mine = sent.filter((s) => s.device === device).sort((a, b) => a.time - b.time);
    let total = 0;
    for (let i = 1; i < mine.length; i++) {
      const [prev, cur] = [mine[i - 1] as Sent, mine[i] as Sent];
      if (cur.time < DAY_START || cur.time - prev.time > DAY) continue;
      total += cur.energy >= prev.energy ? cur.energy - prev.energy : cur.energy;
    }
    const commune = device.split("-")[1] as string;
    perCommune.set(commune, (perCommune.get(commune) ?? 0) + total);
  }
  return perCommune;
}

/** The readings as the lamps' operator posts them. */
function feed(t: TestPlatform, sent: readonly Sent[]): Promise<void> {
  const readings = sent.map((s) => ({
    device: s.device,
    time: s.time,
    data: { power_state: "on", status: "ok", energy_kwh: s.energy },
  }));
  return feedAndRollUp(t, lumiere, readings);
}

const range = () => `from=${new Date(DAY_START).toISOString()}&to=${new Date(DAY_START + DAY).toISOString()}`;

const sent = meterReadings();

describeOnEachStore(
  "energy is aggregated as consumption",
  "lanterne_energy",
  (t) => feed(t, sent),
  (platform) => {
    it("public: the day's energy per commune is the sum of the lamps' meter differences", async () => {
      const expected = expectedPerCommune(sent);
      const answered = await aggregateRows(
        platform(),
        `/api/v1/public/aggregates?groupBy=commune&field=energy_kwh&resolution=1d&${range()}`,
      );
      const rows = answered.filter((r) => COMMUNES.includes(String(r.commune)));
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.measure).toBe("counter");
        expect(row.mean).toBeUndefined();
        expect(row.devices).toBe(6);
        expect(row.sum as number).toBeCloseTo(expected.get(String(row.commune)) as number, 6);
      }
      console.log(
        `${platform().platform.config.store}: energy of the day per commune (kWh):`,
        Object.fromEntries(rows.map((r) => [r.commune, r.sum])),
        "expected:",
        Object.fromEntries(expected),
      );
    });

    it("staff: the hourly consumption adds up to the day's, none in daylight", async () => {
      const expected = expectedPerCommune(sent);
      const hourly = await aggregateRows(
        platform(),
        `/api/v1/aggregates?groupBy=commune&resolution=1h&${range()}`,
        technician,
      );
      for (const commune of COMMUNES) {
        const energy = hourly.filter((r) => r.commune === commune && r.field === "energy_kwh");
        const total = energy.reduce((sum, r) => sum + (r.sum as number), 0);
        expect(total).toBeCloseTo(expected.get(commune) as number, 6);
        const noon = energy.find((r) => r.time === new Date(DAY_START + 12 * HOUR).toISOString());
        expect(noon?.sum).toBe(0);
      }
    });

    it("staff: a counter asked where raw readings would answer is refused with the reason, not left out", async () => {
      const res = await fetch(
        `${platform().apiUrl}/api/v1/aggregates?groupBy=operator&field=energy_kwh&${range()}`,
        { headers: { authorization: technician } },
      );
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe("ERR_ROLLUPS_ONLY");
    });
  },
);
