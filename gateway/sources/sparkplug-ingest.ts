import { DataCode, violation } from "../../services/domain/errors.ts";
import type { EpochMs, RawUplink } from "../../services/domain/types.ts";
import type { DecodedItem } from "../pipeline/decode.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import { parseTopic } from "../sparkplug/topic.ts";
import {
  createSparkplugSource,
  type DeviceResolver,
  defaultDeviceResolver,
  rebirthCommand,
  type SparkplugHealthEvent,
} from "./sparkplug.ts";

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

/**
 * An edge node's session ended (a valid NDEATH: `down`) or began (NBIRTH: `up`), with the
 * inventory ids of the devices it relayed since its latest NBIRTH (its own id when it sent
 * node metrics, each device it sent a DBIRTH or readings for). Empty for `up`: a new session
 * starts with no device until they are born again.
 */
export interface EdgeNodeChange {
  state: "down" | "up";
  group: string;
  edgeNode: string;
  time: EpochMs;
  detail: string;
  devices: string[];
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
  /** Sparkplug identity -> inventory id (default: naming.ts, the device_id is the inventory id). */
  resolveDevice?: DeviceResolver;
  /** An edge node went down or came back (node-level events only), for the rule engine. */
  onNodeChange?: (change: EdgeNodeChange) => void;
}): SparkplugIngest {
  const health = new Map<string, SparkplugHealthEvent>();
  const maxTracked = deps.maxTracked ?? 50_000;
  const resolveDevice = deps.resolveDevice ?? defaultDeviceResolver;
  const relayed = new RelayedDevices(maxTracked);
  const source = createSparkplugSource({
    config: { maxTracked, resolveDevice },
    onReadings: () => {},
    onHealth: (e) => {
      const key = `${e.group}/${e.edgeNode}/${e.deviceId ?? ""}`;
      // Re-inserted, so that the Map's order is the order events came in: the oldest goes first.
      health.delete(key);
      health.set(key, e);
      if (health.size > maxTracked) health.delete(health.keys().next().value as string);
      nodeChange(e);
    },
    onRebirthRequest: (r) => {
      const command = rebirthCommand(r, deps.now());
      deps.publish(command.topic, command.payload);
    },
  });
  /** Keeps the devices behind each node and tells of the node's births and deaths. */
  function nodeChange(e: SparkplugHealthEvent): void {
    if (e.kind !== "online" && e.kind !== "offline") return;
    if (e.deviceId !== undefined) {
      // A DBIRTH: the device is behind the node even if none of its metrics became a reading.
      const id = e.kind === "online" ? resolveDevice(e.group, e.edgeNode, e.deviceId) : undefined;
      if (id !== undefined) relayed.add(e.group, e.edgeNode, id);
      return;
    }
    if (e.kind === "online") relayed.reset(e.group, e.edgeNode);
    const devices = e.kind === "offline" ? relayed.of(e.group, e.edgeNode) : [];
    const state = e.kind === "offline" ? "down" : "up";
    deps.onNodeChange?.({
      state,
      group: e.group,
      edgeNode: e.edgeNode,
      time: e.time,
      detail: e.detail,
      devices,
    });
  }

  return {
    health,
    async ingest(operatorId, topic, payload, receivedAt) {
      const result = source.handle(topic, payload, receivedAt, operatorId);
      const parsed = result.readings.length > 0 ? parseTopic(topic) : undefined;
      if (parsed?.ok && parsed.topic.kind !== "state") {
        for (const r of result.readings) relayed.add(parsed.topic.group, parsed.topic.edgeNode, r.deviceId);
      }
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

/**
 * The inventory ids each edge node relayed since its latest NBIRTH. Bounded like the session:
 * past `maxNodes` nodes the least recently heard is forgotten (its NDEATH then lists no device).
 */
class RelayedDevices {
  private readonly byNode = new Map<string, Set<string>>();

  constructor(private readonly maxNodes: number) {}

  add(group: string, edgeNode: string, deviceId: string): void {
    const key = `${group}/${edgeNode}`;
    const set = this.byNode.get(key) ?? new Set<string>();
    // Re-inserted: the Map's order is then least recently heard first.
    this.byNode.delete(key);
    this.byNode.set(key, set);
    set.add(deviceId);
    if (this.byNode.size > this.maxNodes) this.byNode.delete(this.byNode.keys().next().value as string);
  }

  reset(group: string, edgeNode: string): void {
    this.byNode.delete(`${group}/${edgeNode}`);
  }

  of(group: string, edgeNode: string): string[] {
    return [...(this.byNode.get(`${group}/${edgeNode}`) ?? [])].sort();
  }
}
