import { type Clock, systemClock } from "../domain/clock.ts";
import { BreachNotFoundError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import {
  type Breach,
  type BreachPatch,
  breachOf,
  type ClauseStore,
  contractIdOf,
  copyBreach,
  copyExemption,
  type DailyDeliveries,
  type DeliveriesBy,
  type DeliveryCount,
  type DeliveryQuery,
  type DeliveryTotals,
  type DeviceDeliveries,
  type Exemption,
  type ExemptionQuery,
  exemptionMatches,
  exemptionOf,
  LATENCY_BUCKETS,
  type NewBreach,
  type NewExemption,
  patched,
  type RefusalCount,
  type RefusalQuery,
  type RefusalsBy,
  type Revocation,
  revoked,
  scanPageSize,
  validateBreach,
  validateDelivery,
  validateExemption,
  validateQuery,
  validateRefusal,
} from "./clause-store.ts";

/**
 * The in-memory twin of the clause store, for tests and demos: the same rules as the DuckDB
 * adapter over maps. Each method runs synchronously once called, so concurrent calls cannot
 * interleave. Everything lives as long as the object: close() and start() keep it, as a file would.
 */
class MemoryClauseStore implements ClauseStore {
  private readonly clock: Clock;
  /** Ledger rows by their key (keyOf). */
  private readonly deliveryRows = new Map<string, DeliveryCount>();
  private readonly refusalRows = new Map<string, RefusalCount>();
  private readonly exemptions: Exemption[] = [];
  private readonly breaches: Breach[] = [];

  constructor(clock: Clock) {
    this.clock = clock;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {}

  async recordDeliveries(rows: readonly DeliveryCount[]): Promise<void> {
    // Checked first: all or nothing, as the adapter's transaction.
    for (const r of rows) validateDelivery(r);
    for (const r of rows) {
      const key = keyOf([r.day, r.operatorId, r.contract, r.deviceId]);
      const before = this.deliveryRows.get(key);
      this.deliveryRows.set(key, before ? addDelivery(before, r) : copyDelivery(r));
    }
  }

  async recordRefusals(rows: readonly RefusalCount[]): Promise<void> {
    for (const r of rows) validateRefusal(r);
    for (const r of rows) {
      const key = keyOf([r.day, r.operatorId, r.contract, r.deviceId, r.kind, r.code]);
      const before = this.refusalRows.get(key);
      this.refusalRows.set(key, { ...r, count: (before?.count ?? 0) + r.count });
    }
  }

  async deliveries<B extends keyof DeliveriesBy>(q: DeliveryQuery<B>): Promise<DeliveriesBy[B][]> {
    validateQuery(q, ["device", "day"]);
    const rows = [...this.deliveryRows.values()].filter((r) => inLedgerQuery(r, q));
    const groups = new Map<string, DeliveryCount[]>();
    for (const r of rows) {
      const key =
        q.by === "device" ? [r.operatorId, r.contract, r.deviceId] : [r.day, r.operatorId, r.contract];
      const k = keyOf(key);
      const group = groups.get(k);
      if (group) group.push(r);
      else groups.set(k, [r]);
    }
    const totals = [...groups.values()].map((g) => (q.by === "device" ? byDevice(g) : byDay(g)));
    return totals.sort(compareBy(q.by === "device" ? DEVICE_KEYS : DAY_KEYS)) as DeliveriesBy[B][];
  }

  async refusals<B extends keyof RefusalsBy>(q: RefusalQuery<B>): Promise<RefusalsBy[B][]> {
    validateQuery(q, ["code", "device", "day"]);
    const keys = REFUSAL_KEYS[q.by];
    const groups = new Map<string, Record<string, unknown>>();
    for (const r of this.refusalRows.values()) {
      if (!inLedgerQuery(r, q)) continue;
      const group = Object.fromEntries(keys.map((k) => [k, r[k]]));
      const k = keyOf(keys.map((name) => r[name]));
      const total = groups.get(k) ?? { ...group, count: 0 };
      total.count = (total.count as number) + r.count;
      groups.set(k, total);
    }
    return [...groups.values()].sort(compareBy(keys)) as unknown as RefusalsBy[B][];
  }

  async *scanDeliveries(pageSize?: number): AsyncGenerator<DeliveryCount[]> {
    yield* pages(this.deliveryRows, scanPageSize(pageSize), DELIVERY_ORDER, copyDelivery);
  }

  async *scanRefusals(pageSize?: number): AsyncGenerator<RefusalCount[]> {
    yield* pages(this.refusalRows, scanPageSize(pageSize), REFUSAL_ORDER, (r) => ({ ...r }));
  }

  async addExemption(e: NewExemption, at?: EpochMs): Promise<Exemption> {
    validateExemption(e);
    const stored = exemptionOf(e, this.exemptions.length + 1, at ?? this.clock.now());
    this.exemptions.push(stored);
    return copyExemption(stored);
  }

  async listExemptions(q: ExemptionQuery = {}): Promise<Exemption[]> {
    return this.exemptions.filter((e) => exemptionMatches(e, q)).map(copyExemption);
  }

  async revokeExemption(id: number, revocation: Revocation): Promise<Exemption> {
    const next = revoked(this.exemptions[id - 1], id, revocation);
    this.exemptions[id - 1] = next;
    return copyExemption(next);
  }

  async openBreach(b: NewBreach, at?: EpochMs): Promise<Breach> {
    validateBreach(b);
    const breach = breachOf(b, this.breaches.length + 1, at ?? this.clock.now());
    this.breaches.push(breach);
    return copyBreach(breach);
  }

  async updateBreach(id: number, patch: BreachPatch, by: string, at?: EpochMs): Promise<Breach> {
    const before = this.breaches[id - 1];
    if (!before) throw new BreachNotFoundError(String(id));
    const next = patched(before, patch, by, at ?? this.clock.now());
    this.breaches[id - 1] = next;
    return copyBreach(next);
  }

  async listBreaches(): Promise<Breach[]> {
    return this.breaches.map(copyBreach);
  }

  async getBreach(id: number): Promise<Breach | undefined> {
    const b = this.breaches[id - 1];
    return b ? copyBreach(b) : undefined;
  }
}

type Key = string | number;

/** JSON of the key's parts: no separator a device id could contain makes two keys collide. */
function keyOf(parts: readonly unknown[]): string {
  return JSON.stringify(parts);
}

function inLedgerQuery(
  r: { day: EpochMs; operatorId: string; contract: string },
  q: { from: EpochMs; to: EpochMs; operatorId?: string; contractId?: string },
): boolean {
  return (
    r.day >= q.from &&
    r.day < q.to &&
    (q.operatorId === undefined || r.operatorId === q.operatorId) &&
    (q.contractId === undefined || contractIdOf(r.contract) === q.contractId)
  );
}

function copyDelivery(r: DeliveryCount): DeliveryCount {
  return { ...r, latencyHistogram: [...r.latencyHistogram] };
}

function addDelivery(a: DeliveryCount, b: DeliveryCount): DeliveryCount {
  return { ...a, ...addTotals(a, b) };
}

function addTotals(a: DeliveryTotals, b: DeliveryTotals): DeliveryTotals {
  return {
    readings: a.readings + b.readings,
    late: a.late + b.late,
    latencySumMs: a.latencySumMs + b.latencySumMs,
    latencyMaxMs: Math.max(a.latencyMaxMs, b.latencyMaxMs),
    latencyHistogram: a.latencyHistogram.map((n, i) => n + (b.latencyHistogram[i] ?? 0)),
  };
}

function sumTotals(rows: readonly DeliveryTotals[]): DeliveryTotals {
  const zero: DeliveryTotals = {
    readings: 0,
    late: 0,
    latencySumMs: 0,
    latencyMaxMs: 0,
    latencyHistogram: new Array<number>(LATENCY_BUCKETS).fill(0),
  };
  return rows.reduce(addTotals, zero);
}

function byDevice(group: readonly DeliveryCount[]): DeviceDeliveries {
  const { operatorId, contract, deviceId } = group[0] as DeliveryCount;
  return { operatorId, contract, deviceId, ...sumTotals(group) };
}

function byDay(group: readonly DeliveryCount[]): DailyDeliveries {
  const { day, operatorId, contract } = group[0] as DeliveryCount;
  const devices = new Set(group.filter((r) => r.readings > 0).map((r) => r.deviceId)).size;
  return { day, operatorId, contract, devices, ...sumTotals(group) };
}

const DEVICE_KEYS = ["operatorId", "contract", "deviceId"] as const;
const DAY_KEYS = ["day", "operatorId", "contract"] as const;
const DELIVERY_ORDER = ["day", "operatorId", "contract", "deviceId"] as const;
const REFUSAL_ORDER = ["day", "operatorId", "contract", "deviceId", "kind", "code"] as const;
const REFUSAL_KEYS = {
  code: ["operatorId", "contract", "kind", "code"],
  device: ["operatorId", "contract", "deviceId", "kind", "code"],
  day: ["day", "operatorId", "contract", "kind", "code"],
} as const;

/**
 * Orders by the keys in turn. Text compares by code unit, as DuckDB compares VARCHAR by byte:
 * the same order for the ASCII ids the ledger holds, never the locale's.
 */
function compareBy(keys: readonly string[]) {
  return (a: object, b: object): number => {
    for (const k of keys) {
      const x = (a as Record<string, Key>)[k] as Key;
      const y = (b as Record<string, Key>)[k] as Key;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}

/**
 * Keyset pages, as the DuckDB adapter reads them: each page starts after the last key of the one
 * before, so rows recorded between pages are seen once or not at all, never twice.
 */
async function* pages<T extends object>(
  rows: Map<string, T>,
  size: number,
  order: readonly string[],
  copy: (row: T) => T,
): AsyncGenerator<T[]> {
  const compare = compareBy(order);
  let last: T | undefined;
  for (;;) {
    const after = last;
    const rest = [...rows.values()].filter((r) => after === undefined || compare(r, after) > 0);
    const page = rest.sort(compare).slice(0, size);
    if (page.length === 0) return;
    last = page[page.length - 1];
    yield page.map(copy);
    if (page.length < size) return;
  }
}

export function createMemoryClauseStore(clock: Clock = systemClock): ClauseStore {
  return new MemoryClauseStore(clock);
}
