import type { EpochMs, Observation } from "../domain/types.ts";
import type { DeviceState } from "../storage/store.ts";

/** What the live view needs of a device's newest reading. */
export interface LatestReading {
  time: EpochMs;
  /** "contractId@version" the reading was checked against. */
  contract: string;
  /** The operator that sent it. */
  operatorId: string;
}

/**
 * Each device's newest stored reading, in memory: its time, contract version and sender. The live
 * map of a whole territory needs only this of 20,000 devices, and reading it from the store's
 * latest values took about a second (every field of every device, built into states and passed
 * from the store's worker); here it is a lookup. Seeded once from the store at start, then kept
 * by the durable batches, so that it never shows a reading the store does not hold. A reading
 * older than the one held (a late or replayed message) changes nothing; neither does the seed
 * for a device already seen since start.
 */
export class LatestReadings {
  private readonly byDevice = new Map<string, LatestReading>();
  private seeded = false;

  /** Whether the seed from the store is in: until then, the store answers. */
  get ready(): boolean {
    return this.seeded;
  }

  get size(): number {
    return this.byDevice.size;
  }

  get(deviceId: string): LatestReading | undefined {
    return this.byDevice.get(deviceId);
  }

  /** The store's latest states at start. */
  seed(states: readonly DeviceState[]): void {
    for (const s of states) this.keep(s.deviceId, s.time, s.contract, s.operatorId);
    this.seeded = true;
  }

  /** A batch the store now holds. */
  observe(observations: readonly Observation[]): void {
    for (const o of observations) this.keep(o.deviceId, o.time, o.contract, o.operatorId);
  }

  private keep(deviceId: string, time: EpochMs, contract: string, operatorId: string): void {
    const held = this.byDevice.get(deviceId);
    if (held && held.time > time) return;
    this.byDevice.set(deviceId, { time, contract, operatorId });
  }
}
