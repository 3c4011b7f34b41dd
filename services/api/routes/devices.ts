import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Principal } from "../../auth/principals.ts";
import type { ContractRegistry } from "../../contracts/registry.ts";
import { ForbiddenError, NotFoundError } from "../../domain/errors.ts";
import type { Device } from "../../domain/types.ts";
import { operatorAt } from "../../inventory/periods.ts";
import type { DeviceState } from "../../storage/store.ts";
import type { ApiDeps } from "../deps.ts";
import { checkBucketCount, parseList, parseRange, parseResolution } from "../params.ts";
import { DeviceSchema, FieldValueSchema, RangeQuery } from "../schemas.ts";

const MAX_BUCKETS = 10_000;
const DAY = 86_400_000;

/**
 * Current state of every device and one device's series. Technicians and administrators see
 * every device; an operator sees the devices assigned to it now, and only its own readings.
 * Personal fields are shown to administrators only.
 */
export async function deviceRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const auth = { preHandler: app.requireRole("admin", "technician", "operator") };

  app.get(
    "/api/v1/devices",
    {
      ...auth,
      schema: {
        tags: ["devices"],
        querystring: Type.Object({
          commune: Type.Optional(Type.String({ description: "INSEE code" })),
          domain: Type.Optional(Type.String()),
          operator: Type.Optional(Type.String()),
        }),
        response: { 200: Type.Object({ count: Type.Integer(), devices: Type.Array(DeviceSchema) }) },
      },
    },
    async (request) => {
      const q = request.query as { commune?: string; domain?: string; operator?: string };
      const operatorId = scopeOperator(request.principal, q.operator);
      const filter = {
        ...(q.commune ? { commune: q.commune } : {}),
        ...(q.domain ? { domain: q.domain } : {}),
        ...(operatorId ? { operatorId } : {}),
      };
      const devices = deps.devices.list(filter);
      const states = await deps.store.latest(filter);
      const byId = new Map(states.map((s) => [s.deviceId, s]));
      const now = deps.clock.now();
      const view = devices.map((d) => deviceView(d, byId.get(d.id), now, request.principal, deps.contracts));
      return { count: view.length, devices: view };
    },
  );

  app.get(
    "/api/v1/devices/:id",
    {
      ...auth,
      schema: {
        tags: ["devices"],
        params: Type.Object({ id: Type.String() }),
        response: { 200: DeviceSchema },
      },
    },
    async (request) => {
      const device = visibleDevice(request, deps);
      const [state] = await deps.store.latest({ deviceIds: [device.id], ...ownReadings(request.principal) });
      return deviceView(device, state, deps.clock.now(), request.principal, deps.contracts);
    },
  );

  app.get(
    "/api/v1/devices/:id/series",
    {
      ...auth,
      schema: {
        tags: ["devices"],
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({
          ...RangeQuery,
          resolution: Type.Optional(Type.String({ description: "raw, or a bucket like 15m, 1h, 1d" })),
          fields: Type.Optional(Type.String({ description: "comma-separated field names" })),
        }),
        response: {
          200: Type.Object({
            device: Type.String(),
            from: Type.String(),
            to: Type.String(),
            resolution: Type.String(),
            points: Type.Array(
              Type.Object({
                time: Type.String(),
                field: Type.String(),
                count: Type.Integer(),
                mean: Type.Optional(Type.Number()),
                min: Type.Optional(Type.Number()),
                max: Type.Optional(Type.Number()),
                last: FieldValueSchema,
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const device = visibleDevice(request, deps);
      const q = request.query as { from?: string; to?: string; resolution?: string; fields?: string };
      const { from, to } = parseRange(q, deps.clock.now(), DAY);
      const resolutionMs = parseResolution(q.resolution);
      checkBucketCount(from, to, resolutionMs ?? 60_000, MAX_BUCKETS);
      const hidden = hiddenFields(request.principal, deps.contracts, device.contractId);
      const fields = (parseList(q.fields) ?? [...contractFields(deps.contracts, device.contractId)]).filter(
        (f) => !hidden.has(f),
      );
      const buckets = await deps.store.series({
        deviceId: device.id,
        from,
        to,
        fields,
        ...(resolutionMs !== undefined ? { resolutionMs } : {}),
      });
      return {
        device: device.id,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        resolution: q.resolution ?? "raw",
        points: buckets.map((b) => ({ ...b, time: new Date(b.time).toISOString() })),
      };
    },
  );
}

/** Operators are pinned to themselves, whatever they ask. */
function scopeOperator(principal: Principal | undefined, asked: string | undefined): string | undefined {
  if (principal?.role === "operator") return principal.operatorId;
  return asked;
}

function ownReadings(principal: Principal | undefined): { operatorId?: string } {
  return principal?.role === "operator" && principal.operatorId ? { operatorId: principal.operatorId } : {};
}

function visibleDevice(request: FastifyRequest, deps: ApiDeps): Device {
  const id = (request.params as { id: string }).id;
  const device = deps.devices.get(id);
  if (!device) throw new NotFoundError(`device ${id}`);
  const p = request.principal;
  if (p?.role === "operator" && !device.assignments.some((a) => a.operatorId === p.operatorId)) {
    throw new ForbiddenError(`device ${id} is not one of yours`);
  }
  return device;
}

function contractFields(contracts: ContractRegistry, contractId: string): Set<string> {
  const names = new Set<string>();
  for (const c of contracts.versions(contractId)) for (const f of c.fields.keys()) names.add(f);
  return names;
}

export function hiddenFields(
  principal: Principal | undefined,
  contracts: ContractRegistry,
  contractId: string,
) {
  const hidden = new Set<string>();
  if (principal?.role === "admin") return hidden;
  for (const c of contracts.versions(contractId))
    for (const f of c.fields.values()) if (f.personal) hidden.add(f.name);
  return hidden;
}

function deviceView(
  d: Device,
  state: DeviceState | undefined,
  now: number,
  principal: Principal | undefined,
  contracts: ContractRegistry,
) {
  const hidden = hiddenFields(principal, contracts, d.contractId);
  return {
    id: d.id,
    domain: d.domain,
    commune: d.commune,
    operator: operatorAt(d, now) ?? null,
    lat: d.lat,
    lon: d.lon,
    attributes: d.attributes,
    state: state ? stateView(state, hidden) : null,
  };
}

function stateView(s: DeviceState, hidden: Set<string>) {
  const values: Record<string, { value: number | string | boolean; time: string }> = {};
  for (const [name, v] of Object.entries(s.values)) {
    if (!hidden.has(name)) values[name] = { value: v.value, time: new Date(v.time).toISOString() };
  }
  return { time: new Date(s.time).toISOString(), operator: s.operatorId, contract: s.contract, values };
}
