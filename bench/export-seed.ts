import { join } from "node:path";
import type { ContractRegistry } from "../services/contracts/registry.ts";
import type { EpochMs, Observation } from "../services/domain/types.ts";
import { combine, combineStates } from "../services/rollups/maintainer.ts";
import { createDuckdbStore, type DuckdbStore } from "../services/storage/duckdb-store.ts";
import type { RollupTier } from "../services/storage/store.ts";
import { type ExportFleet, readingSlots } from "./export-fleet.ts";

/**
 * The export benchmark's data folder, written as a platform would have left it: the fleet's
 * readings through the embedded store's write() in large batches (its group-committed appender
 * path, the fastest way in), their hourly and daily rollups, and a few refused messages and
 * dropped values so that every part of the bundle has rows.
 *
 * Rollups are the rows the rollup maintainer writes (the store's summarize and summarizeStates,
 * the groups by its combine and combineStates), computed a day of readings at a time for every
 * device at once. The maintainer itself recomputes bucket by bucket, each (commune, domain) group
 * read back and written on its own, and a state reading marks every bucket its state may reach
 * (STATE_MAX_GAP_MS, a day) dirty: measured 198 s for half a day of 20,000 devices, against 4 s
 * for the readings' writes. Its pace suits live traffic, not seeding days of history.
 */
const SLOT_MS = 15 * 60_000;
const DAY = 86_400_000;
/** Observations per write(): one transaction each. */
const BATCH = 20_000;
/** Refused messages and dropped values recorded per day of readings. */
const REFUSALS_PER_DAY = 200;
/** Rollup rows per write transaction. */
const ROLLUP_BATCH = 50_000;
const TIERS: readonly RollupTier[] = ["1h", "1d"];

export interface SeedResult {
  readings: number;
  fieldValues: number;
  /** The store's own count, whole and over the first half of the span. */
  storedValues: number;
  storedValuesHalf: number;
  quarantine: number;
  violations: number;
  writeMs: number;
  rollupMs: number;
  rollupRows: number;
  wallMs: number;
}

export async function seedStore(
  dataDir: string,
  fleet: ExportFleet,
  span: { from: EpochMs; to: EpochMs; half: EpochMs },
  withRollups: boolean,
  log: (line: string) => void,
): Promise<SeedResult> {
  const store = createDuckdbStore({ path: join(dataDir, "lanterne.duckdb"), memoryMib: 1024 });
  await store.start();
  const fields = {
    counters: fieldsMeasuredAs(fleet.contracts, "counter"),
    states: fieldsMeasuredAs(fleet.contracts, "state"),
  };
  const deviceIds = fleet.devices.map((d) => d.device.id);
  const r = {
    readings: 0,
    fieldValues: 0,
    writeMs: 0,
    rollupMs: 0,
    rollupRows: 0,
    quarantine: 0,
    violations: 0,
  };
  const started = performance.now();
  let lastLog = started;
  try {
    let batch: Observation[] = [];
    const flush = async () => {
      const t0 = performance.now();
      await store.write(batch);
      r.writeMs += performance.now() - t0;
      batch = [];
    };
    let slotStart = span.from;
    for (const slot of readingSlots(fleet, span.from, span.to, SLOT_MS)) {
      for (const o of slot) {
        batch.push(o);
        r.fieldValues += Object.keys(o.values).length;
      }
      r.readings += slot.length;
      if (batch.length >= BATCH) await flush();
      slotStart += SLOT_MS;
      const dayEnded = (slotStart - span.from) % DAY === 0 || slotStart >= span.to;
      if (!dayEnded) continue;
      if (batch.length > 0) await flush();
      const day: [EpochMs, EpochMs] = [Math.max(span.from, slotStart - DAY), Math.min(slotStart, span.to)];
      await refusals(store, fleet, day, r);
      if (withRollups) {
        const t0 = performance.now();
        r.rollupRows += await rollupDay(store, deviceIds, day, fields);
        r.rollupMs += performance.now() - t0;
      }
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(
          `seeded ${r.readings.toLocaleString("en-US")} readings up to ${new Date(slotStart).toISOString()}`,
        );
      }
    }
    const storedValues = await store.countValues({});
    const storedValuesHalf = await store.countValues({ from: span.from, to: span.half });
    const wallMs = performance.now() - started;
    return { ...r, storedValues, storedValuesHalf, wallMs };
  } finally {
    await store.close();
  }
}

/** The day's device and group rollups of both tiers, as the maintainer computes them; rows written. */
async function rollupDay(
  store: DuckdbStore,
  deviceIds: readonly string[],
  [from, to]: [EpochMs, EpochMs],
  fields: { counters: readonly string[]; states: readonly string[] },
): Promise<number> {
  let rows = 0;
  for (const tier of TIERS) {
    const numeric = await store.summarize({ tier, deviceIds, from, to, counters: fields.counters });
    rows += await inBatches(numeric, (b) => store.writeDeviceRollups(b));
    const groups = byGroup(numeric).flatMap(([time, g, members]) => combine(tier, time, g, members));
    rows += await inBatches(groups, (b) => store.writeGroupRollups(b));
    if (fields.states.length === 0) continue;
    const now = Date.now();
    const states = await store.summarizeStates({ tier, deviceIds, from, to, fields: fields.states, now });
    rows += await inBatches(states, (b) => store.writeDeviceStateRollups(b));
    const stateGroups = byGroup(states).flatMap(([time, g, members]) =>
      combineStates(tier, time, g, members),
    );
    rows += await inBatches(stateGroups, (b) => store.writeGroupStateRollups(b));
  }
  return rows;
}

/** Device rows by (bucket, commune, domain). */
function byGroup<T extends { time: EpochMs; commune: string; domain: string }>(
  rows: readonly T[],
): [EpochMs, { commune: string; domain: string }, T[]][] {
  const groups = new Map<string, [EpochMs, { commune: string; domain: string }, T[]]>();
  for (const row of rows) {
    const key = `${row.time}|${row.commune}|${row.domain}`;
    const g = groups.get(key);
    if (g) g[2].push(row);
    else groups.set(key, [row.time, { commune: row.commune, domain: row.domain }, [row]]);
  }
  return [...groups.values()];
}

async function inBatches<T>(
  rows: readonly T[],
  write: (batch: readonly T[]) => Promise<void>,
): Promise<number> {
  for (let i = 0; i < rows.length; i += ROLLUP_BATCH) await write(rows.slice(i, i + ROLLUP_BATCH));
  return rows.length;
}

/** A day's refused messages (unknown device) and dropped values (out of range), spread over [day, end). */
async function refusals(
  store: DuckdbStore,
  fleet: ExportFleet,
  [day, end]: [EpochMs, EpochMs],
  r: { quarantine: number; violations: number },
): Promise<void> {
  const quarantine = [];
  const violations = [];
  for (let i = 0; i < REFUSALS_PER_DAY; i++) {
    const d = fleet.devices[(i * 97) % fleet.devices.length]?.device;
    if (!d) break;
    const time = day + Math.floor((i * (end - day)) / REFUSALS_PER_DAY);
    const operatorId = d.assignments[0]?.operatorId ?? "";
    const contract = fleet.contracts.versionAt(d.contractId, time)?.key ?? "";
    quarantine.push({
      receivedAt: time + 2_000,
      operatorId,
      deviceId: `${d.id}-unknown`,
      source: "mqtt",
      raw: JSON.stringify({ device: `${d.id}-unknown`, time: new Date(time).toISOString(), data: {} }),
      truncated: false,
      reasons: [{ code: "ERR_UNKNOWN_DEVICE", path: "device", detail: "not in the inventory" }],
    });
    violations.push({
      receivedAt: time + 2_000,
      time,
      operatorId,
      deviceId: d.id,
      contract,
      code: "ERR_CONTRACT_OUT_OF_RANGE",
      path: "data.battery_level",
      detail: "above the maximum 1",
      value: 1.5,
    });
  }
  await store.addQuarantine(quarantine);
  await store.addViolations(violations);
  r.quarantine += quarantine.length;
  r.violations += violations.length;
}

/** As the platform lists them (cli/platform.ts): fields its contracts measure as counters or states. */
function fieldsMeasuredAs(contracts: ContractRegistry, measure: "counter" | "state"): string[] {
  const names = contracts.all().flatMap((c) => [...c.fields.values()].filter((f) => f.measure === measure));
  return [...new Set(names.map((f) => f.name))];
}
