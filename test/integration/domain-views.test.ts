import { check } from "@placemarkio/check-geojson";
import { parse } from "csv-parse/sync";
import { expect, it } from "vitest";
import { describeOnEachStore, feedAndRollUp, type PostedReading } from "../helpers/each-store.ts";
import { basic, DEMO_SECRETS, type TestPlatform, technician } from "../helpers/platform.ts";

/**
 * The domain pages' API on both stores, fed with readings whose figures are known: the lamps'
 * energy against a reference period, the pressure and night flow of one water sector, the
 * containers to collect (JSON, CSV read back by csv-parse, GeoJSON checked by
 * @placemarkio/check-geojson), and the overview.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const DAY0 = Math.floor(NOW / DAY) * DAY;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
const collecte = basic("collecte-nord", DEMO_SECRETS["collecte-nord"]);

// ---- lighting: kWh per day in the reference (2 days) and in the period (1 day) ----

const REFERENCE = { from: DAY0 - 10 * DAY, to: DAY0 - 8 * DAY };
const PERIOD = { from: DAY0 - 3 * DAY, to: DAY0 - 2 * DAY };
const LAMPS = [
  { id: "lum-57038-0001", cabinet: "arm-57038-01", reference: 2, period: 1.5 },
  { id: "lum-57038-0016", cabinet: "arm-57038-01", reference: 1, period: 1 },
  { id: "lum-57038-0002", cabinet: "arm-57038-02", reference: 3, period: 3.3 },
];

/** Hourly meter readings from an hour before the range (the base) to its last hour, at a steady rate. */
function meter(device: string, range: { from: number; to: number }, perDay: number, start: number) {
  const out: PostedReading[] = [];
  for (let time = range.from - HOUR; time < range.to; time += HOUR) {
    const energy = start + (perDay * (time - range.from + HOUR)) / DAY;
    out.push({
      device,
      time,
      data: { power_state: "on", status: "ok", energy_kwh: Math.round(energy * 1e6) / 1e6 },
    });
  }
  return out;
}

const lampReadings = LAMPS.flatMap((l) => [
  ...meter(l.id, REFERENCE, l.reference, 100),
  ...meter(l.id, PERIOD, l.period, 500),
]);

// ---- water: two pressure sensors of sect-thil-nord over two days, its flow meter over four nights ----

const WATER = { from: DAY0 - 4 * DAY, to: DAY0 };
const parisHour = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Paris",
  hour: "2-digit",
  hourCycle: "h23",
});
const parisDate = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" });

const pressureReadings: PostedReading[] = [];
for (let time = DAY0 - 2 * DAY; time < DAY0; time += HOUR) {
  const odd = ((time - DAY0) / HOUR) % 2 !== 0;
  pressureReadings.push({ device: "pre-54521-001", time, data: { pressure_bar: 3 } });
  pressureReadings.push({ device: "pre-54521-003", time, data: { pressure_bar: odd ? 2 : 4 } });
}

/** At night (02:00-05:00 in Paris) the flow is least, rising by 0.5 m³/h a night: a leak. */
const flowReadings: PostedReading[] = [];
for (let time = WATER.from; time < WATER.to; time += HOUR) {
  const hour = Number(parisHour.format(time));
  const night = Math.floor((time - WATER.from) / DAY);
  const flow = hour >= 2 && hour < 5 ? 1 + 0.5 * night + 0.1 * (hour - 2) : 10 + (hour % 3);
  flowReadings.push({ device: "deb-54521-nord", time, data: { flow_m3h: flow } });
}

/** The least night flow of each local date, from the readings sent. */
function expectedNights(): { night: string; minFlowM3h: number }[] {
  const byNight = new Map<string, number>();
  for (const r of flowReadings) {
    const hour = Number(parisHour.format(r.time));
    if (hour < 2 || hour >= 5) continue;
    const night = parisDate.format(r.time);
    byNight.set(night, Math.min(byNight.get(night) ?? Infinity, r.data.flow_m3h as number));
  }
  return [...byNight].sort().map(([night, minFlowM3h]) => ({ night, minFlowM3h }));
}

// ---- waste: four containers of Thil, read every 6 hours over five days ----

const LAST_READING = NOW - 30 * 60_000;
const FULL_001 = NOW + 2.5 * DAY;
const EMPTIED_003 = LAST_READING - 8 * 6 * HOUR;

function container(device: string, level: (time: number) => number): PostedReading[] {
  return Array.from({ length: 21 }, (_, k) => {
    const time = LAST_READING - (20 - k) * 6 * HOUR;
    return { device, time, data: { filling_level: Math.round(level(time) * 1e9) / 1e9 } };
  });
}

const wasteReadings = [
  ...container("pav-54521-001", (t) => 1 - (0.1 * (FULL_001 - t)) / DAY),
  ...container("pav-54521-002", () => 0.85),
  ...container("pav-54521-003", (t) => (t < EMPTIED_003 ? 0.9 : 0.05 + (0.05 * (t - EMPTIED_003)) / DAY)),
  ...container("pav-54521-004", (t) => 0.2 + (0.05 * (t - LAST_READING)) / DAY + 0.2),
];

async function get(t: TestPlatform, path: string, auth?: string, accept?: string) {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (accept) headers.accept = accept;
  const res = await fetch(`${t.apiUrl}${path}`, { headers });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

async function getJson<T>(t: TestPlatform, path: string, auth = technician): Promise<T> {
  const res = await get(t, path, auth);
  expect(res.status, res.text).toBe(200);
  return JSON.parse(res.text) as T;
}

const iso = (ms: number) => new Date(ms).toISOString();

interface EnergyGroup {
  key: string;
  lamps: number;
  period: { kwh: number; lampsMeasured: number };
  reference: { kwh: number };
  referenceScaledKwh: number;
  savedKwh: number;
  savedPercent: number | null;
  savedEur: number;
}

interface Container {
  device: string;
  commune: string;
  stream: string | null;
  lat: number;
  lon: number;
  fillingLevel: number | null;
  measuredAt: string | null;
  emptiedAt: string | null;
  fillRatePerDay: number | null;
  predictedFullAt: string | null;
  toCollect: boolean;
}

describeOnEachStore(
  "the domain pages' API",
  "lanterne_domain_views",
  async (t) => {
    await feedAndRollUp(t, lumiere, lampReadings);
    await feedAndRollUp(t, eaux, [...pressureReadings, ...flowReadings]);
    await feedAndRollUp(t, collecte, wasteReadings);
  },
  (platform) => {
    const energyPath = (groupBy: string, extra = "") =>
      `/api/v1/lighting/energy?from=${iso(PERIOD.from)}&to=${iso(PERIOD.to)}&referenceFrom=${iso(REFERENCE.from)}` +
      `&referenceTo=${iso(REFERENCE.to)}&groupBy=${groupBy}&tariff=0.2${extra}`;

    it("gives each lamp's energy against the reference, scaled per day", async () => {
      const answer = await getJson<{ days: number; referenceDays: number; groups: EnergyGroup[] }>(
        platform(),
        energyPath("lamp", "&commune=57038"),
      );
      expect([answer.days, answer.referenceDays]).toEqual([1, 2]);
      for (const lamp of LAMPS) {
        const g = answer.groups.find((x) => x.key === lamp.id);
        expect(g?.period.kwh).toBeCloseTo(lamp.period, 6);
        expect(g?.reference.kwh).toBeCloseTo(2 * lamp.reference, 6);
        expect(g?.referenceScaledKwh).toBeCloseTo(lamp.reference, 6);
        expect(g?.savedKwh).toBeCloseTo(lamp.reference - lamp.period, 6);
        expect(g?.savedEur).toBeCloseTo((lamp.reference - lamp.period) * 0.2, 6);
      }
      const silent = answer.groups.find((x) => x.key === "lum-57038-0003");
      expect(silent?.period).toMatchObject({ kwh: 0, lampsMeasured: 0 });
    });

    it("adds the lamps up per cabinet and per commune", async () => {
      const cabinets = await getJson<{ groups: EnergyGroup[] }>(platform(), energyPath("cabinet"));
      const arm = cabinets.groups.find((g) => g.key === "arm-57038-01");
      expect(arm?.lamps).toBe(50);
      expect(arm?.period).toMatchObject({ lampsMeasured: 2 });
      expect(arm?.period.kwh).toBeCloseTo(2.5, 6);
      expect(arm?.savedKwh).toBeCloseTo(0.5, 6);
      expect(arm?.savedPercent).toBeCloseTo((0.5 / 3) * 100, 6);
      const communes = await getJson<{ groups: EnergyGroup[]; total: EnergyGroup }>(
        platform(),
        energyPath("commune"),
      );
      const thil = communes.groups.find((g) => g.key === "57038");
      expect(thil?.period.kwh).toBeCloseTo(5.8, 6);
      expect(thil?.reference.kwh).toBeCloseTo(12, 6);
      expect(thil?.savedEur).toBeCloseTo(0.2 * 0.2, 6);
      expect(communes.total.savedKwh).toBeCloseTo(0.2, 6);
    });

    it("refuses the energy view without a tariff, to an operator, and over too long a period per lamp", async () => {
      const noTariff = await get(platform(), energyPath("commune").replace("&tariff=0.2", ""), technician);
      expect([noTariff.status, JSON.parse(noTariff.text).code]).toEqual([400, "ERR_BAD_REQUEST"]);
      expect((await get(platform(), energyPath("commune"), lumiere)).status).toBe(403);
      const long = `/api/v1/lighting/energy?from=${iso(DAY0 - 200 * DAY)}&to=${iso(DAY0)}&referenceFrom=${iso(REFERENCE.from)}&referenceTo=${iso(REFERENCE.to)}&groupBy=lamp&tariff=0.2`;
      expect(JSON.parse((await get(platform(), long, technician)).text).code).toBe("ERR_BAD_REQUEST");
    });

    it("gives a sector's pressure from its sensors and its minimum night flow per night with the trend", async () => {
      const answer = await getJson<{
        days: number;
        sectors: {
          sector: string;
          pressure: {
            sensors: number;
            sensorsReporting: number;
            readings: number;
            mean: number;
            min: number;
            max: number;
            days: unknown[];
          };
          flow: {
            meters: {
              device: string;
              nights: { night: string; minFlowM3h: number }[];
              trendM3hPerDay: number;
            }[];
          };
        }[];
      }>(platform(), `/api/v1/water/sectors?from=${iso(WATER.from)}&to=${iso(WATER.to)}`);
      expect(answer.days).toBe(4);
      const nord = answer.sectors.find((s) => s.sector === "sect-thil-nord");
      expect(nord?.pressure).toMatchObject({ sensors: 4, sensorsReporting: 2, readings: 96, min: 2, max: 4 });
      expect(nord?.pressure.mean).toBeCloseTo(3, 9);
      expect(nord?.pressure.days).toHaveLength(2);
      const meter = nord?.flow.meters.find((m) => m.device === "deb-54521-nord");
      const nights = expectedNights();
      expect(nights).toHaveLength(4);
      expect(meter?.nights.map((n) => n.night)).toEqual(nights.map((n) => n.night));
      meter?.nights.forEach((n, i) => {
        expect(n.minFlowM3h).toBeCloseTo(nights[i]?.minFlowM3h ?? Number.NaN, 9);
      });
      expect(meter?.trendM3hPerDay).toBeCloseTo(0.5, 9);
    });

    it("lists the containers to collect, by predicted-full date, from their fill rate", async () => {
      const answer = await getJson<{ count: number; containers: Container[] }>(
        platform(),
        "/api/v1/waste/to-collect?commune=54521",
        collecte,
      );
      expect(answer.containers.map((c) => c.device)).toEqual(["pav-54521-001", "pav-54521-002"]);
      const [first, second] = answer.containers;
      expect(first?.fillRatePerDay).toBeCloseTo(0.1, 6);
      expect(Math.abs(Date.parse(first?.predictedFullAt ?? "") - FULL_001)).toBeLessThan(60_000);
      expect(first?.emptiedAt).toBeNull();
      expect(second).toMatchObject({ fillingLevel: 0.85, predictedFullAt: null, toCollect: true });

      const all = await getJson<{ containers: Container[] }>(
        platform(),
        "/api/v1/waste/to-collect?commune=54521&all=true",
        technician,
      );
      const emptied = all.containers.find((c) => c.device === "pav-54521-003");
      expect(emptied).toMatchObject({ emptiedAt: iso(EMPTIED_003), toCollect: false });
      expect(emptied?.fillRatePerDay).toBeCloseTo(0.05, 6);
      expect(all.containers.find((c) => c.device === "pav-54521-004")?.toCollect).toBe(false);
      const none = await getJson<{ count: number }>(platform(), "/api/v1/waste/to-collect", eaux);
      expect(none.count).toBe(0);
      expect((await get(platform(), "/api/v1/waste/to-collect")).status).toBe(401);
    });

    it("exports the round as CSV that a CSV parser reads back", async () => {
      const json = await getJson<{ containers: Container[] }>(
        platform(),
        "/api/v1/waste/to-collect?commune=54521",
      );
      for (const [query, accept] of [
        ["", "text/csv"],
        ["&format=csv", undefined],
      ] as const) {
        const res = await get(
          platform(),
          `/api/v1/waste/to-collect?commune=54521${query}`,
          technician,
          accept,
        );
        expect(res.status).toBe(200);
        expect(res.type).toMatch(/^text\/csv/);
        const rows = parse(res.text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
        expect(rows.map((r) => r.device)).toEqual(json.containers.map((c) => c.device));
        const first = json.containers[0] as Container;
        expect(rows[0]).toMatchObject({
          commune: first.commune,
          stream: first.stream ?? "",
          predicted_full_at: first.predictedFullAt ?? "",
          to_collect: "true",
        });
        expect(Number(rows[0]?.lon)).toBe(first.lon);
        expect(Number(rows[0]?.filling_level)).toBe(first.fillingLevel);
      }
    });

    it("exports the round as valid GeoJSON, longitude first", async () => {
      for (const [query, accept] of [
        ["&format=geojson", undefined],
        ["", "application/geo+json"],
      ] as const) {
        const res = await get(platform(), `/api/v1/waste/to-collect?commune=54521${query}`, collecte, accept);
        expect(res.status).toBe(200);
        expect(res.type).toMatch(/^application\/geo\+json/);
        const geo = check(res.text) as unknown as {
          features: { geometry: { coordinates: number[] }; properties: { device: string } }[];
        };
        expect(geo.features.map((f) => f.properties.device)).toEqual(["pav-54521-001", "pav-54521-002"]);
        expect(geo.features[0]?.geometry.coordinates).toEqual([5.902504, 49.475194]);
      }
      const refused = await get(
        platform(),
        "/api/v1/waste/to-collect?format=csv",
        technician,
        "application/json",
      );
      expect(refused.status).toBe(406);
    });

    it("gives the overview: conditions per domain, silent devices and the operators' feeds", async () => {
      const answer = await getJson<{
        domains: { domain: string; devices: number; conditions: Record<string, number> }[];
        silent: { count: number; devices: unknown[] };
        operators: { operator: string; devices: number; heard: number; lastMessageAt: string | null }[];
      }>(platform(), "/api/v1/overview");
      const lights = answer.domains.find((d) => d.domain === "streetlight");
      expect(lights?.devices).toBe(3000);
      for (const d of answer.domains) {
        expect(Object.values(d.conditions).reduce((a, b) => a + b, 0)).toBe(d.devices);
      }
      expect(answer.silent.devices.length).toBeLessThanOrEqual(Math.min(20, answer.silent.count));
      const collector = answer.operators.find((o) => o.operator === "collecte-nord");
      expect(collector).toMatchObject({ devices: 400, heard: 4, lastMessageAt: iso(LAST_READING) });
      expect((await get(platform(), "/api/v1/overview", collecte)).status).toBe(403);
    });
  },
);
