import type { Contract, RuleSpec } from "../contracts/model.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import { type Logger, silentLogger } from "../domain/logger.ts";
import type { Device, EpochMs, Observation } from "../domain/types.ts";
import { currentOperator } from "../inventory/device-index.ts";
import { type AnyRuleKind, ruleKinds } from "./rules/kinds.ts";
import type { DeviceFacts, RuleInput, Verdict } from "./rules/types.ts";
import type { AlertStore } from "./store.ts";
import type { AlertInput } from "./types.ts";

/**
 * The rule engine: runs the contracts' rules (services/contracts/rules.ts) over durable readings and
 * turns the kinds' edges into alert store calls. It sits after the writer, off the ingest path: the
 * writer hands it what is durable and goes on, the engine works through a bounded queue of its own,
 * so a slow alert store never holds back a reading.
 *
 * Memory: one entry per (device, rule) ever evaluated, holding the kind's state (at most the kind's
 * `maxStateBytes` as JSON, 40 to 250 bytes for the built-in kinds) plus the key and references:
 * about 0.5 KB per (device, rule) in V8, so about 1 KB per device with the demo's two rules per
 * contract. `maxStates` bounds the map; past it the least recently used entry is forgotten (that
 * device's rule restarts from nothing, which can delay a firing, never invent one).
 */

export interface RuleEngineDeps {
  contracts: ContractRegistry;
  devices: { get(id: string): Device | undefined };
  store: AlertStore;
  now: () => EpochMs;
  log?: Logger;
}

export interface RuleEngineConfig {
  /** Readings waiting to be evaluated; past it new batches are dropped (and counted). */
  maxQueued: number;
  /** (device, rule) states kept; least recently used forgotten past it. */
  maxStates: number;
}

export const DEFAULT_RULE_ENGINE: RuleEngineConfig = { maxQueued: 100_000, maxStates: 200_000 };

export interface RuleEngineStats {
  evaluated: number;
  raised: number;
  cleared: number;
  /** Readings dropped because the queue was full: their rules were not evaluated. */
  dropped: number;
  failures: number;
}

type Job = { observations: readonly Observation[] } | { tick: EpochMs };

/** What the engine keeps per (device, rule): enough to evaluate a tick without a reading. */
interface Slot {
  deviceId: string;
  contract: Contract;
  rule: RuleSpec;
  kind: AnyRuleKind;
  state: unknown;
}

export function createRuleEngine(
  deps: RuleEngineDeps,
  config: RuleEngineConfig = DEFAULT_RULE_ENGINE,
): RuleEngine {
  return new RuleEngine(deps, config);
}

export class RuleEngine {
  readonly stats: RuleEngineStats = { evaluated: 0, raised: 0, cleared: 0, dropped: 0, failures: 0 };
  private readonly slots = new Map<string, Slot>();
  private readonly queue: Job[] = [];
  private queued = 0;
  private running: Promise<void> | undefined;
  private accepting = false;
  private readonly log: Logger;

  constructor(
    private readonly deps: RuleEngineDeps,
    private readonly config: RuleEngineConfig,
  ) {
    this.log = deps.log ?? silentLogger;
  }

  start(): void {
    this.accepting = true;
  }

  /** Stops taking work and evaluates what is queued, so that no durable reading goes unjudged. */
  async close(): Promise<void> {
    this.accepting = false;
    await this.idle();
  }

  /** Called with a durable batch; returns at once and never throws into the writer. */
  observe(observations: readonly Observation[]): void {
    if (!this.accepting || observations.length === 0) return;
    if (this.queued + observations.length > this.config.maxQueued) {
      this.stats.dropped += observations.length;
      this.log.warn({ dropped: observations.length }, "rule engine queue full: readings not evaluated");
      return;
    }
    this.queued += observations.length;
    this.enqueue({ observations });
  }

  /** Lets timer kinds (silence, a latch's minimum duration) decide without a reading. */
  tick(now: EpochMs = this.deps.now()): Promise<void> {
    if (this.accepting) this.enqueue({ tick: now });
    return this.idle();
  }

  /** Resolves once the queue is empty (tests, close). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  get size(): number {
    return this.slots.size;
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      if ("tick" in job) await this.runTick(job.tick);
      else {
        this.queued -= job.observations.length;
        await this.runBatch(job.observations);
      }
    }
  }

  /** In time order, so that a batch carrying a device's backlog is judged as it happened. */
  private async runBatch(observations: readonly Observation[]): Promise<void> {
    const sorted = [...observations].sort((a, b) => a.time - b.time);
    for (const o of sorted) await this.runObservation(o);
  }

  private async runObservation(o: Observation): Promise<void> {
    const contract = this.deps.contracts.versionAt(contractIdOf(o.contract), o.time);
    if (!contract || contract.rules.length === 0) return;
    const device = this.deps.devices.get(o.deviceId);
    const input: RuleInput = {
      time: o.time,
      values: o.values,
      ...(device ? { device: factsOf(device) } : {}),
    };
    const where = { domain: o.domain, commune: o.commune, operatorId: o.operatorId };
    for (const rule of contract.rules) {
      const slot = this.slotFor(o.deviceId, contract, rule);
      if (slot) await this.evaluate(slot, input, o.time, where);
    }
  }

  private async runTick(at: EpochMs): Promise<void> {
    for (const slot of [...this.slots.values()]) {
      const device = this.deps.devices.get(slot.deviceId);
      const operatorId = device ? currentOperator(device, at) : undefined;
      const where = {
        domain: slot.contract.domain,
        ...(device ? { commune: device.commune } : {}),
        ...(operatorId ? { operatorId } : {}),
      };
      await this.evaluate(slot, { tick: at }, at, where);
    }
  }

  private slotFor(deviceId: string, contract: Contract, rule: RuleSpec): Slot | undefined {
    const key = `${deviceId} ${contract.key}/${rule.id}`;
    const existing = this.slots.get(key);
    // Delete and set again: the map's order is then least recently used first.
    if (existing) this.slots.delete(key);
    const kind = ruleKinds.get(rule.kind);
    if (!kind) return undefined;
    const slot = existing ?? { deviceId, contract, rule, kind, state: undefined };
    this.slots.set(key, slot);
    this.evictBeyondBound();
    return slot;
  }

  private evictBeyondBound(): void {
    for (const key of this.slots.keys()) {
      if (this.slots.size <= this.config.maxStates) return;
      this.slots.delete(key);
    }
  }

  /**
   * The new state is kept only once the store has taken the verdict: if the store fails, the next
   * reading meets the old state and gives the same edge again, so an alert is late, never lost.
   */
  private async evaluate(slot: Slot, input: RuleInput, at: EpochMs, where: Where): Promise<void> {
    this.stats.evaluated++;
    const { state, verdict } = slot.kind.evaluate(slot.rule.params, slot.state, input);
    try {
      await this.apply(slot, verdict, at, where);
      slot.state = state;
    } catch (err) {
      this.stats.failures++;
      this.log.error({ err, rule: slot.rule.id, device: slot.deviceId }, "alert store refused a verdict");
    }
  }

  private async apply(slot: Slot, verdict: Verdict, at: EpochMs, where: Where): Promise<void> {
    const ruleId = `${slot.contract.id}/${slot.rule.id}`;
    if (verdict.verdict === "fire") {
      await this.deps.store.raise(alertInput(slot, ruleId, verdict.detail, where), at);
      this.stats.raised++;
    } else if (verdict.verdict === "clear") {
      await this.deps.store.clear(slot.deviceId, ruleId, at);
      this.stats.cleared++;
    }
  }
}

interface Where {
  domain: string;
  commune?: string;
  operatorId?: string;
}

function alertInput(slot: Slot, ruleId: string, detail: string, where: Where): AlertInput {
  return {
    subject: slot.deviceId,
    ruleId,
    severity: slot.rule.severity,
    detail,
    kind: slot.rule.kind,
    ...where,
  };
}

/** Observations carry "contractId@version"; the version is chosen again by time, as the pipeline did. */
function contractIdOf(key: string): string {
  const at = key.lastIndexOf("@");
  return at < 0 ? key : key.slice(0, at);
}

/** Place and inventory attributes (rated power `power_w`, cabinet...) as the kinds expect them. */
function factsOf(device: Device): DeviceFacts {
  return { lat: device.lat, lon: device.lon, attributes: device.attributes };
}
