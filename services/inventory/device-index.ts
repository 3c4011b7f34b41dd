import type { Device, EpochMs } from "../domain/types.ts";
import { operatorAt } from "./periods.ts";

/** The inventory in memory, indexed for the pipeline (lookup by id) and the API (filters). */
export interface DeviceIndex {
  get(id: string): Device | undefined;
  list(filter?: { domain?: string; commune?: string; operatorId?: string; at?: EpochMs }): Device[];
  communes(): string[];
  domains(): string[];
  size: number;
}

export function currentOperator(device: Device, at: EpochMs): string | undefined {
  for (const a of device.assignments)
    if (a.from <= at && (a.to === undefined || at < a.to)) return a.operatorId;
  return undefined;
}

export function createDeviceIndex(devices: readonly Device[], now: () => EpochMs = Date.now): DeviceIndex {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const communes = [...new Set(devices.map((d) => d.commune))].sort();
  const domains = [...new Set(devices.map((d) => d.domain))].sort();
  return {
    get: (id) => byId.get(id),
    list(filter = {}) {
      const at = filter.at ?? now();
      return devices.filter(
        (d) =>
          (filter.domain === undefined || d.domain === filter.domain) &&
          (filter.commune === undefined || d.commune === filter.commune) &&
          (filter.operatorId === undefined || operatorAt(d, at) === filter.operatorId),
      );
    },
    communes: () => communes,
    domains: () => domains,
    size: devices.length,
  };
}
