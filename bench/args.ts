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

export function parseOptions(argv: readonly string[]): BenchOptions {
  const numbers: Record<string, number | undefined> = {};
  let quick = false;
  let cpuProf: string | undefined;
  let phases: string[] | undefined;
  let store: BenchOptions["store"] = "duckdb";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--quick") {
      quick = true;
      continue;
    }
    if (arg === "--phases" || arg.startsWith("--phases=")) {
      phases = (arg.includes("=") ? arg.slice("--phases=".length) : (argv[++i] ?? ""))
        .split(",")
        .filter(Boolean);
      const unknown = phases.filter((p) => !PHASES.includes(p));
      if (phases.length === 0 || unknown.length > 0)
        throw new UsageError(`--phases takes ${PHASES.join(",")}`);
      if (phases.includes("overload") && !phases.includes("qos0"))
        throw new UsageError("overload needs qos0");
      continue;
    }
    if (arg === "--store" || arg.startsWith("--store=")) {
      const value = arg.includes("=") ? arg.slice("--store=".length) : argv[++i];
      if (value !== "duckdb" && value !== "influx") throw new UsageError("--store takes duckdb or influx");
      store = value;
      continue;
    }
    if (arg === "--cpu-prof" || arg.startsWith("--cpu-prof=")) {
      cpuProf = arg.includes("=") ? arg.slice("--cpu-prof=".length) : argv[++i];
      if (!cpuProf) throw new UsageError("--cpu-prof needs a folder");
      continue;
    }
    const [flag, inline] = arg.split("=", 2) as [string, string | undefined];
    const name = flag.replace(/^--/, "");
    if (!flag.startsWith("--") || !["seconds", "clients", "generators", "window"].includes(name)) {
      throw new UsageError(`unknown option ${arg}`);
    }
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    const min = name === "generators" ? 0 : name === "seconds" ? 0.5 : 1;
    if (raw === undefined || !Number.isFinite(value) || value < min || value > 100_000) {
      throw new UsageError(`${flag} needs a number >= ${min}, got ${raw ?? "nothing"}`);
    }
    numbers[name] = value;
  }
  const options: BenchOptions = {
    seconds: numbers.seconds ?? (quick ? 2 : 10),
    clients: Math.floor(numbers.clients ?? 8),
    generators: Math.floor(numbers.generators ?? 0),
    window: Math.floor(numbers.window ?? 500),
    quick,
    store,
    ...(cpuProf ? { cpuProf } : {}),
    ...(phases ? { phases } : {}),
  };
  if (store !== "influx" && phases?.includes("naive")) throw new UsageError("naive needs --store influx");
  if (options.generators > options.clients) throw new UsageError("--generators cannot exceed --clients");
  return options;
}
