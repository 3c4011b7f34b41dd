import type { Device } from "../domain/types.ts";
import type { Contract } from "./model.ts";

/**
 * How often a device must report under its contract: the first cadence rule whose attributes
 * all match the device's inventory attributes, else the contract's SLA frequency. Undefined when
 * the contract sets no frequency (no silence can then be detected for that device).
 */
export function expectedPeriodMs(contract: Contract, device: Device): number | undefined {
  for (const rule of contract.cadence) {
    if (Object.entries(rule.when).every(([k, v]) => device.attributes[k] === v)) return rule.everyMs;
  }
  return contract.frequencyMs;
}
