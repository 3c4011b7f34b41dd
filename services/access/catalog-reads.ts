import type { Device, Owner } from "../domain/types.ts";
import type { DeviceIndex } from "../inventory/device-index.ts";
import { type CommuneFacts, communeByCode, communesOfEpci, epciByCode } from "../inventory/territory.ts";
import type { CommuneOutline } from "../inventory/territory-outlines.ts";

/**
 * The territory as everyone may read it: its owner, its EPCI and its communes with their official
 * names (Etalab's list, services/inventory/territory.ts) and the number of devices of each domain.
 * Public facts, the same for every caller.
 */
export interface CommuneView {
  /** INSEE code. */
  code: string;
  /** Official name; null for a code Etalab's list does not hold as a current commune. */
  name: string | null;
  /** Municipal population as Etalab's list gives it; null like the name. */
  population: number | null;
  /** SIREN of the EPCI the commune belongs to, if any. */
  epci: string | null;
  /** One of the communes of the territory's EPCI (false for all when the territory names none). */
  inEpci: boolean;
  /** Devices of the inventory in the commune, per domain (none: `{}`). */
  devices: Record<string, number>;
  /** The commune's outline the territory imported (GeoJSON geometry), when it has one. */
  outline?: CommuneOutline;
}

export interface TerritoryView {
  owner: { id: string; name: string; siren: string | null };
  /** The EPCI whose communes make up the territory (territory.yaml `epci`), or null. */
  epci: { code: string; name: string | null } | null;
  /** Communes listed by `/api/v1/communes`. */
  communes: number;
  devices: number;
}

export interface CatalogReads {
  /**
   * The EPCI's communes, every one even without a device, and any commune of the inventory outside
   * it, ordered by INSEE code.
   */
  communes(): CommuneView[];
  territory(): TerritoryView;
}

export interface CatalogReadsDeps {
  devices: Pick<DeviceIndex, "list">;
  territory: { owner: Owner; epci?: string; outlines?: ReadonlyMap<string, CommuneOutline> };
}

/**
 * Both answers are computed once, when the reads are built: the inventory and Etalab's list do
 * not change while the platform runs, and reading the list costs a few hundred milliseconds,
 * which the first page to ask would otherwise wait for with every other request behind it.
 */
export function createCatalogReads(deps: CatalogReadsDeps): CatalogReads {
  const communes = communeViews(deps.devices.list(), deps.territory.epci).map((c) =>
    withOutline(c, deps.territory.outlines?.get(c.code)),
  );
  let territory: TerritoryView | undefined;
  const listCommunes = () => communes;
  return {
    communes: listCommunes,
    territory() {
      territory ??= territoryView(deps.territory, listCommunes().length, deps.devices.list().length);
      return territory;
    },
  };
}

function communeViews(devices: readonly Device[], epci: string | undefined): CommuneView[] {
  const counts = devicesPerCommune(devices);
  const members = epci === undefined ? [] : communesOfEpci(epci);
  const views = new Map<string, CommuneView>();
  for (const facts of members) views.set(facts.code, view(facts.code, facts, true, counts));
  for (const code of counts.keys()) {
    if (!views.has(code)) views.set(code, view(code, communeByCode(code), false, counts));
  }
  return [...views.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

function withOutline(view: CommuneView, outline: CommuneOutline | undefined): CommuneView {
  return outline === undefined ? view : { ...view, outline };
}

function devicesPerCommune(devices: readonly Device[]): Map<string, Record<string, number>> {
  const counts = new Map<string, Record<string, number>>();
  for (const d of devices) {
    const perDomain = counts.get(d.commune) ?? {};
    perDomain[d.domain] = (perDomain[d.domain] ?? 0) + 1;
    counts.set(d.commune, perDomain);
  }
  return counts;
}

function view(
  code: string,
  facts: CommuneFacts | undefined,
  inEpci: boolean,
  counts: ReadonlyMap<string, Record<string, number>>,
): CommuneView {
  return {
    code,
    name: facts?.name ?? null,
    population: facts?.population ?? null,
    epci: facts?.epci ?? null,
    inEpci,
    devices: counts.get(code) ?? {},
  };
}

function territoryView(
  territory: CatalogReadsDeps["territory"],
  communes: number,
  devices: number,
): TerritoryView {
  const { owner, epci } = territory;
  return {
    owner: { id: owner.id, name: owner.name, siren: owner.siren ?? null },
    epci: epci === undefined ? null : { code: epci, name: epciByCode(epci)?.name ?? null },
    communes,
    devices,
  };
}
