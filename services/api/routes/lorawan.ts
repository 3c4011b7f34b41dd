import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.ts";

/**
 * The health of the field networks, for technicians: each listed LoRaWAN gateway with when it
 * last reported and its last `stat` (packets received, forwarded, acknowledged), each device's
 * last status from its network server (battery, link margin), each ABP device's newest accepted
 * uplink counter (never its keys: a counter that goes back to 0 is a device that was reset and now
 * has its frames refused as replays), and each Sparkplug B edge node's and device's latest event
 * (online, offline, sequence gap, unknown alias).
 */
export interface LorawanHealth {
  /** Sparkplug B edge nodes and devices: the latest event of each (online, offline, sequence gap...). */
  sparkplug?: {
    group: string;
    edgeNode: string;
    deviceId?: string;
    kind: string;
    time: number;
    detail: string;
  }[];
  gateways: { eui: string; name: string; lastSeen?: number; stat?: Record<string, unknown> }[];
  /** ABP devices of the Semtech UDP listener: the newest 32-bit uplink counter accepted, and the
   * newest uplink with every gateway that heard it (link quality: which gateways, how well). */
  abp?: {
    deviceId: string;
    devAddr: string;
    fCntUp?: number;
    lastUplink?: {
      time: number;
      fCnt: number;
      receptions: { gatewayEui: string; rssi?: number; lsnr?: number; freq?: number; time?: number }[];
    };
  }[];
  devices: {
    deviceId: string;
    source: string;
    time: number;
    batteryLevel?: number;
    marginDb?: number;
    externalPower?: boolean;
  }[];
}

const Response = Type.Object({
  sparkplug: Type.Array(
    Type.Object({
      group: Type.String(),
      edgeNode: Type.String(),
      deviceId: Type.Optional(Type.String()),
      kind: Type.String(),
      time: Type.String(),
      detail: Type.String(),
    }),
  ),
  gateways: Type.Array(
    Type.Object({
      eui: Type.String(),
      name: Type.String(),
      lastSeen: Type.Optional(Type.String()),
      stat: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  ),
  abp: Type.Array(
    Type.Object({
      deviceId: Type.String(),
      devAddr: Type.String(),
      fCntUp: Type.Optional(Type.Integer()),
      lastUplink: Type.Optional(
        Type.Object({
          time: Type.String(),
          fCnt: Type.Integer(),
          receptions: Type.Array(
            Type.Object({
              gatewayEui: Type.String(),
              rssi: Type.Optional(Type.Number()),
              lsnr: Type.Optional(Type.Number()),
              freq: Type.Optional(Type.Number()),
            }),
          ),
        }),
      ),
    }),
  ),
  devices: Type.Array(
    Type.Object({
      deviceId: Type.String(),
      source: Type.String(),
      time: Type.String(),
      batteryLevel: Type.Optional(Type.Number()),
      marginDb: Type.Optional(Type.Number()),
      externalPower: Type.Optional(Type.Boolean()),
    }),
  ),
});

export async function lorawanRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    "/api/v1/lorawan/health",
    {
      preHandler: app.requireRole("admin", "technician"),
      schema: {
        tags: ["operations"],
        summary: "Health of the field networks: gateways, LoRaWAN devices, Sparkplug nodes",
        response: { 200: Response },
      },
    },
    async () => {
      const health = deps.lorawan?.() ?? { gateways: [], devices: [] };
      const iso = (ms: number) => new Date(ms).toISOString();
      const sparkplug = (health.sparkplug ?? []).map((e) => ({ ...e, time: iso(e.time) }));
      return {
        sparkplug,
        abp: (health.abp ?? []).map(({ lastUplink, ...d }) =>
          lastUplink
            ? {
                ...d,
                lastUplink: {
                  ...lastUplink,
                  time: iso(lastUplink.time),
                  receptions: lastUplink.receptions.map(({ time: _time, ...r }) => r),
                },
              }
            : d,
        ),
        gateways: health.gateways.map(({ lastSeen, ...g }) => ({
          ...g,
          ...(lastSeen !== undefined ? { lastSeen: iso(lastSeen) } : {}),
        })),
        devices: health.devices.map((d) => ({ ...d, time: iso(d.time) })),
      };
    },
  );
}
