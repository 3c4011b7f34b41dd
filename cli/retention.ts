import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Config } from "../services/config.ts";
import { loadContractDir } from "../services/contracts/registry.ts";
import { loadTerritoryFile } from "../services/inventory/territory-file.ts";
import { type RetentionStore, retentionPlan } from "../services/retention/plan.ts";
import { formatRetentionReport, retentionReport } from "../services/retention/report.ts";
import { createDuckdbStore } from "../services/storage/duckdb-store.ts";
import { createInfluxStore, parseInfluxUrl } from "../services/storage/influx-store.ts";

/**
 * `lanterne retention [--apply]`: the retention plan of the territory's contracts (what is kept,
 * for how long) and what each tier holds in the configured store; `--apply` purges now what the
 * plan no longer keeps (the running platform does it every hour by itself).
 *
 * The embedded store's file is locked by a running platform: the command then prints the plan
 * alone and points to the platform's own report (GET /api/v1/retention).
 */
export async function retentionCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { apply: { type: "boolean" } } });
  const territory = await loadTerritoryFile(config.territoryDir);
  const plan = retentionPlan((await loadContractDir(territory.contractsDir)).all());
  const store = openStore(config);
  try {
    await store.start();
  } catch (err) {
    console.log(formatRetentionReport(retentionReport(plan, [], Date.now())));
    console.log(
      `\nThe store could not be opened (${(err as Error).message.split("\n")[0]}).` +
        "\nIf the platform is running, it holds the file: its report is GET /api/v1/retention (staff).",
    );
    return values.apply ? 1 : 0;
  }
  try {
    if (values.apply) {
      const results = await store.applyRetention(plan, Date.now());
      const removed = results.reduce((sum, r) => sum + r.removed, 0);
      console.log(`purged ${removed.toLocaleString("en-US")} rows\n`);
    }
    console.log(formatRetentionReport(retentionReport(plan, await store.storageUsage(), Date.now())));
    return 0;
  } finally {
    await store.close();
  }
}

function openStore(config: Config): RetentionStore & { start(): Promise<void>; close(): Promise<void> } {
  if (config.store.startsWith("influx://")) return createInfluxStore(parseInfluxUrl(config.store));
  return createDuckdbStore({ path: join(config.dataDir, "lanterne.duckdb") });
}
