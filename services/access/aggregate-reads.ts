import type { Principal } from "../auth/principals.ts";
import { BadRequestError, RollupsOnlyError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import { aggregateFromRollups, planRollupQuery } from "../rollups/aggregates.ts";
import type {
  GroupDimension,
  RollupStore,
  StateRollupStore,
  AggregateQuery as StoreAggregateQuery,
  TimeSeriesStore,
} from "../storage/store.ts";
import { checkBucketCount } from "./buckets.ts";
import type { AccessPolicy, AggregateRules } from "./policy.ts";
import { type AggregateView, aggregateViews, iso } from "./views.ts";

const MAX_BUCKETS = 5_000;

export type AggregateReadStore = Pick<TimeSeriesStore, "aggregate"> &
  Pick<RollupStore, "groupRollups"> &
  Pick<StateRollupStore, "groupStateRollups">;

export interface AggregateRequest {
  from: EpochMs;
  to: EpochMs;
  /** Dimensions asked; the audience's default when absent. */
  groupBy?: readonly string[];
  domain?: string;
  commune?: string;
  field?: string;
  /** Bucket width; the whole range is one bucket when absent. */
  resolutionMs?: number;
}

export interface AggregateAnswer {
  from: string;
  to: string;
  rows: AggregateView[];
}

/**
 * Aggregates per commune and domain: staff's (which may also group by operator and read raw
 * readings) and everyone's open data (published fields over enough devices, rollups only), as
 * the policy's rules for each audience say.
 */
export interface AggregateReads {
  staff(principal: Principal | undefined, q: AggregateRequest): Promise<AggregateAnswer>;
  open(q: AggregateRequest): Promise<AggregateAnswer>;
}

export function createAggregateReads(deps: {
  policy: AccessPolicy;
  store: AggregateReadStore;
}): AggregateReads {
  return {
    staff: (principal, q) =>
      answer(deps.store, q, deps.policy.staffAggregates(principal), ["commune", "domain"]),
    open: (q) => answer(deps.store, q, deps.policy.publicAggregates(), ["commune"]),
  };
}

/**
 * Served from the commune and domain rollups whenever the query fits them (services/rollups/
 * aggregates.ts), with the range widened to whole buckets. Staff may also group by operator or
 * ask for buckets shorter than an hour: those are read from raw readings, over a range bounded
 * by the bucket count.
 */
async function answer(
  store: AggregateReadStore,
  q: AggregateRequest,
  rules: AggregateRules,
  defaultGroups: readonly GroupDimension[],
): Promise<AggregateAnswer> {
  const request: StoreAggregateQuery = {
    from: q.from,
    to: q.to,
    groupBy: groupsOf(q.groupBy ?? defaultGroups, rules),
    ...(q.domain !== undefined ? { domain: q.domain } : {}),
    ...(q.commune !== undefined ? { commune: q.commune } : {}),
    ...(q.field !== undefined ? { field: q.field } : {}),
    ...(q.resolutionMs !== undefined ? { resolutionMs: q.resolutionMs } : {}),
  };
  const plan = planRollupQuery(request);
  if (!plan && rules.source === "rollups only")
    throw new BadRequestError("resolution must be a whole number of hours (1h, 6h, 1d...)");
  if (!plan && q.field !== undefined) refuseRawOnlyFromRollups(q.field, rules);
  const { from, to } = plan ?? request;
  checkBucketCount(from, to, q.resolutionMs, MAX_BUCKETS);
  // Raw readings give no consumption nor time in a state: those come from the rollups only.
  const rows = plan
    ? await aggregateFromRollups(store, request, plan)
    : (await store.aggregate(request)).filter(
        (r) => !rules.counters.has(r.field) && !rules.states.has(r.field),
      );
  const buckets = { from, to, ...(q.resolutionMs !== undefined ? { resolutionMs: q.resolutionMs } : {}) };
  return { from: iso(from), to: iso(to), rows: aggregateViews(rows.filter(rules.shows), buckets) };
}

/**
 * A counter's consumption and a state's time come from the rollups only: a query that asks for
 * such a field where raw readings would answer is refused with the reason, rather than answered
 * with no rows. (Without a field, the answer lists the gauges and says nothing of the others.)
 */
function refuseRawOnlyFromRollups(field: string, rules: AggregateRules): void {
  const kind = rules.counters.has(field) ? "a counter" : rules.states.has(field) ? "a state" : undefined;
  if (kind === undefined) return;
  throw new RollupsOnlyError(
    `${field} is ${kind}, aggregated from the rollups only: group by commune and/or domain, with a resolution of whole hours`,
  );
}

/** The dimensions asked, checked against the audience's, with those it always groups by. */
function groupsOf(asked: readonly string[], rules: AggregateRules): GroupDimension[] {
  const groups: GroupDimension[] = [];
  const bad: string[] = [];
  for (const name of [...asked, ...rules.alwaysGroupBy]) {
    const dimension = rules.groupBy.find((d) => d === name);
    if (dimension === undefined) bad.push(name);
    else if (!groups.includes(dimension)) groups.push(dimension);
  }
  if (bad.length > 0)
    throw new BadRequestError(`groupBy accepts ${rules.groupBy.join(", ")}; not ${bad.join(", ")}`);
  return groups;
}
