import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { loadAbpDevices, loadSemtechUdpConfig, masterKeyFromEnv } from "../gateway/lorawan/config.ts";
import { openSessions } from "../gateway/lorawan/session.ts";
import type { Pipeline } from "../gateway/pipeline/pipeline.ts";
import {
  type LorawanUplink,
  type SemtechUdpProblem,
  SemtechUdpSource,
} from "../gateway/sources/semtech-udp.ts";
import type { BytesDecoder } from "../gateway/sources/uplink-decoder.ts";
import type { Clock } from "../services/domain/clock.ts";
import { DataCode, violation } from "../services/domain/errors.ts";
import type { EpochMs, RawUplink } from "../services/domain/types.ts";
import { currentOperator, type DeviceIndex } from "../services/inventory/device-index.ts";
import type { TerritoryFile } from "../services/inventory/territory-file.ts";

/**
 * The Semtech UDP listener of a territory that lists its own gateways: authenticated, decrypted
 * uplinks go through the device's codec and the contract as the device's operator at the time;
 * every refused datagram or frame is kept in quarantine with its reason (a problem no device or
 * operator can be named for is kept under the collectivity's own id).
 */
export interface SemtechUdp {
  source: SemtechUdpSource;
  /** The newest `stat` of each gateway (health). */
  gatewayStatus: Map<string, { receivedAt: EpochMs; stat: unknown }>;
}

export async function createSemtechUdp(
  territory: TerritoryFile,
  deps: {
    devices: DeviceIndex;
    pipeline: Pipeline;
    decoder: BytesDecoder;
    clock: Clock;
    host: string;
    port: number;
    env: NodeJS.ProcessEnv;
  },
): Promise<SemtechUdp | undefined> {
  const section = territory.semtechUdp;
  if (!section) return undefined;
  const config = loadSemtechUdpConfig({ gateways: section.gateways, host: deps.host, port: deps.port });
  const abp = section.abpDevicesPath
    ? loadAbpDevices(parseYaml(await readFile(section.abpDevicesPath, "utf8")))
    : [];
  const sessions = openSessions(abp, masterKeyFromEnv(deps.env));
  const gatewayStatus = new Map<string, { receivedAt: EpochMs; stat: unknown }>();
  const source = new SemtechUdpSource(config, {
    sessions,
    clock: deps.clock,
    onUplink: (up) => deliver(up, deps),
    onProblem: (p) => quarantine(p, territory.owner.id, deps),
    onGatewayStatus: (eui, stat, receivedAt) => {
      gatewayStatus.set(eui, { receivedAt, stat });
    },
  });
  return { source, gatewayStatus };
}

type Deps = { devices: DeviceIndex; pipeline: Pipeline; decoder: BytesDecoder; clock: Clock };

async function deliver(up: LorawanUplink, deps: Deps): Promise<void> {
  const device = deps.devices.get(up.deviceId);
  const uplink: RawUplink = {
    source: "semtech-udp",
    operatorId: device ? (currentOperator(device, up.time) ?? "") : "",
    deviceId: up.deviceId,
    receivedAt: deps.clock.now(),
    payload: JSON.stringify({
      devAddr: up.devAddr,
      fCnt: up.fCnt,
      fPort: up.fPort,
      bytes: Buffer.from(up.bytes).toString("hex"),
      receptions: up.receptions,
    }),
  };
  if (!device) {
    await deps.pipeline.refuse(
      uplink,
      violation(DataCode.DEVICE_UNKNOWN, "deviceId", `${up.deviceId} is not in the inventory`),
    );
    return;
  }
  const decoded = deps.decoder.decode(device, up.fPort, up.bytes, up.time);
  if (!decoded.ok) {
    await deps.pipeline.refuse(uplink, decoded.violation);
    return;
  }
  await deps.pipeline.ingestItems(uplink, [decoded.item]).durable;
}

async function quarantine(p: SemtechUdpProblem, ownerId: string, deps: Deps): Promise<void> {
  const device = p.deviceId ? deps.devices.get(p.deviceId) : undefined;
  const operatorId = (device && currentOperator(device, p.receivedAt)) ?? ownerId;
  const uplink: RawUplink = {
    source: p.gatewayEui ? `semtech-udp:${p.gatewayEui}` : "semtech-udp",
    operatorId,
    ...(p.deviceId ? { deviceId: p.deviceId } : {}),
    receivedAt: p.receivedAt,
    payload: p.raw,
  };
  await deps.pipeline.refuse(uplink, violation(p.code, "udp", p.detail));
}
