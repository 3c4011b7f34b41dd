import type { EpochMs } from "../domain/types.ts";
import type {
  AggregateQuery,
  AggregateRow,
  GroupRollup,
  GroupStateRollup,
  RollupStore,
  RollupTier,
  StateRollupStore,
} from "../storage/store.ts";
import { TIER_MS } from "../storage/store.ts";

/**
 * Aggregates answered from the (commune, domain) rollups rather than from raw readings: a year of
 * daily values per commune is a few thousand rows whatever the number of devices or readings.
 *
 * A query fits the rollups when it groups by commune and/or domain only and its resolution (if
 * any) is a whole number of hours. The tier is the coarsest that divides the resolution (whole
 * days read the daily tier); without a resolution, the daily tier when the range is made of
 * whole days, else the hourly one. The range is widened to whole buckets of the tier, and the
 * answer says so (`from`, `to`).
 *
 * Counts add up, means are weighted by counts, min and max combine. `devices` is exact within
 * one rollup bucket (a device belongs to one commune and domain at a time, so the groups' device
 * counts add up); over several buckets it is the largest count of any one bucket, a lower bound
 * of the distinct devices that reported, which is the safe side for the open-data threshold.
 *
 * A state field is answered from the group state rollups, merged the same way: its row holds
 * `states`, the seconds in each value, which add up over groups and buckets like consumption;
 * `count` is its readings. A numeric field that a contract declares a state has numeric rollups
 * too: its state rows replace them in the answer.
 */
export interface RollupPlan {
  tier: RollupTier;
  from: EpochMs;
  to: EpochMs;
}

export function planRollupQuery(
  q: Pick<AggregateQuery, "from" | "to" | "groupBy" | "resolutionMs">,
): RollupPlan | undefined {
  if (q.groupBy.some((d) => d !== "commune" && d !== "domain")) return undefined;
  const tier = tierFor(q);
  if (tier === undefined) return undefined;
  const size = TIER_MS[tier];
  return { tier, from: Math.floor(q.from / size) * size, to: Math.ceil(q.to / size) * size };
}

function tierFor(q: Pick<AggregateQuery, "from" | "to" | "resolutionMs">): RollupTier | undefined {
  const day = TIER_MS["1d"];
  const hour = TIER_MS["1h"];
  if (q.resolutionMs !== undefined) {
    if (q.resolutionMs % day === 0) return "1d";
    if (q.resolutionMs % hour === 0) return "1h";
    return undefined;
  }
  return q.from % day === 0 && q.to % day === 0 ? "1d" : "1h";
}

export type AggregateRollupStore = Pick<RollupStore, "groupRollups"> &
  Pick<StateRollupStore, "groupStateRollups">;

export async function aggregateFromRollups(
  store: AggregateRollupStore,
  q: AggregateQuery,
  plan: RollupPlan,
): Promise<AggregateRow[]> {
  const filter = {
    tier: plan.tier,
    from: plan.from,
    to: plan.to,
    ...(q.commune !== undefined ? { commune: q.commune } : {}),
    ...(q.domain !== undefined ? { domain: q.domain } : {}),
    ...(q.field !== undefined ? { field: q.field } : {}),
  };
  const states = foldStates(await store.groupStateRollups(filter));
  const stateFields = new Set(states.map(domainField));
  const numeric = (await store.groupRollups(filter)).filter((r) => !stateFields.has(domainField(r)));
  const rows: Mergeable[] = [...numeric, ...states];
  // planRollupQuery accepted commune and domain only.
  const dims = [...new Set(q.groupBy)].filter((d): d is "commune" | "domain" => d !== "operator");
  const size = TIER_MS[plan.tier];
  if (dims.length === 2 && q.resolutionMs === size)
    return rows.map((r) => toRow(r, { commune: r.commune, domain: r.domain })).sort(compareRows);
  const bucketOf = (time: EpochMs) =>
    q.resolutionMs === undefined ? plan.from : Math.floor(time / q.resolutionMs) * q.resolutionMs;
  const keyOf = (time: EpochMs, r: Mergeable) =>
    `${time}\u0000${dims.includes("commune") ? r.commune : ""}\u0000${dims.includes("domain") ? r.domain : ""}\u0000${r.field}`;
  // First within each rollup bucket (devices add up across groups), then across buckets.
  const perRollupBucket = merge(rows, (r) => keyOf(r.time, r), "sum");
  const merged = merge(
    perRollupBucket.map((r) => ({ ...r, time: bucketOf(r.time) })),
    (r) => keyOf(r.time, r),
    "max",
  );
  return merged.map((r) => toRow(r, groupOf(dims, r))).sort(compareRows);
}

/** Each rollup row is an answer row: the query's buckets are the tier's, grouped as the rollups are. */
function toRow(r: Mergeable, group: AggregateRow["group"]): AggregateRow {
  return {
    time: r.time,
    group,
    field: r.field,
    count: r.count,
    devices: r.devices,
    mean: r.mean,
    min: r.min,
    max: r.max,
    ...(r.sum !== undefined ? { sum: r.sum } : {}),
    ...(r.states !== undefined ? { states: r.states } : {}),
  };
}

function groupOf(dims: readonly ("commune" | "domain")[], r: Mergeable): AggregateRow["group"] {
  const group: AggregateRow["group"] = {};
  for (const d of dims) group[d] = r[d];
  return group;
}

type Mergeable = Pick<
  GroupRollup,
  "time" | "commune" | "domain" | "field" | "count" | "devices" | "mean" | "min" | "max" | "sum"
> &
  Pick<AggregateRow, "states">;

const domainField = (r: { domain: string; field: string }) => `${r.domain}\u0000${r.field}`;

/**
 * One row per group, bucket and field from its states' rows: readings add up, `devices` is the
 * same on each; a state row has no mean, min or max (0, never shown).
 */
function foldStates(rows: readonly GroupStateRollup[]): Mergeable[] {
  const out = new Map<string, Mergeable & { states: Record<string, number> }>();
  for (const r of rows) {
    const key = `${r.time}\u0000${r.commune}\u0000${domainField(r)}`;
    const acc = out.get(key) ?? {
      ...{ time: r.time, commune: r.commune, domain: r.domain, field: r.field },
      ...{ count: 0, devices: r.devices, mean: 0, min: 0, max: 0, states: {} },
    };
    acc.count += r.count;
    acc.devices = Math.max(acc.devices, r.devices);
    acc.states[r.state] = (acc.states[r.state] ?? 0) + r.seconds;
    out.set(key, acc);
  }
  return [...out.values()];
}

/** Seconds per state add up (into the accumulator's own copy, see merge). */
function addStates(
  into: Record<string, number>,
  more: Readonly<Record<string, number>>,
): Record<string, number> {
  for (const [state, seconds] of Object.entries(more)) into[state] = (into[state] ?? 0) + seconds;
  return into;
}

function merge(
  rows: readonly Mergeable[],
  key: (r: Mergeable) => string,
  devices: "sum" | "max",
): Mergeable[] {
  const out = new Map<string, Mergeable & { total: number }>();
  for (const r of rows) {
    const k = key(r);
    const acc = out.get(k);
    if (!acc) {
      // The states are copied: they are added to below, and the row read must stay as it is.
      const states = r.states !== undefined ? { states: { ...r.states } } : {};
      out.set(k, { ...r, ...states, total: r.mean * r.count });
      continue;
    }
    acc.count += r.count;
    acc.total += r.mean * r.count;
    acc.devices = devices === "sum" ? acc.devices + r.devices : Math.max(acc.devices, r.devices);
    acc.min = Math.min(acc.min, r.min);
    acc.max = Math.max(acc.max, r.max);
    // Consumption adds up, over groups and over buckets alike.
    if (r.sum !== undefined) acc.sum = (acc.sum ?? 0) + r.sum;
    if (r.states !== undefined) acc.states = addStates(acc.states ?? {}, r.states);
  }
  return [...out.values()].map(({ total, ...r }) => ({ ...r, mean: r.count > 0 ? total / r.count : 0 }));
}

function compareRows(a: AggregateRow, b: AggregateRow): number {
  if (a.time !== b.time) return a.time - b.time;
  const ka = `${a.group.commune ?? ""}|${a.group.domain ?? ""}|${a.field}`;
  const kb = `${b.group.commune ?? ""}|${b.group.domain ?? ""}|${b.field}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
