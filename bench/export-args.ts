import { numberFlag, readFlags, UsageError } from "./args.ts";

/** Command-line options of `npm run bench -- export`. */
export interface ExportOptions {
  /** Devices of the territory (a scaled copy of the demo inventory, on the demo contracts). */
  devices: number;
  /** Days of readings measured (the fraction of the year), ending at the start of today (UTC). */
  days: number;
  /** Parquet beside each CSV, as `lanterne export` writes by default (off: --no-parquet). */
  parquet: boolean;
  /** Hourly and daily rollups computed by the platform's rollup maintainer while seeding. */
  rollups: boolean;
  /** Folder where each export and import child writes a V8 CPU profile (node --cpu-prof), if set. */
  cpuProf?: string;
  quick: boolean;
}

export const EXPORT_HELP = `options of export:
  --devices N        devices of the territory, a scaled copy of the demo inventory on the demo
                     contracts, each at its contract's cadence (default 20000; 2000 with --quick)
  --days D           days of readings, ending at the start of today UTC: the fraction of the year
                     measured, extrapolated to 365 days (default 0.5: about 0.87 M readings and
                     4.3 M field values for 20000 devices, a run of about 5 min on 2 cores; also
                     0.5 with --quick); exported and imported whole, then its first half alone
                     (--from/--to), to compare peak memory at two sizes
  --no-parquet       export CSV only (lanterne export --no-parquet)
  --no-rollups       seed raw readings only (no hourly and daily rollups)
  --cpu-prof DIR     V8 CPU profile of each export and import child, in DIR
  --quick            small territory (2000 devices), for a smoke run`;

export function parseExportOptions(argv: readonly string[]): ExportOptions {
  const flags = argv.filter((a) => a !== "--no-parquet" && a !== "--no-rollups");
  const { quick, values } = readFlags(flags, ["devices", "days", "cpu-prof"]);
  const cpuProf = values["cpu-prof"];
  if (cpuProf === "") throw new UsageError("--cpu-prof needs a folder");
  return {
    devices: numberFlag(values, "devices", [100, 200_000], true) ?? (quick ? 2_000 : 20_000),
    days: numberFlag(values, "days", [0.1, 365]) ?? 0.5,
    parquet: !argv.includes("--no-parquet"),
    rollups: !argv.includes("--no-rollups"),
    quick,
    ...(cpuProf ? { cpuProf } : {}),
  };
}
