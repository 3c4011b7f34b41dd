import type { ReplayLog } from "../clauses/replay-log.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Clock } from "../domain/clock.ts";
import type { DeviceIndex } from "../inventory/device-index.ts";
import { type AggregateReadStore, type AggregateReads, createAggregateReads } from "./aggregate-reads.ts";
import { type CatalogReads, type CatalogReadsDeps, createCatalogReads } from "./catalog-reads.ts";
import { createDeviceReads, type DeviceReadStore, type DeviceReads } from "./device-reads.ts";
import { type AccessPolicy, createAccessPolicy } from "./policy.ts";
import { createQuarantineReads, type QuarantineReadStore, type QuarantineReads } from "./quarantine-reads.ts";

export interface AccessServiceDeps {
  devices: Pick<DeviceIndex, "get" | "list">;
  contracts: Pick<ContractRegistry, "versions" | "all">;
  store: DeviceReadStore & QuarantineReadStore & AggregateReadStore;
  clock: Clock;
  /** The territory's owner and EPCI (territory.yaml), for its public description. */
  territory: CatalogReadsDeps["territory"];
  /** Which quarantine entries were replayed, so that they leave the open view (services/clauses/replay.ts). */
  replays?: Pick<ReplayLog, "replayedIds" | "countReplayed">;
}

/**
 * Every read of the API goes through here: the policy decides who may read what, the readers
 * turn its decisions into store queries and views. Routes check the principal's role, call one
 * reader and return its answer; new readers (alerts, web pages, open data, clauses) ask the same
 * policy.
 */
export interface AccessService {
  readonly policy: AccessPolicy;
  readonly devices: DeviceReads;
  readonly quarantine: QuarantineReads;
  readonly aggregates: AggregateReads;
  readonly catalog: CatalogReads;
}

export function createAccessService(deps: AccessServiceDeps): AccessService {
  const policy = createAccessPolicy(deps);
  return {
    policy,
    devices: createDeviceReads({ policy, store: deps.store, contracts: deps.contracts }),
    quarantine: createQuarantineReads({
      policy,
      store: deps.store,
      ...(deps.replays ? { replays: deps.replays } : {}),
    }),
    aggregates: createAggregateReads({ policy, store: deps.store }),
    catalog: createCatalogReads({ devices: deps.devices, territory: deps.territory }),
  };
}
