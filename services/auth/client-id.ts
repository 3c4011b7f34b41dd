/**
 * MQTT client ids are namespaced per operator (README, "MQTT"). An MQTT broker closes a session
 * when another CONNECT arrives with the same client id [MQTT-3.1.4-2]; without namespaces any
 * operator could disconnect another (or resume its persistent session) by reusing its id.
 *
 * The namespace of operator `op` is `op` itself and every id starting with `op` followed by one of
 * `-`, `:` or `/` (`lumiere-est`, `lumiere-est-armoire-12`, `lumiere-est:sim`, `lumiere-est/1`).
 * Operator ids may contain `-`, so `lumiere-est-1` could read as `lumiere` + `-est-1`: an id
 * belongs to the operator with the longest id that matches.
 */
export const CLIENT_ID_SEPARATORS: readonly string[] = ["-", ":", "/"];

/** The operator whose namespace holds `clientId`, if any. */
export function clientIdOwner(clientId: string, operatorIds: Iterable<string>): string | undefined {
  let owner: string | undefined;
  for (const op of operatorIds) {
    const inside =
      clientId === op ||
      (clientId.startsWith(op) && CLIENT_ID_SEPARATORS.includes(clientId.charAt(op.length)));
    if (inside && op.length > (owner?.length ?? -1)) owner = op;
  }
  return owner;
}

/**
 * The client id a connection of `operatorId` is registered under, or undefined when the requested
 * id lies in another operator's namespace (the CONNECT is refused: identifier rejected).
 *
 * An id in no operator's namespace (a library's default such as `mqttjs_3f9a...`, a device's serial
 * number, the broker's own id for an empty one) is confined to the operator's namespace as
 * `{operator}/{id}` instead of being refused: clients that let their library choose keep working,
 * and two operators that happen to pick the same such id get two sessions, never one shared.
 */
export function sessionClientId(
  requested: string,
  operatorId: string,
  operatorIds: Iterable<string>,
): string | undefined {
  const owner = clientIdOwner(requested, operatorIds);
  if (owner === operatorId) return requested;
  if (owner !== undefined) return undefined;
  return `${operatorId}/${requested}`;
}
