import sparkplug from "sparkplug-payload";
import type { EpochMs } from "../../services/domain/types.ts";
import type { RebirthRequest } from "./session.ts";
import { SPARKPLUG_NAMESPACE } from "./topic.ts";

const codec = sparkplug.get("spBv1.0");

/**
 * The NCMD that asks an edge node to publish its NBIRTH (and DBIRTHs) again: metric
 * `Node Control/Rebirth`, Boolean true (Sparkplug 3.0.0 §6.4.3, tck-id-operational-behavior-
 * host-application-rebirth-request). To publish at QoS 0, not retained (tck-id-topics-ncmd-*).
 */
export function rebirthCommand(request: RebirthRequest, now: EpochMs): { topic: string; payload: Buffer } {
  if (!codec) throw new Error("sparkplug-payload has no spBv1.0 codec");
  const payload = codec.encodePayload({
    timestamp: now,
    metrics: [{ name: "Node Control/Rebirth", type: "Boolean", value: true, timestamp: now }],
  });
  return {
    topic: `${SPARKPLUG_NAMESPACE}/${request.group}/NCMD/${request.edgeNode}`,
    payload: Buffer.from(payload),
  };
}
