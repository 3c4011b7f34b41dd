import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Agreement, AgreementSecrets, PartnerStore } from "../../services/clauses/partner-store.ts";

/**
 * What every partner store owes the partner routes and the authenticator, through the port
 * only: an agreement kept as given and its secrets apart, listed oldest first and never with its
 * secrets, ended once (who, when, why) and never deleted, refused whole when it breaks the rules.
 */
const T0 = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;

export function agreement(id: string, fields: Partial<Agreement> = {}): Agreement {
  return {
    id,
    partner: "Université de Lorraine — LIEC",
    purpose: "Effet de l'extinction nocturne sur les chiroptères",
    legalReference: "Convention 2026-014",
    scope: [{ contractId: "ccphva-streetlight", fields: ["power_state", "status"], granularity: "raw" }],
    dataFrom: T0 - 30 * DAY,
    validFrom: T0,
    validTo: T0 + 365 * DAY,
    pseudonymise: false,
    createdBy: "admin",
    createdAt: T0,
    ...fields,
  };
}

const SECRETS: AgreementSecrets = {
  keyHash: "scrypt$16384$8$1$c2FsdA==$aGFzaA==",
  pseudonymKey: "ab".repeat(32),
};

export function partnerStoreConformance(name: string, make: () => Promise<PartnerStore>): void {
  describe(`${name} conforms to the partner store port`, () => {
    let store: PartnerStore;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it("keeps an agreement as given, and its secrets apart", async () => {
      const a = agreement("pa-1", { dataTo: T0, pseudonymise: true });
      await store.addAgreement(a, SECRETS);
      expect(await store.getAgreement("pa-1")).toEqual(a);
      expect(await store.findKey("pa-1")).toEqual({ agreement: a, ...SECRETS });
      expect(await store.getAgreement("pa-2")).toBeUndefined();
      expect(await store.findKey("pa-2")).toBeUndefined();
    });

    it("keeps the optional data bounds absent when not given", async () => {
      const { dataFrom: _from, ...open } = agreement("pa-open");
      await store.addAgreement(open, SECRETS);
      const kept = await store.getAgreement("pa-open");
      expect(kept).toEqual(open);
      expect(kept && "dataFrom" in kept).toBe(false);
    });

    it("lists every agreement oldest first, without secrets", async () => {
      await store.addAgreement(agreement("pa-b", { createdAt: T0 + 1 }), SECRETS);
      await store.addAgreement(agreement("pa-c", { createdAt: T0 }), SECRETS);
      await store.addAgreement(agreement("pa-a", { createdAt: T0 + 1 }), SECRETS);
      const list = await store.listAgreements();
      expect(list.map((a) => a.id)).toEqual(["pa-c", "pa-a", "pa-b"]);
      expect(JSON.stringify(list)).not.toContain(SECRETS.pseudonymKey);
      expect(JSON.stringify(list)).not.toContain("scrypt");
    });

    it("ends an agreement once, keeping it and its first end", async () => {
      await store.addAgreement(agreement("pa-1"), SECRETS);
      const end = { at: T0 + DAY, by: "admin", reason: "convention résiliée" };
      const ended = await store.endAgreement("pa-1", end);
      expect(ended).toEqual({
        ...agreement("pa-1"),
        endedAt: end.at,
        endedBy: "admin",
        endReason: end.reason,
      });
      const again = await store.endAgreement("pa-1", { at: T0 + 2 * DAY, by: "other", reason: "twice" });
      expect(again).toEqual(ended);
      expect(await store.getAgreement("pa-1")).toEqual(ended);
      expect((await store.findKey("pa-1"))?.agreement).toEqual(ended);
      expect(await store.listAgreements()).toHaveLength(1);
      expect(await store.endAgreement("pa-none", end)).toBeUndefined();
    });

    it("refuses an id already taken, and keeps the first", async () => {
      await store.addAgreement(agreement("pa-1"), SECRETS);
      await expect(
        store.addAgreement(agreement("pa-1", { partner: "autre" }), SECRETS),
      ).rejects.toMatchObject({
        code: "ERR_AGREEMENT_INVALID",
      });
      expect((await store.getAgreement("pa-1"))?.partner).toBe(agreement("pa-1").partner);
    });

    it.each([
      ["an id with capitals", agreement("PA_1")],
      ["no purpose", agreement("pa-1", { purpose: " " })],
      ["no partner", agreement("pa-1", { partner: "" })],
      ["no legal reference", agreement("pa-1", { legalReference: "" })],
      ["an end before its start", agreement("pa-1", { validTo: T0 })],
      ["a data period ending before it starts", agreement("pa-1", { dataFrom: T0, dataTo: T0 - 1 })],
      ["an empty scope", agreement("pa-1", { scope: [] })],
      [
        "a scope without fields",
        agreement("pa-1", { scope: [{ contractId: "c", fields: [], granularity: "raw" }] }),
      ],
      [
        "a contract named twice",
        agreement("pa-1", {
          scope: [
            { contractId: "c", fields: ["a"], granularity: "raw" },
            { contractId: "c", fields: ["b"], granularity: "1h" },
          ],
        }),
      ],
      [
        "an unknown granularity",
        agreement("pa-1", {
          scope: [{ contractId: "c", fields: ["a"], granularity: "5m" as unknown as "raw" }],
        }),
      ],
    ])("refuses %s, writing nothing", async (_what, a) => {
      await expect(store.addAgreement(a, SECRETS)).rejects.toMatchObject({ code: "ERR_AGREEMENT_INVALID" });
      expect(await store.listAgreements()).toEqual([]);
    });

    it("refuses an agreement without its key", async () => {
      await expect(
        store.addAgreement(agreement("pa-1"), { keyHash: "", pseudonymKey: "ab" }),
      ).rejects.toMatchObject({
        code: "ERR_AGREEMENT_INVALID",
      });
    });
  });
}
