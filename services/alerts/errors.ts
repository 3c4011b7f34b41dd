import createError from "@fastify/error";

/**
 * The alert store's error catalogue, in the manner of services/domain/errors.ts: tests and the
 * HTTP layer assert codes, never message text.
 */
export const AlertNotFoundError = createError("ERR_ALERT_NOT_FOUND", "Alert %s not found", 404);
/** Acknowledging twice, closing a closed alert...: the alert is left as it was. */
export const AlertTransitionError = createError("ERR_ALERT_TRANSITION", "Alert %s cannot be %s from %s", 409);
/** Someone else changed the alert since the caller read it: read again, then decide. */
export const AlertStaleError = createError("ERR_ALERT_STALE", "Alert %s is at version %s, not %s", 409);
export const AlertCommentError = createError("ERR_ALERT_COMMENT", "Invalid comment: %s", 400);

export const MAX_COMMENT_LENGTH = 4_000;
