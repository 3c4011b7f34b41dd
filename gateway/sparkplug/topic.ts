/**
 * Sparkplug B topic namespace (Sparkplug 3.0.0, §4.1 "Topic Namespace Elements"):
 * `spBv1.0/{group_id}/{message_type}/{edge_node_id}[/{device_id}]`, and for Host Applications
 * `spBv1.0/STATE/{host_id}` (§4.1.2, tck-id-topic-structure-namespace-a).
 */
export const SPARKPLUG_NAMESPACE = "spBv1.0";

export const NODE_MESSAGES = ["NBIRTH", "NDATA", "NDEATH", "NCMD"] as const;
export const DEVICE_MESSAGES = ["DBIRTH", "DDATA", "DDEATH", "DCMD"] as const;
export type NodeMessage = (typeof NODE_MESSAGES)[number];
export type DeviceMessage = (typeof DEVICE_MESSAGES)[number];
export type MessageType = NodeMessage | DeviceMessage;

export type SparkplugTopic =
  | { kind: "node"; group: string; type: NodeMessage; edgeNode: string }
  | { kind: "device"; group: string; type: DeviceMessage; edgeNode: string; deviceId: string }
  | { kind: "state"; hostId: string };

export type TopicResult = { ok: true; topic: SparkplugTopic } | { ok: false; detail: string };

/** True for any topic in the Sparkplug B namespace (the broker routes these here). */
export function isSparkplugTopic(topic: string): boolean {
  return topic.startsWith(`${SPARKPLUG_NAMESPACE}/`);
}

export function parseTopic(topic: string): TopicResult {
  const parts = topic.split("/");
  if (parts[0] !== SPARKPLUG_NAMESPACE) return fail(`namespace must be ${SPARKPLUG_NAMESPACE}`, topic);
  // §4.1.2 (3.0.0): the Host Application STATE topic carries no group.
  if (parts[1] === "STATE") return stateTopic(parts, topic);
  const [, group, type, edgeNode, deviceId] = parts;
  if (!group) return fail("group_id is empty", topic);
  if (!type) return fail("message_type is missing", topic);
  if (!edgeNode) return fail("edge_node_id is missing or empty", topic);
  if (isNodeMessage(type)) {
    if (parts.length !== 4) return fail(`${type} takes no device_id`, topic);
    return { ok: true, topic: { kind: "node", group, type, edgeNode } };
  }
  if (isDeviceMessage(type)) {
    if (parts.length !== 5 || !deviceId) return fail(`${type} needs exactly one non-empty device_id`, topic);
    return { ok: true, topic: { kind: "device", group, type, edgeNode, deviceId } };
  }
  return fail(`unknown message_type "${type}"`, topic);
}

function stateTopic(parts: string[], topic: string): TopicResult {
  const hostId = parts[2];
  if (parts.length !== 3 || !hostId) return fail("STATE needs exactly one host_id", topic);
  return { ok: true, topic: { kind: "state", hostId } };
}

function isNodeMessage(type: string): type is NodeMessage {
  return (NODE_MESSAGES as readonly string[]).includes(type);
}

function isDeviceMessage(type: string): type is DeviceMessage {
  return (DEVICE_MESSAGES as readonly string[]).includes(type);
}

function fail(reason: string, topic: string): TopicResult {
  return { ok: false, detail: `Sparkplug topic "${topic}": ${reason}` };
}
