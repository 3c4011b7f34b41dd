import type { AccessPolicy } from "../access/policy.ts";
import type { Principal } from "../auth/principals.ts";
import type { ContractRegistry } from "../contracts/registry.ts";
import type { Clock } from "../domain/clock.ts";
import { AuthRequiredError, BadRequestError, ForbiddenError } from "../domain/errors.ts";
import type { RetentionStatus } from "../retention/keeper.ts";
import type { RetentionStore } from "../retention/plan.ts";
import type { TimeSeriesStore } from "../storage/store.ts";
import type { ClauseStore } from "./clause-store.ts";
import { type ProcessingRegister, processingRegister } from "./processing-register.ts";
import { type SobrietyReport, type StorageFootprint, sobrietyReport } from "./sobriety.ts";

/**
 * The registers of the data clauses as the API serves them: the personal-data processing register
 * (GDPR art. 30) and the yearly sobriety report. Both are for staff (administrators and
 * technicians): they name fields, purposes, durations and counts, never a personal value.
 */
export interface RegistersService {
  processingRegister(principal: Principal | undefined): ProcessingRegister;
  sobriety(principal: Principal | undefined, year: number): Promise<SobrietyReport>;
}

export interface RegistersDeps {
  contracts: Pick<ContractRegistry, "all">;
  policy: Pick<AccessPolicy, "hiddenFields">;
  ledger: Pick<ClauseStore, "deliveries" | "refusals">;
  store: Pick<TimeSeriesStore, "countValues"> & Partial<Pick<RetentionStore, "storageUsage">>;
  /** The running retention keeper (its status); absent: no purge known. */
  retention?: { status: RetentionStatus };
  /** The data folder's footprint (dataDirFootprint). */
  footprint: () => Promise<StorageFootprint>;
  /** LANTERNE_HOSTING_LOCATION. */
  hostingLocation: string;
  owner: { id: string; name: string; siren?: string };
  clock: Clock;
}

/** Years a report may be asked for: from the epoch to a year after this one. */
export const FIRST_YEAR = 1970;

export function createRegistersService(deps: RegistersDeps): RegistersService {
  const now = () => deps.clock.now();
  return {
    processingRegister(principal) {
      staff(principal);
      return processingRegister(deps.contracts.all(), {
        hostingLocation: deps.hostingLocation,
        policy: deps.policy,
        owner: deps.owner,
        now,
      });
    },
    async sobriety(principal, year) {
      staff(principal);
      const last = new Date(now()).getUTCFullYear() + 1;
      if (!Number.isSafeInteger(year) || year < FIRST_YEAR || year > last) {
        throw new BadRequestError(`year must be between ${FIRST_YEAR} and ${last}`);
      }
      return sobrietyReport(
        {
          contracts: deps.contracts.all(),
          ledger: deps.ledger,
          store: deps.store,
          ...(deps.retention ? { retention: deps.retention.status } : {}),
          footprint: deps.footprint,
          hostingLocation: deps.hostingLocation,
          now,
        },
        year,
      );
    },
  };
}

function staff(principal: Principal | undefined): void {
  if (!principal) throw new AuthRequiredError();
  if (principal.role !== "admin" && principal.role !== "technician") {
    throw new ForbiddenError("for administrators and technicians");
  }
}
