/**
 * The demo's scripted faults: on a few named devices, each fault of the contracts' alert catalogue
 * at a known time after the simulator starts, so that a technician sees every kind of alert within
 * the first minutes of `npm start`.
 *
 * A rule that needs history (a minimum duration of 30 min, a slope over days, a container not
 * emptied for a month, a night flow rising night after night) cannot fire minutes after a cold
 * start: for those the fault began before the start (negative `atMs`), and the simulator publishes
 * the device's past readings at start (`historyMs`), as a gateway delivers its backlog. The platform
 * judges them in time order, so the alert opens as it would have on a platform running all along.
 *
 * Pure, like models.ts: a faulty reading depends only on the device, the time and the plan.
 */

import { HORIZON_DEG, solarElevationDeg } from "../services/alerts/rules/solar.ts";
import type { Device, EpochMs } from "../services/domain/types.ts";
import type { ReadingData } from "./models.ts";

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export type FaultKind =
  | "defective-lamp"
  | "against-sun"
  | "lit-in-daylight"
  | "dark-at-night"
  | "zero-power-while-on"
  | "overpressure"
  | "pressure-drop"
  | "pressure-drift"
  | "pressure-transient"
  | "battery-low"
  | "night-flow-rising"
  | "silent"
  | "container-full"
  | "container-hot"
  | "container-tilted"
  | "not-emptied"
  | "weak-radio";

export interface FaultEntry {
  fault: FaultKind;
  device: string;
  /** When the fault begins, in ms after the simulator start; negative: before it (see historyMs). */
  atMs: number;
  /** How long it lasts; absent: until the simulator stops. */
  durationMs?: number;
  /** Past readings of the device published at start, this far back (ms). */
  historyMs: number;
  /** Spacing of those readings; default historyStepMs(historyMs). */
  historyStepMs?: number;
  /** Contract rules ("contractId/ruleId") whose alert the fault opens. */
  rules: readonly string[];
  /** By then (ms after the start) those alerts are open. */
  expectedByMs: number;
}

/**
 * The schedule. "against-sun" is resolved at start from the sun at the lamp: a lamp lit in daylight
 * by day, dark at night by night (planFaults). Devices outside Thil: Thil's sensors talk LoRaWAN.
 */
export const DEMO_FAULTS: readonly FaultEntry[] = [
  {
    fault: "defective-lamp",
    device: "lum-57038-0101",
    atMs: 30 * SECOND,
    historyMs: 0,
    rules: ["ccphva-streetlight/lamp-defective"],
    expectedByMs: 2 * MINUTE,
  },
  {
    fault: "against-sun",
    device: "lum-57038-0102",
    atMs: -34 * MINUTE,
    historyMs: 40 * MINUTE,
    rules: ["ccphva-streetlight/lit-against-sun"],
    expectedByMs: MINUTE,
  },
  {
    fault: "zero-power-while-on",
    device: "lum-57038-0103",
    atMs: -12 * MINUTE,
    historyMs: 15 * MINUTE,
    rules: ["ccphva-streetlight/power-inconsistent"],
    expectedByMs: MINUTE,
  },
  {
    fault: "overpressure",
    device: "pre-57038-001",
    atMs: -17 * MINUTE,
    historyMs: 20 * MINUTE,
    rules: ["ccphva-water-pressure/pressure-out-of-band"],
    expectedByMs: MINUTE,
  },
  {
    fault: "pressure-drop",
    device: "pre-57038-002",
    atMs: 60 * SECOND,
    historyMs: 5 * MINUTE,
    rules: ["ccphva-water-pressure/pressure-sudden-drop"],
    expectedByMs: 150 * SECOND,
  },
  {
    fault: "pressure-drift",
    device: "pre-57038-003",
    atMs: -3.5 * DAY,
    historyMs: 4 * DAY,
    rules: ["ccphva-water-pressure/pressure-drift"],
    expectedByMs: MINUTE,
  },
  {
    fault: "pressure-transient",
    device: "pre-57038-004",
    atMs: 90 * SECOND,
    durationMs: 45 * SECOND,
    historyMs: 30 * MINUTE,
    rules: ["ccphva-water-pressure/pressure-transient"],
    expectedByMs: 3 * MINUTE,
  },
  {
    fault: "battery-low",
    device: "pre-57038-005",
    atMs: 45 * SECOND,
    historyMs: 0,
    rules: ["ccphva-water-pressure/battery-low"],
    expectedByMs: 2 * MINUTE,
  },
  {
    fault: "night-flow-rising",
    device: "deb-57038-nord",
    atMs: -4.5 * DAY,
    historyMs: 5 * DAY,
    rules: ["ccphva-water-flow/night-flow-rising"],
    expectedByMs: MINUTE,
  },
  {
    fault: "silent",
    device: "deb-57529-sud",
    atMs: -25 * MINUTE,
    historyMs: 5 * DAY,
    rules: ["ccphva-water-flow/silent"],
    expectedByMs: MINUTE,
  },
  {
    fault: "container-full",
    device: "pav-57038-001",
    atMs: 30 * SECOND,
    historyMs: 0,
    rules: ["ccphva-waste-container/nearly-full"],
    expectedByMs: 4 * MINUTE,
  },
  {
    fault: "container-hot",
    device: "pav-57038-002",
    atMs: 75 * SECOND,
    durationMs: 10 * MINUTE,
    historyMs: 0,
    rules: ["ccphva-waste-container/fire-risk", "ccphva-waste-container/burning"],
    expectedByMs: 3 * MINUTE,
  },
  {
    fault: "container-tilted",
    device: "pav-57038-003",
    atMs: -6 * MINUTE,
    historyMs: 10 * MINUTE,
    rules: ["ccphva-waste-container/tilted-or-moved"],
    expectedByMs: MINUTE,
  },
  {
    fault: "not-emptied",
    device: "pav-57038-004",
    atMs: -31 * DAY,
    historyMs: 31 * DAY,
    // A level that only rises needs few points: one a day, so the month costs the rollups little.
    historyStepMs: DAY,
    rules: ["ccphva-waste-container/not-emptied"],
    expectedByMs: MINUTE,
  },
  {
    fault: "weak-radio",
    device: "pav-57038-005",
    atMs: -12 * MINUTE,
    historyMs: 15 * MINUTE,
    rules: ["ccphva-waste-container/weak-radio"],
    expectedByMs: MINUTE,
  },
];

/** Sector flow meters publish this much history at start: the night-flow rule compares 4 nights. */
export const FLOW_HISTORY_MS = 5 * DAY;

/** Mirrors the streetlight contract's lit-against-sun rule (offsetDeg, minDurationMs). */
export const SUN_OFFSET_DEG = 3;
export const SUN_MIN_DURATION_MS = 30 * MINUTE;

/** The schedule of one run: entries resolved against the start, and the history to publish. */
export interface FaultPlan {
  start: EpochMs;
  entries: readonly FaultEntry[];
  byDevice: ReadonlyMap<string, readonly FaultEntry[]>;
  /** Devices whose past readings are published at start: how far back, and their spacing. */
  history: ReadonlyMap<string, History>;
}

export interface History {
  ms: number;
  stepMs: number;
}

/** Resolves the schedule for the devices simulated (faults on other devices are left out). */
export function planFaults(
  devices: readonly Device[],
  start: EpochMs,
  schedule: readonly FaultEntry[] = DEMO_FAULTS,
): FaultPlan {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const entries = schedule.flatMap((e) => {
    const device = byId.get(e.device);
    if (device === undefined) return [];
    return [e.fault === "against-sun" ? resolveSun(e, device, start) : e];
  });
  const byDevice = new Map<string, FaultEntry[]>();
  const history = new Map<string, History>();
  const need = (id: string, ms: number, stepMs = historyStepMs(ms)) => {
    const known = history.get(id);
    if (known === undefined || known.ms < ms) history.set(id, { ms, stepMs });
  };
  for (const d of devices) if (d.domain === "water_flow") need(d.id, FLOW_HISTORY_MS);
  for (const e of entries) {
    byDevice.set(e.device, [...(byDevice.get(e.device) ?? []), e]);
    if (e.historyMs > 0) need(e.device, e.historyMs, e.historyStepMs);
  }
  return { start, entries, byDevice, history };
}

/** Spacing of the published history: every 15 min over days, every minute over minutes. */
export function historyStepMs(historyMs: number): number {
  return historyMs > 2 * HOUR ? 15 * MINUTE : MINUTE;
}

type SunSide = "day" | "night" | "twilight";

function sunSide(device: Device, t: EpochMs): SunSide {
  const elevation = solarElevationDeg(t, device.lat, device.lon);
  if (elevation > HORIZON_DEG + SUN_OFFSET_DEG) return "day";
  if (elevation < HORIZON_DEG - SUN_OFFSET_DEG) return "night";
  return "twilight";
}

/**
 * The first onset from the scheduled one on such that the sun stays on one side for the rule's
 * whole minimum duration: at twilight either state is right, so the fault waits for it to end.
 */
function resolveSun(entry: FaultEntry, device: Device, start: EpochMs): FaultEntry {
  const span = SUN_MIN_DURATION_MS + 4 * MINUTE;
  for (let at = entry.atMs; at < entry.atMs + 3 * HOUR; at += MINUTE) {
    const side = sunSide(device, start + at);
    if (side === "twilight") continue;
    let steady = true;
    for (let dt = MINUTE; dt <= span && steady; dt += MINUTE) {
      steady = sunSide(device, start + at + dt) === side;
    }
    if (!steady) continue;
    const fault = side === "day" ? "lit-in-daylight" : "dark-at-night";
    const expectedByMs = Math.max(entry.expectedByMs, at + SUN_MIN_DURATION_MS + 2 * MINUTE);
    return { ...entry, fault, atMs: at, historyMs: Math.max(entry.historyMs, 5 * MINUTE - at), expectedByMs };
  }
  return { ...entry, fault: "lit-in-daylight" };
}

function active(e: FaultEntry, t: EpochMs, start: EpochMs): boolean {
  const since = t - start - e.atMs;
  return since >= 0 && (e.durationMs === undefined || since < e.durationMs);
}

/**
 * The reading of a device under its scheduled faults: `data` changed, or undefined while the
 * device is silent.
 */
export function applyFaults(
  device: Device,
  t: EpochMs,
  data: ReadingData,
  plan: FaultPlan,
): ReadingData | undefined {
  let out: ReadingData | undefined = data;
  for (const e of plan.byDevice.get(device.id) ?? []) {
    if (out === undefined || !active(e, t, plan.start)) continue;
    out = applyOne(e, device, (t - plan.start - e.atMs) / DAY, out);
  }
  return out;
}

function num(data: ReadingData, field: string, fallback: number): number {
  const v = data[field];
  return typeof v === "number" ? v : fallback;
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}

function ratedW(device: Device): number {
  const w = Number(device.attributes.power_w);
  return Number.isFinite(w) && w > 0 ? w : 60;
}

function applyOne(e: FaultEntry, device: Device, days: number, d: ReadingData): ReadingData | undefined {
  switch (e.fault) {
    case "defective-lamp":
      return { ...d, status: "defectiveLamp", active_power_w: 0 };
    case "lit-in-daylight":
      return { ...d, power_state: "on", illuminance_level: 1, active_power_w: ratedW(device) };
    case "dark-at-night":
      return { ...d, power_state: "off", illuminance_level: 0, active_power_w: 0 };
    case "zero-power-while-on":
      return { ...d, power_state: "on", illuminance_level: 1, active_power_w: 0 };
    case "overpressure":
      return { ...d, pressure_bar: r2(8.7 + 0.05 * Math.sin(days * 500)) };
    case "pressure-drop":
      return { ...d, pressure_bar: r2(Math.max(0.2, num(d, "pressure_bar", 4) - 2.6)) };
    case "pressure-drift":
      return { ...d, pressure_bar: r2(num(d, "pressure_bar", 4) + 0.6 * days) };
    case "pressure-transient":
      return { ...d, pressure_bar: r2(num(d, "pressure_bar", 4) + 1.5) };
    case "battery-low":
      return { ...d, battery_level: 0.04 };
    case "night-flow-rising":
      return { ...d, flow_m3h: r2(num(d, "flow_m3h", 0) + 1.5 * days) };
    case "silent":
      return undefined;
    case "container-full":
      return { ...d, filling_level: Math.max(num(d, "filling_level", 0), 0.96) };
    case "container-hot":
      return { ...d, temperature_c: 85, status: "burning" };
    case "container-tilted":
      return { ...d, status: "dropped" };
    case "not-emptied":
      return { ...d, filling_level: r2(0.1 + 0.75 * Math.min(1, days / 31)) };
    case "weak-radio":
      return { ...d, rssi_dbm: -124, snr_db: -17.5 };
    case "against-sun":
      return d;
  }
}

/** One line per fault, for the start-up summary. */
export function describePlan(plan: FaultPlan): string[] {
  return [...plan.entries]
    .sort((a, b) => a.expectedByMs - b.expectedByMs || a.atMs - b.atMs)
    .map(
      (e) => `${e.fault.padEnd(20)} ${e.device.padEnd(16)} ${when(e.atMs).padEnd(12)} ${e.rules.join(", ")}`,
    );
}

function when(atMs: number): string {
  const abs = Math.abs(atMs);
  const text =
    abs >= DAY ? `${r2(abs / DAY)} d` : abs >= MINUTE ? `${r2(abs / MINUTE)} min` : `${abs / SECOND} s`;
  return atMs < 0 ? `-${text}` : `+${text}`;
}
