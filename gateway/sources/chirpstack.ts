import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Device, EpochMs, RawUplink, Violation } from "../../services/domain/types.ts";
import type { DecodedItem } from "../pipeline/decode.ts";
import type { IngestOutcome } from "../pipeline/pipeline.ts";

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

/** Turns a device's uplink into a reading: ChirpStack's decoded object, or the bytes through a codec. */
export interface UplinkDecoder {
  decode(input: {
    device: Device;
    fPort: number;
    bytes: Uint8Array;
    time: EpochMs;
    object?: Record<string, unknown>;
  }): { ok: true; item: DecodedItem } | { ok: false; violation: Violation };
}

export interface ChirpstackDeps {
  /** Devices by DevEUI (lower-case hex, 16 characters). */
  deviceByEui(devEui: string): Device | undefined;
  decoder: UplinkDecoder;
  ingestItems(uplink: RawUplink, items: DecodedItem[]): IngestOutcome;
  refuse(uplink: RawUplink, reason: Violation): Promise<void>;
  now(): EpochMs;
}

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
    private readonly deps: ChirpstackDeps,
  ) {}

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
    client.on("connect", (ack) => {
      this.stats.connected = true;
      this.stats.connects++;
      // A resumed session keeps its subscriptions; subscribing again is harmless either way.
      if (!ack.sessionPresent) client.subscribe(this.topics(), { qos: 1 });
    });
    client.on("close", () => {
      this.stats.connected = false;
    });
    client.on("error", () => {
      // Reported through `connected`; mqtt.js reconnects by itself.
    });
    await new Promise<void>((resolve) => {
      client.once("connect", () => resolve());
      client.once("error", () => resolve());
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
    const receivedAt = this.deps.now();
    const event = topic.split("/").at(-1);
    const uplink: RawUplink = {
      source: `chirpstack:${this.config.id}`,
      operatorId: this.config.operatorId,
      receivedAt,
      payload,
    };
    const parsed = parseEvent(payload);
    if (!parsed.ok) return this.refuse(uplink, parsed.violation);
    const devEui = String(
      field(parsed.value, "deviceInfo", "devEui") ?? topic.split("/")[3] ?? "",
    ).toLowerCase();
    const device = this.deps.deviceByEui(devEui);
    if (!device) {
      return this.refuse(
        uplink,
        violation(
          DataCode.DEVICE_UNKNOWN,
          "deviceInfo.devEui",
          `no device with DevEUI ${JSON.stringify(devEui)}`,
        ),
      );
    }
    if (event === "status") return this.status(device, parsed.value, receivedAt);
    const withDevice = { ...uplink, deviceId: device.id };
    const item = this.up(device, parsed.value, receivedAt);
    if (!item.ok) return this.refuse(withDevice, item.violation);
    await this.deps.ingestItems(withDevice, [item.item]).durable;
  }

  private up(device: Device, e: Record<string, unknown>, receivedAt: EpochMs) {
    this.stats.uplinks++;
    const time = parseTime(e.time) ?? receivedAt;
    const fPort = typeof e.fPort === "number" ? e.fPort : 0;
    const object = isRecord(e.object) ? e.object : undefined;
    const bytes = typeof e.data === "string" ? base64(e.data) : new Uint8Array();
    if (bytes === undefined) {
      return { ok: false as const, violation: violation(DataCode.PAYLOAD_BASE64, "data", "not base64") };
    }
    return this.deps.decoder.decode({ device, fPort, bytes, time, ...(object ? { object } : {}) });
  }

  /**
   * A status event (battery, link margin, power source) is device health, not a reading: a
   * reading must carry its contract's required fields. The newest per device is kept here for
   * the device views and fault rules.
   */
  private status(device: Device, e: Record<string, unknown>, receivedAt: EpochMs): void {
    this.stats.statuses++;
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

  private async refuse(uplink: RawUplink, reason: Violation): Promise<void> {
    this.stats.refused++;
    await this.deps.refuse(uplink, reason);
  }
}

function parseEvent(
  payload: Buffer,
): { ok: true; value: Record<string, unknown> } | { ok: false; violation: Violation } {
  try {
    const value: unknown = JSON.parse(payload.toString("utf8"));
    if (isRecord(value)) return { ok: true, value };
    return {
      ok: false,
      violation: violation(DataCode.PAYLOAD_SHAPE, "", "a ChirpStack event is a JSON object"),
    };
  } catch (err) {
    return { ok: false, violation: violation(DataCode.PAYLOAD_JSON, "", (err as Error).message) };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function field(o: Record<string, unknown>, key: string, sub: string): unknown {
  const inner = o[key];
  return isRecord(inner) ? inner[sub] : undefined;
}

function parseTime(v: unknown): EpochMs | undefined {
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64(text: string): Uint8Array | undefined {
  return BASE64.test(text) ? new Uint8Array(Buffer.from(text, "base64")) : undefined;
}
