/**
 * The MQTT topic scheme for operators (documented in the README):
 *
 *   lanterne/{operator}/readings                      one reading or a batch, device in each reading
 *   lanterne/{operator}/devices/{device}/readings     readings of one device (device may be omitted)
 *
 * with the suffix `/pb`, the same as a protobuf envelope (protos/lanterne/v1/readings.proto)
 * rather than JSON. The format is named by the topic, never guessed from the bytes: a protobuf
 * Readings can start with the same bytes as a JSON document.
 *
 * An operator publishes only under its own `lanterne/{operator}/` prefix and may subscribe only
 * there too.
 */
export type PayloadFormat = "json" | "protobuf";

export type TopicMatch = { operatorId: string; deviceId?: string; format: PayloadFormat } | undefined;

export const TOPIC_ROOT = "lanterne";

export function parseReadingsTopic(topic: string): TopicMatch {
  const all = topic.split("/");
  const format: PayloadFormat = all.at(-1) === "pb" ? "protobuf" : "json";
  const parts = format === "protobuf" ? all.slice(0, -1) : all;
  if (parts[0] !== TOPIC_ROOT || !parts[1]) return undefined;
  if (parts.length === 3 && parts[2] === "readings") return { operatorId: parts[1], format };
  if (parts.length === 5 && parts[2] === "devices" && parts[3] && parts[4] === "readings") {
    return { operatorId: parts[1], deviceId: parts[3], format };
  }
  return undefined;
}

export function operatorPrefix(operatorId: string): string {
  return `${TOPIC_ROOT}/${operatorId}/`;
}

/**
 * A subscription filter is allowed when it stays under the operator's own prefix: its first level
 * is `lanterne`, its second exactly the operator's id (no wildcard there), and it has at least one
 * level below. Compared level by level, never as a string prefix, so that `lanterne/lumiere-estX/#`
 * is not taken for `lumiere-est`'s. `#`, `+/#`, `lanterne/+/readings`, `$SYS/#` are refused.
 */
export function subscriptionAllowed(filter: string, operatorId: string): boolean {
  const [root, operator, ...below] = filter.split("/");
  return root === TOPIC_ROOT && operator === operatorId && below.length > 0;
}
