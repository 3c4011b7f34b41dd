import type { Device } from "../services/domain/types.ts";
import type { ReadingData } from "./models.ts";

/**
 * The device side of the built-in Milesight codecs (gateway/codecs/vendors/milesight.js): what an
 * EM310-UDL on a container lid or an EM500-PP on a pipe sends for the values the models produce.
 * Channel records are `channel id, channel type, value little-endian`, as in Milesight's docs.
 */
export interface EncodedUplink {
  fPort: number;
  bytes: Buffer;
}

/** Milesight sensors report on fPort 85. */
export const MILESIGHT_FPORT = 85;

/** The codecs the simulator can speak, by the inventory's `codec` attribute. */
const ENCODERS: Readonly<Record<string, (device: Device, data: ReadingData) => Buffer | undefined>> = {
  "milesight-em310-udl": em310Udl,
  "milesight-em500-pp": em500Pp,
};

export function canEncode(device: Device): boolean {
  const codec = device.attributes.codec;
  return typeof codec === "string" && Object.hasOwn(ENCODERS, codec);
}

/** The bytes the device's sensor would send for `data`, or undefined when it has no encoder. */
export function encodeUplink(device: Device, data: ReadingData): EncodedUplink | undefined {
  const codec = device.attributes.codec;
  const encode = typeof codec === "string" && Object.hasOwn(ENCODERS, codec) ? ENCODERS[codec] : undefined;
  const bytes = encode?.(device, data);
  return bytes ? { fPort: MILESIGHT_FPORT, bytes } : undefined;
}

/** Distance from the lid down to the waste (mm), from the filling level and the container's depth. */
function em310Udl(device: Device, data: ReadingData): Buffer | undefined {
  const depth = device.attributes.depth_mm;
  if (typeof depth !== "number" || typeof data.filling_level !== "number") return undefined;
  return em310UdlBytes({
    batteryPercent: batteryPercent(data),
    distanceMm: depth * (1 - data.filling_level),
    lidOpen: data.status === "lidOpen",
  });
}

/** An EM310-UDL frame: battery (%), distance (mm) and position (normal, or tilted: lid open). */
export function em310UdlBytes(v: { batteryPercent: number; distanceMm: number; lidOpen: boolean }): Buffer {
  return Buffer.concat([
    battery(v.batteryPercent),
    u16(0x03, 0x82, Math.round(v.distanceMm)),
    Buffer.from([0x04, 0x00, v.lidOpen ? 1 : 0]),
  ]);
}

/** Pipe pressure in kPa (1 bar = 100 kPa), the sensor's resolution. */
function em500Pp(_device: Device, data: ReadingData): Buffer | undefined {
  if (typeof data.pressure_bar !== "number") return undefined;
  return Buffer.concat([battery(batteryPercent(data)), u16(0x03, 0x7b, Math.round(data.pressure_bar * 100))]);
}

function batteryPercent(data: ReadingData): number {
  return Math.round((typeof data.battery_level === "number" ? data.battery_level : 1) * 100);
}

function battery(percent: number): Buffer {
  return Buffer.from([0x01, 0x75, Math.max(0, Math.min(100, percent))]);
}

function u16(channel: number, type: number, value: number): Buffer {
  const b = Buffer.from([channel, type, 0, 0]);
  b.writeUInt16LE(Math.max(0, Math.min(0xffff, value)), 2);
  return b;
}
