import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import { DuckDBTimestampMillisecondsValue } from "@duckdb/node-api";
import { BadRequestError } from "../../domain/errors.ts";
import type { FieldValue, Observation } from "../../domain/types.ts";
import type { LatestRows, ReadingRows } from "./chunks.ts";
import { KIND_BOOLEAN, KIND_NUMBER, KIND_STRING } from "./schema.ts";

/**
 * The store's in-memory copy of its dictionaries (device keys, series, fields) and of the time
 * of each (device, field) in `latest`, so that a write turns text into integer ids and knows
 * which `latest` rows it changes without asking DuckDB.
 *
 * A write mutates this copy while it stages its rows (new ids, newer times). It is right again
 * once the transaction commits; if the transaction fails, the copy is marked stale and reloaded
 * from the tables before the next write, so ids and times of a rolled-back write never survive.
 * Only the writer connection writes these tables (one process holds the file lock), so the copy
 * cannot fall behind otherwise.
 */

export interface SeriesEntry {
  id: number;
  domain: string;
  commune: string;
  ownerId: string;
  operatorId: string;
  contract: string;
}

export interface DeviceEntry {
  key: number;
  deviceId: string;
  /** Every series of the device; the last one used is tried first. */
  series: SeriesEntry[];
  last: SeriesEntry | undefined;
  /** By field id: time (epoch ms) of the value `latest` holds, undefined when none. */
  times: (number | undefined)[];
  /** By field id: this transaction's row for the key in the latest stage, when `stagedIn` is current. */
  slots: number[];
  stagedIn: number[];
}

/** One transaction's changed `latest` keys, one row per (device, field), last write wins. */
class LatestStage {
  generation = 0;
  length = 0;
  freshCount = 0;
  readonly devices: DeviceEntry[] = [];
  readonly fields: number[] = [];
  readonly series: number[] = [];
  readonly times: DuckDBTimestampMillisecondsValue[] = [];
  readonly kinds: number[] = [];
  readonly values: FieldValue[] = [];
  readonly fresh: boolean[] = [];

  reset(): void {
    this.generation += 1;
    this.length = 0;
    this.freshCount = 0;
  }

  put(
    device: DeviceEntry,
    fieldId: number,
    seriesId: number,
    time: DuckDBTimestampMillisecondsValue,
    kind: number,
    value: FieldValue,
    fresh: boolean,
  ): void {
    let slot: number;
    if (device.stagedIn[fieldId] === this.generation) {
      // Staged earlier in this transaction: overwrite, and keep its `fresh` (the table has no row yet).
      slot = device.slots[fieldId] as number;
    } else {
      slot = this.length;
      this.length += 1;
      device.stagedIn[fieldId] = this.generation;
      device.slots[fieldId] = slot;
      this.devices[slot] = device;
      this.fields[slot] = fieldId;
      this.fresh[slot] = fresh;
      if (fresh) this.freshCount += 1;
    }
    this.series[slot] = seriesId;
    this.times[slot] = time;
    this.kinds[slot] = kind;
    this.values[slot] = value;
  }

  write(rows: LatestRows): void {
    for (let i = 0; i < this.length; i++) {
      rows.add(
        (this.devices[i] as DeviceEntry).key,
        this.fields[i] as number,
        this.series[i] as number,
        this.times[i] as DuckDBTimestampMillisecondsValue,
        this.kinds[i] as number,
        this.values[i] as FieldValue,
        this.fresh[i] as boolean,
      );
    }
    // Drop references to this transaction's values.
    this.devices.length = 0;
    this.values.length = 0;
    this.times.length = 0;
  }
}

/** A reading whose key (series, field, time) may already be stored: it replaces what is there. */
export interface Rewrite {
  time: DuckDBTimestampMillisecondsValue;
  ms: number;
  seriesId: number;
  fieldId: number;
  kind: number;
  value: FieldValue;
}

/** Entries registered by the transaction being staged: their rows go in before COMMIT. */
export interface Registrations {
  devices: DeviceEntry[];
  series: { device: DeviceEntry; entry: SeriesEntry }[];
  fields: { id: number; name: string }[];
}

export class Dictionary {
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly fieldIds = new Map<string, number>();
  private nextDeviceKey = 1;
  private nextSeriesId = 1;
  private nextFieldId = 1;
  /** Set when a transaction failed after mutating the copy: reload before using it. */
  stale = true;
  readonly registered: Registrations = { devices: [], series: [], fields: [] };
  readonly latest = new LatestStage();
  /**
   * This transaction's readings not newer than what `latest` holds for their device and field:
   * only those can repeat a stored key (a reading newer than the newest of its device and field
   * cannot), so only those pay for the delete that makes the last write win. In order, on time,
   * nothing is rewritten. Keyed by series, field and time: the last of a transaction's duplicates.
   */
  readonly rewrites = new Map<string, Rewrite>();

  /** Reads the dictionaries and the times of `latest` from the tables (at start, after a failure). */
  async load(connection: DuckDBConnection): Promise<void> {
    this.devices.clear();
    this.fieldIds.clear();
    const devices = await columns(connection, "SELECT device_key, device_id FROM device_keys");
    forEachRow(devices, (r) => {
      const entry: DeviceEntry = {
        key: Number(r.device_key),
        deviceId: String(r.device_id),
        series: [],
        last: undefined,
        times: [],
        slots: [],
        stagedIn: [],
      };
      this.devices.set(entry.deviceId, entry);
    });
    const series = await columns(
      connection,
      "SELECT series_id, device_id, domain, commune, owner_id, operator_id, contract FROM series ORDER BY series_id",
    );
    forEachRow(series, (r) => {
      const device = this.devices.get(String(r.device_id));
      if (!device) throw new Error(`series ${String(r.series_id)} names an unknown device`);
      const entry: SeriesEntry = {
        id: Number(r.series_id),
        domain: String(r.domain),
        commune: String(r.commune),
        ownerId: String(r.owner_id),
        operatorId: String(r.operator_id),
        contract: String(r.contract),
      };
      device.series.push(entry);
      device.last = entry;
    });
    const fields = await columns(connection, "SELECT field_id, name FROM fields");
    forEachRow(fields, (r) => this.fieldIds.set(String(r.name), Number(r.field_id)));
    const byKey = new Map<number, DeviceEntry>();
    for (const device of this.devices.values()) byKey.set(device.key, device);
    const latest = await columns(
      connection,
      "SELECT device_key, field_id, epoch_ms(time)::DOUBLE AS t FROM latest",
    );
    forEachRow(latest, (r) => {
      const device = byKey.get(Number(r.device_key));
      if (!device) throw new Error(`latest holds an unknown device key ${String(r.device_key)}`);
      device.times[Number(r.field_id)] = Number(r.t);
    });
    const [next] = (
      await connection.runAndReadAll(
        `SELECT (SELECT coalesce(max(device_key), 0) FROM device_keys) + 1 AS device_key,
          (SELECT coalesce(max(series_id), 0) FROM series) + 1 AS series_id,
          (SELECT coalesce(max(field_id), 0) FROM fields) + 1 AS field_id`,
      )
    ).getRowObjects();
    this.nextDeviceKey = Number(next?.device_key ?? 1);
    this.nextSeriesId = Number(next?.series_id ?? 1);
    this.nextFieldId = Number(next?.field_id ?? 1);
    this.stale = false;
  }

  /**
   * Writes the readings of `observations` into `readings` and stages the `latest` keys they make
   * newer (`>=`: on equal times the later write wins, as the port asks). Synchronous; throws on a
   * value that is not a FieldValue or a time that is not a finite number (the caller aborts).
   */
  stage(observations: readonly Observation[], readings: ReadingRows): void {
    const registered = this.registered;
    registered.devices.length = 0;
    registered.series.length = 0;
    registered.fields.length = 0;
    const latest = this.latest;
    latest.reset();
    this.rewrites.clear();
    for (let i = 0; i < observations.length; i++) {
      const o = observations[i] as Observation;
      const ms = epochMs(o.time);
      // One time value per observation, shared by its fields' rows.
      const time = new DuckDBTimestampMillisecondsValue(BigInt(ms));
      const device = this.device(o.deviceId);
      const seriesId = this.seriesOf(device, o);
      const values = o.values;
      for (const name in values) {
        const value = values[name] as FieldValue;
        const kind = kindOf(value);
        const fieldId = this.fieldIds.get(name) ?? this.registerField(name);
        const known = device.times[fieldId];
        if (known !== undefined && ms <= known) {
          this.rewrites.set(`${seriesId}|${fieldId}|${ms}`, { time, ms, seriesId, fieldId, kind, value });
        } else {
          readings.add(time, seriesId, fieldId, kind, value);
        }
        if (known === undefined || ms >= known) {
          latest.put(device, fieldId, seriesId, time, kind, value, known === undefined);
          device.times[fieldId] = ms;
        }
      }
    }
  }

  private device(deviceId: string): DeviceEntry {
    const known = this.devices.get(deviceId);
    if (known) return known;
    const entry: DeviceEntry = {
      key: this.nextDeviceKey,
      deviceId,
      series: [],
      last: undefined,
      times: [],
      slots: [],
      stagedIn: [],
    };
    this.nextDeviceKey += 1;
    this.devices.set(deviceId, entry);
    this.registered.devices.push(entry);
    return entry;
  }

  /** A device keeps its series (usually one) for years: compare with the last one used first. */
  private seriesOf(device: DeviceEntry, o: Observation): number {
    const last = device.last;
    if (last && sameSeries(last, o)) return last.id;
    for (const entry of device.series) {
      if (sameSeries(entry, o)) {
        device.last = entry;
        return entry.id;
      }
    }
    const entry: SeriesEntry = {
      id: this.nextSeriesId,
      domain: o.domain,
      commune: o.commune,
      ownerId: o.ownerId,
      operatorId: o.operatorId,
      contract: o.contract,
    };
    this.nextSeriesId += 1;
    device.series.push(entry);
    device.last = entry;
    this.registered.series.push({ device, entry });
    return entry.id;
  }

  private registerField(name: string): number {
    const id = this.nextFieldId;
    this.nextFieldId += 1;
    this.fieldIds.set(name, id);
    this.registered.fields.push({ id, name });
    return id;
  }
}

function sameSeries(s: SeriesEntry, o: Observation): boolean {
  return (
    s.operatorId === o.operatorId &&
    s.contract === o.contract &&
    s.commune === o.commune &&
    s.domain === o.domain &&
    s.ownerId === o.ownerId
  );
}

/** Anything else (undefined, null, an object) would come back as something it never was: refuse it. */
export function kindOf(value: FieldValue): number {
  switch (typeof value) {
    case "number":
      return KIND_NUMBER;
    case "string":
      return KIND_STRING;
    case "boolean":
      return KIND_BOOLEAN;
    default:
      throw new TypeError(`not a field value: ${String(value)}`);
  }
}

/** Whole milliseconds (TIMESTAMP_MS), as the store has always rounded them. */
export function epochMs(ms: number): number {
  if (!Number.isFinite(ms)) throw new BadRequestError("expected a finite number");
  return Math.floor(ms);
}

type Columns = Record<string, DuckDBValue[]>;

async function columns(connection: DuckDBConnection, sql: string): Promise<Columns> {
  return (await connection.runAndReadAll(sql)).getColumnsObject();
}

function forEachRow(cols: Columns, visit: (row: Record<string, DuckDBValue | undefined>) => void): void {
  const names = Object.keys(cols);
  const count = cols[names[0] ?? ""]?.length ?? 0;
  const row: Record<string, DuckDBValue | undefined> = {};
  for (let i = 0; i < count; i++) {
    for (const name of names) row[name] = cols[name]?.[i];
    visit(row);
  }
}
