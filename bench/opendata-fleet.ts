import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import type { Contract, FieldSpec } from "../services/contracts/model.ts";
import type { Device, EpochMs } from "../services/domain/types.ts";
import type { OpenDataset } from "../services/opendata/datasets.ts";
import { indicatorKinds } from "../services/opendata/indicators.ts";
import { bucketEnd, bucketStarts } from "../services/opendata/periods.ts";
import type { RawFigure } from "../services/opendata/suppression.ts";
import type { DeviceRollup } from "../services/storage/store.ts";
import { spreadPosition } from "./web-fleet.ts";

/**
 * The open-data benchmark's territory and figures. The territory is the demo's (owner, EPCI,
 * operators, staff users, outlines and its four contracts, so that the demo's datasets exist),
 * with its inventory scaled: each demo device copied in turn until the count is reached, moved a
 * little off the original (as the web benchmark spreads its fleet), with its commune, contract,
 * operator and attributes (sector, rated power...), its LoRaWAN identifiers left out (the bench
 * territory has no network server: two copies may not share a DevEUI).
 *
 * The published figures are generated as the publisher would have recorded them over a year:
 * for each dataset, every period its granularity makes and every place its level makes (the
 * communes, sectors or assets of its contract's devices, or the territory), behind the devices
 * of that place. Everything derives from a seeded PRNG.
 */
const DEMO = fileURLToPath(new URL("../territory/ccphva", import.meta.url));
const DAY = 86_400_000;
/** Inventory columns a copy leaves empty: the LoRaWAN identity of the original. */
const RADIO_COLUMNS = ["dev_eui", "codec", "stream"];

/** A temporary territory folder with `count` devices; the caller removes it. */
export function makeOpenDataTerritory(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "lanterne-bench-opendata-"));
  const demo = parse(readFileSync(join(DEMO, "territory.yaml"), "utf8")) as Record<string, unknown>;
  const doc = {
    owner: demo.owner,
    epci: demo.epci,
    inventory: "inventory.csv",
    ...(typeof demo.outlines === "string" ? { outlines: demo.outlines } : {}),
    operators: demo.operators,
    users: demo.users,
  };
  writeFileSync(join(dir, "territory.yaml"), stringify(doc));
  if (typeof demo.outlines === "string") copyFileSync(join(DEMO, demo.outlines), join(dir, demo.outlines));
  writeFileSync(
    join(dir, "inventory.csv"),
    scaledInventory(readFileSync(join(DEMO, "inventory.csv"), "utf8"), count),
  );
  mkdirSync(join(dir, "contracts"));
  for (const file of readdirSync(join(DEMO, "contracts"))) {
    if (file.endsWith(".yaml")) copyFileSync(join(DEMO, "contracts", file), join(dir, "contracts", file));
  }
  return dir;
}

/**
 * `count` devices: the demo's rows in turn, `<id>-c<copy>` from the second round on. The rows are
 * taken interleaved (each contract's in its share of every stretch), so that a territory smaller
 * than the demo still holds every contract's devices in the demo's proportions.
 */
export function scaledInventory(csv: string, count: number): string {
  const [header = "", ...lines] = csv.split(/\r?\n/);
  const cols = header.split(",");
  const rows = interleaved(
    lines.filter((l) => l.trim() !== ""),
    cols.indexOf("contract"),
  );
  if (rows.length === 0) throw new Error("the demo inventory is empty");
  const [id, lat, lon] = ["id", "lat", "lon"].map((c) => cols.indexOf(c));
  const radio = RADIO_COLUMNS.map((c) => cols.indexOf(c)).filter((i) => i >= 0);
  if (id === undefined || lat === undefined || lon === undefined || id < 0 || lat < 0 || lon < 0) {
    throw new Error("the demo inventory has no id, lat or lon column");
  }
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const round = Math.floor(i / rows.length);
    const f = (rows[i % rows.length] as string).split(",");
    if (round > 0) {
      f[id] = `${f[id]}-c${round}`;
      const p = spreadPosition(Number(f[lat]), Number(f[lon]), i);
      f[lat] = String(p.lat);
      f[lon] = String(p.lon);
    }
    for (const c of radio) f[c] = "";
    out.push(f.join(","));
  }
  return [header, ...out, ""].join("\n");
}

/** Rows ordered by their rank within their contract over the contract's count (stable). */
function interleaved(rows: readonly string[], column: number): string[] {
  const of = (row: string) => row.split(",")[column] ?? "";
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(of(r), (totals.get(of(r)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const keyed = rows.map((row, i) => {
    const k = seen.get(of(row)) ?? 0;
    seen.set(of(row), k + 1);
    return { row, i, key: (k + 0.5) / (totals.get(of(row)) ?? 1) };
  });
  return keyed.sort((a, b) => a.key - b.key || a.i - b.i).map((k) => k.row);
}

/** The periods of a year before `end` the dataset publishes: buckets wholly inside [end - 365 d, end). */
export function yearPeriods(dataset: OpenDataset, end: EpochMs): EpochMs[] {
  const g = dataset.spec.granularity;
  return bucketStarts(end - 365 * DAY, end, g).filter((p) => p >= end - 365 * DAY && bucketEnd(p, g) <= end);
}

/** Devices of the dataset's contract per place of its level. */
export function population(dataset: OpenDataset, devices: readonly Device[], territory: string) {
  const { spec } = dataset;
  const counts = new Map<string, number>();
  for (const d of devices) {
    if (d.contractId !== dataset.contract.id) continue;
    const place =
      spec.level === "commune"
        ? d.commune
        : spec.level === "territory"
          ? territory
          : spec.level === "asset"
            ? d.id
            : String(d.attributes[spec.sectorAttribute] ?? "");
    if (place !== "") counts.set(place, (counts.get(place) ?? 0) + 1);
  }
  return new Map([...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/**
 * A year of the dataset's figures before secrecy: for each period and place, a plausible value of
 * its indicator and the devices behind it (nearly all of the place's devices reported; alert
 * times stand on the few devices whose alerts ended in the period).
 */
export function datasetFigures(
  dataset: OpenDataset,
  places: ReadonlyMap<string, number>,
  periods: readonly EpochMs[],
  rand: () => number,
): RawFigure[] {
  const kind = indicatorKinds.get(dataset.spec.indicator)?.kind ?? dataset.spec.indicator;
  const field = dataset.spec.params.field
    ? dataset.contract.fields.get(dataset.spec.params.field)
    : undefined;
  const days = (p: EpochMs) => (bucketEnd(p, dataset.spec.granularity) - p) / DAY;
  const out: RawFigure[] = [];
  for (const period of periods) {
    for (const [place, n] of places) {
      const reporting = Math.max(1, n - Math.floor(n * 0.03 * rand()));
      out.push({ period, place, ...figure(kind, field, reporting, days(period), rand) });
    }
  }
  return out;
}

function figure(
  kind: string,
  field: FieldSpec | undefined,
  devices: number,
  days: number,
  rand: () => number,
): { value: number; devices: number } {
  switch (kind) {
    case "share":
      return { value: round(92 + 8 * rand(), 3), devices };
    case "sum":
      return { value: round(devices * days * (0.4 + 0.3 * rand()), 3), devices };
    case "devices-reaching":
      return { value: Math.floor(devices * 0.15 * rand()), devices };
    case "alerts":
      return { value: Math.floor(devices * days * 0.0005 * rand()), devices };
    case "repair-time":
    case "acknowledge-time":
      return { value: round(2 + 46 * rand(), 2), devices: 5 + Math.floor(60 * rand()) };
    default:
      return { value: round(gauge(field, rand), 4), devices };
  }
}

/** A mean within the field's bounds (the middle of them), 0..1 without bounds. */
function gauge(field: FieldSpec | undefined, rand: () => number): number {
  const lo = field?.minimum ?? 0;
  const hi = field?.maximum ?? 1;
  return lo + (hi - lo) * (0.3 + 0.4 * rand());
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * One day of device rollups, as the rollup maintainer writes them: a row per device and field its
 * contract publishes (openData.fields), a counter's with its day's consumption.
 */
export function dayRollups(
  devices: readonly Device[],
  contracts: ReadonlyMap<string, Contract>,
  time: EpochMs,
  rand: () => number,
): DeviceRollup[] {
  const rows: DeviceRollup[] = [];
  for (const d of devices) {
    const contract = contracts.get(d.contractId);
    if (!contract) continue;
    for (const name of contract.openData.fields) {
      const field = contract.fields.get(name);
      if (!field || (field.type !== "number" && field.type !== "integer")) continue;
      const mean = gauge(field, rand);
      rows.push({
        tier: "1d",
        time,
        deviceId: d.id,
        domain: d.domain,
        commune: d.commune,
        operatorId: d.assignments[0]?.operatorId ?? "",
        field: name,
        count: 96,
        mean,
        min: mean * 0.8,
        max: field.measure === "counter" ? mean : Math.min(field.maximum ?? mean * 1.2, mean * 1.2),
        ...(field.measure === "counter" ? { sum: round(0.4 + 0.3 * rand(), 3) } : {}),
      });
    }
  }
  return rows;
}
