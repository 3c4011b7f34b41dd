import { type Cipher, createCipheriv } from "node:crypto";

/**
 * LoRaWAN 1.0.x uplink cryptography with Node's AES (OpenSSL) rather than a JavaScript AES: the
 * message integrity code (AES-CMAC, RFC 4493, over block B0 and the frame) and the FRMPayload
 * encryption (AES in counter mode over blocks A_i). LoRaWAN 1.0.4 section 4.3.3 and 4.4.
 * Measured against lora-packet's crypto-js: about 190 µs per uplink for both, a few µs here.
 */
const BLOCK = 16;
const UP = 0;

/**
 * One AES-ECB cipher per key, kept: creating a cipher (an OpenSSL context) cost more than the
 * encryption of a whole frame. With padding off, ECB encrypts each complete block given to
 * `update` at once and keeps no state between calls, so one cipher serves every frame of a device.
 * The CMAC subkeys depend on the key alone and are kept with it.
 */
interface KeyState {
  ecb: Cipher;
  k1: Buffer;
  k2: Buffer;
}

const keyStates = new WeakMap<Buffer, KeyState>();

function keyState(key: Buffer): KeyState {
  const known = keyStates.get(key);
  if (known) return known;
  const ecb = createCipheriv("aes-128-ecb", key, null);
  ecb.setAutoPadding(false);
  const k1 = subkey(ecb.update(Buffer.alloc(BLOCK)));
  const state = { ecb, k1, k2: subkey(k1) };
  keyStates.set(key, state);
  return state;
}

/** `data` is whole blocks. */
function aesBlocks(key: Buffer, data: Buffer): Buffer {
  return keyState(key).ecb.update(data);
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

/** AES-CMAC (RFC 4493): CBC-MAC over the blocks, the last one masked with a subkey. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const { ecb, k1, k2 } = keyState(key);
  const n = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = Buffer.alloc(BLOCK);
  message.copy(last, 0, (n - 1) * BLOCK);
  if (!complete) last[message.length - (n - 1) * BLOCK] = 0x80;
  const sub = complete ? k1 : k2;
  let x = Buffer.alloc(BLOCK);
  for (let b = 0; b < n; b++) {
    const input = Buffer.alloc(BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      const m = b < n - 1 ? (message[b * BLOCK + i] ?? 0) : (last[i] ?? 0) ^ (sub[i] ?? 0);
      input[i] = (x[i] ?? 0) ^ m;
    }
    x = ecb.update(input);
  }
  return x;
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
