import { UsageError } from "./args.ts";

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
  const numbers: Partial<Record<keyof typeof LIMITS, number>> = {};
  let quick = false;
  let store: AggregatesOptions["store"] = "duckdb";
  let cpuProf: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--quick") {
      quick = true;
      continue;
    }
    const [flag, inline] = arg.split("=", 2) as [string, string | undefined];
    const name = flag.replace(/^--/, "");
    const raw = inline ?? argv[++i];
    if (flag === "--store") {
      if (raw !== "duckdb" && raw !== "influx") throw new UsageError("--store takes duckdb or influx");
      store = raw;
      continue;
    }
    if (flag === "--cpu-prof") {
      if (!raw) throw new UsageError("--cpu-prof needs a folder");
      cpuProf = raw;
      continue;
    }
    const limits = Object.hasOwn(LIMITS, name) ? LIMITS[name as keyof typeof LIMITS] : undefined;
    if (!flag.startsWith("--") || limits === undefined) throw new UsageError(`unknown option ${arg}`);
    const value = Number(raw);
    if (raw === undefined || !Number.isInteger(value) || value < limits[0] || value > limits[1]) {
      throw new UsageError(
        `${flag} needs a whole number from ${limits[0]} to ${limits[1]}, got ${raw ?? "nothing"}`,
      );
    }
    numbers[name as keyof typeof LIMITS] = value;
  }
  const base = quick ? QUICK : FULL;
  return {
    devices: numbers.devices ?? base.devices,
    days: numbers.days ?? base.days,
    requests: numbers.requests ?? 30,
    quick,
    store,
    ...(cpuProf ? { cpuProf } : {}),
  };
}
