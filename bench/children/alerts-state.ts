import { stringify } from "yaml";
import { createRuleEngine, type RuleEngine } from "../../services/alerts/engine.ts";
import { createMemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import type { Contract } from "../../services/contracts/model.ts";
import { parseContractText } from "../../services/contracts/parse.ts";
import { createContractRegistry } from "../../services/contracts/registry.ts";
import type { Observation } from "../../services/domain/types.ts";
import { benchContract, OPERATOR, type SilenceSpec } from "../alerts-fleet.ts";
import { serveParent } from "../ipc.ts";

/**
 * The rule engine's memory per device, in a process of its own (started with --expose-gc): a
 * RuleEngine over an in-memory alert store and the benchmark's contract, fed one ordinary reading
 * per device (no rule fires), in batches as the writer hands them. Heap and RSS are read after a
 * full collection before and after; the device ids are made fresh for each reading, as the MQTT
 * parser makes them, so that what the engine keeps of them is counted.
 *
 * The breakdown builds, on fewer devices, each part the engine holds per (device, rule) the way the
 * engine builds it, and measures each alone: the map's entries, the key strings, the slot objects,
 * the kinds' states, the device id.
 */
const gc = (globalThis as { gc?: () => void }).gc;

interface StateArgs {
  devices: number;
  /** Devices read a second time (entries found, states replaced). */
  steadyDevices: number;
  batch: number;
  silence: SilenceSpec;
}

function collect(): void {
  if (!gc) throw new Error("start this child with --expose-gc");
  for (let i = 0; i < 3; i++) gc();
}

function heap(): { heap: number; rss: number } {
  collect();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

function loadContract(silence: SilenceSpec): Contract {
  const parsed = parseContractText(stringify(benchContract(silence)), "bench-alerts.yaml");
  if (!parsed.ok) throw new Error(`bench contract: ${parsed.errors.join("; ")}`);
  return parsed.contract;
}

const deviceId = (i: number) => `bench-al-${String(i + 1).padStart(7, "0")}`;

function reading(contract: Contract, i: number, time: number): Observation {
  return {
    deviceId: deviceId(i),
    time,
    domain: contract.domain,
    commune: "54521",
    ownerId: "ccphva",
    operatorId: OPERATOR,
    contract: contract.key,
    values: {
      power_state: "on",
      status: "ok",
      illuminance_level: 1,
      active_power_w: 48.2,
      energy_kwh: 1234.5,
    },
  };
}

async function measure(args: StateArgs) {
  const contract = loadContract(args.silence);
  const engine = createRuleEngine(
    {
      contracts: createContractRegistry([contract]),
      devices: { get: () => undefined, list: () => [] },
      store: createMemoryAlertStore(),
      now: () => Date.now(),
    },
    { maxQueued: args.batch * 2, maxStates: args.devices * contract.rules.length + 1 },
  );
  await engine.start();
  const before = heap();
  const t0 = Date.now() - 60_000;
  const first = await feed(engine, contract, 0, args.devices, args.batch, t0);
  const after = heap();
  // A second reading of some devices: entries found, states replaced.
  const again = Math.min(args.devices, args.steadyDevices);
  const second = await feed(engine, contract, 0, again, args.batch, t0 + 3_000);
  const steady = heap();
  const { evaluated, raised, dropped, failures } = engine.stats;
  const states = engine.size;
  const breakdown = peel(engine, args.devices);
  await engine.close();
  return {
    devices: args.devices,
    rulesPerDevice: contract.rules.length,
    states,
    evaluated,
    raised,
    dropped,
    failures,
    heapBytes: after.heap - before.heap,
    rssBytes: after.rss - before.rss,
    secondReadings: again,
    heapBytesAfterSecond: steady.heap - before.heap,
    firstUsPerReading: first,
    secondUsPerReading: second,
    breakdown,
  };
}

/** One reading per device of [from, to), in batches; returns CPU microseconds per reading. */
async function feed(
  engine: RuleEngine,
  contract: Contract,
  from: number,
  to: number,
  batchSize: number,
  time: number,
): Promise<number> {
  const cpu = process.cpuUsage();
  for (let start = from; start < to; start += batchSize) {
    const end = Math.min(to, start + batchSize);
    const batch: Observation[] = [];
    for (let i = start; i < end; i++) batch.push(reading(contract, i, time + (i % 1000)));
    engine.observe(batch);
    await engine.idle();
  }
  const d = process.cpuUsage(cpu);
  return (d.user + d.system) / Math.max(1, to - from);
}

/**
 * Where the engine's bytes go, taken off one part at a time from the live engine (its private
 * RuleStates, read for this measure only), a full collection after each: the kinds' states, then
 * the per-device entries (an array holding the contract and the states) with the map that holds
 * them. The parts add up to the whole by construction.
 */
function peel(engine: RuleEngine, devices: number): Array<{ part: string; bytesPerDevice: number }> {
  const states = (engine as unknown as { states?: { devices?: Map<string, unknown[]> } }).states;
  const map = states?.devices;
  if (!(map instanceof Map))
    throw new Error(
      "RuleEngine no longer keeps its states in RuleStates: update bench/children/alerts-state.ts",
    );
  const parts: Array<{ part: string; bytesPerDevice: number }> = [];
  let last = heap().heap;
  const took = (part: string) => {
    const now = heap().heap;
    parts.push({ part, bytesPerDevice: Math.round((last - now) / devices) });
    last = now;
  };
  // Entry layout (services/alerts/rule-states.ts): [contract, seen, state of rule 0, ...].
  for (const entry of map.values()) for (let i = 2; i < entry.length; i++) entry[i] = undefined;
  took("kinds' states (latch objects, silence object and its time as a heap number)");
  for (const key of [...map.keys()]) map.set(key, EMPTY);
  took("entry arrays [contract, seen, states...]");
  map.clear();
  took("Map entries, hash table and device id keys");
  return parts;
}

const EMPTY: unknown[] = [];

serveParent(Promise.resolve({ pid: process.pid, gc: gc !== undefined }), {
  measure: (args: StateArgs) => measure(args),
  close: () => undefined,
});
