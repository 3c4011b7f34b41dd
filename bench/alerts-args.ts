import { numberFlag, readFlags, UsageError } from "./args.ts";

/** Command-line options of `npm run bench -- alerts`. */
export interface AlertsOptions {
  devices: number;
  /** The fleet reports this many times faster than its contract's cadence. */
  speedup: number;
  /** The bench contract's silence rule: expected period and tolerance (ms). */
  cadenceMs: number;
  graceMs: number;
  /** Seconds of load of phases A and B (raised when the silence measure needs longer). */
  seconds: number;
  /** Devices that stop reporting during phase B. */
  silent: number;
  /** One fault reading this often during phase B (ms). */
  faultEveryMs: number;
  /** Seconds of each flood phase (as fast as the platform takes, rules off then on); 0: none. */
  floodSeconds: number;
  /** Devices of the in-process rule state measure. */
  stateDevices: number;
  /** mqtt.js clients carrying the load. */
  clients: number;
  quick: boolean;
}

export const ALERTS_HELP = `options of alerts:
  --devices N        devices of the fleet (default 20000; 2000 with --quick)
  --speedup N        times the contract's normal rate the fleet reports at (default 10)
  --cadence S        the bench contract's reporting period, seconds (default 30); the fleet
                     then publishes devices x speedup / cadence messages per second
  --grace S          the silence rule's tolerance, seconds (default 10)
  --seconds S        load of phases A (rules off) and B (rules on), seconds (default 60; raised
                     to what the silence measure needs: 10 + cadence + grace + 10 s tick + 15)
  --silent N         devices that stop reporting 10 s into phase B (default 100)
  --fault-every S    one fault reading every S seconds in phase B (default 1)
  --flood-seconds S  flood phases C (rules off) and D (rules on), as fast as the platform takes
                     (default 15; 0 skips them)
  --state-devices N  devices of the in-process rule state measure (default 1000000; 100000 with --quick)
  --clients N        MQTT clients carrying the load (default 4)
  --quick            small fleet, short phases, for a smoke run`;

export function parseAlertsOptions(argv: readonly string[]): AlertsOptions {
  const { quick, values } = readFlags(argv, [
    "devices",
    "speedup",
    "cadence",
    "grace",
    "seconds",
    "silent",
    "fault-every",
    "flood-seconds",
    "state-devices",
    "clients",
  ]);
  const options: AlertsOptions = {
    devices: numberFlag(values, "devices", [10, 1_000_000], true) ?? (quick ? 2_000 : 20_000),
    speedup: numberFlag(values, "speedup", [0.1, 1_000]) ?? 10,
    cadenceMs: (numberFlag(values, "cadence", [1, 86_400]) ?? 30) * 1000,
    graceMs: (numberFlag(values, "grace", [0, 86_400]) ?? 10) * 1000,
    seconds: numberFlag(values, "seconds", [1, 3_600]) ?? (quick ? 20 : 60),
    silent: numberFlag(values, "silent", [0, 10_000], true) ?? (quick ? 20 : 100),
    faultEveryMs: (numberFlag(values, "fault-every", [0.05, 60]) ?? 1) * 1000,
    floodSeconds: numberFlag(values, "flood-seconds", [0, 600]) ?? (quick ? 5 : 15),
    stateDevices:
      numberFlag(values, "state-devices", [1_000, 10_000_000], true) ?? (quick ? 100_000 : 1_000_000),
    clients: numberFlag(values, "clients", [1, 64], true) ?? 4,
    quick,
  };
  if (options.silent * 2 > options.devices)
    throw new UsageError("--silent must be at most half of --devices");
  return options;
}

/** Offered rate of phases A and B: each device once per cadence, sped up. */
export function fleetRate(o: AlertsOptions): number {
  return (o.devices * o.speedup * 1000) / o.cadenceMs;
}

/** The platform's rule tick (cli/platform.ts): a silence is seen at the first tick past cadence + grace. */
export const TICK_MS = 10_000;
export const SILENCE_AT_S = 10;

/** Phase A and B length: long enough for the silenced devices' alerts to arrive before the load ends. */
export function phaseSeconds(o: AlertsOptions): number {
  return Math.max(o.seconds, SILENCE_AT_S + (o.cadenceMs + o.graceMs + TICK_MS) / 1000 + 15);
}
