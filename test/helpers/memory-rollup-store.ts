import type { Observation } from "../../services/domain/types.ts";
import { type StateReading, stateDurations, stateText } from "../../services/storage/state-durations.ts";
import {
  type DeviceRollup,
  type DeviceStateRollup,
  type GroupRollup,
  type GroupStateRollup,
  type RollupStore,
  type RollupTier,
  STATE_MAX_GAP_MS,
  type StateRollupStore,
  TIER_MS,
} from "../../services/storage/store.ts";

/**
 * The in-memory twin of a rollup store: raw observations in an array, rollups in maps. For the
 * maintainer's own tests; the stores' implementations are checked by the conformance suite.
 */
export class MemoryRollupStore implements RollupStore, StateRollupStore {
  readonly raw: Observation[] = [];
  readonly devices = new Map<string, DeviceRollup>();
  readonly groups = new Map<string, GroupRollup>();
  readonly deviceStates: DeviceStateRollup[] = [];
  readonly groupStates: GroupStateRollup[] = [];
  failNext = 0;

  async summarize(q: { tier: RollupTier; deviceIds: readonly string[]; from: number; to: number }) {
    this.maybeFail();
    const size = TIER_MS[q.tier];
    const acc = new Map<string, DeviceRollup & { sum: number; lastTime: number }>();
    for (const o of this.raw) {
      if (!q.deviceIds.includes(o.deviceId) || o.time < q.from || o.time >= q.to) continue;
      for (const [field, value] of Object.entries(o.values)) {
        if (typeof value !== "number") continue;
        const time = Math.floor(o.time / size) * size;
        const key = `${o.deviceId}|${field}|${time}`;
        const r = acc.get(key) ?? {
          ...{ tier: q.tier, time, deviceId: o.deviceId, domain: o.domain, commune: o.commune },
          ...{
            operatorId: o.operatorId,
            field,
            count: 0,
            mean: 0,
            min: value,
            max: value,
            sum: 0,
            lastTime: o.time,
          },
        };
        r.count++;
        r.sum += value;
        r.min = Math.min(r.min, value);
        r.max = Math.max(r.max, value);
        if (o.time >= r.lastTime) Object.assign(r, newest(o));
        acc.set(key, r);
      }
    }
    return [...acc.values()].map(({ sum, lastTime: _, ...r }) => ({ ...r, mean: sum / r.count }));
  }

  async writeDeviceRollups(rows: readonly DeviceRollup[]) {
    this.maybeFail();
    for (const r of rows) this.devices.set(`${r.tier}|${r.time}|${r.deviceId}|${r.field}`, r);
  }

  async writeGroupRollups(rows: readonly GroupRollup[]) {
    for (const r of rows) this.groups.set(`${r.tier}|${r.time}|${r.commune}|${r.domain}|${r.field}`, r);
  }

  async deviceRollups(q: { tier: RollupTier; time: number; commune: string; domain: string }) {
    return [...this.devices.values()].filter(
      (r) => r.tier === q.tier && r.time === q.time && r.commune === q.commune && r.domain === q.domain,
    );
  }

  async groupRollups(q: {
    tier: RollupTier;
    from: number;
    to: number;
    commune?: string;
    domain?: string;
    field?: string;
  }) {
    return [...this.groups.values()].filter(
      (r) =>
        r.tier === q.tier &&
        r.time >= q.from &&
        r.time < q.to &&
        (q.commune === undefined || r.commune === q.commune) &&
        (q.domain === undefined || r.domain === q.domain) &&
        (q.field === undefined || r.field === q.field),
    );
  }

  /** The state rule through its pure implementation (services/storage/state-durations.ts). */
  async summarizeStates(q: Parameters<StateRollupStore["summarizeStates"]>[0]) {
    this.maybeFail();
    const readings = new Map<string, StateReading<Observation>[]>();
    for (const o of this.raw) {
      if (!q.deviceIds.includes(o.deviceId) || o.time < q.from - STATE_MAX_GAP_MS || o.time >= q.to) continue;
      for (const field of q.fields) {
        const value = o.values[field];
        if (value === undefined) continue;
        const key = JSON.stringify([o.deviceId, field]);
        readings.set(key, [
          ...(readings.get(key) ?? []),
          { time: o.time, state: stateText(value), attributes: o },
        ]);
      }
    }
    const window = { from: q.from, to: q.to, bucketMs: TIER_MS[q.tier], now: q.now };
    return [...readings].flatMap(([key, list]) => {
      const [deviceId, field] = JSON.parse(key) as [string, string];
      return [...stateDurations(list, window)].flatMap(([time, b]) =>
        [...b.states].map(([state, { ms, count }]) => ({
          ...{ tier: q.tier, time, deviceId, domain: b.attributes.domain, commune: b.attributes.commune },
          ...{ operatorId: b.attributes.operatorId, field, state, seconds: ms / 1000, count },
        })),
      );
    });
  }

  async writeDeviceStateRollups(rows: readonly DeviceStateRollup[]) {
    replaceKeys(this.deviceStates, rows, (r) => [r.tier, r.time, r.deviceId, r.field]);
  }

  async writeGroupStateRollups(rows: readonly GroupStateRollup[]) {
    replaceKeys(this.groupStates, rows, (r) => [r.tier, r.time, r.commune, r.domain, r.field]);
  }

  async deviceStateRollups(q: Parameters<StateRollupStore["deviceStateRollups"]>[0]) {
    return this.deviceStates.filter(
      (r) => r.tier === q.tier && r.time === q.time && r.commune === q.commune && r.domain === q.domain,
    );
  }

  async groupStateRollups(q: Parameters<StateRollupStore["groupStateRollups"]>[0]) {
    return this.groupStates.filter(
      (r) =>
        r.tier === q.tier &&
        r.time >= q.from &&
        r.time < q.to &&
        (q.commune === undefined || r.commune === q.commune) &&
        (q.domain === undefined || r.domain === q.domain) &&
        (q.field === undefined || r.field === q.field),
    );
  }

  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("store unavailable");
    }
  }
}

/** The attributes of the newest reading of a bucket are the device's in its rollup row. */
function newest(o: Observation) {
  return { lastTime: o.time, operatorId: o.operatorId, domain: o.domain, commune: o.commune };
}

/** Every row of a written key goes, all its states, then the write's rows come in. */
function replaceKeys<R>(table: R[], rows: readonly R[], key: (r: R) => unknown[]): void {
  const written = new Set(rows.map((r) => JSON.stringify(key(r))));
  const kept = table.filter((r) => !written.has(JSON.stringify(key(r))));
  table.splice(0, table.length, ...kept, ...rows);
}
