import { numberFlag, readFlags, UsageError } from "./args.ts";

/** Command-line options of `npm run bench -- aggregates [options]`. */
export interface AggregatesOptions {
  /** Devices of the generated fleet, over the demo territory's communes. */
  devices: number;
  /** Days of daily rollups, ending yesterday (UTC). */
  days: number;
  /** Timed requests per route (after the warm-up ones). */
  requests: number;
  quick: boolean;
  /** Where rollups are written and read: the embedded DuckDB, or a private InfluxDB started by the bench. */
  store: "duckdb" | "influx";
  /** Folder where the platform child writes a V8 CPU profile (node --cpu-prof), if set. */
  cpuProf?: string;
}

/** The target: a year of daily values per commune for 20,000 devices. */
export const FULL = { devices: 20_000, days: 365 };
export const QUICK = { devices: 2_000, days: 30 };

/** Bounds that keep a run finite: at most 5,000 daily buckets (the API's limit), a bounded fleet. */
const LIMITS: Record<"devices" | "days" | "requests", [number, number]> = {
  devices: [10, 200_000],
  days: [1, 3_650],
  requests: [1, 1_000],
};

export function parseAggregatesOptions(argv: readonly string[]): AggregatesOptions {
  const { quick, values } = readFlags(argv, ["devices", "days", "requests", "store", "cpu-prof"]);
  const store = values.store ?? "duckdb";
  if (store !== "duckdb" && store !== "influx") throw new UsageError("--store takes duckdb or influx");
  const cpuProf = values["cpu-prof"];
  if (cpuProf === "") throw new UsageError("--cpu-prof needs a folder");
  const base = quick ? QUICK : FULL;
  return {
    devices: numberFlag(values, "devices", LIMITS.devices, true) ?? base.devices,
    days: numberFlag(values, "days", LIMITS.days, true) ?? base.days,
    requests: numberFlag(values, "requests", LIMITS.requests, true) ?? 30,
    quick,
    store,
    ...(cpuProf ? { cpuProf } : {}),
  };
}
