import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { loadAbpDevices, loadSemtechUdpConfig, masterKeyFromEnv } from "../gateway/lorawan/config.ts";
import { openSessions, type SessionTable } from "../gateway/lorawan/session.ts";
import type { Pipeline } from "../gateway/pipeline/pipeline.ts";
import { deliverToDevice, type UplinkDecoder } from "../gateway/sources/lorawan-uplink.ts";
import {
  type LorawanUplink,
  type Reception,
  type SemtechUdpProblem,
  SemtechUdpSource,
} from "../gateway/sources/semtech-udp.ts";
import type { Clock } from "../services/domain/clock.ts";
import { DataCode, violation } from "../services/domain/errors.ts";
import type { EpochMs, RawUplink } from "../services/domain/types.ts";
import { currentOperator, type DeviceIndex } from "../services/inventory/device-index.ts";
import type { TerritoryFile } from "../services/inventory/territory-file.ts";
import type { FrameCounter, FrameCounterStore } from "../services/storage/store.ts";

/**
 * The Semtech UDP listener of a territory that lists its own gateways: authenticated, decrypted
 * uplinks go through the device's codec and the contract as the device's operator at the time;
 * every refused datagram or frame is kept in quarantine with its reason (a problem no device or
 * operator can be named for is kept under the collectivity's own id).
 */
export interface SemtechUdp {
  source: SemtechUdpSource;
  /** Loads the saved frame counters (before start) and saves new ones (write-behind, every second). */
  counters: FrameCounterKeeper;
  /** The ABP devices' sessions (keys inside, never shown; counters for the health view). */
  sessions: SessionTable;
  /** The gateways accepted, by EUI (lower-case). */
  gateways: { eui: string; name: string }[];
  /** Each ABP device's newest uplink with every gateway's reception (link quality, for technicians). */
  lastUplinks: Map<string, { time: EpochMs; fCnt: number; receptions: Reception[] }>;
  /** The newest `stat` of each gateway (health). */
  gatewayStatus: Map<string, { receivedAt: EpochMs; stat: unknown }>;
}

export async function createSemtechUdp(
  territory: TerritoryFile,
  deps: {
    devices: DeviceIndex;
    pipeline: Pipeline;
    decoder: UplinkDecoder;
    clock: Clock;
    host: string;
    port: number;
    env: NodeJS.ProcessEnv;
    counters: FrameCounterStore;
  },
): Promise<SemtechUdp | undefined> {
  const section = territory.semtechUdp;
  if (!section) return undefined;
  const config = loadSemtechUdpConfig({
    gateways: section.gateways,
    host: deps.host,
    port: deps.port,
    // How long copies of one frame from several gateways are awaited (default 200 ms): every
    // uplink waits that long; a territory with one gateway per area may set it lower.
    ...(section.dedupWindowMs !== undefined ? { dedupWindowMs: section.dedupWindowMs } : {}),
  });
  const abp = section.abpDevicesPath
    ? loadAbpDevices(parseYaml(await readFile(section.abpDevicesPath, "utf8")))
    : [];
  const masterKey = masterKeyFromEnv(deps.env);
  // The file's keys are opened now (a wrong master key refuses the start); the saved counters
  // are applied when the listener starts.
  const sessions = openSessions(abp, masterKey);
  const counters = new FrameCounterKeeper(deps.counters, sessions);
  const gatewayStatus = new Map<string, { receivedAt: EpochMs; stat: unknown }>();
  const lastUplinks: SemtechUdp["lastUplinks"] = new Map();
  const source = new SemtechUdpSource(config, {
    sessions,
    clock: deps.clock,
    onUplink: (up) => {
      counters.accepted(up.deviceId, up.devAddr, up.fCnt);
      lastUplinks.set(up.deviceId, { time: up.time, fCnt: up.fCnt, receptions: up.receptions });
      return deliver(up, deps);
    },
    onProblem: (p) => quarantine(p, territory.owner.id, deps),
    onGatewayStatus: (eui, stat, receivedAt) => {
      gatewayStatus.set(eui, { receivedAt, stat });
    },
  });
  const gateways = config.gateways.map((g) => ({ eui: g.eui, name: g.name }));
  return { source, sessions, counters, gateways, gatewayStatus, lastUplinks };
}

/**
 * Frame counters survive restarts: without them a frame captured before a restart could be
 * replayed after it. Accepted counters are saved a second later at most (and at close); a crash
 * in that second leaves the frames of that second replayable, each once.
 */
export class FrameCounterKeeper {
  private pending = new Map<string, FrameCounter>();
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly store: FrameCounterStore,
    private readonly sessions: SessionTable,
  ) {}

  /** Raises each session's counter to the saved one, then saves new ones every second. */
  async start(): Promise<void> {
    const saved = await this.store.loadFrameCounters();
    const last = new Map(saved.map((c) => [`${c.deviceId}|${c.devAddr}`, c.fCnt]));
    for (const session of this.sessions.all()) {
      const fCnt = last.get(`${session.deviceId}|${session.devAddr}`);
      if (fCnt !== undefined) session.acceptFCnt(fCnt);
    }
    this.timer = setInterval(() => void this.flush().catch(() => {}), 1_000);
    this.timer.unref();
  }

  accepted(deviceId: string, devAddr: string, fCnt: number): void {
    const key = `${deviceId}|${devAddr}`;
    const known = this.pending.get(key);
    if (!known || fCnt > known.fCnt) this.pending.set(key, { deviceId, devAddr, fCnt });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.store.saveFrameCounters(rows);
    } catch (err) {
      for (const r of rows) this.accepted(r.deviceId, r.devAddr, r.fCnt);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

type Deps = { devices: DeviceIndex; pipeline: Pipeline; decoder: UplinkDecoder; clock: Clock };

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
  await deliverToDevice(
    {
      decoder: deps.decoder,
      ingestItems: (u, items) => deps.pipeline.ingestItems(u, items),
      refuse: (u, reason) => deps.pipeline.refuse(u, reason),
    },
    uplink,
    device,
    up,
  );
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
