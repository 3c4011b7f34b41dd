import { createHash } from "node:crypto";
import type { Contract, DatasetSpec } from "../contracts/model.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { EpochMs } from "../domain/types.ts";

/**
 * The open datasets the contracts declare. A dataset is defined by the newest version of its
 * contract that lists it; the versions before it are its definition history. Its definition hash
 * is what an administrator approves: a change of the definition (indicator, parameters, level,
 * threshold, licence...) puts it back in preview until approved again, while a new contract
 * version that leaves it as it was changes nothing.
 */
export interface OpenDataset {
  spec: DatasetSpec;
  /** The contract version that defines it now. */
  contract: Contract;
  definition: string;
  /** Every contract version that listed it, oldest first, with the definition it gave. */
  history: readonly DefinitionVersion[];
}

export interface DefinitionVersion {
  contract: string;
  version: string;
  validFrom: EpochMs;
  definition: string;
}

export function openDatasets(contracts: Pick<ContractRegistry, "all">): OpenDataset[] {
  const byId = new Map<string, { spec: DatasetSpec; contract: Contract }[]>();
  for (const contract of contracts.all()) {
    if (!contract.openData.publish) continue;
    for (const spec of contract.openData.datasets) {
      byId.set(spec.id, [...(byId.get(spec.id) ?? []), { spec, contract }]);
    }
  }
  return [...byId.values()]
    .map((list) => {
      const sorted = [...list].sort((a, b) => a.contract.validFrom - b.contract.validFrom);
      const current = sorted.at(-1) as { spec: DatasetSpec; contract: Contract };
      return {
        spec: current.spec,
        contract: current.contract,
        definition: definitionHash(current.contract.id, current.spec),
        history: sorted.map((v) => ({
          contract: v.contract.id,
          version: v.contract.version,
          validFrom: v.contract.validFrom,
          definition: definitionHash(v.contract.id, v.spec),
        })),
      };
    })
    .sort((a, b) => (a.spec.id < b.spec.id ? -1 : 1));
}

/** SHA-256 of the definition, keys sorted, so that the YAML's order or layout does not count. */
export function definitionHash(contractId: string, spec: DatasetSpec): string {
  return createHash("sha256")
    .update(canonical({ contract: contractId, ...spec }))
    .digest("hex");
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
