/**
 * Publishes the demo fleet's telemetry over real MQTT, as the operators do: one connection per
 * operator (its id as username, its secret as password) on `lanterne/<operatorId>/readings`.
 *
 * Every device reports once on start (as soon as its operator is connected), then once per interval
 * of its domain, the devices of a domain spread evenly over the interval. Readings of one operator
 * due in the same tick go out as batches. Nothing is queued while an operator is disconnected: the
 * readings due then are counted as `dropped` (a real sensor would miss them too), so memory stays
 * bounded whatever the broker does.
 */
import type { MqttClient } from "mqtt";
import { connect } from "mqtt";
import type { Clock } from "../services/domain/clock.ts";
import { systemClock } from "../services/domain/clock.ts";
import type { Device, EpochMs } from "../services/domain/types.ts";
import { applyFaults, type FaultEntry, type FaultPlan, planFaults } from "./faults.ts";
import type { ReadingData, Scenario, ScenarioTimings } from "./models.ts";
import { hasModel, planScenario, readingFor } from "./models.ts";

/** Default reporting interval per domain (wall-clock ms): lively enough for a demo. */
export const DEFAULT_INTERVAL_MS: Readonly<Record<string, number>> = {
  streetlight: 60_000,
  water_pressure: 30_000,
  waste_container: 60_000,
  water_flow: 60_000,
};

export interface SimulatorConfig {
  /** Broker URL, e.g. "mqtt://127.0.0.1:1883". */
  url: string;
  devices: readonly Device[];
  /** Secret of each operator, by operator id. */
  credentials: Readonly<Record<string, string>>;
  /** Time acceleration of the models (simulated ms per wall-clock ms). Default 1. */
  speed?: number;
  /** Reporting interval per domain, in wall-clock ms (not accelerated by `speed`). */
  intervalMs?: Readonly<Record<string, number>>;
  qos?: 0 | 1;
  /** Most readings per message. Default 50. */
  batchSize?: number;
  seed?: number;
  onError?: (err: Error) => void;
  /** Wall clock. Default: the system clock. */
  clock?: Clock;
  /** Simulated time at start. Default: the wall clock at start. */
  startTime?: EpochMs;
  /**
   * Which time a reading carries. "simulated" (default): the model's time, consistent with the values;
   * with `speed` > 1 it runs ahead of the wall clock and the platform refuses readings from the future
   * unless `startTime` is far enough in the past. "wall": when it is sent, whatever the speed (an
   * accelerated day shown live; values then do not match the local time of their timestamp).
   */
  timestamps?: "simulated" | "wall";
  /** When the scripted incidents happen (leak, fire, fast filling), in simulated time after start. */
  scenario?: Partial<ScenarioTimings>;
  /**
   * Scripted faults (faults.ts), placed relative to the start; the devices they need history of
   * (and the sector flow meters) publish their past readings first, on connection.
   */
  faults?: readonly FaultEntry[];
  /** Period of the scheduler. Default: 250 ms, or less when intervals are very short. */
  tickMs?: number;
  /** Longest wait for in-flight messages on close before the connection is cut. Default 2000 ms. */
  closeTimeoutMs?: number;
}

export interface SimulatorStats {
  /** Readings handed to the broker (acknowledged with QoS 1, written to the socket with QoS 0). */
  published: number;
  /** MQTT messages (single readings or batches) behind `published`. */
  messages: number;
  /** Connection and publish failures; each was also passed to `onError`. */
  errors: number;
  /** Readings not sent because their operator was disconnected at the time. */
  dropped: number;
}

/** A reading as the platform expects it on MQTT. */
export interface SimulatedReading {
  device: string;
  /** ISO 8601, UTC. */
  time: string;
  data: ReadingData;
}

/** Topic on which an operator publishes its readings (fixed by the platform). */
export function readingsTopic(operatorId: string): string {
  return `lanterne/${operatorId}/readings`;
}

/** Payload of one message: the reading alone, or `{readings: [...]}` for several. */
export function encodeReadings(readings: readonly SimulatedReading[]): string {
  return JSON.stringify(readings.length === 1 ? readings[0] : { readings });
}

/** Operator to which the device is assigned at `t`; the first assignment when no period matches. */
export function operatorAt(device: Device, t: EpochMs): string | undefined {
  const current = device.assignments.find((a) => a.from <= t && (a.to === undefined || t < a.to));
  return (current ?? device.assignments[0])?.operatorId;
}

/** The devices of one domain, reporting in turn over their interval. */
interface Lane {
  devices: Device[];
  intervalMs: number;
  /** Number of report slots already handled since start. */
  done: number;
}

export class Simulator {
  readonly stats: SimulatorStats = { published: 0, messages: 0, errors: 0, dropped: 0 };
  private readonly clients = new Map<string, MqttClient>();
  private readonly everConnected = new Set<string>();
  private readonly missingCredentials = new Set<string>();
  private lanes: Lane[] = [];
  private scenario: Scenario | undefined;
  private faultPlan: FaultPlan | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wallStart = 0;
  private simStart = 0;
  private started = false;

  constructor(private readonly config: SimulatorConfig) {}

  /** The incidents of this run (leak sector, fire and fast-filling containers), once started. */
  get plannedScenario(): Scenario | undefined {
    return this.scenario;
  }

  /** The scripted faults of this run, resolved against its start, once started. */
  get plannedFaults(): FaultPlan | undefined {
    return this.faultPlan;
  }

  /** Simulated time at a wall-clock time (default: now). */
  simulatedTime(wall: EpochMs = this.clock.now()): EpochMs {
    return this.simStart + (wall - this.wallStart) * (this.config.speed ?? 1);
  }

  /** Connects one client per operator and starts the schedule. Throws if an operator has no secret. */
  start(): void {
    if (this.started) throw new Error("simulator already started");
    const devices = this.config.devices.filter((d) => hasModel(d.domain));
    this.wallStart = this.clock.now();
    this.simStart = this.config.startTime ?? this.wallStart;
    const operators = new Set(
      devices.map((d) => operatorAt(d, this.simStart)).filter((o) => o !== undefined),
    );
    const missing = [...operators].filter((o) => this.config.credentials[o] === undefined);
    if (missing.length > 0)
      throw new Error(`simulator: no credentials for operator(s) ${missing.join(", ")}`);
    this.started = true;
    this.scenario = planScenario(devices, this.simStart, this.config.seed ?? 1, this.config.scenario);
    if (this.config.faults) this.faultPlan = planFaults(devices, this.simStart, this.config.faults);
    this.lanes = buildLanes(devices, { ...DEFAULT_INTERVAL_MS, ...this.config.intervalMs });
    for (const operatorId of operators) this.connectOperator(operatorId);
    this.timer = setInterval(() => this.tick(), this.tickMs());
  }

  /** Stops the schedule and ends every connection gracefully (DISCONNECT after in-flight acks). */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const clients = [...this.clients.values()];
    this.clients.clear();
    const timeout = this.config.closeTimeoutMs ?? 2000;
    await Promise.all(clients.map((client) => endClient(client, timeout)));
  }

  private get clock(): Clock {
    return this.config.clock ?? systemClock;
  }

  private tickMs(): number {
    if (this.config.tickMs !== undefined) return this.config.tickMs;
    const shortest = Math.min(...this.lanes.map((lane) => lane.intervalMs), 500);
    return Math.max(10, Math.min(250, Math.floor(shortest / 2)));
  }

  private connectOperator(operatorId: string): MqttClient {
    const client = connect(this.config.url, {
      username: operatorId,
      password: this.config.credentials[operatorId],
      clientId: `lanterne-sim-${operatorId}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      queueQoSZero: false,
    });
    client.on("error", (err) => this.fail(err));
    client.on("connect", () => {
      if (this.everConnected.has(operatorId)) return;
      this.everConnected.add(operatorId);
      this.publishAll(this.pastReadings(operatorId));
      this.publishAll(this.initialReadings(operatorId));
    });
    this.clients.set(operatorId, client);
    return client;
  }

  /**
   * The history the fault plan asks for, oldest first per device, up to just before the start: what
   * a platform running all along would hold. Computed on connection, so nothing waits in memory.
   */
  private pastReadings(operatorId: string): Map<string, SimulatedReading[]> {
    const readings: SimulatedReading[] = [];
    for (const lane of this.lanes) {
      for (const device of lane.devices) {
        const history = this.faultPlan?.history.get(device.id);
        if (history === undefined || operatorAt(device, this.simStart) !== operatorId) continue;
        for (let t = this.simStart - history.ms; t < this.simStart; t += history.stepMs) {
          const reading = this.reading(device, t, t);
          if (reading !== undefined) readings.push(reading);
        }
      }
    }
    return new Map([[operatorId, readings]]);
  }

  /** One reading of every device of the operator, at the current simulated time. */
  private initialReadings(operatorId: string): Map<string, SimulatedReading[]> {
    const wall = this.clock.now();
    const t = this.simulatedTime(wall);
    const readings: SimulatedReading[] = [];
    for (const lane of this.lanes) {
      for (const device of lane.devices) {
        if (operatorAt(device, t) !== operatorId) continue;
        const reading = this.reading(device, t, wall);
        if (reading !== undefined) readings.push(reading);
      }
    }
    return new Map([[operatorId, readings]]);
  }

  /** Publishes the readings whose slot came since the last tick. */
  private tick(): void {
    const elapsed = this.clock.now() - this.wallStart;
    const due = new Map<string, SimulatedReading[]>();
    for (const lane of this.lanes) this.collectDue(lane, elapsed, due);
    this.publishAll(due);
  }

  /** Slot k of a lane is due at (k + 1) * interval / n: device k mod n, every interval, staggered. */
  private collectDue(lane: Lane, elapsed: number, due: Map<string, SimulatedReading[]>): void {
    const n = lane.devices.length;
    const reached = Math.floor((elapsed * n) / lane.intervalMs);
    const from = Math.max(lane.done, reached - n);
    for (let k = from; k < reached; k++) {
      const device = lane.devices[k % n] as Device;
      const wall = this.wallStart + ((k + 1) * lane.intervalMs) / n;
      const t = this.simulatedTime(wall);
      const operatorId = operatorAt(device, t);
      const reading = this.reading(device, t, wall);
      if (operatorId === undefined || reading === undefined) continue;
      const list = due.get(operatorId);
      if (list === undefined) due.set(operatorId, [reading]);
      else list.push(reading);
    }
    lane.done = reached;
  }

  /** The reading of `device` at simulated time `t`, due at wall-clock time `wall`. */
  private reading(device: Device, t: EpochMs, wall: EpochMs): SimulatedReading | undefined {
    const model = this.scenario === undefined ? undefined : readingFor(device, t, this.scenario);
    const data = model && this.faultPlan ? applyFaults(device, t, model, this.faultPlan) : model;
    if (data === undefined) return undefined;
    const stamp = this.config.timestamps === "wall" ? wall : t;
    return { device: device.id, time: new Date(Math.round(stamp)).toISOString(), data };
  }

  private publishAll(byOperator: Map<string, SimulatedReading[]>): void {
    const size = Math.max(1, this.config.batchSize ?? 50);
    for (const [operatorId, readings] of byOperator) {
      for (let i = 0; i < readings.length; i += size) this.publish(operatorId, readings.slice(i, i + size));
    }
  }

  private publish(operatorId: string, readings: SimulatedReading[]): void {
    const client = this.clients.get(operatorId) ?? this.lateClient(operatorId);
    if (client === undefined) return;
    if (!client.connected) {
      // Before the first connection the initial burst covers these devices; after it, they are lost.
      if (this.everConnected.has(operatorId)) this.stats.dropped += readings.length;
      return;
    }
    const qos = this.config.qos ?? 0;
    client.publish(readingsTopic(operatorId), encodeReadings(readings), { qos }, (err) => {
      if (err) return this.fail(err);
      this.stats.published += readings.length;
      this.stats.messages += 1;
    });
  }

  /** A client for an operator that takes devices over during the run (assignment periods). */
  private lateClient(operatorId: string): MqttClient | undefined {
    if (this.timer === undefined) return undefined;
    if (this.config.credentials[operatorId] !== undefined) return this.connectOperator(operatorId);
    if (!this.missingCredentials.has(operatorId)) {
      this.missingCredentials.add(operatorId);
      this.fail(new Error(`simulator: no credentials for operator ${operatorId}, its readings are skipped`));
    }
    return undefined;
  }

  private fail(err: unknown): void {
    this.stats.errors += 1;
    this.config.onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}

function buildLanes(devices: readonly Device[], intervals: Readonly<Record<string, number>>): Lane[] {
  const byDomain = new Map<string, Device[]>();
  for (const device of devices) {
    const list = byDomain.get(device.domain);
    if (list === undefined) byDomain.set(device.domain, [device]);
    else list.push(device);
  }
  return [...byDomain].map(([domain, list]) => ({
    devices: list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    intervalMs: Math.max(1, intervals[domain] ?? 60_000),
    done: 0,
  }));
}

/** Ends a client gracefully; cuts the connection if in-flight messages are not acknowledged in time. */
function endClient(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.stream?.destroy();
      resolve();
    }, timeoutMs);
    client.end(false, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
