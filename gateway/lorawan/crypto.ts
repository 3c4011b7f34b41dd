import { createCipheriv } from "node:crypto";

/**
 * LoRaWAN 1.0.x uplink cryptography with Node's AES (OpenSSL) rather than a JavaScript AES: the
 * message integrity code (AES-CMAC, RFC 4493, over block B0 and the frame) and the FRMPayload
 * encryption (AES in counter mode over blocks A_i). LoRaWAN 1.0.4 section 4.3.3 and 4.4.
 * Measured against lora-packet's crypto-js: about 190 µs per uplink for both, a few µs here.
 */
const BLOCK = 16;
const UP = 0;

function aesBlocks(key: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv("aes-128-ecb", key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** B0 (MIC) and A_i (encryption) share their layout: tag, 4 zero bytes, direction, DevAddr, FCnt. */
function block(tag: number, devAddrLE: Buffer, fCnt: number, last: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b[0] = tag;
  b[5] = UP;
  devAddrLE.copy(b, 6, 0, 4);
  b.writeUInt32LE(fCnt >>> 0, 10);
  b[15] = last;
  return b;
}

function shiftLeft(input: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((input[i] ?? 0) << 1) | ((input[i + 1] ?? 0) >> 7);
  out[BLOCK - 1] = ((input[BLOCK - 1] ?? 0) << 1) & 0xff;
  return out;
}

function subkey(input: Buffer): Buffer {
  const k = shiftLeft(input);
  if (((input[0] ?? 0) & 0x80) !== 0) k[BLOCK - 1] = (k[BLOCK - 1] ?? 0) ^ 0x87;
  return k;
}

/** AES-CMAC (RFC 4493). */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const k1 = subkey(aesBlocks(key, Buffer.alloc(BLOCK)));
  const k2 = subkey(k1);
  const n = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = Buffer.alloc(BLOCK);
  message.copy(last, 0, (n - 1) * BLOCK);
  if (!complete) last[message.length - (n - 1) * BLOCK] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < BLOCK; i++) last[i] = (last[i] ?? 0) ^ (sub[i] ?? 0);
  const cipher = createCipheriv("aes-128-cbc", key, Buffer.alloc(BLOCK));
  cipher.setAutoPadding(false);
  const blocks = Buffer.concat([message.subarray(0, (n - 1) * BLOCK), last]);
  const out = Buffer.concat([cipher.update(blocks), cipher.final()]);
  return out.subarray(out.length - BLOCK);
}

/** The 4-byte MIC of an uplink: `frame` is the PHYPayload without its MIC. */
export function uplinkMic(nwkSKey: Buffer, frame: Buffer, devAddrLE: Buffer, fCnt: number): Buffer {
  const b0 = block(0x49, devAddrLE, fCnt, frame.length);
  return aesCmac(nwkSKey, Buffer.concat([b0, frame])).subarray(0, 4);
}

/** FRMPayload encryption and decryption (the same XOR with the key stream). */
export function cryptFrmPayload(key: Buffer, payload: Buffer, devAddrLE: Buffer, fCnt: number): Buffer {
  const n = Math.ceil(payload.length / BLOCK);
  const blocks = Buffer.concat(Array.from({ length: n }, (_, i) => block(0x01, devAddrLE, fCnt, i + 1)));
  const stream = aesBlocks(key, blocks);
  const out = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = (payload[i] ?? 0) ^ (stream[i] ?? 0);
  return out;
}
