import { createHmac } from "node:crypto";

/**
 * How a receiver knows a webhook request comes from Lanterne and was not replayed.
 *
 * Every request carries `x-lanterne-timestamp` (Unix time in seconds, decimal) and
 * `x-lanterne-signature: sha256=<hex>`, where `<hex>` is HMAC-SHA256, keyed with the webhook's
 * secret (its UTF-8 bytes), of the ASCII timestamp, a dot, and the raw request body exactly as
 * received, before any JSON parsing. To verify, a receiver:
 *   1. computes that HMAC over `timestamp + "." + rawBody` with the shared secret;
 *   2. compares it with the header's hex in constant time (crypto.timingSafeEqual, hmac.compare_digest);
 *   3. rejects a timestamp more than a few minutes from its own clock (a replayed request);
 *   4. deduplicates by `x-lanterne-delivery` (the history id): delivery is at least once.
 * Each retry is signed again with a fresh timestamp, so a change retried for hours still passes 3.
 */
export const SIGNATURE_PREFIX = "sha256=";

export function signBody(secret: string, timestamp: string, body: string): string {
  const hex = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `${SIGNATURE_PREFIX}${hex}`;
}
