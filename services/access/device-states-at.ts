import { silence } from "../alerts/rules/silence.ts";
import type { Alert } from "../alerts/types.ts";
import type { Principal } from "../auth/principals.ts";
import { expectedPeriodMs } from "../contracts/cadence.ts";
import type { Contract } from "../contracts/model.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Clock } from "../domain/clock.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import { operatorAt } from "../inventory/periods.ts";
import type { DeviceState, TimeSeriesStore } from "../storage/store.ts";
import { type AlertsAtStore, activeAlertsAt, activeAlertsNow, checkInstant } from "./alerts-at.ts";
import type { LatestReadings } from "./latest-readings.ts";
import { withinPeriods } from "./periods.ts";
import { type AccessPolicy, audienceOf, type DeviceGrant, type DeviceListFilter } from "./policy.ts";
import { type DeviceView, deviceView, iso } from "./views.ts";

/**
 * What a device was at a past instant T:
 * - `fault`: an alert other than a silence was active at T (raised, neither cleared nor closed
 *   then, from the alert history) whose subject is the device or lists it among its children;
 * - `silent`: otherwise, a silence alert was active at T; or the device's last reading at or
 *   before T is older than its contract allows: the cadence and grace of the contract's silence
 *   rule (the engine's own threshold), else its expected period (cadence rules, SLA frequency)
 *   plus its SLA latency; a contract with neither never makes a device silent from its data;
 * - `unknown`: otherwise, no reading at or before T the caller may see, within the store's
 *   lookback (LATEST_AT_LOOKBACK_MS, a day): what happened further back says nothing sure of T;
 * - `ok`: it had readings and nothing above holds.
 */
export type DeviceCondition = "ok" | "fault" | "silent" | "unknown";

/** An instant this close to now is the live view: the store's latest values serve it. */
const LIVE_MS = 5_000;

export interface DeviceAtView extends DeviceView {
  /** The device's condition at the instant. */
  condition: DeviceCondition;
  /** Ids of the alerts active at the instant that speak of the device, newest first. */
  alerts: number[];
}

export interface DeviceListAt {
  at: string;
  count: number;
  devices: DeviceAtView[];
}

/** A device at the instant as the map draws it: no values, its condition and last reading time. */
export interface DeviceConditionAt {
  device: Device;
  /** The operator that held it then (null: none). */
  holder: string | null;
  condition: DeviceCondition;
  /** Its last reading at or before the instant the caller may see. */
  time: EpochMs | undefined;
}

export interface DeviceConditionsAt {
  at: string;
  devices: DeviceConditionAt[];
}

/**
 * The inventory as it stood at a past instant, as the policy lets each caller see it. Staff see
 * every device, with the operator that held it then. An operator sees the devices it held at T,
 * their values from its own readings within its periods, and its own alerts; the public, nothing
 * (401). An instant after now is a 400 ERR_BAD_REQUEST.
 */
export interface DeviceStatesAt {
  list(principal: Principal | undefined, filter: DeviceListFilter, at: EpochMs): Promise<DeviceListAt>;
  get(principal: Principal | undefined, id: string, at: EpochMs): Promise<DeviceAtView>;
  /**
   * The same devices and conditions as `list`, without values: what a map of the whole
   * territory needs. Without an instant, now: the alerts' current statuses and, for staff, the
   * in-memory latest readings when given.
   */
  conditions(
    principal: Principal | undefined,
    filter: DeviceListFilter,
    at: EpochMs | undefined,
  ): Promise<DeviceConditionsAt>;
}

export interface DeviceStatesAtDeps {
  policy: Pick<AccessPolicy, "listDevices" | "device" | "currentState">;
  store: Pick<TimeSeriesStore, "latest">;
  /** Without an alert store, conditions come from the readings alone (never `fault`). */
  alerts?: AlertsAtStore;
  contracts: Pick<ContractRegistry, "versions">;
  clock: Clock;
  /** Each device's newest reading in memory (services/access/latest-readings.ts), for live views. */
  latest?: Pick<LatestReadings, "ready" | "get">;
}

export function createDeviceStatesAt(deps: DeviceStatesAtDeps): DeviceStatesAt {
  const { policy, store, clock } = deps;
  const grantsAt = grantsAtOf(policy, clock);
  return {
    async list(principal, filter, asked) {
      const { at, rest, grants, operatorId, live } = grantsAt(principal, filter, asked);
      const [states, alerts] = await Promise.all([
        grants.length > 0
          ? statesAt(store, rest, operatorId, live ? undefined : at)
          : new Map<string, DeviceState>(),
        alertsAt(deps.alerts, grants, operatorId, at),
      ]);
      const devices = grants.map((g) => viewAt(deps, g, states.get(g.device.id), alerts, at));
      return { at: iso(at), count: devices.length, devices };
    },
    async conditions(principal, filter, asked) {
      const { at, rest, grants, operatorId, live } = grantsAt(principal, filter, asked ?? clock.now());
      // Now, asked as such (no instant): the alerts' current statuses, and for staff the latest
      // readings in memory. An instant given, even a second ago, is read from the history.
      const now = asked === undefined;
      const index = now && operatorId === undefined && deps.latest?.ready ? deps.latest : undefined;
      const [states, alerts] = await Promise.all([
        index || grants.length === 0
          ? new Map<string, DeviceState>()
          : statesAt(store, rest, operatorId, live ? undefined : at),
        now ? liveAlerts(deps.alerts, grants, operatorId) : alertsAt(deps.alerts, grants, operatorId, at),
      ]);
      const silenceAfter = silenceMemo(deps.contracts);
      const devices = grants.map((g): DeviceConditionAt => {
        const id = g.device.id;
        const reading = index ? index.get(id) : policy.currentState(g, states.get(id));
        const kinds = (alerts.get(id) ?? []).map((a) => a.kind ?? ruleKind(deps.contracts, a.ruleId));
        const threshold = reading ? silenceAfter(g.device, reading.contract) : undefined;
        return {
          device: g.device,
          holder: g.holder ?? null,
          condition: conditionAt({
            alertKinds: kinds,
            lastReading: reading?.time,
            silenceAfterMs: threshold,
            at,
          }),
          time: reading?.time,
        };
      });
      return { at: iso(at), devices };
    },
    async get(principal, id, asked) {
      const at = checkInstant(asked, clock.now());
      const now = policy.device(principal, id);
      const g = grantAt(now, at);
      if (!g) return notHeldView(now);
      const operatorId = operatorOf(principal);
      const [found, alerts] = await Promise.all([
        store.latest({ deviceIds: [id], at, ...(operatorId !== undefined ? { operatorId } : {}) }),
        alertsAt(deps.alerts, [g], operatorId, at),
      ]);
      return viewAt(deps, g, found[0], alerts, at);
    },
  };
}

/**
 * The devices the caller may see at T, as held then, with what each read needs: the instant
 * (checked), the filter the store takes, the caller's operator id, and whether T is "now".
 */
function grantsAtOf(policy: DeviceStatesAtDeps["policy"], clock: Clock) {
  return (principal: Principal | undefined, filter: DeviceListFilter, asked: EpochMs) => {
    const at = checkInstant(asked, clock.now());
    const { operator, ...rest } = filter;
    const grants = policy
      .listDevices(principal, rest)
      .map((g) => grantAt(g, at))
      .filter((g): g is DeviceGrant => g !== undefined)
      .filter((g) => operator === undefined || g.holder === operator);
    // "Now" (a page's live view) reads the store's latest values as they are: the same answer
    // as a read at T, without looking through a day of readings for every device.
    const live = clock.now() - at <= LIVE_MS;
    return { at, rest, grants, operatorId: operatorOf(principal), live };
  };
}

/**
 * The grant as of T: staff see who held the device then; an operator, the device only if it held
 * it then (undefined otherwise), shown as its holder.
 */
export function grantAt(g: DeviceGrant, at: EpochMs): DeviceGrant | undefined {
  if (!g.held) return { ...g, holder: operatorAt(g.device, at) };
  if (!withinPeriods(g.held.periods, at)) return undefined;
  return { ...g, holder: g.held.operatorId };
}

/** An operator asking about a device it did not hold at T learns nothing of T. */
function notHeldView(g: DeviceGrant): DeviceAtView {
  return { ...deviceView({ ...g, holder: undefined }, undefined), condition: "unknown", alerts: [] };
}

function operatorOf(principal: Principal | undefined): string | undefined {
  const audience = audienceOf(principal);
  return audience.kind === "operator" ? audience.operatorId : undefined;
}

/** One store read for the listing; an operator's limited to devices whose reading then was its own. */
async function statesAt(
  store: DeviceStatesAtDeps["store"],
  filter: Omit<DeviceListFilter, "operator">,
  operatorId: string | undefined,
  at: EpochMs | undefined,
): Promise<Map<string, DeviceState>> {
  const states = await store.latest({
    ...(filter.commune !== undefined ? { commune: filter.commune } : {}),
    ...(filter.domain !== undefined ? { domain: filter.domain } : {}),
    ...(operatorId !== undefined ? { operatorId } : {}),
    ...(at !== undefined ? { at } : {}),
  });
  return new Map(states.map((s) => [s.deviceId, s]));
}

/** The alerts active at T of the granted devices, by device (an alert may speak of several). */
async function alertsAt(
  store: AlertsAtStore | undefined,
  grants: readonly DeviceGrant[],
  operatorId: string | undefined,
  at: EpochMs,
): Promise<Map<string, Alert[]>> {
  if (!store || grants.length === 0) return new Map();
  const ids = new Set(grants.map((g) => g.device.id));
  return byDevice(
    await activeAlertsAt(store, at, operatorId, (a) => subjectsOf(a).some((d) => ids.has(d))),
    ids,
  );
}

/**
 * The alerts active now (neither cleared nor closed) of the granted devices, by device: the
 * store's current statuses, without reading each alert's history as a past instant needs.
 */
async function liveAlerts(
  store: AlertsAtStore | undefined,
  grants: readonly DeviceGrant[],
  operatorId: string | undefined,
): Promise<Map<string, Alert[]>> {
  if (!store || grants.length === 0) return new Map();
  return byDevice(await activeAlertsNow(store, operatorId), new Set(grants.map((g) => g.device.id)));
}

/** Each device of `ids` with the alerts that speak of it. */
function byDevice(alerts: readonly Alert[], ids: ReadonlySet<string>): Map<string, Alert[]> {
  const out = new Map<string, Alert[]>();
  for (const alert of alerts) {
    for (const id of subjectsOf(alert)) {
      if (!ids.has(id)) continue;
      const list = out.get(id) ?? [];
      list.push(alert);
      out.set(id, list);
    }
  }
  return out;
}

function subjectsOf(alert: Alert): string[] {
  return [alert.subject, ...(alert.children ?? [])];
}

function viewAt(
  deps: DeviceStatesAtDeps,
  g: DeviceGrant,
  stored: DeviceState | undefined,
  alerts: ReadonlyMap<string, Alert[]>,
  at: EpochMs,
): DeviceAtView {
  const state = deps.policy.currentState(g, stored);
  const active = alerts.get(g.device.id) ?? [];
  const kinds = active.map((a) => a.kind ?? ruleKind(deps.contracts, a.ruleId));
  const threshold = state ? silenceAfterMs(deps.contracts, g.device, state.contract) : undefined;
  return {
    ...deviceView(g, state),
    condition: conditionAt({ alertKinds: kinds, lastReading: state?.time, silenceAfterMs: threshold, at }),
    alerts: active.map((a) => a.id),
  };
}

export interface ConditionInput {
  /** Rule kinds of the alerts active at T that speak of the device (undefined: unknown kind). */
  alertKinds: readonly (string | undefined)[];
  /** Time of the device's last reading at or before T the caller may see. */
  lastReading: EpochMs | undefined;
  /** Quiet time past which the device is silent; undefined: never from its data. */
  silenceAfterMs: number | undefined;
  at: EpochMs;
}

/**
 * silenceAfterMs, remembered within one read per contract version and the values of the device
 * attributes its cadence rules look at: a territory has thousands of devices under a handful of
 * contract versions.
 */
function silenceMemo(contracts: Pick<ContractRegistry, "versions">) {
  const attributes = new Map<string, string[]>();
  const memo = new Map<string, number | undefined>();
  return (device: Device, contractKey: string): number | undefined => {
    const version = `${device.contractId}\u0000${contractKey}`;
    let names = attributes.get(version);
    if (!names) {
      const contract = contracts.versions(device.contractId).find((c) => c.key === contractKey);
      names = [...new Set((contract?.cadence ?? []).flatMap((r) => Object.keys(r.when)))];
      attributes.set(version, names);
    }
    const key = names.reduce((k, n) => `${k}\u0000${String(device.attributes[n])}`, version);
    if (memo.has(key)) return memo.get(key);
    const value = silenceAfterMs(contracts, device, contractKey);
    memo.set(key, value);
    return value;
  };
}

/** The condition rule of DeviceCondition, on plain values. */
export function conditionAt(input: ConditionInput): DeviceCondition {
  if (input.alertKinds.some((k) => k !== silence.kind)) return "fault";
  if (input.alertKinds.length > 0) return "silent";
  if (input.lastReading === undefined) return "unknown";
  const quiet = input.at - input.lastReading;
  if (input.silenceAfterMs !== undefined && quiet > input.silenceAfterMs) return "silent";
  return "ok";
}

/** An alert's rule id is "contractId/ruleId": the contract's rule says its kind. */
export function ruleKind(contracts: Pick<ContractRegistry, "versions">, ruleId: string): string | undefined {
  const slash = ruleId.indexOf("/");
  if (slash < 0) return undefined;
  const contractId = ruleId.slice(0, slash);
  const id = ruleId.slice(slash + 1);
  for (const c of contracts.versions(contractId)) {
    const rule = c.rules.find((r) => r.id === id);
    if (rule) return rule.kind;
  }
  return undefined;
}

/**
 * The quiet time past which a device is silent under the contract version of its reading
 * ("id@version"): its silence rule's cadence and grace, else its expected period and latency.
 */
export function silenceAfterMs(
  contracts: Pick<ContractRegistry, "versions">,
  device: Device,
  contractKey: string,
): number | undefined {
  const contract = contracts.versions(device.contractId).find((c) => c.key === contractKey);
  if (!contract) return undefined;
  const rule = contract.rules.find((r) => r.kind === silence.kind);
  const period = expectedPeriodMs(contract, device);
  if (rule) return silenceRuleMs(rule.params, period);
  return period === undefined ? undefined : period + (contract.latencyMs ?? 0);
}

/** The silence rule's cadence (or, when it sets none, the device's from its contract) plus grace. */
function silenceRuleMs(
  params: Contract["rules"][number]["params"],
  period: number | undefined,
): number | undefined {
  const { cadenceMs, graceMs } = params;
  const cadence = typeof cadenceMs === "number" ? cadenceMs : period;
  return cadence !== undefined && typeof graceMs === "number" ? cadence + graceMs : undefined;
}
