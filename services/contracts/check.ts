import { DataCode, REJECTING, violation } from "../domain/errors.ts";
import type { Device, EpochMs, FieldValue, Observation, Violation } from "../domain/types.ts";
import { operatorAt } from "../inventory/periods.ts";
import type { Contract, FieldSpec } from "./model.ts";
import type { ContractRegistry } from "./registry.ts";

/**
 * The contract check, with the semantics of normalized payloads in LoRaWAN network servers:
 * - the reading is refused whole (quarantine) for an unknown device, a device not assigned to
 *   the sender at the reading's time, no contract version at that time, a missing required
 *   field, or a field of the wrong type;
 * - an implausible value (out of range, not an allowed value) drops that field only, keeps the
 *   rest and records a violation;
 * - a field the contract does not declare is not stored (sobriety) and is reported;
 * - a personal field is stored only when the contract states the purpose of its collection.
 */
export interface ReadingInput {
  deviceId: string;
  time: EpochMs;
  data: Record<string, unknown>;
}

export type CheckOutcome =
  | { accepted: true; observation: Observation; violations: Violation[]; contract: Contract }
  | { accepted: false; reasons: Violation[]; contract?: Contract };

export interface DeviceDirectory {
  get(deviceId: string): Device | undefined;
}

/** Past this many unknown fields the rest are summed up in one violation. */
const MAX_REPORTED_UNKNOWN = 20;

export function checkReading(
  reading: ReadingInput,
  operatorId: string,
  devices: DeviceDirectory,
  contracts: ContractRegistry,
): CheckOutcome {
  const device = devices.get(reading.deviceId);
  if (!device) {
    return reject(
      violation(DataCode.DEVICE_UNKNOWN, "device", `no device ${JSON.stringify(reading.deviceId)}`),
    );
  }
  if (operatorAt(device, reading.time) !== operatorId) {
    const when = new Date(reading.time).toISOString();
    return reject(
      violation(
        DataCode.DEVICE_NOT_ASSIGNED,
        "device",
        `${device.id} is not assigned to ${operatorId} at ${when}`,
      ),
    );
  }
  const contract = contracts.versionAt(device.contractId, reading.time);
  if (!contract) {
    const when = new Date(reading.time).toISOString();
    return reject(
      violation(DataCode.CONTRACT_NO_VERSION, "time", `no version of ${device.contractId} at ${when}`),
    );
  }
  const { values, violations } = checkFields(reading.data, contract);
  if (violations.some((v) => REJECTING.has(v.code))) {
    return { accepted: false, reasons: violations, contract };
  }
  const observation: Observation = {
    deviceId: device.id,
    time: reading.time,
    domain: device.domain,
    commune: device.commune,
    ownerId: contract.owner.id,
    operatorId,
    contract: contract.key,
    values,
  };
  return { accepted: true, observation, violations, contract };
}

function reject(reason: Violation): CheckOutcome {
  return { accepted: false, reasons: [reason] };
}

export function checkFields(
  data: Record<string, unknown>,
  contract: Contract,
): { values: Record<string, FieldValue>; violations: Violation[] } {
  const values: Record<string, FieldValue> = {};
  const violations: Violation[] = [];
  let unknown = 0;
  for (const name in data) {
    if (!Object.hasOwn(data, name)) continue;
    const raw = data[name];
    const spec = contract.fields.get(name);
    if (!spec) {
      unknown++;
      if (unknown <= MAX_REPORTED_UNKNOWN) {
        violations.push(violation(DataCode.UNKNOWN_FIELD, `data.${name}`, "not in the contract; not stored"));
      }
      continue;
    }
    if (raw === null || raw === undefined) continue;
    const problem = checkValue(spec, raw, contract);
    if (problem) violations.push(problem);
    else values[name] = raw as FieldValue;
  }
  if (unknown > MAX_REPORTED_UNKNOWN) {
    const more = unknown - MAX_REPORTED_UNKNOWN;
    violations.push(violation(DataCode.UNKNOWN_FIELD, "data", `${more} more unknown fields; not stored`));
  }
  for (const spec of contract.fields.values()) {
    if (spec.required && (data[spec.name] === undefined || data[spec.name] === null)) {
      violations.push(violation(DataCode.REQUIRED_MISSING, `data.${spec.name}`, "required by the contract"));
    }
  }
  return { values, violations };
}

/** The common case (a valid value) allocates nothing: the path is built only for a violation. */
function checkValue(spec: FieldSpec, raw: unknown, contract: Contract): Violation | undefined {
  if (
    hasType(spec, raw) &&
    !spec.personal &&
    (typeof raw !== "number" ||
      ((spec.minimum === undefined || raw >= spec.minimum) &&
        (spec.maximum === undefined || raw <= spec.maximum))) &&
    (typeof raw !== "string" || !spec.allowed || spec.allowed.has(raw))
  )
    return undefined;
  const path = `data.${spec.name}`;
  if (!hasType(spec, raw)) {
    return violation(DataCode.WRONG_TYPE, path, `expected ${spec.type}, got ${describe(raw)}`);
  }
  if (spec.personal && !contract.personalDataPurposes.has(spec.name)) {
    return violation(
      DataCode.PERSONAL_NO_PURPOSE,
      path,
      "personal data without a stated purpose; not stored",
    );
  }
  if (typeof raw === "number") {
    if (
      (spec.minimum !== undefined && raw < spec.minimum) ||
      (spec.maximum !== undefined && raw > spec.maximum)
    ) {
      return violation(
        DataCode.OUT_OF_RANGE,
        path,
        // Personal data stay out of the reason too (see keptValue).
        `${spec.personal ? "value" : raw} outside [${spec.minimum ?? "-inf"}, ${spec.maximum ?? "inf"}]`,
        keptValue(spec, raw),
      );
    }
  }
  if (typeof raw === "string" && spec.allowed && !spec.allowed.has(raw)) {
    return violation(
      DataCode.NOT_ALLOWED,
      path,
      `${spec.personal ? "value" : JSON.stringify(raw).slice(0, 80)} is not an allowed value`,
      keptValue(spec, raw),
    );
  }
  return undefined;
}

/**
 * A dropped value is kept with its violation so that the operator sees what its device sent; a
 * status is a word, so a text past MAX_KEPT_CHARS is cut (the raw payload of a refused message
 * is what the quarantine keeps whole). Personal data never: it is shown to administrators only,
 * and the violation log is read by technicians and operators.
 */
const MAX_KEPT_CHARS = 1024;

function keptValue(spec: FieldSpec, raw: number | string): number | string | undefined {
  if (spec.personal) return undefined;
  return typeof raw === "string" ? raw.slice(0, MAX_KEPT_CHARS) : raw;
}

function hasType(spec: FieldSpec, raw: unknown): boolean {
  switch (spec.type) {
    case "number":
      return typeof raw === "number" && Number.isFinite(raw);
    case "integer":
      return typeof raw === "number" && Number.isInteger(raw);
    case "string":
      return typeof raw === "string";
    case "boolean":
      return typeof raw === "boolean";
  }
}

function describe(raw: unknown): string {
  if (Array.isArray(raw)) return "array";
  if (typeof raw === "number" && !Number.isFinite(raw)) return "non-finite number";
  return raw === null ? "null" : typeof raw === "number" ? `number ${raw}` : typeof raw;
}
