import { useDemoSecretKey } from "../cli/demo.ts";
import { runAggregatesBench } from "./aggregates.ts";
import { parseAggregatesOptions } from "./aggregates-args.ts";
import { runAlertsBench } from "./alerts.ts";
import { ALERTS_HELP, parseAlertsOptions } from "./alerts-args.ts";
import { OPTIONS_HELP, parseOptions, UsageError } from "./args.ts";
import { runExportBench } from "./export.ts";
import { EXPORT_HELP, parseExportOptions } from "./export-args.ts";
import { runIngestBench } from "./ingest.ts";
import { runLorawanBench } from "./lorawan.ts";
import { LORAWAN_HELP, parseLorawanOptions } from "./lorawan-args.ts";
import { runOpenDataBench } from "./opendata.ts";
import { OPENDATA_HELP, parseOpenDataOptions } from "./opendata-args.ts";
import { runWebBench } from "./web.ts";
import { parseWebOptions, WEB_HELP } from "./web-args.ts";

/** `npm run bench -- <benchmark> [options]`: one entry point, one benchmark per name. */
const BENCHMARKS: Record<string, { about: string; run(argv: string[]): Promise<number> }> = {
  ingest: {
    about: "MQTT ingest: bare aedes ceiling, Lanterne QoS 0, QoS 1 and overload, in one run",
    run: (argv) => runIngestBench(parseOptions(argv)),
  },
  aggregates: {
    about:
      "a year of daily per-commune aggregates for 20,000 devices, from rollups, over HTTP (target p50 < 50 ms)",
    run: (argv) => runAggregatesBench(parseAggregatesOptions(argv)),
  },
  lorawan: {
    about:
      "uplinks/s through Semtech UDP and ChirpStack, 400 EM310 containers (target 5,000/s each, p99 < 100 ms), codec sandbox cost",
    run: (argv) => runLorawanBench(parseLorawanOptions(argv)),
  },
  alerts: {
    about:
      "20,000 devices at 10x their rate: fault publish-to-SSE p99 < 200 ms, silence within cadence + 60 s, rules < +10 % CPU/msg, rule state < 300 B/device",
    run: (argv) => runAlertsBench(parseAlertsOptions(argv)),
  },
  web: {
    about:
      "the map and the alert desk in Chromium over 20,000 assets: interactive < 2 s, first load < 1.5 MB, API p99 < 50 ms",
    run: (argv) => runWebBench(parseWebOptions(argv)),
  },
  opendata: {
    about:
      "the open channel over a year of figures for 20,000 devices: records and CSV p99 < 20 ms cached, < 100 ms cold, >= 2,000 req/s, no error under a 50x burst",
    run: (argv) => runOpenDataBench(parseOpenDataOptions(argv)),
  },
  export: {
    about:
      "lanterne export and import of 20,000 devices' readings at their cadences, as child processes: a territory-year < 15 min each way (extrapolated from --days), peak RSS flat at two sizes, round trip whole",
    run: (argv) => runExportBench(parseExportOptions(argv)),
  },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(16)} ${b.about}`);
  return [
    "usage: npm run bench -- <benchmark> [options]",
    "benchmarks:",
    ...names,
    OPTIONS_HELP,
    LORAWAN_HELP,
    ALERTS_HELP,
    WEB_HELP,
    OPENDATA_HELP,
    EXPORT_HELP,
  ].join("\n");
}

// The platforms under test run on the demo territory: its LoRaWAN keys open with the demo's key.
useDemoSecretKey();

const [name, ...rest] = process.argv.slice(2);
const bench = name === undefined ? undefined : BENCHMARKS[name];
if (!bench || rest.includes("--help")) {
  console.error(name && !bench ? `unknown benchmark: ${name}\n${usage()}` : usage());
  process.exit(bench ? 0 : 2);
}
try {
  process.exit(await bench.run(rest));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n${usage()}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
}
