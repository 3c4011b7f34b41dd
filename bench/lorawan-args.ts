import { findMosquitto } from "../test/helpers/mosquitto.ts";
import { numberFlag, readFlags, UsageError } from "./args.ts";

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
  const { quick, values } = readFlags(argv, [
    "seconds",
    "rates",
    "window",
    "paths",
    "codec-calls",
    "cpu-prof",
    "broker",
  ]);
  const broker = values.broker ?? "aedes";
  if (broker !== "mosquitto" && broker !== "aedes") throw new UsageError("--broker takes aedes or mosquitto");
  if (broker === "mosquitto" && !findMosquitto()) throw new UsageError("mosquitto is not installed");
  const rates = values.rates?.split(",").map(Number);
  if (rates && (rates.length === 0 || rates.some((r) => !Number.isInteger(r) || r < 1 || r > 200_000)))
    throw new UsageError("--rates takes whole numbers from 1 to 200000, comma-separated");
  const paths = values.paths?.split(",");
  if (paths && (paths.length === 0 || paths.some((p) => !(PATHS as readonly string[]).includes(p))))
    throw new UsageError("--paths takes semtech,chirpstack");
  const cpuProf = values["cpu-prof"];
  return {
    seconds: numberFlag(values, "seconds", [0.5, 600]) ?? (quick ? 2 : 10),
    rates: rates ?? (quick ? [5000] : [2000, 5000, 8000]),
    window: Math.floor(numberFlag(values, "window", [3, 60_000]) ?? 150),
    paths: (paths as LorawanOptions["paths"] | undefined) ?? [...PATHS],
    codecCalls: Math.floor(numberFlag(values, "codec-calls", [1, 10_000_000]) ?? (quick ? 5000 : 20_000)),
    quick,
    broker,
    ...(cpuProf ? { cpuProf } : {}),
  };
}
