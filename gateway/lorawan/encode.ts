import loraPacketModule from "lora-packet";
import { fCntMSBytes } from "./fcnt.ts";
import type { SessionKeys } from "./session.ts";

// See uplink.ts: lora-packet's declared default export is its whole CommonJS module.
const loraPacket = loraPacketModule as unknown as typeof loraPacketModule.default;

/**
 * The device side of a data uplink, for simulators and tests: FRMPayload encrypted with the
 * session keys and the MIC computed over the full 32-bit counter, as a real ABP device does.
 */
export interface DataUpFields {
  /** 8 hex characters, big-endian. */
  devAddr: string;
  /** 32-bit FCntUp; only its 16 low bits travel. */
  fCnt: number;
  fPort: number;
  payload: Buffer;
  confirmed?: boolean;
}

export function encodeDataUp(fields: DataUpFields, keys: SessionKeys): Buffer {
  const packet = loraPacket.fromFields(
    {
      MType: fields.confirmed ? "Confirmed Data Up" : "Unconfirmed Data Up",
      DevAddr: Buffer.from(fields.devAddr, "hex"),
      FCnt: fields.fCnt & 0xffff,
      FPort: fields.fPort,
      payload: fields.payload,
    },
    keys.appSKey,
    keys.nwkSKey,
    undefined,
    fCntMSBytes(fields.fCnt),
  );
  const phy = packet.getPHYPayload();
  if (!phy) throw new Error("lora-packet produced no PHYPayload");
  return phy;
}
