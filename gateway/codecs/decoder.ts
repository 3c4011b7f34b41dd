import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Device, EpochMs, Violation } from "../../services/domain/types.ts";
import type { DecodedItem } from "../pipeline/decode.ts";
import { CODEC_MAPPINGS, type CodecMapping, mapCodecData } from "./mapping.ts";
import type { CodecRegistry } from "./registry.ts";
import type { AsyncCodecSandbox } from "./worker-sandbox.ts";

/**
 * The one entry point LoRaWAN sources (Semtech UDP, ChirpStack, The Things Stack) use to turn a
 * device's bytes into a reading: inventory -> codec id -> sandboxed codec -> mapping to the
 * contract's names. The result feeds the contract check like any JSON reading does.
 *
 * The codec a device uses is the inventory attribute `codec` (a column of the inventory CSV or a
 * GeoJSON property), so that a collectivity changes a device's codec without a code change.
 */
export interface DeviceLookup {
  get(deviceId: string): Device | undefined;
}

export interface CodecDecoderDeps {
  registry: CodecRegistry;
  /** The worker sandbox in the platform; `inlineCodecSandbox` in tests that want no thread. */
  sandbox: AsyncCodecSandbox;
  devices: DeviceLookup;
  /** Defaults to the built-in tables; a territory may pass its own (e.g. tilt -> "moved"). */
  mappings?: Readonly<Record<string, CodecMapping>>;
}

export type CodecDecodeResult = { ok: true; item: DecodedItem } | { ok: false; violation: Violation };

export interface CodecDecoder {
  decode(device: Device, fPort: number, bytes: Uint8Array, time: EpochMs): Promise<CodecDecodeResult>;
  /** Same, for sources that only know the device id (DEVICE_UNKNOWN when it is not inventoried). */
  decodeFor(deviceId: string, fPort: number, bytes: Uint8Array, time: EpochMs): Promise<CodecDecodeResult>;
}

export const CODEC_ATTRIBUTE = "codec";

export function createCodecDecoder(deps: CodecDecoderDeps): CodecDecoder {
  const mappings = deps.mappings ?? CODEC_MAPPINGS;

  async function decode(
    device: Device,
    fPort: number,
    bytes: Uint8Array,
    time: EpochMs,
  ): Promise<CodecDecodeResult> {
    const codecId = device.attributes[CODEC_ATTRIBUTE];
    if (typeof codecId !== "string" || codecId === "") {
      return refuse(DataCode.CODEC_UNKNOWN, `device ${device.id} has no attributes.${CODEC_ATTRIBUTE}`);
    }
    const codec = deps.registry.get(codecId);
    if (!codec) return refuse(DataCode.CODEC_UNKNOWN, `device ${device.id}: no codec "${codecId}"`);
    const result = await deps.sandbox.decode(codec, { bytes, fPort });
    if (!result.ok) return result;
    const mapped = mapCodecData(codecId, result.data, device, mappings);
    const item: DecodedItem = {
      index: 0,
      raw: { fPort, bytes: Buffer.from(bytes).toString("hex") },
      reading: { deviceId: device.id, time, data: mapped.data },
      problems: mapped.problems,
    };
    return { ok: true, item };
  }

  return {
    decode,
    async decodeFor(deviceId, fPort, bytes, time) {
      const device = deps.devices.get(deviceId);
      if (!device) return refuse(DataCode.DEVICE_UNKNOWN, `no device ${JSON.stringify(deviceId)}`, "device");
      return decode(device, fPort, bytes, time);
    },
  };
}

function refuse(code: DataCode, detail: string, path = "codec"): CodecDecodeResult {
  return { ok: false, violation: violation(code, path, detail) };
}
