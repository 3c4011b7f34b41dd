import { createHmac, randomBytes } from "node:crypto";
import type { PartnerCredential, Principal } from "../auth/principals.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Clock } from "../domain/clock.ts";
import {
  AgreementEndedError,
  AgreementInvalidError,
  AgreementNotFoundError,
  BadRequestError,
  ForbiddenError,
  OutsideAgreementError,
} from "../domain/errors.ts";
import type { Device, EpochMs, FieldValue, Observation } from "../domain/types.ts";
import type { DeviceIndex } from "../inventory/device-index.ts";
import type { ReadingArchive, RollupArchive } from "../storage/archive.ts";
import type { DeviceRollup, RollupTier } from "../storage/store.ts";
import { contractIdOf } from "./clause-store.ts";
import {
  type Agreement,
  type Granularity,
  inForce,
  type PartnerKey,
  type PartnerStore,
  type ScopeItem,
} from "./partner-store.ts";

/**
 * Partner and research access (data clauses, item 7): beside the open channel, which is the same
 * for everyone, a named partner reads the datasets its agreement states, for the purpose it
 * states, until the date it states, with its own key:
 *
 * - an administrator records the agreement; the key `lp_<agreement id>_<secret>` is shown once,
 *   only its scrypt hash is kept (as for operator secrets);
 * - a scope never names a personal field: partners never get personal data;
 * - a contract that says `partnerPseudonymisation: true` forces pseudonyms on every agreement that
 *   names it: devices are shown as HMAC-SHA256(agreement's own key, device id), 16 hex digits,
 *   the same within one agreement (series can be followed), different across agreements (two
 *   partners cannot join their extracts), and without location or inventory attributes;
 * - a request outside the scope (another contract, a field not granted, readings outside the
 *   data period, finer than the granularity granted) is refused whole, ERR_OUTSIDE_AGREEMENT;
 * - every request goes through the role guard, so the access log keeps each one.
 */

export interface AgreementInput {
  partner: string;
  purpose: string;
  legalReference: string;
  scope: ScopeItem[];
  dataFrom?: EpochMs;
  dataTo?: EpochMs;
  /** Default: now. */
  validFrom?: EpochMs;
  validTo: EpochMs;
  /** Forced to true when a contract of the scope says so. */
  pseudonymise?: boolean;
}

export interface PartnerReadQuery {
  contract: string;
  from?: EpochMs;
  to?: EpochMs;
  /** Default: every field the scope grants. */
  fields?: string[];
  cursor?: string;
  limit?: number;
}

export interface PartnerRollupQuery extends PartnerReadQuery {
  tier: RollupTier;
}

export interface PartnerReading {
  device: string;
  time: EpochMs;
  commune: string;
  values: Record<string, FieldValue>;
  /** Absent when pseudonymised. */
  lat?: number;
  lon?: number;
  attributes?: Record<string, string | number>;
}

export interface PartnerRollup {
  device: string;
  time: EpochMs;
  field: string;
  count: number;
  mean: number;
  min: number;
  max: number;
  sum?: number;
}

export interface PartnerPage<T> {
  contract: string;
  fields: string[];
  pseudonymised: boolean;
  items: T[];
  /** Give it back as `cursor` for the next page; absent when there is none. */
  next?: string;
}

export interface PartnerService {
  create(
    principal: Principal | undefined,
    input: AgreementInput,
  ): Promise<{ agreement: Agreement; key: string }>;
  list(principal: Principal | undefined): Promise<Agreement[]>;
  end(principal: Principal | undefined, id: string, reason: string): Promise<Agreement>;
  /** The partner's own agreement. */
  own(principal: Principal | undefined): Promise<Agreement>;
  readings(principal: Principal | undefined, q: PartnerReadQuery): Promise<PartnerPage<PartnerReading>>;
  rollups(principal: Principal | undefined, q: PartnerRollupQuery): Promise<PartnerPage<PartnerRollup>>;
  /** The authenticator's lookup (AuthenticatorOptions.partners). */
  credential(agreementId: string): Promise<PartnerCredential | undefined>;
}

export interface PartnerServiceDeps {
  store: PartnerStore;
  archive: ReadingArchive & Pick<RollupArchive, "scanDeviceRollups">;
  contracts: Pick<ContractRegistry, "versions">;
  devices: Pick<DeviceIndex, "get" | "list">;
  clock: Clock;
  /** services/inventory/secrets.ts hashSecret. */
  hashSecret: (secret: string) => Promise<string>;
}

export const DEFAULT_PAGE = 1_000;
export const MAX_PAGE = 10_000;
const TIER_MS: Record<RollupTier, number> = { "1h": 3_600_000, "1d": 86_400_000 };
/** Which rollup tiers a scope's granularity lets through: never finer than granted. */
const TIERS_ALLOWED: Record<Granularity, readonly RollupTier[]> = {
  raw: ["1h", "1d"],
  "1h": ["1h", "1d"],
  "1d": ["1d"],
};

/** A device's pseudonym under one agreement: HMAC-SHA256(key, device id), 16 hex digits. */
export function pseudonym(pseudonymKey: string, deviceId: string): string {
  return createHmac("sha256", Buffer.from(pseudonymKey, "hex"))
    .update(deviceId, "utf8")
    .digest("hex")
    .slice(0, 16);
}

/** A new agreement id: short, unguessable enough not to be enumerated, and key-safe. */
export function newAgreementId(): string {
  return `pa-${randomBytes(6).toString("hex")}`;
}

export function createPartnerService(deps: PartnerServiceDeps): PartnerService {
  const requirePartner = async (principal: Principal | undefined): Promise<PartnerKey> => {
    if (principal?.role !== "partner") throw new ForbiddenError("for partners under an agreement");
    const key = await deps.store.findKey(principal.id);
    // The authenticator checked it already; checked again at the instant of the read.
    if (!key || !inForce(key.agreement, deps.clock.now())) throw new AgreementEndedError();
    return key;
  };
  return {
    async create(principal, input) {
      const by = requireAdmin(principal);
      const now = deps.clock.now();
      const agreement = agreementOf(input, checkScope(deps.contracts, input.scope), by, now);
      const secret = randomBytes(24).toString("base64url");
      const secrets = {
        keyHash: await deps.hashSecret(secret),
        pseudonymKey: randomBytes(32).toString("hex"),
      };
      await deps.store.addAgreement(agreement, secrets);
      return { agreement, key: `lp_${agreement.id}_${secret}` };
    },
    async list(principal) {
      requireAdmin(principal);
      return deps.store.listAgreements();
    },
    async end(principal, id, reason) {
      const by = requireAdmin(principal);
      if (reason.trim() === "") throw new AgreementInvalidError("an end needs its reason");
      const agreement = await deps.store.endAgreement(id, { at: deps.clock.now(), by, reason });
      if (!agreement) throw new AgreementNotFoundError(id);
      return agreement;
    },
    async own(principal) {
      return (await requirePartner(principal)).agreement;
    },
    async readings(principal, q) {
      const key = await requirePartner(principal);
      const grant = grantOf(key.agreement, q, deps.clock.now());
      if (grant.item.granularity !== "raw")
        throw new OutsideAgreementError(`${q.contract} is granted as ${grant.item.granularity} rollups only`);
      return readingsPage(deps, key, grant, q);
    },
    async rollups(principal, q) {
      const key = await requirePartner(principal);
      const grant = grantOf(key.agreement, q, deps.clock.now());
      if (!TIERS_ALLOWED[grant.item.granularity].includes(q.tier))
        throw new OutsideAgreementError(`${q.contract} is granted as ${grant.item.granularity} rollups only`);
      return rollupsPage(deps, key, grant, q);
    },
    credential: (agreementId) => partnerCredential(deps.store, agreementId),
  };
}

/**
 * A partner key as the authenticator checks it (AuthenticatorOptions.partners), read from the
 * store at each request: the platform gives it the store before the service exists.
 */
export async function partnerCredential(
  store: Pick<PartnerStore, "findKey">,
  agreementId: string,
): Promise<PartnerCredential | undefined> {
  const key = await store.findKey(agreementId);
  if (!key) return undefined;
  const { agreement: a } = key;
  return {
    keyHash: key.keyHash,
    partnerId: a.partner,
    validFrom: a.validFrom,
    validTo: a.validTo,
    ...(a.endedAt !== undefined ? { endedAt: a.endedAt } : {}),
  };
}

function requireAdmin(principal: Principal | undefined): string {
  if (principal?.role !== "admin") throw new ForbiddenError("agreements are recorded by administrators");
  return principal.id;
}

interface ScopeCheck {
  scope: ScopeItem[];
  /** A contract of the scope asks for pseudonyms. */
  forced: boolean;
}

/** Every contract known, every field one of its versions declares, none personal in any version. */
export function checkScope(
  contracts: Pick<ContractRegistry, "versions">,
  scope: readonly ScopeItem[],
): ScopeCheck {
  const problems: string[] = [];
  let forced = false;
  for (const item of scope) {
    const versions = contracts.versions(item.contractId);
    if (versions.length === 0) {
      problems.push(`no contract ${item.contractId}`);
      continue;
    }
    forced ||= versions.some((c) => c.partnerPseudonymisation === true);
    for (const name of item.fields) {
      const specs = versions.flatMap((c) => {
        const f = c.fields.get(name);
        return f ? [f] : [];
      });
      if (specs.length === 0) problems.push(`${item.contractId} has no field ${name}`);
      else if (specs.some((f) => f.personal))
        problems.push(`${item.contractId}.${name} is personal data: partners never get it`);
    }
  }
  if (problems.length > 0) throw new AgreementInvalidError(problems.join("; "));
  return { scope: scope.map((s) => ({ ...s, fields: [...s.fields] })), forced };
}

function agreementOf(input: AgreementInput, checked: ScopeCheck, by: string, now: EpochMs): Agreement {
  if (!(input.validTo > now)) throw new AgreementInvalidError("validTo must be in the future");
  return {
    id: newAgreementId(),
    partner: input.partner.trim(),
    purpose: input.purpose.trim(),
    legalReference: input.legalReference.trim(),
    scope: checked.scope,
    ...(input.dataFrom !== undefined ? { dataFrom: input.dataFrom } : {}),
    ...(input.dataTo !== undefined ? { dataTo: input.dataTo } : {}),
    validFrom: input.validFrom ?? now,
    validTo: input.validTo,
    pseudonymise: checked.forced || input.pseudonymise === true,
    createdBy: by,
    createdAt: now,
  };
}

/** What one request may read: the scope item, its fields, its period, where to resume. */
interface Grant {
  item: ScopeItem;
  fields: string[];
  from?: EpochMs;
  to: EpochMs;
  cursor?: Cursor;
  limit: number;
}

/** The request within the agreement, or ERR_OUTSIDE_AGREEMENT. */
export function grantOf(a: Agreement, q: PartnerReadQuery, now: EpochMs): Grant {
  const item = a.scope.find((s) => s.contractId === q.contract);
  if (!item) throw new OutsideAgreementError(`contract ${q.contract} is not in the agreement`);
  const fields = q.fields ?? item.fields;
  const extra = fields.filter((f) => !item.fields.includes(f));
  if (extra.length > 0) throw new OutsideAgreementError(`fields not granted: ${extra.join(", ")}`);
  const from = q.from ?? a.dataFrom;
  const to = q.to ?? a.dataTo ?? now;
  if (a.dataFrom !== undefined && from !== undefined && from < a.dataFrom)
    throw new OutsideAgreementError(`readings before ${new Date(a.dataFrom).toISOString()}`);
  if (a.dataTo !== undefined && to > a.dataTo)
    throw new OutsideAgreementError(`readings from ${new Date(a.dataTo).toISOString()}`);
  if (from !== undefined && from >= to) throw new BadRequestError("from must be before to");
  const limit = q.limit ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw new BadRequestError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
  const cursor = q.cursor === undefined ? undefined : parseCursor(q.cursor, from, to);
  return {
    item,
    fields: [...new Set(fields)],
    ...(from !== undefined ? { from } : {}),
    to,
    ...(cursor ? { cursor } : {}),
    limit,
  };
}

/**
 * Where a page resumes: the time of the next item and how many items of the scan at that time
 * come before it. No device id travels in it, so a pseudonymised extract does not leak one.
 */
interface Cursor {
  time: EpochMs;
  skip: number;
}

function parseCursor(text: string, from: EpochMs | undefined, to: EpochMs): Cursor {
  const m = /^(\d{1,16})\.(\d{1,9})$/.exec(text);
  const time = Number(m?.[1]);
  if (!m || (from !== undefined && time < from) || time >= to)
    throw new BadRequestError("cursor must be the `next` of a previous page of the same request");
  return { time, skip: Number(m[2]) };
}

/**
 * Walks a scan in its (time, key) order from the grant's start, skipping the cursor's items, and
 * keeps up to `limit` items that `view` shows; `next` points at the first one left over.
 */
async function collect<T, V>(
  pages: AsyncIterable<T[]>,
  grant: Grant,
  timeOf: (item: T) => EpochMs,
  view: (item: T) => V | undefined,
): Promise<{ items: V[]; next?: string }> {
  const items: V[] = [];
  let time = Number.NaN;
  let index = 0;
  for await (const page of pages) {
    for (const item of page) {
      const t = timeOf(item);
      index = t === time ? index + 1 : 0;
      time = t;
      if (grant.cursor && t === grant.cursor.time && index < grant.cursor.skip) continue;
      const shown = view(item);
      if (shown === undefined) continue;
      if (items.length === grant.limit) return { items, next: `${t}.${index}` };
      items.push(shown);
    }
  }
  return { items };
}

function devicesOf(deps: Pick<PartnerServiceDeps, "devices">, contractId: string): Map<string, Device> {
  return new Map(deps.devices.list().flatMap((d) => (d.contractId === contractId ? [[d.id, d]] : [])));
}

function scanRange(grant: Grant) {
  return { from: grant.cursor?.time ?? grant.from, to: grant.to };
}

async function readingsPage(
  deps: PartnerServiceDeps,
  key: PartnerKey,
  grant: Grant,
  q: PartnerReadQuery,
): Promise<PartnerPage<PartnerReading>> {
  const devices = devicesOf(deps, grant.item.contractId);
  const { from, to } = scanRange(grant);
  const pages = deps.archive.scanReadings({
    ...(from !== undefined ? { from } : {}),
    to,
    deviceIds: [...devices.keys()],
    pageSize: Math.min(grant.limit + 1, MAX_PAGE),
  });
  const pseudonymise = key.agreement.pseudonymise;
  const view = (o: Observation): PartnerReading | undefined => {
    if (contractIdOf(o.contract) !== grant.item.contractId) return undefined;
    const values = pick(o.values, grant.fields);
    if (values === undefined) return undefined;
    const base = { time: o.time, commune: o.commune, values };
    if (pseudonymise) return { device: pseudonym(key.pseudonymKey, o.deviceId), ...base };
    const d = devices.get(o.deviceId);
    return {
      device: o.deviceId,
      ...base,
      ...(d ? { lat: d.lat, lon: d.lon, attributes: d.attributes } : {}),
    };
  };
  const page = await collect(pages, grant, (o) => o.time, view);
  return { contract: q.contract, fields: grant.fields, pseudonymised: pseudonymise, ...page };
}

async function rollupsPage(
  deps: PartnerServiceDeps,
  key: PartnerKey,
  grant: Grant,
  q: PartnerRollupQuery,
): Promise<PartnerPage<PartnerRollup>> {
  const devices = devicesOf(deps, grant.item.contractId);
  const { from, to } = scanRange(grant);
  const pages = deps.archive.scanDeviceRollups({
    tier: q.tier,
    ...(from !== undefined ? { from } : {}),
    to,
    deviceIds: [...devices.keys()],
    pageSize: Math.min(grant.limit + 1, MAX_PAGE),
  });
  const { dataFrom, dataTo, pseudonymise } = key.agreement;
  const width = TIER_MS[q.tier];
  const view = (r: DeviceRollup): PartnerRollup | undefined => {
    if (!grant.fields.includes(r.field)) return undefined;
    // A bucket is shown only when all of it lies within the data period.
    if (dataFrom !== undefined && r.time < dataFrom) return undefined;
    if (dataTo !== undefined && r.time + width > dataTo) return undefined;
    const device = pseudonymise ? pseudonym(key.pseudonymKey, r.deviceId) : r.deviceId;
    const { time, field, count, mean, min, max, sum } = r;
    return { device, time, field, count, mean, min, max, ...(sum !== undefined ? { sum } : {}) };
  };
  const page = await collect(pages, grant, (r) => r.time, view);
  return { contract: q.contract, fields: grant.fields, pseudonymised: pseudonymise, ...page };
}

function pick(values: Record<string, FieldValue>, fields: readonly string[]) {
  const out: Record<string, FieldValue> = {};
  let any = false;
  for (const f of fields) {
    const v = values[f];
    if (v === undefined) continue;
    out[f] = v;
    any = true;
  }
  return any ? out : undefined;
}
