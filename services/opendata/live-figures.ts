import { silenceAfterMs } from "../access/device-states-at.ts";
import type { LatestReadings } from "../access/latest-readings.ts";
import type { Contract } from "../contracts/model.ts";
import { type ContractRegistry, newestVersions } from "../contracts/registry.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import type { Outage } from "../reports/outages.ts";

/**
 * The public figures of the moment, for the live page: per published domain and commune, the
 * assets, those reporting within their contract's cadence now, and the current outages (the
 * public map's cases). Counts of public infrastructure, yet kept to the contracts' thresholds as
 * every open figure is: communes with fewer assets than the threshold are counted together as
 * "other communes", and left out if even together they are fewer.
 */
export interface LiveCount {
  assets: number;
  reporting: number;
  outages: number;
}

export interface LiveDomain extends LiveCount {
  domain: string;
  /** The contract's name (French). */
  title: string;
  communes: Array<LiveCount & { commune: string }>;
  /** Assets of the communes counted together (under the threshold each). */
  otherCommunes?: LiveCount;
}

export interface LiveFigures {
  at: EpochMs;
  domains: LiveDomain[];
}

export interface LiveFiguresDeps {
  devices: () => readonly Device[];
  latest: Pick<LatestReadings, "get">;
  contracts: Pick<ContractRegistry, "all" | "versions">;
}

export function liveFigures(deps: LiveFiguresDeps, current: readonly Outage[], now: EpochMs): LiveFigures {
  const out = new Set(current.filter((o) => o.status !== "repaired").map((o) => o.asset));
  const published = newestPublished(deps.contracts);
  const byContract = new Map<string, Device[]>();
  for (const d of deps.devices()) {
    if (published.has(d.contractId))
      byContract.set(d.contractId, [...(byContract.get(d.contractId) ?? []), d]);
  }
  const domains: LiveDomain[] = [];
  for (const [id, contract] of published) {
    const devices = byContract.get(id) ?? [];
    if (devices.length === 0) continue;
    const count = (list: readonly Device[]): LiveCount => ({
      assets: list.length,
      reporting: list.filter((d) => reporting(deps, d, now)).length,
      outages: list.filter((d) => out.has(d.id)).length,
    });
    domains.push({
      domain: contract.domain,
      title: contract.name,
      ...count(devices),
      ...communes(devices, contract, count),
    });
  }
  return { at: now, domains: domains.sort((a, b) => (a.domain < b.domain ? -1 : 1)) };
}

function communes(
  devices: readonly Device[],
  contract: Contract,
  count: (list: readonly Device[]) => LiveCount,
): Pick<LiveDomain, "communes" | "otherCommunes"> {
  const byCommune = new Map<string, Device[]>();
  for (const d of devices) byCommune.set(d.commune, [...(byCommune.get(d.commune) ?? []), d]);
  const min = contract.openData.minDevices;
  const shown = [...byCommune].filter(([, list]) => list.length >= min).sort(([a], [b]) => (a < b ? -1 : 1));
  const rest = [...byCommune].filter(([, list]) => list.length < min).flatMap(([, list]) => list);
  return {
    communes: shown.map(([commune, list]) => ({ commune, ...count(list) })),
    ...(rest.length >= min ? { otherCommunes: count(rest) } : {}),
  };
}

/** Heard from within its contract's silence threshold (the engine's own), as the map says "ok". */
function reporting(deps: LiveFiguresDeps, d: Device, now: EpochMs): boolean {
  const last = deps.latest.get(d.id);
  if (!last) return false;
  const threshold = silenceAfterMs(deps.contracts, d, last.contract);
  return threshold === undefined || now - last.time <= threshold;
}

function newestPublished(contracts: Pick<ContractRegistry, "all">): Map<string, Contract> {
  const newest = newestVersions(contracts);
  for (const [id, c] of newest) if (!c.openData.publish) newest.delete(id);
  return newest;
}
