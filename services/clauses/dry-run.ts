import type { Principal } from "../auth/principals.ts";
import { type CheckOutcome, checkReading, type DeviceDirectory } from "../contracts/check.ts";
import type { Contract } from "../contracts/model.ts";
import { type ContractRegistry, createContractRegistry } from "../contracts/registry.ts";
import { BadRequestError, DataCode, ForbiddenError, NotFoundError, violation } from "../domain/errors.ts";
import type { Violation } from "../domain/types.ts";

export interface DryRunRequest {
  /** A version of the contract to check against whatever the readings' times; by default the one valid at each reading's time. */
  version?: string;
  /** Staff only: the operator to check as. An operator always checks as itself. */
  operator?: string;
  readings: { device: string; time: string | number; data: Record<string, unknown> }[];
}

export interface DryRunItem {
  index: number;
  device: string;
  outcome: "accepted" | "quarantined";
  /** Why it would be refused, or what would be dropped or not stored of an accepted reading. */
  violations: Violation[];
  /** The contract version it was checked against, when one was found. */
  contract?: string;
  /** The values that would be stored. */
  values?: Record<string, unknown>;
}

export const DRY_RUN_MAX = 1_000;

/**
 * An operator checks a payload against a contract version before sending real data: the same
 * check as ingestion (services/contracts/check.ts), nothing written, nothing counted. Against a
 * named version (one announced for later, say) every reading is checked by that version, whatever
 * its time; otherwise by the version valid at the reading's own time, as ingestion does.
 */
export function dryRun(
  deps: { devices: DeviceDirectory; contracts: Pick<ContractRegistry, "versions" | "versionAt" | "all"> },
  principal: Principal | undefined,
  contractId: string,
  q: DryRunRequest,
): { contract: string; items: DryRunItem[] } {
  const operatorId = checker(principal, q.operator);
  const versions = deps.contracts.versions(contractId);
  if (versions.length === 0) throw new NotFoundError(`contract ${contractId}`);
  if (q.readings.length > DRY_RUN_MAX) throw new BadRequestError(`at most ${DRY_RUN_MAX} readings a dry run`);
  const registry = q.version === undefined ? deps.contracts : pinned(versions, q.version);
  const items = q.readings.map((r, index) => {
    const time = typeof r.time === "number" ? r.time : Date.parse(r.time);
    const device = deps.devices.get(r.device);
    if (Number.isNaN(time)) {
      return refused(
        index,
        r.device,
        violation(DataCode.TIME_INVALID, "time", "neither ISO 8601 nor epoch ms"),
      );
    }
    if (device && device.contractId !== contractId) {
      const detail = `${r.device} is under contract ${device.contractId}, not ${contractId}`;
      return refused(index, r.device, violation(DataCode.DEVICE_MISMATCH, "device", detail));
    }
    return itemOf(
      index,
      r.device,
      checkReading(
        { deviceId: r.device, time, data: r.data },
        operatorId,
        deps.devices,
        registry as ContractRegistry,
      ),
    );
  });
  return { contract: q.version === undefined ? contractId : `${contractId}@${q.version}`, items };
}

function checker(principal: Principal | undefined, asked: string | undefined): string {
  if (!principal) throw new ForbiddenError("sign in to check a payload");
  if (principal.role === "operator") return principal.operatorId ?? principal.id;
  if (asked === undefined) throw new BadRequestError("operator: which operator the payload comes from");
  return asked;
}

/** The one version, in force at every instant. */
function pinned(versions: readonly Contract[], version: string): ContractRegistry {
  const v = versions.find((c) => c.version === version);
  if (!v) throw new NotFoundError(`version ${version} of ${versions[0]?.id}`);
  const { validTo: _to, ...always } = v;
  return createContractRegistry([{ ...always, validFrom: Number.MIN_SAFE_INTEGER }]);
}

function refused(index: number, device: string, v: Violation): DryRunItem {
  return { index, device, outcome: "quarantined", violations: [v] };
}

function itemOf(index: number, device: string, outcome: CheckOutcome): DryRunItem {
  if (!outcome.accepted) {
    return {
      index,
      device,
      outcome: "quarantined",
      violations: outcome.reasons,
      ...(outcome.contract ? { contract: outcome.contract.key } : {}),
    };
  }
  return {
    index,
    device,
    outcome: "accepted",
    violations: outcome.violations,
    contract: outcome.contract.key,
    values: outcome.observation.values,
  };
}
