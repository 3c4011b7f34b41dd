import type { EpochMs } from "../domain/types.ts";
import type { InfluxHttp, InfluxSeries, StatementResult } from "./influx-http.ts";
import {
  deviceIdsCondition,
  fieldRef,
  idChunks,
  ident,
  Params,
  tagEquals,
  timeConditions,
  where,
} from "./influx-queries.ts";
import { tagValue } from "./influx-results.ts";
import {
  byTier,
  compare,
  DOMAIN_TAG,
  FIELD_TAG,
  GROUP_MEASUREMENT,
  type InfluxRollupsDeps,
  lastPerKey,
  numberAt,
  policyOf,
  source,
} from "./influx-rollups.ts";
import type { FieldInfo, MeasurementInfo, Schema } from "./influx-schema.ts";
import { encodePoint, storedMeasurement, TAG } from "./line-protocol.ts";
import { type StateReading, stateDurations, stateText } from "./state-durations.ts";
import {
  type DeviceStateRollup,
  type GroupStateRollup,
  type RollupTier,
  STATE_MAX_GAP_MS,
  type StateRollupStore,
  TIER_MS,
} from "./store.ts";

/**
 * The state rollup port on InfluxDB, beside the numeric rollups (influx-rollups.ts), in the same
 * `hourly` and `daily` policies:
 * - device rows: measurement `<domain>_state_1h` / `<domain>_state_1d`; tags commune, device_id,
 *   field, operator, state; float fields `seconds` (time in the state) and `readings` (readings of
 *   it in the bucket; not `count`: the numeric rollups look a device's stale series up by `count`
 *   over `/_1h$/`, and must not take these points for one of theirs);
 * - group rows: `rollup_commune_state_1h` / `_1d`; tags commune, domain, field, state; float fields
 *   seconds, readings, devices.
 * Summaries read the fields' readings in the range, and each series' last one in the look-back,
 * with InfluxQL (one request per call); the state rule is applied in TypeScript
 * (state-durations.ts), as counters' consumption is.
 *
 * Replacing: the state is a tag, so it is part of a point's key, and rewriting a bucket whose
 * state vanished (a late reading changed it) or whose device moved (another measurement, commune
 * or operator) leaves the old point behind. So after writing, the points at the written keys are
 * looked up and those the write did not hold are removed with DELETE, as numeric device rollups
 * do for moved devices. Chosen over writing `seconds=0` for vanished states: that needs the same
 * lookup to know what was there, and leaves rows of nothing to every reader, Grafana included.
 * What this process wrote is remembered: a key whose new states include the ones it wrote last
 * (the current hour gaining a state, the common case) needs no lookup. One writer of rollups at a
 * time is assumed (the maintainer); InfluxDB 2.x and 3.x refuse DELETE on their v1 endpoint, and
 * a write needing one then fails with ERR_STORE_REFUSED rather than leaving two states.
 */

const STATE_TAG = "state";
const STATE_SUFFIX = "_state";
/** The group rows' measurement, suffixed by the tier. */
export const GROUP_STATE_MEASUREMENT = `${GROUP_MEASUREMENT}${STATE_SUFFIX}`;

export function createInfluxStateRollups(deps: InfluxRollupsDeps): StateRollupStore {
  const devices = new WrittenStates();
  const groups = new WrittenStates();
  return {
    summarizeStates: (q) => summarizeStates(deps, q),
    writeDeviceStateRollups: (rows) => writeStates(deps, rows, DEVICE_ROWS, devices),
    writeGroupStateRollups: (rows) => writeStates(deps, rows, GROUP_ROWS, groups),
    deviceStateRollups: (q) => deviceStates(deps.http, q),
    groupStateRollups: (q) => groupStates(deps.http, q),
  };
}

/** A device's state measurement in a tier, as stored. */
export function deviceStateMeasurement(domain: string, tier: RollupTier): string {
  return storedMeasurement(`${domain}${STATE_SUFFIX}_${tier}`);
}

// ---------------------------------------------------------------- summarize

type SummarizeStatesQuery = Parameters<StateRollupStore["summarizeStates"]>[0];

interface Attributes {
  domain: string;
  commune: string;
  operatorId: string;
}

interface StatePlan {
  measurement: MeasurementInfo;
  fields: FieldInfo[];
}

/** A statement answering, per series, readings of some fields (columns 1..n). */
interface ReadStatement {
  statement: string;
  measurement: MeasurementInfo;
  fields: readonly FieldInfo[];
}

/** One device's readings of one field, from every measurement and series it is in. */
interface FieldReadings {
  deviceId: string;
  field: string;
  readings: StateReading<Attributes>[];
}

async function summarizeStates(
  deps: InfluxRollupsDeps,
  q: SummarizeStatesQuery,
): Promise<DeviceStateRollup[]> {
  policyOf(q.tier);
  if (q.deviceIds.length === 0 || q.fields.length === 0 || !(q.from < q.to)) return [];
  const plans = statePlans(await deps.schema(), q.fields);
  if (plans.length === 0) return [];
  const params = new Params();
  const devices = idChunks(q.deviceIds).map((ids) => deviceIdsCondition(params, ids));
  const statements = readStatements(plans, devices, q);
  const results = await deps.http.query(statements.map((s) => s.statement).join(";\n"), params.values);
  return [...collectReadings(statements, results).values()].flatMap((r) => summaryRows(r, q));
}

function statePlans(schema: Schema, fields: readonly string[]): StatePlan[] {
  const names = new Set(fields);
  return [...schema.values()]
    .map((measurement) => ({ measurement, fields: measurement.fields.filter((f) => names.has(f.name)) }))
    .filter((p) => p.fields.length > 0);
}

/**
 * Per measurement and chunk of devices: every reading of the fields in [from, to), and per field
 * the last reading of each series in the look-back [from - STATE_MAX_GAP_MS, from), which only
 * carries a state into the range (LAST rather than every reading: an hourly pass need not read a
 * day of points per device). LAST gets a statement per field: several selectors in one statement
 * would lose the reading's time. GROUP BY the series' tags gives each reading's commune and operator.
 */
function readStatements(
  plans: readonly StatePlan[],
  devices: readonly string[],
  q: SummarizeStatesQuery,
): ReadStatement[] {
  const range = timeConditions(q.from, q.to);
  const lookBack = timeConditions(q.from - STATE_MAX_GAP_MS, q.from);
  const bySeries = ` GROUP BY ${[TAG.deviceId, TAG.commune, TAG.operator].map(ident).join(", ")}`;
  return plans.flatMap(({ measurement, fields }) => {
    const from = ` FROM ${ident(measurement.key)}`;
    return devices.flatMap((d) => [
      {
        statement: `SELECT ${fields.map((f) => fieldRef(f)).join(", ")}${from}${where([d, ...range])}${bySeries}`,
        measurement,
        fields,
      },
      ...fields.map((f) => ({
        statement: `SELECT LAST(${fieldRef(f)})${from}${where([d, ...lookBack])}${bySeries}`,
        measurement,
        fields: [f],
      })),
    ]);
  });
}

function collectReadings(
  statements: readonly ReadStatement[],
  results: readonly StatementResult[],
): Map<string, FieldReadings> {
  const byKey = new Map<string, FieldReadings>();
  statements.forEach((s, i) => {
    for (const series of results[i] ?? []) addSeries(byKey, s, series);
  });
  return byKey;
}

function addSeries(byKey: Map<string, FieldReadings>, s: ReadStatement, series: InfluxSeries): void {
  const deviceId = tagValue(series.tags?.[TAG.deviceId]);
  const attributes: Attributes = {
    domain: s.measurement.domain,
    commune: tagValue(series.tags?.[TAG.commune]),
    operatorId: tagValue(series.tags?.[TAG.operator]),
  };
  for (const row of series.values) {
    const time = numberAt(row, 0);
    if (time === undefined) continue;
    s.fields.forEach((f, j) => {
      const value = row[1 + j];
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return;
      const key = JSON.stringify([deviceId, f.name]);
      const entry = byKey.get(key) ?? { deviceId, field: f.name, readings: [] };
      entry.readings.push({ time, state: stateText(value), attributes });
      byKey.set(key, entry);
    });
  }
}

function summaryRows(r: FieldReadings, q: SummarizeStatesQuery): DeviceStateRollup[] {
  const window = { from: q.from, to: q.to, bucketMs: TIER_MS[q.tier], now: q.now };
  return [...stateDurations(r.readings, window)].flatMap(([time, bucket]) =>
    [...bucket.states].map(([state, { ms, count }]) => ({
      tier: q.tier,
      time,
      deviceId: r.deviceId,
      ...bucket.attributes,
      field: r.field,
      state,
      seconds: ms / 1000,
      count,
    })),
  );
}

// ---------------------------------------------------------------- writes

/**
 * Per written key (tier, bucket and device or group, field), the signatures of its points that this
 * process wrote last (measurement, series and state). Bounded: past LIMIT keys it starts over
 * (lookups come back, nothing else).
 */
class WrittenStates {
  static readonly LIMIT = 500_000;
  private readonly keys = new Map<string, ReadonlySet<string>>();

  /** The written keys whose stored points may include some this write does not hold. */
  unsure(written: ReadonlyMap<string, ReadonlySet<string>>): Map<string, ReadonlySet<string>> {
    return new Map(
      [...written].filter(([key, signatures]) => {
        const before = this.keys.get(key);
        return before === undefined || [...before].some((s) => !signatures.has(s));
      }),
    );
  }

  remember(written: ReadonlyMap<string, ReadonlySet<string>>): void {
    if (this.keys.size + written.size > WrittenStates.LIMIT) this.keys.clear();
    for (const [key, signatures] of written) this.keys.set(key, signatures);
  }
}

/** How one kind of row is written, keyed and looked up again (device rows, group rows). */
interface StateRowKind<R extends DeviceStateRollup | GroupStateRollup> {
  /** The port's replacement key, state excluded. */
  key(r: R): string;
  /** What tells one point of the key from another: measurement, series tags, state. */
  signature(r: R): string;
  line(r: R): string;
  /** The statements listing the stored points at the rows' keys, grouped by every tag. */
  lookup(tier: RollupTier, rows: readonly R[], params: Params): string[];
  /** The key and signature of a stored point. */
  identify(tier: RollupTier, series: InfluxSeries, time: EpochMs): [key: string, signature: string];
}

async function writeStates<R extends DeviceStateRollup | GroupStateRollup>(
  deps: InfluxRollupsDeps,
  rows: readonly R[],
  kind: StateRowKind<R>,
  written: WrittenStates,
): Promise<void> {
  const tiers = byTier(lastPerKey(rows, (r) => JSON.stringify([kind.key(r), r.state])));
  // Every line is encoded before anything is sent: one unrepresentable value refuses the write.
  const lines = new Map([...tiers].map(([tier, tierRows]) => [tier, tierRows.map((r) => kind.line(r))]));
  for (const [tier, tierRows] of tiers) {
    await deps.writer.writeLines(lines.get(tier) ?? [], policyOf(tier));
    const signatures = signaturesByKey(tierRows, kind);
    const unsure = written.unsure(signatures);
    if (unsure.size > 0) {
      const checked = tierRows.filter((r) => unsure.has(kind.key(r)));
      await deleteStale(deps.http, tier, checked, kind, unsure);
    }
    written.remember(signatures);
  }
}

function signaturesByKey<R extends DeviceStateRollup | GroupStateRollup>(
  rows: readonly R[],
  kind: StateRowKind<R>,
): Map<string, Set<string>> {
  const byKey = new Map<string, Set<string>>();
  for (const r of rows) {
    const key = kind.key(r);
    const set = byKey.get(key) ?? new Set<string>();
    set.add(kind.signature(r));
    byKey.set(key, set);
  }
  return byKey;
}

/** Deletes the stored points at the rows' keys whose signature the write did not hold. */
async function deleteStale<R extends DeviceStateRollup | GroupStateRollup>(
  http: InfluxHttp,
  tier: RollupTier,
  rows: readonly R[],
  kind: StateRowKind<R>,
  written: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<void> {
  const lookupParams = new Params();
  const results = await http.query(kind.lookup(tier, rows, lookupParams).join(";\n"), lookupParams.values);
  const params = new Params();
  const statements: string[] = [];
  for (const series of results.flat()) {
    for (const row of series.values) {
      const time = numberAt(row, 0);
      if (time === undefined) continue;
      const [key, signature] = kind.identify(tier, series, time);
      if (written.get(key)?.has(signature) ?? true) continue;
      statements.push(deleteStatement(params, series, time));
    }
  }
  if (statements.length > 0) await http.query(statements.join(";\n"), params.values);
}

/** The point of a series (every tag it was grouped by) at one time. */
function deleteStatement(params: Params, series: InfluxSeries, time: EpochMs): string {
  const tags = Object.entries(series.tags ?? {}).map(([k, v]) => tagEquals(params, k, tagValue(v)));
  return `DELETE FROM ${ident(series.name)}${where([...tags, ...timeConditions(time, time + 1)])}`;
}

/** The span of the rows' buckets, to look their points up in one range. */
function span(rows: readonly { time: EpochMs }[]): string[] {
  const first = rows.reduce((t, r) => Math.min(t, r.time), Number.POSITIVE_INFINITY);
  const last = rows.reduce((t, r) => Math.max(t, r.time), Number.NEGATIVE_INFINITY);
  return timeConditions(first, last + 1);
}

const DEVICE_ROWS: StateRowKind<DeviceStateRollup> = {
  key: (r) => JSON.stringify([r.tier, r.time, r.deviceId, r.field]),
  signature: (r) =>
    JSON.stringify([deviceStateMeasurement(r.domain, r.tier), r.commune, r.operatorId, r.state]),
  line: (r) =>
    encodePoint({
      measurement: `${r.domain}${STATE_SUFFIX}_${r.tier}`,
      tags: {
        [TAG.commune]: r.commune,
        [TAG.deviceId]: r.deviceId,
        [FIELD_TAG]: r.field,
        [TAG.operator]: r.operatorId,
        [STATE_TAG]: r.state,
      },
      fields: { seconds: r.seconds, readings: r.count },
      time: r.time,
    }),
  // Every state measurement of the tier: a device that changed domain has its old points elsewhere.
  lookup: (tier, rows, params) => {
    const keys = [TAG.deviceId, TAG.commune, TAG.operator, FIELD_TAG, STATE_TAG].map(ident).join(", ");
    return idChunks(rows.map((r) => r.deviceId)).map(
      (ids) =>
        `SELECT ${ident("seconds")}::field FROM ${ident(policyOf(tier))}./${STATE_SUFFIX}_${tier}$/${where([deviceIdsCondition(params, ids), ...span(rows)])} GROUP BY ${keys}`,
    );
  },
  identify: (tier, series, time) => {
    const tag = (k: string) => tagValue(series.tags?.[k]);
    return [
      JSON.stringify([tier, time, tag(TAG.deviceId), tag(FIELD_TAG)]),
      JSON.stringify([series.name, tag(TAG.commune), tag(TAG.operator), tag(STATE_TAG)]),
    ];
  },
};

const GROUP_ROWS: StateRowKind<GroupStateRollup> = {
  key: (r) => JSON.stringify([r.tier, r.time, r.commune, r.domain, r.field]),
  signature: (r) => r.state,
  line: (r) =>
    encodePoint({
      measurement: `${GROUP_STATE_MEASUREMENT}_${r.tier}`,
      tags: { [TAG.commune]: r.commune, [DOMAIN_TAG]: r.domain, [FIELD_TAG]: r.field, [STATE_TAG]: r.state },
      fields: { seconds: r.seconds, readings: r.count, devices: r.devices },
      time: r.time,
    }),
  lookup: (tier, rows, params) => {
    const keys = [TAG.commune, DOMAIN_TAG, FIELD_TAG, STATE_TAG].map(ident).join(", ");
    return idChunks(rows.map((r) => r.commune)).map((communes) => {
      const condition = `(${communes.map((c) => tagEquals(params, TAG.commune, c)).join(" OR ")})`;
      return `SELECT ${ident("seconds")}::field FROM ${source(tier, GROUP_STATE_MEASUREMENT)}${where([condition, ...span(rows)])} GROUP BY ${keys}`;
    });
  },
  identify: (tier, series, time) => {
    const tag = (k: string) => tagValue(series.tags?.[k]);
    return [JSON.stringify([tier, time, tag(TAG.commune), tag(DOMAIN_TAG), tag(FIELD_TAG)]), tag(STATE_TAG)];
  },
};

// ---------------------------------------------------------------- reads

type DeviceStatesQuery = Parameters<StateRollupStore["deviceStateRollups"]>[0];
type GroupStatesQuery = Parameters<StateRollupStore["groupStateRollups"]>[0];

async function deviceStates(http: InfluxHttp, q: DeviceStatesQuery): Promise<DeviceStateRollup[]> {
  const params = new Params();
  const conditions = [tagEquals(params, TAG.commune, q.commune), ...timeConditions(q.time, q.time + 1)];
  const columns = ["seconds", "readings"].map((c) => `${ident(c)}::field`).join(", ");
  const keys = [TAG.deviceId, TAG.operator, FIELD_TAG, STATE_TAG].map(ident).join(", ");
  const statement = `SELECT ${columns} FROM ${source(q.tier, `${q.domain}${STATE_SUFFIX}`)}${where(conditions)} GROUP BY ${keys}`;
  const [result] = await http.query(statement, params.values);
  const rows = (result ?? []).flatMap((series) =>
    series.values.flatMap((row) => deviceStateOf(q, series, row)),
  );
  return rows.sort(
    (a, b) => compare(a.deviceId, b.deviceId) || compare(a.field, b.field) || compare(a.state, b.state),
  );
}

function deviceStateOf(q: DeviceStatesQuery, series: InfluxSeries, row: unknown[]): DeviceStateRollup[] {
  const [seconds, count] = [1, 2].map((i) => numberAt(row, i));
  if (seconds === undefined || count === undefined) return [];
  const tag = (k: string) => tagValue(series.tags?.[k]);
  return [
    {
      tier: q.tier,
      time: row[0] as EpochMs,
      deviceId: tag(TAG.deviceId),
      domain: q.domain,
      commune: q.commune,
      operatorId: tag(TAG.operator),
      field: tag(FIELD_TAG),
      state: tag(STATE_TAG),
      seconds,
      count,
    },
  ];
}

async function groupStates(http: InfluxHttp, q: GroupStatesQuery): Promise<GroupStateRollup[]> {
  const params = new Params();
  const conditions = [...timeConditions(q.from, q.to)];
  if (q.commune !== undefined) conditions.push(tagEquals(params, TAG.commune, q.commune));
  if (q.domain !== undefined) conditions.push(tagEquals(params, DOMAIN_TAG, q.domain));
  if (q.field !== undefined) conditions.push(tagEquals(params, FIELD_TAG, q.field));
  const columns = ["seconds", "readings", "devices"].map((c) => `${ident(c)}::field`).join(", ");
  const keys = [TAG.commune, DOMAIN_TAG, FIELD_TAG, STATE_TAG].map(ident).join(", ");
  const statement = `SELECT ${columns} FROM ${source(q.tier, GROUP_STATE_MEASUREMENT)}${where(conditions)} GROUP BY ${keys}`;
  const [result] = await http.query(statement, params.values);
  const rows = (result ?? []).flatMap((series) =>
    series.values.flatMap((row) => groupStateOf(q.tier, series, row)),
  );
  return rows.sort((a, b) => a.time - b.time || compare(groupKey(a), groupKey(b)));
}

function groupKey(r: GroupStateRollup): string {
  return JSON.stringify([r.commune, r.domain, r.field, r.state]);
}

function groupStateOf(tier: RollupTier, series: InfluxSeries, row: unknown[]): GroupStateRollup[] {
  const [seconds, count, devices] = [1, 2, 3].map((i) => numberAt(row, i));
  if (seconds === undefined || count === undefined || devices === undefined) return [];
  const tag = (k: string) => tagValue(series.tags?.[k]);
  return [
    {
      tier,
      time: row[0] as EpochMs,
      commune: tag(TAG.commune),
      domain: tag(DOMAIN_TAG),
      field: tag(FIELD_TAG),
      state: tag(STATE_TAG),
      seconds,
      count,
      devices,
    },
  ];
}
