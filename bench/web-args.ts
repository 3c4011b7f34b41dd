import { numberFlag, readFlags } from "./args.ts";

/** Command-line options of `npm run bench -- web`. */
export interface WebOptions {
  devices: number;
  /** Cold loads of each page measured (a new browser context each: empty cache, no state). */
  runs: number;
  /** Devices given a fault reading, so that the desk and the map have open alerts. */
  alerts: number;
  /** Bound of the whole measure (after the platform is fed), seconds. */
  budgetSeconds: number;
  quick: boolean;
}

export const WEB_HELP = `options of web:
  --devices N        assets of the fleet (default 20000; 2000 with --quick)
  --runs N           cold loads of /carte and of /alertes each (default 5; 2 with --quick)
  --alerts N         devices given a fault reading, for open alerts (default 12)
  --budget S         bound of the browser measures, seconds (default 300): runs stop there
  --quick            small fleet, few runs, for a smoke run`;

export function parseWebOptions(argv: readonly string[]): WebOptions {
  const { quick, values } = readFlags(argv, ["devices", "runs", "alerts", "budget"]);
  return {
    devices: numberFlag(values, "devices", [10, 200_000], true) ?? (quick ? 2_000 : 20_000),
    runs: numberFlag(values, "runs", [1, 50], true) ?? (quick ? 2 : 5),
    alerts: numberFlag(values, "alerts", [0, 500], true) ?? 12,
    budgetSeconds: numberFlag(values, "budget", [10, 3_600]) ?? 300,
    quick,
  };
}
