import { AlertNotFoundError } from "../alerts/errors.ts";
import type { AlertStore } from "../alerts/store.ts";
import type { Alert, AlertQuery, AlertStatus } from "../alerts/types.ts";
import type { Principal } from "../auth/principals.ts";
import type { Clock } from "../domain/clock.ts";
import { ForbiddenError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type { DeviceIndex } from "../inventory/device-index.ts";
import { operatorAt } from "../inventory/periods.ts";
import { checkInstant } from "./alerts-at.ts";
import { type AccessPolicy, audienceOf } from "./policy.ts";

export interface AlertListRequest {
  status?: AlertStatus;
  subject?: string;
  rule?: string;
  domain?: string;
  commune?: string;
  /** The alerts open (raised, not closed) at this instant; not after now (ERR_BAD_REQUEST). */
  at?: EpochMs;
  limit: number;
  /** Paging: alerts with an id below this one (newest first). */
  before?: number;
}

/** An alert on the wire: ISO 8601 times, seconds for durations, null for what has not happened. */
export interface AlertView {
  id: number;
  subject: string;
  rule: string;
  severity: Alert["severity"];
  domain: string;
  commune: string | null;
  operator: string | null;
  detail: string;
  status: AlertStatus;
  cleared: boolean;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  clearedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  assignee: string | null;
  comments: { author: string; at: string; text: string }[];
  version: number;
  timeToAcknowledgeS: number | null;
  timeToRepairS: number | null;
  /** Device ids behind a correlated alert (a cabinet's streetlights...); empty for one device. */
  children: string[];
  /** The rule kind that raised it ("silence", "band"...), null when the rule did not say. */
  kind: string | null;
}

export interface AlertPage {
  entries: AlertView[];
  next: number | null;
}

/** A person's act on one alert, at the version the person saw (optimistic concurrency). */
export type AlertAct =
  | { kind: "acknowledge"; version: number }
  | { kind: "close"; version: number }
  | { kind: "assign"; version: number; assignee: string }
  | { kind: "comment"; version: number; text: string };

/**
 * The alerts as each caller may see them, and the staff's acts on them. Staff read and act on
 * every alert. An operator reads the alerts raised under its name whose subject it still holds:
 * a device's alert stops being its own when the device is handed to another operator, since its
 * detail speaks of the device's data. Another operator's alert is "not found", not "forbidden",
 * so that alert ids do not tell what exists. The public reads none (401).
 */
export interface AlertReads {
  list(principal: Principal | undefined, q: AlertListRequest): Promise<AlertPage>;
  get(principal: Principal | undefined, id: number): Promise<AlertView>;
  act(principal: Principal | undefined, id: number, act: AlertAct): Promise<AlertView>;
  /**
   * Which alerts the caller may follow live: the same rule as list and get, decided once when a
   * stream opens (401 for the public) and applied to each change as it passes.
   */
  watcher(principal: Principal | undefined): (alert: Alert) => boolean;
}

export interface AlertReadsDeps {
  policy: Pick<AccessPolicy, "operatorScope">;
  store: AlertStore;
  devices: Pick<DeviceIndex, "get">;
  clock: Clock;
}

export function createAlertReads(deps: AlertReadsDeps): AlertReads {
  const { policy, store, clock } = deps;
  const visibleTo = (operatorId: string | undefined, alert: Alert) =>
    operatorId === undefined || holds(deps.devices, operatorId, alert, clock.now());
  return {
    async list(principal, q) {
      const operatorId = policy.operatorScope(principal, undefined);
      const at = q.at === undefined ? undefined : checkInstant(q.at, clock.now());
      const found = await store.list(storeQuery(at === undefined ? q : { ...q, at }, operatorId));
      const last = found.at(-1);
      return {
        entries: found.filter((a) => visibleTo(operatorId, a)).map(alertView),
        // From the store's page, not the filtered one: the next page starts after what was read.
        next: found.length === q.limit && last !== undefined ? last.id : null,
      };
    },
    async get(principal, id) {
      const operatorId = policy.operatorScope(principal, undefined);
      const alert = await store.get(id);
      if (!alert || !visibleTo(operatorId, alert)) throw new AlertNotFoundError(id);
      return alertView(alert);
    },
    async act(principal, id, act) {
      return alertView(await apply(store, staffId(principal), id, act, clock.now()));
    },
    watcher(principal) {
      const operatorId = policy.operatorScope(principal, undefined);
      return (alert) => visibleTo(operatorId, alert);
    },
  };
}

/** Only staff act on alerts; the routes guard this too, the check here keeps the service honest. */
function staffId(principal: Principal | undefined): string {
  const audience = audienceOf(principal);
  if (!principal || audience.kind !== "staff") throw new ForbiddenError("acting on alerts is for staff");
  return principal.id;
}

function apply(store: AlertStore, by: string, id: number, act: AlertAct, at: EpochMs): Promise<Alert> {
  switch (act.kind) {
    case "acknowledge":
      return store.acknowledge(id, by, at, act.version);
    case "close":
      return store.closeAlert(id, by, at, act.version);
    case "assign":
      return store.assign(id, act.assignee, by, at, act.version);
    case "comment":
      return store.comment(id, by, act.text, at, act.version);
  }
}

/**
 * An operator's alert must carry its name; when its subject is a device, the operator must hold
 * the device now. Group subjects (a cabinet, a gateway, a feed) go by the name alone.
 */
function holds(devices: AlertReadsDeps["devices"], operatorId: string, alert: Alert, now: EpochMs): boolean {
  if (alert.operatorId !== operatorId) return false;
  const device = devices.get(alert.subject);
  return device === undefined || operatorAt(device, now) === operatorId;
}

function storeQuery(q: AlertListRequest, operatorId: string | undefined): AlertQuery {
  return {
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(q.subject !== undefined ? { subject: q.subject } : {}),
    ...(q.rule !== undefined ? { ruleId: q.rule } : {}),
    ...(q.domain !== undefined ? { domain: q.domain } : {}),
    ...(q.commune !== undefined ? { commune: q.commune } : {}),
    ...(operatorId !== undefined ? { operatorId } : {}),
    ...(q.at !== undefined ? { openAt: q.at } : {}),
    limit: q.limit,
    ...(q.before !== undefined ? { beforeId: q.before } : {}),
  };
}

export function alertView(a: Alert): AlertView {
  return {
    id: a.id,
    subject: a.subject,
    rule: a.ruleId,
    severity: a.severity,
    domain: a.domain,
    commune: a.commune ?? null,
    operator: a.operatorId ?? null,
    detail: a.detail,
    status: a.status,
    cleared: a.clearedAt !== undefined,
    openedAt: iso(a.openedAt),
    acknowledgedAt: isoOrNull(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy ?? null,
    clearedAt: isoOrNull(a.clearedAt),
    closedAt: isoOrNull(a.closedAt),
    closedBy: a.closedBy ?? null,
    assignee: a.assignee ?? null,
    comments: a.comments.map((c) => ({ author: c.author, at: iso(c.at), text: c.text })),
    version: a.version,
    timeToAcknowledgeS: seconds(a.timeToAcknowledgeMs),
    timeToRepairS: seconds(a.timeToRepairMs),
    children: a.children ?? [],
    kind: a.kind ?? null,
  };
}

function iso(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: EpochMs | undefined): string | null {
  return ms === undefined ? null : iso(ms);
}

function seconds(ms: number | undefined): number | null {
  return ms === undefined ? null : ms / 1000;
}
