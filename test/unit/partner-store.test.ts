import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDuckdbPartnerStore } from "../../services/clauses/duckdb-partner-store.ts";
import { createMemoryPartnerStore } from "../../services/clauses/memory-partner-store.ts";
import type { PartnerStore } from "../../services/clauses/partner-store.ts";
import { agreement, partnerStoreConformance } from "../conformance/partner-store.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-partners-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function started(store: PartnerStore): Promise<PartnerStore> {
  await store.start();
  return store;
}

partnerStoreConformance("MemoryPartnerStore", () => started(createMemoryPartnerStore()));
partnerStoreConformance("DuckdbPartnerStore (:memory:)", () =>
  started(createDuckdbPartnerStore({ path: ":memory:" })),
);

describe("DuckdbPartnerStore on a file", () => {
  it("keeps agreements and their ends across close() and start()", async () => {
    const path = join(dir, "nested", "partners.duckdb");
    const secrets = { keyHash: "scrypt$x", pseudonymKey: "cd".repeat(32) };
    const first = await started(createDuckdbPartnerStore({ path }));
    await first.addAgreement(agreement("pa-1"), secrets);
    await first.endAgreement("pa-1", { at: 5, by: "admin", reason: "fin" });
    await first.close();
    const second = await started(createDuckdbPartnerStore({ path }));
    expect(await second.findKey("pa-1")).toMatchObject({
      ...secrets,
      agreement: { id: "pa-1", endedAt: 5, endedBy: "admin", endReason: "fin" },
    });
    await expect(second.addAgreement(agreement("pa-1"), secrets)).rejects.toMatchObject({
      code: "ERR_AGREEMENT_INVALID",
    });
    await second.close();
  });
});
