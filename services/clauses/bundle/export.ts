import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Alert, AlertChange } from "../../alerts/types.ts";
import type { Contract } from "../../contracts/model.ts";
import type { ContractRegistry } from "../../contracts/registry.ts";
import type { Device, EpochMs, Observation, QuarantineEntry } from "../../domain/types.ts";
import type { ArchiveSource } from "../../storage/archive.ts";
import type { ReadingCopier } from "../../storage/duckdb/copy-out.ts";
import type { QuarantineStore, TimeSeriesStore, ViolationLog, ViolationRecord } from "../../storage/store.ts";
import type { ClauseStore } from "../clause-store.ts";
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type BundleScope,
  DELIVERY_COLUMNS,
  MANIFEST,
  type Manifest,
  QUARANTINE_COLUMNS,
  REFUSAL_COLUMNS,
  ROLLUP_TABLES,
  type RollupTable,
  readingColumns,
  readingPath,
  rollupPath,
  TIERS,
  VIOLATION_COLUMNS,
} from "./format.ts";
import { bundleReadme, dataPackage } from "./package-files.ts";
import { type BundleFile, FileSink } from "./sink.ts";
import { type Cell, hashFile, TableFile } from "./table-file.ts";

/** What an export reads: the platform's stores, opened. */
export interface ExportSources {
  /** With the embedded store's ReadingCopier, readings are written by DuckDB itself. */
  store: ArchiveSource &
    Pick<TimeSeriesStore, "countValues"> &
    Pick<QuarantineStore, "listQuarantine"> &
    Pick<ViolationLog, "listViolations"> &
    Partial<ReadingCopier>;
  alerts: {
    scanAlerts(pageSize?: number): AsyncIterable<Alert[]>;
    scanHistory(pageSize?: number): AsyncIterable<AlertChange[]>;
  };
  clauses: Pick<ClauseStore, "scanDeliveries" | "scanRefusals" | "listExemptions" | "listBreaches">;
  contracts: Pick<ContractRegistry, "all">;
  devices: { list(): Device[] };
  owner: { id: string; name: string };
  /** The access log's file, copied whole into a whole-platform bundle. */
  accessLogPath?: string;
  /** Writes the access log's pending entries before it is copied (a running platform). */
  flushAccessLog?: () => Promise<void>;
  now: () => EpochMs;
}

export interface ExportOptions extends BundleScope {
  /** Parquet beside each CSV (default true). */
  parquet?: boolean;
  /** Told of each part's progress: readings are counted as they are written. */
  progress?: (stage: string, done: number) => void;
}

const PAGE = 1_000;

/**
 * Writes the bundle into `dir` (which must not exist): first into `dir.partial`, renamed once
 * complete, so that a bundle found on disk is always whole. Memory holds a page of each part and
 * one row group per open Parquet file, never the data.
 */
export async function exportBundle(
  src: ExportSources,
  dir: string,
  options: ExportOptions = {},
): Promise<Manifest> {
  if (await exists(dir)) throw new Error(`${dir} already exists: name a new folder`);
  const work = `${dir}.partial`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const run = new ExportRun(src, work, options);
  try {
    const manifest = await run.all();
    await rename(work, dir);
    return manifest;
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

class ExportRun {
  private readonly files: BundleFile[] = [];
  private readonly counts: Record<string, number> = {};
  private readonly parquet: boolean;
  private readonly op: string | undefined;

  constructor(
    private readonly src: ExportSources,
    private readonly root: string,
    private readonly options: ExportOptions,
  ) {
    this.parquet = options.parquet ?? true;
    this.op = options.operatorId;
  }

  async all(): Promise<Manifest> {
    const devices = this.devicesInScope();
    const contracts = this.contractsInScope(devices);
    await this.contracts(contracts);
    await this.inventory(devices);
    await this.readings(contracts);
    await this.rollups();
    await this.quarantine();
    await this.violations();
    await this.alerts();
    await this.ledger();
    await this.registers(contracts);
    await this.accessLog();
    const manifest = this.manifest();
    await this.text("README.md", bundleReadme(manifest));
    const tables = this.files.filter((f) => f.path.endsWith(".csv"));
    await this.json(
      "datapackage.json",
      dataPackage({ ...manifest, files: [...this.files] }, tables, this.columnsOf),
    );
    const whole = { ...manifest, files: [...this.files] };
    await writeFile(join(this.root, MANIFEST), `${JSON.stringify(whole, null, 2)}\n`);
    return whole;
  }

  /** The columns of each table written, by path (the Data Package describes them). */
  private readonly columnsOf = new Map<string, readonly { name: string; type: string }[]>();

  private devicesInScope(): Device[] {
    const op = this.op;
    if (op === undefined) return this.src.devices.list();
    return this.src.devices
      .list()
      .filter((d) => d.assignments.some((a) => a.operatorId === op))
      .map((d) => ({ ...d, assignments: d.assignments.filter((a) => a.operatorId === op) }));
  }

  private contractsInScope(devices: readonly Device[]): Contract[] {
    const ids = new Set(devices.map((d) => d.contractId));
    return this.src.contracts.all().filter((c) => this.op === undefined || ids.has(c.id));
  }

  private async contracts(contracts: readonly Contract[]): Promise<void> {
    await mkdir(join(this.root, "contracts"), { recursive: true });
    for (const c of contracts) {
      const path = `contracts/${basename(c.sourceFile)}`;
      await copyFile(c.sourceFile, join(this.root, path));
      this.files.push(await hashFile(this.root, path));
    }
    this.counts.contracts = contracts.length;
  }

  private async inventory(devices: readonly Device[]): Promise<void> {
    const features = devices.map((d) => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: [d.lon, d.lat] },
      properties: {
        id: d.id,
        domain: d.domain,
        contract: d.contractId,
        owner: d.ownerId,
        commune: d.commune,
        attributes: d.attributes,
        assignments: d.assignments.map((a) => ({
          operator: a.operatorId,
          from: new Date(a.from).toISOString(),
          to: a.to === undefined ? null : new Date(a.to).toISOString(),
        })),
      },
    }));
    await this.json("inventory/devices.geojson", { type: "FeatureCollection", features });
    this.counts.devices = devices.length;
  }

  private async readings(contracts: readonly Contract[]): Promise<void> {
    const copier = copierOf(this.src.store);
    if (copier) return this.readingsCopied(copier, contracts);
    return this.readingsScanned(contracts);
  }

  /**
   * The embedded store writes each table itself (copy-out.ts): a file per contract version and
   * month, with no value passing through JavaScript. The store keeps only the fields of each
   * reading's contract version (the pipeline and the import store nothing else), so the columns
   * of the version hold every value.
   */
  private async readingsCopied(copier: ReadingCopier, contracts: readonly Contract[]): Promise<void> {
    let readings = 0;
    for (const c of contracts) {
      const fields = [...c.fields.values()].map((f) => ({ name: f.name, type: f.type }));
      for (const month of await copier.readingMonths({
        contract: c.key,
        ...this.range(),
        ...this.opFilter(),
      })) {
        const [from, to] = this.monthSpan(month);
        const path = readingPath(c.key, month);
        await mkdir(dirname(join(this.root, path)), { recursive: true });
        const q = { contract: c.key, fields, from, to, ...this.opFilter() };
        const rows = await copier.copyReadings({ ...q, path: join(this.root, path), format: "csv" });
        this.files.push({ ...(await hashFile(this.root, path)), rows });
        this.columnsOf.set(path, readingColumns(c));
        if (this.parquet) {
          const parquet = path.replace(/\.csv$/, ".parquet");
          await copier.copyReadings({ ...q, path: join(this.root, parquet), format: "parquet" });
          this.files.push({ ...(await hashFile(this.root, parquet)), rows });
        }
        readings += rows;
        this.options.progress?.("readings", readings);
      }
    }
    this.counts.readings = readings;
    this.counts.fieldValues = await this.src.store.countValues({ ...this.range(), ...this.opFilter() });
  }

  /** The month's span, within the export's range. */
  private monthSpan(month: string): [EpochMs, EpochMs] {
    const [y = 1970, m = 1] = month.split("-").map(Number);
    const from = Math.max(Date.UTC(y, m - 1, 1), this.options.from ?? Number.NEGATIVE_INFINITY);
    const to = Math.min(Date.UTC(y, m, 1), this.options.to ?? Number.POSITIVE_INFINITY);
    return [from, to];
  }

  private async readingsScanned(contracts: readonly Contract[]): Promise<void> {
    const byKey = new Map(contracts.map((c) => [c.key, c]));
    const open = new Map<string, TableFile>();
    let readings = 0;
    let values = 0;
    const scan = this.src.store.scanReadings({ ...this.range(), ...this.opFilter(), pageSize: 5_000 });
    for await (const page of scan) {
      const groups = new Map<string, Cell[][]>();
      for (const o of page) {
        const month = new Date(o.time).toISOString().slice(0, 7);
        const path = readingPath(o.contract, month);
        let rows = groups.get(path);
        if (!rows) {
          rows = [];
          groups.set(path, rows);
        }
        rows.push(readingRow(o, this.contractOf(byKey, o)));
        values += Object.keys(o.values).length;
      }
      for (const [path, rows] of groups) {
        const file = open.get(path) ?? (await this.openReadings(open, path, byKey));
        await file.add(rows);
      }
      readings += page.length;
      await this.closeMonthsBefore(open, page.at(-1)?.time);
      this.options.progress?.("readings", readings);
    }
    for (const file of open.values()) this.files.push(...(await file.close()));
    this.counts.readings = readings;
    this.counts.fieldValues = values;
  }

  private contractOf(byKey: Map<string, Contract>, o: Observation): Contract {
    const c = byKey.get(o.contract) ?? this.src.contracts.all().find((k) => k.key === o.contract);
    if (!c)
      throw new Error(
        `reading of ${o.deviceId} at ${o.time} names contract ${o.contract}, which is not loaded`,
      );
    byKey.set(c.key, c);
    return c;
  }

  private async openReadings(open: Map<string, TableFile>, path: string, byKey: Map<string, Contract>) {
    const key = path.split("/")[1] ?? "";
    const contract = byKey.get(key) as Contract;
    const columns = readingColumns(contract);
    const file = await TableFile.open(this.root, path, columns, this.parquet);
    this.columnsOf.set(path, columns);
    open.set(path, file);
    return file;
  }

  /** Readings come in time order: a month behind the newest reading is complete. */
  private async closeMonthsBefore(open: Map<string, TableFile>, time: EpochMs | undefined): Promise<void> {
    if (time === undefined) return;
    const month = new Date(time).toISOString().slice(0, 7);
    for (const [path, file] of open) {
      if (path.endsWith(`/${month}.csv`)) continue;
      this.files.push(...(await file.close()));
      open.delete(path);
    }
  }

  private async rollups(): Promise<void> {
    const copier = copierOf(this.src.store);
    if (copier) return this.rollupsCopied(copier);
    return this.rollupsScanned();
  }

  /** The embedded store writes each rollup table itself, like the readings. */
  private async rollupsCopied(copier: ReadingCopier): Promise<void> {
    const tables = (Object.keys(ROLLUP_TABLES) as RollupTable[]).filter(
      // Group rollups mix every operator's devices: the collectivity's, not one operator's.
      (t) => this.op === undefined || t.startsWith("device"),
    );
    for (const tier of TIERS) {
      for (const table of tables) {
        const path = rollupPath(tier, table);
        await mkdir(dirname(join(this.root, path)), { recursive: true });
        const q = { table, tier, ...this.range(), ...this.opFilter() };
        const rows = await copier.copyRollups({ ...q, path: join(this.root, path), format: "csv" });
        this.files.push({ ...(await hashFile(this.root, path)), rows });
        this.columnsOf.set(path, ROLLUP_TABLES[table]);
        if (this.parquet) {
          const parquet = path.replace(/\.csv$/, ".parquet");
          await copier.copyRollups({ ...q, path: join(this.root, parquet), format: "parquet" });
          this.files.push({ ...(await hashFile(this.root, parquet)), rows });
        }
        this.counts[path] = rows;
        this.options.progress?.(path, rows);
      }
    }
  }

  private async rollupsScanned(): Promise<void> {
    for (const tier of TIERS) {
      const q = { tier, ...this.range(), ...this.opFilter(), pageSize: 5_000 };
      await this.table(
        rollupPath(tier, "device"),
        ROLLUP_TABLES.device,
        this.src.store.scanDeviceRollups(q),
        (r) => [
          r.time,
          r.deviceId,
          r.domain,
          r.commune,
          r.operatorId,
          r.field,
          r.count,
          r.mean,
          r.min,
          r.max,
          r.sum ?? null,
        ],
      );
      await this.table(
        rollupPath(tier, "device-state"),
        ROLLUP_TABLES["device-state"],
        this.src.store.scanDeviceStateRollups(q),
        (r) => [r.time, r.deviceId, r.domain, r.commune, r.operatorId, r.field, r.state, r.seconds, r.count],
      );
      // Group rollups mix every operator's devices: the collectivity's, not one operator's.
      if (this.op !== undefined) continue;
      const g = { tier, ...this.range(), pageSize: 5_000 };
      await this.table(
        rollupPath(tier, "group"),
        ROLLUP_TABLES.group,
        this.src.store.scanGroupRollups(g),
        (r) => [
          r.time,
          r.commune,
          r.domain,
          r.field,
          r.count,
          r.devices,
          r.mean,
          r.min,
          r.max,
          r.sum ?? null,
        ],
      );
      await this.table(
        rollupPath(tier, "group-state"),
        ROLLUP_TABLES["group-state"],
        this.src.store.scanGroupStateRollups(g),
        (r) => [r.time, r.commune, r.domain, r.field, r.state, r.seconds, r.count, r.devices],
      );
    }
  }

  private async table<T>(
    path: string,
    columns: readonly { name: string; type: string }[],
    pages: AsyncIterable<T[]>,
    row: (item: T) => Cell[],
  ): Promise<number> {
    const file = await TableFile.open(this.root, path, columns as TableFile["columns"], this.parquet);
    this.columnsOf.set(path, columns);
    let n = 0;
    for await (const page of pages) {
      await file.add(page.map(row));
      n += page.length;
      this.options.progress?.(path, n);
    }
    this.files.push(...(await file.close()));
    this.counts[path] = n;
    return n;
  }

  private async quarantine(): Promise<void> {
    const pages = this.oldestFirst("quarantine", (beforeId) =>
      this.src.store.listQuarantine({
        ...this.range(),
        ...this.opFilter(),
        limit: PAGE,
        ...before(beforeId),
      }),
    );
    this.counts.quarantine = await this.table("quarantine.csv", QUARANTINE_COLUMNS, pages, quarantineRow);
  }

  private async violations(): Promise<void> {
    const pages = this.oldestFirst("violations", (beforeId) =>
      this.src.store.listViolations({
        ...this.range(),
        ...this.opFilter(),
        limit: PAGE,
        ...before(beforeId),
      }),
    );
    this.counts.violations = await this.table("violations.csv", VIOLATION_COLUMNS, pages, violationRow);
  }

  /**
   * The quarantine and the violations are paged newest first; the bundle lists them oldest first,
   * so that an import numbers them in the order they came. Each page waits in a file of its own
   * (memory holds one page), then the pages are read back last to first.
   */
  private async *oldestFirst<T extends { id?: number }>(
    name: string,
    page: (beforeId: number | undefined) => Promise<T[]>,
  ): AsyncIterable<T[]> {
    const dir = join(this.root, ".pages", name);
    await mkdir(dir, { recursive: true });
    let count = 0;
    for await (const rows of newestFirst(page)) {
      await writeFile(join(dir, `${count++}.json`), JSON.stringify(rows));
    }
    for (let i = count - 1; i >= 0; i--) {
      const rows = JSON.parse(await readFile(join(dir, `${i}.json`), "utf8")) as T[];
      yield rows.reverse();
    }
    await rm(join(this.root, ".pages"), { recursive: true, force: true });
  }

  private async alerts(): Promise<void> {
    const kept = new Set<number>();
    const alerts = await FileSink.open(this.root, "alerts/alerts.ndjson");
    for await (const page of this.src.alerts.scanAlerts(PAGE)) {
      const mine = page.filter((a) => this.op === undefined || a.operatorId === this.op);
      for (const a of mine) kept.add(a.id);
      await alerts.write(mine.map((a) => `${JSON.stringify(a)}\n`).join(""));
      alerts.rows += mine.length;
    }
    this.files.push({ ...(await alerts.close()), rows: alerts.rows });
    const history = await FileSink.open(this.root, "alerts/history.ndjson");
    for await (const page of this.src.alerts.scanHistory(PAGE)) {
      const mine = page.filter((h) => kept.has(h.alertId));
      await history.write(mine.map((h) => `${JSON.stringify(h)}\n`).join(""));
      history.rows += mine.length;
    }
    this.files.push({ ...(await history.close()), rows: history.rows });
    this.counts.alerts = alerts.rows;
    this.counts.alertHistory = history.rows;
  }

  private async ledger(): Promise<void> {
    const keep = (r: { day: EpochMs; operatorId: string }) =>
      (this.op === undefined || r.operatorId === this.op) && this.inRange(r.day);
    this.counts.deliveries = await this.table(
      "ledger/deliveries.csv",
      DELIVERY_COLUMNS,
      filtered(this.src.clauses.scanDeliveries(), keep),
      (r) => [
        r.day,
        r.operatorId,
        r.contract,
        r.deviceId,
        r.readings,
        r.late,
        r.latencySumMs,
        r.latencyMaxMs,
        ...r.latencyHistogram,
      ],
    );
    this.counts.refusals = await this.table(
      "ledger/refusals.csv",
      REFUSAL_COLUMNS,
      filtered(this.src.clauses.scanRefusals(), keep),
      (r) => [r.day, r.operatorId, r.contract, r.deviceId, r.kind, r.code, r.count],
    );
  }

  private async registers(contracts: readonly Contract[]): Promise<void> {
    const ids = new Set(contracts.map((c) => c.id));
    const exemptions = (await this.src.clauses.listExemptions()).filter(
      (e) => this.op === undefined || (ids.has(e.contractId) && (e.operatorId ?? this.op) === this.op),
    );
    await this.json("registers/exemptions.json", exemptions);
    this.counts.exemptions = exemptions.length;
    // Breaches are the collectivity's records as controller: in a whole-platform bundle only.
    if (this.op !== undefined) return;
    const breaches = await this.src.clauses.listBreaches();
    await this.json("registers/breaches.json", breaches);
    this.counts.breaches = breaches.length;
  }

  private async accessLog(): Promise<void> {
    const path = this.src.accessLogPath;
    if (this.op !== undefined || path === undefined) return;
    await this.src.flushAccessLog?.();
    if (!(await exists(path))) return;
    await copyFile(path, join(this.root, "access-log.ndjson"));
    const file = await hashFile(this.root, "access-log.ndjson");
    const rows = (await readFile(join(this.root, "access-log.ndjson"), "utf8"))
      .split("\n")
      .filter(Boolean).length;
    this.files.push({ ...file, rows });
    this.counts.accessLog = rows;
  }

  private async json(path: string, value: unknown): Promise<void> {
    await this.text(path, `${JSON.stringify(value, null, 2)}\n`);
  }

  private async text(path: string, text: string): Promise<void> {
    const sink = await FileSink.open(this.root, path);
    await sink.write(text);
    this.files.push(await sink.close());
  }

  private manifest(): Manifest {
    const iso = (t: EpochMs | undefined) => (t === undefined ? null : new Date(t).toISOString());
    return {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      createdAt: new Date(this.src.now()).toISOString(),
      owner: this.src.owner,
      scope: { operator: this.op ?? null, from: iso(this.options.from), to: iso(this.options.to) },
      counts: this.counts,
      files: this.files,
    };
  }

  private range(): { from?: EpochMs; to?: EpochMs } {
    return {
      ...(this.options.from !== undefined ? { from: this.options.from } : {}),
      ...(this.options.to !== undefined ? { to: this.options.to } : {}),
    };
  }

  private inRange(t: EpochMs): boolean {
    return (
      (this.options.from === undefined || t >= this.options.from) &&
      (this.options.to === undefined || t < this.options.to)
    );
  }

  private opFilter(): { operatorId?: string } {
    return this.op === undefined ? {} : { operatorId: this.op };
  }
}

function readingRow(o: Observation, contract: Contract): Cell[] {
  const row: Cell[] = [o.time, o.deviceId, o.domain, o.commune, o.ownerId, o.operatorId, o.contract];
  for (const name of contract.fields.keys()) {
    const value = o.values[name];
    row.push(value === undefined ? null : value);
  }
  for (const name of Object.keys(o.values)) {
    if (!contract.fields.has(name))
      throw new Error(`reading of ${o.deviceId} at ${o.time} holds ${name}, not a field of ${o.contract}`);
  }
  return row;
}

function quarantineRow(q: QuarantineEntry): Cell[] {
  return [
    q.id ?? null,
    q.receivedAt,
    q.operatorId,
    q.deviceId ?? null,
    q.contract ?? null,
    q.source,
    q.truncated,
    JSON.stringify(q.reasons),
    q.raw,
  ];
}

function violationRow(v: ViolationRecord): Cell[] {
  return [
    v.id ?? null,
    v.receivedAt,
    v.time,
    v.operatorId,
    v.deviceId,
    v.contract,
    v.code,
    v.path,
    v.detail,
    v.value === undefined ? null : String(v.value),
    v.value === undefined ? null : typeof v.value,
  ];
}

function before(beforeId: number | undefined): { beforeId?: number } {
  return beforeId === undefined ? {} : { beforeId };
}

/** Pages of a newest-first list paged by `beforeId` (the quarantine, the violations). */
async function* newestFirst<T extends { id?: number }>(
  page: (beforeId: number | undefined) => Promise<T[]>,
): AsyncIterable<T[]> {
  let beforeId: number | undefined;
  for (;;) {
    const rows = await page(beforeId);
    if (rows.length === 0) return;
    yield rows;
    const last = rows.at(-1)?.id;
    if (rows.length < PAGE || last === undefined) return;
    beforeId = last;
  }
}

async function* filtered<T>(pages: AsyncIterable<T[]>, keep: (row: T) => boolean): AsyncIterable<T[]> {
  for await (const page of pages) {
    const rows = page.filter(keep);
    if (rows.length > 0) yield rows;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export type { RollupTable };

function copierOf(store: Partial<ReadingCopier>): ReadingCopier | undefined {
  const { copyReadings, copyRollups, readingMonths } = store;
  if (!copyReadings || !copyRollups || !readingMonths) return undefined;
  return {
    copyReadings: copyReadings.bind(store),
    copyRollups: copyRollups.bind(store),
    readingMonths: readingMonths.bind(store),
  };
}
