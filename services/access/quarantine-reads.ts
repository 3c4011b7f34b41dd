import type { Principal } from "../auth/principals.ts";
import type { ReplayLog, ReplayTrace } from "../clauses/replay-log.ts";
import type { EpochMs, QuarantineEntry } from "../domain/types.ts";
import type { QuarantineStore, ViolationLog } from "../storage/store.ts";
import type { AccessPolicy } from "./policy.ts";
import { type QuarantineView, quarantineView, type ViolationView, violationView } from "./views.ts";

export type QuarantineReadStore = Pick<QuarantineStore, "listQuarantine" | "countQuarantine"> &
  Pick<ViolationLog, "countViolations" | "listViolations">;

export interface QuarantineRequest {
  /** Staff only: one operator's entries. An operator always reads its own. */
  operator?: string;
  device?: string;
  code?: string;
  from?: EpochMs;
  to?: EpochMs;
  limit: number;
  /** Paging: entries with an id below this one. */
  before?: number;
  /**
   * open (default): entries not replayed, the quarantine as it stands; replayed: those that left it
   * by a replay; all: both. Nothing is deleted by a replay: the entry stays, with its trace.
   */
  state?: QuarantineState;
}

export const QUARANTINE_STATES = ["open", "replayed", "all"] as const;
export type QuarantineState = (typeof QUARANTINE_STATES)[number];

/** How an entry left the quarantine's open view (services/clauses/replay.ts). */
export interface ReplayView {
  at: string;
  by: string;
  role: string;
  outcome: ReplayTrace["outcome"];
  contract: string | null;
  reasons: ReplayTrace["reasons"];
  newQuarantineIds: number[];
}

export type QuarantineEntryView = QuarantineView & { replay: ReplayView | null };

export interface QuarantinePage {
  /** Entries of the asked state that match the filter. */
  total: number;
  entries: QuarantineEntryView[];
  /**
   * `before` of the next page; null at the end. A page of the open or replayed view may hold
   * fewer than `limit` entries and still have a next page (its scan stopped at SCAN_MAX rows).
   */
  next: number | null;
}

export interface ViolationRequest {
  /** Staff only: one operator's violations. An operator always reads its own. */
  operator?: string;
  device?: string;
  /** The violation's path (`data.active_power_w`) or the field name. */
  field?: string;
  code?: string;
  from?: EpochMs;
  to?: EpochMs;
  limit: number;
  /** Paging: violations with an id below this one. */
  before?: number;
}

export interface ViolationPage {
  entries: ViolationView[];
  next: number | null;
}

export interface ComplianceView {
  violations: { operator: string; code: string; count: number }[];
  quarantined: number;
}

/**
 * The quarantine and each operator's violation counts, the basis of its compliance with the
 * data contract. Entries belong to the operator that sent them (authenticated), whatever the
 * device: an operator reads what it sent, staff read everyone's.
 */
export interface QuarantineReads {
  quarantine(principal: Principal | undefined, q: QuarantineRequest): Promise<QuarantinePage>;
  compliance(
    principal: Principal | undefined,
    range: { from?: EpochMs; to?: EpochMs },
  ): Promise<ComplianceView>;
  /** Each violation behind the counts: device, field, the value dropped and why. */
  violations(principal: Principal | undefined, q: ViolationRequest): Promise<ViolationPage>;
}

/** Rows of the quarantine one page of the open or replayed view reads at most. */
export const SCAN_MAX = 10_000;

export function createQuarantineReads(deps: {
  policy: AccessPolicy;
  store: QuarantineReadStore;
  /** The replay traces; without them every entry is open (nothing was ever replayed). */
  replays?: Pick<ReplayLog, "replayedIds" | "countReplayed">;
}): QuarantineReads {
  const { policy, store } = deps;
  const replays = deps.replays ?? NO_REPLAYS;
  return {
    async quarantine(principal, q) {
      const operatorId = policy.operatorScope(principal, q.operator);
      const filter = {
        ...(operatorId !== undefined ? { operatorId } : {}),
        ...(q.device !== undefined ? { deviceId: q.device } : {}),
        ...(q.code !== undefined ? { code: q.code } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
      };
      const state = q.state ?? "open";
      const [page, total] = await Promise.all([
        listState(store, replays, state, filter, q),
        totalOf(store, replays, state, filter),
      ]);
      return { total, entries: page.entries, next: page.next };
    },
    async compliance(principal, range) {
      const operatorId = policy.operatorScope(principal, undefined);
      const filter = {
        ...(range.from !== undefined ? { from: range.from } : {}),
        ...(range.to !== undefined ? { to: range.to } : {}),
        ...(operatorId !== undefined ? { operatorId } : {}),
      };
      const [rows, quarantined] = await Promise.all([
        store.countViolations(filter),
        store.countQuarantine(filter),
      ]);
      return {
        violations: rows.map((r) => ({ operator: r.operatorId, code: r.code, count: r.count })),
        quarantined,
      };
    },
    async violations(principal, q) {
      // Like a quarantine entry, a violation belongs to the operator that sent the reading.
      const operatorId = policy.operatorScope(principal, q.operator);
      const records = await store.listViolations({
        ...(operatorId !== undefined ? { operatorId } : {}),
        ...(q.device !== undefined ? { deviceId: q.device } : {}),
        ...(q.field !== undefined ? { field: q.field } : {}),
        ...(q.code !== undefined ? { code: q.code } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        limit: q.limit,
        ...(q.before !== undefined ? { beforeId: q.before } : {}),
      });
      const last = records.at(-1);
      return {
        entries: records.map(violationView),
        next: records.length === q.limit && last?.id !== undefined ? last.id : null,
      };
    },
  };
}

const NO_REPLAYS: Pick<ReplayLog, "replayedIds" | "countReplayed"> = {
  replayedIds: async () => new Map(),
  countReplayed: async () => 0,
};

type Replays = Pick<ReplayLog, "replayedIds" | "countReplayed">;
type Filter = Parameters<QuarantineReadStore["countQuarantine"]>[0];

async function totalOf(store: QuarantineReadStore, replays: Replays, state: QuarantineState, filter: Filter) {
  if (state === "all") return store.countQuarantine(filter);
  const [all, replayed] = await Promise.all([store.countQuarantine(filter), replays.countReplayed(filter)]);
  return state === "replayed" ? Math.min(all, replayed) : Math.max(0, all - replayed);
}

/**
 * One page of a view. The quarantine and the traces are two stores: the page is read from the
 * quarantine newest first, in chunks, keeping the entries of the asked state, until the page is
 * full or SCAN_MAX rows were read (then `next` goes on from the last row read).
 */
async function listState(
  store: QuarantineReadStore,
  replays: Replays,
  state: QuarantineState,
  filter: Filter,
  q: QuarantineRequest,
): Promise<{ entries: QuarantineEntryView[]; next: number | null }> {
  const kept: QuarantineEntryView[] = [];
  const chunk = state === "all" ? q.limit : Math.min(1000, Math.max(q.limit * 2, 100));
  let before = q.before;
  let scanned = 0;
  for (;;) {
    const rows = await store.listQuarantine({
      ...filter,
      limit: chunk,
      ...(before !== undefined ? { beforeId: before } : {}),
    });
    const traces = await replays.replayedIds(rows.map((e) => e.id ?? 0));
    for (const row of rows) {
      const trace = traces.get(row.id ?? 0);
      if (state === "all" || (state === "replayed") === (trace !== undefined))
        kept.push(entryView(row, trace));
      before = row.id;
      if (kept.length === q.limit) return { entries: kept, next: before ?? null };
    }
    scanned += rows.length;
    if (rows.length < chunk || before === undefined) return { entries: kept, next: null };
    if (scanned >= SCAN_MAX) return { entries: kept, next: before };
  }
}

function entryView(e: QuarantineEntry, trace: ReplayTrace | undefined): QuarantineEntryView {
  return { ...quarantineView(e), replay: trace ? replayView(trace) : null };
}

export function replayView(t: ReplayTrace): ReplayView {
  return {
    at: new Date(t.replayedAt).toISOString(),
    by: t.replayedBy,
    role: t.role,
    outcome: t.outcome,
    contract: t.contract ?? null,
    reasons: t.reasons,
    newQuarantineIds: t.newQuarantineIds,
  };
}
