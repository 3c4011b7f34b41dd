import type { AccessPolicy } from "../access/policy.ts";
import type { Principal } from "../auth/principals.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Clock } from "../domain/clock.ts";
import { BadRequestError, ForbiddenError, NotFoundError } from "../domain/errors.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import {
  type Breach,
  type BreachDeadlines,
  type BreachPatch,
  breachDeadlines,
  type ClauseStore,
  type Exemption,
  type NewBreach,
  type NewExemption,
} from "./clause-store.ts";
import { type ScorecardTrend, scorecardTrend } from "./scorecard-chart.ts";
import { parsePeriod, type ScorecardPeriod } from "./scorecard-period.ts";
import { type Scorecard, type ScorecardDeps, scorecards } from "./scorecards.ts";

/**
 * The clauses as the API serves them: scorecards (an operator reads its own, staff everyone's),
 * the exemption register (public to read, administrators grant and revoke), the breach record
 * (administrators). Who may do what is decided here, the routes only pass the principal.
 */
export interface ClausesService {
  scorecards(principal: Principal | undefined, q: ScorecardRequest): Promise<ScorecardAnswer>;
  exemptions(q: { contractId?: string; operatorId?: string; activeAt?: EpochMs }): Promise<Exemption[]>;
  addExemption(principal: Principal | undefined, e: Omit<NewExemption, "createdBy">): Promise<Exemption>;
  revokeExemption(
    principal: Principal | undefined,
    id: number,
    reason: string,
    at?: EpochMs,
  ): Promise<Exemption>;
  breaches(principal: Principal | undefined): Promise<BreachView[]>;
  openBreach(principal: Principal | undefined, b: Omit<NewBreach, "openedBy">): Promise<BreachView>;
  updateBreach(principal: Principal | undefined, id: number, patch: BreachPatch): Promise<BreachView>;
  /** One operator's cards for one contract month by month (an operator reads its own). */
  trend(principal: Principal | undefined, q: TrendRequest): Promise<ScorecardTrend>;
}

export interface TrendRequest {
  /** Staff: required; an operator always reads its own. */
  operator?: string;
  contract: string;
  /** Months shown, the last one holding `until` (default 12). */
  months?: number;
  /** "YYYY-MM": the chart's last month (default: the current month). */
  until?: string;
}

export interface ScorecardRequest {
  /** "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
  period: string;
  operator?: string;
  contract?: string;
}

export interface ScorecardAnswer {
  period: ScorecardPeriod;
  scorecards: Scorecard[];
}

export type BreachView = Breach & { deadlines: BreachDeadlines };

export interface ClausesDeps {
  store: ClauseStore;
  policy: Pick<AccessPolicy, "operatorScope">;
  devices: { list(): Device[] };
  contracts: Pick<ContractRegistry, "versions" | "versionAt" | "all">;
  clock: Clock;
}

/** What the scorecards read, from the service's deps. */
export function scorecardDepsOf(deps: ClausesDeps): ScorecardDeps {
  return {
    ledger: deps.store,
    devices: deps.devices,
    contracts: deps.contracts,
    now: () => deps.clock.now(),
  };
}

/** The trend's operator (the principal's own for an operator), contract and last month, checked. */
async function trendOf(
  deps: ClausesDeps,
  principal: Principal | undefined,
  q: TrendRequest,
): Promise<ScorecardTrend> {
  const operatorId = deps.policy.operatorScope(principal, q.operator);
  if (operatorId === undefined) throw new BadRequestError("operator: which operator's trend");
  if (!deps.contracts.all().some((c) => c.id === q.contract)) {
    throw new BadRequestError(`contract ${q.contract} is not one of the territory's contracts`);
  }
  let until: EpochMs | undefined;
  if (q.until !== undefined) {
    const month = parsePeriod(q.until);
    if (month?.kind !== "month")
      throw new BadRequestError(`until ${JSON.stringify(q.until)}: expected YYYY-MM`);
    until = month.from;
  }
  return scorecardTrend(scorecardDepsOf(deps), {
    operatorId,
    contractId: q.contract,
    ...(q.months !== undefined ? { months: q.months } : {}),
    ...(until !== undefined ? { until } : {}),
  });
}

export function createClausesService(deps: ClausesDeps): ClausesService {
  const { store, clock } = deps;
  const scoreDeps = {
    ledger: store,
    devices: deps.devices,
    contracts: deps.contracts,
    now: () => clock.now(),
  };
  return {
    async scorecards(principal, q) {
      const period = parsePeriod(q.period);
      if (!period)
        throw new BadRequestError(`period ${JSON.stringify(q.period)}: expected YYYY, YYYY-MM or YYYY-MM-DD`);
      const operatorId = deps.policy.operatorScope(principal, q.operator);
      const filter = {
        ...(operatorId !== undefined ? { operatorId } : {}),
        ...(q.contract !== undefined ? { contractId: q.contract } : {}),
      };
      return { period, scorecards: await scorecards(scoreDeps, period, filter) };
    },
    exemptions: (q) => store.listExemptions(q),
    async addExemption(principal, e) {
      const by = admin(principal);
      if (!deps.contracts.all().some((c) => c.id === e.contractId)) {
        throw new BadRequestError(`contract ${e.contractId} is not one of the territory's contracts`);
      }
      return store.addExemption({ ...e, createdBy: by });
    },
    async revokeExemption(principal, id, reason, at) {
      const by = admin(principal);
      return store.revokeExemption(id, { at: at ?? clock.now(), by, reason });
    },
    async breaches(principal) {
      admin(principal);
      const now = clock.now();
      return (await store.listBreaches()).map((b) => withDeadlines(b, now));
    },
    async openBreach(principal, b) {
      const by = admin(principal);
      return withDeadlines(await store.openBreach({ ...b, openedBy: by }), clock.now());
    },
    async updateBreach(principal, id, patch) {
      const by = admin(principal);
      if (!(await store.getBreach(id))) throw new NotFoundError(`breach ${id}`);
      return withDeadlines(await store.updateBreach(id, patch, by), clock.now());
    },
    trend: (principal, q) => trendOf(deps, principal, q),
  };
}

function admin(principal: Principal | undefined): string {
  if (principal?.role !== "admin") throw new ForbiddenError("for administrators");
  return principal.id;
}

function withDeadlines(b: Breach, now: EpochMs): BreachView {
  return { ...b, deadlines: breachDeadlines(b, now) };
}
