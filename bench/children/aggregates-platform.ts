import { createPlatform, type Platform } from "../../cli/platform.ts";
import { loadConfig } from "../../services/config.ts";
import { aggregateFromRollups, planRollupQuery } from "../../services/rollups/aggregates.ts";
import type { AggregateQuery, GroupRollup } from "../../services/storage/store.ts";
import { serveParent } from "../ipc.ts";
import { latencySummary } from "../samples.ts";

/**
 * The whole platform on the data folder (and, with LANTERNE_BENCH_STORE set to an influx:// URL,
 * the InfluxDB database) the aggregates benchmark filled with rollups, its listeners on loopback
 * ports chosen by the system. The parent owns the data folder and removes it.
 *
 * "ready" is answered once the start-up work that reads the store (the retention purge, the
 * rollup maintainer's first pass) is done, so that it does not land in the timed requests.
 */
const dataDir = process.env.LANTERNE_BENCH_DATA_DIR;
let platform: Platform | undefined;

async function start(): Promise<{ apiUrl: string; startMs: number }> {
  if (!dataDir) throw new Error("LANTERNE_BENCH_DATA_DIR is not set");
  const started = performance.now();
  const store = process.env.LANTERNE_BENCH_STORE || "duckdb";
  const config = loadConfig(
    { host: "127.0.0.1", mqttPort: 0, wsPort: 0, httpPort: 0, udpPort: 0, dataDir, store, logLevel: "error" },
    {},
  );
  const p = await createPlatform(config);
  platform = p;
  await p.start();
  await Promise.all([p.retention.run(), p.rollups.pass()]);
  return { apiUrl: p.apiUrl, startMs: Math.round(performance.now() - started) };
}

interface ProbeArgs {
  from: number;
  to: number;
  resolutionMs: number;
  n: number;
}

/**
 * Where a request's time goes, without HTTP: the store's read of the group rollups, then their
 * merge into the answer's rows (services/rollups/aggregates.ts), each timed `n` times.
 */
async function probe({ from, to, resolutionMs, n }: ProbeArgs) {
  const p = platform;
  if (!p) throw new Error("platform not started");
  const q: AggregateQuery = { from, to, groupBy: ["commune", "domain"], resolutionMs };
  const plan = planRollupQuery(q);
  if (!plan) throw new Error("the query does not fit the rollups");
  const read: number[] = [];
  const merge: number[] = [];
  let rows: GroupRollup[] = [];
  let answer = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    rows = await p.store.groupRollups({ tier: plan.tier, from: plan.from, to: plan.to });
    const t1 = performance.now();
    const cached = rows;
    // Numeric rows only, as measured before state fields had rollups of their own.
    const store = { groupRollups: async () => cached, groupStateRollups: async () => [] };
    answer = (await aggregateFromRollups(store, q, plan)).length;
    read.push(t1 - t0);
    merge.push(performance.now() - t1);
  }
  return {
    groupRows: rows.length,
    answerRows: answer,
    read: latencySummary(read),
    merge: latencySummary(merge),
  };
}

serveParent(start(), {
  probe: (args: ProbeArgs) => probe(args),
  close: async () => {
    await platform?.close();
  },
});
