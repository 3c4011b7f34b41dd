import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Presets, SingleBar } from "cli-progress";
import { createDuckdbAlertStore } from "../services/alerts/duckdb-alert-store.ts";
import { exportBundle } from "../services/clauses/bundle/export.ts";
import { importBundle } from "../services/clauses/bundle/import.ts";
import { createDuckdbClauseStore } from "../services/clauses/duckdb-clause-store.ts";
import { createFileAccessLog } from "../services/clauses/file-access-log.ts";
import type { Config } from "../services/config.ts";
import { loadContractDir } from "../services/contracts/registry.ts";
import { createDeviceIndex } from "../services/inventory/device-index.ts";
import { loadInventoryFile } from "../services/inventory/load.ts";
import { loadTerritoryFile } from "../services/inventory/territory-file.ts";
import { composeStores } from "../services/storage/composite-store.ts";
import { createDuckdbStore } from "../services/storage/duckdb-store.ts";
import { createInfluxStore, parseInfluxUrl } from "../services/storage/influx-store.ts";

/**
 * `lanterne export DIR [--operator ID] [--from T] [--to T] [--no-parquet]`: the reversibility
 * bundle of the whole platform or of one operator, from the stores of a stopped Lanterne (the
 * running one offers the same as an API job).
 * `lanterne import DIR`: checks a bundle whole, then loads it into this Lanterne, which must be
 * empty; a bundle that does not hold is refused with its file and reason, nothing written.
 * Both are written in the access log.
 */
export async function bundleCommand(
  config: Config,
  command: "export" | "import",
  args: string[],
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      operator: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      "no-parquet": { type: "boolean" },
    },
  });
  const dir = positionals[0];
  if (dir === undefined) {
    console.error(
      `usage: lanterne ${command} DIR${command === "export" ? " [--operator ID] [--from T] [--to T] [--no-parquet]" : ""}`,
    );
    return 2;
  }
  const stores = await openStores(config);
  const progress = progressOn(process.stderr, command);
  try {
    if (command === "export") {
      const manifest = await exportBundle(stores.sources, resolve(dir), {
        ...(values.operator !== undefined ? { operatorId: values.operator } : {}),
        ...(values.from !== undefined ? { from: time(values.from, "--from") } : {}),
        ...(values.to !== undefined ? { to: time(values.to, "--to") } : {}),
        parquet: values["no-parquet"] !== true,
        progress: progress.update,
      });
      progress.stop();
      stores.log(`export ${values.operator ? `operator ${values.operator}` : "platform"} to ${resolve(dir)}`);
      console.log(
        `bundle written to ${dir}: ${manifest.files.length} files, ${manifest.counts.readings ?? 0} readings`,
      );
      return 0;
    }
    const summary = await importBundle(resolve(dir), { ...stores.targets, progress: progress.update });
    progress.stop();
    stores.log(`import bundle sha256:${summary.manifestSha256} (${summary.counts.readings ?? 0} readings)`);
    console.log(
      `bundle ${dir} imported: ${summary.counts.readings ?? 0} readings (manifest sha256 ${summary.manifestSha256})`,
    );
    return 0;
  } catch (err) {
    progress.stop();
    const e = err as Error & { code?: string };
    console.error(`lanterne ${command}: ${e.code ? `${e.code} ` : ""}${e.message}`);
    return 1;
  } finally {
    await stores.close();
  }
}

function time(text: string, name: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`${name}: ${text} is neither ISO 8601 nor epoch ms`);
  return ms;
}

/** The stores of a stopped Lanterne, as `serve` opens them (no spool: writes go straight in). */
export async function openStores(config: Config) {
  const territory = await loadTerritoryFile(config.territoryDir);
  const contracts = await loadContractDir(territory.contractsDir);
  const inventory = await loadInventoryFile(
    territory.inventoryPath,
    { ownerId: territory.owner.id },
    territory.assignmentsPath ? { assignmentsFile: territory.assignmentsPath } : {},
  );
  const devices = createDeviceIndex(inventory);
  // The same limits as `serve`: DuckDB would otherwise take most of the machine's memory.
  const state = createDuckdbStore({
    path: join(config.dataDir, "lanterne.duckdb"),
    checkpointKib: config.duckdbCheckpointKib,
    memoryMib: config.duckdbMemoryMib,
    minFreeBytes: config.minFreeMib * 1_048_576,
  });
  const influx = config.store.startsWith("influx://")
    ? createInfluxStore(parseInfluxUrl(config.store))
    : undefined;
  const store = composeStores(influx ?? state, state, influx ?? state, influx ?? state);
  const alerts = createDuckdbAlertStore({ path: join(config.dataDir, "alerts.duckdb") });
  const clauses = createDuckdbClauseStore({ path: join(config.dataDir, "clauses.duckdb") });
  const accessLog = createFileAccessLog(join(config.dataDir, "access-log.ndjson"));
  await store.start();
  await alerts.start();
  await clauses.start();
  await accessLog.start();
  return {
    sources: {
      store,
      alerts,
      clauses,
      contracts,
      devices,
      owner: { id: territory.owner.id, name: territory.owner.name },
      accessLogPath: accessLog.path,
      now: Date.now,
    },
    targets: {
      store,
      alerts,
      clauses,
      contracts,
      devices,
      importedDir: join(config.dataDir, "imported"),
    },
    log(what: string) {
      const action = what.startsWith("import") ? "import" : "export";
      accessLog.append({
        at: Date.now(),
        who: process.env.USER ?? "cli",
        role: "cli",
        action,
        what,
        from: "cli",
      });
    },
    async close() {
      await accessLog.close();
      await clauses.close();
      await alerts.close();
      await store.close();
    },
  };
}

/** A bar on a terminal (the import knows its rows), a line every few seconds elsewhere. */
function progressOn(stream: NodeJS.WriteStream, command: string) {
  let last = 0;
  if (!stream.isTTY) {
    return {
      update: (stage: string, done: number) => {
        if (Date.now() - last < 5_000) return;
        last = Date.now();
        stream.write(`${command}: ${stage} ${done}\n`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    { stream, format: `${command} {stage} {value} rows`, hideCursor: true, noTTYOutput: false },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (stage: string, done: number) => {
      if (!started) bar.start(0, 0, { stage });
      started = true;
      bar.update(done, { stage });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
