import { ConfigInvalidError } from "../domain/errors.ts";
import type { EpochMs, Observation } from "../domain/types.ts";
import type { PurgeResult, RetentionPlan, RetentionStore, TierUsage } from "../retention/plan.ts";
import {
  type ArchiveFilter,
  type ArchiveSource,
  compareKeys,
  type GroupTierFilter,
  pageSizeOf,
  type TierFilter,
} from "./archive.ts";
import { InfluxHttp, type StatementResult } from "./influx-http.ts";
import {
  aggregateStatement,
  bucketedSeriesStatement,
  candidateDevicesStatement,
  countStatement,
  deviceIdsCondition,
  dimensionTags,
  idChunks,
  ident,
  latestStatement,
  MAX_ID_TERMS,
  Params,
  rawSeriesStatement,
  tagConditions,
  timeBucket,
  timeConditions,
  where,
} from "./influx-queries.ts";
import {
  aggregateRows,
  countOf,
  deviceRollupOfRow,
  deviceStateOfRow,
  type FieldPlan,
  groupRollupOfRow,
  groupStateOfRow,
  latestStates,
  type NamedRow,
  namedRows,
  observationOf,
  rawPoints,
  seriesBuckets,
} from "./influx-results.ts";
import { applyInfluxRetention, influxStorageUsage } from "./influx-retention.ts";
import { createInfluxRollups, ensureRollupPolicies, GROUP_MEASUREMENT, policyOf } from "./influx-rollups.ts";
import { type FieldInfo, type MeasurementInfo, type Schema, SchemaCache } from "./influx-schema.ts";
import { createInfluxStateRollups, GROUP_STATE_MEASUREMENT } from "./influx-state-rollups.ts";
import { InfluxWriter } from "./influx-writer.ts";
import { type DerivedPoint, decodeStored, encodePoint, storedMeasurement } from "./line-protocol.ts";
import type {
  AggregateQuery,
  AggregateRow,
  DeviceFilter,
  DeviceRollup,
  DeviceState,
  DeviceStateRollup,
  GroupRollup,
  GroupStateRollup,
  LatestFilter,
  RollupStore,
  SeriesBucket,
  SeriesQuery,
  StateRollupStore,
  TimeSeriesStore,
} from "./store.ts";
import { LATEST_AT_LOOKBACK_MS } from "./store.ts";

/**
 * The production time-series store: InfluxDB through its v1 HTTP API (line protocol on `/write`,
 * InfluxQL on `/query`), which InfluxDB 1.x serves and 2.x and 3.x keep for compatibility.
 * Schema and escaping: line-protocol.ts; the write path: influx-writer.ts; reads: InfluxQL built
 * in influx-queries.ts (every caller value bound, never spliced) and shaped in influx-results.ts.
 *
 * Semantics worth knowing (checked by test/conformance/store.suite.ts):
 * - a point is (measurement, tag set, time): the same device, time and field written again with
 *   the same attributes replaces the value (last write wins); written again with another contract,
 *   operator or commune, it is another series and both are kept;
 * - a field keeps the type it was first written with in a shard: a later value of another type
 *   for the same domain and field is refused by InfluxDB and reported as a partial write;
 * - latest() matches devices by the attributes of their most recent reading, as the embedded
 *   store does: a device that moved to another commune is found under the new one only;
 * - series() buckets each domain's measurement apart: a device whose readings of one field sit in
 *   two domains within one bucket (it changed domain) gets two buckets for that time and field.
 * Quarantine and violations stay in the embedded state store: InfluxDB holds readings only.
 * Rollups (the RollupStore and StateRollupStore ports) live in the `hourly` and `daily` retention
 * policies, created at start when missing: see influx-rollups.ts and influx-state-rollups.ts.
 */

export interface InfluxStoreConfig {
  /** Base URL of the HTTP API, e.g. "http://127.0.0.1:8086". */
  url: string;
  /** Created at start when missing. Letters, digits, "_", "-" and ".". */
  database: string;
  username?: string;
  password?: string;
  /** Points per `/write` request (default 5,000, InfluxDB's advice). */
  batchLines?: number;
  /** Compress write bodies (default: yes, unless InfluxDB is on this machine): a batch shrinks about 14x. */
  gzip?: boolean;
  /** `/write` requests in flight for the whole store (default 2). */
  concurrency?: number;
  /** Per request, writes and queries alike (default 30 s). */
  timeoutMs?: number;
}

const DEFAULTS = { batchLines: 5_000, gzip: true, concurrency: 2, timeoutMs: 30_000 };
const DATABASE_NAME = /^[A-Za-z0-9_.-]{1,200}$/;
/** How long a learnt schema is trusted before another process's new fields are looked for. */
const SCHEMA_TTL_MS = 5_000;
export function createInfluxStore(config: InfluxStoreConfig): InfluxStore {
  const problems = configProblems(config);
  if (problems.length > 0) throw new ConfigInvalidError(problems.join("\n"));
  return new InfluxStore({
    ...config,
    batchLines: config.batchLines ?? DEFAULTS.batchLines,
    gzip: config.gzip ?? (DEFAULTS.gzip && !isLoopback(config.url)),
    concurrency: config.concurrency ?? DEFAULTS.concurrency,
    timeoutMs: config.timeoutMs ?? DEFAULTS.timeoutMs,
  });
}

/**
 * Over loopback (InfluxDB on the same server, the usual single-machine deployment) compression
 * only spends CPU on both ends, CPU InfluxDB then lacks to index points: measured on the
 * reference machine, gzip costs InfluxDB 1.6.7 about 10 % more CPU per point. Over a network it
 * shrinks a batch about 14 times.
 */
function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host === "[::1]" || /^127\./.test(host);
  } catch {
    return false;
  }
}

function configProblems(config: InfluxStoreConfig): string[] {
  const problems: string[] = [];
  if (!/^https?:\/\/[^/]/.test(config.url))
    problems.push(`influx url must be http(s)://host[:port]: ${config.url}`);
  if (!DATABASE_NAME.test(config.database))
    problems.push(`influx database name not allowed: ${config.database}`);
  for (const key of ["batchLines", "concurrency", "timeoutMs"] as const) {
    const value = config[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
      problems.push(`influx ${key} must be a positive whole number`);
    }
  }
  return problems;
}

/**
 * `influx://[user:pass@]host[:port]/database` (port 8086 by default); `influxs://` for HTTPS.
 * User and password are percent-decoded.
 */
export function parseInfluxUrl(text: string): InfluxStoreConfig {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigInvalidError(`not a URL: ${text.replace(/\/\/[^@/]*@/, "//***@")}`);
  }
  const scheme = { "influx:": "http", "influxs:": "https" }[url.protocol];
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!scheme || url.hostname === "" || database === "" || database.includes("/")) {
    throw new ConfigInvalidError(
      `expected influx://[user:pass@]host[:port]/database, got ${url.protocol}//${url.host}${url.pathname}`,
    );
  }
  const config: InfluxStoreConfig = { url: `${scheme}://${url.hostname}:${url.port || "8086"}`, database };
  if (url.username) config.username = decodeURIComponent(url.username);
  if (url.password) config.password = decodeURIComponent(url.password);
  return config;
}

type ResolvedConfig = InfluxStoreConfig & typeof DEFAULTS;

export class InfluxStore
  implements TimeSeriesStore, RollupStore, StateRollupStore, RetentionStore, ArchiveSource
{
  private readonly http: InfluxHttp;
  private readonly writer: InfluxWriter;
  private readonly schema: SchemaCache;
  private readonly rollups: RollupStore;
  private readonly states: StateRollupStore;

  constructor(private readonly config: ResolvedConfig) {
    this.http = new InfluxHttp(config);
    this.writer = new InfluxWriter(this.http, config.batchLines, config.concurrency);
    this.schema = new SchemaCache(
      async () => (await this.http.query("SHOW FIELD KEYS"))[0] ?? [],
      SCHEMA_TTL_MS,
    );
    const rollupDeps = { http: this.http, writer: this.writer, schema: () => this.schema.get() };
    this.rollups = createInfluxRollups(rollupDeps);
    this.states = createInfluxStateRollups(rollupDeps);
  }

  /** Checks the server answers, and creates the database when it does not exist yet. */
  async start(): Promise<void> {
    await this.http.ping();
    const [databases] = await this.http.query("SHOW DATABASES", {}, false);
    const names = (databases ?? []).flatMap((s) => s.values.map((row) => row[0]));
    if (!names.includes(this.config.database)) {
      await this.http.query(`CREATE DATABASE ${ident(this.config.database)}`, {}, false);
    }
    await ensureRollupPolicies(this.http, this.config.database);
  }

  applyRetention(plan: RetentionPlan, now: EpochMs): Promise<PurgeResult[]> {
    return applyInfluxRetention(this.retentionDeps(), plan, now);
  }

  storageUsage(): Promise<TierUsage[]> {
    return influxStorageUsage(this.retentionDeps());
  }

  private retentionDeps() {
    return { http: this.http, database: this.config.database, schema: () => this.schema.get(true) };
  }

  /** A derived point (the platform's health) into the default policy, beside the readings. */
  async writePoint(point: DerivedPoint): Promise<void> {
    await this.writer.writeLines([encodePoint(point)]);
  }

  /** Waits for the writes in flight; later writes are refused. */
  async close(): Promise<void> {
    await this.writer.close();
  }

  async write(observations: readonly Observation[]): Promise<void> {
    try {
      await this.writer.write(observations);
    } finally {
      this.schema.noteWritten(observations);
    }
  }

  async latest(filter: LatestFilter): Promise<DeviceState[]> {
    if (filter.deviceIds?.length === 0) return [];
    const ids = await this.candidates(filter);
    if (ids?.length === 0) return [];
    const measurements = [...(await this.schema.get()).values()];
    const params = new Params();
    const conditions = [
      ...(ids && ids.length <= MAX_ID_TERMS ? [deviceIdsCondition(params, ids)] : []),
      ...latestWindow(filter.at),
    ];
    const plan = fieldPlan(measurements, () => true);
    if (plan.length === 0) return [];
    const statements = plan.map((p) => latestStatement(p.measurement, p.field, conditions));
    const states = latestStates(plan, await this.http.query(statements.join(";\n"), params.values));
    const wanted = filter.deviceIds ? new Set(filter.deviceIds) : undefined;
    return states.filter((s) => matches(s, filter, wanted));
  }

  async series(q: SeriesQuery): Promise<SeriesBucket[]> {
    if (q.resolutionMs !== undefined) timeBucket(q.resolutionMs);
    const params = new Params();
    // `operator` is a tag of each point: the operator a reading was stored under, bound as a value.
    const tags = tagConditions(params, { deviceIds: [q.deviceId], operatorId: q.operatorId });
    const conditions = [...tags, ...timeConditions(q.from, q.to)];
    const schema = await this.schemaWith([], q.fields ?? []);
    const wanted = q.fields ? new Set(q.fields) : undefined;
    const plan = fieldPlan([...schema.values()], (f) => !wanted || wanted.has(f.name));
    if (plan.length === 0) return [];
    if (q.resolutionMs === undefined) return this.rawSeries(plan, conditions, params);
    const resolutionMs = q.resolutionMs;
    const statements = plan.map((p) =>
      bucketedSeriesStatement(p.measurement, p.field, conditions, resolutionMs),
    );
    return seriesBuckets(plan, await this.http.query(statements.join(";\n"), params.values));
  }

  async aggregate(q: AggregateQuery): Promise<AggregateRow[]> {
    const groupTags = dimensionTags(q.groupBy);
    if (q.resolutionMs !== undefined) timeBucket(q.resolutionMs);
    const params = new Params();
    const conditions = [
      ...timeConditions(q.from, q.to),
      ...tagConditions(params, q.commune === undefined ? {} : { commune: q.commune }),
    ];
    const measurements = await this.measurementsFor(q.domain);
    const plan = fieldPlan(
      measurements,
      (f) => f.numeric !== undefined && (q.field === undefined || f.name === q.field),
    );
    if (plan.length === 0) return [];
    const statements = plan.map((p) =>
      aggregateStatement(p.measurement, numericField(p.field), conditions, groupTags, q.resolutionMs),
    );
    const results = await this.http.query(statements.join(";\n"), params.values);
    const shape =
      q.resolutionMs === undefined ? { dimensions: q.groupBy, from: q.from } : { dimensions: q.groupBy };
    return aggregateRows(plan, results, shape);
  }

  async countValues(filter: DeviceFilter & { from?: EpochMs; to?: EpochMs }): Promise<number> {
    if (filter.deviceIds?.length === 0) return 0;
    let measurement: MeasurementInfo | undefined;
    if (filter.domain !== undefined) {
      [measurement] = await this.measurementsFor(filter.domain);
      if (!measurement) return 0;
    }
    const params = new Params();
    const statements = idChunks(filter.deviceIds).map((deviceIds) => {
      const conditions = [
        ...tagConditions(params, { ...filter, deviceIds }),
        ...timeConditions(filter.from, filter.to),
      ];
      return countStatement(measurement, conditions);
    });
    const results = await this.http.query(statements.join(";\n"), params.values);
    return results.reduce((sum, result) => sum + countOf(result), 0);
  }

  summarize(q: Parameters<RollupStore["summarize"]>[0]): Promise<DeviceRollup[]> {
    return this.rollups.summarize(q);
  }

  writeDeviceRollups(rows: readonly DeviceRollup[]): Promise<void> {
    return this.rollups.writeDeviceRollups(rows);
  }

  writeGroupRollups(rows: readonly GroupRollup[]): Promise<void> {
    return this.rollups.writeGroupRollups(rows);
  }

  deviceRollups(q: Parameters<RollupStore["deviceRollups"]>[0]): Promise<DeviceRollup[]> {
    return this.rollups.deviceRollups(q);
  }

  groupRollups(q: Parameters<RollupStore["groupRollups"]>[0]): Promise<GroupRollup[]> {
    return this.rollups.groupRollups(q);
  }

  summarizeStates(q: Parameters<StateRollupStore["summarizeStates"]>[0]): Promise<DeviceStateRollup[]> {
    return this.states.summarizeStates(q);
  }

  writeDeviceStateRollups(rows: readonly DeviceStateRollup[]): Promise<void> {
    return this.states.writeDeviceStateRollups(rows);
  }

  writeGroupStateRollups(rows: readonly GroupStateRollup[]): Promise<void> {
    return this.states.writeGroupStateRollups(rows);
  }

  deviceStateRollups(q: Parameters<StateRollupStore["deviceStateRollups"]>[0]): Promise<DeviceStateRollup[]> {
    return this.states.deviceStateRollups(q);
  }

  groupStateRollups(q: Parameters<StateRollupStore["groupStateRollups"]>[0]): Promise<GroupStateRollup[]> {
    return this.states.groupStateRollups(q);
  }

  /**
   * Every point of the domains' measurements, the owner tag included: what was written comes
   * back (see ArchiveSource). One InfluxDB point is one (series, time) with all its fields, so
   * it is one observation as it stands; the schema is reloaded first so that a field another
   * process added is not left out.
   */
  async *scanReadings(q: ArchiveFilter): AsyncGenerator<Observation[]> {
    const pageSize = pageSizeOf(q.pageSize);
    if (q.deviceIds?.length === 0) return;
    const measurements = [...(await this.schema.get(true)).values()];
    const params = new Params();
    const sources = measurements.flatMap((m) =>
      idChunks(q.deviceIds).map((deviceIds) => ({
        from: ident(m.key),
        conditions: tagConditions(params, { deviceIds, operatorId: q.operatorId }),
        items: (result: StatementResult | undefined) =>
          namedRows(result).map(({ row }) => observationOf(m.domain, row)),
      })),
    );
    yield* timeOrdered(this.http, { sources, params, compare: byObservation }, q, pageSize);
  }

  async *scanDeviceRollups(q: TierFilter): AsyncGenerator<DeviceRollup[]> {
    yield* this.scanDevices(q, "", (domain, row) => deviceRollupOfRow(q.tier, domain, row), byDeviceRow);
  }

  async *scanDeviceStateRollups(q: TierFilter): AsyncGenerator<DeviceStateRollup[]> {
    yield* this.scanDevices(
      q,
      "_state",
      (domain, row) => deviceStateOfRow(q.tier, domain, row),
      byDeviceState,
    );
  }

  async *scanGroupRollups(q: GroupTierFilter): AsyncGenerator<GroupRollup[]> {
    yield* this.scanGroups(q, GROUP_MEASUREMENT, (row) => groupRollupOfRow(q.tier, row), byGroupRow);
  }

  async *scanGroupStateRollups(q: GroupTierFilter): AsyncGenerator<GroupStateRollup[]> {
    yield* this.scanGroups(q, GROUP_STATE_MEASUREMENT, (row) => groupStateOfRow(q.tier, row), byGroupState);
  }

  /**
   * Device rows of a tier from every `<domain><suffix>_<tier>` measurement. A measurement name
   * alone cannot tell a numeric row of domain "x_state" from a state row of domain "x": the
   * fields do, and a point of the other kind is left out by `row`.
   */
  private async *scanDevices<T extends { time: EpochMs }>(
    q: TierFilter,
    suffix: string,
    row: (domain: string, named: NamedRow) => T | undefined,
    compare: (a: T, b: T) => number,
  ): AsyncGenerator<T[]> {
    const pageSize = pageSizeOf(q.pageSize);
    const policy = policyOf(q.tier);
    if (q.deviceIds?.length === 0) return;
    const ending = `${suffix}_${q.tier}`;
    const groups = new Set([`${GROUP_MEASUREMENT}_${q.tier}`, `${GROUP_STATE_MEASUREMENT}_${q.tier}`]);
    const names = (await this.measurementNames()).filter((n) => n.endsWith(ending) && !groups.has(n));
    const params = new Params();
    const sources = names.flatMap((name) =>
      idChunks(q.deviceIds).map((deviceIds) => ({
        from: `${ident(policy)}.${ident(storedMeasurement(name))}`,
        conditions: tagConditions(params, { deviceIds, operatorId: q.operatorId }),
        items: (result: StatementResult | undefined) =>
          namedRows(result).flatMap(({ row: named }) => row(name.slice(0, -ending.length), named) ?? []),
      })),
    );
    yield* timeOrdered(this.http, { sources, params, compare }, q, pageSize);
  }

  private async *scanGroups<T extends { time: EpochMs }>(
    q: GroupTierFilter,
    measurement: string,
    row: (named: NamedRow) => T | undefined,
    compare: (a: T, b: T) => number,
  ): AsyncGenerator<T[]> {
    const pageSize = pageSizeOf(q.pageSize);
    const from = `${ident(policyOf(q.tier))}.${ident(storedMeasurement(`${measurement}_${q.tier}`))}`;
    const source = {
      from,
      conditions: [],
      items: (result: StatementResult | undefined) =>
        namedRows(result).flatMap(({ row: named }) => row(named) ?? []),
    };
    yield* timeOrdered(this.http, { sources: [source], params: new Params(), compare }, q, pageSize);
  }

  /** Every measurement's name, decoded (SHOW MEASUREMENTS is not per retention policy). */
  private async measurementNames(): Promise<string[]> {
    const [result] = await this.http.query("SHOW MEASUREMENTS");
    return (result ?? []).flatMap((s) => s.values.map((v) => decodeStored(String(v[0]))));
  }

  private async rawSeries(plan: FieldPlan[], conditions: string[], params: Params): Promise<SeriesBucket[]> {
    const byMeasurement = new Map<MeasurementInfo, FieldInfo[]>();
    for (const p of plan) {
      const fields = byMeasurement.get(p.measurement) ?? [];
      fields.push(p.field);
      byMeasurement.set(p.measurement, fields);
    }
    const groups = [...byMeasurement];
    const statements = groups.map(([m, fields]) => rawSeriesStatement(m, fields, conditions));
    const results = await this.http.query(statements.join(";\n"), params.values);
    return rawPoints(
      groups.map(([, fields]) => fields),
      results,
    );
  }

  /**
   * Devices that have a reading under the filter's attributes (from the series index, cheap),
   * or the filter's own ids when it names no attribute. Undefined means "every device".
   */
  private async candidates(filter: DeviceFilter): Promise<readonly string[] | undefined> {
    if (filter.domain === undefined && filter.commune === undefined && filter.operatorId === undefined) {
      return filter.deviceIds;
    }
    let measurement: MeasurementInfo | undefined;
    if (filter.domain !== undefined) {
      [measurement] = await this.measurementsFor(filter.domain);
      if (!measurement) return [];
    }
    const params = new Params();
    const ids = filter.deviceIds && filter.deviceIds.length <= MAX_ID_TERMS ? filter.deviceIds : undefined;
    const statement = candidateDevicesStatement(
      measurement,
      tagConditions(params, { ...filter, deviceIds: ids }),
    );
    const [result] = await this.http.query(statement, params.values);
    return [...new Set((result ?? []).flatMap((s) => s.values.map((row) => decodeStored(String(row[1])))))];
  }

  /** The measurement of one domain (none when nothing was stored for it), or all of them. */
  private async measurementsFor(domain: string | undefined): Promise<MeasurementInfo[]> {
    if (domain === undefined) return [...(await this.schema.get()).values()];
    const m = (await this.schemaWith([domain], [])).get(storedMeasurement(domain));
    return m ? [m] : [];
  }

  /** The schema, reloaded once when it does not know a domain or field the read names. */
  private async schemaWith(domains: readonly string[], fields: readonly string[]): Promise<Schema> {
    const schema = await this.schema.get();
    const known = (s: Schema) =>
      domains.every((d) => s.has(storedMeasurement(d))) &&
      fields.every((f) => [...s.values()].some((m) => m.fields.some((x) => x.name === f)));
    return known(schema) ? schema : this.schema.get(true);
  }
}

function fieldPlan(measurements: readonly MeasurementInfo[], keep: (f: FieldInfo) => boolean): FieldPlan[] {
  return measurements.flatMap((measurement) =>
    measurement.fields.filter(keep).map((field) => ({ measurement, field })),
  );
}

function numericField(field: FieldInfo): FieldInfo & { numeric: "float" | "integer" } {
  return { ...field, numeric: field.numeric ?? "float" };
}

/** The port's filter on a device's current attributes (those of its most recent reading). */
/**
 * latest() at an instant: LAST of each field over [at - LATEST_AT_LOOKBACK_MS, at], so the
 * attributes a device is matched on are those of its newest reading in the window. The candidate
 * devices come from the index, which has no time: one that read nothing in the window is absent.
 */
function latestWindow(at: EpochMs | undefined): string[] {
  return at === undefined ? [] : timeConditions(at - LATEST_AT_LOOKBACK_MS, at + 1);
}

function matches(state: DeviceState, filter: DeviceFilter, ids: ReadonlySet<string> | undefined): boolean {
  return (
    (ids === undefined || ids.has(state.deviceId)) &&
    (filter.domain === undefined || state.domain === filter.domain) &&
    (filter.commune === undefined || state.commune === filter.commune) &&
    (filter.operatorId === undefined || state.operatorId === filter.operatorId)
  );
}

// ---------------------------------------------------------------- archive scans

interface ScanSource<T> {
  /** `"measurement"` or `"policy"."measurement"`, quoted. */
  from: string;
  /** Tag conditions, their values bound in the scan's params. */
  conditions: readonly string[];
  items(result: StatementResult | undefined): T[];
}

interface ScanPlan<T> {
  sources: readonly ScanSource<T>[];
  params: Params;
  compare(a: T, b: T): number;
}

/**
 * Rows of every source in time order, in pages, by a cursor on time: InfluxQL 1.x can neither
 * compare tags with `>` (no keyset on the device) nor sort by a tag, and OFFSET over a shard is
 * what the port forbids. Each round asks every source for its first `pageSize` points from the
 * cursor on (`LIMIT`, in time order). A source that filled its page may have more points at its
 * last time, so only times before the earliest such last time are complete: those rows are
 * yielded, sorted here by their key, and the cursor moves to that time. Memory holds a round:
 * at most a page per source.
 *
 * When an instant alone holds more than a page of one source (a rollup bucket of the whole fleet,
 * many devices stamped at the same ms), no time lies before it: that instant is read whole, in
 * one request per source, and yielded in pages. Memory is then that of one instant, bounded by
 * the fleet (20,000 devices' rows of a bucket, a few tens of MB at worst), never by the history.
 */
async function* timeOrdered<T extends { time: EpochMs }>(
  http: InfluxHttp,
  plan: ScanPlan<T>,
  range: { from?: EpochMs; to?: EpochMs },
  pageSize: number,
): AsyncGenerator<T[]> {
  if (plan.sources.length === 0) return;
  let from = range.from;
  while (from === undefined || range.to === undefined || from < range.to) {
    const results = await askAll(http, plan, timeConditions(from, range.to), ` LIMIT ${pageSize}`);
    const bound = completeBefore(results, pageSize);
    const items = plan.sources
      .flatMap((s, i) => s.items(results[i]))
      .filter((item) => item.time < bound)
      .sort(plan.compare);
    if (items.length > 0) {
      yield* inPages(items, pageSize);
    } else if (Number.isFinite(bound)) {
      const instant = await askAll(http, plan, timeConditions(bound, bound + 1), "");
      yield* inPages(plan.sources.flatMap((s, i) => s.items(instant[i])).sort(plan.compare), pageSize);
    }
    if (!Number.isFinite(bound)) return;
    from = items.length > 0 ? bound : bound + 1;
  }
}

async function askAll<T>(
  http: InfluxHttp,
  plan: ScanPlan<T>,
  time: readonly string[],
  tail: string,
): Promise<StatementResult[]> {
  const statements = plan.sources.map(
    (s) => `SELECT * FROM ${s.from}${where([...s.conditions, ...time])}${tail}`,
  );
  return http.query(statements.join(";\n"), plan.params.values);
}

/** The earliest last time of a source that filled its page; infinite when none did. */
function completeBefore(results: readonly StatementResult[], pageSize: number): EpochMs {
  let bound = Number.POSITIVE_INFINITY;
  for (const result of results) {
    const rows = result.reduce((n, s) => n + s.values.length, 0);
    if (rows < pageSize) continue;
    for (const series of result) {
      const last = series.values.at(-1)?.[0];
      if (typeof last === "number") bound = Math.min(bound, last);
    }
  }
  return bound;
}

function* inPages<T>(items: readonly T[], pageSize: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += pageSize) yield items.slice(i, i + pageSize);
}

function byObservation(a: Observation, b: Observation): number {
  return (
    a.time - b.time ||
    compareKeys(
      [a.deviceId, a.domain, a.commune, a.ownerId, a.operatorId, a.contract],
      [b.deviceId, b.domain, b.commune, b.ownerId, b.operatorId, b.contract],
    )
  );
}

function byDeviceRow(a: DeviceRollup, b: DeviceRollup): number {
  return a.time - b.time || compareKeys([a.deviceId, a.field], [b.deviceId, b.field]);
}

function byDeviceState(a: DeviceStateRollup, b: DeviceStateRollup): number {
  return a.time - b.time || compareKeys([a.deviceId, a.field, a.state], [b.deviceId, b.field, b.state]);
}

function byGroupRow(a: GroupRollup, b: GroupRollup): number {
  return a.time - b.time || compareKeys([a.commune, a.domain, a.field], [b.commune, b.domain, b.field]);
}

function byGroupState(a: GroupStateRollup, b: GroupStateRollup): number {
  return (
    a.time - b.time ||
    compareKeys([a.commune, a.domain, a.field, a.state], [b.commune, b.domain, b.field, b.state])
  );
}
