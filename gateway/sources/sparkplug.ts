import type { EpochMs } from "../../services/domain/types.ts";
import {
  createSparkplugSession,
  type RebirthRequest,
  type SparkplugHealthEvent,
  type SparkplugProblem,
  type SparkplugReading,
  type SparkplugResult,
  type SparkplugSession,
  type SparkplugSessionConfig,
} from "../sparkplug/session.ts";

export {
  type DeviceResolver,
  defaultDeviceResolver,
  defaultFieldNamer,
  type FieldNamer,
} from "../sparkplug/naming.ts";
export { rebirthCommand } from "../sparkplug/rebirth.ts";
export type {
  HealthKind,
  NodeStatus,
  RebirthRequest,
  SparkplugHealthEvent,
  SparkplugProblem,
  SparkplugReading,
  SparkplugResult,
  SparkplugSessionConfig,
} from "../sparkplug/session.ts";
export { isSparkplugTopic } from "../sparkplug/topic.ts";

/**
 * Sparkplug B as a source: edge nodes (streetlight control cabinets, pumping stations) publish
 * `spBv1.0/...` on Lanterne's broker, which hands each message here from its publish hook. This
 * file knows no MQTT library: the broker passes the topic, the bytes, the reception time and the
 * authenticated operator; everything Sparkplug-specific happens in `gateway/sparkplug/`, and the
 * results leave through the callbacks below (readings to the pipeline, health to the device views
 * and fault rules, problems to quarantine, rebirth requests to whoever can publish an NCMD).
 */
export interface SparkplugSourceDeps {
  onReadings(operatorId: string | undefined, items: SparkplugReading[], topic: string): void;
  onHealth?(event: SparkplugHealthEvent): void;
  /** `problem.scope === "message"`: the message was refused; quarantine `payload`. */
  onProblem?(problem: SparkplugProblem, payload: Uint8Array, operatorId: string | undefined): void;
  onRebirthRequest?(request: RebirthRequest): void;
  config?: SparkplugSessionConfig;
}

export interface SparkplugSourceStats {
  messages: number;
  readings: number;
  problems: number;
  rebirthRequests: number;
}

export interface SparkplugSource {
  handle(topic: string, payload: Uint8Array, receivedAt: EpochMs, operatorId?: string): SparkplugResult;
  readonly session: SparkplugSession;
  readonly stats: SparkplugSourceStats;
}

export function createSparkplugSource(deps: SparkplugSourceDeps): SparkplugSource {
  const session = createSparkplugSession(deps.config);
  const stats: SparkplugSourceStats = { messages: 0, readings: 0, problems: 0, rebirthRequests: 0 };

  function handle(topic: string, payload: Uint8Array, receivedAt: EpochMs, operatorId?: string) {
    stats.messages++;
    const result = session.handle(topic, payload, receivedAt);
    stats.readings += result.readings.length;
    stats.problems += result.problems.length;
    stats.rebirthRequests += result.rebirthRequests.length;
    if (result.readings.length > 0) deps.onReadings(operatorId, result.readings, topic);
    for (const event of result.health) deps.onHealth?.(event);
    for (const problem of result.problems) deps.onProblem?.(problem, payload, operatorId);
    for (const request of result.rebirthRequests) deps.onRebirthRequest?.(request);
    return result;
  }

  return { handle, session, stats };
}
