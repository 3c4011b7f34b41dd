import { DataCode } from "../../services/domain/errors.ts";

/**
 * Uplink frame counter. The air carries only the 16 low bits of the device's 32-bit FCntUp
 * (LoRaWAN 1.0.x, 4.3.1.5); the network reconstructs the high bits from the last accepted value.
 * A counter more than MAX_FCNT_GAP ahead of the last one is refused (LoRaWAN 1.0.x, 4.3.1.5 and
 * Regional Parameters constant): with 16 visible bits, a value "behind" the last one reads as a
 * jump of nearly 65,536 forward, so old frames replayed later fall here too.
 */
export const MAX_FCNT_GAP = 16_384;
const FCNT16 = 0x1_0000;
const FCNT32_MAX = 0xffff_ffff;

export type FCntCheck = { ok: true; fCnt: number } | { ok: false; code: DataCode; detail: string };

/**
 * The 32-bit counter of a frame whose 16-bit counter is `fcnt16`, given the last accepted 32-bit
 * counter (`undefined` when the session has never accepted a frame: the high bits are then 0).
 * The counter must be strictly greater than the last accepted one.
 */
export function nextFCnt(last: number | undefined, fcnt16: number, maxGap = MAX_FCNT_GAP): FCntCheck {
  if (last === undefined) return { ok: true, fCnt: fcnt16 };
  const candidate = reconstructFCnt(last, fcnt16);
  if (candidate === last) return replay(`FCnt ${candidate} already accepted`);
  if (candidate - last > maxGap) {
    return replay(`FCnt ${fcnt16} (16-bit) is ${candidate - last} after ${last}, more than ${maxGap}`);
  }
  if (candidate > FCNT32_MAX) return replay(`FCnt past 2^32 - 1 after ${last}: the session is exhausted`);
  return { ok: true, fCnt: candidate };
}

/** Same high 16 bits as `last`, or the next ones when the low bits went backwards (a rollover). */
export function reconstructFCnt(last: number, fcnt16: number): number {
  const lastLow = last % FCNT16;
  const high = last - lastLow;
  return fcnt16 < lastLow ? high + FCNT16 + fcnt16 : high + fcnt16;
}

/**
 * The two most significant bytes of the 32-bit counter in the order `lora-packet` expects: they
 * follow the 16 low bits in the B0/Ai blocks, which carry FCnt little-endian (LoRaWAN 1.0.x 4.4, 4.3.3.1).
 */
export function fCntMSBytes(fCnt32: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(Math.floor(fCnt32 / FCNT16) & 0xffff, 0);
  return bytes;
}

function replay(detail: string): FCntCheck {
  return { ok: false, code: DataCode.LORAWAN_REPLAY, detail };
}
