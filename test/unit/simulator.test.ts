import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { Aedes } from "aedes";
import { connectAsync } from "mqtt";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { Device, EpochMs } from "../../services/domain/types.ts";
import type { ReadingData, Scenario } from "../../simulator/models.ts";
import {
  fillingLevel,
  lampFailureTime,
  leakProgress,
  parisOffsetMs,
  planScenario,
  readingFor,
  sectorOf,
  streamOf,
  sunTimes,
} from "../../simulator/models.ts";
import type { SimulatedReading } from "../../simulator/simulator.ts";
import { encodeReadings, operatorAt, readingsTopic, Simulator } from "../../simulator/simulator.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T = (iso: string): EpochMs => Date.parse(iso);

const OPERATORS = {
  streetlight: "lumiere-est",
  water_pressure: "eaux-alzette",
  waste_container: "collecte-nord",
};
const CONTRACTS = {
  streetlight: "ccphva-streetlight",
  water_pressure: "ccphva-water-pressure",
  waste_container: "ccphva-waste-container",
};
type Domain = keyof typeof OPERATORS;

function device(domain: Domain, i: number, attributes: Record<string, string | number>): Device {
  return {
    id: `${domain}-${String(i).padStart(4, "0")}`,
    domain,
    contractId: CONTRACTS[domain],
    ownerId: "ccphva",
    commune: ["57038", "57041", "54580"][i % 3] as string,
    lat: 49.42 + (i % 17) * 0.004,
    lon: 5.9 + (i % 13) * 0.01,
    attributes,
    assignments: [{ operatorId: OPERATORS[domain], from: T("2024-01-01T00:00:00Z") }],
  };
}

const lamps = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    device("streetlight", i, { cabinet: `arm-${i % 40}`, power_w: [35, 50, 70, 100, 150][i % 5] as number }),
  );
const pressurePoints = (n: number) =>
  Array.from({ length: n }, (_, i) => device("water_pressure", i, { sector: `sect-${i % 6}` }));
const STREAMS = ["household", "packaging", "glass", "paper"];
const containers = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    device("waste_container", i, { stream: STREAMS[i % 4] as string, depth_mm: 1500 + 10 * (i % 100) }),
  );

const START = T("2025-01-15T10:00:00Z");
const FLEET = [...lamps(400), ...pressurePoints(40), ...containers(60)];
const SCENARIO = planScenario(FLEET, START, 42);

/** A lamp of the fleet that is not failing (the failing ones are tested apart). */
const healthyLamp = FLEET.find(
  (d) => d.domain === "streetlight" && lampFailureTime(d, SCENARIO) === undefined,
) as Device;

function data(d: Device, t: EpochMs, scenario: Scenario = SCENARIO): ReadingData {
  const r = readingFor(d, t, scenario);
  if (r === undefined) throw new Error(`no model for ${d.domain}`);
  return r;
}

describe("calendar", () => {
  it("follows the Europe/Paris offset, DST included", () => {
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Paris",
      timeZoneName: "shortOffset",
    });
    for (let t = T("2024-01-01T00:00:00Z"); t < T("2027-01-01T00:00:00Z"); t += 7 * HOUR + 13 * MINUTE) {
      const name = format.formatToParts(t).find((p) => p.type === "timeZoneName")?.value;
      expect(`GMT+${parisOffsetMs(t) / HOUR}`, new Date(t).toISOString()).toBe(name);
    }
  });

  it("puts sunrise and sunset where they are in north Lorraine (a few minutes off at most)", () => {
    // Luxembourg / Audun-le-Tiche: 21 June sunrise ~03:29 UTC, sunset ~19:46 UTC; 21 December ~07:25, ~15:30.
    const june = sunTimes(T("2025-06-21T12:00:00Z"), 49.45, 5.98);
    expect(Math.abs(june.sunrise - T("2025-06-21T03:29:00Z"))).toBeLessThan(10 * MINUTE);
    expect(Math.abs(june.sunset - T("2025-06-21T19:46:00Z"))).toBeLessThan(10 * MINUTE);
    const december = sunTimes(T("2025-12-21T12:00:00Z"), 49.45, 5.98);
    expect(Math.abs(december.sunrise - T("2025-12-21T07:25:00Z"))).toBeLessThan(10 * MINUTE);
    expect(Math.abs(december.sunset - T("2025-12-21T15:30:00Z"))).toBeLessThan(10 * MINUTE);
  });
});

describe("streetlight model", () => {
  it("is lit at 23:30 in January, dimmed, and off at 13:00 in June", () => {
    const night = data(healthyLamp, T("2025-01-15T23:30:00+01:00"));
    expect(night.power_state).toBe("low");
    expect(night.status).toBe("ok");
    expect(night.active_power_w).toBeGreaterThan(0);
    const day = data(healthyLamp, T("2025-06-15T13:00:00+02:00"));
    expect(day).toMatchObject({ power_state: "off", illuminance_level: 0, active_power_w: 0, status: "ok" });
  });

  it("is on at full level in the evening and dimmed to 0.4-0.5 between 23:00 and 05:00 local time", () => {
    expect(data(healthyLamp, T("2025-01-15T19:00:00+01:00"))).toMatchObject({
      power_state: "on",
      illuminance_level: 1,
    });
    expect(data(healthyLamp, T("2025-01-16T06:30:00+01:00"))).toMatchObject({
      power_state: "on",
      illuminance_level: 1,
    });
    expect(data(healthyLamp, T("2025-06-15T22:30:00+02:00"))).toMatchObject({ power_state: "on" });
    const nights = [
      "2025-01-15T23:05:00+01:00",
      "2025-01-16T02:00:00+01:00",
      "2025-01-16T04:55:00+01:00",
      "2025-06-15T23:05:00+02:00",
      "2025-06-16T04:55:00+02:00",
      "2025-10-26T03:30:00+01:00",
    ];
    for (const lamp of FLEET.filter((d) => d.domain === "streetlight").slice(0, 50)) {
      for (const iso of nights) {
        const r = data(lamp, T(iso));
        expect(r.power_state, iso).toBe("low");
        expect(r.illuminance_level).toBeGreaterThanOrEqual(0.4);
        expect(r.illuminance_level).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it("draws its rated power times its level, with little noise", () => {
    const full = data(healthyLamp, T("2025-01-15T19:00:00+01:00"));
    const rated = Number(healthyLamp.attributes.power_w);
    expect(full.active_power_w).toBeGreaterThan(rated * 0.97);
    expect(full.active_power_w).toBeLessThan(rated * 1.03);
    const low = data(healthyLamp, T("2025-01-15T23:30:00+01:00"));
    expect(low.active_power_w as number).toBeCloseTo(rated * (low.illuminance_level as number), -0.5);
  });

  it("counts energy monotonically, growing only while lit, as the integral of its power", () => {
    const from = T("2025-03-28T12:00:00Z"); // across the spring DST change
    let previous = data(healthyLamp, from).energy_kwh as number;
    let integral = 0;
    const step = 5 * MINUTE;
    for (let t = from + step; t <= from + 4 * DAY; t += step) {
      const r = data(healthyLamp, t);
      const energy = r.energy_kwh as number;
      expect(energy).toBeGreaterThanOrEqual(previous);
      if (r.power_state === "off" && data(healthyLamp, t - step).power_state === "off")
        expect(energy).toBe(previous);
      integral += ((r.active_power_w as number) * step) / HOUR / 1000;
      previous = energy;
    }
    const total = previous - (data(healthyLamp, from).energy_kwh as number);
    expect(total).toBeGreaterThan(0);
    expect(Math.abs(total - integral) / total).toBeLessThan(0.05);
  });

  it("has about 0.5 % failing lamps, dark and flagged while they should be on", () => {
    const fleet = lamps(6000);
    const scenario = planScenario(fleet, START, 7);
    const failing = fleet.filter((d) => lampFailureTime(d, scenario) !== undefined);
    expect(failing.length).toBe(30);
    expect(planScenario(fleet, START, 8).failingLamps).not.toEqual(scenario.failingLamps);
    const night = T("2025-01-15T21:00:00+01:00");
    for (const lamp of failing) {
      expect(data(lamp, night, scenario)).toMatchObject({
        power_state: "on",
        status: "defectiveLamp",
        active_power_w: 0,
      });
      const energy = data(lamp, night, scenario).energy_kwh;
      expect(data(lamp, night + DAY, scenario).energy_kwh).toBe(energy);
    }
    const healthy = fleet.filter((d) => lampFailureTime(d, scenario) === undefined).slice(0, 100);
    for (const lamp of healthy) expect(data(lamp, night, scenario).status).toBe("ok");
  });
});

describe("water pressure model", () => {
  const points = FLEET.filter((d) => d.domain === "water_pressure");

  it("has higher pressure and lower flow at night than at the morning peak", () => {
    const noLeak: Scenario = { ...SCENARIO, leakSector: undefined };
    for (const p of points) {
      const night = data(p, T("2025-01-16T03:30:00+01:00"), noLeak);
      const morning = data(p, T("2025-01-16T07:30:00+01:00"), noLeak);
      expect(night.pressure_bar).toBeGreaterThan(morning.pressure_bar as number);
      expect(night.flow_m3h).toBeLessThan(morning.flow_m3h as number);
      expect(morning.pressure_bar).toBeGreaterThanOrEqual(2.9);
      expect(night.pressure_bar).toBeLessThanOrEqual(6);
    }
  });

  it("shows a leak in one sector: pressure drops by ~1.5 bar over 10 minutes from 20 minutes after start", () => {
    const sector = SCENARIO.leakSector as string;
    expect(sector).toBeDefined();
    const noLeak: Scenario = { ...SCENARIO, leakSector: undefined };
    const inSector = points.filter((p) => sectorOf(p) === sector);
    expect(inSector.length).toBeGreaterThan(0);
    for (const p of inSector) {
      const before = START + 19 * MINUTE;
      expect(data(p, before)).toEqual(data(p, before, noLeak));
      const half = START + 25 * MINUTE;
      const halfDrop =
        (data(p, half, noLeak).pressure_bar as number) - (data(p, half).pressure_bar as number);
      expect(halfDrop).toBeGreaterThan(0.5);
      expect(halfDrop).toBeLessThan(0.8);
      const after = START + 45 * MINUTE;
      const drop = (data(p, after, noLeak).pressure_bar as number) - (data(p, after).pressure_bar as number);
      expect(drop).toBeGreaterThan(1.15);
      expect(drop).toBeLessThanOrEqual(1.51);
      expect(data(p, after).flow_m3h).toBeGreaterThan(data(p, after, noLeak).flow_m3h as number);
      expect(leakProgress(p, after, SCENARIO)).toBe(1);
    }
    for (const p of points.filter((q) => sectorOf(q) !== sector)) {
      expect(data(p, START + HOUR)).toEqual(data(p, START + HOUR, noLeak));
    }
  });

  it("drains its battery slowly", () => {
    const p = points[0] as Device;
    const now = data(p, START).battery_level as number;
    const later = data(p, START + 30 * DAY).battery_level as number;
    expect(now - later).toBeLessThan(0.03);
    expect(data(p, START + HOUR).battery_level).toBeLessThanOrEqual(now);
  });
});

describe("waste container model", () => {
  const bins = FLEET.filter((d) => d.domain === "waste_container");

  it("fills up at its stream's pace and is emptied to ~0.02 after passing 0.85", () => {
    const household = bins.find(
      (d) => streamOf(d) === "household" && d.id !== SCENARIO.fastFillContainer,
    ) as Device;
    let previous = fillingLevel(household, START, SCENARIO);
    let emptiedAfterFull = false;
    let max = previous;
    for (let t = START + HOUR; t < START + 30 * DAY; t += HOUR) {
      const level = fillingLevel(household, t, SCENARIO);
      if (level < previous - 0.1) {
        expect(level).toBeLessThan(0.1);
        if (previous > 0.85) emptiedAfterFull = true;
      }
      max = Math.max(max, level);
      previous = level;
    }
    expect(emptiedAfterFull).toBe(true);
    expect(max).toBeLessThanOrEqual(0.96);
  });

  it("is emptied more often for household waste than for glass", () => {
    const collections = (stream: string) => {
      let count = 0;
      for (const d of bins.filter((b) => streamOf(b) === stream && b.id !== SCENARIO.fastFillContainer)) {
        let previous = fillingLevel(d, START, SCENARIO);
        for (let t = START + HOUR; t < START + 90 * DAY; t += HOUR) {
          const level = fillingLevel(d, t, SCENARIO);
          if (level < previous - 0.05) count += 1;
          previous = level;
        }
      }
      return count;
    };
    const household = collections("household");
    const glass = collections("glass");
    // 15 containers each over 90 days: household every few days, glass every few weeks.
    expect(household).toBeGreaterThan(15 * 12);
    expect(glass).toBeLessThan(15 * 6);
    expect(glass).toBeGreaterThan(0);
  });

  it("has one container that fills up within minutes, then is emptied", () => {
    const id = SCENARIO.fastFillContainer as string;
    const bin = bins.find((d) => d.id === id) as Device;
    expect(data(bin, START + MINUTE).filling_level).toBeLessThan(0.6);
    expect(data(bin, START + 5 * MINUTE).filling_level).toBeGreaterThan(0.85);
    expect(data(bin, START + 10 * MINUTE).filling_level).toBeGreaterThan(0.95);
    expect(data(bin, START + 16 * MINUTE).filling_level).toBeLessThan(0.05);
  });

  it("has one container that burns once, then cools down", () => {
    const id = SCENARIO.fireContainer as string;
    expect(id).not.toBe(SCENARIO.fastFillContainer);
    const bin = bins.find((d) => d.id === id) as Device;
    expect(data(bin, START + MINUTE).status).toBe("ok");
    const burning = [2, 3, 5, 9].map((m) => data(bin, START + m * MINUTE));
    for (const r of burning) {
      expect(r.status).toBe("burning");
      expect(r.temperature_c).toBeGreaterThan(70);
    }
    const after = data(bin, START + 45 * MINUTE);
    expect(after.status).toBe("ok");
    expect(after.temperature_c).toBeLessThan(30);
    expect(data(bin, START + 2 * DAY + 3 * MINUTE).status).toBe("ok");
    for (const other of bins.filter((d) => d.id !== id))
      expect(data(other, START + 3 * MINUTE).status).toBe("ok");
  });
});

interface FieldRule {
  name: string;
  type: string;
  required: boolean;
  min?: number;
  max?: number;
  validValues?: unknown[];
}

function contractRules(file: string): FieldRule[] {
  const path = join(import.meta.dirname, "../../territory/ccphva/contracts", file);
  const contract = parseYaml(readFileSync(path, "utf8"));
  // biome-ignore lint/suspicious/noExplicitAny: raw YAML
  return contract.schema[0].properties.map((p: any) => ({
    name: p.name,
    type: p.logicalType,
    required: p.required === true,
    min: p.logicalTypeOptions?.minimum,
    max: p.logicalTypeOptions?.maximum,
    // biome-ignore lint/suspicious/noExplicitAny: raw YAML
    validValues: p.quality?.find((q: any) => q.arguments?.validValues)?.arguments.validValues,
  }));
}

function violations(reading: ReadingData, rules: FieldRule[]): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(reading)) {
    if (!rules.some((r) => r.name === key)) problems.push(`${key}: not in the contract`);
  }
  for (const rule of rules) {
    const value = reading[rule.name];
    if (value === undefined) {
      if (rule.required) problems.push(`${rule.name}: missing`);
      continue;
    }
    if (
      (rule.type === "number" || rule.type === "integer") &&
      (typeof value !== "number" || !Number.isFinite(value))
    )
      problems.push(`${rule.name}: ${value} is not a number`);
    if (rule.type === "integer" && !Number.isInteger(value))
      problems.push(`${rule.name}: ${value} not an integer`);
    if (rule.type === "string" && typeof value !== "string")
      problems.push(`${rule.name}: ${value} not a string`);
    if (rule.min !== undefined && (value as number) < rule.min)
      problems.push(`${rule.name}: ${value} < ${rule.min}`);
    if (rule.max !== undefined && (value as number) > rule.max)
      problems.push(`${rule.name}: ${value} > ${rule.max}`);
    if (rule.validValues !== undefined && !rule.validValues.includes(value))
      problems.push(`${rule.name}: ${value} not allowed`);
  }
  return problems;
}

describe("every reading fits its contract", () => {
  const rules: Record<Domain, FieldRule[]> = {
    streetlight: contractRules("streetlight.yaml"),
    water_pressure: contractRules("water-pressure.yaml"),
    waste_container: contractRules("waste-container.yaml"),
  };

  it("reads ranges and allowed values from the YAML contracts", () => {
    expect(rules.streetlight.find((r) => r.name === "power_state")?.validValues).toContain("low");
    expect(rules.waste_container.find((r) => r.name === "status")?.validValues).toContain("burning");
    expect(rules.water_pressure.find((r) => r.name === "pressure_bar")).toMatchObject({ min: 0, max: 16 });
  });

  it("over a year of random instants and the scripted incidents, for every device", () => {
    const times: EpochMs[] = [];
    for (let i = 0; i < 40; i++)
      times.push(T("2025-01-01T00:00:00Z") + ((i * 7919 * 3_600_013) % (365 * DAY)));
    for (let m = 0; m <= 60; m += 1) times.push(START + m * MINUTE);
    const seen = new Set<string>();
    for (const d of FLEET) {
      for (const t of times) {
        const reading = data(d, t);
        expect(
          violations(reading, rules[d.domain as Domain]),
          `${d.id} at ${new Date(t).toISOString()}`,
        ).toEqual([]);
        if (typeof reading.status === "string") seen.add(`${d.domain}:${reading.status}`);
        if (typeof reading.power_state === "string") seen.add(`power:${reading.power_state}`);
      }
    }
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        "power:low",
        "power:off",
        "power:on",
        "streetlight:ok",
        "waste_container:burning",
        "waste_container:ok",
      ]),
    );
  });

  it("is deterministic for a seed", () => {
    const again = planScenario(FLEET, START, 42);
    expect(again).toEqual(SCENARIO);
    for (const d of FLEET.slice(0, 50))
      expect(data(d, START + 123_456, again)).toEqual(data(d, START + 123_456));
    const other = planScenario(FLEET, START, 43);
    const differs = FLEET.some(
      (d) => JSON.stringify(data(d, START, other)) !== JSON.stringify(data(d, START)),
    );
    expect(differs).toBe(true);
  });
});

describe("payloads", () => {
  it("encodes one reading alone and several as a batch", () => {
    const r: SimulatedReading = { device: "x", time: "2025-01-01T00:00:00.000Z", data: { a: 1 } };
    expect(JSON.parse(encodeReadings([r]))).toEqual(r);
    expect(JSON.parse(encodeReadings([r, r]))).toEqual({ readings: [r, r] });
    expect(readingsTopic("lumiere-est")).toBe("lanterne/lumiere-est/readings");
  });

  it("picks the operator of the assignment period in force", () => {
    const d: Device = {
      ...(FLEET[0] as Device),
      assignments: [
        { operatorId: "old", from: T("2024-01-01T00:00:00Z"), to: T("2026-01-01T00:00:00Z") },
        { operatorId: "new", from: T("2026-01-01T00:00:00Z") },
      ],
    };
    expect(operatorAt(d, T("2025-06-01T00:00:00Z"))).toBe("old");
    expect(operatorAt(d, T("2026-06-01T00:00:00Z"))).toBe("new");
  });
});

const CREDENTIALS = {
  "lumiere-est": "s3cret-lum",
  "eaux-alzette": "s3cret-eau",
  "collecte-nord": "s3cret-dech",
};

interface TestBroker {
  url: string;
  connects: { clientId: string; username?: string; password?: string }[];
  received: { topic: string; payload: unknown }[];
  close(): Promise<void>;
}

/** An aedes broker on a free port, checking the operators' secrets, with a client listening to readings. */
async function startBroker(): Promise<TestBroker> {
  const connects: TestBroker["connects"] = [];
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const secret = password?.toString("utf8");
      connects.push({ clientId: client.id, username, password: secret });
      const ok = username === "watcher" || CREDENTIALS[username as keyof typeof CREDENTIALS] === secret;
      if (ok) return done(null, true);
      const err = Object.assign(new Error("Bad username or password"), { returnCode: 4 as const });
      done(err, false);
    },
  });
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const watcher = await connectAsync(url, { username: "watcher", clientId: "watcher", clean: true });
  const received: TestBroker["received"] = [];
  watcher.on("message", (topic, payload) =>
    received.push({ topic, payload: JSON.parse(payload.toString()) }),
  );
  await watcher.subscribeAsync("lanterne/+/readings", { qos: 1 });
  return {
    url,
    connects,
    received,
    async close() {
      await watcher.endAsync();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The readings of the received messages, with the operator of their topic. */
function unpack(received: TestBroker["received"], batchSize: number) {
  const readings: (SimulatedReading & { operatorId: string })[] = [];
  let batches = 0;
  for (const { topic, payload } of received) {
    const match = /^lanterne\/([^/]+)\/readings$/.exec(topic);
    expect(match, topic).not.toBeNull();
    const p = payload as { readings?: SimulatedReading[] } & SimulatedReading;
    if (p.readings !== undefined) {
      batches += 1;
      expect(Object.keys(p)).toEqual(["readings"]);
      expect(p.readings.length).toBeGreaterThan(1);
      expect(p.readings.length).toBeLessThanOrEqual(batchSize);
    }
    for (const r of p.readings ?? [p]) readings.push({ ...r, operatorId: match?.[1] as string });
  }
  return { readings, batches };
}

describe("Simulator over a real MQTT broker", () => {
  const rules: Record<Domain, FieldRule[]> = {
    streetlight: contractRules("streetlight.yaml"),
    water_pressure: contractRules("water-pressure.yaml"),
    waste_container: contractRules("waste-container.yaml"),
  };

  it("publishes every device as its operator, staggered and batched, then closes cleanly", async () => {
    const broker = await startBroker();
    const devices = [...lamps(8), ...pressurePoints(6), ...containers(6)];
    const errors: Error[] = [];
    const intervals = { streetlight: 400, water_pressure: 300, waste_container: 400 };
    const sim = new Simulator({
      url: broker.url,
      devices,
      credentials: CREDENTIALS,
      qos: 1,
      batchSize: 4,
      seed: 5,
      intervalMs: intervals,
      onError: (err) => errors.push(err),
    });
    const started = Date.now();
    try {
      sim.start();
      await sleep(1000);
    } finally {
      await sim.close();
    }
    const elapsed = Date.now() - started;
    await sleep(100);
    const publishedAtClose = sim.stats.published;
    await sleep(300);
    expect(sim.stats.published).toBe(publishedAtClose); // no timer left behind
    await broker.close();

    expect(errors).toEqual([]);
    expect(sim.stats).toMatchObject({ errors: 0, dropped: 0 });
    for (const [operatorId, secret] of Object.entries(CREDENTIALS)) {
      expect(broker.connects).toContainEqual({
        clientId: `lanterne-sim-${operatorId}`,
        username: operatorId,
        password: secret,
      });
    }

    const { readings, batches } = unpack(broker.received, 4);
    expect(batches).toBeGreaterThan(0);
    expect(sim.stats.published).toBe(readings.length);
    const byDevice = new Map<string, string[]>();
    for (const r of readings) {
      expect(Object.keys(r).sort()).toEqual(["data", "device", "operatorId", "time"]);
      const d = devices.find((x) => x.id === r.device) as Device;
      expect(d, r.device).toBeDefined();
      expect(r.operatorId).toBe(OPERATORS[d.domain as Domain]);
      expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(r.time) - Date.now())).toBeLessThan(10_000);
      expect(violations(r.data, rules[d.domain as Domain])).toEqual([]);
      byDevice.set(r.device, [...(byDevice.get(r.device) ?? []), r.time]);
    }
    // The initial burst, then once per interval of its domain (~1 s at 300-400 ms intervals).
    for (const d of devices) {
      const count = byDevice.get(d.id)?.length ?? 0;
      expect(count, d.id).toBeGreaterThanOrEqual(2);
      expect(count, d.id).toBeLessThanOrEqual(1 + Math.ceil(elapsed / intervals[d.domain as Domain]));
    }
    // Staggered: after the burst, the lamps' second readings carry distinct times spread over the interval.
    const second = lamps(8).map((d) => Date.parse(byDevice.get(d.id)?.[1] ?? ""));
    expect(new Set(second).size).toBe(8);
    expect(Math.max(...second) - Math.min(...second)).toBeGreaterThanOrEqual(300);
  });

  it("runs the models faster with `speed`, from `startTime`", async () => {
    const broker = await startBroker();
    const startTime = T("2025-01-15T16:00:00Z");
    const sim = new Simulator({
      url: broker.url,
      devices: lamps(4),
      credentials: CREDENTIALS,
      speed: 3600, // an hour a second
      startTime,
      intervalMs: { streetlight: 200 },
    });
    sim.start();
    await sleep(900);
    await sim.close();
    await broker.close();
    const { readings } = unpack(broker.received, 50);
    const times = readings.map((r) => Date.parse(r.time));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(startTime);
    expect(Math.max(...times) - startTime).toBeGreaterThan(0.5 * HOUR);
    expect(Math.max(...times) - startTime).toBeLessThan(1.5 * HOUR);
  });

  it("counts a refused connection as an error and still closes", async () => {
    const broker = await startBroker();
    const errors: Error[] = [];
    const sim = new Simulator({
      url: broker.url,
      devices: lamps(3),
      credentials: { "lumiere-est": "wrong" },
      intervalMs: { streetlight: 100 },
      onError: (err) => errors.push(err),
    });
    sim.start();
    await sleep(400);
    await sim.close();
    await broker.close();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.message).toMatch(/username or password/i);
    expect(sim.stats).toMatchObject({ published: 0, errors: errors.length });
    expect(broker.received).toEqual([]);
  });

  it("refuses to start without the secret of an operator", () => {
    const sim = new Simulator({ url: "mqtt://127.0.0.1:1", devices: lamps(2), credentials: {} });
    expect(() => sim.start()).toThrow(/lumiere-est/);
  });
});
