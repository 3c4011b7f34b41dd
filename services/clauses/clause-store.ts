import {
  BreachInvalidError,
  ExemptionInvalidError,
  ExemptionNotFoundError,
  LedgerInvalidError,
} from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";

/**
 * The platform's own record of the data clauses: what each operator delivered and how late (the
 * delivery ledger behind the compliance scorecards), what was refused, the exemptions granted by
 * public decision, and the personal data breaches with their GDPR art. 33 deadline. Its own port,
 * apart from the time-series store: these are the authority's records, kept after the readings
 * themselves are rolled up or deleted.
 *
 * The pure rules (bucketing, validation, the breach deadline, applying a patch) live here so that
 * every adapter applies the same ones.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const DAY_MS = 24 * HOUR;

/**
 * Upper bounds (inclusive) of the latency histogram's first seven buckets: ≤1 s, ≤10 s, ≤60 s,
 * ≤5 min, ≤15 min, ≤1 h, ≤1 day; the eighth counts the rest. Fixed, so that histograms recorded
 * on different days (and exported) always add up bucket by bucket.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  SECOND,
  10 * SECOND,
  60 * SECOND,
  5 * MINUTE,
  15 * MINUTE,
  HOUR,
  DAY_MS,
];
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/**
 * The histogram bucket of a delay (arrival − measurement). A negative delay (the device's clock
 * ahead of ours) counts as on time, in the first bucket, rather than being lost.
 */
export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
    if (ms <= (LATENCY_BOUNDS_MS[i] as number)) return i;
  }
  return LATENCY_BOUNDS_MS.length;
}

/** UTC midnight of the day holding `t`, as the ledger keys its rows. */
export function utcDay(t: EpochMs): EpochMs {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** "contractId@version" → "contractId": a query by contract matches all its versions. */
export { contractIdOf } from "../contracts/model.ts";

// ---------------------------------------------------------------------------------------------
// Delivery ledger

/** What one device delivered under one contract version on one UTC day (of measurement time). */
export interface DeliveryCount {
  /** UTC midnight of the readings' measurement time. */
  day: EpochMs;
  operatorId: string;
  /** "contractId@version". */
  contract: string;
  deviceId: string;
  readings: number;
  /** Readings delivered later than the contract's latency. */
  late: number;
  latencySumMs: number;
  latencyMaxMs: number;
  /** LATENCY_BUCKETS counts, bucketed by LATENCY_BOUNDS_MS; they add up to `readings`. */
  latencyHistogram: number[];
}

export type RefusalKind = "quarantine" | "violation";

/** Readings refused (quarantine) or fields dropped (violation) on one UTC day of reception. */
export interface RefusalCount {
  /** UTC midnight of the reception time (a refused reading may have no valid measurement time). */
  day: EpochMs;
  /** "" when the sender is unknown. */
  operatorId: string;
  /** "" when no contract was found. */
  contract: string;
  /** "" when the device is unknown. */
  deviceId: string;
  kind: RefusalKind;
  /** A DataCode (services/domain/errors.ts). */
  code: string;
  count: number;
}

export interface DeliveryTotals {
  readings: number;
  late: number;
  latencySumMs: number;
  latencyMaxMs: number;
  latencyHistogram: number[];
}

export interface DeviceDeliveries extends DeliveryTotals {
  operatorId: string;
  contract: string;
  deviceId: string;
}

export interface DailyDeliveries extends DeliveryTotals {
  day: EpochMs;
  operatorId: string;
  contract: string;
  /** Distinct devices with at least one reading that day. */
  devices: number;
}

/** The shape of a row of deliveries(), by grouping. */
export interface DeliveriesBy {
  device: DeviceDeliveries;
  day: DailyDeliveries;
}

interface LedgerFilter {
  /** Days in [from, to). */
  from: EpochMs;
  to: EpochMs;
  operatorId?: string;
  /** Matches every version of the contract. */
  contractId?: string;
}

export interface DeliveryQuery<B extends keyof DeliveriesBy = keyof DeliveriesBy> extends LedgerFilter {
  by: B;
}

export interface RefusalTotal {
  operatorId: string;
  contract: string;
  kind: RefusalKind;
  code: string;
  count: number;
}

export interface RefusalsBy {
  code: RefusalTotal;
  device: RefusalTotal & { deviceId: string };
  day: RefusalTotal & { day: EpochMs };
}

export interface RefusalQuery<B extends keyof RefusalsBy = keyof RefusalsBy> extends LedgerFilter {
  by: B;
}

/** Rows per page of a scan when the caller gives none, and the most it may ask for. */
export const SCAN_PAGE = 10_000;
export const SCAN_PAGE_MAX = 100_000;

// ---------------------------------------------------------------------------------------------
// Exemption register

export type Obligation = "delivery" | "format" | "latency" | "completeness";
export const OBLIGATIONS: readonly Obligation[] = ["delivery", "format", "latency", "completeness"];
export const REASON_MAX = 2_000;

/** An exemption from an obligation of a contract, granted by a public reasoned decision. */
export interface NewExemption {
  contractId: string;
  /** Every operator of the contract when absent. */
  operatorId?: string;
  /** Field names exempted; empty means every field. */
  fields: string[];
  obligation: Obligation;
  /** Why, in words the public can read (required, at most REASON_MAX characters). */
  reason: string;
  /** Reference of the public decision, e.g. "Délibération 2026-041". */
  decision: string;
  decidedAt: EpochMs;
  /** In force over [from, to); open-ended when `to` is absent. */
  from: EpochMs;
  to?: EpochMs;
  createdBy: string;
}

export interface Exemption extends NewExemption {
  /** Increasing over the register. */
  id: number;
  createdAt: EpochMs;
  revokedAt?: EpochMs;
  revokedBy?: string;
  revokeReason?: string;
}

export interface ExemptionQuery {
  contractId?: string;
  /** That operator's exemptions and those granted to every operator of the contract. */
  operatorId?: string;
  /** In force at that instant: from ≤ t < to. */
  activeAt?: EpochMs;
}

export interface Revocation {
  at: EpochMs;
  by: string;
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Breach record (GDPR art. 33)

/** Art. 33(1): the supervisory authority is notified within 72 hours of becoming aware. */
export const AUTHORITY_NOTICE_MS = 72 * HOUR;

export type BreachStatus = "open" | "notified" | "closed";

export interface NewBreach {
  /** When the controller became aware of the breach: the 72 h run from here. */
  awareAt: EpochMs;
  description: string;
  contractIds: string[];
  fields: string[];
  devicesAffected?: number;
  openedBy: string;
}

export interface BreachPatch {
  notifiedAuthorityAt?: EpochMs;
  notifiedSubjectsAt?: EpochMs;
  /** Measures taken or proposed (art. 33(3)(d)); replaces the previous text, kept in the history. */
  measures?: string;
  closedAt?: EpochMs;
  /** Kept in the history only. */
  note?: string;
}

/** One change of a breach record: who, when (the store's clock), and what the patch said. */
export interface BreachChange {
  at: EpochMs;
  by: string;
  patch: BreachPatch;
}

export interface Breach extends NewBreach {
  id: number;
  openedAt: EpochMs;
  /** awareAt + 72 h. */
  dueAt: EpochMs;
  /** "open" until the authority is notified, "notified" then, "closed" once closedAt is set. */
  status: BreachStatus;
  notifiedAuthorityAt?: EpochMs;
  notifiedSubjectsAt?: EpochMs;
  measures?: string;
  closedAt?: EpochMs;
  /** Every update, oldest first. */
  history: BreachChange[];
}

export interface BreachDeadlines {
  /** The notice to the supervisory authority (art. 33(1)). */
  authority: {
    dueAt: EpochMs;
    notifiedAt?: EpochMs;
    /** Not notified and past due. */
    overdue: boolean;
    /** Notified after dueAt: art. 33(1) then asks for the reasons for the delay. */
    late: boolean;
    /** Hours from now until due while not notified (negative once past); absent once notified. */
    hoursLeft?: number;
  };
}

/**
 * What the breach still owes and when. Closing a breach does not discharge the notice: a breach
 * closed without notifying stays overdue, which is what an auditor needs to see.
 */
export function breachDeadlines(
  b: Pick<Breach, "dueAt" | "notifiedAuthorityAt">,
  now: EpochMs,
): BreachDeadlines {
  const notifiedAt = b.notifiedAuthorityAt;
  if (notifiedAt !== undefined) {
    return { authority: { dueAt: b.dueAt, notifiedAt, overdue: false, late: notifiedAt > b.dueAt } };
  }
  const hoursLeft = (b.dueAt - now) / HOUR;
  return { authority: { dueAt: b.dueAt, overdue: now > b.dueAt, late: false, hoursLeft } };
}

// ---------------------------------------------------------------------------------------------
// The port

export interface ClauseStore {
  start(): Promise<void>;
  close(): Promise<void>;

  /**
   * Adds each row's counts to its (day, operatorId, contract, deviceId): every count and histogram
   * bucket adds, latencyMaxMs keeps the larger. All or nothing; a row breaking the ledger's rules
   * (validateDelivery) refuses the whole call with ERR_LEDGER_INVALID.
   */
  recordDeliveries(rows: readonly DeliveryCount[]): Promise<void>;
  /** Adds each row's count to its (day, operatorId, contract, deviceId, kind, code). */
  recordRefusals(rows: readonly RefusalCount[]): Promise<void>;
  /**
   * Sums over the days in [from, to), per (operatorId, contract, deviceId) for by=device or per
   * (day, operatorId, contract) for by=day; ordered by those keys. Aggregated in the store.
   */
  deliveries<B extends keyof DeliveriesBy>(q: DeliveryQuery<B>): Promise<DeliveriesBy[B][]>;
  /** Sums per (operatorId, contract, kind, code), plus deviceId or day; ordered by those keys. */
  refusals<B extends keyof RefusalsBy>(q: RefusalQuery<B>): Promise<RefusalsBy[B][]>;
  /**
   * Every ledger row, in pages of at most pageSize (default SCAN_PAGE), ordered by day, operator,
   * contract, device (then kind and code): keyset paging, so each row comes exactly once even when
   * rows are recorded meanwhile (a row's counts are those of when its page was read).
   */
  scanDeliveries(pageSize?: number): AsyncIterable<DeliveryCount[]>;
  scanRefusals(pageSize?: number): AsyncIterable<RefusalCount[]>;

  /**
   * Records an exemption (ERR_EXEMPTION_INVALID when it breaks validateExemption). `at`, for the
   * exemptions, breaches and changes below: when it was recorded, the store's clock when absent;
   * an import gives the original times, so that a restored register reads as it did.
   */
  addExemption(e: NewExemption, at?: EpochMs): Promise<Exemption>;
  /** Ordered by id. */
  listExemptions(q?: ExemptionQuery): Promise<Exemption[]>;
  /**
   * Ends the exemption at `at` (never before its start, never after an end it already had) and
   * records who and why; it stays listed. ERR_EXEMPTION_NOT_FOUND, or ERR_EXEMPTION_INVALID when
   * already revoked or without a reason.
   */
  revokeExemption(id: number, revocation: Revocation): Promise<Exemption>;

  /** Records a breach, due for notice 72 h after awareAt. */
  openBreach(b: NewBreach, at?: EpochMs): Promise<Breach>;
  /** Applies the patch and appends it to the history (ERR_BREACH_NOT_FOUND, ERR_BREACH_INVALID). */
  updateBreach(id: number, patch: BreachPatch, by: string, at?: EpochMs): Promise<Breach>;
  /** Ordered by id. */
  listBreaches(): Promise<Breach[]>;
  getBreach(id: number): Promise<Breach | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Rules every adapter applies

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

function isTime(t: unknown): t is EpochMs {
  return typeof t === "number" && Number.isSafeInteger(t);
}

function isDay(t: unknown): boolean {
  return isTime(t) && t % DAY_MS === 0;
}

function nonEmpty(s: unknown): s is string {
  return typeof s === "string" && s.trim().length > 0;
}

/**
 * Whole milliseconds and counts only (the DuckDB adapter keeps them as BIGINT); the histogram
 * adds up to the readings and no more readings are late than were delivered, so that every
 * share a scorecard computes stays within [0, 1].
 */
export function validateDelivery(r: DeliveryCount): void {
  const where = `${r.operatorId}/${r.contract}/${r.deviceId}@${r.day}`;
  if (!isDay(r.day)) throw new LedgerInvalidError(`${where}: day must be a UTC midnight`);
  if (!nonEmpty(r.operatorId) || !nonEmpty(r.contract) || !nonEmpty(r.deviceId)) {
    throw new LedgerInvalidError(`${where}: operatorId, contract and deviceId are required`);
  }
  for (const n of [r.readings, r.late, r.latencySumMs, r.latencyMaxMs]) {
    if (!isCount(n)) throw new LedgerInvalidError(`${where}: counts must be whole and non-negative`);
  }
  const h = r.latencyHistogram;
  if (!Array.isArray(h) || h.length !== LATENCY_BUCKETS || !h.every(isCount)) {
    throw new LedgerInvalidError(`${where}: latencyHistogram must hold ${LATENCY_BUCKETS} counts`);
  }
  if (h.reduce((a, b) => a + b, 0) !== r.readings || r.late > r.readings) {
    throw new LedgerInvalidError(`${where}: histogram and late must agree with readings`);
  }
}

export function validateRefusal(r: RefusalCount): void {
  const where = `${r.operatorId}/${r.contract}/${r.deviceId}/${r.code}@${r.day}`;
  if (!isDay(r.day)) throw new LedgerInvalidError(`${where}: day must be a UTC midnight`);
  if (r.kind !== "quarantine" && r.kind !== "violation") {
    throw new LedgerInvalidError(`${where}: kind must be quarantine or violation`);
  }
  const texts = [r.operatorId, r.contract, r.deviceId];
  if (!texts.every((s) => typeof s === "string") || !nonEmpty(r.code)) {
    throw new LedgerInvalidError(`${where}: code is required, the other keys are strings`);
  }
  if (!isCount(r.count)) throw new LedgerInvalidError(`${where}: count must be whole and non-negative`);
}

export function validateQuery(q: LedgerFilter & { by: string }, groupings: readonly string[]): void {
  if (!isTime(q.from) || !isTime(q.to)) throw new LedgerInvalidError("from and to must be whole ms");
  if (!groupings.includes(q.by)) throw new LedgerInvalidError(`by must be one of ${groupings.join(", ")}`);
}

export function scanPageSize(pageSize: number | undefined): number {
  const size = pageSize ?? SCAN_PAGE;
  if (!Number.isSafeInteger(size) || size < 1) throw new LedgerInvalidError("pageSize must be at least 1");
  return Math.min(size, SCAN_PAGE_MAX);
}

export function validateExemption(e: NewExemption): void {
  if (!nonEmpty(e.contractId)) throw new ExemptionInvalidError("contractId is required");
  if (e.operatorId !== undefined && !nonEmpty(e.operatorId)) {
    throw new ExemptionInvalidError("operatorId, when given, must not be empty");
  }
  if (!Array.isArray(e.fields) || !e.fields.every(nonEmpty)) {
    throw new ExemptionInvalidError("fields must be field names (empty list: every field)");
  }
  if (!OBLIGATIONS.includes(e.obligation)) {
    throw new ExemptionInvalidError(`obligation must be one of ${OBLIGATIONS.join(", ")}`);
  }
  checkReason(e.reason);
  if (!nonEmpty(e.decision))
    throw new ExemptionInvalidError("the reference of the public decision is required");
  if (!nonEmpty(e.createdBy)) throw new ExemptionInvalidError("createdBy is required");
  if (!isTime(e.decidedAt) || !isTime(e.from))
    throw new ExemptionInvalidError("decidedAt and from must be times");
  if (e.to !== undefined && (!isTime(e.to) || e.to <= e.from)) {
    throw new ExemptionInvalidError("to must come after from");
  }
}

function checkReason(reason: unknown): void {
  if (!nonEmpty(reason)) throw new ExemptionInvalidError("a reason is required");
  if (reason.length > REASON_MAX) throw new ExemptionInvalidError(`reason is over ${REASON_MAX} characters`);
}

/** The exemption as stored: the caller's fields only, copied. */
export function exemptionOf(e: NewExemption, id: number, createdAt: EpochMs): Exemption {
  const stored: Exemption = {
    id,
    contractId: e.contractId,
    fields: [...e.fields],
    obligation: e.obligation,
    reason: e.reason,
    decision: e.decision,
    decidedAt: e.decidedAt,
    from: e.from,
    createdBy: e.createdBy,
    createdAt,
  };
  if (e.operatorId !== undefined) stored.operatorId = e.operatorId;
  if (e.to !== undefined) stored.to = e.to;
  return stored;
}

/**
 * The revoked exemption. Its end becomes `at`, but never before its start (a decision withdrawn
 * before it took effect leaves an empty period) nor later than an end it already had.
 */
export function revoked(e: Exemption | undefined, id: number, r: Revocation): Exemption {
  if (!e) throw new ExemptionNotFoundError(String(id));
  if (e.revokedAt !== undefined) throw new ExemptionInvalidError(`exemption ${id} is already revoked`);
  checkReason(r.reason);
  if (!nonEmpty(r.by)) throw new ExemptionInvalidError("who revokes is required");
  if (!isTime(r.at)) throw new ExemptionInvalidError("at must be a time");
  const to = Math.min(e.to ?? Number.POSITIVE_INFINITY, Math.max(r.at, e.from));
  return { ...e, fields: [...e.fields], to, revokedAt: r.at, revokedBy: r.by, revokeReason: r.reason };
}

/** Whether the exemption matches the query (see ExemptionQuery). */
export function exemptionMatches(e: Exemption, q: ExemptionQuery): boolean {
  if (q.contractId !== undefined && e.contractId !== q.contractId) return false;
  if (q.operatorId !== undefined && e.operatorId !== undefined && e.operatorId !== q.operatorId) return false;
  if (q.activeAt === undefined) return true;
  return e.from <= q.activeAt && (e.to === undefined || q.activeAt < e.to);
}

export function validateBreach(b: NewBreach): void {
  if (!isTime(b.awareAt)) throw new BreachInvalidError("awareAt must be a time");
  if (!nonEmpty(b.description)) throw new BreachInvalidError("a description is required");
  if (!nonEmpty(b.openedBy)) throw new BreachInvalidError("openedBy is required");
  const lists = [b.contractIds, b.fields];
  if (!lists.every((l) => Array.isArray(l) && l.every((s) => typeof s === "string"))) {
    throw new BreachInvalidError("contractIds and fields must be lists of names");
  }
  if (b.devicesAffected !== undefined && !isCount(b.devicesAffected)) {
    throw new BreachInvalidError("devicesAffected must be a whole number");
  }
}

export function breachOf(b: NewBreach, id: number, openedAt: EpochMs): Breach {
  const breach: Breach = {
    id,
    awareAt: b.awareAt,
    description: b.description,
    contractIds: [...b.contractIds],
    fields: [...b.fields],
    openedBy: b.openedBy,
    openedAt,
    dueAt: b.awareAt + AUTHORITY_NOTICE_MS,
    status: "open",
    history: [],
  };
  if (b.devicesAffected !== undefined) breach.devicesAffected = b.devicesAffected;
  return breach;
}

const PATCH_TIMES = ["notifiedAuthorityAt", "notifiedSubjectsAt", "closedAt"] as const;
const PATCH_TEXTS = ["measures", "note"] as const;

/** The patch's own keys only, checked and copied: what goes into the history. */
function cleanPatch(patch: BreachPatch): BreachPatch {
  const clean: BreachPatch = {};
  for (const key of PATCH_TIMES) {
    const t = patch[key];
    if (t === undefined) continue;
    if (!isTime(t)) throw new BreachInvalidError(`${key} must be a time`);
    clean[key] = t;
  }
  for (const key of PATCH_TEXTS) {
    const s = patch[key];
    if (s === undefined) continue;
    if (typeof s !== "string") throw new BreachInvalidError(`${key} must be text`);
    clean[key] = s;
  }
  if (Object.keys(clean).length === 0) throw new BreachInvalidError("the update changes nothing");
  return clean;
}

/** The breach after the patch, its history one change longer. */
export function patched(b: Breach, patch: BreachPatch, by: string, at: EpochMs): Breach {
  if (!nonEmpty(by)) throw new BreachInvalidError("who updates is required");
  const clean = cleanPatch(patch);
  const next: Breach = { ...copyBreach(b), ...withoutNote(clean) };
  next.history.push({ at, by, patch: clean });
  next.status = statusOf(next);
  return next;
}

function withoutNote(patch: BreachPatch): Omit<BreachPatch, "note"> {
  const { note: _note, ...rest } = patch;
  return rest;
}

function statusOf(b: Breach): BreachStatus {
  if (b.closedAt !== undefined) return "closed";
  return b.notifiedAuthorityAt === undefined ? "open" : "notified";
}

/** Callers get copies: what they change never reaches the store. */
export function copyBreach(b: Breach): Breach {
  return {
    ...b,
    contractIds: [...b.contractIds],
    fields: [...b.fields],
    history: b.history.map((c) => ({ ...c, patch: { ...c.patch } })),
  };
}

export function copyExemption(e: Exemption): Exemption {
  return { ...e, fields: [...e.fields] };
}
