import { expectedPeriodMs } from "../contracts/cadence.ts";
import type { ComplianceTargets, Contract } from "../contracts/model.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import {
  type ClauseStore,
  contractIdOf as contractOfKey,
  type DeviceDeliveries,
  type Exemption,
  LATENCY_BOUNDS_MS,
  type RefusalTotal,
} from "./clause-store.ts";
import { previousPeriod, type ScorecardPeriod } from "./scorecard-period.ts";

/**
 * An operator's compliance with a data contract over a period, measured from the delivery
 * ledger (what arrived, when, how late), the refusals (quarantined messages and dropped values,
 * by reason), the inventory's assignments (which devices the operator held, and when) and the
 * contract versions (the cadence promised, the latency, the targets). The exemptions registered
 * by public decision excuse a measure: it is still shown, never counted as a breach.
 *
 * - completeness: readings received against those the cadence promises for the time each device
 *   was held, each device counting at most its promise (a chatty lamp does not hide a silent one);
 * - timeliness: readings delivered within the contract version's latency;
 * - conformity: deliveries not refused (quarantined) among all deliveries; dropped values are
 *   listed apart, each with its device, field, value and reason (/api/v1/violations).
 */

export type Measure = "completeness" | "timeliness" | "conformity";
export const MEASURES: readonly Measure[] = ["completeness", "timeliness", "conformity"];

export interface Scorecard {
  operatorId: string;
  /** The contract's id; null on an operator's card of refusals no contract could be found for. */
  contractId: string | null;
  period: ScorecardPeriod;
  /** Devices the operator held for part of the period under this contract. */
  devices: number;
  /** Devices held and promised readings that sent none. */
  silentDevices: number;
  completeness: { expected: number; received: number; counted: number; ratio: number | null };
  timeliness: {
    readings: number;
    onTime: number;
    ratio: number | null;
    /** The contract's latency (newest version of the period); null when it promises none. */
    promisedMs: number | null;
    meanMs: number | null;
    /** Upper bound of the delay class holding the 95th percentile. */
    p95Ms: number | null;
    maxMs: number | null;
  };
  conformity: {
    accepted: number;
    quarantined: number;
    droppedValues: number;
    ratio: number | null;
    reasons: { kind: "quarantine" | "violation"; code: string; count: number }[];
  };
  targets: ComplianceTargets;
  breaches: Breach[];
  exemptions: { id: number; obligation: string; decision: string; fields: string[] }[];
  /** The same ratios over the period before, to show the trend. */
  previous: Record<Measure, number | null> | null;
}

export interface Breach {
  measure: Measure;
  value: number;
  target: number;
  /** A registered exemption excuses it: shown, not counted. */
  exempted: boolean;
}

export interface ScorecardDeps {
  ledger: Pick<ClauseStore, "deliveries" | "refusals" | "listExemptions">;
  devices: { list(): Device[] };
  contracts: Pick<ContractRegistry, "versions" | "versionAt">;
  now: () => EpochMs;
}

export interface ScorecardFilter {
  operatorId?: string;
  contractId?: string;
}

/** Which exemption obligations excuse which measure. */
const EXCUSES: Record<string, readonly Measure[]> = {
  delivery: ["completeness", "timeliness"],
  completeness: ["completeness"],
  latency: ["timeliness"],
  format: ["conformity"],
};

/** Every (operator, contract) card of the period, with the trend against the period before. */
export async function scorecards(
  deps: ScorecardDeps,
  period: ScorecardPeriod,
  filter: ScorecardFilter = {},
): Promise<Scorecard[]> {
  const cards = await measure(deps, period, filter);
  const before = await measure(deps, previousPeriod(period), filter);
  const previous = new Map(before.map((c) => [cardKey(c), c]));
  for (const card of cards) {
    const p = previous.get(cardKey(card));
    card.previous = p ? ratios(p) : null;
  }
  return cards;
}

function cardKey(c: Pick<Scorecard, "operatorId" | "contractId">): string {
  return `${c.operatorId}\u0000${c.contractId ?? ""}`;
}

function ratios(c: Scorecard): Record<Measure, number | null> {
  return {
    completeness: c.completeness.ratio,
    timeliness: c.timeliness.ratio,
    conformity: c.conformity.ratio,
  };
}

/** The cards of the period alone, without the period before (`previous` stays null). */
export async function measure(
  deps: ScorecardDeps,
  period: ScorecardPeriod,
  filter: ScorecardFilter = {},
): Promise<Scorecard[]> {
  const to = Math.min(period.to, Math.max(period.from, deps.now()));
  const range = { from: period.from, to: period.to, ...ledgerFilter(filter) };
  const [deliveries, refusals, exemptions] = await Promise.all([
    deps.ledger.deliveries({ ...range, by: "device" }),
    deps.ledger.refusals({ ...range, by: "code" }),
    deps.ledger.listExemptions(filter.contractId !== undefined ? { contractId: filter.contractId } : {}),
  ]);
  const cards = new Map<string, Tally>();
  const tally = (operatorId: string, contractId: string | null): Tally => {
    const key = `${operatorId}\u0000${contractId ?? ""}`;
    let t = cards.get(key);
    if (!t) {
      t = newTally(operatorId, contractId);
      cards.set(key, t);
    }
    return t;
  };
  promised(deps, period.from, to, filter, tally);
  received(deliveries, tally);
  for (const r of refusals) tally(r.operatorId, contractIdOf(r.contract)).refusals.push(r);
  return [...cards.values()]
    .map((t) => finish(t, deps.contracts, period, overlapping(exemptions, period)))
    .sort((a, b) => cardKey(a).localeCompare(cardKey(b)));
}

function ledgerFilter(filter: ScorecardFilter): ScorecardFilter {
  return {
    ...(filter.operatorId !== undefined ? { operatorId: filter.operatorId } : {}),
    ...(filter.contractId !== undefined ? { contractId: filter.contractId } : {}),
  };
}

interface Tally {
  operatorId: string;
  contractId: string | null;
  /** Per device: readings promised (fractional until the end) and received. */
  devices: Map<string, { expected: number; received: number }>;
  deliveries: DeviceDeliveries[];
  refusals: RefusalTotal[];
}

function newTally(operatorId: string, contractId: string | null): Tally {
  return { operatorId, contractId, devices: new Map(), deliveries: [], refusals: [] };
}

function contractIdOf(key: string): string | null {
  return key === "" ? null : contractOfKey(key);
}

/**
 * What the cadence promised each device for each operator that held it, over [from, to): the
 * time held under each contract version divided by that version's period for the device.
 */
function promised(
  deps: ScorecardDeps,
  from: EpochMs,
  to: EpochMs,
  filter: ScorecardFilter,
  tally: (operatorId: string, contractId: string | null) => Tally,
): void {
  const all = deps.devices.list();
  for (const device of all) {
    if (filter.contractId !== undefined && device.contractId !== filter.contractId) continue;
    for (const a of device.assignments) {
      if (filter.operatorId !== undefined && a.operatorId !== filter.operatorId) continue;
      const start = Math.max(a.from, from);
      const end = Math.min(a.to ?? Number.POSITIVE_INFINITY, to);
      if (end <= start) continue;
      const expected = expectedOver(deps.contracts.versions(device.contractId), device, start, end);
      const t = tally(a.operatorId, device.contractId);
      const d = t.devices.get(device.id) ?? { expected: 0, received: 0 };
      d.expected += expected;
      t.devices.set(device.id, d);
    }
  }
}

function expectedOver(versions: readonly Contract[], device: Device, from: EpochMs, to: EpochMs): number {
  let expected = 0;
  versions.forEach((v, i) => {
    const end = v.validTo ?? versions[i + 1]?.validFrom ?? Number.POSITIVE_INFINITY;
    const span = Math.min(end, to) - Math.max(v.validFrom, from);
    const every = expectedPeriodMs(v, device);
    if (span > 0 && every !== undefined && every > 0) expected += span / every;
  });
  return expected;
}

function received(
  deliveries: readonly DeviceDeliveries[],
  tally: (o: string, c: string | null) => Tally,
): void {
  for (const row of deliveries) {
    const t = tally(row.operatorId, contractIdOf(row.contract));
    t.deliveries.push(row);
    const d = t.devices.get(row.deviceId) ?? { expected: 0, received: 0 };
    d.received += row.readings;
    t.devices.set(row.deviceId, d);
  }
}

function finish(
  t: Tally,
  contracts: ScorecardDeps["contracts"],
  period: ScorecardPeriod,
  exemptions: readonly Exemption[],
): Scorecard {
  const version = t.contractId === null ? undefined : newestIn(contracts.versions(t.contractId), period);
  const targets = version?.targets ?? {};
  const completeness = completenessOf(t);
  const timeliness = timelinessOf(t.deliveries, version?.latencyMs);
  const conformity = conformityOf(t, timeliness.readings);
  const own = exemptions.filter(
    (e) => e.contractId === t.contractId && (e.operatorId === undefined || e.operatorId === t.operatorId),
  );
  const card: Scorecard = {
    operatorId: t.operatorId,
    contractId: t.contractId,
    period,
    devices: [...t.devices.values()].filter((d) => d.expected > 0).length,
    silentDevices: [...t.devices.values()].filter((d) => d.expected >= 1 && d.received === 0).length,
    completeness,
    timeliness,
    conformity,
    targets,
    breaches: [],
    exemptions: own.map((e) => ({
      id: e.id,
      obligation: e.obligation,
      decision: e.decision,
      fields: e.fields,
    })),
    previous: null,
  };
  card.breaches = breachesOf(card, own);
  return card;
}

/** The version in force at the end of the period (or the newest before it). */
function newestIn(versions: readonly Contract[], period: ScorecardPeriod): Contract | undefined {
  let found: Contract | undefined;
  for (const v of versions) if (v.validFrom < period.to) found = v;
  return found ?? versions[0];
}

function completenessOf(t: Tally): Scorecard["completeness"] {
  let expected = 0;
  let received = 0;
  let counted = 0;
  for (const d of t.devices.values()) {
    expected += d.expected;
    received += d.received;
    counted += Math.min(d.received, d.expected);
  }
  return {
    expected: Math.round(expected),
    received,
    counted: Math.round(counted),
    ratio: expected >= 1 ? Math.min(1, counted / expected) : null,
  };
}

function timelinessOf(
  rows: readonly DeviceDeliveries[],
  promisedMs: number | undefined,
): Scorecard["timeliness"] {
  let readings = 0;
  let late = 0;
  let sum = 0;
  let max = 0;
  const histogram = LATENCY_BOUNDS_MS.map(() => 0).concat(0);
  for (const r of rows) {
    readings += r.readings;
    late += r.late;
    sum += r.latencySumMs;
    max = Math.max(max, r.latencyMaxMs);
    r.latencyHistogram.forEach((n, i) => {
      histogram[i] = (histogram[i] ?? 0) + n;
    });
  }
  return {
    readings,
    onTime: readings - late,
    ratio: readings > 0 && promisedMs !== undefined ? (readings - late) / readings : null,
    promisedMs: promisedMs ?? null,
    meanMs: readings > 0 ? Math.round(sum / readings) : null,
    p95Ms: readings > 0 ? percentileBound(histogram, readings, 0.95, max) : null,
    maxMs: readings > 0 ? max : null,
  };
}

/** The upper bound of the delay class the percentile falls in (the maximum for the last class). */
function percentileBound(histogram: readonly number[], total: number, q: number, max: number): number {
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= q * total) return Math.min(LATENCY_BOUNDS_MS[i] ?? max, max);
  }
  return max;
}

function conformityOf(t: Tally, accepted: number): Scorecard["conformity"] {
  const reasons = new Map<string, { kind: "quarantine" | "violation"; code: string; count: number }>();
  let quarantined = 0;
  let droppedValues = 0;
  for (const r of t.refusals) {
    const key = `${r.kind}\u0000${r.code}`;
    const held = reasons.get(key) ?? { kind: r.kind, code: r.code, count: 0 };
    held.count += r.count;
    reasons.set(key, held);
    if (r.kind === "quarantine") quarantined += r.count;
    else droppedValues += r.count;
  }
  const deliveries = accepted + quarantined;
  return {
    accepted,
    quarantined,
    droppedValues,
    ratio: deliveries > 0 ? accepted / deliveries : null,
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
  };
}

function breachesOf(card: Scorecard, exemptions: readonly Exemption[]): Breach[] {
  const excused = new Set(exemptions.flatMap((e) => EXCUSES[e.obligation] ?? []));
  const breaches: Breach[] = [];
  for (const measure of MEASURES) {
    const target = card.targets[measure];
    const value = card[measure].ratio;
    if (target === undefined || value === null || value >= target) continue;
    breaches.push({ measure, value, target, exempted: excused.has(measure) });
  }
  return breaches;
}

function overlapping(exemptions: readonly Exemption[], period: ScorecardPeriod): Exemption[] {
  return exemptions.filter((e) => e.from < period.to && (e.to === undefined || e.to > period.from));
}
