import { numberFlag, readFlags, UsageError } from "./args.ts";

/** Command-line options of `npm run bench -- opendata`. */
export interface OpenDataOptions {
  /** Devices of the territory (a scaled copy of the demo inventory, on the demo contracts). */
  devices: number;
  /** Seconds of each latency and throughput phase. */
  seconds: number;
  /** Connections of the latency phases (cold, cached): clients asking at once, each in a loop. */
  clients: number;
  /** Keep-alive connections of the throughput phases (one popular URL). */
  connections: number;
  /** The ordinary load: this many visitors, each making `visitorRate` requests per second. */
  visitors: number;
  visitorRate: number;
  /** The burst: this many times the ordinary load's measured rate (and as many times its visitors). */
  burstFactor: number;
  burstSeconds: number;
  /** Folder where the platform child writes a V8 CPU profile (node --cpu-prof), if set. */
  cpuProf?: string;
  quick: boolean;
}

export const OPENDATA_HELP = `options of opendata:
  --devices N        devices of the territory, a scaled copy of the demo inventory on the demo
                     contracts (default 20000; 2000 with --quick)
  --seconds S        each latency and throughput phase, seconds (default 8; 2 with --quick)
  --clients N        connections of the cold and cached latency phases (default 4)
  --connections N    keep-alive connections of the throughput phases (default 10)
  --visitors N       the ordinary load: visitors at once (default 10), each making
  --visitor-rate R   R requests per second (default 1): metadata, a records page, the CSV
  --burst-factor F   the burst sends F times the ordinary load's measured rate, from F times
                     as many visitors (default 50)
  --burst-seconds S  length of the burst (default 15; 4 with --quick)
  --cpu-prof DIR     V8 CPU profile of the platform child, in DIR
  --quick            small territory, short phases, for a smoke run`;

export function parseOpenDataOptions(argv: readonly string[]): OpenDataOptions {
  const { quick, values } = readFlags(argv, [
    "devices",
    "seconds",
    "clients",
    "connections",
    "visitors",
    "visitor-rate",
    "burst-factor",
    "burst-seconds",
    "cpu-prof",
  ]);
  const cpuProf = values["cpu-prof"];
  if (cpuProf === "") throw new UsageError("--cpu-prof needs a folder");
  const options: OpenDataOptions = {
    devices: numberFlag(values, "devices", [100, 200_000], true) ?? (quick ? 2_000 : 20_000),
    seconds: numberFlag(values, "seconds", [1, 120], true) ?? (quick ? 2 : 8),
    clients: numberFlag(values, "clients", [1, 256], true) ?? 4,
    connections: numberFlag(values, "connections", [1, 1_000], true) ?? 10,
    visitors: numberFlag(values, "visitors", [1, 100], true) ?? 10,
    visitorRate: numberFlag(values, "visitor-rate", [1, 100], true) ?? 1,
    burstFactor: numberFlag(values, "burst-factor", [1, 200], true) ?? 50,
    burstSeconds: numberFlag(values, "burst-seconds", [1, 120], true) ?? (quick ? 4 : 15),
    quick,
    ...(cpuProf ? { cpuProf } : {}),
  };
  if (options.visitors * options.burstFactor > 10_000) {
    throw new UsageError("--visitors x --burst-factor must be at most 10000 connections");
  }
  return options;
}

/** Phases run one after the other: the whole measure stays within this (with the start, under 6 min). */
export function loadSeconds(o: OpenDataOptions): number {
  const phases = 8 * o.seconds + 2;
  return phases + o.burstSeconds;
}
