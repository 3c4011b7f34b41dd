import { expectedPeriodMs } from "../contracts/cadence.ts";
import { type Contract, contractIdOf, type RuleSpec } from "../contracts/model.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import { type Logger, silentLogger } from "../domain/logger.ts";
import type { Device, EpochMs, Observation } from "../domain/types.ts";
import { currentOperator } from "../inventory/device-index.ts";
import { Correlator } from "./correlation.ts";
import { loadSlots, type SavedSlot, saveSlots } from "./engine-state.ts";
import {
  Coverage,
  INFRASTRUCTURE_DOMAIN,
  INFRASTRUCTURE_KIND,
  INFRASTRUCTURE_RULES,
  INFRASTRUCTURE_SEVERITY,
  type InfrastructureSignal,
  rearmedSilence,
} from "./infrastructure.ts";
import { activeKey, isActive, SILENCE_KIND } from "./lifecycle.ts";
import { RuleStates } from "./rule-states.ts";
import { type AnyRuleKind, ruleKinds } from "./rules/kinds.ts";
import type { DeviceFacts, Evaluation, RuleInput, Verdict } from "./rules/types.ts";
import type { AlertStore } from "./store.ts";
import { type Alert, type AlertInput, SYSTEM } from "./types.ts";

/**
 * The rule engine: runs the contracts' rules (services/contracts/rules.ts) over durable readings and
 * turns the kinds' edges into alert store calls. It sits after the writer, off the ingest path: the
 * writer hands it what is durable and goes on, the engine works through a bounded queue of its own,
 * so a slow alert store never holds back a reading.
 *
 * Infrastructure signals (infrastructure.ts: an edge node's NDEATH, a gateway gone dark) come
 * through `signal()`: one alert for the node or gateway, its devices as children, whose own
 * silences are not raised while it is active.
 *
 * Memory (rule-states.ts): one map entry per device, an array of its rules' states, the contract
 * shared: `npm run bench -- alerts` measured about 450 bytes per device with three rules (150 of
 * them the kinds' own states) before the entry array was sized exactly. `maxStates` bounds the
 * devices kept; past it the least recently seen are forgotten (that device's rules restart from
 * nothing, which can delay a firing, never invent one).
 *
 * Cost: a reading that decides nothing (most) is judged synchronously, with no store call and no
 * promise; only edges await the alert store, and a clear with no active alert behind it is free.
 */

export interface RuleEngineDeps {
  contracts: ContractRegistry;
  devices: { get(id: string): Device | undefined; list(): Device[] };
  store: AlertStore;
  now: () => EpochMs;
  log?: Logger;
}

export interface RuleEngineConfig {
  /** Readings waiting to be evaluated; past it new batches are dropped (and counted). */
  maxQueued: number;
  /** Devices whose rule states are kept (rule-states.ts); the least recently seen forgotten past it. */
  maxStates: number;
  /** Where the states are kept across restarts (engine-state.ts); none: in memory only. */
  statePath?: string;
  /** How often the states are saved while running, besides at close. */
  saveEveryMs?: number;
}

export const DEFAULT_RULE_ENGINE: RuleEngineConfig = { maxQueued: 100_000, maxStates: 200_000 };
const DEFAULT_SAVE_EVERY_MS = 5 * 60_000;

export interface RuleEngineStats {
  evaluated: number;
  raised: number;
  cleared: number;
  /** Readings dropped because the queue was full: their rules were not evaluated. */
  dropped: number;
  failures: number;
}

type Job = { observations: readonly Observation[] } | { tick: EpochMs } | { signal: InfrastructureSignal };

/**
 * One (device, rule) being judged: a view over the device's entry in RuleStates, made for the
 * evaluation and dropped after it (the engine keeps only the entries, rule-states.ts).
 */
interface Slot {
  deviceId: string;
  contract: Contract;
  rule: RuleSpec;
  kind: AnyRuleKind;
  entry: unknown[];
  index: number;
}

export function createRuleEngine(
  deps: RuleEngineDeps,
  config: RuleEngineConfig = DEFAULT_RULE_ENGINE,
): RuleEngine {
  return new RuleEngine(deps, config);
}

export class RuleEngine {
  readonly stats: RuleEngineStats = { evaluated: 0, raised: 0, cleared: 0, dropped: 0, failures: 0 };
  private readonly states: RuleStates;
  /**
   * `subject|rule` of the alerts this engine knows active (loaded at start, kept as it raises and
   * clears): a clear verdict with no active alert behind it (a device's first reading after a
   * restart, a silence that never fired) costs no store call.
   */
  private readonly activeKeys = new Set<string>();
  private readonly queue: Job[] = [];
  private queued = 0;
  private running: Promise<void> | undefined;
  private accepting = false;
  private lastSave = 0;
  private readonly log: Logger;
  private readonly correlator: Correlator;
  /** The devices behind each active infrastructure alert (infrastructure.ts). */
  private readonly coverage = new Coverage();

  constructor(
    private readonly deps: RuleEngineDeps,
    private readonly config: RuleEngineConfig,
  ) {
    this.log = deps.log ?? silentLogger;
    this.correlator = new Correlator({ devices: deps.devices });
    this.states = new RuleStates(config.maxStates);
  }

  /**
   * Takes back the states saved at the last stop (or periodic save) and the correlated alerts
   * still active in the store, then starts taking work.
   */
  async start(): Promise<void> {
    await this.restoreSlots();
    await this.restoreGroups();
    this.lastSave = this.deps.now();
    this.accepting = true;
  }

  /** Stops taking work, evaluates what is queued (no durable reading goes unjudged), saves the states. */
  async close(): Promise<void> {
    this.accepting = false;
    await this.idle();
    await this.saveState();
  }

  /** Writes the states now (also every `saveEveryMs` from the ticks, and at close). */
  async saveState(): Promise<void> {
    const path = this.config.statePath;
    if (!path) return;
    this.lastSave = this.deps.now();
    const params = new Map<RuleSpec, string>();
    const paramsOf = (rule: RuleSpec) => {
      let p = params.get(rule);
      if (p === undefined) {
        p = JSON.stringify(rule.params);
        params.set(rule, p);
      }
      return p;
    };
    const slots: SavedSlot[] = [];
    for (const { deviceId, contract, states } of this.states.all()) {
      contract.rules.forEach((rule, i) => {
        if (states[i] !== undefined)
          slots.push({ d: deviceId, c: contract.key, r: rule.id, p: paramsOf(rule), s: states[i] });
      });
    }
    try {
      await saveSlots(path, slots);
    } catch (err) {
      this.log.error({ err, path }, "rule engine states not saved");
    }
  }

  private async restoreSlots(): Promise<void> {
    const path = this.config.statePath;
    if (!path) return;
    let kept = 0;
    let dropped = 0;
    let unreadable = 0;
    for await (const saved of loadSlots(path)) {
      if (saved === null) {
        unreadable++;
        continue;
      }
      const contract = this.deps.contracts.versions(contractIdOf(saved.c)).find((c) => c.key === saved.c);
      const index = contract ? contract.rules.findIndex((r) => r.id === saved.r) : -1;
      const rule = contract?.rules[index];
      const kind = rule ? ruleKinds.get(rule.kind) : undefined;
      // A rule whose parameters changed starts afresh: its old state may mean something else.
      if (!contract || !rule || !kind || JSON.stringify(rule.params) !== saved.p || saved.s === undefined) {
        dropped++;
        continue;
      }
      this.states.restore(saved.d, contract, index, saved.s);
      kept++;
    }
    if (unreadable > 0)
      this.log.warn({ path, unreadable }, "rule engine state lines unreadable: those rules start afresh");
    if (kept + dropped + unreadable > 0)
      this.log.info({ kept, dropped, unreadable }, "rule engine states restored");
  }

  /**
   * The correlated alerts still active: their devices are still behind them (correlation.ts);
   * likewise the devices behind an edge node or a gateway still down (infrastructure.ts).
   */
  private async restoreGroups(): Promise<void> {
    for (const status of ["open", "acknowledged"] as const) {
      let beforeId: number | undefined;
      for (;;) {
        const page = await this.deps.store.list({
          status,
          cleared: false,
          limit: 500,
          ...(beforeId !== undefined ? { beforeId } : {}),
        });
        for (const a of page) {
          this.activeKeys.add(activeKey(a.subject, a.ruleId));
          if (INFRASTRUCTURE_RULES.includes(a.ruleId))
            this.coverage.cover(a.subject, a.ruleId, a.children ?? []);
          else if (a.children && a.children.length > 0)
            this.correlator.restore(a.ruleId, a.subject, a.children);
        }
        if (page.length < 500) break;
        beforeId = page.at(-1)?.id;
      }
    }
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

  /**
   * An edge node or a gateway went down or came back (infrastructure.ts). Queued with the
   * readings and ticks, so that a silence judged at the same moment sees the outage either whole
   * or not at all; resolves once handled. Never throws: a refusal of the store is logged and counted.
   */
  signal(signal: InfrastructureSignal): Promise<void> {
    if (this.accepting) this.enqueue({ signal });
    return this.idle();
  }

  /** Resolves once the queue is empty (tests, close). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** (device, rule) states held. */
  get size(): number {
    return this.states.stateCount;
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
      else if ("signal" in job) await this.runSignal(job.signal);
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
      ...(device ? { device: factsOf(device, contract) } : {}),
    };
    const where = { domain: o.domain, commune: o.commune, operatorId: o.operatorId };
    const entry = this.states.entry(o.deviceId, contract);
    for (let index = 0; index < contract.rules.length; index++) {
      const slot = slotOf(o.deviceId, contract, entry, index);
      // Most readings decide nothing: judged synchronously, no promise made for them.
      const edge = slot && this.decide(slot, input);
      if (slot && edge) await this.applyEdge(slot, edge, o.time, where);
    }
  }

  private async runTick(at: EpochMs): Promise<void> {
    if (at - this.lastSave >= (this.config.saveEveryMs ?? DEFAULT_SAVE_EVERY_MS)) await this.saveState();
    const tick = { tick: at };
    // No reading is judged during a tick (one queue), so the map does not change under it.
    for (const [deviceId, entry] of this.states.entries()) {
      const contract = RuleStates.contractOf(entry);
      for (let index = 0; index < contract.rules.length; index++) {
        // A state never set (no reading yet) or a kind that ignores ticks: nothing to decide.
        if (RuleStates.get(entry, index) === undefined) continue;
        const slot = slotOf(deviceId, contract, entry, index);
        if (!slot || slot.kind.ticks === false) continue;
        // Most ticks decide nothing: the place of the device is looked up only for an edge.
        const edge = this.decide(slot, tick);
        if (!edge) continue;
        const device = this.deps.devices.get(deviceId);
        const operatorId = device ? currentOperator(device, at) : undefined;
        const where = {
          domain: contract.domain,
          ...(device ? { commune: device.commune } : {}),
          ...(operatorId ? { operatorId } : {}),
        };
        await this.applyEdge(slot, edge, at, where);
      }
    }
  }

  /**
   * Judges the input once. A "none" (most readings and ticks) keeps its new state at once, with
   * no store call and no promise; an edge (fire or clear) is returned for applyEdge.
   */
  private decide(slot: Slot, input: RuleInput): Evaluation<unknown> | undefined {
    this.stats.evaluated++;
    const evaluation = slot.kind.evaluate(slot.rule.params, RuleStates.get(slot.entry, slot.index), input);
    if (evaluation.verdict.verdict !== "none") return evaluation;
    RuleStates.set(slot.entry, slot.index, evaluation.state);
    return undefined;
  }

  /**
   * The new state is kept only once the store has taken the verdict: if the store fails, the next
   * reading meets the old state and gives the same edge again, so an alert is late, never lost.
   */
  private async applyEdge(slot: Slot, edge: Evaluation<unknown>, at: EpochMs, where: Where): Promise<void> {
    try {
      await this.apply(slot, edge.verdict, at, where);
      RuleStates.set(slot.entry, slot.index, edge.state);
    } catch (err) {
      this.stats.failures++;
      this.log.error({ err, rule: slot.rule.id, device: slot.deviceId }, "alert store refused a verdict");
    }
  }

  private async apply(slot: Slot, verdict: Verdict, at: EpochMs, where: Where): Promise<void> {
    const ruleId = `${slot.contract.id}/${slot.rule.id}`;
    const correlate = slot.rule.correlate;
    if (verdict.verdict === "fire") {
      if (slot.kind.kind === SILENCE_KIND && (await this.joinCovering(slot.deviceId, at))) return;
      const decision = correlate
        ? this.correlator.onFire(ruleId, correlate, slot.deviceId, at)
        : ({ action: "individual" } as const);
      if (decision.action === "individual") {
        await this.deps.store.raise(alertInput(slot, ruleId, verdict.detail, where), at);
        this.activeKeys.add(activeKey(slot.deviceId, ruleId));
      } else {
        const detail = `${decision.children.length} équipements (${decision.subject}) : ${verdict.detail}`;
        const group: AlertInput = {
          ...alertInput(slot, ruleId, detail, where),
          subject: decision.subject,
          children: decision.children,
        };
        // A group spans communes; its operator is the device's, the same for the whole group
        // unless the group is wider than an operator, which "operator" (the widest level) is not.
        delete group.commune;
        const alert = await this.deps.store.raise(group, at);
        this.activeKeys.add(activeKey(decision.subject, ruleId));
        for (const a of decision.absorb) {
          const [own] = await this.deps.store.list({ subject: a.subject, ruleId, limit: 1 });
          if (own) await this.absorb(own, alert.id, decision.subject, at);
        }
      }
      this.stats.raised++;
    } else if (verdict.verdict === "clear") {
      await this.clearIfActive(slot.deviceId, ruleId, at);
      if (correlate) {
        for (const subject of this.correlator.onClear(ruleId, correlate, slot.deviceId, at).clearGroups) {
          await this.clearIfActive(subject, ruleId, at);
        }
      }
    }
  }

  /** Clears the alert of (subject, rule) when one is known active; nothing to clear costs nothing. */
  private async clearIfActive(subject: string, ruleId: string, at: EpochMs): Promise<void> {
    const key = activeKey(subject, ruleId);
    if (!this.activeKeys.has(key)) return;
    await this.deps.store.clear(subject, ruleId, at);
    this.activeKeys.delete(key);
    this.stats.cleared++;
  }

  private async runSignal(signal: InfrastructureSignal): Promise<void> {
    try {
      if (signal.state === "down") await this.infrastructureDown(signal);
      else await this.infrastructureUp(signal);
    } catch (err) {
      this.stats.failures++;
      this.log.error({ err, subject: signal.subject, rule: signal.ruleId }, "alert store refused a signal");
    }
  }

  /**
   * One alert for the node or gateway, its devices as children (with those already behind it if
   * it was down already); the devices' own active silences are closed into it.
   */
  private async infrastructureDown(signal: InfrastructureSignal): Promise<void> {
    const children = [...new Set([...this.coverage.childrenOf(signal.subject), ...signal.children])].sort();
    const n = children.length;
    const input: AlertInput = {
      subject: signal.subject,
      ruleId: signal.ruleId,
      severity: INFRASTRUCTURE_SEVERITY,
      domain: signal.domain ?? this.domainOf(children),
      detail: `${signal.detail} ; ${n} équipement${n > 1 ? "s" : ""} derrière`,
      children,
      kind: INFRASTRUCTURE_KIND,
      ...(signal.operatorId !== undefined ? { operatorId: signal.operatorId } : {}),
    };
    const alert = await this.deps.store.raise(input, signal.at);
    this.activeKeys.add(activeKey(signal.subject, signal.ruleId));
    this.coverage.cover(signal.subject, signal.ruleId, children);
    for (const child of children) {
      for (const own of await this.activeSilences(child))
        await this.absorb(own, alert.id, signal.subject, signal.at);
    }
    this.stats.raised++;
  }

  /** The alert clears; the children's silences count again from now (infrastructure.ts, rearmedSilence). */
  private async infrastructureUp(signal: InfrastructureSignal): Promise<void> {
    const cleared = await this.deps.store.clear(signal.subject, signal.ruleId, signal.at);
    this.activeKeys.delete(activeKey(signal.subject, signal.ruleId));
    for (const child of this.coverage.uncover(signal.subject)) {
      const entry = this.states.existing(child);
      if (!entry) continue;
      RuleStates.contractOf(entry).rules.forEach((rule, i) => {
        if (rule.kind === SILENCE_KIND)
          RuleStates.set(entry, i, rearmedSilence(RuleStates.get(entry, i), signal.at));
      });
    }
    if (cleared) this.stats.cleared++;
  }

  /**
   * A device whose silence fires while an edge node or gateway in front of it is down: no alert
   * of its own, it is one of that alert's children (added if the signal did not name it). An
   * alert a person closed while the node was still down covers nothing any more.
   */
  private async joinCovering(deviceId: string, at: EpochMs): Promise<boolean> {
    const covering = this.coverage.coveringOf(deviceId);
    if (!covering) return false;
    const [alert] = await this.deps.store.list({
      subject: covering.subject,
      ruleId: covering.ruleId,
      limit: 1,
    });
    if (!alert || !isActive(alert)) {
      this.coverage.uncover(covering.subject);
      return this.joinCovering(deviceId, at);
    }
    if (!covering.children.includes(deviceId)) {
      const children = [...covering.children, deviceId].sort();
      await this.deps.store.raise({ ...inputOf(alert), children }, at);
      this.coverage.cover(covering.subject, covering.ruleId, [deviceId]);
    }
    return true;
  }

  /** The device's own silence alerts still active (at most a few: one per silence rule). */
  private async activeSilences(deviceId: string): Promise<Alert[]> {
    const alerts = await this.deps.store.list({ subject: deviceId, cleared: false, limit: 50 });
    return alerts.filter((a) => a.kind === SILENCE_KIND && isActive(a));
  }

  /** The devices' domain when they share one; otherwise the alert is the infrastructure's. */
  private domainOf(children: readonly string[]): string {
    const domains = new Set(children.map((id) => this.deps.devices.get(id)?.domain));
    const [only] = domains;
    return domains.size === 1 && only !== undefined ? only : INFRASTRUCTURE_DOMAIN;
  }

  /**
   * A device's own alert (or a narrower group's) that a group alert now stands for: closed by the
   * system with a comment naming the group's alert, so that the desk shows one alert for the fault.
   * Used by correlation and by infrastructure signals alike.
   */
  private async absorb(own: Alert, groupId: number, group: string, at: EpochMs): Promise<void> {
    if (own.status === "closed" || own.id === groupId) return;
    const text = `Regroupée dans l'alerte n° ${groupId} (${group}).`;
    const commented = await this.deps.store.comment(own.id, SYSTEM, text, at, own.version);
    await this.deps.store.closeAlert(own.id, SYSTEM, at, commented.version);
  }
}

interface Where {
  domain: string;
  commune?: string;
  operatorId?: string;
}

/** What raised an alert, to raise it again (with more children). */
function inputOf(alert: Alert): AlertInput {
  const input: AlertInput = {
    subject: alert.subject,
    ruleId: alert.ruleId,
    severity: alert.severity,
    domain: alert.domain,
    detail: alert.detail,
  };
  if (alert.commune !== undefined) input.commune = alert.commune;
  if (alert.operatorId !== undefined) input.operatorId = alert.operatorId;
  if (alert.kind !== undefined) input.kind = alert.kind;
  return input;
}

/** The slot of the rule at `index` of the device's contract; undefined for a kind not known. */
function slotOf(deviceId: string, contract: Contract, entry: unknown[], index: number): Slot | undefined {
  const rule = contract.rules[index];
  const kind = rule ? ruleKinds.get(rule.kind) : undefined;
  return rule && kind ? { deviceId, contract, rule, kind, entry, index } : undefined;
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

/** Place, inventory attributes (rated power `power_w`, cabinet...) and cadence, as the kinds expect them. */
function factsOf(device: Device, contract: Contract): DeviceFacts {
  const facts: DeviceFacts = { lat: device.lat, lon: device.lon, attributes: device.attributes };
  const cadenceMs = expectedPeriodMs(contract, device);
  if (cadenceMs !== undefined) facts.cadenceMs = cadenceMs;
  return facts;
}
