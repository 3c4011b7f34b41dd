import { AgreementInvalidError } from "../domain/errors.ts";
import {
  type Agreement,
  type AgreementSecrets,
  byCreation,
  checkAgreement,
  ended,
  type PartnerStore,
} from "./partner-store.ts";

/** The partner store in memory, for tests: the same conformance suite as the DuckDB adapter. */
export function createMemoryPartnerStore(): PartnerStore {
  const byId = new Map<string, { agreement: Agreement; secrets: AgreementSecrets }>();
  const copy = <T>(value: T): T => structuredClone(value);
  return {
    async start() {},
    async close() {},
    async addAgreement(agreement, secrets) {
      checkAgreement(agreement, secrets);
      if (byId.has(agreement.id)) throw new AgreementInvalidError(`id ${agreement.id} is taken`);
      byId.set(agreement.id, { agreement: copy(agreement), secrets: copy(secrets) });
    },
    async listAgreements() {
      return [...byId.values()].map((r) => copy(r.agreement)).sort(byCreation);
    },
    async getAgreement(id) {
      const found = byId.get(id);
      return found ? copy(found.agreement) : undefined;
    },
    async endAgreement(id, end) {
      const found = byId.get(id);
      if (!found) return undefined;
      found.agreement = ended(found.agreement, end);
      return copy(found.agreement);
    },
    async findKey(id) {
      const found = byId.get(id);
      return found ? { agreement: copy(found.agreement), ...copy(found.secrets) } : undefined;
    },
  };
}
