import { BadRequestError, InfrastructureError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import { consumptionPerBucket, type MeterReading } from "./counter-increases.ts";
import { type InfluxHttp, type InfluxSeries, STORE_REFUSED, type StatementResult } from "./influx-http.ts";
import {
  deviceIdsCondition,
  fieldRef,
  idChunks,
  ident,
  Params,
  tagEquals,
  timeBucket,
  timeConditions,
  where,
} from "./influx-queries.ts";
import { tagValue } from "./influx-results.ts";
import type { FieldInfo, MeasurementInfo, Schema } from "./influx-schema.ts";
import type { InfluxWriter } from "./influx-writer.ts";
import { encodePoint, storedMeasurement, TAG } from "./line-protocol.ts";
import {
  COUNTER_MAX_GAP_MS,
  type DeviceRollup,
  type GroupRollup,
  type RollupStore,
  type RollupTier,
  TIER_MS,
} from "./store.ts";

/**
 * The rollup port on InfluxDB, in the schema the Grafana dashboards read
 * (test/integration/dashboards.test.ts):
 * - device rollups: measurement `<domain>_1h` in retention policy `hourly`, `<domain>_1d` in
 *   `daily`; tags commune, device_id, field, operator; float fields count, mean, min, max, and
 *   sum (a counter's consumption over the bucket) on counter fields' points only;
 * - group rollups: `rollup_commune_1h` / `rollup_commune_1d` in the same policies; tags commune,
 *   domain, field; float fields count, devices, mean, min, max, and sum on counter fields' points.
 * The point time is the bucket start. Names and tag values are stored and escaped as readings'
 * are (line-protocol.ts), and every caller value in a query is a bound parameter. A point without
 * `sum` reads back without it (InfluxDB answers null for a field a point lacks).
 *
 * Replacing: a group rollup's port key (tier, time, commune, domain, field) is exactly its
 * InfluxDB point key (measurement, tags, time), so writing it again overwrites it. A device
 * rollup's port key (tier, time, device, field) is not: a device that changed domain, commune or
 * operator gets a point in another series, and the old one would survive. So after writing,
 * the device's points at those times are looked up across the tier's measurements and those in
 * another series are removed with `DELETE` (which InfluxDB 1.x applies to every retention
 * policy; it cannot be qualified with one, and only rollup measurements carry a `field` tag).
 * Deleting only on an actual change keeps tombstones rare, and the data clean for Grafana, which
 * reads these measurements directly and could not pick "the newest write" among duplicates.
 * Writing first means a crash in between leaves a duplicate rather than a gap, until the bucket
 * is recomputed. This assumes one writer of rollups at a time (the maintainer).
 * InfluxDB merges the fields of a point written twice: a row written without `sum` over one
 * that had it keeps the old `sum`. That happens only when a field stops being a counter (a
 * contract changes its measure kind) and an old bucket is recomputed; Grafana's energy panels
 * read `sum` of counter fields only, and a DELETE before every write to rule it out would cost
 * a tombstone per bucket and pass.
 * InfluxDB 2.x and 3.x refuse `DELETE` on their v1 endpoint: there, such a write fails with
 * ERR_STORE_REFUSED instead of leaving two rows.
 */

export interface InfluxRollupsDeps {
  http: InfluxHttp;
  writer: InfluxWriter;
  /** The raw readings' measurements and fields (the default retention policy). */
  schema: () => Promise<Schema>;
}

const POLICY: Record<RollupTier, { name: string; shardDuration: string }> = {
  "1h": { name: "hourly", shardDuration: "4w" },
  "1d": { name: "daily", shardDuration: "52w" },
};
/** The group rollups' measurement, suffixed by the tier. */
export const GROUP_MEASUREMENT = "rollup_commune";
export const FIELD_TAG = "field";
export const DOMAIN_TAG = "domain";

export function createInfluxRollups(deps: InfluxRollupsDeps): RollupStore {
  const written = new WrittenSeries();
  return {
    summarize: (q) => summarize(deps, q),
    writeDeviceRollups: (rows) => writeDeviceRollups(deps, rows, written),
    writeGroupRollups: (rows) => writeGroupRollups(deps, rows),
    deviceRollups: (q) => deviceRollups(deps.http, q),
    groupRollups: (q) => groupRollups(deps.http, q),
  };
}

/**
 * Creates the `hourly` and `daily` policies when missing (never as default, and an existing one
 * is left as it is: its duration comes from the data contracts). InfluxDB 2.x and 3.x have no
 * such statement (their DBRP mappings are made with their CLI, see infra/influxdb/), and a 1.x
 * user who is not an administrator may not run it (setup-1x.sh does it then): a refusal does not
 * stop the start, the rollup reads and writes will tell if a policy is really missing.
 */
export async function ensureRollupPolicies(http: InfluxHttp, database: string): Promise<void> {
  const existing = await unlessRefused(() => policyNames(http, database));
  for (const { name, shardDuration } of Object.values(POLICY)) {
    if (existing?.has(name)) continue;
    const statement = `CREATE RETENTION POLICY ${ident(name)} ON ${ident(database)} DURATION INF REPLICATION 1 SHARD DURATION ${shardDuration}`;
    await unlessRefused(() => http.query(statement, {}, false));
  }
}

async function policyNames(http: InfluxHttp, database: string): Promise<Set<string>> {
  const [result] = await http.query(`SHOW RETENTION POLICIES ON ${ident(database)}`, {}, false);
  return new Set((result ?? []).flatMap((s) => s.values.map((row) => String(row[0]))));
}

/** Undefined when InfluxDB refused for good; an outage still throws. */
export async function unlessRefused<T>(task: () => Promise<T>): Promise<T | undefined> {
  try {
    return await task();
  } catch (err) {
    if (err instanceof InfrastructureError && err.code === STORE_REFUSED) return undefined;
    throw err;
  }
}

/** The retention policy holding a rollup tier (`hourly`, `daily`). */
export function policyOf(tier: RollupTier): string {
  const policy = POLICY[tier];
  if (policy === undefined) throw new BadRequestError(`unknown rollup tier ${String(tier)}`);
  return policy.name;
}

/** `"hourly"."<stored name>"`: the name is quoted, never a regex. */
export function source(tier: RollupTier, measurement: string): string {
  return `${ident(policyOf(tier))}.${ident(storedMeasurement(`${measurement}_${tier}`))}`;
}

function deviceKey(time: EpochMs, deviceId: string, field: string): string {
  return JSON.stringify([time, deviceId, field]);
}

export function byTier<T extends { tier: RollupTier }>(rows: readonly T[]): Map<RollupTier, T[]> {
  const tiers = new Map<RollupTier, T[]>();
  for (const r of rows) {
    policyOf(r.tier);
    const tierRows = tiers.get(r.tier);
    if (tierRows) tierRows.push(r);
    else tiers.set(r.tier, [r]);
  }
  return tiers;
}

/** The last row of each key: batches go out side by side, so a write must not repeat a point. */
export function lastPerKey<T>(rows: readonly T[], key: (r: T) => string): T[] {
  return [...new Map(rows.map((r) => [key(r), r])).values()];
}

export function numberAt(row: unknown[], i: number): number | undefined {
  const value = row[i];
  return typeof value === "number" ? value : undefined;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- summarize

type NumericField = FieldInfo & { numeric: "float" | "integer" };

interface SummaryPlan {
  measurement: MeasurementInfo;
  fields: NumericField[];
}

/** One InfluxDB series' share of a (bucket, device, field): merged with the device's other series. */
interface SeriesSummary {
  measurement: MeasurementInfo;
  field: NumericField;
  commune: string;
  operatorId: string;
  count: number;
  sum: number;
  min: number;
  max: number;
}

interface Summary {
  row: DeviceRollup;
  /** The sum of the values, for the mean (a counter's consumption is `row.sum`). */
  total: number;
  sources: SeriesSummary[];
}

type SummarizeQuery = Parameters<RollupStore["summarize"]>[0];

async function summarize(deps: InfluxRollupsDeps, q: SummarizeQuery): Promise<DeviceRollup[]> {
  const size = TIER_MS[q.tier];
  policyOf(q.tier);
  if (q.deviceIds.length === 0 || !(q.from < q.to)) return [];
  const plans = summaryPlans(await deps.schema());
  if (plans.length === 0) return [];
  const params = new Params();
  const devices = idChunks(q.deviceIds).map((ids) => deviceIdsCondition(params, ids));
  const range = timeConditions(q.from, q.to);
  const statements = plans.flatMap((p) => devices.map((d) => summaryStatement(p, [d, ...range], size)));
  // The counters' readings go in the same request: one round trip per pass and bucket, as before.
  const meters = meterStatements(counterPlans(plans, q.counters), devices, q);
  const all = [...statements, ...meters.map((m) => m.statement)];
  const results = await deps.http.query(all.join(";\n"), params.values);
  const summaries = mergeSummaries(q.tier, plans, devices.length, results.slice(0, statements.length));
  await settleAttributes(deps.http, q, summaries);
  setConsumption(summaries, q, meterReadings(meters, results.slice(statements.length)));
  return [...summaries.values()].map((s) => ({ ...s.row, mean: s.total / s.row.count }));
}

function summaryPlans(schema: Schema): SummaryPlan[] {
  return [...schema.values()]
    .map((measurement) => ({
      measurement,
      fields: measurement.fields.filter((f): f is NumericField => f.numeric !== undefined),
    }))
    .filter((p) => p.fields.length > 0);
}

/**
 * Sums per bucket and series (device, commune, operator; a contract change is merged by InfluxDB
 * itself), every numeric field of the measurement in one statement: with GROUP BY time() every
 * row's time is its bucket start, so several selectors do no harm here.
 */
function summaryStatement(p: SummaryPlan, conditions: readonly string[], size: number): string {
  const stats = p.fields.map((f) => {
    const value = fieldRef(f, f.numeric);
    return `COUNT(${value}), SUM(${value}), MIN(${value}), MAX(${value})`;
  });
  const keys = [timeBucket(size), ...[TAG.deviceId, TAG.commune, TAG.operator].map(ident)];
  return `SELECT ${stats.join(", ")} FROM ${ident(p.measurement.key)}${where(conditions)} GROUP BY ${keys.join(", ")} fill(none)`;
}

/** Results come plan by plan, `chunks` statements each; a field without values reads null. */
function mergeSummaries(
  tier: RollupTier,
  plans: readonly SummaryPlan[],
  chunks: number,
  results: readonly StatementResult[],
): Map<string, Summary> {
  const summaries = new Map<string, Summary>();
  results.forEach((result, i) => {
    const plan = plans[Math.floor(i / chunks)] as SummaryPlan;
    for (const series of result) {
      for (const row of series.values) {
        plan.fields.forEach((field, j) => {
          const share = seriesSummary(plan.measurement, field, series, row, 1 + 4 * j);
          if (share)
            addShare(summaries, tier, row[0] as EpochMs, tagValue(series.tags?.[TAG.deviceId]), share);
        });
      }
    }
  });
  return summaries;
}

function seriesSummary(
  measurement: MeasurementInfo,
  field: NumericField,
  series: InfluxSeries,
  row: unknown[],
  at: number,
): SeriesSummary | undefined {
  const [count, sum, min, max] = [0, 1, 2, 3].map((k) => numberAt(row, at + k));
  if (!count || sum === undefined || min === undefined || max === undefined) return undefined;
  const commune = tagValue(series.tags?.[TAG.commune]);
  const operatorId = tagValue(series.tags?.[TAG.operator]);
  return { measurement, field, commune, operatorId, count, sum, min, max };
}

function addShare(
  summaries: Map<string, Summary>,
  tier: RollupTier,
  time: EpochMs,
  deviceId: string,
  share: SeriesSummary,
): void {
  const key = deviceKey(time, deviceId, share.field.name);
  const seen = summaries.get(key);
  if (!seen) {
    const { measurement, field, commune, operatorId, count, min, max } = share;
    const row = { tier, time, deviceId, domain: measurement.domain, commune, operatorId, field: field.name };
    summaries.set(key, { row: { ...row, count, mean: 0, min, max }, total: share.sum, sources: [share] });
    return;
  }
  seen.row.count += share.count;
  seen.total += share.sum;
  seen.row.min = Math.min(seen.row.min, share.min);
  seen.row.max = Math.max(seen.row.max, share.max);
  seen.sources.push(share);
}

// ---------------------------------------------------------------- counters' consumption

/** A statement answering, per device, readings of some counter fields (columns 1..n). */
interface MeterStatement {
  statement: string;
  fields: readonly NumericField[];
}

/** One device's readings of one counter field, from every measurement and series it is in. */
interface Meter {
  deviceId: string;
  field: string;
  readings: MeterReading[];
}

function counterPlans(plans: readonly SummaryPlan[], counters: readonly string[] = []): SummaryPlan[] {
  const names = new Set(counters);
  if (names.size === 0) return [];
  return plans
    .map((p) => ({ measurement: p.measurement, fields: p.fields.filter((f) => names.has(f.name)) }))
    .filter((p) => p.fields.length > 0);
}

/**
 * The counters' readings in [from, to), and each one's newest reading in the look-back
 * [from - COUNTER_MAX_GAP_MS, from), which only serves as the first reading's predecessor:
 * asking LAST there instead of every reading keeps an hourly pass from reading a day of points
 * per device. GROUP BY device_id merges a device's series (operators, communes, contracts) into
 * one, in time order on InfluxDB 1.6 (and sorted again in consumptionPerBucket, which also merges
 * the measurements of a device that changed domain). LAST gets a statement per field: several
 * selectors in one statement would lose the reading's time.
 */
function meterStatements(
  plans: readonly SummaryPlan[],
  devices: readonly string[],
  q: SummarizeQuery,
): MeterStatement[] {
  const range = timeConditions(q.from, q.to);
  const lookBack = timeConditions(q.from - COUNTER_MAX_GAP_MS, q.from);
  const byDevice = ` GROUP BY ${ident(TAG.deviceId)}`;
  return plans.flatMap(({ measurement, fields }) => {
    const from = ` FROM ${ident(measurement.key)}`;
    return devices.flatMap((d) => [
      {
        statement: `SELECT ${fields.map((f) => fieldRef(f, f.numeric)).join(", ")}${from}${where([d, ...range])}${byDevice}`,
        fields,
      },
      ...fields.map((f) => ({
        statement: `SELECT LAST(${fieldRef(f, f.numeric)})${from}${where([d, ...lookBack])}${byDevice}`,
        fields: [f],
      })),
    ]);
  });
}

function meterReadings(statements: readonly MeterStatement[], results: readonly StatementResult[]): Meter[] {
  const meters = new Map<string, Meter>();
  statements.forEach(({ fields }, i) => {
    for (const series of results[i] ?? []) {
      const deviceId = tagValue(series.tags?.[TAG.deviceId]);
      for (const row of series.values) {
        const time = numberAt(row, 0);
        if (time === undefined) continue;
        fields.forEach((f, j) => {
          const value = numberAt(row, 1 + j);
          if (value === undefined) return;
          const key = JSON.stringify([deviceId, f.name]);
          const meter = meters.get(key) ?? { deviceId, field: f.name, readings: [] };
          meter.readings.push({ time, value });
          meters.set(key, meter);
        });
      }
    }
  });
  return [...meters.values()];
}

/** Every counter row gets its consumption, 0 when no increase fell in its bucket. */
function setConsumption(summaries: Map<string, Summary>, q: SummarizeQuery, meters: readonly Meter[]): void {
  const counters = new Set(q.counters ?? []);
  if (counters.size === 0) return;
  for (const { row } of summaries.values()) if (counters.has(row.field)) row.sum = 0;
  for (const m of meters) {
    for (const [bucket, used] of consumptionPerBucket(m.readings, q.from, TIER_MS[q.tier])) {
      const summary = summaries.get(deviceKey(bucket, m.deviceId, m.field));
      if (summary) summary.row.sum = used;
    }
  }
}

// ---------------------------------------------------------------- newest attributes

/** Where a device's newest value of a field in a bucket was read. */
interface Newest {
  time: EpochMs;
  domain: string;
  commune: string;
  operatorId: string;
}

/** Devices to ask for their newest reading of one measurement's field within one bucket. */
interface Handover {
  measurement: MeasurementInfo;
  field: NumericField;
  bucket: EpochMs;
  deviceIds: Set<string>;
}

/**
 * A (bucket, device, field) summed from several series (the device changed domain, commune or
 * operator within the bucket) takes the attributes of its newest reading. With GROUP BY time()
 * InfluxQL gives bucket starts, not reading times, so those few cases are asked again, one
 * bucket at a time, with LAST and no time grouping, which answers the reading's own time.
 */
async function settleAttributes(
  http: InfluxHttp,
  q: SummarizeQuery,
  summaries: Map<string, Summary>,
): Promise<void> {
  const handovers = handoversOf(summaries);
  if (handovers.length === 0) return;
  const params = new Params();
  const size = TIER_MS[q.tier];
  const planned = handovers.flatMap((h) =>
    idChunks([...h.deviceIds]).map((ids) => ({
      handover: h,
      statement: newestStatement(params, h, ids, q, size),
    })),
  );
  const results = await http.query(planned.map((p) => p.statement).join(";\n"), params.values);
  const newest = new Map<string, Newest>();
  planned.forEach((p, i) => {
    collectNewest(newest, p.handover, results[i] ?? []);
  });
  for (const [key, n] of newest) {
    const summary = summaries.get(key);
    if (summary)
      Object.assign(summary.row, { domain: n.domain, commune: n.commune, operatorId: n.operatorId });
  }
}

function handoversOf(summaries: Map<string, Summary>): Handover[] {
  const handovers = new Map<string, Handover>();
  for (const { row, sources } of summaries.values()) {
    const series = new Set(sources.map((s) => JSON.stringify([s.measurement.key, s.commune, s.operatorId])));
    if (series.size < 2) continue;
    for (const s of sources) {
      const key = JSON.stringify([s.measurement.key, s.field.key, row.time]);
      const handover = handovers.get(key) ?? {
        measurement: s.measurement,
        field: s.field,
        bucket: row.time,
        deviceIds: new Set(),
      };
      handover.deviceIds.add(row.deviceId);
      handovers.set(key, handover);
    }
  }
  return [...handovers.values()];
}

function newestStatement(
  params: Params,
  h: Handover,
  ids: readonly string[],
  q: SummarizeQuery,
  size: number,
): string {
  const conditions = [
    deviceIdsCondition(params, ids),
    ...timeConditions(Math.max(q.from, h.bucket), Math.min(q.to, h.bucket + size)),
  ];
  const keys = [TAG.deviceId, TAG.commune, TAG.operator].map(ident).join(", ");
  return `SELECT LAST(${fieldRef(h.field, h.field.numeric)}) FROM ${ident(h.measurement.key)}${where(conditions)} GROUP BY ${keys}`;
}

function collectNewest(newest: Map<string, Newest>, h: Handover, result: StatementResult): void {
  for (const series of result) {
    const time = numberAt(series.values[0] ?? [], 0);
    if (time === undefined) continue;
    const key = deviceKey(h.bucket, tagValue(series.tags?.[TAG.deviceId]), h.field.name);
    const candidate = {
      time,
      domain: h.measurement.domain,
      commune: tagValue(series.tags?.[TAG.commune]),
      operatorId: tagValue(series.tags?.[TAG.operator]),
    };
    const seen = newest.get(key);
    // Two series read at the same ms: the larger attributes win, so that the answer is stable.
    if (
      !seen ||
      time > seen.time ||
      (time === seen.time && compare(JSON.stringify(candidate), JSON.stringify(seen)) > 0)
    )
      newest.set(key, candidate);
  }
}

// ---------------------------------------------------------------- device rollups

/**
 * The series this process last wrote at each (tier, time, device, field). The maintainer
 * rewrites the current hour and day of every reporting device at every pass: once a key was
 * written (and its stale series deleted) here, a rewrite with the same series needs no lookup,
 * which was 85 % of a write's time. Another writer of rollups would make this wrong: there is
 * one, the maintainer. Bounded: past LIMIT keys it starts over (lookups come back, nothing else).
 */
class WrittenSeries {
  static readonly LIMIT = 500_000;
  private readonly series = new Map<string, string>();

  /** The rows whose key this process has not written yet with the same series. */
  unknown(rows: readonly DeviceRollup[]): DeviceRollup[] {
    return rows.filter((r) => this.series.get(writtenKey(r)) !== seriesOf(r));
  }

  remember(rows: readonly DeviceRollup[]): void {
    if (this.series.size + rows.length > WrittenSeries.LIMIT) this.series.clear();
    for (const r of rows) this.series.set(writtenKey(r), seriesOf(r));
  }
}

function writtenKey(r: DeviceRollup): string {
  return `${r.tier}\u0000${r.time}\u0000${r.deviceId}\u0000${r.field}`;
}

function seriesOf(r: DeviceRollup): string {
  return `${r.domain}\u0000${r.commune}\u0000${r.operatorId}`;
}

async function writeDeviceRollups(
  deps: InfluxRollupsDeps,
  rows: readonly DeviceRollup[],
  written: WrittenSeries,
): Promise<void> {
  const tiers = byTier(lastPerKey(rows, (r) => JSON.stringify([r.tier, r.time, r.deviceId, r.field])));
  // Every line is encoded before anything is sent: one unrepresentable value refuses the write.
  const lines = new Map([...tiers].map(([tier, tierRows]) => [tier, tierRows.map(deviceLine)]));
  for (const [tier, tierRows] of tiers) {
    await deps.writer.writeLines(lines.get(tier) ?? [], policyOf(tier));
    const unknown = written.unknown(tierRows);
    if (unknown.length > 0) await deleteStale(deps.http, tier, unknown);
    written.remember(tierRows);
  }
}

function deviceLine(r: DeviceRollup): string {
  return encodePoint({
    measurement: `${r.domain}_${r.tier}`,
    tags: {
      [TAG.commune]: r.commune,
      [TAG.deviceId]: r.deviceId,
      [FIELD_TAG]: r.field,
      [TAG.operator]: r.operatorId,
    },
    fields: { count: r.count, mean: r.mean, min: r.min, max: r.max, ...sumField(r) },
    time: r.time,
  });
}

/** Only counter rows carry a consumption: gauge points get no `sum` field at all. */
function sumField(r: DeviceRollup | GroupRollup): { sum?: number } {
  return r.sum === undefined ? {} : { sum: r.sum };
}

/** A field a point lacks reads null: the row then has no `sum`. */
function sumAt(row: unknown[], i: number): { sum?: number } {
  const sum = numberAt(row, i);
  return sum === undefined ? {} : { sum };
}

/** A device's point at a written key, in a series other than the one just written. */
interface Stale {
  measurement: string;
  time: EpochMs;
  deviceId: string;
  commune: string;
  operatorId: string;
  field: string;
}

async function deleteStale(http: InfluxHttp, tier: RollupTier, rows: readonly DeviceRollup[]): Promise<void> {
  const stale = await staleSeries(http, tier, rows);
  if (stale.length === 0) return;
  const params = new Params();
  const statements = stale.map((s) => {
    const conditions = [
      tagEquals(params, TAG.deviceId, s.deviceId),
      tagEquals(params, TAG.commune, s.commune),
      tagEquals(params, TAG.operator, s.operatorId),
      tagEquals(params, FIELD_TAG, s.field),
      ...timeConditions(s.time, s.time + 1),
    ];
    return `DELETE FROM ${ident(s.measurement)}${where(conditions)}`;
  });
  await http.query(statements.join(";\n"), params.values);
}

/** Every series of the tier holding the written devices over the written times, less the written ones. */
async function staleSeries(
  http: InfluxHttp,
  tier: RollupTier,
  rows: readonly DeviceRollup[],
): Promise<Stale[]> {
  const written = new Map(rows.map((r) => [deviceKey(r.time, r.deviceId, r.field), r]));
  const first = rows.reduce((t, r) => Math.min(t, r.time), Number.POSITIVE_INFINITY);
  const last = rows.reduce((t, r) => Math.max(t, r.time), Number.NEGATIVE_INFINITY);
  const span = timeConditions(first, last + 1);
  const params = new Params();
  const keys = [TAG.deviceId, TAG.commune, TAG.operator, FIELD_TAG].map(ident).join(", ");
  const statements = idChunks(rows.map((r) => r.deviceId)).map(
    (ids) =>
      `SELECT ${ident("count")}::field FROM ${ident(policyOf(tier))}./_${tier}$/${where([deviceIdsCondition(params, ids), ...span])} GROUP BY ${keys}`,
  );
  const results = await http.query(statements.join(";\n"), params.values);
  return results.flatMap((result) => result.flatMap((series) => staleOf(series, tier, written)));
}

function staleOf(series: InfluxSeries, tier: RollupTier, written: Map<string, DeviceRollup>): Stale[] {
  if (series.name === `${GROUP_MEASUREMENT}_${tier}`) return [];
  const deviceId = tagValue(series.tags?.[TAG.deviceId]);
  const commune = tagValue(series.tags?.[TAG.commune]);
  const operatorId = tagValue(series.tags?.[TAG.operator]);
  const field = tagValue(series.tags?.[FIELD_TAG]);
  return series.values.flatMap((row) => {
    const time = row[0] as EpochMs;
    const r = written.get(deviceKey(time, deviceId, field));
    const same =
      r === undefined ||
      (series.name === storedMeasurement(`${r.domain}_${tier}`) &&
        commune === r.commune &&
        operatorId === r.operatorId);
    return same ? [] : [{ measurement: series.name, time, deviceId, commune, operatorId, field }];
  });
}

type DeviceRollupsQuery = Parameters<RollupStore["deviceRollups"]>[0];

async function deviceRollups(http: InfluxHttp, q: DeviceRollupsQuery): Promise<DeviceRollup[]> {
  const params = new Params();
  const conditions = [tagEquals(params, TAG.commune, q.commune), ...timeConditions(q.time, q.time + 1)];
  const columns = ["count", "mean", "min", "max", "sum"].map((c) => `${ident(c)}::field`).join(", ");
  const keys = [TAG.deviceId, TAG.operator, FIELD_TAG].map(ident).join(", ");
  const statement = `SELECT ${columns} FROM ${source(q.tier, q.domain)}${where(conditions)} GROUP BY ${keys}`;
  const [result] = await http.query(statement, params.values);
  const rows = (result ?? []).flatMap((series) =>
    series.values.flatMap((row) => deviceRollupOf(q, series, row)),
  );
  return rows.sort((a, b) => compare(a.deviceId, b.deviceId) || compare(a.field, b.field));
}

function deviceRollupOf(q: DeviceRollupsQuery, series: InfluxSeries, row: unknown[]): DeviceRollup[] {
  const [count, mean, min, max] = [1, 2, 3, 4].map((i) => numberAt(row, i));
  const deviceId = tagValue(series.tags?.[TAG.deviceId]);
  if (count === undefined || mean === undefined || min === undefined || max === undefined) return [];
  return [
    {
      tier: q.tier,
      time: row[0] as EpochMs,
      deviceId,
      domain: q.domain,
      commune: q.commune,
      operatorId: tagValue(series.tags?.[TAG.operator]),
      field: tagValue(series.tags?.[FIELD_TAG]),
      count,
      mean,
      min,
      max,
      ...sumAt(row, 5),
    },
  ];
}

// ---------------------------------------------------------------- group rollups

async function writeGroupRollups(deps: InfluxRollupsDeps, rows: readonly GroupRollup[]): Promise<void> {
  const tiers = byTier(
    lastPerKey(rows, (r) => JSON.stringify([r.tier, r.time, r.commune, r.domain, r.field])),
  );
  const lines = new Map([...tiers].map(([tier, tierRows]) => [tier, tierRows.map(groupLine)]));
  for (const [tier, tierLines] of lines) await deps.writer.writeLines(tierLines, policyOf(tier));
}

function groupLine(r: GroupRollup): string {
  return encodePoint({
    measurement: `${GROUP_MEASUREMENT}_${r.tier}`,
    tags: { [TAG.commune]: r.commune, [DOMAIN_TAG]: r.domain, [FIELD_TAG]: r.field },
    fields: { count: r.count, devices: r.devices, mean: r.mean, min: r.min, max: r.max, ...sumField(r) },
    time: r.time,
  });
}

type GroupRollupsQuery = Parameters<RollupStore["groupRollups"]>[0];

async function groupRollups(http: InfluxHttp, q: GroupRollupsQuery): Promise<GroupRollup[]> {
  const params = new Params();
  const conditions = [...timeConditions(q.from, q.to)];
  if (q.commune !== undefined) conditions.push(tagEquals(params, TAG.commune, q.commune));
  if (q.domain !== undefined) conditions.push(tagEquals(params, DOMAIN_TAG, q.domain));
  if (q.field !== undefined) conditions.push(tagEquals(params, FIELD_TAG, q.field));
  const columns = ["count", "devices", "mean", "min", "max", "sum"]
    .map((c) => `${ident(c)}::field`)
    .join(", ");
  const keys = [TAG.commune, DOMAIN_TAG, FIELD_TAG].map(ident).join(", ");
  const statement = `SELECT ${columns} FROM ${source(q.tier, GROUP_MEASUREMENT)}${where(conditions)} GROUP BY ${keys}`;
  const [result] = await http.query(statement, params.values);
  const rows = (result ?? []).flatMap((series) =>
    series.values.flatMap((row) => groupRollupOf(q.tier, series, row)),
  );
  return rows.sort((a, b) => a.time - b.time || compare(groupKey(a), groupKey(b)));
}

function groupKey(r: GroupRollup): string {
  return JSON.stringify([r.commune, r.domain, r.field]);
}

function groupRollupOf(tier: RollupTier, series: InfluxSeries, row: unknown[]): GroupRollup[] {
  const [count, devices, mean, min, max] = [1, 2, 3, 4, 5].map((i) => numberAt(row, i));
  if (
    count === undefined ||
    devices === undefined ||
    mean === undefined ||
    min === undefined ||
    max === undefined
  )
    return [];
  return [
    {
      tier,
      time: row[0] as EpochMs,
      commune: tagValue(series.tags?.[TAG.commune]),
      domain: tagValue(series.tags?.[DOMAIN_TAG]),
      field: tagValue(series.tags?.[FIELD_TAG]),
      count,
      devices,
      mean,
      min,
      max,
      ...sumAt(row, 6),
    },
  ];
}
