import type { CorrelateSpec } from "../contracts/model.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import { currentOperator } from "../inventory/device-index.ts";

/**
 * Correlation: when a cabinet loses power, a gateway goes dark or an operator's feed stops, every
 * device behind it fires the same rule within minutes. One alert for the group then stands for
 * them, its children listed, rather than one alert per device. Pure bookkeeping: the engine asks
 * what to do with each edge and applies the answer to the alert store.
 *
 * A group is a level of the rule's `correlate.by` (widest first: "operator", then an inventory
 * attribute such as "cabinet") and a value, among the devices of the same contract: subject
 * "cabinet:arm-57038-01". A group's alert is raised once at least `minDevices` of its devices, and
 * `minShare` of them, fire the rule together; from then on each further device of the group that
 * fires joins its children; it clears once none of them fires any more, the children with it.
 * The widest group that qualifies wins: an operator's whole feed down is one alert, not one per
 * cabinet.
 *
 * Memory: the devices firing a correlated rule (a set entry each) and the groups' sizes (one
 * entry per group value, computed from the inventory and refreshed every `sizesTtlMs`).
 */

export interface Membership {
  devices: { get(id: string): Device | undefined; list(): Device[] };
}

/** What the engine does with a fire edge. */
export type FireDecision =
  /** No group stands for the device: its own alert. */
  | { action: "individual" }
  /** The group's alert, raised or grown, stands for the device (and absorbs `absorb`). */
  | { action: "group"; subject: string; children: string[]; absorb: Absorbed[] };

/** Alerts a new group alert stands for from now on: a device's own, or a narrower group's. */
export interface Absorbed {
  subject: string;
}

export interface ClearDecision {
  /** Group alerts to clear: none of their devices fires any more. */
  clearGroups: string[];
}

interface GroupKey {
  level: string;
  subject: string;
  /** The group's devices under the same contract. */
  size: number;
}

const DEFAULT_SIZES_TTL_MS = 10 * 60_000;

export class Correlator {
  /** rule → group subject → devices firing. */
  private readonly firing = new Map<string, Map<string, Set<string>>>();
  /** rule → group subjects whose alert is active. */
  private readonly active = new Map<string, Set<string>>();
  /** contract → level → value → devices; rebuilt when stale. */
  private sizes = new Map<string, Map<string, Map<string, number>>>();
  private sizesAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: Membership,
    private readonly sizesTtlMs = DEFAULT_SIZES_TTL_MS,
  ) {}

  onFire(ruleId: string, spec: CorrelateSpec, deviceId: string, at: EpochMs): FireDecision {
    const groups = this.groupsOf(deviceId, spec, at);
    const byRule = mapOf(this.firing, ruleId);
    for (const g of groups) setOf(byRule, g.subject).add(deviceId);
    const active = setOf(this.active, ruleId);
    for (const g of groups) {
      const members = byRule.get(g.subject) ?? new Set<string>();
      if (active.has(g.subject))
        return { action: "group", subject: g.subject, children: sorted(members), absorb: [] };
      if (members.size >= spec.minDevices && members.size >= spec.minShare * g.size) {
        active.add(g.subject);
        return {
          action: "group",
          subject: g.subject,
          children: sorted(members),
          absorb: this.absorbed(ruleId, g, members),
        };
      }
    }
    return { action: "individual" };
  }

  onClear(ruleId: string, spec: CorrelateSpec, deviceId: string, at: EpochMs): ClearDecision {
    const byRule = this.firing.get(ruleId);
    const active = this.active.get(ruleId);
    const clearGroups: string[] = [];
    for (const g of this.groupsOf(deviceId, spec, at)) {
      const members = byRule?.get(g.subject);
      if (!members?.delete(deviceId)) continue;
      if (members.size > 0) continue;
      byRule?.delete(g.subject);
      if (active?.delete(g.subject)) clearGroups.push(g.subject);
    }
    return { clearGroups };
  }

  /** A group alert found active in the store at start: its children are still behind it. */
  restore(ruleId: string, subject: string, children: readonly string[]): void {
    const byRule = mapOf(this.firing, ruleId);
    const members = setOf(byRule, subject);
    for (const c of children) members.add(c);
    setOf(this.active, ruleId).add(subject);
  }

  /** Devices firing a correlated rule, in all (for the engine's memory report). */
  get size(): number {
    let n = 0;
    for (const byGroup of this.firing.values()) for (const set of byGroup.values()) n += set.size;
    return n;
  }

  /**
   * What a group alert newly stands for: its devices' own alerts, and the alerts of narrower
   * groups made only of its devices (a cabinet's alert under the operator's).
   */
  private absorbed(ruleId: string, group: GroupKey, members: ReadonlySet<string>): Absorbed[] {
    const out: Absorbed[] = [...members].map((subject) => ({ subject }));
    const active = this.active.get(ruleId);
    const byRule = this.firing.get(ruleId);
    for (const subject of [...(active ?? [])]) {
      if (subject === group.subject) continue;
      const inner = byRule?.get(subject);
      if (inner && [...inner].every((d) => members.has(d))) {
        active?.delete(subject);
        out.push({ subject });
      }
    }
    return out;
  }

  private groupsOf(deviceId: string, spec: CorrelateSpec, at: EpochMs): GroupKey[] {
    const device = this.deps.devices.get(deviceId);
    if (!device) return [];
    const sizes = this.sizesFor(device.contractId, spec, at);
    const out: GroupKey[] = [];
    for (const level of spec.by) {
      const value = groupValue(device, level, at);
      if (value === undefined) continue;
      const size = sizes.get(level)?.get(value) ?? 1;
      out.push({ level, subject: `${level}:${value}`, size });
    }
    return out;
  }

  private sizesFor(contractId: string, spec: CorrelateSpec, at: EpochMs): Map<string, Map<string, number>> {
    if (at - this.sizesAt > this.sizesTtlMs || at < this.sizesAt) {
      this.sizes = new Map();
      this.sizesAt = at;
    }
    let byLevel = this.sizes.get(contractId);
    if (!byLevel || !spec.by.every((l) => byLevel?.has(l))) {
      byLevel = new Map();
      for (const level of spec.by) byLevel.set(level, new Map());
      for (const d of this.deps.devices.list()) {
        if (d.contractId !== contractId) continue;
        for (const level of spec.by) {
          const value = groupValue(d, level, at);
          if (value === undefined) continue;
          const counts = byLevel.get(level) as Map<string, number>;
          counts.set(value, (counts.get(value) ?? 0) + 1);
        }
      }
      this.sizes.set(contractId, byLevel);
    }
    return byLevel;
  }
}

/** The device's group at a level: its operator now, or an inventory attribute. */
function groupValue(device: Device, level: string, at: EpochMs): string | undefined {
  if (level === "operator") return currentOperator(device, at);
  const v = device.attributes[level];
  return v === undefined || v === "" ? undefined : String(v);
}

function mapOf<K, V1, V2>(m: Map<K, Map<V1, V2>>, key: K): Map<V1, V2> {
  let inner = m.get(key);
  if (!inner) {
    inner = new Map();
    m.set(key, inner);
  }
  return inner;
}

function setOf<K, V>(m: Map<K, Set<V>>, key: K): Set<V> {
  let inner = m.get(key);
  if (!inner) {
    inner = new Set();
    m.set(key, inner);
  }
  return inner;
}

function sorted(set: ReadonlySet<string>): string[] {
  return [...set].sort();
}
