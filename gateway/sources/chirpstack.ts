import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Logger } from "../../services/domain/logger.ts";
import type { EpochMs, Violation } from "../../services/domain/types.ts";
import { payloadTooLarge, timeProblem } from "../pipeline/decode.ts";
import { readStatusEvent, readUplinkEvent } from "./chirpstack-events.ts";
import { deliverUplink, type Received, type UplinkSink } from "./lorawan-uplink.ts";
import { MqttFollower } from "./mqtt-follower.ts";

/**
 * ChirpStack v4 as a source: Lanterne is an MQTT client of the operator's ChirpStack broker and
 * subscribes to its application events, `application/{application_id}/device/{dev_eui}/event/up`
 * and `.../event/status`, with either of ChirpStack's marshalers, JSON or protobuf
 * (chirpstack-events.ts).
 *
 * Nothing is lost across restarts of either side: the client keeps a persistent session (fixed
 * client id, clean = false) with QoS 1 subscriptions, and a message is acknowledged (PUBACK)
 * only once the pipeline made it durable, stored or quarantined; unacknowledged messages are
 * sent again by the broker; many messages are in flight, their PUBACKs sent in order as each is
 * durable (mqtt-follower.ts). The client reconnects by itself after the broker restarts and
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
  /** Where the broker link's losses and returns are logged. */
  log?: Logger;
}

export type { UplinkDecoder, UplinkSink } from "./lorawan-uplink.ts";

export interface ChirpstackStats {
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
  private follower: MqttFollower | undefined;
  readonly health = new Map<string, DeviceHealth>();
  readonly stats: ChirpstackStats = {
    messages: 0,
    uplinks: 0,
    statuses: 0,
    refused: 0,
  };

  constructor(
    private readonly config: ChirpstackConfig,
    private readonly sink: UplinkSink,
  ) {}

  /** Whether the link to ChirpStack's broker is up, and how many times it came up. */
  get connected(): boolean {
    return this.follower?.connected ?? false;
  }

  get connects(): number {
    return this.follower?.connects ?? 0;
  }

  /** The integration's name, as quarantine entries name their source. */
  get name(): string {
    return `chirpstack:${this.config.id}`;
  }

  /** Connects (and keeps reconnecting); resolves once the first connection is up or failed. */
  async start(): Promise<void> {
    const follower = new MqttFollower(
      {
        url: this.config.url,
        clientId: `lanterne-${this.config.id}`,
        subscriptions: this.topics(),
        reconnectMs: this.config.reconnectMs ?? 1_000,
        ...(this.config.username !== undefined ? { username: this.config.username } : {}),
        ...(this.config.password !== undefined ? { password: this.config.password } : {}),
        ...(this.config.log ? { log: this.config.log } : {}),
      },
      (topic, payload) => this.receive(topic, payload),
    );
    this.follower = follower;
    await follower.start();
  }

  async close(): Promise<void> {
    await this.follower?.close();
    this.follower = undefined;
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
    const tooLarge = payloadTooLarge(payload, this.sink.limits);
    if (tooLarge) return this.refuse(received, tooLarge);
    const topicEui = (topic.split("/")[3] ?? "").toLowerCase();
    if (topic.endsWith("/event/status")) return this.status(topicEui, payload, received);
    this.stats.uplinks++;
    const read = readUplinkEvent(payload);
    if (!read.ok) return this.refuse(received, read.violation);
    const up = read.value;
    if (!up.bytes) return this.refuse(received, violation(DataCode.PAYLOAD_BASE64, "data", "not base64"));
    await deliverUplink(this.sink, received, {
      devEui: up.devEui ?? topicEui,
      fPort: up.fPort,
      bytes: up.bytes,
      ...(up.object ? { object: up.object } : {}),
      time: up.time ?? received.receivedAt,
    });
  }

  /**
   * A status event (battery, link margin, power source) is device health, not a reading: a
   * reading must carry its contract's required fields. The newest per device is kept here for
   * the device views and fault rules.
   */
  private async status(topicEui: string, payload: Buffer, received: Received): Promise<void> {
    this.stats.statuses++;
    const read = readStatusEvent(payload);
    if (!read.ok) return this.refuse(received, read.violation);
    const e = read.value;
    const devEui = e.devEui ?? topicEui;
    const device = this.sink.deviceByEui(devEui);
    if (!device) {
      const reason = violation(
        DataCode.DEVICE_UNKNOWN,
        "deviceInfo.devEui",
        `no device with DevEUI ${JSON.stringify(devEui)}`,
      );
      return this.refuse(received, reason);
    }
    const time = e.time ?? received.receivedAt;
    // The newest status wins: one dated years ahead (a clock in microseconds) would hide every
    // later one, so a status is held to the readings' time rule.
    const wrongTime = timeProblem(time, received.receivedAt, this.sink.limits.maxFutureMs);
    if (wrongTime) return this.refuse(received, wrongTime);
    const known = this.health.get(device.id);
    if (known && known.time > time) return;
    const health: DeviceHealth = { time };
    if (e.batteryLevel !== undefined) health.batteryLevel = e.batteryLevel / 100;
    if (e.margin !== undefined) health.marginDb = e.margin;
    if (e.externalPowerSource !== undefined) health.externalPower = e.externalPowerSource;
    this.health.set(device.id, health);
  }

  private async refuse(received: Received, reason: Violation): Promise<void> {
    this.stats.refused++;
    await this.sink.refuse(received, reason);
  }
}
