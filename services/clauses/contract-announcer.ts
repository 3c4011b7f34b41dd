import type { AlertStore } from "../alerts/store.ts";
import { contractHistory } from "../contracts/changes.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Device, EpochMs } from "../domain/types.ts";
import { operatorAt } from "../inventory/periods.ts";

/** The platform rule of an announced breaking change of a contract. */
export const CONTRACT_CHANGE = "platform/contract-change";

/** A version that took effect longer ago than this is no longer news. */
const ANNOUNCE_AFTER_MS = 30 * 86_400_000;

/**
 * Announces each breaking version of a contract (services/contracts/changes.ts) to the operators
 * whose feeds it breaks: those holding the contract's devices now or when it takes effect. One
 * alert per version and operator, visible to that operator and to staff, raised at start for the
 * versions to come and those of the last 30 days; raising again is idempotent.
 */
export async function announceContractChanges(deps: {
  contracts: Pick<ContractRegistry, "all" | "versions">;
  devices: { list(): Device[] };
  alerts: Pick<AlertStore, "raise">;
  now: EpochMs;
}): Promise<number> {
  let raised = 0;
  const ids = [...new Set(deps.contracts.all().map((c) => c.id))];
  for (const id of ids) {
    for (const entry of contractHistory(deps.contracts, id)) {
      if (!entry.breaking || entry.validFrom < deps.now - ANNOUNCE_AFTER_MS) continue;
      const operators = new Set<string>();
      for (const d of deps.devices.list()) {
        if (d.contractId !== id) continue;
        for (const at of [deps.now, entry.validFrom]) {
          const op = operatorAt(d, at);
          if (op !== undefined) operators.add(op);
        }
      }
      const when = new Date(entry.validFrom).toISOString().slice(0, 10);
      const breaking = entry.changes.filter((c) => c.breaking).map((c) => c.detail);
      const domain = deps.contracts.versions(id)[0]?.domain ?? "";
      for (const operatorId of operators) {
        await deps.alerts.raise(
          {
            ruleId: CONTRACT_CHANGE,
            subject: `contract:${entry.key}/${operatorId}`,
            severity: "info",
            domain,
            operatorId,
            detail: `Version ${entry.version} du contrat ${id} applicable le ${when} : ${breaking.join(" ; ")}`,
            kind: "contract-change",
          },
          deps.now,
        );
        raised++;
      }
    }
  }
  return raised;
}
