import { findMosquitto } from "../test/helpers/mosquitto.ts";
import { UsageError } from "./args.ts";

/** Command-line options of `npm run bench -- lorawan [options]`. */
export interface LorawanOptions {
  /** Seconds of load per phase. */
  seconds: number;
  /** Offered rates (uplinks/s) of the paced phases, after the as-fast-as-the-window-allows one. */
  rates: number[];
  /** UDP datagrams not yet acknowledged / MQTT publishes not yet acknowledged. */
  window: number;
  paths: Array<"semtech" | "chirpstack">;
  /** Calls of the codec overhead measure (sandbox and plain each). */
  codecCalls: number;
  quick: boolean;
  cpuProf?: string;
  /** The broker ChirpStack publishes to: aedes (default) or Mosquitto (what ChirpStack ships). */
  broker: "mosquitto" | "aedes";
}

export const LORAWAN_HELP = `options of lorawan:
  --seconds N      seconds of load per phase (default 10; 2 with --quick)
  --rates LIST     offered uplinks/s of the paced phases, comma-separated (default 2000,5000,8000;
                   5000 with --quick); each path first runs as fast as its window allows
  --window N       UDP datagrams / MQTT publishes in flight, not yet acknowledged (default 150)
  --paths LIST     semtech,chirpstack (default both)
  --codec-calls N  EM310 decodes timed in the sandbox and as plain JS (default 20000; 5000 --quick)
  --cpu-prof DIR   V8 CPU profile of each platform child, in DIR/<phase>/
  --broker NAME    ChirpStack's broker: aedes (default; it acknowledges a publish once delivered, so
                   "max" is the rate the platform keeps up with) or mosquitto (as ChirpStack ships it,
                   set up as the README asks; it acknowledges at once, so "max" floods the platform
                   and measures how fast it drains the backlog)
  --quick          short phases, for a smoke run`;

const PATHS = ["semtech", "chirpstack"] as const;

export function parseLorawanOptions(argv: readonly string[]): LorawanOptions {
  let quick = false;
  let cpuProf: string | undefined;
  let broker: LorawanOptions["broker"] | undefined;
  let rates: number[] | undefined;
  let paths: LorawanOptions["paths"] | undefined;
  const numbers: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--quick") {
      quick = true;
      continue;
    }
    const [flag, inline] = arg.split("=", 2) as [string, string | undefined];
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`${flag} needs a value`);
    switch (flag) {
      case "--cpu-prof":
        cpuProf = raw;
        continue;
      case "--broker":
        if (raw !== "mosquitto" && raw !== "aedes") throw new UsageError("--broker takes aedes or mosquitto");
        if (raw === "mosquitto" && !findMosquitto()) throw new UsageError("mosquitto is not installed");
        broker = raw;
        continue;
      case "--rates":
        rates = raw.split(",").map(Number);
        if (rates.length === 0 || rates.some((r) => !Number.isInteger(r) || r < 1 || r > 200_000))
          throw new UsageError("--rates takes whole numbers from 1 to 200000, comma-separated");
        continue;
      case "--paths": {
        const list = raw.split(",");
        if (list.length === 0 || list.some((p) => !(PATHS as readonly string[]).includes(p)))
          throw new UsageError("--paths takes semtech,chirpstack");
        paths = list as LorawanOptions["paths"];
        continue;
      }
      case "--seconds":
      case "--window":
      case "--codec-calls": {
        const value = Number(raw);
        const [min, max] =
          flag === "--seconds" ? [0.5, 600] : flag === "--window" ? [3, 60_000] : [1, 10_000_000];
        if (!Number.isFinite(value) || value < min || value > max)
          throw new UsageError(`${flag} needs a number from ${min} to ${max}, got ${raw}`);
        numbers[flag] = value;
        continue;
      }
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  return {
    seconds: numbers["--seconds"] ?? (quick ? 2 : 10),
    rates: rates ?? (quick ? [5000] : [2000, 5000, 8000]),
    window: Math.floor(numbers["--window"] ?? 150),
    paths: paths ?? [...PATHS],
    codecCalls: Math.floor(numbers["--codec-calls"] ?? (quick ? 5000 : 20_000)),
    quick,
    broker: broker ?? "aedes",
    ...(cpuProf ? { cpuProf } : {}),
  };
}
