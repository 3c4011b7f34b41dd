import type { Principal } from "../auth/principals.ts";
import type { EpochMs } from "../domain/types.ts";
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
}

export interface QuarantinePage {
  total: number;
  entries: QuarantineView[];
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

export function createQuarantineReads(deps: {
  policy: AccessPolicy;
  store: QuarantineReadStore;
}): QuarantineReads {
  const { policy, store } = deps;
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
      const page = { ...filter, limit: q.limit, ...(q.before !== undefined ? { beforeId: q.before } : {}) };
      const [entries, total] = await Promise.all([store.listQuarantine(page), store.countQuarantine(filter)]);
      const last = entries.at(-1);
      return {
        total,
        entries: entries.map(quarantineView),
        next: entries.length === q.limit && last?.id !== undefined ? last.id : null,
      };
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
