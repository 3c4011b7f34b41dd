import type { Alert, AlertStatus, Severity } from "../../alerts/types.ts";
import type { Principal } from "../../auth/principals.ts";
import { expectedPeriodMs } from "../../contracts/cadence.ts";
import type { ContractRegistry } from "../../contracts/registry.ts";
import type { Clock } from "../../domain/clock.ts";
import type { Device, EpochMs } from "../../domain/types.ts";
import type { QuarantineStore, TimeSeriesStore } from "../../storage/store.ts";
import type { AlertsAtStore } from "../alerts-at.ts";
import { createDeviceStatesAt, type DeviceAtView, type DeviceCondition } from "../device-states-at.ts";
import type { AccessPolicy } from "../policy.ts";
import { iso } from "../views.ts";
import { requireStaff } from "./staff.ts";

const DAY_MS = 86_400_000;
/** Silent devices listed by name (the count says how many there are in all). */
export const SILENT_LISTED = 20;
export const WORST_COMMUNES = 10;
const ALERT_PAGE = 1000;
const ALERT_PAGES = 50;

export interface DomainCount {
  domain: string;
  devices: number;
  conditions: Record<DeviceCondition, number>;
}

export interface OverviewAnswer {
  at: string;
  domains: DomainCount[];
  /** Alerts not closed (open or acknowledged), per domain and severity. */
  openAlerts: { domain: string; severity: Severity; count: number }[];
  worstCommunes: { commune: string; devices: number; openAlerts: number; openAlertsPer100Devices: number }[];
  silent: {
    count: number;
    devices: {
      device: string;
      domain: string;
      commune: string;
      operator: string | null;
      lastReadingAt: string | null;
    }[];
  };
  operators: {
    operator: string;
    devices: number;
    /** Devices whose last reading is no older than their contract's expected period. */
    heard: number;
    lastMessageAt: string | null;
    /** Messages of the operator refused into quarantine over the last 24 hours. */
    quarantined24h: number;
  }[];
}

export interface OverviewDeps {
  policy: AccessPolicy;
  store: Pick<TimeSeriesStore, "latest"> & Pick<QuarantineStore, "countQuarantine">;
  alerts?: AlertsAtStore;
  contracts: Pick<ContractRegistry, "versions">;
  clock: Clock;
}

export interface Overview {
  overview(principal: Principal | undefined): Promise<OverviewAnswer>;
}

/**
 * Every domain at a glance, now: the devices' conditions (the rule of device-states-at.ts at the
 * current instant), the alerts not closed, the communes with most of them per device, the silent
 * devices, and each operator's feed.
 */
export function createOverview(deps: OverviewDeps): Overview {
  const states = createDeviceStatesAt(deps);
  return {
    async overview(principal) {
      requireStaff(principal, "the overview");
      const now = deps.clock.now();
      const devices = new Map(deps.policy.listDevices(principal, {}).map((g) => [g.device.id, g.device]));
      const [listed, alerts] = await Promise.all([states.list(principal, {}, now), openAlerts(deps.alerts)]);
      const views = listed.devices;
      return {
        at: iso(now),
        domains: domainCounts(views),
        openAlerts: alertCounts(alerts),
        worstCommunes: worstCommunes(views, alerts),
        silent: silentDevices(views),
        operators: await operatorFeeds(deps, views, devices, now),
      };
    },
  };
}

async function openAlerts(store: AlertsAtStore | undefined): Promise<Alert[]> {
  if (!store) return [];
  const found: Alert[] = [];
  for (const status of ["open", "acknowledged"] satisfies AlertStatus[]) {
    let beforeId: number | undefined;
    for (let page = 0; page < ALERT_PAGES; page++) {
      const alerts = await store.list({
        status,
        limit: ALERT_PAGE,
        ...(beforeId !== undefined ? { beforeId } : {}),
      });
      found.push(...alerts);
      const last = alerts.at(-1);
      if (alerts.length < ALERT_PAGE || last === undefined) break;
      beforeId = last.id;
    }
  }
  return found;
}

export function domainCounts(views: readonly Pick<DeviceAtView, "domain" | "condition">[]): DomainCount[] {
  const byDomain = new Map<string, DomainCount>();
  for (const v of views) {
    const seen = byDomain.get(v.domain) ?? {
      domain: v.domain,
      devices: 0,
      conditions: { ok: 0, fault: 0, silent: 0, unknown: 0 },
    };
    seen.devices += 1;
    seen.conditions[v.condition] += 1;
    byDomain.set(v.domain, seen);
  }
  return [...byDomain.values()].sort((a, b) => compare(a.domain, b.domain));
}

function alertCounts(alerts: readonly Alert[]): OverviewAnswer["openAlerts"] {
  const counts = new Map<string, { domain: string; severity: Severity; count: number }>();
  for (const a of alerts) {
    const key = `${a.domain}\u0000${a.severity}`;
    const seen = counts.get(key) ?? { domain: a.domain, severity: a.severity, count: 0 };
    seen.count += 1;
    counts.set(key, seen);
  }
  return [...counts.values()].sort((a, b) => compare(a.domain, b.domain) || compare(a.severity, b.severity));
}

/** Open alerts per 100 devices of each commune; communes without an open alert are left out. */
export function worstCommunes(
  views: readonly Pick<DeviceAtView, "commune">[],
  alerts: readonly Pick<Alert, "commune">[],
): OverviewAnswer["worstCommunes"] {
  const devices = new Map<string, number>();
  for (const v of views) devices.set(v.commune, (devices.get(v.commune) ?? 0) + 1);
  const open = new Map<string, number>();
  for (const a of alerts) if (a.commune !== undefined) open.set(a.commune, (open.get(a.commune) ?? 0) + 1);
  return [...open]
    .filter(([commune]) => (devices.get(commune) ?? 0) > 0)
    .map(([commune, openAlerts]) => {
      const n = devices.get(commune) ?? 0;
      return { commune, devices: n, openAlerts, openAlertsPer100Devices: (openAlerts / n) * 100 };
    })
    .sort((a, b) => b.openAlertsPer100Devices - a.openAlertsPer100Devices || compare(a.commune, b.commune))
    .slice(0, WORST_COMMUNES);
}

/** The silent devices, those quiet the longest first. */
function silentDevices(views: readonly DeviceAtView[]): OverviewAnswer["silent"] {
  const silent = views
    .filter((v) => v.condition === "silent")
    .map((v) => ({
      device: v.id,
      domain: v.domain,
      commune: v.commune,
      operator: v.operator,
      lastReadingAt: v.state?.time ?? null,
    }))
    .sort((a, b) => compare(a.lastReadingAt ?? "", b.lastReadingAt ?? "") || compare(a.device, b.device));
  return { count: silent.length, devices: silent.slice(0, SILENT_LISTED) };
}

async function operatorFeeds(
  deps: OverviewDeps,
  views: readonly DeviceAtView[],
  devices: ReadonlyMap<string, Device>,
  now: EpochMs,
): Promise<OverviewAnswer["operators"]> {
  const byOperator = new Map<string, DeviceAtView[]>();
  for (const v of views) {
    if (v.operator === null) continue;
    const held = byOperator.get(v.operator);
    if (held) held.push(v);
    else byOperator.set(v.operator, [v]);
  }
  const operators = [...byOperator.keys()].sort();
  const quarantined = await Promise.all(
    operators.map((operatorId) => deps.store.countQuarantine({ operatorId, from: now - DAY_MS, to: now })),
  );
  return operators.map((operator, i) => {
    const held = byOperator.get(operator) ?? [];
    const times = held.flatMap((v) => (v.state ? [Date.parse(v.state.time)] : []));
    return {
      operator,
      devices: held.length,
      heard: held.filter((v) => heardInCadence(deps, v, devices.get(v.id), now)).length,
      lastMessageAt: times.length > 0 ? iso(Math.max(...times)) : null,
      quarantined24h: quarantined[i] ?? 0,
    };
  });
}

/** Heard within the expected period of the contract version of its last reading. */
function heardInCadence(
  deps: OverviewDeps,
  v: DeviceAtView,
  device: Device | undefined,
  now: EpochMs,
): boolean {
  if (!v.state || !device) return false;
  const contractKey = v.state.contract;
  const contract = deps.contracts.versions(device.contractId).find((c) => c.key === contractKey);
  const period = contract ? expectedPeriodMs(contract, device) : undefined;
  if (period === undefined) return false;
  return now - Date.parse(v.state.time) <= period;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
