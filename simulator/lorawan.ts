/**
 * LoRaWAN sensors as the platform meets them in the field, over real sockets:
 *
 * - **The collectivity's own gateways**: ABP devices whose frames (encrypted with their session
 *   keys, MIC over the 32-bit counter) are heard by one or two Semtech UDP packet forwarders, each
 *   with its own socket, sending PUSH_DATA (rxpk, and `stat` every 30 s) and PULL_DATA keep-alives
 *   to the platform's GWMP listener, counting the PUSH_ACKs that come back.
 * - **An operator's ChirpStack v4**: uplink and status events published with QoS 1 on the broker
 *   ChirpStack would use, `application/{id}/device/{dev_eui}/event/{up,status}`, with the JSON or
 *   the protobuf marshaler (`@chirpstack/chirpstack-api` messages).
 *
 * Values come from the same models as the MQTT simulator, encoded as each device's codec expects
 * (lorawan-payloads.ts); every device reports once per interval, the devices of a domain spread
 * evenly over it. Each uplink carries the wall-clock time it is sent. Memory stays bounded: a
 * device that cannot be sent (broker down) skips that report, counted as `dropped`.
 */
import { randomUUID } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import integration from "@chirpstack/chirpstack-api/integration/integration_pb.js";
import timestampPb from "google-protobuf/google/protobuf/timestamp_pb.js";
import mqtt, { type MqttClient } from "mqtt";
import { encodeDataUp } from "../gateway/lorawan/encode.ts";
import { buildGwmp, type GatewayStat, loraRxpk, type Rxpk } from "../gateway/lorawan/gwmp.ts";
import type { SessionKeys } from "../gateway/lorawan/session.ts";
import { type Clock, systemClock } from "../services/domain/clock.ts";
import type { Device, EpochMs } from "../services/domain/types.ts";
import { encodeUplink } from "./lorawan-payloads.ts";
import { planScenario, type ReadingData, readingFor, type Scenario, unit } from "./models.ts";

// CommonJS modules: Node's ESM loader does not see their named exports.
const { Timestamp } = timestampPb;

export interface AbpDevice extends SessionKeys {
  deviceId: string;
  devAddr: string;
}

export interface LorawanSimulatorConfig {
  /** The whole inventory (the scenario's incidents are chosen among all devices). */
  devices: readonly Device[];
  /** The incidents to follow (the MQTT simulator's, so both tell one story); planned otherwise. */
  scenario?: Scenario;
  /** Gateways owned by the collectivity and the ABP devices they hear. */
  gateways?: {
    host: string;
    port: number;
    /** Gateway EUIs; a frame is heard by the first, and by the second for about half the devices. */
    euis: readonly string[];
    devices: readonly AbpDevice[];
  };
  /** A ChirpStack v4 and the devices it serves (by their `dev_eui`). */
  chirpstack?: {
    url: string;
    username?: string;
    password?: string;
    applicationId: string;
    marshaler: "json" | "protobuf";
    devices: readonly Device[];
  };
  /** Reporting interval per domain, wall-clock ms. */
  intervalMs?: Readonly<Record<string, number>>;
  /** Model time runs this much faster than the wall clock (uplinks still carry wall-clock time). */
  speed?: number;
  /** The next uplink counter of an ABP device (a real device keeps it in its memory). Default 0. */
  firstFCnt?: (deviceId: string) => number;
  /** Period of the scheduler, ms (default 250, or less for short intervals). */
  tickMs?: number;
  onError?: (err: Error) => void;
  clock?: Clock;
}

export interface LorawanSimulatorStats {
  /** Frames sent by the gateways (one per uplink, whatever the number of gateways hearing it). */
  udpUplinks: number;
  /** PUSH_ACK and PULL_ACK datagrams received from the platform. */
  udpAcks: number;
  chirpstackUplinks: number;
  chirpstackStatuses: number;
  /** Reports skipped because their path was down. */
  dropped: number;
  errors: number;
}

/** The values behind the newest uplink of a device, as its models produced them. */
export interface SentUplink {
  time: EpochMs;
  data: ReadingData;
  path: "gateway" | "chirpstack";
}

export const LORAWAN_INTERVAL_MS: Readonly<Record<string, number>> = {
  water_pressure: 30_000,
  waste_container: 60_000,
};

/** A status event every this many uplinks of a ChirpStack device. */
const STATUS_EVERY = 10;
const STAT_PERIOD_MS = 30_000;
const KEEPALIVE_PERIOD_MS = 10_000;

interface Slot {
  device: Device;
  path: "gateway" | "chirpstack";
  intervalMs: number;
  next: EpochMs;
  sent: number;
  abp?: AbpDevice;
  fCnt: number;
}

export class LorawanSimulator {
  readonly stats: LorawanSimulatorStats = {
    udpUplinks: 0,
    udpAcks: 0,
    chirpstackUplinks: 0,
    chirpstackStatuses: 0,
    dropped: 0,
    errors: 0,
  };
  /** The newest uplink of each device. */
  readonly sent = new Map<string, SentUplink>();
  private readonly clock: Clock;
  private slots: Slot[] = [];
  private sockets: Socket[] = [];
  private client: MqttClient | undefined;
  private scenario: Scenario | undefined;
  private timers: NodeJS.Timeout[] = [];
  private wallStart = 0;
  private token = 0;

  constructor(private readonly config: LorawanSimulatorConfig) {
    this.clock = config.clock ?? systemClock;
  }

  async start(): Promise<void> {
    this.wallStart = this.clock.now();
    this.scenario = this.config.scenario ?? planScenario(this.config.devices, this.wallStart);
    this.slots = this.plan();
    await this.openGateways();
    this.connectChirpstack();
    const shortest = Math.min(...this.slots.map((s) => s.intervalMs), 1_000);
    const tick = this.config.tickMs ?? Math.max(10, Math.min(250, Math.floor(shortest / 4)));
    this.timers.push(setInterval(() => this.tick(), tick));
    if (this.config.gateways) {
      this.keepAlive();
      this.timers.push(setInterval(() => this.keepAlive(), KEEPALIVE_PERIOD_MS));
      this.timers.push(setInterval(() => this.sendStats(), STAT_PERIOD_MS));
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const s of this.sockets) s.close();
    this.sockets = [];
    await this.client?.endAsync();
    this.client = undefined;
  }

  private plan(): Slot[] {
    const c = this.config;
    const byDomain = new Map<string, { device: Device; path: Slot["path"]; abp?: AbpDevice }[]>();
    const add = (device: Device, path: Slot["path"], abp?: AbpDevice) => {
      const list = byDomain.get(device.domain) ?? [];
      list.push({ device, path, ...(abp ? { abp } : {}) });
      byDomain.set(device.domain, list);
    };
    const byId = new Map(c.devices.map((d) => [d.id, d]));
    for (const abp of c.gateways?.devices ?? []) {
      const device = byId.get(abp.deviceId);
      if (device) add(device, "gateway", abp);
    }
    for (const device of c.chirpstack?.devices ?? []) add(device, "chirpstack");
    const slots: Slot[] = [];
    for (const [domain, list] of byDomain) {
      const intervalMs = c.intervalMs?.[domain] ?? LORAWAN_INTERVAL_MS[domain] ?? 60_000;
      list.forEach((entry, i) => {
        const next = this.wallStart + Math.floor((i * intervalMs) / list.length);
        const fCnt = entry.abp ? (c.firstFCnt?.(entry.device.id) ?? 0) : 0;
        slots.push({ ...entry, intervalMs, next, sent: 0, fCnt });
      });
    }
    return slots;
  }

  private tick(): void {
    const now = this.clock.now();
    const modelTime = this.wallStart + (now - this.wallStart) * (this.config.speed ?? 1);
    for (const slot of this.slots) {
      if (slot.next > now) continue;
      // A late tick sends once, not every missed report.
      while (slot.next <= now) slot.next += slot.intervalMs;
      this.report(slot, now, modelTime);
    }
  }

  private report(slot: Slot, now: EpochMs, modelTime: EpochMs): void {
    if (!this.scenario) return;
    const data = readingFor(slot.device, modelTime, this.scenario);
    const encoded = data ? encodeUplink(slot.device, data) : undefined;
    if (!data || !encoded) return;
    const sent =
      slot.path === "gateway" ? this.sendFrame(slot, encoded, now) : this.publishUp(slot, encoded, now, data);
    if (!sent) {
      this.stats.dropped++;
      return;
    }
    slot.sent++;
    this.sent.set(slot.device.id, { time: now, data, path: slot.path });
  }

  // --- the collectivity's gateways -----------------------------------------------------------

  private async openGateways(): Promise<void> {
    const g = this.config.gateways;
    if (!g) return;
    for (const _ of g.euis) {
      const socket = createSocket("udp4");
      socket.on("message", () => {
        this.stats.udpAcks++;
      });
      socket.on("error", (err) => this.fail(err));
      socket.bind(0, g.host);
      await once(socket, "listening");
      this.sockets.push(socket);
    }
  }

  private sendFrame(slot: Slot, encoded: { fPort: number; bytes: Buffer }, now: EpochMs): boolean {
    const g = this.config.gateways;
    if (!g || !slot.abp || this.sockets.length === 0) return false;
    const phy = encodeDataUp({ devAddr: slot.abp.devAddr, fCnt: slot.fCnt, ...payloadOf(encoded) }, slot.abp);
    slot.fCnt++;
    const heardByTwo = this.sockets.length > 1 && unit("two-gateways", slot.device.id) < 0.5;
    const hearing = heardByTwo ? [0, 1] : [0];
    for (const i of hearing) {
      const rx = rxpkOf(phy, now, slot.device.id, i);
      const body = { rxpk: [rx] };
      this.sendUdp(
        i,
        buildGwmp({ type: "PUSH_DATA", token: this.nextToken(), gatewayEui: g.euis[i] ?? "", body }),
      );
    }
    this.stats.udpUplinks++;
    return true;
  }

  private keepAlive(): void {
    const euis = this.config.gateways?.euis ?? [];
    euis.forEach((eui, i) => {
      this.sendUdp(i, buildGwmp({ type: "PULL_DATA", token: this.nextToken(), gatewayEui: eui }));
    });
  }

  private sendStats(): void {
    const euis = this.config.gateways?.euis ?? [];
    euis.forEach((eui, i) => {
      const stat: GatewayStat = {
        time: `${new Date(this.clock.now()).toISOString().slice(0, 19).replace("T", " ")} GMT`,
        rxnb: this.stats.udpUplinks,
        rxok: this.stats.udpUplinks,
        rxfw: this.stats.udpUplinks,
        ackr: 100,
        dwnb: 0,
        txnb: 0,
      };
      const body = { stat };
      this.sendUdp(i, buildGwmp({ type: "PUSH_DATA", token: this.nextToken(), gatewayEui: eui, body }));
    });
  }

  private sendUdp(socketIndex: number, datagram: Buffer): void {
    const g = this.config.gateways;
    const socket = this.sockets[socketIndex];
    if (!g || !socket) return;
    socket.send(datagram, g.port, g.host, (err) => {
      if (err) this.fail(err);
    });
  }

  private nextToken(): number {
    this.token = (this.token + 1) & 0xffff;
    return this.token;
  }

  // --- ChirpStack --------------------------------------------------------------------------

  private connectChirpstack(): void {
    const cs = this.config.chirpstack;
    if (!cs) return;
    const client = mqtt.connect(cs.url, {
      clientId: `chirpstack-simulator-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 1_000,
      ...(cs.username !== undefined ? { username: cs.username } : {}),
      ...(cs.password !== undefined ? { password: cs.password } : {}),
    });
    client.on("error", (err) => this.fail(err));
    this.client = client;
  }

  private publishUp(
    slot: Slot,
    encoded: { fPort: number; bytes: Buffer },
    now: EpochMs,
    data: ReadingData,
  ): boolean {
    const cs = this.config.chirpstack;
    const eui = String(slot.device.attributes.dev_eui ?? "").toLowerCase();
    if (!cs || !this.client?.connected || eui === "") return false;
    const prefix = `application/${cs.applicationId}/device/${eui}/event`;
    const event = { eui, fCnt: slot.sent, now, ...encoded };
    const up =
      cs.marshaler === "json"
        ? jsonUp(cs.applicationId, slot.device, event)
        : protobufUp(cs.applicationId, slot.device, event);
    this.publish(`${prefix}/up`, up);
    this.stats.chirpstackUplinks++;
    if (slot.sent % STATUS_EVERY === 0) {
      const battery = data.battery_level;
      const status = { eui, now, batteryPercent: typeof battery === "number" ? battery * 100 : undefined };
      this.publish(`${prefix}/status`, cs.marshaler === "json" ? jsonStatus(status) : protobufStatus(status));
      this.stats.chirpstackStatuses++;
    }
    return true;
  }

  private publish(topic: string, payload: Buffer | string): void {
    this.client?.publish(topic, payload, { qos: 1 }, (err) => {
      if (err) this.fail(err);
    });
  }

  private fail(err: Error): void {
    this.stats.errors++;
    this.config.onError?.(err);
  }
}

function payloadOf(encoded: { fPort: number; bytes: Buffer }): { fPort: number; payload: Buffer } {
  return { fPort: encoded.fPort, payload: encoded.bytes };
}

/** What one gateway heard: the frame and a link budget that depends on where the device is. */
function rxpkOf(phy: Buffer, now: EpochMs, deviceId: string, gateway: number): Rxpk {
  return loraRxpk(phy, {
    time: new Date(now).toISOString(),
    tmst: (now * 1000) >>> 0,
    freq: [868.1, 868.3, 868.5][Math.floor(unit("channel", deviceId, now) * 3)] ?? 868.1,
    datr: "SF9BW125",
    rssi: Math.round(-70 - 45 * unit("rssi", deviceId, gateway)),
    lsnr: Math.round(10 * (9 - 15 * unit("snr", deviceId, gateway))) / 10,
  });
}

interface UpFields {
  eui: string;
  fCnt: number;
  now: EpochMs;
  fPort: number;
  bytes: Buffer;
}

function jsonUp(applicationId: string, device: Device, e: UpFields): string {
  return JSON.stringify({
    deduplicationId: randomUUID(),
    time: new Date(e.now).toISOString(),
    deviceInfo: { tenantId: "lanterne-demo", applicationId, deviceName: device.id, devEui: e.eui },
    fCnt: e.fCnt,
    fPort: e.fPort,
    data: e.bytes.toString("base64"),
    rxInfo: [{ gatewayId: "0016c001f153a14c", rssi: -97, snr: 7.5 }],
  });
}

function protobufUp(applicationId: string, device: Device, e: UpFields): Buffer {
  const up = new integration.UplinkEvent();
  up.setDeduplicationId(randomUUID());
  up.setTime(Timestamp.fromDate(new Date(e.now)));
  up.setDeviceInfo(deviceInfo(applicationId, device.id, e.eui));
  up.setFCnt(e.fCnt);
  up.setFPort(e.fPort);
  up.setData(e.bytes);
  return Buffer.from(up.serializeBinary());
}

interface StatusFields {
  eui: string;
  now: EpochMs;
  batteryPercent: number | undefined;
}

function jsonStatus(s: StatusFields): string {
  return JSON.stringify({
    deduplicationId: randomUUID(),
    time: new Date(s.now).toISOString(),
    deviceInfo: { devEui: s.eui },
    margin: 10,
    externalPowerSource: false,
    ...(s.batteryPercent === undefined
      ? { batteryLevelUnavailable: true }
      : { batteryLevel: s.batteryPercent }),
  });
}

function protobufStatus(s: StatusFields): Buffer {
  const status = new integration.StatusEvent();
  status.setDeduplicationId(randomUUID());
  status.setTime(Timestamp.fromDate(new Date(s.now)));
  status.setDeviceInfo(deviceInfo("", "", s.eui));
  status.setMargin(10);
  if (s.batteryPercent === undefined) status.setBatteryLevelUnavailable(true);
  else status.setBatteryLevel(s.batteryPercent);
  return Buffer.from(status.serializeBinary());
}

function deviceInfo(applicationId: string, name: string, eui: string): integration.DeviceInfo {
  const info = new integration.DeviceInfo();
  info.setTenantId("lanterne-demo");
  info.setApplicationId(applicationId);
  info.setDeviceName(name);
  info.setDevEui(eui);
  return info;
}
