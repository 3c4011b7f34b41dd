import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ClauseStore, DeliveryCount } from "../../services/clauses/clause-store.ts";
import { createDuckdbClauseStore } from "../../services/clauses/duckdb-clause-store.ts";
import { createMemoryClauseStore } from "../../services/clauses/memory-clause-store.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import { clauseStoreConformance, NOW } from "../conformance/clause-store.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-clauses-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function started(make: (clock: ReturnType<typeof fixedClock>) => ClauseStore) {
  const clock = fixedClock(NOW);
  const store = make(clock);
  await store.start();
  return { store, advance: (ms: number) => clock.advance(ms) };
}

clauseStoreConformance("MemoryClauseStore", () => started((clock) => createMemoryClauseStore(clock)));
clauseStoreConformance("DuckdbClauseStore (:memory:)", () =>
  started((clock) => createDuckdbClauseStore({ path: ":memory:" }, clock)),
);

const DAY = 86_400_000;
const D0 = Date.UTC(2026, 2, 2);

function row(deviceId: string, readings: number): DeliveryCount {
  return {
    day: D0,
    operatorId: "citeos",
    contract: "streetlight@1.0.0",
    deviceId,
    readings,
    late: 0,
    latencySumMs: readings * 2_000,
    latencyMaxMs: 4_000,
    latencyHistogram: [0, readings, 0, 0, 0, 0, 0, 0],
  };
}

describe("DuckdbClauseStore on a file", () => {
  it("keeps the ledger and the registers across close and reopen, ids continuing", async () => {
    const path = join(dir, "nested", "clauses.duckdb");
    const clock = fixedClock(NOW);
    const first = createDuckdbClauseStore({ path }, clock);
    await first.start();
    await first.recordDeliveries([row("lamp-1", 3), row("lamp-2", 5)]);
    await first.recordRefusals([
      {
        day: D0,
        operatorId: "citeos",
        contract: "",
        deviceId: "",
        kind: "quarantine",
        code: "ERR_PAYLOAD_JSON",
        count: 2,
      },
    ]);
    const exemption = await first.addExemption({
      contractId: "streetlight",
      fields: [],
      obligation: "latency",
      reason: "Réseau LoRaWAN en cours de déploiement.",
      decision: "Arrêté 2026-12",
      decidedAt: D0,
      from: D0,
      createdBy: "dpo",
    });
    const breach = await first.openBreach({
      awareAt: NOW,
      description: "Clé d'API d'un opérateur publiée.",
      contractIds: ["streetlight"],
      fields: [],
      openedBy: "dpo",
    });
    await first.updateBreach(breach.id, { note: "Clé révoquée." }, "dpo");
    await first.close();
    expect(existsSync(path)).toBe(true);

    const second = createDuckdbClauseStore({ path }, clock);
    await second.start();
    await second.recordDeliveries([row("lamp-1", 4)]);
    const devices = await second.deliveries({ from: D0, to: D0 + DAY, by: "device" });
    expect(devices.map((r) => [r.deviceId, r.readings, r.latencyHistogram[1]])).toEqual([
      ["lamp-1", 7, 7],
      ["lamp-2", 5, 5],
    ]);
    expect(await second.refusals({ from: D0, to: D0 + DAY, by: "code" })).toEqual([
      expect.objectContaining({ code: "ERR_PAYLOAD_JSON", count: 2 }),
    ]);
    expect(await second.listExemptions()).toEqual([exemption]);
    const kept = await second.getBreach(breach.id);
    expect(kept?.history).toEqual([{ at: NOW, by: "dpo", patch: { note: "Clé révoquée." } }]);
    const next = await second.addExemption({ ...exemption, decision: "Arrêté 2026-13" });
    expect(next.id).toBeGreaterThan(exemption.id);
    await second.close();
  });
});
