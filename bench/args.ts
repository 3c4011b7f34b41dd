import { parseArgs } from "node:util";

/** Command-line options of `npm run bench -- <name> [options]`. */
export interface BenchOptions {
  /** Seconds of load per phase. */
  seconds: number;
  /** mqtt.js clients, in total over all generators. */
  clients: number;
  /** Load-generator child processes; 0 runs the generator in the benchmark's own process. */
  generators: number;
  /** In-flight publishes per client. */
  window: number;
  quick: boolean;
  /** Folder where each server child writes a V8 CPU profile (node --cpu-prof), if set. */
  cpuProf?: string;
  /** Only these phases (bare, naive, qos0, qos1, overload, steady; overload needs qos0); all when undefined. */
  phases?: string[];
  /** Where Lanterne stores readings: its embedded DuckDB, or a private InfluxDB started by the bench. */
  store: "duckdb" | "influx";
}

export const PHASES = ["bare", "naive", "qos0", "qos1", "overload", "steady"];

export const OPTIONS_HELP = `options:
  --seconds N      seconds of load per phase (default 10; 2 with --quick)
  --clients N      MQTT clients publishing, in total (default 8)
  --generators N   load-generator child processes (default 0: in the benchmark's own process)
  --window N       in-flight publishes per client (default 500)
  --quick          short phases, for a smoke run
  --phases LIST    only these phases, comma-separated: bare,naive,qos0,qos1,overload,steady
                   (overload and steady need qos0; naive needs --store influx)
  --store S        duckdb (default) or influx: a private influxd, one database per phase,
                   plus the naive aedes -> InfluxDB pipeline (phase naive) as the ceiling
  --cpu-prof DIR   V8 CPU profiles of each broker/platform child, in DIR/<phase>/
options of aggregates:
  --devices N      devices generated over the demo communes (default 20000; 2000 with --quick)
  --days N         days of daily rollups, ending yesterday UTC (default 365; 30 with --quick)
  --requests N     timed requests per route, after 5 warm-up ones (default 30)
  --quick          2000 devices, 30 days (--devices and --days still apply)
  --store S        duckdb (default, about 2.5 min) or influx: a private influxd holds the rollups
                   (about 15 min for 20000 devices x 365 days; --devices 2000 --days 365 asks the
                   same 8760-row year in about 2 min)
  --cpu-prof DIR   V8 CPU profile of the platform child, in DIR`;

export class UsageError extends Error {}

/**
 * The flags of a benchmark: `--quick`, and `--name value` or `--name=value` for each of `names`
 * (node:util's parseArgs, strict: an unknown flag or a missing value is a usage error).
 */
export function readFlags(
  argv: readonly string[],
  names: readonly string[],
): { quick: boolean; values: Partial<Record<string, string>> } {
  const options: Record<string, { type: "string" | "boolean" }> = { quick: { type: "boolean" } };
  for (const name of names) options[name] = { type: "string" };
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    const { quick, ...rest } = values;
    return { quick: quick === true, values: rest as Partial<Record<string, string>> };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A number flag within [min, max] (whole with `whole`), or undefined when not given. */
export function numberFlag(
  values: Partial<Record<string, string>>,
  name: string,
  [min, max]: readonly [number, number],
  whole = false,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    throw new UsageError(
      `--${name} needs a ${whole ? "whole " : ""}number from ${min} to ${max}, got ${raw}`,
    );
  }
  return value;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { quick, values } = readFlags(argv, [
    "seconds",
    "clients",
    "generators",
    "window",
    "phases",
    "store",
    "cpu-prof",
  ]);
  const phases = values.phases?.split(",").filter(Boolean);
  if (phases) {
    const unknown = phases.filter((p) => !PHASES.includes(p));
    if (phases.length === 0 || unknown.length > 0) throw new UsageError(`--phases takes ${PHASES.join(",")}`);
    if (phases.includes("overload") && !phases.includes("qos0")) throw new UsageError("overload needs qos0");
  }
  const store = values.store ?? "duckdb";
  if (store !== "duckdb" && store !== "influx") throw new UsageError("--store takes duckdb or influx");
  const cpuProf = values["cpu-prof"];
  if (cpuProf === "") throw new UsageError("--cpu-prof needs a folder");
  const options: BenchOptions = {
    seconds: numberFlag(values, "seconds", [0.5, 100_000]) ?? (quick ? 2 : 10),
    clients: Math.floor(numberFlag(values, "clients", [1, 100_000]) ?? 8),
    generators: Math.floor(numberFlag(values, "generators", [0, 100_000]) ?? 0),
    window: Math.floor(numberFlag(values, "window", [1, 100_000]) ?? 500),
    quick,
    store,
    ...(cpuProf ? { cpuProf } : {}),
    ...(phases ? { phases } : {}),
  };
  if (store !== "influx" && phases?.includes("naive")) throw new UsageError("naive needs --store influx");
  if (options.generators > options.clients) throw new UsageError("--generators cannot exceed --clients");
  return options;
}
