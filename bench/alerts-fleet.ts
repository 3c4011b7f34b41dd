import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";

/**
 * The fleet of the alerts benchmark: generated streetlights on the demo territory's communes, one
 * contract of the benchmark's own (fields of the load generator's readings, three rules: a state,
 * a band, a silence with a short cadence), and a temporary territory folder holding both, with the
 * demo's owner, its lighting operator and its staff users. The demo's contracts are not used: they
 * change with the demo, and the benchmark must measure the same rules from run to run.
 */
export const OPERATOR = "lumiere-est";
export const TOPIC = `lanterne/${OPERATOR}/readings`;
export const CONTRACT_ID = "bench-alerts-streetlight";
export const RULES = { state: "lamp-defective", band: "power-out-of-band", silence: "silent" } as const;
/** Band of the fault rule on `active_power_w`: a fault reading is far above it. */
export const POWER_MAX_W = 500;
export const FAULT_POWER_W = 900;
export const FAULT_STATUS = "defectiveLamp";

const DEMO = fileURLToPath(new URL("../territory/ccphva", import.meta.url));

export interface SilenceSpec {
  cadenceMs: number;
  graceMs: number;
}

/** `bench-al-000001`...: short, fixed-width ids, in publishing order. */
export function fleetIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-al-${String(i + 1).padStart(6, "0")}`);
}

/** The contract as a document (ODCS v3.1, as the demo's): what a reading carries and its rules. */
export function benchContract(silence: SilenceSpec): Record<string, unknown> {
  const text = (name: string, values: string[]) => ({
    name,
    logicalType: "string",
    required: true,
    quality: [{ type: "library", metric: "invalidValues", arguments: { validValues: values }, mustBe: 0 }],
  });
  const number = (name: string, maximum: number, extra: Record<string, unknown> = {}) => ({
    name,
    logicalType: "number",
    logicalTypeOptions: { minimum: 0, maximum },
    ...extra,
  });
  return {
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id: CONTRACT_ID,
    name: "Benchmark: streetlights under alert rules",
    version: "1.0.0",
    status: "active",
    domain: "streetlight",
    tenant: "ccphva",
    schema: [
      {
        name: "streetlight_reading",
        logicalType: "object",
        physicalName: "streetlight",
        properties: [
          text("power_state", ["on", "off", "low", "bootingUp"]),
          text("status", ["ok", FAULT_STATUS, "brokenLantern", "columnIssue"]),
          number("illuminance_level", 1),
          number("active_power_w", 1000),
          number("energy_kwh", 1_000_000, {
            customProperties: [{ property: "measure", value: "counter" }],
          }),
        ],
      },
    ],
    slaProperties: [
      { property: "frequency", value: silence.cadenceMs / 1000, unit: "s" },
      { property: "retention", value: 1, unit: "year" },
    ],
    customProperties: [
      {
        property: "owner",
        value: {
          id: "ccphva",
          name: "Communauté de communes du Pays Haut Val d'Alzette",
          siren: "245701404",
        },
      },
      { property: "validFrom", value: "2024-01-01" },
      { property: "licence", value: "etalab-2.0" },
      { property: "hostingLocation", value: "FR" },
      { property: "retentionTiers", value: { raw: "P1Y", hourly: "P5Y", daily: "P20Y" } },
      { property: "openData", value: { publish: false, fields: [], minDevices: 5 } },
      { property: "personalDataPurposes", value: {} },
      {
        property: "rules",
        // No minimum duration: a fault fires on the reading that carries it.
        value: [
          {
            id: RULES.state,
            kind: "state-equals",
            field: "status",
            params: { values: [FAULT_STATUS, "brokenLantern"] },
            severity: "major",
          },
          {
            id: RULES.band,
            kind: "band",
            field: "active_power_w",
            params: { max: POWER_MAX_W, margin: 10 },
            severity: "major",
          },
          {
            id: RULES.silence,
            kind: "silence",
            params: { cadenceMs: silence.cadenceMs, graceMs: silence.graceMs },
            severity: "minor",
          },
        ],
      },
    ],
  };
}

interface Place {
  commune: string;
  lat: string;
  lon: string;
}

/** Communes and positions of the demo's streetlights, reused in turn by the generated ones. */
function demoPlaces(): Place[] {
  const [header = "", ...rows] = readFileSync(join(DEMO, "inventory.csv"), "utf8").split(/\r?\n/);
  const cols = header.split(",");
  const [domain, commune, lat, lon] = ["domain", "commune", "lat", "lon"].map((c) => cols.indexOf(c));
  const places = rows
    .map((line) => line.split(","))
    .filter((f) => f[domain ?? -1] === "streetlight")
    .map((f) => ({ commune: f[commune ?? -1] ?? "", lat: f[lat ?? -1] ?? "", lon: f[lon ?? -1] ?? "" }));
  if (places.length === 0) throw new Error("the demo inventory has no streetlight to place the fleet");
  return places;
}

export function inventoryCsv(ids: readonly string[]): string {
  const places = demoPlaces();
  const lines = ids.map((id, i) => {
    const p = places[i % places.length] as Place;
    return [id, "streetlight", CONTRACT_ID, p.commune, p.lat, p.lon, OPERATOR, "2024-01-01", "ccphva"].join(
      ",",
    );
  });
  return ["id,domain,contract,commune,lat,lon,operator,assigned_from,owner", ...lines, ""].join("\n");
}

/**
 * A territory folder in the system's temporary folder: the demo's owner, EPCI, staff users and
 * lighting operator (same secrets), no LoRaWAN source, the fleet and the benchmark's contract.
 * The caller removes it.
 */
export function makeTerritory(ids: readonly string[], silence: SilenceSpec): string {
  const dir = mkdtempSync(join(tmpdir(), "lanterne-bench-alerts-"));
  const demo = parse(readFileSync(join(DEMO, "territory.yaml"), "utf8")) as Record<string, unknown>;
  const operators = Array.isArray(demo.operators) ? demo.operators : [];
  const doc = {
    owner: demo.owner,
    epci: demo.epci,
    inventory: "inventory.csv",
    operators: operators.filter((o: { id?: unknown }) => o.id === OPERATOR),
    users: demo.users,
  };
  writeFileSync(join(dir, "territory.yaml"), stringify(doc));
  writeFileSync(join(dir, "inventory.csv"), inventoryCsv(ids));
  mkdirSync(join(dir, "contracts"));
  writeFileSync(join(dir, "contracts", `${CONTRACT_ID}.yaml`), stringify(benchContract(silence)));
  return dir;
}
