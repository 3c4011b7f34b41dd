import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Device, EpochMs, RawUplink, Violation } from "../../services/domain/types.ts";
import { parseBoundedJson } from "../pipeline/bounded-json.ts";
import type { DecodedItem, DecodeLimits } from "../pipeline/decode.ts";
import type { IngestOutcome } from "../pipeline/pipeline.ts";

/**
 * What every LoRaWAN network server integration (ChirpStack, The Things Stack) hands over once it
 * has read its own event format: a device by DevEUI, a port, the application payload and, when
 * the network server ran the device's codec itself, its decoded object. From here on they share
 * one path: find the device, decode, face the contract, durable or quarantined.
 */
export interface NetworkUplink {
  devEui: string;
  fPort: number;
  /** The decrypted application payload (FRMPayload). */
  bytes: Uint8Array;
  /** The network server's own decoding, when it ran a codec. */
  object?: Record<string, unknown>;
  time: EpochMs;
}

/**
 * Turns a device's uplink into a reading: the network server's decoded object, or the bytes
 * through a codec (asynchronous: codecs run on a thread of their own).
 */
export interface UplinkDecoder {
  decode(input: {
    device: Device;
    fPort: number;
    bytes: Uint8Array;
    time: EpochMs;
    object?: Record<string, unknown>;
  }): Promise<{ ok: true; item: DecodedItem } | { ok: false; violation: Violation }>;
}

export interface UplinkSink {
  /**
   * The pipeline's limits: an event over `maxPayloadBytes` is refused unread; one dated more
   * than `maxFutureMs` after reception is refused as a reading would be.
   */
  limits: Pick<DecodeLimits, "maxPayloadBytes" | "maxFutureMs">;
  /** Devices by DevEUI (lower-case hex, 16 characters). */
  deviceByEui(devEui: string): Device | undefined;
  decoder: UplinkDecoder;
  ingestItems(uplink: RawUplink, items: DecodedItem[]): IngestOutcome;
  refuse(uplink: RawUplink, reason: Violation): Promise<void>;
  now(): EpochMs;
}

/** A message as received, for the quarantine: who sent it through which integration. */
export interface Received {
  source: string;
  operatorId: string;
  receivedAt: EpochMs;
  payload: Buffer | string;
}

/** Resolves once the uplink is durable: stored, or kept in quarantine with its reason. */
export async function deliverUplink(sink: UplinkSink, received: Received, up: NetworkUplink): Promise<void> {
  const devEui = up.devEui.toLowerCase();
  const device = sink.deviceByEui(devEui);
  if (!device) {
    const reason = violation(
      DataCode.DEVICE_UNKNOWN,
      "dev_eui",
      `no device with DevEUI ${JSON.stringify(devEui)}`,
    );
    return sink.refuse(received, reason);
  }
  return deliverToDevice(sink, { ...received, deviceId: device.id }, device, up);
}

/** A device's uplink (found by DevEUI, or by its LoRaWAN session): decoded, then the contract. */
export async function deliverToDevice(
  sink: Pick<UplinkSink, "decoder" | "ingestItems" | "refuse">,
  uplink: RawUplink,
  device: Device,
  up: Omit<NetworkUplink, "devEui">,
): Promise<void> {
  const decoded = await sink.decoder.decode({
    device,
    fPort: up.fPort,
    bytes: up.bytes,
    time: up.time,
    ...(up.object ? { object: up.object } : {}),
  });
  if (!decoded.ok) return sink.refuse(uplink, decoded.violation);
  await sink.ingestItems(uplink, [decoded.item]).durable;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A network server's event as a JSON object, read within the bounds of every JSON input. */
export function parseJsonObject(
  payload: Buffer | string,
  what: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; violation: Violation } {
  const parsed = parseBoundedJson(payload);
  if (!parsed.ok) return { ok: false, violation: parsed.problem };
  if (isRecord(parsed.value)) return { ok: true, value: parsed.value };
  return { ok: false, violation: violation(DataCode.PAYLOAD_SHAPE, "", `${what} is a JSON object`) };
}

export function parseTime(v: unknown): EpochMs | undefined {
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Undefined when the text is not canonical base64 (Buffer.from would silently skip bad characters). */
export function base64Bytes(text: string): Uint8Array | undefined {
  return BASE64.test(text) ? new Uint8Array(Buffer.from(text, "base64")) : undefined;
}
