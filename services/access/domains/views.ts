import type { ContractRegistry } from "../../contracts/registry.ts";
import type { Clock } from "../../domain/clock.ts";
import type { QuarantineStore, RollupStore, TimeSeriesStore } from "../../storage/store.ts";
import type { AlertsAtStore } from "../alerts-at.ts";
import type { AccessPolicy } from "../policy.ts";
import { createLightingEnergy, type LightingEnergy } from "./lighting-energy.ts";
import { createOverview, type Overview } from "./overview.ts";
import { createWasteToCollect, type WasteToCollect } from "./waste-to-collect.ts";
import { createWaterSectors, type WaterSectors } from "./water-sectors.ts";

export interface DomainViewsDeps {
  policy: AccessPolicy;
  store: Pick<TimeSeriesStore, "latest" | "series"> &
    Pick<RollupStore, "deviceRollups" | "groupRollups"> &
    Pick<QuarantineStore, "countQuarantine">;
  /** Without an alert store, the overview counts no alert and no device is in `fault`. */
  alerts?: AlertsAtStore;
  contracts: Pick<ContractRegistry, "versions">;
  clock: Clock;
  /** The territory's electricity tariff in €/kWh, when it sets one. */
  energyTariff?: number;
}

/**
 * The views the domain pages work from: the energy manager's (lighting energy against a
 * reference period), the water technician's (pressure and night flow per sector), the waste
 * collector's (containers to collect) and everyone's overview. Each asks the same policy.
 */
export interface DomainViews {
  lighting: LightingEnergy;
  water: WaterSectors;
  waste: WasteToCollect;
  overview: Overview;
}

export function createDomainViews(deps: DomainViewsDeps): DomainViews {
  const { policy, store, clock } = deps;
  return {
    lighting: createLightingEnergy({
      policy,
      store,
      ...(deps.energyTariff !== undefined ? { defaultTariff: deps.energyTariff } : {}),
    }),
    water: createWaterSectors({ policy, store }),
    waste: createWasteToCollect({ policy, store, clock }),
    overview: createOverview({
      policy,
      store,
      contracts: deps.contracts,
      clock,
      ...(deps.alerts !== undefined ? { alerts: deps.alerts } : {}),
    }),
  };
}
