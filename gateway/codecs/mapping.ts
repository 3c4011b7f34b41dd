import { DataCode, violation } from "../../services/domain/errors.ts";
import type { Device, Violation } from "../../services/domain/types.ts";

/**
 * From a codec's vocabulary (the vendor's names and units) to the contract's (snake_case, SI or
 * Smart Data Models units), declared per codec id as a small table. This is the one place where
 * vendor names meet contract names (STYLE: "the mapping lives in one place").
 *
 * - A rule reads one path of the codec's `data` (`from`), or derives from several (`derive`),
 *   and writes one contract field (`to`).
 * - Checking is the contract's job: a conversion that receives a value of an unexpected type
 *   passes it through unchanged, so that the contract check reports WRONG_TYPE with the value.
 * - Fields a rule reads are consumed. Other fields pass through under their codec name (the
 *   contract check reports them as unknown) unless listed in `drop`, or `dropUnmapped` is set.
 * - A codec without a mapping (a collectivity's own codec, which already speaks the contract's
 *   names) passes its data through unchanged.
 */
export interface MappingContext {
  data: Record<string, unknown>;
  device: Device;
}

/** What a rule produces: a value, nothing (the field is left out), or a problem. */
export type Converted = { value: unknown } | { problem: Violation } | undefined;

export interface FieldRule {
  to: string;
  /** Dot path in the codec's data ("battery", "meter.volume"). */
  from?: string;
  convert?: (value: unknown, context: MappingContext) => Converted;
  /** For fields computed from several codec values; `from` is then unused. */
  derive?: (context: MappingContext) => Converted;
}

export interface CodecMapping {
  rules: FieldRule[];
  /** Codec fields left out on purpose (device metadata, values the contract does not hold). */
  drop?: string[];
  dropUnmapped?: boolean;
}

export interface MappedData {
  data: Record<string, unknown>;
  problems: Violation[];
}

// --- small reusable conversions -----------------------------------------------------------

const value = (v: unknown): Converted => ({ value: v });

/** Unit change by a divisor: kPa / 100 = bar, Wh / 1000 = kWh, % / 100 = fraction. */
export function divideBy(divisor: number) {
  return (v: unknown): Converted => value(typeof v === "number" ? v / divisor : v);
}

/** Battery percent (0..100) to the Smart Data Models batteryLevel fraction (0..1). */
export const percentToFraction = divideBy(100);

/** A closed vocabulary to another; values outside it become `fallback`. */
export function translate(table: Readonly<Record<string, string>>, fallback: string) {
  return (v: unknown): Converted => value(typeof v === "string" ? (table[v] ?? fallback) : v);
}

/**
 * An ultrasonic sensor on the lid measures the distance down to the waste: empty is the full
 * depth of the container (from the inventory), full is zero. Rounded to 1/1000 (a millimetre on
 * a metre-deep container is below the sensor's accuracy) and clamped to 0..1, because waste heaped
 * above the sensor's dead zone or a reflection off the walls reads outside the container.
 */
export function fillingFromDistance(depthAttribute: string) {
  return (v: unknown, { device }: MappingContext): Converted => {
    if (typeof v !== "number") return value(v);
    const depth = device.attributes[depthAttribute];
    if (typeof depth !== "number" || !(depth > 0)) {
      const detail = `device ${device.id} has no positive attributes.${depthAttribute}: distance cannot become a filling level`;
      return { problem: violation(DataCode.REQUIRED_MISSING, "data.filling_level", detail) };
    }
    const level = Math.min(1, Math.max(0, 1 - v / depth));
    return value(Math.round(level * 1000) / 1000);
  };
}

/** A relay-driven lamp is at full level when its line is on and dark when it is off. */
function levelFromSwitch(path: string) {
  return ({ data }: MappingContext): Converted => {
    const state = data[path];
    if (state === "on") return value(1);
    if (state === "off") return value(0);
    return undefined;
  };
}

/**
 * A line switched on that draws no power has a dead lamp (or a cut cable): that is the one fault
 * a metering controller can see. Switched off, no fault is visible: "ok".
 */
function lampStatus(switchPath: string, powerPath: string) {
  return ({ data }: MappingContext): Converted => {
    const state = data[switchPath];
    const power = data[powerPath];
    if (state === "on" && power === 0) return value("defectiveLamp");
    if (state === "on" && typeof power === "number") return value("ok");
    if (state === "off") return value("ok");
    return undefined;
  };
}

// --- the tables -----------------------------------------------------------------------------

/** Attributes Milesight devices send after a join or reset: device metadata, not readings. */
const MILESIGHT_ATTRIBUTES = [
  "ipso_version",
  "hardware_version",
  "firmware_version",
  "tsl_version",
  "sn",
  "lorawan_class",
  "reset_event",
  "device_status",
];

export const CODEC_MAPPINGS: Readonly<Record<string, CodecMapping>> = {
  // Waste contract: filling_level 0..1 (required), status in its allowed values, battery 0..1.
  "milesight-em310-udl": {
    rules: [
      { from: "distance", to: "filling_level", convert: fillingFromDistance("depth_mm") },
      // The sensor sits under the lid: tilted means the lid is up. Mounted on a column that is
      // lifted to be emptied, a territory would map tilt to "moved" in its own table instead.
      { from: "position", to: "status", convert: translate({ normal: "ok", tilt: "lidOpen" }, "unknown") },
      { from: "battery", to: "battery_level", convert: percentToFraction },
    ],
    drop: MILESIGHT_ATTRIBUTES,
  },
  // Water contract: pressure_bar 0..16 (required), battery 0..1.
  "milesight-em500-pp": {
    rules: [
      { from: "pressure", to: "pressure_bar", convert: divideBy(100) },
      { from: "battery", to: "battery_level", convert: percentToFraction },
    ],
    drop: MILESIGHT_ATTRIBUTES,
  },
  // Streetlight contract: power_state and status (required), illuminance_level 0..1,
  // active_power_w, energy_kwh. The light point is wired on the controller's first line.
  "milesight-ws558": {
    rules: [
      { from: "switch_1", to: "power_state" },
      { to: "status", derive: lampStatus("switch_1", "active_power") },
      { to: "illuminance_level", derive: levelFromSwitch("switch_1") },
      { from: "active_power", to: "active_power_w" },
      { from: "power_consumption", to: "energy_kwh", convert: divideBy(1000) },
    ],
    // Electrical details and the other lines are not in the streetlight contract (sobriety):
    // add them to the contract first, then map them here.
    drop: [
      ...MILESIGHT_ATTRIBUTES,
      "voltage",
      "power_factor",
      "total_current",
      ...[2, 3, 4, 5, 6, 7, 8].map((n) => `switch_${n}`),
    ],
  },
};

export function mapCodecData(
  codecId: string,
  data: Record<string, unknown>,
  device: Device,
  mappings: Readonly<Record<string, CodecMapping>> = CODEC_MAPPINGS,
): MappedData {
  const mapping = mappings[codecId];
  if (!mapping) return { data: { ...data }, problems: [] };
  const context: MappingContext = { data, device };
  const out: Record<string, unknown> = {};
  const problems: Violation[] = [];
  for (const rule of mapping.rules) applyRule(rule, context, out, problems);
  if (!mapping.dropUnmapped) passThrough(mapping, data, out);
  return { data: out, problems };
}

function applyRule(
  rule: FieldRule,
  context: MappingContext,
  out: Record<string, unknown>,
  problems: Violation[],
): void {
  const converted = rule.derive ? rule.derive(context) : convertPath(rule, context);
  if (converted === undefined) return;
  if ("problem" in converted) problems.push(converted.problem);
  else setField(out, rule.to, converted.value);
}

function convertPath(rule: FieldRule, context: MappingContext): Converted {
  if (rule.from === undefined) return undefined;
  const v = readPath(context.data, rule.from);
  if (v === undefined) return undefined;
  return rule.convert ? rule.convert(v, context) : value(v);
}

function passThrough(mapping: CodecMapping, data: Record<string, unknown>, out: Record<string, unknown>) {
  const consumed = new Set<string>(mapping.drop ?? []);
  for (const rule of mapping.rules) if (rule.from) consumed.add(rule.from.split(".")[0] ?? rule.from);
  for (const [key, v] of Object.entries(data)) {
    if (!consumed.has(key) && !Object.hasOwn(out, key)) setField(out, key, v);
  }
}

/** Codec output is untrusted JSON: a "__proto__" key must stay a plain field, not a prototype. */
function setField(out: Record<string, unknown>, key: string, v: unknown): void {
  Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
}

function readPath(data: Record<string, unknown>, path: string): unknown {
  let current: unknown = data;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
