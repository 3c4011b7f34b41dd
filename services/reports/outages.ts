import { ruleKind } from "../access/device-states-at.ts";
import { alertPages } from "../alerts/pages.ts";
import type { AlertStore } from "../alerts/store.ts";
import type { Alert } from "../alerts/types.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import type { DeviceIndex } from "../inventory/device-index.ts";
import { CITIZEN_REPORT, RESIDENT } from "./citizen-reports.ts";

/**
 * The public map of outages and repairs, for the assets whose contract takes residents' reports:
 * one case per asset (however many alerts speak of it), with its dates, whether residents or the
 * sensors found it, and whether someone is on it. A device's own health (silent, battery, radio)
 * is not an outage of the service. Nothing else: no operator, no comment, no alert detail.
 */
export type OutageStatus = "out" | "in-hand" | "repaired";

export interface Outage {
  asset: string;
  domain: string;
  commune: string;
  lat: number;
  lon: number;
  status: OutageStatus;
  since: EpochMs;
  /** When the last alert ended, for a repaired asset. */
  repairedAt?: EpochMs;
  reportedByResidents: boolean;
  detectedBySensors: boolean;
}

export interface OutageDeps {
  alerts: Pick<AlertStore, "list">;
  devices: Pick<DeviceIndex, "get">;
  contracts: Pick<ContractRegistry, "versionAt" | "versions">;
}

/** Kinds that say how the device itself is, not how the service is. */
const DEVICE_HEALTH: ReadonlySet<string> = new Set(["silence", "threshold-low", "weak-radio"]);
const MAX_PAGES = 20;
/** Repairs shown this long after they ended. */
export const REPAIRS_SHOWN_MS = 30 * 86_400_000;

export async function outages(deps: OutageDeps, now: EpochMs): Promise<Outage[]> {
  const active = await alertPages(deps.alerts, { cleared: false }, { maxPages: MAX_PAGES });
  const recent = await alertPages(
    deps.alerts,
    {},
    {
      maxPages: MAX_PAGES,
      far: (a) => a.openedAt < now - 2 * REPAIRS_SHOWN_MS,
    },
  );
  const byAsset = new Map<string, { device: Device; active: Alert[]; ended: Alert[] }>();
  const add = (alert: Alert, list: "active" | "ended") => {
    for (const id of [alert.subject, ...(alert.children ?? [])]) {
      const device = deps.devices.get(id);
      if (!device || !reportable(deps, device, now) || !counts(deps, alert)) continue;
      const entry = byAsset.get(id) ?? { device, active: [], ended: [] };
      entry[list].push(alert);
      byAsset.set(id, entry);
    }
  };
  for (const a of active) if (a.status !== "closed") add(a, "active");
  for (const a of recent) if (ended(a) !== undefined) add(a, "ended");
  const out: Outage[] = [];
  for (const [asset, e] of byAsset) {
    const o = outage(asset, e.device, e.active, e.ended, now);
    if (o) out.push(o);
  }
  return out.sort((a, b) => b.since - a.since || (a.asset < b.asset ? -1 : 1));
}

function outage(
  asset: string,
  d: Device,
  active: Alert[],
  endedAlerts: Alert[],
  now: EpochMs,
): Outage | undefined {
  const place = { asset, domain: d.domain, commune: d.commune, lat: d.lat, lon: d.lon };
  if (active.length > 0) {
    return {
      ...place,
      status: active.some((a) => a.status === "acknowledged") ? "in-hand" : "out",
      since: Math.min(...active.map((a) => a.openedAt)),
      reportedByResidents: active.some((a) => a.ruleId === CITIZEN_REPORT || hasResidentNote(a)),
      detectedBySensors: active.some((a) => a.ruleId !== CITIZEN_REPORT),
    };
  }
  const last = endedAlerts.reduce<Alert | undefined>(
    (a, b) => ((ended(b) ?? 0) > (ended(a) ?? 0) ? b : a),
    undefined,
  );
  const repairedAt = last && ended(last);
  if (!last || repairedAt === undefined || now - repairedAt > REPAIRS_SHOWN_MS) return undefined;
  return {
    ...place,
    status: "repaired",
    since: last.openedAt,
    repairedAt,
    reportedByResidents: endedAlerts.some((a) => a.ruleId === CITIZEN_REPORT || hasResidentNote(a)),
    detectedBySensors: endedAlerts.some((a) => a.ruleId !== CITIZEN_REPORT),
  };
}

function ended(a: Alert | undefined): EpochMs | undefined {
  if (!a) return undefined;
  return a.clearedAt ?? a.closedAt;
}

function hasResidentNote(a: Alert): boolean {
  return a.comments.some((c) => c.author === RESIDENT);
}

function reportable(deps: OutageDeps, device: Device, now: EpochMs): boolean {
  return deps.contracts.versionAt(device.contractId, now)?.openData.reports !== undefined;
}

function counts(deps: OutageDeps, alert: Alert): boolean {
  if (alert.ruleId === CITIZEN_REPORT) return true;
  const kind = alert.kind ?? ruleKind(deps.contracts, alert.ruleId);
  return kind === undefined || !DEVICE_HEALTH.has(kind);
}
