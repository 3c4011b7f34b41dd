import { type Condition, type Counts, emptyCounts, type MapDevice } from "./types.ts";

/** The map's filters; an empty one lets everything through. */
export interface MapFilters {
  domain: string;
  commune: string;
  operator: string;
  condition: Condition | "";
}

export const NO_FILTER: MapFilters = { domain: "", commune: "", operator: "", condition: "" };

export function matches(device: MapDevice, f: MapFilters): boolean {
  return (
    (f.domain === "" || device.domain === f.domain) &&
    (f.commune === "" || device.commune === f.commune) &&
    (f.operator === "" || device.operator === f.operator) &&
    (f.condition === "" || device.condition === f.condition)
  );
}

export function countConditions(devices: Iterable<MapDevice>): Counts {
  const counts = emptyCounts();
  for (const d of devices) counts[d.condition] += 1;
  return counts;
}
