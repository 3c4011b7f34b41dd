import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Device, EpochMs, Violation } from "../../services/domain/types.ts";
import type { DecodedItem } from "../pipeline/decode.ts";
import type { UplinkDecoder } from "./lorawan-uplink.ts";

/**
 * How a network server's uplink becomes a reading:
 * - the network server ran the device's codec (ChirpStack `object`, The Things Stack
 *   `decoded_payload`): its values, through the codec's field mapping when the device names one
 *   (inventory attribute `codec`), else as they are (a codec written to the contract's names);
 * - otherwise the bytes go through Lanterne's own codec for the device (`bytes`), when codecs
 *   are configured; without one the uplink is kept in quarantine (ERR_CODEC_UNKNOWN).
 */
export interface BytesDecoder {
  decode(
    device: Device,
    fPort: number,
    bytes: Uint8Array,
    time: EpochMs,
  ): Promise<{ ok: true; item: DecodedItem } | { ok: false; violation: Violation }>;
}

export interface ObjectMapper {
  /** The codec's output in the contract's field names (units converted), or undefined for no mapping. */
  map(device: Device, data: Record<string, unknown>): Record<string, unknown> | undefined;
}

export function createUplinkDecoder(
  parts: { bytes?: BytesDecoder; objects?: ObjectMapper } = {},
): UplinkDecoder {
  return {
    async decode({ device, fPort, bytes, time, object }) {
      if (object) {
        const data = parts.objects?.map(device, object) ?? object;
        const raw = { fPort, bytes: Buffer.from(bytes).toString("hex"), object };
        return {
          ok: true,
          item: { index: 0, raw, reading: { deviceId: device.id, time, data }, problems: [] },
        };
      }
      if (parts.bytes) return parts.bytes.decode(device, fPort, bytes, time);
      const detail = `no codec configured for ${device.id} (fPort ${fPort}, ${bytes.length} bytes)`;
      return { ok: false, violation: violation(DataCode.CODEC_UNKNOWN, "data", detail) };
    },
  };
}
