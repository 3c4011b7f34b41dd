import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { DataCode, violation } from "../../services/domain/errors.ts";
import type { EpochMs, Violation } from "../../services/domain/types.ts";
import {
  base64Bytes,
  deliverUplink,
  followBroker,
  isRecord,
  parseJsonObject,
  parseTime,
  type Received,
  type UplinkSink,
} from "./lorawan-uplink.ts";

/**
 * ChirpStack v4 as a source: Lanterne is an MQTT client of the operator's ChirpStack broker and
 * subscribes to its application events, `application/{application_id}/device/{dev_eui}/event/up`
 * and `.../event/status` (JSON marshaler: the protobuf JSON mapping, bytes as base64).
 *
 * Nothing is lost across restarts of either side: the client keeps a persistent session (fixed
 * client id, clean = false) with QoS 1 subscriptions, and a message is acknowledged (PUBACK)
 * only once the pipeline made it durable, stored or quarantined; unacknowledged messages are
 * sent again by the broker. mqtt.js reconnects by itself after the broker restarts and
 * subscribes again (a known failure of Telegraf's consumer, which stops for good).
 *
 * Devices are matched by DevEUI (inventory attribute `dev_eui`). When ChirpStack decoded the
 * payload with the device profile's codec, its `object` is used; otherwise `data` goes through
 * Lanterne's own codec for the device. Either way the values then face the contract like any
 * other reading, as the integration's operator.
 */
export interface ChirpstackConfig {
  /** Names the integration in logs, quarantine and the MQTT client id. */
  id: string;
  /** The operator whose contracts these devices' data must meet. */
  operatorId: string;
  /** mqtt://host:1883 or mqtts://... of ChirpStack's broker. */
  url: string;
  username?: string;
  password?: string;
  /** Applications to follow (default: all, `+`). */
  applications?: readonly string[];
  /** Topic prefix (ChirpStack's `event_topic` template starts with `application`). */
  topicPrefix?: string;
  /** Reconnection period after a lost connection (default 1,000 ms). */
  reconnectMs?: number;
}

export type { UplinkDecoder, UplinkSink } from "./lorawan-uplink.ts";

export interface ChirpstackStats {
  connected: boolean;
  connects: number;
  messages: number;
  uplinks: number;
  statuses: number;
  refused: number;
}

/** The newest status a device's network server reported. */
export interface DeviceHealth {
  time: EpochMs;
  /** 0 to 1. */
  batteryLevel?: number;
  /** Link margin of the last LinkCheck/DevStatus answer, dB. */
  marginDb?: number;
  externalPower?: boolean;
}

export class ChirpstackSource {
  private client: MqttClient | undefined;
  readonly health = new Map<string, DeviceHealth>();
  readonly stats: ChirpstackStats = {
    connected: false,
    connects: 0,
    messages: 0,
    uplinks: 0,
    statuses: 0,
    refused: 0,
  };

  constructor(
    private readonly config: ChirpstackConfig,
    private readonly sink: UplinkSink,
  ) {}

  /** The integration's name, as quarantine entries name their source. */
  get name(): string {
    return `chirpstack:${this.config.id}`;
  }

  /** Connects (and keeps reconnecting); resolves once the first connection is up or failed. */
  async start(): Promise<void> {
    const client = mqtt.connect(this.config.url, this.options());
    this.client = client;
    client.handleMessage = (packet, done) => {
      void this.receive(packet.topic, packet.payload as Buffer).then(
        () => done(),
        () => done(),
      );
    };
    await followBroker(client, this.stats, (sessionPresent) => {
      this.stats.connects++;
      // A resumed session keeps its subscriptions; subscribing again is harmless either way.
      if (!sessionPresent) client.subscribe(this.topics(), { qos: 1 });
    });
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }

  private options(): IClientOptions {
    return {
      clientId: `lanterne-${this.config.id}`,
      clean: false,
      reconnectPeriod: this.config.reconnectMs ?? 1_000,
      connectTimeout: 10_000,
      ...(this.config.username !== undefined ? { username: this.config.username } : {}),
      ...(this.config.password !== undefined ? { password: this.config.password } : {}),
    };
  }

  private topics(): string[] {
    const prefix = this.config.topicPrefix ?? "application";
    const apps = this.config.applications ?? ["+"];
    return apps.flatMap((app) => [
      `${prefix}/${app}/device/+/event/up`,
      `${prefix}/${app}/device/+/event/status`,
    ]);
  }

  /** Resolves once the message is durable (stored or quarantined): only then is it acknowledged. */
  async receive(topic: string, payload: Buffer): Promise<void> {
    this.stats.messages++;
    const received: Received = {
      source: `chirpstack:${this.config.id}`,
      operatorId: this.config.operatorId,
      receivedAt: this.sink.now(),
      payload,
    };
    const parsed = parseJsonObject(payload, "a ChirpStack event");
    if (!parsed.ok) return this.refuse(received, parsed.violation);
    const e = parsed.value;
    const devEui = String(field(e, "deviceInfo", "devEui") ?? topic.split("/")[3] ?? "").toLowerCase();
    if (topic.endsWith("/event/status")) return this.status(devEui, e, received.receivedAt);
    this.stats.uplinks++;
    const bytes = typeof e.data === "string" ? base64Bytes(e.data) : new Uint8Array();
    if (!bytes) return this.refuse(received, violation(DataCode.PAYLOAD_BASE64, "data", "not base64"));
    await deliverUplink(this.sink, received, {
      devEui,
      fPort: typeof e.fPort === "number" ? e.fPort : 0,
      bytes,
      ...(isRecord(e.object) ? { object: e.object } : {}),
      time: parseTime(e.time) ?? received.receivedAt,
    });
  }

  /**
   * A status event (battery, link margin, power source) is device health, not a reading: a
   * reading must carry its contract's required fields. The newest per device is kept here for
   * the device views and fault rules.
   */
  private status(devEui: string, e: Record<string, unknown>, receivedAt: EpochMs): void {
    this.stats.statuses++;
    const device = this.sink.deviceByEui(devEui);
    if (!device) return;
    const time = parseTime(e.time) ?? receivedAt;
    const known = this.health.get(device.id);
    if (known && known.time > time) return;
    const health: DeviceHealth = { time };
    if (typeof e.batteryLevel === "number" && e.batteryLevelUnavailable !== true)
      health.batteryLevel = e.batteryLevel / 100;
    if (typeof e.margin === "number") health.marginDb = e.margin;
    if (typeof e.externalPowerSource === "boolean") health.externalPower = e.externalPowerSource;
    this.health.set(device.id, health);
  }

  private async refuse(received: Received, reason: Violation): Promise<void> {
    this.stats.refused++;
    await this.sink.refuse(received, reason);
  }
}

function field(o: Record<string, unknown>, key: string, sub: string): unknown {
  const inner = o[key];
  return isRecord(inner) ? inner[sub] : undefined;
}
