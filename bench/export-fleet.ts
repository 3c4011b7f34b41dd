import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectedPeriodMs } from "../services/contracts/cadence.ts";
import { type ContractRegistry, loadContractDir } from "../services/contracts/registry.ts";
import type { Device, EpochMs, Observation } from "../services/domain/types.ts";
import { currentOperator } from "../services/inventory/device-index.ts";
import { loadInventoryFile } from "../services/inventory/load.ts";
import { loadTerritoryFile } from "../services/inventory/territory-file.ts";
import { hash32, planScenario, readingFor, type Scenario } from "../simulator/models.ts";
import { makeOpenDataTerritory } from "./opendata-fleet.ts";

/**
 * The export benchmark's territory and readings. The territory is the open-data benchmark's (the
 * demo's, its inventory scaled to `count` devices, on the demo contracts), with the `stream`
 * attribute of each copy given back: the waste contract's cadence rule reads it (glass every 6 h,
 * the other streams at the contract's frequency), and the copies are not LoRaWAN devices anyway.
 *
 * Readings are the demo simulator's (simulator/models.ts: the same values a demo platform stores),
 * each device at its contract's cadence (services/contracts/cadence.ts), shifted within its period
 * by a fixed offset of its own (devices do not all report on the quarter hour), stamped with the
 * contract version valid at their time and the device's operator then.
 */
const DEMO_INVENTORY = fileURLToPath(new URL("../territory/ccphva/inventory.csv", import.meta.url));
const SEED = 20_260_101;

/** A temporary territory folder with `count` devices; the caller removes it. */
export function makeExportTerritory(count: number): string {
  const dir = makeOpenDataTerritory(count);
  const path = join(dir, "inventory.csv");
  writeFileSync(path, withStreams(readFileSync(path, "utf8"), readFileSync(DEMO_INVENTORY, "utf8")));
  return dir;
}

/** The scaled inventory with each copy's `stream` taken from its original (`<id>-c<round>`). */
function withStreams(scaled: string, demo: string): string {
  const streams = new Map<string, string>();
  const [demoHeader = "", ...demoRows] = demo.split(/\r?\n/);
  const dcols = demoHeader.split(",");
  const [did, dstream] = [dcols.indexOf("id"), dcols.indexOf("stream")];
  for (const row of demoRows) {
    const f = row.split(",");
    if (f[did] && f[dstream]) streams.set(f[did] as string, f[dstream] as string);
  }
  const [header = "", ...rows] = scaled.split(/\r?\n/);
  const cols = header.split(",");
  const [id, stream] = [cols.indexOf("id"), cols.indexOf("stream")];
  if (id < 0 || stream < 0) return scaled;
  const out = rows.map((row) => {
    if (row.trim() === "") return row;
    const f = row.split(",");
    f[stream] = streams.get((f[id] ?? "").replace(/-c\d+$/, "")) ?? "";
    return f.join(",");
  });
  return [header, ...out].join("\n");
}

export interface ExportFleet {
  devices: FleetDevice[];
  contracts: ContractRegistry;
  scenario: Scenario;
  /** Devices per reporting period (ms), for the report. */
  periods: Map<number, number>;
}

interface FleetDevice {
  device: Device;
  periodMs: number;
  /** Its readings are at from + offsetMs + k × periodMs. */
  offsetMs: number;
}

/** The territory's devices with a contract and a cadence, as `lanterne export` loads them. */
export async function loadExportFleet(territoryDir: string, from: EpochMs): Promise<ExportFleet> {
  const territory = await loadTerritoryFile(territoryDir);
  const contracts = await loadContractDir(territory.contractsDir);
  const inventory = await loadInventoryFile(territory.inventoryPath, { ownerId: territory.owner.id });
  const devices: FleetDevice[] = [];
  const periods = new Map<number, number>();
  for (const device of inventory) {
    const contract = contracts.versionAt(device.contractId, from);
    const periodMs = contract && expectedPeriodMs(contract, device);
    if (!periodMs) continue;
    // Whole seconds within the period: the readings of one device never share an instant.
    const offsetMs = (hash32(SEED, "offset", device.id) % Math.floor(periodMs / 1000)) * 1000;
    devices.push({ device, periodMs, offsetMs });
    periods.set(periodMs, (periods.get(periodMs) ?? 0) + 1);
  }
  return { devices, contracts, scenario: planScenario(inventory, from, SEED), periods };
}

/** Readings and field values a span of `ms` from `from` holds, without generating them. */
export function expectedCounts(fleet: ExportFleet, ms: number): number {
  let readings = 0;
  for (const d of fleet.devices) readings += Math.max(0, Math.ceil((ms - d.offsetMs) / d.periodMs));
  return readings;
}

/**
 * The fleet's readings in [from, to), slot by slot (`slotMs` of time each), each slot's in time
 * order: memory holds one slot (a quarter hour of 20,000 devices is about 19,000 readings).
 */
export function* readingSlots(
  fleet: ExportFleet,
  from: EpochMs,
  to: EpochMs,
  slotMs: number,
): Generator<Observation[]> {
  const next = fleet.devices.map((d) => from + d.offsetMs);
  for (let start = from; start < to; start += slotMs) {
    const end = Math.min(to, start + slotMs);
    const slot: Observation[] = [];
    fleet.devices.forEach((d, i) => {
      for (let t = next[i] as number; t < end; t += d.periodMs) {
        const o = observation(fleet, d, t);
        if (o) slot.push(o);
        next[i] = t + d.periodMs;
      }
    });
    slot.sort((a, b) => a.time - b.time);
    yield slot;
  }
}

function observation(fleet: ExportFleet, d: FleetDevice, t: EpochMs): Observation | undefined {
  const { device } = d;
  const contract = fleet.contracts.versionAt(device.contractId, t);
  const values = readingFor(device, t, fleet.scenario);
  const operatorId = currentOperator(device, t);
  if (!contract || !values || !operatorId) return undefined;
  return {
    deviceId: device.id,
    time: t,
    domain: device.domain,
    commune: device.commune,
    ownerId: device.ownerId,
    operatorId,
    contract: contract.key,
    values,
  };
}
