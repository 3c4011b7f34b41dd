import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { createInterface } from "node:readline";
import type { AlertStore } from "../../alerts/store.ts";
import type { Alert, AlertChange } from "../../alerts/types.ts";
import type { Contract } from "../../contracts/model.ts";
import type { ContractRegistry } from "../../contracts/registry.ts";
import { BundleInvalidError, ImportTargetNotEmptyError } from "../../domain/errors.ts";
import type { Device, Observation, QuarantineEntry, Violation } from "../../domain/types.ts";
import type {
  DeviceRollup,
  DeviceStateRollup,
  GroupRollup,
  GroupStateRollup,
  QuarantineStore,
  RollupStore,
  RollupTier,
  StateRollupStore,
  TimeSeriesStore,
  ViolationLog,
  ViolationRecord,
} from "../../storage/store.ts";
import type { Breach, ClauseStore, DeliveryCount, Exemption, RefusalCount } from "../clause-store.ts";
import { verifyFile } from "../file-access-log.ts";
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  DELIVERY_COLUMNS,
  MANIFEST,
  type Manifest,
  QUARANTINE_COLUMNS,
  REFUSAL_COLUMNS,
  ROLLUP_TABLES,
  type RollupTable,
  readingColumns,
  TIERS,
  VIOLATION_COLUMNS,
} from "./format.ts";
import { readTable } from "./read-table.ts";
import type { Cell, Column } from "./table-file.ts";

/** Where an import writes: an empty Lanterne's stores, opened. */
export interface ImportTargets {
  store: Pick<TimeSeriesStore, "write" | "countValues"> &
    Pick<RollupStore, "writeDeviceRollups" | "writeGroupRollups"> &
    Pick<StateRollupStore, "writeDeviceStateRollups" | "writeGroupStateRollups"> &
    Pick<QuarantineStore, "addQuarantine" | "countQuarantine"> &
    Pick<ViolationLog, "addViolations" | "listViolations">;
  alerts: Pick<AlertStore, "restore" | "lastChangeId">;
  clauses: Pick<
    ClauseStore,
    | "recordDeliveries"
    | "recordRefusals"
    | "scanDeliveries"
    | "addExemption"
    | "revokeExemption"
    | "listExemptions"
    | "openBreach"
    | "updateBreach"
    | "listBreaches"
  >;
  /** The target's contracts: every version a reading names must be one of them. */
  contracts: Pick<ContractRegistry, "all">;
  /** The target's inventory: every device of the bundle must be one of them. */
  devices: { get(id: string): Device | undefined };
  /** Where the bundle's access log is kept, beside the target's own. */
  importedDir: string;
  progress?: (stage: string, done: number) => void;
}

export interface ImportSummary {
  manifest: Manifest;
  /** The manifest file's SHA-256: what the access log records of the import. */
  manifestSha256: string;
  counts: Record<string, number>;
}

const BATCH = 5_000;

/**
 * Checks the whole bundle, then loads it into an empty Lanterne. Nothing is written until every
 * file has been read and found whole (checksums, schemas, cells, devices): a refused bundle
 * leaves the target untouched. The target must be empty: an import never merges.
 */
export async function importBundle(dir: string, targets: ImportTargets): Promise<ImportSummary> {
  await requireEmpty(targets);
  const bundle = await verifyBundle(dir, targets);
  const counts = await new ImportRun(dir, bundle, targets).all();
  return { manifest: bundle.manifest, manifestSha256: bundle.manifestSha256, counts };
}

/** What the checks found, for the writing pass. */
export interface VerifiedBundle {
  manifest: Manifest;
  manifestSha256: string;
  contracts: Map<string, Contract>;
  readingFiles: { path: string; contract: Contract }[];
}

/**
 * Every check an import makes before it writes: the manifest's format, each file's size and
 * SHA-256, no file left out of the manifest, the inventory's devices known to the target, each
 * reading table's contract version known to the target, each table's header and cells, each
 * reading's device listed in the bundle, the access log's chain. The first problem is thrown
 * (ERR_BUNDLE_INVALID) with its file.
 */
export async function verifyBundle(
  dir: string,
  targets: Pick<ImportTargets, "contracts" | "devices" | "progress">,
): Promise<VerifiedBundle> {
  const { manifest, sha256 } = await readManifest(dir);
  await checkFiles(dir, manifest);
  const devices = await bundleDevices(dir, targets.devices);
  const contracts = new Map(targets.contracts.all().map((c) => [c.key, c]));
  const readingFiles = manifest.files
    .filter((f) => f.path.startsWith("readings/") && f.path.endsWith(".csv"))
    .map((f) => {
      const key = f.path.split("/")[1] ?? "";
      const contract = contracts.get(key);
      if (!contract)
        throw new BundleInvalidError(
          f.path,
          `contract version ${key} is not one of this Lanterne's contracts`,
        );
      return { path: f.path, contract };
    });
  for (const { path, contract } of readingFiles) {
    await checkTable(dir, manifest, path, readingColumns(contract), (row, line) => {
      const device = row[1] as string;
      if (!devices.has(device))
        throw new BundleInvalidError(path, `line ${line}: device ${device} is not in the bundle's inventory`);
      if (row[6] !== contract.key)
        throw new BundleInvalidError(
          path,
          `line ${line}: contract ${String(row[6])} in the table of ${contract.key}`,
        );
    });
    targets.progress?.("verify", 0);
  }
  for (const [path, columns] of otherTables(manifest)) await checkTable(dir, manifest, path, columns);
  await checkLines(dir, manifest, "alerts/alerts.ndjson");
  await checkLines(dir, manifest, "alerts/history.ndjson");
  if (manifest.files.some((f) => f.path === "access-log.ndjson")) {
    const verdict = await verifyFile(join(dir, "access-log.ndjson"));
    if (!verdict.ok)
      throw new BundleInvalidError(
        "access-log.ndjson",
        `chain broken at entry ${verdict.seq}: ${verdict.reason}`,
      );
  }
  return { manifest, manifestSha256: sha256, contracts, readingFiles };
}

async function readManifest(dir: string): Promise<{ manifest: Manifest; sha256: string }> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), "utf8");
  } catch {
    throw new BundleInvalidError(MANIFEST, "missing: this is not a Lanterne bundle");
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new BundleInvalidError(MANIFEST, `not JSON: ${(err as Error).message}`);
  }
  if (
    manifest.format !== BUNDLE_FORMAT ||
    manifest.version !== BUNDLE_VERSION ||
    !Array.isArray(manifest.files)
  ) {
    throw new BundleInvalidError(MANIFEST, `not a ${BUNDLE_FORMAT} version ${BUNDLE_VERSION} manifest`);
  }
  return { manifest, sha256: createHash("sha256").update(text).digest("hex") };
}

/** Each listed file whole, and nothing unlisted beside them (a file slipped in is refused too). */
async function checkFiles(dir: string, manifest: Manifest): Promise<void> {
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const path of await walk(dir)) {
    if (path !== MANIFEST && !listed.has(path))
      throw new BundleInvalidError(path, "not listed in the manifest");
  }
  for (const f of manifest.files) {
    if (typeof f.path !== "string" || f.path.includes("..") || f.path.startsWith("/")) {
      throw new BundleInvalidError(String(f.path), "a path outside the bundle");
    }
    const absolute = join(dir, f.path);
    const size = await stat(absolute).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw new BundleInvalidError(f.path, "listed in the manifest but missing");
    if (size !== f.bytes) throw new BundleInvalidError(f.path, `${size} bytes, the manifest says ${f.bytes}`);
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(absolute)) hash.update(chunk as Buffer);
    const sha = hash.digest("hex");
    if (sha !== f.sha256)
      throw new BundleInvalidError(f.path, `SHA-256 ${sha} does not match the manifest's ${f.sha256}`);
  }
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"));
}

async function bundleDevices(dir: string, target: ImportTargets["devices"]): Promise<Set<string>> {
  const path = "inventory/devices.geojson";
  let ids: string[];
  try {
    const doc = JSON.parse(await readFile(join(dir, path), "utf8")) as {
      features: { properties: { id: string } }[];
    };
    ids = doc.features.map((f) => f.properties.id);
  } catch (err) {
    throw new BundleInvalidError(path, `not the bundle's inventory: ${(err as Error).message}`);
  }
  for (const id of ids) {
    if (!target.get(id))
      throw new BundleInvalidError(path, `device ${id} is not in this Lanterne's inventory`);
  }
  return new Set(ids);
}

function otherTables(manifest: Manifest): [string, readonly Column[]][] {
  const tables: [string, readonly Column[]][] = [];
  for (const tier of TIERS) {
    for (const table of Object.keys(ROLLUP_TABLES) as RollupTable[]) {
      tables.push([`rollups/${tier}/${table}.csv`, ROLLUP_TABLES[table]]);
    }
  }
  tables.push(["quarantine.csv", QUARANTINE_COLUMNS], ["violations.csv", VIOLATION_COLUMNS]);
  tables.push(["ledger/deliveries.csv", DELIVERY_COLUMNS], ["ledger/refusals.csv", REFUSAL_COLUMNS]);
  return tables.filter(([path]) => manifest.files.some((f) => f.path === path));
}

async function checkTable(
  dir: string,
  manifest: Manifest,
  path: string,
  columns: readonly Column[],
  each?: (row: Cell[], line: number) => void,
): Promise<void> {
  let rows = 0;
  for await (const page of readTable(dir, path, columns)) {
    const first = page.line - page.rows.length + 1;
    if (each) for (const [i, row] of page.rows.entries()) each(row, first + i);
    rows += page.rows.length;
  }
  const listed = manifest.files.find((f) => f.path === path)?.rows ?? 0;
  if (rows !== listed) throw new BundleInvalidError(path, `${rows} rows, the manifest says ${listed}`);
}

async function checkLines(dir: string, manifest: Manifest, path: string): Promise<void> {
  if (!manifest.files.some((f) => f.path === path)) return;
  let line = 0;
  for await (const text of lines(dir, path)) {
    line++;
    try {
      JSON.parse(text);
    } catch {
      throw new BundleInvalidError(path, `line ${line} is not JSON`);
    }
  }
}

async function* lines(dir: string, path: string): AsyncIterable<string> {
  const reader = createInterface({
    input: createReadStream(join(dir, path)),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const text of reader) if (text !== "") yield text;
}

async function requireEmpty(t: ImportTargets): Promise<void> {
  const problems: string[] = [];
  if ((await t.store.countValues({})) > 0) problems.push("the store holds readings");
  if ((await t.store.countQuarantine({})) > 0) problems.push("the quarantine is not empty");
  if ((await t.store.listViolations({ limit: 1 })).length > 0) problems.push("violations are recorded");
  if ((await t.alerts.lastChangeId()) > 0) problems.push("alerts are recorded");
  for await (const page of t.clauses.scanDeliveries(1)) {
    if (page.length > 0) problems.push("the delivery ledger is not empty");
    break;
  }
  if ((await t.clauses.listExemptions()).length > 0) problems.push("exemptions are registered");
  if ((await t.clauses.listBreaches()).length > 0) problems.push("breaches are recorded");
  if (problems.length > 0)
    throw new ImportTargetNotEmptyError(`${problems.join("; ")}: import into an empty Lanterne`);
}

class ImportRun {
  private readonly counts: Record<string, number> = {};

  constructor(
    private readonly dir: string,
    private readonly bundle: VerifiedBundle,
    private readonly t: ImportTargets,
  ) {}

  async all(): Promise<Record<string, number>> {
    await this.readings();
    await this.rollups();
    await this.quarantine();
    await this.violations();
    await this.alerts();
    await this.ledger();
    await this.registers();
    await this.accessLog();
    return this.counts;
  }

  private async readings(): Promise<void> {
    let n = 0;
    for (const { path, contract } of this.bundle.readingFiles) {
      const columns = readingColumns(contract);
      const names = [...contract.fields.keys()];
      for await (const page of readTable(this.dir, path, columns, BATCH)) {
        await this.t.store.write(page.rows.map((row) => observationOf(row, names)));
        n += page.rows.length;
        this.t.progress?.("readings", n);
      }
    }
    this.counts.readings = n;
  }

  private async rollups(): Promise<void> {
    for (const tier of TIERS) {
      await this.each(`rollups/${tier}/device.csv`, ROLLUP_TABLES.device, (rows) =>
        this.t.store.writeDeviceRollups(
          rows.map((r) => rollupOf<DeviceRollup>(tier, ROLLUP_TABLES.device, r)),
        ),
      );
      await this.each(`rollups/${tier}/device-state.csv`, ROLLUP_TABLES["device-state"], (rows) =>
        this.t.store.writeDeviceStateRollups(
          rows.map((r) => rollupOf<DeviceStateRollup>(tier, ROLLUP_TABLES["device-state"], r)),
        ),
      );
      await this.each(`rollups/${tier}/group.csv`, ROLLUP_TABLES.group, (rows) =>
        this.t.store.writeGroupRollups(rows.map((r) => rollupOf<GroupRollup>(tier, ROLLUP_TABLES.group, r))),
      );
      await this.each(`rollups/${tier}/group-state.csv`, ROLLUP_TABLES["group-state"], (rows) =>
        this.t.store.writeGroupStateRollups(
          rows.map((r) => rollupOf<GroupStateRollup>(tier, ROLLUP_TABLES["group-state"], r)),
        ),
      );
    }
  }

  private async quarantine(): Promise<void> {
    await this.each("quarantine.csv", QUARANTINE_COLUMNS, (rows) =>
      this.t.store.addQuarantine(rows.map(quarantineOf)),
    );
  }

  private async violations(): Promise<void> {
    await this.each("violations.csv", VIOLATION_COLUMNS, (rows) =>
      this.t.store.addViolations(rows.map(violationOf)),
    );
  }

  private async alerts(): Promise<void> {
    this.counts.alerts = await this.ndjson<Alert>("alerts/alerts.ndjson", (page) =>
      this.t.alerts.restore(page, []),
    );
    this.counts.alertHistory = await this.ndjson<AlertChange>("alerts/history.ndjson", (page) =>
      this.t.alerts.restore([], page),
    );
  }

  private async ledger(): Promise<void> {
    await this.each("ledger/deliveries.csv", DELIVERY_COLUMNS, (rows) =>
      this.t.clauses.recordDeliveries(rows.map(deliveryOf)),
    );
    await this.each("ledger/refusals.csv", REFUSAL_COLUMNS, (rows) =>
      this.t.clauses.recordRefusals(rows.map(refusalOf)),
    );
  }

  /**
   * Exemptions in the order they were registered, so that they keep their numbers in an empty
   * register; breaches with each of their changes replayed; every time as it was recorded.
   */
  private async registers(): Promise<void> {
    const exemptions = await this.json<Exemption[]>("registers/exemptions.json", []);
    for (const e of [...exemptions].sort((a, b) => a.id - b.id)) {
      const { id: _id, createdAt: _at, revokedAt, revokedBy, revokeReason, to, ...given } = e;
      // A decision withdrawn before it took effect ends where it starts: registered open, then
      // revoked, it ends there again (revoking never moves an end later).
      const end = to !== undefined && to > e.from ? { to } : {};
      const added = await this.t.clauses.addExemption({ ...given, ...end }, e.createdAt);
      if (revokedAt !== undefined) {
        await this.t.clauses.revokeExemption(added.id, {
          at: revokedAt,
          by: revokedBy ?? "",
          reason: revokeReason ?? "",
        });
      }
    }
    this.counts.exemptions = exemptions.length;
    const breaches = await this.json<Breach[]>("registers/breaches.json", []);
    for (const b of [...breaches].sort((x, y) => x.id - y.id)) {
      const opened = await this.t.clauses.openBreach(
        {
          awareAt: b.awareAt,
          description: b.description,
          contractIds: b.contractIds,
          fields: b.fields,
          openedBy: b.openedBy,
          ...(b.devicesAffected !== undefined ? { devicesAffected: b.devicesAffected } : {}),
        },
        b.openedAt,
      );
      for (const change of b.history) {
        await this.t.clauses.updateBreach(opened.id, change.patch, change.by, change.at);
      }
    }
    this.counts.breaches = breaches.length;
  }

  /** The exporting platform's access log, kept whole beside this one's (its chain was checked). */
  private async accessLog(): Promise<void> {
    if (!this.bundle.manifest.files.some((f) => f.path === "access-log.ndjson")) return;
    await mkdir(this.t.importedDir, { recursive: true });
    const name = `access-log-${this.bundle.manifest.createdAt.replace(/[:.]/g, "-")}.ndjson`;
    await copyFile(join(this.dir, "access-log.ndjson"), join(this.t.importedDir, name));
    this.counts.accessLog = this.bundle.manifest.counts.accessLog ?? 0;
  }

  private async each(
    path: string,
    columns: readonly Column[],
    write: (rows: Cell[][]) => Promise<void>,
  ): Promise<void> {
    if (!this.bundle.manifest.files.some((f) => f.path === path)) return;
    let n = 0;
    for await (const page of readTable(this.dir, path, columns, BATCH)) {
      await write(page.rows);
      n += page.rows.length;
      this.t.progress?.(path, n);
    }
    this.counts[path] = n;
  }

  private async ndjson<T>(path: string, write: (page: T[]) => Promise<void>): Promise<number> {
    if (!this.bundle.manifest.files.some((f) => f.path === path)) return 0;
    let page: T[] = [];
    let n = 0;
    for await (const text of lines(this.dir, path)) {
      page.push(JSON.parse(text) as T);
      if (page.length >= 1_000) {
        await write(page);
        n += page.length;
        page = [];
      }
    }
    if (page.length > 0) await write(page);
    return n + page.length;
  }

  private async json<T>(path: string, fallback: T): Promise<T> {
    if (!this.bundle.manifest.files.some((f) => f.path === path)) return fallback;
    return JSON.parse(await readFile(join(this.dir, path), "utf8")) as T;
  }
}

function observationOf(row: Cell[], fields: readonly string[]): Observation {
  const values: Observation["values"] = {};
  fields.forEach((name, i) => {
    const v = row[7 + i];
    if (v !== null && v !== undefined) values[name] = v;
  });
  return {
    time: row[0] as number,
    deviceId: row[1] as string,
    domain: row[2] as string,
    commune: row[3] as string,
    ownerId: row[4] as string,
    operatorId: row[5] as string,
    contract: row[6] as string,
    values,
  };
}

/**
 * A rollup row as its store takes it: each column under its camelCase name (`device_id` is
 * `deviceId`), a missing optional cell (a gauge's `sum`) left out.
 */
function rollupOf<T>(tier: RollupTier, columns: readonly Column[], r: Cell[]): T {
  const row: Record<string, Cell> = { tier };
  columns.forEach((c, i) => {
    const cell = r[i] ?? null;
    if (cell !== null) row[c.name.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase())] = cell;
  });
  return row as T;
}

function quarantineOf(r: Cell[]): QuarantineEntry {
  return {
    receivedAt: r[1] as number,
    operatorId: (r[2] as string | null) ?? "",
    ...(r[3] !== null ? { deviceId: r[3] as string } : {}),
    ...(r[4] !== null ? { contract: r[4] as string } : {}),
    source: r[5] as string,
    truncated: r[6] as boolean,
    reasons: JSON.parse(r[7] as string) as Violation[],
    raw: r[8] as string,
  };
}

function violationOf(r: Cell[]): ViolationRecord {
  const text = r[9];
  const value = text === null ? undefined : r[10] === "number" ? Number(text) : (text as string);
  return {
    receivedAt: r[1] as number,
    time: r[2] as number,
    operatorId: r[3] as string,
    deviceId: r[4] as string,
    contract: r[5] as string,
    code: r[6] as string,
    path: r[7] as string,
    detail: r[8] as string,
    ...(value !== undefined ? { value } : {}),
  };
}

function deliveryOf(r: Cell[]): DeliveryCount {
  return {
    day: r[0] as number,
    operatorId: r[1] as string,
    contract: r[2] as string,
    deviceId: r[3] as string,
    readings: r[4] as number,
    late: r[5] as number,
    latencySumMs: r[6] as number,
    latencyMaxMs: r[7] as number,
    latencyHistogram: r.slice(8, 16) as number[],
  };
}

function refusalOf(r: Cell[]): RefusalCount {
  return {
    day: r[0] as number,
    operatorId: (r[1] as string | null) ?? "",
    contract: (r[2] as string | null) ?? "",
    deviceId: (r[3] as string | null) ?? "",
    kind: r[4] as RefusalCount["kind"],
    code: r[5] as string,
    count: r[6] as number,
  };
}
