import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Operator secrets and API tokens are stored as scrypt hashes only, in the form
 * `scrypt$N$r$p$<salt base64>$<hash base64>`, so that a leaked territory file gives no
 * credential away. The parameters travel with the hash: they can be raised later and old
 * hashes still verify. N=2^14, r=8, p=1 is the interactive-login cost from the scrypt paper
 * (about 16 MiB and tens of milliseconds per check).
 */
const COST = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds on the parameters accepted from a stored hash, so a mistyped file cannot exhaust memory. */
const MAX = { N: 2 ** 20, r: 32, p: 16 } as const;

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, salt, KEY_BYTES, COST);
  const { N, r, p } = COST;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** True when `secret` matches `stored`; false as well when `stored` is not a valid hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === undefined) return false;
  const key = await derive(secret, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(key, parsed.hash);
}

/** Whether `stored` has the hash format, for configuration checks at start. */
export function isSecretHash(stored: string): boolean {
  return parseHash(stored) !== undefined;
}

interface ParsedHash {
  cost: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split("$");
  if (scheme !== "scrypt" || rest.length > 0 || salt === undefined || hash === undefined) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (!validCost(cost)) return undefined;
  const parsed = { cost, salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
  return parsed.salt.length > 0 && parsed.hash.length >= 16 ? parsed : undefined;
}

function validCost({ N, r, p }: { N: number; r: number; p: number }): boolean {
  const inRange = (v: number, max: number) => Number.isInteger(v) && v > 0 && v <= max;
  return (
    inRange(N, MAX.N) && N > 1 && Number.isInteger(Math.log2(N)) && inRange(r, MAX.r) && inRange(p, MAX.p)
  );
}

function derive(secret: string, salt: Buffer, length: number, cost: ScryptOptions): Promise<Buffer> {
  const maxmem = 256 * (cost.N ?? 0) * (cost.r ?? 0) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    // NFC: "é" typed as one code point or as e + accent is the same secret.
    scrypt(secret.normalize("NFC"), salt, length, { ...cost, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}
