import type { Contract } from "../contracts/model.ts";

/**
 * The rule engine's memory: for each device, the contract version its states belong to and one
 * state per rule of that contract, in the contract's rule order. One map entry and one small
 * array per device, the contract and its rules shared by every device under it: no key string
 * per (device, rule), no object per (device, rule) besides the kind's own state.
 *
 * Bound: at most `maxDevices` devices; past it the least recently seen go first, chosen as a
 * clock does (a device seen since the last sweep gets a second chance) rather than by moving
 * every device to the end of the map at each reading, which costs a map delete and insert per
 * reading. A forgotten device starts again from nothing: that can delay an alert by the kind's
 * own window, never invent one.
 *
 * Layout of an entry: [contract, seen, state of rule 0, state of rule 1, ...].
 */
type Entry = unknown[];

const CONTRACT = 0;
const SEEN = 1;
const FIRST_STATE = 2;

export class RuleStates {
  private readonly devices = new Map<string, Entry>();

  constructor(private readonly maxDevices: number) {}

  get size(): number {
    return this.devices.size;
  }

  /** (device, rule) states held: what the metrics call states. */
  get stateCount(): number {
    let n = 0;
    for (const entry of this.devices.values()) n += entry.length - FIRST_STATE;
    return n;
  }

  /**
   * The device's states under `contract`, created or carried over: when the contract's version
   * changed, a rule keeps its state only if its id, kind and parameters are the same.
   */
  entry(deviceId: string, contract: Contract): Entry {
    const entry = this.devices.get(deviceId);
    if (entry && entry[CONTRACT] === contract) {
      entry[SEEN] = true;
      return entry;
    }
    // Sized once: a literal with a spread grows by doubling and keeps the slack.
    const fresh: Entry = new Array(FIRST_STATE + contract.rules.length);
    fresh[CONTRACT] = contract;
    fresh[SEEN] = true;
    if (entry) carryOver(entry, fresh);
    else this.makeRoom();
    this.devices.set(deviceId, fresh);
    return fresh;
  }

  /** Sets a device's state for the rule at `index` of its entry's contract. */
  static set(entry: Entry, index: number, state: unknown): void {
    entry[FIRST_STATE + index] = state;
  }

  static get(entry: Entry, index: number): unknown {
    return entry[FIRST_STATE + index];
  }

  static contractOf(entry: Entry): Contract {
    return entry[CONTRACT] as Contract;
  }

  /** A device's entry if it has one (no creation, no mark of use). */
  existing(deviceId: string): Entry | undefined {
    return this.devices.get(deviceId);
  }

  /** Every device's entry, in the map's order (ticks). */
  entries(): IterableIterator<[string, Entry]> {
    return this.devices.entries();
  }

  /** Every device with its contract and states (saving). */
  *all(): Generator<{ deviceId: string; contract: Contract; states: readonly unknown[] }> {
    for (const [deviceId, entry] of this.devices) {
      yield { deviceId, contract: entry[CONTRACT] as Contract, states: entry.slice(FIRST_STATE) };
    }
  }

  /** Puts back a saved state (engine-state.ts), without marking the device as seen. */
  restore(deviceId: string, contract: Contract, index: number, state: unknown): void {
    const entry = this.entry(deviceId, contract);
    entry[SEEN] = false;
    entry[FIRST_STATE + index] = state;
  }

  private makeRoom(): void {
    // At most two sweeps: the first clears the `seen` flags it passes, the second finds one unseen.
    let budget = this.devices.size * 2;
    while (this.devices.size >= this.maxDevices && budget-- > 0) {
      const next = this.devices.entries().next();
      if (next.done) return;
      const [id, entry] = next.value;
      this.devices.delete(id);
      if (entry[SEEN]) {
        entry[SEEN] = false;
        this.devices.set(id, entry);
      }
    }
  }
}

function carryOver(from: Entry, to: Entry): void {
  const before = from[CONTRACT] as Contract;
  const after = to[CONTRACT] as Contract;
  after.rules.forEach((rule, i) => {
    const j = before.rules.findIndex((r) => r.id === rule.id);
    const old = before.rules[j];
    if (
      j >= 0 &&
      old &&
      old.kind === rule.kind &&
      JSON.stringify(old.params) === JSON.stringify(rule.params)
    ) {
      to[FIRST_STATE + i] = from[FIRST_STATE + j];
    }
  });
}
