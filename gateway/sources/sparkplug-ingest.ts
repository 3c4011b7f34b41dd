import { DataCode, violation } from "../../services/domain/errors.ts";
import type { EpochMs, RawUplink } from "../../services/domain/types.ts";
import type { DecodedItem } from "../pipeline/decode.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import { createSparkplugSource, rebirthCommand, type SparkplugHealthEvent } from "./sparkplug.ts";

/**
 * Sparkplug B on the embedded broker: an operator's edge nodes publish under
 * `spBv1.0/{group}/...` where the group is the operator's id (its ACL, as `lanterne/{operator}/`
 * is for JSON). Readings face the contracts as the operator's; a refused message is kept in
 * quarantine (as base64); health events (node or device online/offline, sequence gaps) are kept
 * per node; rebirth requests are published back to the node (NCMD, QoS 0, not retained).
 */
export interface SparkplugIngest {
  /** Resolves once the message's readings and refusals are durable. */
  ingest(operatorId: string, topic: string, payload: Buffer, receivedAt: EpochMs): Promise<void>;
  /** Latest health event per node and device. */
  health: Map<string, SparkplugHealthEvent>;
}

export function createSparkplugIngest(deps: {
  pipeline: Pipeline;
  publish: (topic: string, payload: Buffer) => void;
  now: () => EpochMs;
  /**
   * Most nodes and devices whose session state and latest health event are kept (default
   * 50,000, the session's): the least recently heard go first, so that edge node ids an operator
   * keeps changing cannot grow the process without end.
   */
  maxTracked?: number;
}): SparkplugIngest {
  const health = new Map<string, SparkplugHealthEvent>();
  const maxTracked = deps.maxTracked ?? 50_000;
  const source = createSparkplugSource({
    config: { maxTracked },
    onReadings: () => {},
    onHealth: (e) => {
      const key = `${e.group}/${e.edgeNode}/${e.deviceId ?? ""}`;
      // Re-inserted, so that the Map's order is the order events came in: the oldest goes first.
      health.delete(key);
      health.set(key, e);
      if (health.size > maxTracked) health.delete(health.keys().next().value as string);
    },
    onRebirthRequest: (r) => {
      const command = rebirthCommand(r, deps.now());
      deps.publish(command.topic, command.payload);
    },
  });
  return {
    health,
    async ingest(operatorId, topic, payload, receivedAt) {
      const result = source.handle(topic, payload, receivedAt, operatorId);
      const uplink: RawUplink = { source: "sparkplug", operatorId, receivedAt, payload, format: "protobuf" };
      const waits: Promise<void>[] = [];
      // A skipped metric keeps the rest of the message and is reported with it; a refused
      // message is kept whole in quarantine.
      const skipped = result.problems
        .filter((p) => p.scope === "metric")
        .map((p) => violation(DataCode.METRIC_SKIPPED, p.path, `${p.code}: ${p.detail}`));
      if (result.readings.length > 0) {
        const items: DecodedItem[] = result.readings.map((reading, index) => ({
          index,
          raw: { topic, ...reading },
          reading,
          problems: index === 0 ? skipped : [],
        }));
        waits.push(deps.pipeline.ingestItems(uplink, items).durable);
      } else {
        for (const reason of skipped) waits.push(deps.pipeline.refuse(uplink, reason));
      }
      for (const p of result.problems) {
        if (p.scope === "message")
          waits.push(deps.pipeline.refuse(uplink, violation(p.code as DataCode, p.path, p.detail)));
      }
      await Promise.all(waits);
    },
  };
}

/** The Sparkplug group an operator may publish and subscribe under: its own id. */
export function sparkplugGroup(topic: string): string | undefined {
  const [namespace, group] = topic.split("/");
  return namespace === "spBv1.0" && group ? group : undefined;
}
