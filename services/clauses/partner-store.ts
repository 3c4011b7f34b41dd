import { AgreementInvalidError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";

/**
 * Partner and research agreements (data clauses, item 7): beside the equal open channel, a named
 * partner (a laboratory, a university, a utility's research arm) reads stated datasets under an
 * agreement that says what, why, on which legal ground and until when. Its own port, apart from
 * the time-series store: these are the authority's records, kept after the agreement ends (an
 * agreement is ended, never deleted, so that the access log's entries keep their meaning).
 *
 * The pure rules (what an agreement must state, when it is in force) live here so that every
 * adapter applies the same ones.
 */

/** The finest readings a scope grants: raw readings, or the hourly or daily rollups only. */
export type Granularity = "raw" | "1h" | "1d";
export const GRANULARITIES: readonly Granularity[] = ["raw", "1h", "1d"];

/** One dataset an agreement grants: one contract's readings, some of its fields, at a granularity. */
export interface ScopeItem {
  contractId: string;
  /** Field names of the contract; never a personal one (services/clauses/partners.ts checks). */
  fields: string[];
  granularity: Granularity;
}

export interface Agreement {
  /** Lowercase letters, digits and dashes: it is the first part of the partner's key. */
  id: string;
  /** Who the partner is, e.g. "Université de Lorraine — LIEC". */
  partner: string;
  /** What the data are for, in the agreement's words. */
  purpose: string;
  /** The agreement's reference: a convention number, a deliberation. */
  legalReference: string;
  scope: ScopeItem[];
  /** Readings measured in [dataFrom, dataTo); either bound absent: open on that side. */
  dataFrom?: EpochMs;
  dataTo?: EpochMs;
  /** The agreement is in force in [validFrom, validTo): an agreement always ends. */
  validFrom: EpochMs;
  validTo: EpochMs;
  /** Devices are shown under a pseudonym, without location or attributes. */
  pseudonymise: boolean;
  createdBy: string;
  createdAt: EpochMs;
  /** Set when an administrator ended the agreement before its `validTo`. */
  endedAt?: EpochMs;
  endedBy?: string;
  endReason?: string;
}

/** What the store keeps of an agreement besides what it shows: never sent to anyone. */
export interface AgreementSecrets {
  /** scrypt hash of the key's secret part (services/inventory/secrets.ts). */
  keyHash: string;
  /** The agreement's own HMAC key for device pseudonyms (hex). */
  pseudonymKey: string;
}

export interface PartnerKey extends AgreementSecrets {
  agreement: Agreement;
}

export interface AgreementEnd {
  at: EpochMs;
  by: string;
  reason: string;
}

export interface PartnerStore {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Keeps a new agreement: ERR_AGREEMENT_INVALID when it breaks `checkAgreement` or its id is taken. */
  addAgreement(agreement: Agreement, secrets: AgreementSecrets): Promise<void>;
  /** Every agreement, ended ones included, oldest first (createdAt, then id). */
  listAgreements(): Promise<Agreement[]>;
  getAgreement(id: string): Promise<Agreement | undefined>;
  /**
   * Ends an agreement now (who, why); undefined when there is none. An agreement already ended
   * keeps its first end: the answer shows it.
   */
  endAgreement(id: string, end: AgreementEnd): Promise<Agreement | undefined>;
  /** The agreement and its secrets, for the authenticator and the pseudonyms. */
  findKey(id: string): Promise<PartnerKey | undefined>;
}

export const AGREEMENT_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MAX_TEXT = 2_000;

/** What every adapter refuses, whole, before it writes anything. */
export function checkAgreement(a: Agreement, secrets: AgreementSecrets): void {
  const problems = agreementProblems(a);
  if (secrets.keyHash === "" || secrets.pseudonymKey === "") problems.push("its key is missing");
  if (problems.length > 0) throw new AgreementInvalidError(problems.join("; "));
}

function agreementProblems(a: Agreement): string[] {
  const problems: string[] = [];
  if (!AGREEMENT_ID.test(a.id)) problems.push("id: lowercase letters, digits and dashes, 64 at most");
  for (const [name, text] of [
    ["partner", a.partner],
    ["purpose", a.purpose],
    ["legalReference", a.legalReference],
  ] as const) {
    if (text.trim() === "" || text.length > MAX_TEXT) problems.push(`${name}: a text of 1 to ${MAX_TEXT}`);
  }
  if (!(a.validTo > a.validFrom)) problems.push("validTo must be after validFrom");
  if (a.dataFrom !== undefined && a.dataTo !== undefined && !(a.dataTo > a.dataFrom))
    problems.push("dataTo must be after dataFrom");
  problems.push(...scopeProblems(a.scope));
  return problems;
}

function scopeProblems(scope: readonly ScopeItem[]): string[] {
  if (scope.length === 0) return ["scope: at least one contract"];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const item of scope) {
    if (seen.has(item.contractId)) problems.push(`scope: contract ${item.contractId} named twice`);
    seen.add(item.contractId);
    if (item.fields.length === 0) problems.push(`scope ${item.contractId}: at least one field`);
    if (new Set(item.fields).size !== item.fields.length)
      problems.push(`scope ${item.contractId}: a field named twice`);
    if (!GRANULARITIES.includes(item.granularity))
      problems.push(`scope ${item.contractId}: granularity is one of ${GRANULARITIES.join(", ")}`);
  }
  return problems;
}

/** Whether the agreement lets its partner in at `now`: begun, not past its end, not ended. */
export function inForce(a: Pick<Agreement, "validFrom" | "validTo" | "endedAt">, now: EpochMs): boolean {
  return a.validFrom <= now && now < a.validTo && (a.endedAt === undefined || now < a.endedAt);
}

/** Ends an agreement held in memory as every adapter does: the first end stays. */
export function ended(a: Agreement, end: AgreementEnd): Agreement {
  if (a.endedAt !== undefined) return a;
  return { ...a, endedAt: end.at, endedBy: end.by, endReason: end.reason };
}

/** listAgreements' order. */
export function byCreation(a: Agreement, b: Agreement): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
