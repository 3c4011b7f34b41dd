import { timingSafeEqual } from "node:crypto";
import loraPacketModule from "lora-packet";
import { DataCode } from "../../services/domain/errors.ts";
import { cryptFrmPayload, uplinkMic } from "./crypto.ts";
import type { AbpSession, SessionTable } from "./session.ts";

// lora-packet is CommonJS with `module.exports = modules`, but its types declare `export default`:
// under NodeNext the default import is the whole `module.exports`, typed as the namespace.
const loraPacket = loraPacketModule as unknown as typeof loraPacketModule.default;
type LoraPacket = ReturnType<typeof loraPacket.fromWire>;

/**
 * LoRaWAN 1.0.x data uplinks of ABP devices: PHYPayload -> checked, decrypted application payload.
 *
 *   PHYPayload = MHDR(1) | MACPayload | MIC(4)            (LoRaWAN 1.0.x 4.1)
 *   MACPayload = FHDR | [FPort(1) | FRMPayload]           (4.3)
 *   FHDR       = DevAddr(4, LE) | FCtrl(1) | FCnt(2, LE) | FOpts(FCtrl & 0x0f)
 *
 * Order of checks: header, session, counter window, MIC, and only then the counter advances
 * (a frame that does not authenticate must not be able to move a device's counter).
 */
export const MType = {
  JOIN_REQUEST: 0,
  JOIN_ACCEPT: 1,
  UNCONFIRMED_DATA_UP: 2,
  UNCONFIRMED_DATA_DOWN: 3,
  CONFIRMED_DATA_UP: 4,
  CONFIRMED_DATA_DOWN: 5,
  REJOIN_REQUEST: 6,
  PROPRIETARY: 7,
} as const;

const MHDR = 1;
const FHDR_MIN = 7;
const MIC = 4;
/** MHDR + FHDR without FOpts + MIC. */
export const MIN_DATA_FRAME = MHDR + FHDR_MIN + MIC;

/** What can be read of a data uplink without keys: enough to route it and to deduplicate it. */
export interface DataUpHeader {
  devAddr: string;
  fCnt16: number;
  confirmed: boolean;
  /** Hex of the 4 MIC bytes. */
  mic: string;
}

export type Refusal = { ok: false; code: DataCode; detail: string; devAddr?: string; deviceId?: string };
export type HeaderResult = { ok: true; header: DataUpHeader } | Refusal;

export function readDataUpHeader(phy: Buffer): HeaderResult {
  if (phy.length < MHDR) return refuse(DataCode.DECODE_LENGTH, "empty PHYPayload");
  const mhdr = phy[0] ?? 0;
  const mType = mhdr >> 5;
  if (mType !== MType.UNCONFIRMED_DATA_UP && mType !== MType.CONFIRMED_DATA_UP) {
    return refuse(DataCode.LORAWAN_FRAME, `MType ${mType} is not a data uplink (ABP data uplinks only)`);
  }
  // Major (bits 1..0) 0 is "LoRaWAN R1", the only one defined (4.2.2).
  if ((mhdr & 0x03) !== 0) return refuse(DataCode.LORAWAN_FRAME, `unknown LoRaWAN major ${mhdr & 0x03}`);
  if (phy.length < MIN_DATA_FRAME) {
    return refuse(DataCode.DECODE_LENGTH, `${phy.length} bytes, a data frame has at least ${MIN_DATA_FRAME}`);
  }
  const fOptsLen = (phy[5] ?? 0) & 0x0f;
  if (phy.length < MIN_DATA_FRAME + fOptsLen) {
    return refuse(DataCode.DECODE_LENGTH, `${phy.length} bytes, too short for ${fOptsLen} bytes of FOpts`);
  }
  return {
    ok: true,
    header: {
      devAddr: Buffer.from(phy.subarray(1, 5)).reverse().toString("hex"),
      fCnt16: phy.readUInt16LE(6),
      confirmed: mType === MType.CONFIRMED_DATA_UP,
      mic: phy.subarray(phy.length - MIC).toString("hex"),
    },
  };
}

export interface DecodedUplink {
  deviceId: string;
  devAddr: string;
  /** Reconstructed 32-bit FCntUp. */
  fCnt: number;
  /** null when the frame carries no FPort (MAC commands in FOpts only). */
  fPort: number | null;
  /** Decrypted FRMPayload (with NwkSKey for FPort 0, AppSKey otherwise: 4.3.3). */
  payload: Buffer;
  confirmed: boolean;
}

export type UplinkResult = { ok: true; uplink: DecodedUplink } | Refusal;

/** Authenticates and decrypts one data uplink, advancing the device's counter on success. */
export function processUplink(phy: Buffer, sessions: SessionTable): UplinkResult {
  const read = readDataUpHeader(phy);
  if (!read.ok) return read;
  const { header } = read;
  const candidates = sessions.candidates(header.devAddr);
  if (candidates.length === 0) {
    return refuse(DataCode.LORAWAN_FRAME, `unknown DevAddr ${header.devAddr}`, { devAddr: header.devAddr });
  }
  const packet = parsePacket(phy);
  if (!packet.ok) return { ...packet, devAddr: header.devAddr };
  const refusals = candidates.map((session) => tryCandidate(session, phy, packet.packet, header));
  const accepted = refusals.find((r): r is { ok: true; uplink: DecodedUplink } => r.ok);
  return accepted ?? chooseRefusal(refusals as Refusal[], header.devAddr);
}

function tryCandidate(
  session: AbpSession,
  phy: Buffer,
  packet: LoraPacket,
  header: DataUpHeader,
): UplinkResult {
  const context = { devAddr: header.devAddr, deviceId: session.deviceId };
  const counter = session.checkFCnt(header.fCnt16);
  if (!counter.ok) return { ...counter, ...context };
  const frame = phy.subarray(0, phy.length - 4);
  const mic = session.useKeys((k) => uplinkMic(k.nwkSKey, frame, devAddrBytes(phy), counter.fCnt));
  if (!timingSafeEqual(mic, phy.subarray(phy.length - 4)))
    return refuse(DataCode.LORAWAN_MIC, `MIC ${header.mic} does not verify`, context);
  session.acceptFCnt(counter.fCnt);
  return { ok: true, uplink: decoded(session, phy, packet, header, counter.fCnt) };
}

/** DevAddr as it sits in the frame (little-endian), the form B0 and A_i blocks take. */
function devAddrBytes(phy: Buffer): Buffer {
  return phy.subarray(1, 5);
}

function decoded(
  session: AbpSession,
  phy: Buffer,
  packet: LoraPacket,
  header: DataUpHeader,
  fCnt: number,
): DecodedUplink {
  const frm = packet.FRMPayload ?? Buffer.alloc(0);
  // FPort 0 carries MAC commands, encrypted with the network key (LoRaWAN 1.0.4 section 4.3.3).
  const payload =
    frm.length === 0
      ? Buffer.alloc(0)
      : session.useKeys((k) =>
          cryptFrmPayload(packet.getFPort() === 0 ? k.nwkSKey : k.appSKey, frm, devAddrBytes(phy), fCnt),
        );
  return {
    deviceId: session.deviceId,
    devAddr: header.devAddr,
    fCnt,
    fPort: packet.getFPort(),
    payload,
    confirmed: header.confirmed,
  };
}

/** One candidate: its reason. Several (DevAddr collision): a replay only if every one says so. */
function chooseRefusal(refusals: Refusal[], devAddr: string): Refusal {
  const [first] = refusals;
  if (refusals.length === 1 && first) return first;
  if (refusals.every((r) => r.code === DataCode.LORAWAN_REPLAY)) {
    return refuse(DataCode.LORAWAN_REPLAY, `counter refused by all ${refusals.length} sessions`, { devAddr });
  }
  return refuse(DataCode.LORAWAN_MIC, `no session of DevAddr ${devAddr} verifies the MIC`, { devAddr });
}

function parsePacket(phy: Buffer): { ok: true; packet: LoraPacket } | Refusal {
  try {
    return { ok: true, packet: loraPacket.fromWire(phy) };
  } catch (err) {
    return refuse(DataCode.LORAWAN_FRAME, `lora-packet: ${(err as Error).message}`);
  }
}

function refuse(
  code: DataCode,
  detail: string,
  context: { devAddr?: string; deviceId?: string } = {},
): Refusal {
  return { ok: false, code, detail, ...context };
}
