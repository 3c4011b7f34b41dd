import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ContractFileInvalidError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import type { Contract } from "./model.ts";
import { parseContractText } from "./parse.ts";

/**
 * All versions of all contracts. A reading is checked against the version valid at the
 * reading's own time, so that an archive imported later meets the rules of its day.
 */
export interface ContractRegistry {
  versionAt(contractId: string, time: EpochMs): Contract | undefined;
  versions(contractId: string): readonly Contract[];
  all(): readonly Contract[];
}

export function createContractRegistry(contracts: readonly Contract[]): ContractRegistry {
  const byId = new Map<string, Contract[]>();
  for (const c of contracts) {
    const list = byId.get(c.id) ?? [];
    list.push(c);
    byId.set(c.id, list);
  }
  for (const list of byId.values()) list.sort((a, b) => a.validFrom - b.validFrom);
  return {
    versionAt(contractId, time) {
      const list = byId.get(contractId);
      if (!list) return undefined;
      for (let i = list.length - 1; i >= 0; i--) {
        const c = list[i] as Contract;
        const end = c.validTo ?? list[i + 1]?.validFrom ?? Number.POSITIVE_INFINITY;
        if (c.validFrom <= time && time < end) return c;
      }
      return undefined;
    },
    versions: (contractId) => byId.get(contractId) ?? [],
    all: () => contracts,
  };
}

/** The newest version of each contract (the latest `validFrom`), by contract id. */
export function newestVersions(contracts: Pick<ContractRegistry, "all">): Map<string, Contract> {
  const newest = new Map<string, Contract>();
  for (const c of contracts.all()) {
    const held = newest.get(c.id);
    if (!held || c.validFrom > held.validFrom) newest.set(c.id, c);
  }
  return newest;
}

/** Every problem across the files, so that a collectivity fixes them all in one pass. */
export function checkVersionSet(contracts: readonly Contract[]): string[] {
  const seen = new Map<string, string>();
  const errors: string[] = [];
  for (const c of contracts) {
    const other = seen.get(c.key);
    if (other) errors.push(`${c.sourceFile}: ${c.key} is also declared in ${other}`);
    seen.set(c.key, c.sourceFile);
  }
  // A dataset is one public name: the versions of one contract may carry it on, no other contract.
  const datasets = new Map<string, Contract>();
  for (const c of contracts) {
    for (const d of c.openData.datasets) {
      const owner = datasets.get(d.id);
      if (owner && owner.id !== c.id) {
        errors.push(
          `${c.sourceFile}: open dataset ${d.id} is also published by ${owner.id} (${owner.sourceFile})`,
        );
      }
      if (!owner) datasets.set(d.id, c);
    }
  }
  return errors;
}

export async function loadContractFile(path: string): Promise<Contract> {
  const result = parseContractText(await readFile(path, "utf8"), path);
  if (!result.ok) throw new ContractFileInvalidError(path, result.errors.map((e) => `  - ${e}`).join("\n"));
  return result.contract;
}

/** Loads every *.yaml / *.yml in a folder; refuses the whole set if any file is invalid. */
export async function loadContractDir(dir: string): Promise<ContractRegistry> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  const problems: string[] = [];
  const contracts: Contract[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const result = parseContractText(await readFile(path, "utf8"), path);
    if (result.ok) contracts.push(result.contract);
    else problems.push(`${path}:`, ...result.errors.map((e) => `  - ${e}`));
  }
  problems.push(...checkVersionSet(contracts));
  if (problems.length > 0) throw new ContractFileInvalidError(dir, problems.join("\n"));
  return createContractRegistry(contracts);
}
