/**
 * Telemetry models of the demo fleet: one reading's `data` for a device at a time `t`.
 *
 * Everything here is pure and deterministic: a reading depends only on the device, the time and the
 * scenario (seed, simulator start, scripted incidents). Randomness comes from hashing
 * (seed, device id, time), never from `Math.random`, so that two runs with the same seed publish the
 * same values and tests can ask for the reading of any device at any instant.
 */

import { mulberry32 } from "../services/domain/random.ts";
import type { Device, EpochMs, FieldValue } from "../services/domain/types.ts";

/** The `data` part of a reading: field name to value, as the contracts name them. */
export type ReadingData = Record<string, FieldValue>;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
const DEG = Math.PI / 180;

/** Centre of the CCPHVA (north Lorraine), used when a device has no usable coordinates. */
const DEFAULT_LAT = 49.45;
const DEFAULT_LON = 5.98;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** 32-bit FNV-1a hash of the parts, finished with a murmur3 mix so that close inputs spread well. */
export function hash32(...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  const text = parts.join("|");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) fixed by the parts. */
export function unit(...parts: ReadonlyArray<string | number>): number {
  return hash32(...parts) / 4_294_967_296;
}

// ---------------------------------------------------------------------------------------------
// Scenario: seed, start and the scripted incidents of a demo

/** When the scripted incidents happen, relative to the simulator start (simulated time). */
export interface ScenarioTimings {
  /** The leak starts this long after the start. */
  leakAfterMs: number;
  /** The leak pressure drop reaches its full depth over this duration. */
  leakRampMs: number;
  /** Full pressure drop of the leak, in bar, at the point nearest to it. */
  leakDropBar: number;
  /** The container fire starts this long after the start. */
  fireAfterMs: number;
  /** The container burns (temperature above 70 °C, status "burning") for this long. */
  fireDurationMs: number;
  /** The fast-filling container goes from about a third to the brim over this duration. */
  fastFillMs: number;
  /** The fast-filling container is emptied this long after the start. */
  fastCollectAfterMs: number;
  /** Share of streetlights whose lamp is dead, chosen when the scenario is planned. */
  failingRate: number;
}

export const DEFAULT_TIMINGS: Readonly<ScenarioTimings> = {
  leakAfterMs: 20 * MINUTE,
  leakRampMs: 10 * MINUTE,
  leakDropBar: 1.5,
  fireAfterMs: 90_000,
  fireDurationMs: 8 * MINUTE,
  fastFillMs: 5 * MINUTE,
  fastCollectAfterMs: 15 * MINUTE,
  failingRate: 0.005,
};

export interface Scenario extends ScenarioTimings {
  seed: number;
  /** Simulated time at which the simulator starts: incidents are placed relative to it. */
  start: EpochMs;
  /** Water sector with a leak, if the fleet has pressure points. */
  leakSector?: string;
  /** Container that fills up within minutes. */
  fastFillContainer?: string;
  /** Container that catches fire once. */
  fireContainer?: string;
  /** Streetlights whose lamp is dead (`failingRate` of them, rounded). */
  failingLamps: ReadonlySet<string>;
}

/** Chooses the incidents of a run among the devices, deterministically from the seed. */
export function planScenario(
  devices: readonly Device[],
  start: EpochMs,
  seed = 1,
  timings: Partial<ScenarioTimings> = {},
): Scenario {
  const rng = mulberry32(seed);
  const sectors = [...new Set(devices.filter((d) => d.domain === "water_pressure").map(sectorOf))].sort();
  const containers = devices
    .filter((d) => d.domain === "waste_container")
    .map((d) => d.id)
    .sort();
  const byId = new Map(devices.map((d) => [d.id, d]));
  const household = containers.filter((id) => streamOf(byId.get(id)) === "household");
  const fireContainer = pick(household.length > 0 ? household : containers, rng);
  const fastFillContainer = pick(
    containers.filter((id) => id !== fireContainer && streamOf(byId.get(id)) !== "glass"),
    rng,
  );
  const failingRate = timings.failingRate ?? DEFAULT_TIMINGS.failingRate;
  return {
    ...DEFAULT_TIMINGS,
    ...timings,
    seed,
    start,
    leakSector: pick(sectors, rng),
    fireContainer,
    fastFillContainer,
    failingLamps: pickFailingLamps(devices, failingRate, rng),
  };
}

/** `rate` of the streetlights, rounded (15 of 3,000 at 0.5 %), by a seeded partial shuffle. */
function pickFailingLamps(devices: readonly Device[], rate: number, rng: () => number): Set<string> {
  const lamps = devices
    .filter((d) => d.domain === "streetlight")
    .map((d) => d.id)
    .sort();
  const count = Math.min(lamps.length, Math.round(lamps.length * rate));
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (lamps.length - i));
    [lamps[i], lamps[j]] = [lamps[j] as string, lamps[i] as string];
  }
  return new Set(lamps.slice(0, count));
}

function pick<T>(items: readonly T[], rng: () => number): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng() * items.length)];
}

// ---------------------------------------------------------------------------------------------
// Dispatch

type Model = (device: Device, t: EpochMs, scenario: Scenario) => ReadingData;

const MODELS = new Map<string, Model>([
  ["streetlight", streetlightReading],
  ["water_pressure", waterPressureReading],
  ["waste_container", wasteContainerReading],
  ["water_flow", sectorFlowReading],
]);

/** Domains this module can simulate. */
export function hasModel(domain: string): boolean {
  return MODELS.has(domain);
}

/** The `data` of one reading of `device` at `t`, or undefined for a domain without a model. */
export function readingFor(device: Device, t: EpochMs, scenario: Scenario): ReadingData | undefined {
  return MODELS.get(device.domain)?.(device, t, scenario);
}

// ---------------------------------------------------------------------------------------------
// Calendar: Europe/Paris offset, sun, ambient temperature

/** Start (01:00 UTC) of the last Sunday of a month: when EU clocks change. */
function lastSundayAt1Utc(year: number, month: number): EpochMs {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
}

/** UTC offset of Europe/Paris at `t`, in ms (EU rule: summer time from the last Sunday of March
 * to the last Sunday of October, 01:00 UTC). */
export function parisOffsetMs(t: EpochMs): number {
  const year = new Date(t).getUTCFullYear();
  return t >= lastSundayAt1Utc(year, 2) && t < lastSundayAt1Utc(year, 9) ? 2 * HOUR : HOUR;
}

/** Local (Europe/Paris) hour of day at `t`, fractional, in [0, 24). */
export function parisHour(t: EpochMs): number {
  return mod(t + parisOffsetMs(t), DAY) / HOUR;
}

function dayOfYear(t: EpochMs): number {
  const year = new Date(t).getUTCFullYear();
  return Math.floor((t - Date.UTC(year, 0, 1)) / DAY) + 1;
}

/**
 * Approximate sunrise and sunset (upper limb, refraction: -0.833°) of the UTC day containing `t`,
 * as epoch ms. Good to a few minutes, which is what lighting controllers with astronomical clocks do.
 */
export function sunTimes(t: EpochMs, lat: number, lon: number): { sunrise: EpochMs; sunset: EpochMs } {
  const dayStart = Math.floor(t / DAY) * DAY;
  const n = dayOfYear(dayStart);
  const declination = -23.44 * Math.cos(((2 * Math.PI) / 365) * (n + 10)) * DEG;
  const b = (2 * Math.PI * (n - 81)) / 364;
  const equationOfTimeMin = 9.87 * Math.sin(2 * b) - 7.53 * Math.cos(b) - 1.5 * Math.sin(b);
  const phi = lat * DEG;
  const cosHourAngle =
    (Math.sin(-0.833 * DEG) - Math.sin(phi) * Math.sin(declination)) /
    (Math.cos(phi) * Math.cos(declination));
  const hourAngleDeg = Math.acos(clamp(cosHourAngle, -1, 1)) / DEG;
  const noonMin = 720 - 4 * lon - equationOfTimeMin;
  return {
    sunrise: dayStart + (noonMin - 4 * hourAngleDeg) * MINUTE,
    sunset: dayStart + (noonMin + 4 * hourAngleDeg) * MINUTE,
  };
}

/** Outdoor air temperature in north Lorraine, °C: ~5 °C in January, ~20 °C in July, ±4 °C a day. */
export function ambientC(t: EpochMs): number {
  const seasonal = 12.5 - 7.5 * Math.cos((2 * Math.PI * (dayOfYear(t) - 15)) / 365.25);
  const daily = 4 * Math.cos((2 * Math.PI * (parisHour(t) - 15)) / 24);
  return seasonal + daily;
}

// ---------------------------------------------------------------------------------------------
// Streetlights

/** Lighting plan of one UTC day, as ms offsets from 00:00 UTC: lit before sunrise and after sunset,
 * dimmed between 23:00 and 05:00 local time. `full` and `dim` are the day's lit hours. */
interface DayPlan {
  sunrise: number;
  sunset: number;
  dimEnd: number;
  dimStart: number;
  full: number;
  dim: number;
}

type LightMode = "on" | "low" | "off";

/** Energy is counted from this day; earlier times count as zero. */
const CALENDAR_ORIGIN = Date.UTC(2000, 0, 1);
const CALENDAR_DAYS = 100 * 366;

/**
 * The lighting schedule of one place, with cumulative lit hours per day so that the energy counter
 * is a closed form of time (no integration over readings) and grows exactly while the lamp is lit.
 */
class LightingCalendar {
  private readonly plans: DayPlan[] = [];
  /** cumFull[d], cumDim[d]: lit hours at full and dimmed level before day d. */
  private readonly cumFull: number[] = [0];
  private readonly cumDim: number[] = [0];

  constructor(
    private readonly lat: number,
    private readonly lon: number,
  ) {}

  modeAt(t: EpochMs): LightMode {
    const { day, offset } = this.locate(t);
    const plan = this.plan(day);
    if (offset >= plan.sunrise && offset < plan.sunset) return "off";
    return offset < plan.dimEnd || offset >= plan.dimStart ? "low" : "on";
  }

  /** Lit hours (at full level, and dimmed) from the calendar origin up to `t`. */
  litHours(t: EpochMs): { full: number; dim: number } {
    const { day, offset } = this.locate(t);
    const plan = this.plan(day);
    const lit = Math.min(offset, plan.sunrise) + Math.max(0, offset - plan.sunset);
    const dim =
      Math.min(offset, Math.min(plan.dimEnd, plan.sunrise)) +
      Math.max(0, offset - Math.max(plan.dimStart, plan.sunset));
    return {
      full: (this.cumFull[day] ?? 0) + (lit - dim) / HOUR,
      dim: (this.cumDim[day] ?? 0) + dim / HOUR,
    };
  }

  private locate(t: EpochMs): { day: number; offset: number } {
    const clamped = clamp(t, CALENDAR_ORIGIN, CALENDAR_ORIGIN + CALENDAR_DAYS * DAY - 1);
    const day = Math.floor((clamped - CALENDAR_ORIGIN) / DAY);
    return { day, offset: clamped - CALENDAR_ORIGIN - day * DAY };
  }

  private plan(day: number): DayPlan {
    while (this.plans.length <= day) {
      const d = this.plans.length;
      const plan = computeDayPlan(CALENDAR_ORIGIN + d * DAY, this.lat, this.lon);
      this.plans.push(plan);
      this.cumFull.push((this.cumFull[d] ?? 0) + plan.full / HOUR);
      this.cumDim.push((this.cumDim[d] ?? 0) + plan.dim / HOUR);
    }
    return this.plans[day] as DayPlan;
  }
}

function computeDayPlan(dayStart: EpochMs, lat: number, lon: number): DayPlan {
  const sun = sunTimes(dayStart, lat, lon);
  const sunrise = clamp(sun.sunrise - dayStart, 0, DAY);
  const sunset = clamp(sun.sunset - dayStart, sunrise, DAY);
  const dimEnd = 5 * HOUR - parisOffsetMs(dayStart + 4 * HOUR);
  const dimStart = 23 * HOUR - parisOffsetMs(dayStart + 22 * HOUR);
  const lit = sunrise + (DAY - sunset);
  const dim = Math.min(dimEnd, sunrise) + (DAY - Math.max(dimStart, sunset));
  return { sunrise, sunset, dimEnd, dimStart, full: lit - dim, dim };
}

const calendars = new Map<string, LightingCalendar>();

/** The calendar of a place rounded to 0.1° (a few km: minutes of sun at most). */
function calendarFor(device: Device): LightingCalendar {
  const lat = Number.isFinite(device.lat) && device.lat !== 0 ? device.lat : DEFAULT_LAT;
  const lon = Number.isFinite(device.lon) && device.lon !== 0 ? device.lon : DEFAULT_LON;
  const key = `${Math.round(lat * 10)}:${Math.round(lon * 10)}`;
  let calendar = calendars.get(key);
  if (calendar === undefined) {
    calendar = new LightingCalendar(Math.round(lat * 10) / 10, Math.round(lon * 10) / 10);
    calendars.set(key, calendar);
  }
  return calendar;
}

/** Rated power of the lamp in watts, from the inventory (`power_w`), 60 W when unknown. */
function ratedPowerW(device: Device): number {
  const w = Number(device.attributes.power_w);
  return Number.isFinite(w) && w > 0 ? Math.min(w, 950) : 60;
}

/** Night dimming level, set per control cabinet (the commune's policy): 0.4, 0.45 or 0.5. */
function dimLevel(device: Device, scenario: Scenario): number {
  const cabinet = attribute(device, "cabinet") ?? device.commune;
  return [0.4, 0.45, 0.5][hash32(scenario.seed, "dim", cabinet) % 3] as number;
}

/** When the lamp died, for the few failing lamps (days to weeks before the start), else undefined. */
export function lampFailureTime(device: Device, scenario: Scenario): EpochMs | undefined {
  if (!scenario.failingLamps.has(device.id)) return undefined;
  return scenario.start - (1 + 20 * unit(scenario.seed, "failed-since", device.id)) * DAY;
}

/** Commissioning time of the lamp: between 2012 and 2023. */
function commissionedAt(device: Device, scenario: Scenario): EpochMs {
  return Date.UTC(2012, 0, 1) + unit(scenario.seed, "commissioned", device.id) * 12 * YEAR;
}

function streetlightReading(device: Device, t: EpochMs, scenario: Scenario): ReadingData {
  const calendar = calendarFor(device);
  const mode = calendar.modeAt(t);
  const dimmed = dimLevel(device, scenario);
  const level = mode === "on" ? 1 : mode === "low" ? dimmed : 0;
  const failedAt = lampFailureTime(device, scenario);
  const failed = failedAt !== undefined && t >= failedAt;
  const rated = ratedPowerW(device);
  const noise = 1 + 0.04 * (unit(scenario.seed, "power", device.id, t) - 0.5);
  return {
    power_state: mode,
    status: failed ? "defectiveLamp" : "ok",
    illuminance_level: level,
    active_power_w: failed || level === 0 ? 0 : round(rated * level * noise, 1),
    energy_kwh: energyKwh(device, calendar, failed ? (failedAt as number) : t, rated, dimmed, scenario),
  };
}

/** Cumulative energy since commissioning: rated power times lit hours (dimmed hours weighted). */
function energyKwh(
  device: Device,
  calendar: LightingCalendar,
  t: EpochMs,
  ratedW: number,
  dimmed: number,
  scenario: Scenario,
): number {
  const since = commissionedAt(device, scenario);
  if (t <= since) return 0;
  const now = calendar.litHours(t);
  const then = calendar.litHours(since);
  const hours = now.full - then.full + dimmed * (now.dim - then.dim);
  return floorTo((ratedW * hours) / 1000, 3);
}

// ---------------------------------------------------------------------------------------------
// Water pressure

/** Network sector of a pressure point (`sector` attribute), the commune when it has none. */
export function sectorOf(device: Device): string {
  return attribute(device, "sector") ?? device.commune;
}

/** Water demand over the local day, 0.15 at night to ~1 at the morning peak. */
export function waterDemand(hour: number): number {
  const peaks = bump(hour, 7.5, 1.3) + 0.45 * bump(hour, 12.5, 1.5) + 0.8 * bump(hour, 19.5, 1.6);
  return 0.15 + 0.85 * Math.min(1, peaks);
}

/** Gaussian bump on the 24-hour circle. */
function bump(hour: number, centre: number, width: number): number {
  const d = Math.abs(hour - centre);
  const distance = Math.min(d, 24 - d);
  return Math.exp(-(distance * distance) / (2 * width * width));
}

/** How far the scripted leak has developed at `t` for this device: 0 (none) to 1 (full). */
export function leakProgress(device: Device, t: EpochMs, scenario: Scenario): number {
  if (scenario.leakSector === undefined || sectorOf(device) !== scenario.leakSector) return 0;
  const since = t - scenario.start - scenario.leakAfterMs;
  return clamp(since / scenario.leakRampMs, 0, 1);
}

function waterPressureReading(device: Device, t: EpochMs, scenario: Scenario): ReadingData {
  const { seed } = scenario;
  const demand = waterDemand(parisHour(t));
  const staticBar = 3.6 + 1.4 * unit(seed, "static", device.id);
  const peakFlow = 8 + 52 * unit(seed, "peak-flow", device.id);
  const leak = leakProgress(device, t, scenario);
  const drop = leak * scenario.leakDropBar * (0.8 + 0.2 * unit(seed, "near-leak", device.id));
  const pressureNoise = 0.06 * (unit(seed, "p", device.id, t) - 0.5);
  const flowNoise = 0.95 + 0.1 * unit(seed, "q", device.id, t);
  return {
    pressure_bar: round(clamp(staticBar + 0.5 - 1.1 * demand - drop + pressureNoise, 0, 16), 2),
    flow_m3h: round(clamp(peakFlow * demand * flowNoise + leak * (0.35 * peakFlow + 5), 0, 5000), 1),
    battery_level: batteryLevel(device, t, seed, 6, 10),
  };
}

/**
 * Inflow of a network sector at its meter, m³/h: the sector's demand over the day (its night
 * minimum about 15 % of the morning peak, leakage included) plus the scripted live leak when the
 * sector is the scenario's.
 */
function sectorFlowReading(device: Device, t: EpochMs, scenario: Scenario): ReadingData {
  const { seed } = scenario;
  const peak = 25 + 75 * unit(seed, "sector-peak", device.id);
  const noise = 0.97 + 0.06 * unit(seed, "sq", device.id, t);
  const leak = leakProgress(device, t, scenario) * (0.1 * peak + 5);
  return {
    flow_m3h: round(clamp(peak * waterDemand(parisHour(t)) * noise + leak, 0, 5000), 2),
    battery_level: batteryLevel(device, t, seed, 8, 12),
  };
}

/** Battery of a sensor: falls linearly from 1 to 0.03 over its life (years), then is replaced. */
function batteryLevel(device: Device, t: EpochMs, seed: number, minYears: number, maxYears: number): number {
  const life = (minYears + (maxYears - minYears) * unit(seed, "battery-life", device.id)) * YEAR;
  const used = mod(t / life + unit(seed, "battery-phase", device.id), 1);
  return floorTo(1 - 0.97 * used, 2);
}

// ---------------------------------------------------------------------------------------------
// Waste containers

export type Stream = "household" | "packaging" | "paper" | "glass" | "biowaste" | "other";

interface StreamProfile {
  /** Filling per hour of deposits (average hour), before the per-container factor. */
  ratePerHour: number;
  /** Scheduled collection every this many days (plus collections when full). */
  scheduleDays: number;
}

const PROFILES: Record<Stream, StreamProfile> = {
  household: { ratePerHour: 0.9 / (4 * 24), scheduleDays: 7 },
  biowaste: { ratePerHour: 0.9 / (5 * 24), scheduleDays: 7 },
  packaging: { ratePerHour: 0.9 / (8 * 24), scheduleDays: 14 },
  paper: { ratePerHour: 0.9 / (10 * 24), scheduleDays: 14 },
  other: { ratePerHour: 0.9 / (10 * 24), scheduleDays: 14 },
  glass: { ratePerHour: 0.9 / (25 * 24), scheduleDays: 28 },
};

/** Waste stream of a container from its `stream` attribute (English or French names). */
export function streamOf(device: Device | undefined): Stream {
  const s = (device === undefined ? "" : (attribute(device, "stream") ?? "")).toLowerCase();
  if (/glass|verre/.test(s)) return "glass";
  if (/household|residual|ordure|^omr?$/.test(s)) return "household";
  if (/pack|emballage|recycl|plastic|plastique/.test(s)) return "packaging";
  if (/paper|papier|cardboard|carton/.test(s)) return "paper";
  if (/bio|food|organic|alimentaire/.test(s)) return "biowaste";
  return "other";
}

/** Deposit-weighted hours since the epoch: people drop more between 07:00 and 22:00. */
function depositHours(t: EpochMs): number {
  const local = t + HOUR;
  const days = Math.floor(local / DAY);
  const h = (local - days * DAY) / HOUR;
  const night = 1 / 3;
  const day = 1.4;
  const partial =
    h < 7 ? h * night : h < 22 ? 7 * night + (h - 7) * day : 7 * night + 15 * day + (h - 22) * night;
  return days * 24 + partial;
}

/** Time of the last scheduled collection at or before `t` (a morning, every `scheduleDays`). */
function lastScheduledCollection(device: Device, t: EpochMs, seed: number, profile: StreamProfile): EpochMs {
  const phaseDays = hash32(seed, "round-day", device.id) % profile.scheduleDays;
  const hourOfRound = (5 + 6 * unit(seed, "round-hour", device.id)) * HOUR;
  const day = Math.floor((t - hourOfRound) / DAY);
  const roundDay = day - mod(day - phaseDays, profile.scheduleDays);
  return roundDay * DAY + hourOfRound;
}

/**
 * Filling level of the usual cycle: grows with deposits since the last collection; emptied to 0.02
 * on its schedule, or as soon as it passes its threshold (0.86 to 0.94, above 0.85).
 */
function usualFilling(device: Device, t: EpochMs, seed: number, since?: EpochMs): number {
  const profile = PROFILES[streamOf(device)];
  const rate = profile.ratePerHour * (0.6 + 0.9 * unit(seed, "fill-rate", device.id));
  const threshold = 0.86 + 0.08 * unit(seed, "threshold", device.id);
  const collected = since ?? lastScheduledCollection(device, t, seed, profile);
  const deposited = rate * (depositHours(t) - depositHours(collected));
  return 0.02 + mod(deposited, threshold - 0.02);
}

/** The scripted fast filler: a third full at the start, at the brim within minutes, emptied later. */
function fastFilling(device: Device, t: EpochMs, scenario: Scenario): number {
  const elapsed = t - scenario.start;
  if (elapsed < scenario.fastFillMs) return 0.35 + (0.63 * elapsed) / scenario.fastFillMs;
  if (elapsed < scenario.fastCollectAfterMs)
    return 0.98 + 0.02 * Math.min(1, (elapsed - scenario.fastFillMs) / HOUR);
  return usualFilling(device, t, scenario.seed, scenario.start + scenario.fastCollectAfterMs);
}

export function fillingLevel(device: Device, t: EpochMs, scenario: Scenario): number {
  const fast = device.id === scenario.fastFillContainer && t >= scenario.start;
  const level = fast ? fastFilling(device, t, scenario) : usualFilling(device, t, scenario.seed);
  const depth = Number(device.attributes.depth_mm);
  const stepMm = 10;
  const quantum = Number.isFinite(depth) && depth > stepMm ? stepMm / depth : 0.005;
  return round(clamp(Math.round(level / quantum) * quantum, 0, 1), 3);
}

/** Temperature inside the container and its status, with the scripted fire. */
function containerThermal(
  device: Device,
  t: EpochMs,
  scenario: Scenario,
): { temperature: number; status: string } {
  const sunny = parisHour(t) > 9 && parisHour(t) < 18 ? 3 * unit(scenario.seed, "sun", device.id) : 0;
  const normal = ambientC(t) + sunny + 0.6 * (unit(scenario.seed, "temp", device.id, t) - 0.5);
  if (device.id !== scenario.fireContainer) return { temperature: normal, status: "ok" };
  const since = t - scenario.start - scenario.fireAfterMs;
  if (since < 0) return { temperature: normal, status: "ok" };
  if (since < scenario.fireDurationMs) {
    const growing = Math.min(1, since / (2 * MINUTE));
    const dying = Math.min(1, (scenario.fireDurationMs - since) / (3 * MINUTE));
    return { temperature: 75 + 125 * growing * dying, status: "burning" };
  }
  const cooling = Math.exp(-(since - scenario.fireDurationMs) / (6 * MINUTE));
  return { temperature: normal + (60 - normal) * cooling, status: "ok" };
}

function wasteContainerReading(device: Device, t: EpochMs, scenario: Scenario): ReadingData {
  const thermal = containerThermal(device, t, scenario);
  return {
    filling_level: fillingLevel(device, t, scenario),
    temperature_c: round(clamp(thermal.temperature, -40, 400), 1),
    status: thermal.status,
    battery_level: batteryLevel(device, t, scenario.seed, 5, 8),
  };
}

// ---------------------------------------------------------------------------------------------
// Numbers and attributes

/** An inventory attribute as text, undefined when absent or empty (CSV cells of other domains). */
function attribute(device: Device, name: string): string | undefined {
  const value = device.attributes[name];
  return value === undefined || value === "" ? undefined : String(value);
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** Rounds down, so that a non-decreasing quantity stays non-decreasing once rounded. */
function floorTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.floor(x * f + 1e-9) / f;
}
