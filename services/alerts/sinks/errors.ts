import createError from "@fastify/error";

/** The webhooks' error catalogue, in the manner of services/domain/errors.ts: tests assert codes. */

/** The webhooks file is unreadable or breaks its schema: every problem is listed, no secret repeated. */
export const WebhookConfigError = createError("ERR_WEBHOOK_CONFIG", "Invalid webhooks file %s:\n%s", 500);
/**
 * A webhook's cursor file exists but does not hold a history id. It is written by rename, so this
 * is not a crash: someone edited it. Lanterne refuses to guess where to resume (too early would
 * resend, too late would lose changes); delete the file to start again from now.
 */
export const WebhookCursorError = createError("ERR_WEBHOOK_CURSOR", "Invalid webhook cursor %s: %s", 500);
