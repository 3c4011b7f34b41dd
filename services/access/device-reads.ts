import type { Principal } from "../auth/principals.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { EpochMs } from "../domain/types.ts";
import type { DeviceState, SeriesBucket, TimeSeriesStore } from "../storage/store.ts";
import { checkBucketCount, mergeSeries } from "./buckets.ts";
import type { Window } from "./periods.ts";
import {
  type AccessPolicy,
  assignmentHistory,
  audienceOf,
  type DeviceGrant,
  type DeviceListFilter,
} from "./policy.ts";
import { assignmentView, type DeviceView, deviceView, iso, type PointView, pointView } from "./views.ts";

/** At most this many buckets per series answer (1 min buckets stand for raw points). */
const MAX_BUCKETS = 10_000;
const RAW_BUCKET_MS = 60_000;

export type DeviceReadStore = Pick<TimeSeriesStore, "latest" | "series">;

export interface DeviceReadsDeps {
  policy: AccessPolicy;
  store: DeviceReadStore;
  contracts: Pick<ContractRegistry, "versions">;
}

export interface SeriesRequest {
  from: EpochMs;
  to: EpochMs;
  /** Bucket width; raw points when absent. */
  resolutionMs?: number;
  /** How the resolution was asked ("raw", "1h"...), echoed in the answer. */
  resolution: string;
  /** Fields asked for; every field of the device's contract when absent. */
  fields?: readonly string[];
}

export interface SeriesView {
  device: string;
  from: string;
  to: string;
  resolution: string;
  points: PointView[];
}

/** The inventory with current states, and one device's series, as the policy lets each caller see them. */
export interface DeviceReads {
  list(
    principal: Principal | undefined,
    filter: DeviceListFilter,
  ): Promise<{ count: number; devices: DeviceView[] }>;
  get(principal: Principal | undefined, id: string): Promise<DeviceView>;
  series(principal: Principal | undefined, id: string, q: SeriesRequest): Promise<SeriesView>;
}

export function createDeviceReads(deps: DeviceReadsDeps): DeviceReads {
  const { policy, store } = deps;
  return {
    async list(principal, filter) {
      const grants = policy.listDevices(principal, filter);
      const states =
        grants.length > 0 ? await latestStates(store, principal, filter) : new Map<string, DeviceState>();
      const devices = grants.map((g) => deviceView(g, policy.currentState(g, states.get(g.device.id))));
      return { count: devices.length, devices };
    },
    async get(principal, id) {
      const g = policy.device(principal, id);
      const [state] = holdsNow(g) ? await store.latest(latestFilterOf(g)) : [];
      const history = assignmentHistory(g);
      const view = deviceView(g, policy.currentState(g, state));
      return history ? { ...view, assignments: history.map(assignmentView) } : view;
    },
    async series(principal, id, q) {
      const g = policy.device(principal, id);
      checkBucketCount(q.from, q.to, q.resolutionMs ?? RAW_BUCKET_MS, MAX_BUCKETS);
      const fields = seriesFields(deps.contracts, g, q.fields);
      const windows = fields.length > 0 ? policy.windows(g, { from: q.from, to: q.to }) : [];
      const parts = await Promise.all(windows.map((w) => seriesIn(store, g, w, fields, q.resolutionMs)));
      const { resolutionMs } = q;
      const buckets = resolutionMs === undefined ? undefined : { from: q.from, to: q.to, resolutionMs };
      return {
        device: g.device.id,
        from: iso(q.from),
        to: iso(q.to),
        resolution: q.resolution,
        points: mergeSeries(parts).map((b) => pointView(b, buckets)),
      };
    },
  };
}

/**
 * One query for the whole listing. An operator's is limited to devices whose newest reading is
 * its own (the store's filter); the policy then checks periods and who holds each device now.
 */
async function latestStates(
  store: DeviceReadStore,
  principal: Principal | undefined,
  filter: DeviceListFilter,
): Promise<Map<string, DeviceState>> {
  const audience = audienceOf(principal);
  const states = await store.latest({
    ...(filter.commune !== undefined ? { commune: filter.commune } : {}),
    ...(filter.domain !== undefined ? { domain: filter.domain } : {}),
    ...(audience.kind === "operator" ? { operatorId: audience.operatorId } : {}),
  });
  return new Map(states.map((s) => [s.deviceId, s]));
}

/** Staff always; an operator only while the device is assigned to it (no query otherwise). */
function holdsNow(g: DeviceGrant): boolean {
  return !g.held || g.holder === g.held.operatorId;
}

function latestFilterOf(g: DeviceGrant) {
  return { deviceIds: [g.device.id], ...(g.held ? { operatorId: g.held.operatorId } : {}) };
}

/** The fields asked (or all of the contract's), less those hidden from the caller. */
function seriesFields(
  contracts: Pick<ContractRegistry, "versions">,
  g: DeviceGrant,
  asked: readonly string[] | undefined,
): string[] {
  const names = asked ?? [
    ...new Set(contracts.versions(g.device.contractId).flatMap((c) => [...c.fields.keys()])),
  ];
  return names.filter((f) => !g.hidden.has(f));
}

/**
 * One window's readings; an operator's only those stored under its own name. The pipeline
 * stores a reading under the operator assigned at the reading's time, so within an operator's
 * periods every reading is normally its own. They differ when the inventory's periods were
 * corrected after the fact or an archive was imported under another operator: the periods alone
 * would then show one operator another's readings, and the store's filter keeps them apart.
 */
function seriesIn(
  store: DeviceReadStore,
  g: DeviceGrant,
  w: Window,
  fields: readonly string[],
  resolutionMs: number | undefined,
): Promise<SeriesBucket[]> {
  return store.series({
    deviceId: g.device.id,
    from: w.from,
    to: w.to,
    fields,
    ...(resolutionMs !== undefined ? { resolutionMs } : {}),
    ...(g.held ? { operatorId: g.held.operatorId } : {}),
  });
}
