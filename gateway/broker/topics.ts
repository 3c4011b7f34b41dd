/**
 * The MQTT topic scheme for operators (documented in the README):
 *
 *   lanterne/{operator}/readings                      one reading or a batch, device in each reading
 *   lanterne/{operator}/devices/{device}/readings     readings of one device (device may be omitted)
 *
 * An operator publishes only under its own `lanterne/{operator}/` prefix and may subscribe only
 * there too.
 */
export type TopicMatch = { operatorId: string; deviceId?: string } | undefined;

export const TOPIC_ROOT = "lanterne";

export function parseReadingsTopic(topic: string): TopicMatch {
  const parts = topic.split("/");
  if (parts[0] !== TOPIC_ROOT || !parts[1]) return undefined;
  if (parts.length === 3 && parts[2] === "readings") return { operatorId: parts[1] };
  if (parts.length === 5 && parts[2] === "devices" && parts[3] && parts[4] === "readings") {
    return { operatorId: parts[1], deviceId: parts[3] };
  }
  return undefined;
}

export function operatorPrefix(operatorId: string): string {
  return `${TOPIC_ROOT}/${operatorId}/`;
}

/** A subscription filter is allowed when it stays under the operator's own prefix. */
export function subscriptionAllowed(filter: string, operatorId: string): boolean {
  const prefix = operatorPrefix(operatorId);
  return filter.startsWith(prefix) || filter === `${TOPIC_ROOT}/${operatorId}/#`;
}
