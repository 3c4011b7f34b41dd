import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { ConfigInvalidError } from "../../services/domain/errors.ts";

/**
 * Session keys at rest: AES-256-GCM under the platform's master key, as
 *
 *   v1:<iv base64>:<tag base64>:<ciphertext base64>
 *
 * with a fresh 96-bit IV per sealing (NIST SP 800-38D 8.2.2: never reuse an IV under one key) and
 * the full 128-bit tag. `context` is bound as additional authenticated data, so that a sealed key
 * copied onto another device or another key slot ("nwk" for "app") fails to open.
 */
export const SEALED_PREFIX = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MASTER_KEY_BYTES = 32;

export function sealKey(plain: Buffer, masterKey: Buffer, context = ""): string {
  checkMasterKey(masterKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return [SEALED_PREFIX, iv, cipher.getAuthTag(), ciphertext]
    .map((p) => (typeof p === "string" ? p : p.toString("base64")))
    .join(":");
}

/**
 * Opens a sealed key. A malformed, tampered or misplaced value is a configuration problem that
 * must stop the start (a device with a wrong key would only produce MIC errors), so it throws.
 */
export function openKey(sealed: string, masterKey: Buffer, context = ""): Buffer {
  checkMasterKey(masterKey);
  const [version, ...rest] = sealed.split(":");
  const [iv, tag, ciphertext] = rest.map((p) => Buffer.from(p, "base64"));
  if (version !== SEALED_PREFIX || rest.length !== 3 || !iv || !tag || !ciphertext) {
    throw new ConfigInvalidError(`sealed key is not in the ${SEALED_PREFIX}:<iv>:<tag>:<ciphertext> format`);
  }
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new ConfigInvalidError("sealed key has a wrong IV or tag length");
  }
  const decipher = createDecipheriv("aes-256-gcm", masterKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // GCM says only "unable to authenticate": wrong master key, altered value, or wrong context.
    throw new ConfigInvalidError("sealed key does not authenticate (wrong master key, or altered)");
  }
}

/** Fixed salt: the passphrase is the installation's secret; the salt only separates this use. */
const SCRYPT_SALT = "lanterne/lorawan-session-keys/v1";

/**
 * The master key from its configured form: 64 hex characters are the key itself; anything else is a
 * passphrase stretched with scrypt (N = 2^15, r = 8, p = 1: the OWASP-recommended minimum).
 */
export function masterKeyFrom(secret: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(secret)) return Buffer.from(secret, "hex");
  if (secret.length < 12) throw new ConfigInvalidError("master key passphrase shorter than 12 characters");
  return scryptSync(secret, SCRYPT_SALT, MASTER_KEY_BYTES, {
    N: 2 ** 15,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  });
}

function checkMasterKey(masterKey: Buffer): void {
  if (masterKey.length !== MASTER_KEY_BYTES) {
    throw new ConfigInvalidError(`master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
  }
}
