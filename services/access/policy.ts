import type { Principal } from "../auth/principals.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Clock } from "../domain/clock.ts";
import { AuthRequiredError, ForbiddenError, NotFoundError } from "../domain/errors.ts";
import type { Assignment, Device, EpochMs } from "../domain/types.ts";
import type { DeviceIndex } from "../inventory/device-index.ts";
import { operatorAt, sortAssignments } from "../inventory/periods.ts";
import type { AggregateRow, DeviceState, GroupDimension } from "../storage/store.ts";
import { clipToPeriods, heldPeriods, type Period, type Window, withinPeriods } from "./periods.ts";

/**
 * Who may read what, decided in one place for every route (devices, series, quarantine,
 * compliance, aggregates, and the alerts, web pages, open data and clauses to come):
 *
 * - staff (administrators, technicians) read every device and every reading;
 * - an operator reads a device only for the periods it was assigned it (services/inventory/
 *   periods.ts), and within them only readings stored under its own name; the current state
 *   only while it holds the device; its own quarantine and violations;
 * - personal fields (marked in the contract) are shown to administrators only, and never in
 *   aggregates;
 * - the public reads published aggregates only;
 * - a partner (services/clauses/partners.ts) reads under its agreement, through its own routes
 *   only: every decision here refuses it (403), and it is never taken for staff.
 *
 * Every decision reads `clock.now()` when it is asked, never a table built at start: an
 * operator's access ends at its assignment's end date without a restart.
 */
export interface AccessPolicy {
  /** The devices a principal may list, each with what it may read of it. */
  listDevices(principal: Principal | undefined, filter: DeviceListFilter): DeviceGrant[];
  /** One device and what the principal may read of it: 404 when unknown, 403 when never held. */
  device(principal: Principal | undefined, id: string): DeviceGrant;
  /** The parts of [from, to) whose readings the grant covers, in time order. */
  windows(grant: DeviceGrant, range: Window): Window[];
  /** The current state as the grant may see it, or undefined when it may not see it at all. */
  currentState(grant: DeviceGrant, state: DeviceState | undefined): DeviceState | undefined;
  /** Fields of a contract a principal must not see: personal ones, to all but administrators. */
  hiddenFields(principal: Principal | undefined, contractId: string): ReadonlySet<string>;
  /** The operator a quarantine or compliance read is limited to: itself for an operator. */
  operatorScope(principal: Principal | undefined, asked: string | undefined): string | undefined;
  /** What the staff's aggregates may group by and show. */
  staffAggregates(principal: Principal | undefined): AggregateRules;
  /** What everyone may read as open data (same for all callers, authenticated or not). */
  publicAggregates(): AggregateRules;
}

export interface AccessPolicyDeps {
  devices: Pick<DeviceIndex, "get" | "list">;
  contracts: Pick<ContractRegistry, "versions" | "all">;
  clock: Clock;
}

export interface DeviceListFilter {
  commune?: string;
  domain?: string;
  /** Staff only: devices this operator holds now. Operators are pinned to themselves. */
  operator?: string;
}

/** What one principal may read of one device, decided at one instant. */
export interface DeviceGrant {
  device: Device;
  /** The operator shown as holding the device now: staff see who; an operator, only itself. */
  holder: string | undefined;
  /** Fields never shown to this principal. */
  hidden: ReadonlySet<string>;
  /** For an operator: whose readings, over which periods. Absent for staff (every reading). */
  held?: { operatorId: string; periods: readonly Period[] };
}

export interface AggregateRules {
  /** Dimensions a query may group by. */
  groupBy: readonly GroupDimension[];
  /** Dimensions always added to the grouping. */
  alwaysGroupBy: readonly GroupDimension[];
  /** Whether a query may read raw readings (staff) or rollups only (the public). */
  source: "raw allowed" | "rollups only";
  /** Whether a row may be shown. */
  shows(row: Pick<AggregateRow, "group" | "field" | "devices">): boolean;
  /** Counter fields: their figure is the consumption, which only the rollups hold. */
  counters: ReadonlySet<string>;
  /** State fields: their figure is the time in each state, which only the rollups hold. */
  states: ReadonlySet<string>;
}

/** The caller as the policy sees it. */
export type Audience =
  | { kind: "public" }
  | { kind: "staff"; admin: boolean }
  | { kind: "operator"; operatorId: string }
  | { kind: "partner" };

/** Each role named: a role added later is refused here until it is given an audience. */
export function audienceOf(principal: Principal | undefined): Audience {
  if (!principal) return { kind: "public" };
  switch (principal.role) {
    case "operator":
      return { kind: "operator", operatorId: operatorIdOf(principal) };
    case "admin":
    case "technician":
      return { kind: "staff", admin: principal.role === "admin" };
    case "partner":
      return { kind: "partner" };
  }
}

/** An operator principal without an operator id holds nothing (fail closed), never everything. */
function operatorIdOf(principal: Principal): string {
  return principal.operatorId ?? "";
}

export function createAccessPolicy(deps: AccessPolicyDeps): AccessPolicy {
  const hiddenFields = hiddenFieldsOf(deps.contracts);
  const grantFor = (principal: Principal | undefined, device: Device, now: EpochMs) =>
    grant(audienceOf(principal), device, now, hiddenFields(principal, device.contractId));
  return {
    listDevices(principal, filter) {
      const audience = signedIn(principal);
      const now = deps.clock.now();
      const devices = deps.devices.list(listFilter(audience, filter, now));
      return devices.map((d) => grantFor(principal, d, now)).filter(visible);
    },
    device(principal, id) {
      signedIn(principal);
      const device = deps.devices.get(id);
      if (!device) throw new NotFoundError(`device ${id}`);
      const g = grantFor(principal, device, deps.clock.now());
      if (!visible(g)) throw new ForbiddenError(`device ${id} is not one of yours`);
      return g;
    },
    windows: (g, range) => (g.held ? clipToPeriods(g.held.periods, range) : [range]),
    currentState,
    hiddenFields,
    operatorScope(principal, asked) {
      const audience = signedIn(principal);
      return audience.kind === "operator" ? audience.operatorId : asked;
    },
    staffAggregates(principal) {
      if (signedIn(principal).kind !== "staff") throw new ForbiddenError("aggregates are for staff");
      const personal = personalFieldNames(deps.contracts);
      return {
        groupBy: ["commune", "domain", "operator"],
        alwaysGroupBy: [],
        source: "raw allowed",
        shows: (row) => !personal.has(row.field),
        counters: counterFieldNames(deps.contracts),
        states: stateFieldNames(deps.contracts),
      };
    },
    publicAggregates: () => publicRules(deps.contracts),
  };
}

/** Staff or an operator: the public is asked to sign in, a partner refused (its agreement is elsewhere). */
function signedIn(principal: Principal | undefined): Extract<Audience, { kind: "staff" | "operator" }> {
  const audience = audienceOf(principal);
  if (audience.kind === "public") throw new AuthRequiredError();
  if (audience.kind === "partner") throw new ForbiddenError("partners read under their agreement only");
  return audience;
}

/** Operators list every device, then keep those they held (the index filters on "now" only). */
function listFilter(audience: Audience, filter: DeviceListFilter, now: EpochMs) {
  return {
    ...(filter.commune !== undefined ? { commune: filter.commune } : {}),
    ...(filter.domain !== undefined ? { domain: filter.domain } : {}),
    ...(audience.kind === "staff" && filter.operator !== undefined
      ? { operatorId: filter.operator, at: now }
      : {}),
  };
}

function grant(audience: Audience, device: Device, now: EpochMs, hidden: ReadonlySet<string>): DeviceGrant {
  const holder = operatorAt(device, now);
  if (audience.kind !== "operator") return { device, holder, hidden };
  const { operatorId } = audience;
  return {
    device,
    holder: holder === operatorId ? holder : undefined,
    hidden,
    held: { operatorId, periods: heldPeriods(device, operatorId, now) },
  };
}

/**
 * Who held the device and when, oldest first, every period including one still to come: for
 * staff, who follow the concessions. An operator gets none (its own periods are `held`): who
 * held the device before or after it is not its business.
 */
export function assignmentHistory(g: DeviceGrant): Assignment[] | undefined {
  return g.held ? undefined : sortAssignments(g.device.assignments);
}

function visible(g: DeviceGrant): boolean {
  return !g.held || g.held.periods.length > 0;
}

/**
 * Staff see the state as stored, less the fields hidden from them. An operator sees it only while it holds the device, only when
 * the newest reading is its own and falls within its periods, and then only the fields it read
 * within them (a field last sent by the previous operator stays the previous operator's).
 */
function currentState(g: DeviceGrant, state: DeviceState | undefined): DeviceState | undefined {
  if (!state) return undefined;
  const values = visibleValues(state, g);
  if (!g.held) return { ...state, values };
  const { operatorId, periods } = g.held;
  if (g.holder !== operatorId || state.operatorId !== operatorId) return undefined;
  if (!withinPeriods(periods, state.time)) return undefined;
  return { ...state, values };
}

function visibleValues(state: DeviceState, g: DeviceGrant): DeviceState["values"] {
  const values: DeviceState["values"] = {};
  for (const [name, v] of Object.entries(state.values)) {
    if (g.hidden.has(name)) continue;
    if (g.held && !withinPeriods(g.held.periods, v.time)) continue;
    values[name] = v;
  }
  return values;
}

/** Personal fields are for administrators only; the sets are built once per contract. */
function hiddenFieldsOf(contracts: AccessPolicyDeps["contracts"]) {
  const none: ReadonlySet<string> = new Set();
  const byContract = new Map<string, ReadonlySet<string>>();
  return (principal: Principal | undefined, contractId: string): ReadonlySet<string> => {
    // Everyone but administrators, partners included: a partner never gets personal data.
    if (principal?.role === "admin") return none;
    let hidden = byContract.get(contractId);
    if (!hidden) {
      hidden = personalFieldNames({ all: () => contracts.versions(contractId) });
      byContract.set(contractId, hidden);
    }
    return hidden;
  };
}

function counterFieldNames(contracts: Pick<ContractRegistry, "all">): ReadonlySet<string> {
  const names = new Set<string>();
  for (const c of contracts.all())
    for (const f of c.fields.values()) if (f.measure === "counter") names.add(f.name);
  return names;
}

function stateFieldNames(contracts: Pick<ContractRegistry, "all">): ReadonlySet<string> {
  const names = new Set<string>();
  for (const c of contracts.all())
    for (const f of c.fields.values()) if (f.measure === "state") names.add(f.name);
  return names;
}

export function personalFieldNames(contracts: Pick<ContractRegistry, "all">): ReadonlySet<string> {
  const names = new Set<string>();
  for (const c of contracts.all()) for (const f of c.fields.values()) if (f.personal) names.add(f.name);
  return names;
}

/**
 * Open data: always per domain (a field name alone does not say which contract publishes it),
 * never by operator, rollups only; a row is shown when some contract of its domain publishes
 * the field over at least its threshold of devices, and never when the field is personal.
 */
function publicRules(contracts: Pick<ContractRegistry, "all">): AggregateRules {
  const personal = personalFieldNames(contracts);
  const open = contracts.all().filter((c) => c.openData.publish);
  return {
    groupBy: ["commune", "domain"],
    alwaysGroupBy: ["domain"],
    source: "rollups only",
    counters: counterFieldNames(contracts),
    states: stateFieldNames(contracts),
    shows: (row) =>
      !personal.has(row.field) &&
      open.some(
        (c) =>
          c.domain === row.group.domain &&
          row.devices >= c.openData.minDevices &&
          c.openData.fields.includes(row.field),
      ),
  };
}
