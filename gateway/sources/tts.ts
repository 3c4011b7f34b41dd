import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Violation } from "../../services/domain/types.ts";
import { payloadTooLarge } from "../pipeline/decode.ts";
import {
  base64Bytes,
  deliverUplink,
  isRecord,
  parseJsonObject,
  parseTime,
  type Received,
  type UplinkSink,
} from "./lorawan-uplink.ts";

/**
 * The Things Stack v3 as a source, two ways:
 * - its MQTT server (`v3/{application id}@{tenant id}/devices/{device id}/up`): QoS 0 only, so an
 *   uplink sent while Lanterne restarts is gone;
 * - a webhook (POST to Lanterne's API with a shared secret header): answered 200 only once the
 *   uplink is stored or quarantined, so The Things Stack sees a failure and nothing is lost
 *   silently. The webhook is the path to use when nothing may be lost.
 * Uplink fields used: end_device_ids.dev_eui, uplink_message.f_port, frm_payload (base64),
 * decoded_payload (the application's codec, when set), received_at.
 */
export interface TtsConfig {
  id: string;
  operatorId: string;
  /** MQTT server, e.g. mqtts://eu1.cloud.thethings.network:8883; no MQTT when undefined. */
  url?: string;
  /** `{application id}@{tenant id}` (tenant `ttn` on The Things Network). */
  username?: string;
  /** An API key with the right to read application traffic. */
  password?: string;
  reconnectMs?: number;
}

export interface TtsStats {
  connected: boolean;
  messages: number;
  webhooks: number;
  refused: number;
  /** MQTT uplinks that could not be stored nor quarantined (the store was failing). */
  failures: number;
}

export class TtsSource {
  private client: MqttClient | undefined;
  readonly stats: TtsStats = { connected: false, messages: 0, webhooks: 0, refused: 0, failures: 0 };

  constructor(
    private readonly config: TtsConfig,
    private readonly sink: UplinkSink,
  ) {}

  async start(): Promise<void> {
    if (!this.config.url) return;
    const client = mqtt.connect(this.config.url, this.options());
    this.client = client;
    client.on("message", (_topic, payload) => {
      this.stats.messages++;
      // QoS 0: nothing to acknowledge; a failure to keep it is counted, never thrown away unseen.
      this.receive(payload, "mqtt").catch(() => this.stats.failures++);
    });
    await followBroker(client, this.stats, () => {
      client.subscribe(`v3/${this.config.username ?? "+"}/devices/+/up`, { qos: 0 });
    });
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }

  /** A webhook call: resolves once the uplink is durable (the HTTP answer waits for it). */
  webhook(body: Buffer | string): Promise<void> {
    this.stats.webhooks++;
    return this.receive(body, "webhook");
  }

  private options(): IClientOptions {
    return {
      clientId: `lanterne-${this.config.id}-${process.pid}`,
      reconnectPeriod: this.config.reconnectMs ?? 1_000,
      connectTimeout: 10_000,
      ...(this.config.username !== undefined ? { username: this.config.username } : {}),
      ...(this.config.password !== undefined ? { password: this.config.password } : {}),
    };
  }

  async receive(payload: Buffer | string, via: "mqtt" | "webhook"): Promise<void> {
    const received: Received = {
      source: `tts:${this.config.id}:${via}`,
      operatorId: this.config.operatorId,
      receivedAt: this.sink.now(),
      payload,
    };
    const tooLarge = payloadTooLarge(payload, this.sink.limits);
    if (tooLarge) return this.refuse(received, tooLarge);
    const parsed = parseJsonObject(payload, "a The Things Stack uplink");
    if (!parsed.ok) return this.refuse(received, parsed.violation);
    const up = parsed.value;
    const ids = isRecord(up.end_device_ids) ? up.end_device_ids : {};
    const message = isRecord(up.uplink_message) ? up.uplink_message : undefined;
    if (!message) {
      return this.refuse(received, violation(DataCode.PAYLOAD_SHAPE, "uplink_message", "not an uplink"));
    }
    const bytes =
      typeof message.frm_payload === "string" ? base64Bytes(message.frm_payload) : new Uint8Array();
    if (!bytes)
      return this.refuse(
        received,
        violation(DataCode.PAYLOAD_BASE64, "uplink_message.frm_payload", "not base64"),
      );
    await deliverUplink(this.sink, received, {
      devEui: typeof ids.dev_eui === "string" ? ids.dev_eui : "",
      fPort: typeof message.f_port === "number" ? message.f_port : 0,
      bytes,
      ...(isRecord(message.decoded_payload) ? { object: message.decoded_payload } : {}),
      time: parseTime(message.received_at) ?? parseTime(up.received_at) ?? received.receivedAt,
    });
  }

  private async refuse(received: Received, reason: Violation): Promise<void> {
    this.stats.refused++;
    await this.sink.refuse(received, reason);
  }
}

/**
 * A network server's MQTT broker, followed for good: `connected` tracks the link (mqtt.js
 * reconnects by itself), `onConnect` subscribes (again, after a reconnection without a session).
 * Resolves once the first connection is up or has failed (the platform starts either way).
 */
async function followBroker(
  client: MqttClient,
  state: { connected: boolean },
  onConnect: (sessionPresent: boolean) => void,
): Promise<void> {
  client.on("connect", (ack) => {
    state.connected = true;
    onConnect(ack.sessionPresent);
  });
  client.on("close", () => {
    state.connected = false;
  });
  client.on("error", () => {
    // Reported through `connected`.
  });
  await new Promise<void>((resolve) => {
    client.once("connect", () => resolve());
    client.once("error", () => resolve());
  });
}
