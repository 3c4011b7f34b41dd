import { DataCode } from "../../services/domain/errors.ts";
import type { EpochMs, FieldValue, Violation } from "../../services/domain/types.ts";
import { type DeviceResolver, defaultDeviceResolver, defaultFieldNamer, type FieldNamer } from "./naming.ts";
import {
  convertValue,
  DataType,
  decodeSparkplug,
  integerOf,
  type SparkplugMetric,
  type SparkplugPayload,
} from "./payload.ts";
import { parseTopic, type SparkplugTopic } from "./topic.ts";

/**
 * The Sparkplug B state a Host Application keeps per edge node (Sparkplug 3.0.0, §5 "Operational
 * Behavior"), as a pure state machine: bytes and a topic in, values out, never an exception, no
 * transport. What it tracks per edge node: online or not, the bdSeq of its NBIRTH, the last seq,
 * the metrics (name, alias, datatype) its NBIRTH and each DBIRTH declared, and when a rebirth was
 * last asked for.
 */

/** One reading for the pipeline: `deviceId` is the inventory id, `data` uses contract field names. */
export interface SparkplugReading {
  deviceId: string;
  time: EpochMs;
  data: Record<string, FieldValue>;
}

export type HealthKind = "online" | "offline" | "sequence-gap" | "unknown-alias" | "data-before-birth";

export interface SparkplugHealthEvent {
  kind: HealthKind;
  group: string;
  edgeNode: string;
  /** Sparkplug device_id (not the inventory id); absent for the edge node itself. */
  deviceId?: string;
  time: EpochMs;
  detail: string;
}

/**
 * A data problem. `scope: "message"` refuses the whole message (quarantine it, with the bytes);
 * `scope: "metric"` dropped one metric and kept the rest.
 */
export interface SparkplugProblem extends Violation {
  topic: string;
  scope: "message" | "metric";
}

/** Ask the edge node for a rebirth: publish NCMD `Node Control/Rebirth` = true (§6.4.3). */
export interface RebirthRequest {
  group: string;
  edgeNode: string;
  reason: string;
}

export interface SparkplugResult {
  readings: SparkplugReading[];
  health: SparkplugHealthEvent[];
  problems: SparkplugProblem[];
  rebirthRequests: RebirthRequest[];
}

export interface SparkplugSessionConfig {
  /** Sparkplug identity -> inventory id (default: device_id, or edge_node_id for node metrics). */
  resolveDevice?: DeviceResolver;
  /** Metric name -> contract field name, undefined drops it (default: snake_case, session metrics dropped). */
  fieldName?: FieldNamer;
  /**
   * Ask for a rebirth on a seq gap (default true). A host that does not reorder treats a gap as
   * the end of its reorder timeout (tck-id-operational-behavior-host-reordering-rebirth).
   */
  rebirthOnSequenceGap?: boolean;
  /** At most one rebirth request per edge node in this period until its NBIRTH (default 30 s). */
  rebirthRetryMs?: number;
  /**
   * Most edge nodes and devices whose state is kept, together (default 50,000): past it the
   * least recently heard node is forgotten, devices and all. Without a bound, an operator whose
   * edge node ids change (a counter or a boot time in the id) grew the state by about a kilobyte
   * a message until the process ran out of memory. A forgotten node that speaks again is asked
   * for a rebirth, as after any loss of state (§5.15).
   */
  maxTracked?: number;
}

export interface NodeStatus {
  online: boolean;
  bdSeq?: bigint;
  lastSeq?: number;
  devices: { deviceId: string; online: boolean }[];
}

export interface SparkplugSession {
  handle(topic: string, payload: Uint8Array, receivedAt: EpochMs): SparkplugResult;
  /** What is known of an edge node, for device views and tests. */
  nodeStatus(group: string, edgeNode: string): NodeStatus | undefined;
}

interface MetricDef {
  name: string;
  datatype: number;
}

interface Registry {
  byAlias: Map<bigint, MetricDef>;
  byName: Map<string, MetricDef>;
}

interface DeviceState {
  online: boolean;
  metrics: Registry;
}

interface NodeState {
  online: boolean;
  bdSeq?: bigint;
  lastSeq?: number;
  metrics: Registry;
  devices: Map<string, DeviceState>;
  rebirthAskedAt?: EpochMs;
}

type DataTopic = Exclude<SparkplugTopic, { kind: "state" }>;

/** One message being handled: its parts and where its results go. */
interface Message {
  raw: string;
  topic: DataTopic;
  payload: SparkplugPayload;
  receivedAt: EpochMs;
  out: SparkplugResult;
}

const SEQ_MODULO = 256;
const DEFAULT_MAX_TRACKED = 50_000;
/** How far ahead of the reception an edge node's clock may be (the pipeline's limit for readings). */
const MAX_SKEW_MS = 300_000;

export function createSparkplugSession(config: SparkplugSessionConfig = {}): SparkplugSession {
  const nodes = new Map<string, NodeState>();
  const resolveDevice = config.resolveDevice ?? defaultDeviceResolver;
  const fieldName = config.fieldName ?? defaultFieldNamer;
  const rebirthOnGap = config.rebirthOnSequenceGap ?? true;
  const retryMs = config.rebirthRetryMs ?? 30_000;
  const maxTracked = config.maxTracked ?? DEFAULT_MAX_TRACKED;
  /** Nodes plus their devices held in `nodes`. */
  let tracked = 0;

  const key = (group: string, edgeNode: string) => `${group}\u0000${edgeNode}`;
  const nodeOf = (m: Message) => nodes.get(key(m.topic.group, m.topic.edgeNode));

  /** Keeps `nodes` in the order nodes were last heard (a Map keeps insertion order): oldest first. */
  function touch(k: string): void {
    const node = nodes.get(k);
    if (!node) return;
    nodes.delete(k);
    nodes.set(k, node);
  }

  function setNode(k: string, node: NodeState): void {
    const old = nodes.get(k);
    if (old) tracked -= 1 + old.devices.size;
    nodes.delete(k);
    nodes.set(k, node);
    tracked += 1 + node.devices.size;
    trim(k);
  }

  function setDevice(k: string, node: NodeState, deviceId: string, device: DeviceState): void {
    if (!node.devices.has(deviceId)) tracked++;
    node.devices.delete(deviceId);
    node.devices.set(deviceId, device);
    trim(k);
  }

  /** Forgets the least recently heard nodes, then (one node holding it all) its oldest devices. */
  function trim(current: string): void {
    while (tracked > maxTracked) {
      const [oldest, node] = nodes.entries().next().value as [string, NodeState];
      if (oldest !== current) {
        nodes.delete(oldest);
        tracked -= 1 + node.devices.size;
        continue;
      }
      const device = node.devices.keys().next();
      if (device.done) return;
      node.devices.delete(device.value);
      tracked--;
    }
  }

  const deviceIdOf = (m: Message) => (m.topic.kind === "device" ? m.topic.deviceId : undefined);
  const eventTime = (m: Message) => m.payload.timestamp ?? m.receivedAt;

  /**
   * A health event is dated by the edge node's clock when it is plausible (after 1970, not past
   * the reception by more than a clock's skew), else by the reception: a uint64 timestamp of
   * 2^64-1 made every view of the health (ISO 8601) throw. Readings keep the payload's time as it
   * is, for the pipeline's time check to refuse.
   */
  function healthTime(m: Message): EpochMs {
    const t = m.payload.timestamp;
    return t !== undefined && t >= 0 && t <= m.receivedAt + MAX_SKEW_MS ? t : m.receivedAt;
  }

  function health(m: Message, kind: HealthKind, detail: string, deviceId = deviceIdOf(m)): void {
    const { group, edgeNode } = m.topic;
    m.out.health.push({
      kind,
      group,
      edgeNode,
      ...(deviceId !== undefined ? { deviceId } : {}),
      time: kind === "offline" ? m.receivedAt : healthTime(m),
      detail,
    });
  }

  function problem(m: Message, code: DataCode, path: string, detail: string, scope: "message" | "metric") {
    m.out.problems.push({ code, path, detail, topic: m.raw, scope });
  }

  /** Throttled per node until its next NBIRTH, which replaces the node state. */
  function requestRebirth(m: Message, reason: string): void {
    const k = key(m.topic.group, m.topic.edgeNode);
    const node = nodes.get(k) ?? emptyNode(false);
    if (!nodes.has(k)) setNode(k, node);
    if (node.rebirthAskedAt !== undefined && m.receivedAt - node.rebirthAskedAt < retryMs) return;
    node.rebirthAskedAt = m.receivedAt;
    m.out.rebirthRequests.push({ group: m.topic.group, edgeNode: m.topic.edgeNode, reason });
  }

  /** §5.15: a host that receives data it cannot interpret asks for a rebirth, and keeps nothing. */
  function dataBeforeBirth(m: Message, what: string): void {
    health(m, "data-before-birth", `${m.topic.type} before ${what}`);
    requestRebirth(m, `${m.topic.type} before ${what}`);
  }

  /**
   * tck-id-payloads-sequence-num-incrementing: every message of an edge node after its NBIRTH
   * (NDEATH excepted, tck-id-payloads-ndeath-seq) carries the previous seq + 1, 255 wrapping to 0.
   */
  function checkSeq(m: Message, node: NodeState): void {
    const seq = m.payload.seq;
    if (seq === undefined) return;
    const expected = node.lastSeq === undefined ? undefined : (node.lastSeq + 1) % SEQ_MODULO;
    node.lastSeq = seq;
    if (expected === undefined || seq === expected) return;
    health(m, "sequence-gap", `expected seq ${expected}, got ${seq}`);
    if (rebirthOnGap) requestRebirth(m, `seq gap: expected ${expected}, got ${seq}`);
  }

  /** BIRTH metrics carry name, alias and datatype (tck-id-payloads-alias-birth-requirement). */
  function declare(
    m: Message,
    registry: Registry,
    metric: SparkplugMetric,
    i: number,
  ): MetricDef | undefined {
    if (metric.name === undefined) {
      problem(m, DataCode.PAYLOAD_SHAPE, `metrics[${i}].name`, "BIRTH metric without a name", "metric");
      return undefined;
    }
    const def = { name: metric.name, datatype: metric.datatype ?? DataType.Unknown };
    registry.byName.set(def.name, def);
    if (metric.alias !== undefined) registry.byAlias.set(metric.alias, def);
    return def;
  }

  /** DATA metrics carry only the alias when aliases are used (tck-id-payloads-alias-data-cmd-requirement). */
  function lookup(m: Message, registry: Registry, metric: SparkplugMetric, i: number): MetricDef | undefined {
    const def =
      (metric.alias !== undefined ? registry.byAlias.get(metric.alias) : undefined) ??
      (metric.name !== undefined ? registry.byName.get(metric.name) : undefined);
    if (def) return def;
    if (metric.alias === undefined && metric.name === undefined) {
      problem(m, DataCode.PAYLOAD_SHAPE, `metrics[${i}]`, "metric with neither name nor alias", "metric");
      return undefined;
    }
    // §5.15 lists an unknown alias, or a metric the BIRTH did not declare, as a reason to rebirth.
    const which = metric.alias !== undefined ? `alias ${metric.alias}` : `metric "${metric.name}"`;
    health(m, "unknown-alias", `${which} not declared by the last BIRTH`);
    requestRebirth(m, `unknown ${which}`);
    return undefined;
  }

  /** Converts the metrics to contract fields, grouped by time (metric timestamp, else payload's). */
  function fields(m: Message, registry: Registry, birth: boolean): Map<EpochMs, Record<string, FieldValue>> {
    const byTime = new Map<EpochMs, Record<string, FieldValue>>();
    m.payload.metrics.forEach((metric, i) => {
      const def = birth ? declare(m, registry, metric, i) : lookup(m, registry, metric, i);
      // is_transient: of interest to hosts but not to be historized (§6.4.6); null: no value.
      if (!def || metric.isNull || metric.isTransient) return;
      const field = fieldName(def.name, m.topic.group);
      if (field === undefined) return;
      const converted = convertValue(metric.datatype ?? def.datatype, metric.value);
      if (!converted.ok) {
        problem(m, DataCode.PAYLOAD_SHAPE, `metrics[${i}]`, `"${def.name}": ${converted.detail}`, "metric");
        return;
      }
      const time = metric.timestamp ?? eventTime(m);
      const data = byTime.get(time) ?? {};
      data[field] = converted.value;
      byTime.set(time, data);
    });
    return byTime;
  }

  function readings(m: Message, registry: Registry, birth: boolean): void {
    const byTime = fields(m, registry, birth);
    if (byTime.size === 0) return;
    const sparkplugDevice = deviceIdOf(m);
    const deviceId = resolveDevice(m.topic.group, m.topic.edgeNode, sparkplugDevice);
    if (deviceId === undefined) {
      const who = sparkplugDevice ?? `edge node ${m.topic.edgeNode}`;
      problem(m, DataCode.DEVICE_UNKNOWN, "topic", `no inventory device for ${who}`, "message");
      return;
    }
    for (const [time, data] of byTime) m.out.readings.push({ deviceId, time, data });
  }

  function bdSeqOf(payload: SparkplugPayload): bigint | undefined {
    const metric = payload.metrics.find((x) => x.name === "bdSeq");
    return metric ? integerOf(metric.value) : undefined;
  }

  /** §5.4 / tck-id-payloads-nbirth-seq: NBIRTH starts a new session; devices must be born again. */
  function nbirth(m: Message): void {
    const node = emptyNode(true);
    const bdSeq = bdSeqOf(m.payload);
    if (bdSeq !== undefined) node.bdSeq = bdSeq;
    if (m.payload.seq !== undefined) node.lastSeq = m.payload.seq;
    setNode(key(m.topic.group, m.topic.edgeNode), node);
    health(m, "online", `NBIRTH bdSeq=${bdSeq ?? "none"} seq=${m.payload.seq ?? "none"}`);
    readings(m, node.metrics, true);
  }

  function ndata(m: Message): void {
    const node = nodeOf(m);
    if (!node?.online) {
      dataBeforeBirth(m, "NBIRTH");
      return;
    }
    checkSeq(m, node);
    readings(m, node.metrics, false);
  }

  /**
   * NDEATH, often the MQTT Will: it counts only if its bdSeq is the one of the current NBIRTH
   * (tck-id-payloads-ndeath-bdseq); an older one is a stale Will of a previous connection. All
   * devices of the node go offline with it (§5.7, tck-id-operational-behavior-edge-node-
   * termination-host-action-ndeath-devices-offline).
   */
  function ndeath(m: Message): void {
    const node = nodeOf(m);
    if (!node?.online) return;
    const bdSeq = bdSeqOf(m.payload);
    if (bdSeq !== undefined && node.bdSeq !== undefined && bdSeq !== node.bdSeq) return;
    for (const [deviceId, device] of node.devices) {
      if (device.online) health(m, "offline", "edge node NDEATH", deviceId);
      device.online = false;
    }
    node.online = false;
    node.metrics = emptyRegistry();
    health(m, "offline", `NDEATH bdSeq=${bdSeq ?? "none"}`);
  }

  function dbirth(m: Message, deviceId: string): void {
    const node = nodeOf(m);
    if (!node?.online) {
      dataBeforeBirth(m, "NBIRTH");
      return;
    }
    checkSeq(m, node);
    const device: DeviceState = { online: true, metrics: emptyRegistry() };
    setDevice(key(m.topic.group, m.topic.edgeNode), node, deviceId, device);
    health(m, "online", `DBIRTH seq=${m.payload.seq ?? "none"}`);
    readings(m, device.metrics, true);
  }

  function ddata(m: Message, deviceId: string): void {
    const node = nodeOf(m);
    if (!node?.online) {
      dataBeforeBirth(m, "NBIRTH");
      return;
    }
    checkSeq(m, node);
    const device = node.devices.get(deviceId);
    if (!device?.online) {
      dataBeforeBirth(m, "DBIRTH");
      return;
    }
    readings(m, device.metrics, false);
  }

  function ddeath(m: Message, deviceId: string): void {
    const node = nodeOf(m);
    if (!node?.online) return;
    checkSeq(m, node);
    const device = node.devices.get(deviceId);
    if (!device?.online) return;
    device.online = false;
    device.metrics = emptyRegistry();
    health(m, "offline", "DDEATH");
  }

  function dispatch(m: Message): void {
    const t = m.topic;
    switch (t.type) {
      case "NBIRTH":
        nbirth(m);
        break;
      case "NDATA":
        ndata(m);
        break;
      case "NDEATH":
        ndeath(m);
        break;
      case "DBIRTH":
        dbirth(m, t.deviceId);
        break;
      case "DDATA":
        ddata(m, t.deviceId);
        break;
      case "DDEATH":
        ddeath(m, t.deviceId);
        break;
      case "NCMD":
      case "DCMD":
        break; // Commands to the edge, not data.
    }
  }

  function handle(topic: string, bytes: Uint8Array, receivedAt: EpochMs): SparkplugResult {
    const out: SparkplugResult = { readings: [], health: [], problems: [], rebirthRequests: [] };
    const parsed = parseTopic(topic);
    if (!parsed.ok) {
      out.problems.push({
        code: DataCode.PAYLOAD_SHAPE,
        path: "topic",
        detail: parsed.detail,
        topic,
        scope: "message",
      });
      return out;
    }
    // STATE belongs to Host Applications (§6.4.11: JSON, not protobuf); commands are not data.
    const t = parsed.topic;
    if (t.kind === "state" || t.type === "NCMD" || t.type === "DCMD") return out;
    const decoded = decodeSparkplug(bytes);
    if (!decoded.ok) {
      out.problems.push({
        code: DataCode.PAYLOAD_PROTOBUF,
        path: "",
        detail: decoded.detail,
        topic,
        scope: "message",
      });
      return out;
    }
    touch(key(t.group, t.edgeNode));
    dispatch({ raw: topic, topic: t, payload: decoded.payload, receivedAt, out });
    return out;
  }

  function nodeStatus(group: string, edgeNode: string): NodeStatus | undefined {
    const node = nodes.get(key(group, edgeNode));
    if (!node) return undefined;
    const devices = [...node.devices].map(([deviceId, d]) => ({ deviceId, online: d.online }));
    return {
      online: node.online,
      ...(node.bdSeq !== undefined ? { bdSeq: node.bdSeq } : {}),
      ...(node.lastSeq !== undefined ? { lastSeq: node.lastSeq } : {}),
      devices,
    };
  }

  return { handle, nodeStatus };
}

function emptyRegistry(): Registry {
  return { byAlias: new Map(), byName: new Map() };
}

function emptyNode(online: boolean): NodeState {
  return { online, metrics: emptyRegistry(), devices: new Map() };
}
