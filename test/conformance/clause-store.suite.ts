import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AUTHORITY_NOTICE_MS,
  breachDeadlines,
  type ClauseStore,
  type DeliveryCount,
  LATENCY_BOUNDS_MS,
  LATENCY_BUCKETS,
  latencyBucket,
  type NewExemption,
  type RefusalCount,
} from "../../services/clauses/clause-store.ts";

/**
 * The behaviour every clause store owes Lanterne, asserted only through the port, so that the
 * in-memory twin and the DuckDB adapter run the same suite. `make` returns a started, empty store
 * whose clock starts at NOW and moves only when `advance` is called; the suite closes it after
 * each test.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const D0 = Date.UTC(2026, 0, 5);
export const NOW = Date.UTC(2026, 1, 1, 9);

export interface ClauseStoreHarness {
  store: ClauseStore;
  advance(ms: number): void;
}

/** A delivery with the histogram filled from the readings (all in the first bucket unless given). */
function delivery(
  day: number,
  deviceId: string,
  readings: number,
  over: Partial<DeliveryCount> = {},
): DeliveryCount {
  const latencyHistogram = new Array<number>(LATENCY_BUCKETS).fill(0);
  latencyHistogram[0] = readings;
  return {
    day: D0 + day * DAY,
    operatorId: "citeos",
    contract: "streetlight@1.0.0",
    deviceId,
    readings,
    late: 0,
    latencySumMs: readings * 500,
    latencyMaxMs: readings > 0 ? 900 : 0,
    latencyHistogram,
    ...over,
  };
}

function refusal(day: number, code: string, count: number, over: Partial<RefusalCount> = {}): RefusalCount {
  return {
    day: D0 + day * DAY,
    operatorId: "citeos",
    contract: "streetlight@1.0.0",
    deviceId: "lamp-1",
    kind: "violation",
    code,
    count,
    ...over,
  };
}

const EXEMPTION: NewExemption = {
  contractId: "streetlight",
  fields: ["power_w"],
  obligation: "format",
  reason: "Les luminaires de 2012 ne mesurent pas la puissance.",
  decision: "Délibération 2026-041",
  decidedAt: D0,
  from: D0,
  to: D0 + 30 * DAY,
  createdBy: "dpo",
};

async function collect<T>(pages: AsyncIterable<T[]>): Promise<{ pages: number[]; rows: T[] }> {
  const sizes: number[] = [];
  const rows: T[] = [];
  for await (const page of pages) {
    sizes.push(page.length);
    rows.push(...page);
  }
  return { pages: sizes, rows };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

export function clauseStoreConformance(name: string, make: () => Promise<ClauseStoreHarness>): void {
  describe(`${name} conforms to ClauseStore`, () => {
    let store: ClauseStore;
    let advance: (ms: number) => void;
    beforeEach(async () => {
      ({ store, advance } = await make());
    });
    afterEach(async () => {
      await store.close();
    });

    describe("delivery ledger", () => {
      it("adds every count of the same key, across calls and within one, and maxes the max", async () => {
        const h1 = [3, 1, 0, 0, 0, 0, 0, 1];
        const h2 = [0, 2, 0, 0, 0, 1, 0, 0];
        const first = delivery(0, "lamp-1", 5, {
          late: 1,
          latencySumMs: 90_000_000,
          latencyMaxMs: 88_000_000,
          latencyHistogram: h1,
        });
        const second = delivery(0, "lamp-1", 3, {
          late: 2,
          latencySumMs: 3_700_000,
          latencyMaxMs: 3_600_000,
          latencyHistogram: h2,
        });
        await store.recordDeliveries([first]);
        await store.recordDeliveries([second, second]);
        const rows = await store.deliveries({ from: D0, to: D0 + DAY, by: "device" });
        expect(rows).toEqual([
          {
            operatorId: "citeos",
            contract: "streetlight@1.0.0",
            deviceId: "lamp-1",
            readings: 11,
            late: 5,
            latencySumMs: 90_000_000 + 2 * 3_700_000,
            latencyMaxMs: 88_000_000,
            latencyHistogram: [3, 5, 0, 0, 0, 2, 0, 1],
          },
        ]);
        const scanned = await collect(store.scanDeliveries());
        expect(scanned.rows).toHaveLength(1);
      });

      it("sums by device over the days in [from, to), and by day with the devices that delivered", async () => {
        await store.recordDeliveries([
          delivery(0, "lamp-1", 10),
          delivery(0, "lamp-2", 4),
          delivery(1, "lamp-1", 8, { late: 2 }),
          delivery(1, "lamp-2", 0),
          delivery(2, "lamp-1", 7),
        ]);
        const byDevice = await store.deliveries({ from: D0, to: D0 + 2 * DAY, by: "device" });
        expect(byDevice.map((r) => [r.deviceId, r.readings, r.late])).toEqual([
          ["lamp-1", 18, 2],
          ["lamp-2", 4, 0],
        ]);
        expect(byDevice[0]).not.toHaveProperty("day");
        const byDay = await store.deliveries({ from: D0, to: D0 + 3 * DAY, by: "day" });
        expect(byDay).toEqual([
          expect.objectContaining({ day: D0, readings: 14, devices: 2, latencySumMs: 7_000 }),
          expect.objectContaining({ day: D0 + DAY, readings: 8, late: 2, devices: 1 }),
          expect.objectContaining({ day: D0 + 2 * DAY, readings: 7, devices: 1 }),
        ]);
        expect(byDay[0]).not.toHaveProperty("deviceId");
        expect(byDay[0]?.latencyHistogram).toEqual([14, 0, 0, 0, 0, 0, 0, 0]);
        expect(await store.deliveries({ from: D0 + 2 * DAY, to: D0 + 2 * DAY, by: "day" })).toEqual([]);
        expect(await store.deliveries({ from: D0 - DAY, to: D0, by: "device" })).toEqual([]);
      });

      it("matches every version of a contract by its id, and isolates operators", async () => {
        await store.recordDeliveries([
          delivery(0, "lamp-1", 1),
          delivery(0, "lamp-1", 2, { contract: "streetlight@2.0.0" }),
          delivery(0, "lamp-9", 4, { operatorId: "eclairage-plus" }),
          delivery(0, "bin-1", 8, { contract: "streetlight-extra@1.0.0" }),
          delivery(0, "bin-2", 16, { contract: "waste@1.0.0" }),
        ]);
        const range = { from: D0, to: D0 + DAY };
        const streetlight = await store.deliveries({ ...range, contractId: "streetlight", by: "device" });
        expect(streetlight.map((r) => [r.operatorId, r.contract, r.readings])).toEqual([
          ["citeos", "streetlight@1.0.0", 1],
          ["citeos", "streetlight@2.0.0", 2],
          ["eclairage-plus", "streetlight@1.0.0", 4],
        ]);
        const other = await store.deliveries({ ...range, operatorId: "eclairage-plus", by: "day" });
        expect(other.map((r) => [r.operatorId, r.readings, r.devices])).toEqual([["eclairage-plus", 4, 1]]);
        const both = await store.deliveries({
          ...range,
          operatorId: "citeos",
          contractId: "waste",
          by: "day",
        });
        expect(both.map((r) => r.readings)).toEqual([16]);
        expect(await store.deliveries({ ...range, operatorId: "nobody", by: "device" })).toEqual([]);
      });

      it("adds refusals per key and sums them by code, device and day", async () => {
        await store.recordRefusals([
          refusal(0, "ERR_CONTRACT_OUT_OF_RANGE", 2),
          refusal(0, "ERR_CONTRACT_OUT_OF_RANGE", 3),
          refusal(1, "ERR_CONTRACT_OUT_OF_RANGE", 1, { deviceId: "lamp-2" }),
          refusal(1, "ERR_PAYLOAD_JSON", 4, { kind: "quarantine", contract: "", deviceId: "" }),
          refusal(1, "ERR_DEVICE_UNKNOWN", 1, { kind: "quarantine", operatorId: "other", deviceId: "x" }),
          refusal(2, "ERR_PAYLOAD_JSON", 9, { kind: "quarantine" }),
        ]);
        await store.recordRefusals([refusal(0, "ERR_CONTRACT_OUT_OF_RANGE", 10)]);
        const q = { from: D0, to: D0 + 2 * DAY, operatorId: "citeos" };
        expect(await store.refusals({ ...q, by: "code" })).toEqual([
          { operatorId: "citeos", contract: "", kind: "quarantine", code: "ERR_PAYLOAD_JSON", count: 4 },
          {
            operatorId: "citeos",
            contract: "streetlight@1.0.0",
            kind: "violation",
            code: "ERR_CONTRACT_OUT_OF_RANGE",
            count: 16,
          },
        ]);
        const byDevice = await store.refusals({ ...q, by: "device" });
        expect(byDevice.map((r) => [r.deviceId, r.code, r.count])).toEqual([
          ["", "ERR_PAYLOAD_JSON", 4],
          ["lamp-1", "ERR_CONTRACT_OUT_OF_RANGE", 15],
          ["lamp-2", "ERR_CONTRACT_OUT_OF_RANGE", 1],
        ]);
        const byDay = await store.refusals({ ...q, contractId: "streetlight", by: "day" });
        expect(byDay.map((r) => [r.day, r.code, r.count])).toEqual([
          [D0, "ERR_CONTRACT_OUT_OF_RANGE", 15],
          [D0 + DAY, "ERR_CONTRACT_OUT_OF_RANGE", 1],
        ]);
        expect(await store.refusals({ from: D0, to: D0 + 3 * DAY, operatorId: "other", by: "code" })).toEqual(
          [
            {
              operatorId: "other",
              contract: "streetlight@1.0.0",
              kind: "quarantine",
              code: "ERR_DEVICE_UNKNOWN",
              count: 1,
            },
          ],
        );
        expect((await collect(store.scanRefusals())).rows).toHaveLength(5);
      });

      it("scans every row exactly once across page boundaries, in key order", async () => {
        const rows: DeliveryCount[] = [];
        for (let day = 2; day >= 0; day--) {
          for (const op of ["b-op", "a-op"]) {
            for (let d = 0; d < 7; d++) rows.push(delivery(day, `dev-${d}`, d + 1, { operatorId: op }));
          }
        }
        await store.recordDeliveries(rows);
        for (const size of [1, 5, 7, 42, 1000]) {
          const scanned = await collect(store.scanDeliveries(size));
          expect(scanned.rows).toHaveLength(42);
          const keys = scanned.rows.map((r) => `${r.day}|${r.operatorId}|${r.deviceId}`);
          expect(new Set(keys).size).toBe(42);
          expect(keys).toEqual([...keys].sort());
          expect(scanned.pages.every((n) => n <= size)).toBe(true);
        }
        expect(await collect(store.scanDeliveries())).toEqual({ pages: [42], rows: expect.any(Array) });
        expect(await collect(store.scanRefusals(3))).toEqual({ pages: [], rows: [] });

        const refusals = Array.from({ length: 11 }, (_, i) => refusal(i % 3, `ERR_${i}`, i + 1));
        await store.recordRefusals(refusals);
        const scanned = await collect(store.scanRefusals(4));
        expect(scanned.pages).toEqual([4, 4, 3]);
        expect(scanned.rows.map((r) => r.count).sort((a, b) => a - b)).toEqual(refusals.map((r) => r.count));
      });

      it("refuses a batch with a bad row whole, with ERR_LEDGER_INVALID", async () => {
        const good = delivery(0, "lamp-1", 2);
        const bad: DeliveryCount[] = [
          { ...good, day: D0 + HOUR },
          { ...good, latencyHistogram: [2, 0, 0] },
          { ...good, latencyHistogram: [1, 0, 0, 0, 0, 0, 0, 0] },
          { ...good, late: 3 },
          { ...good, readings: -1 },
          { ...good, latencySumMs: 1.5 },
          { ...good, deviceId: "" },
        ];
        for (const row of bad) {
          expect(await codeOf(store.recordDeliveries([good, row]))).toBe("ERR_LEDGER_INVALID");
        }
        expect(await codeOf(store.recordRefusals([refusal(0, "", 1)]))).toBe("ERR_LEDGER_INVALID");
        expect(await codeOf(store.recordRefusals([refusal(0, "X", 1, { kind: "x" as "quarantine" })]))).toBe(
          "ERR_LEDGER_INVALID",
        );
        expect(await store.deliveries({ from: 0, to: D0 + DAY, by: "device" })).toEqual([]);
        await store.recordDeliveries([]);
        await store.recordRefusals([]);
      });

      it("records 20,000 devices' day in one call, and again on top", async () => {
        const day = Array.from({ length: 20_000 }, (_, i) =>
          delivery(0, `dev-${String(i).padStart(5, "0")}`, 96, {
            late: i % 3,
            latencyMaxMs: i,
          }),
        );
        await store.recordDeliveries(day);
        await store.recordDeliveries(day);
        const [total] = await store.deliveries({ from: D0, to: D0 + DAY, by: "day" });
        expect(total).toMatchObject({ readings: 2 * 96 * 20_000, devices: 20_000, latencyMaxMs: 19_999 });
        expect(total?.late).toBe(2 * day.reduce((n, r) => n + r.late, 0));
        const scanned = await collect(store.scanDeliveries(6_000));
        expect(scanned.pages).toEqual([6_000, 6_000, 6_000, 2_000]);
        expect(new Set(scanned.rows.map((r) => r.deviceId)).size).toBe(20_000);
      });

      it("sums by device exactly what was recorded, however it was batched (property)", async () => {
        const increment = fc.record({
          day: fc.integer({ min: 0, max: 3 }),
          device: fc.constantFrom("a", "b", "c"),
          operator: fc.constantFrom("op1", "op2"),
          version: fc.constantFrom("1.0.0", "2.0.0"),
          buckets: fc.array(fc.nat(50), { minLength: LATENCY_BUCKETS, maxLength: LATENCY_BUCKETS }),
          lateShare: fc.double({ min: 0, max: 1, noNaN: true }),
          latencyMaxMs: fc.nat(100_000_000),
          latencySumMs: fc.nat(1_000_000_000),
        });
        const input = fc.array(fc.tuple(increment, fc.boolean()), { maxLength: 40 });
        // One store for all runs: each run is its own operator prefix, as fresh as a new store.
        let run = 0;
        await fc.assert(
          fc.asyncProperty(input, async (increments) => {
            run += 1;
            const rows = increments.map(([x, cut]) => {
              const readings = x.buckets.reduce((a, b) => a + b, 0);
              const row = delivery(x.day, x.device, readings, {
                operatorId: `${run}-${x.operator}`,
                contract: `c@${x.version}`,
                late: Math.floor(readings * x.lateShare),
                latencyMaxMs: x.latencyMaxMs,
                latencySumMs: x.latencySumMs,
                latencyHistogram: x.buckets,
              });
              return { row, cut };
            });
            // Batches end where `cut` says: the same key may fall in one batch or across several.
            let batch: DeliveryCount[] = [];
            for (const { row, cut } of rows) {
              batch.push(row);
              if (cut) {
                await store.recordDeliveries(batch);
                batch = [];
              }
            }
            await store.recordDeliveries(batch);

            const expected = new Map<string, DeliveryCount>();
            for (const { row } of rows) {
              const key = `${row.operatorId}|${row.contract}|${row.deviceId}`;
              const e = expected.get(key);
              if (!e) {
                expected.set(key, { ...row, latencyHistogram: [...row.latencyHistogram] });
                continue;
              }
              e.readings += row.readings;
              e.late += row.late;
              e.latencySumMs += row.latencySumMs;
              e.latencyMaxMs = Math.max(e.latencyMaxMs, row.latencyMaxMs);
              e.latencyHistogram = e.latencyHistogram.map((n, i) => n + (row.latencyHistogram[i] ?? 0));
            }
            const got = [
              ...(await store.deliveries({
                from: D0,
                to: D0 + 4 * DAY,
                operatorId: `${run}-op1`,
                by: "device",
              })),
              ...(await store.deliveries({
                from: D0,
                to: D0 + 4 * DAY,
                operatorId: `${run}-op2`,
                by: "device",
              })),
            ];
            const want = [...expected.values()]
              .map(({ day: _day, ...r }) => r)
              .sort((a, b) =>
                `${a.operatorId}|${a.contract}|${a.deviceId}` < `${b.operatorId}|${b.contract}|${b.deviceId}`
                  ? -1
                  : 1,
              );
            expect(got).toEqual(want);
          }),
          { numRuns: 40 },
        );
      });
    });

    describe("latency buckets", () => {
      it("puts a delay in the first bucket whose bound holds it, bounds inclusive", () => {
        expect(LATENCY_BOUNDS_MS).toEqual([1_000, 10_000, 60_000, 300_000, 900_000, 3_600_000, 86_400_000]);
        expect([-5, 0, 1_000, 1_001, 10_000, 60_000, 60_001, 300_000, 900_000].map(latencyBucket)).toEqual([
          0, 0, 0, 1, 1, 2, 3, 3, 4,
        ]);
        expect([3_600_000, 86_400_000, 86_400_001, Number.POSITIVE_INFINITY].map(latencyBucket)).toEqual([
          5, 6, 7, 7,
        ]);
      });
    });

    describe("exemption register", () => {
      it("adds exemptions with increasing ids and the store's time, and lists them", async () => {
        const a = await store.addExemption(EXEMPTION);
        advance(1_000);
        const b = await store.addExemption({
          ...EXEMPTION,
          contractId: "waste",
          operatorId: "suez",
          fields: [],
          obligation: "delivery",
          to: undefined,
        });
        expect(a).toEqual({ ...EXEMPTION, id: a.id, createdAt: NOW });
        expect(b).toMatchObject({
          contractId: "waste",
          operatorId: "suez",
          fields: [],
          createdAt: NOW + 1_000,
        });
        expect(b).not.toHaveProperty("to");
        expect(b.id).toBeGreaterThan(a.id);
        expect(await store.listExemptions()).toEqual([a, b]);
      });

      it("filters by contract, operator (with exemptions for every operator) and activeAt", async () => {
        const all = await store.addExemption(EXEMPTION);
        const mine = await store.addExemption({ ...EXEMPTION, operatorId: "citeos", from: D0 + 10 * DAY });
        const theirs = await store.addExemption({ ...EXEMPTION, operatorId: "other", to: undefined });
        const waste = await store.addExemption({ ...EXEMPTION, contractId: "waste" });
        const ids = async (q: Parameters<ClauseStore["listExemptions"]>[0]) =>
          (await store.listExemptions(q)).map((e) => e.id);
        expect(await ids({ contractId: "streetlight" })).toEqual([all.id, mine.id, theirs.id]);
        expect(await ids({ operatorId: "citeos" })).toEqual([all.id, mine.id, waste.id]);
        expect(await ids({ contractId: "streetlight", operatorId: "citeos", activeAt: D0 })).toEqual([
          all.id,
        ]);
        expect(await ids({ activeAt: D0 + 10 * DAY })).toEqual([all.id, mine.id, theirs.id, waste.id]);
        // `to` is exclusive; an exemption without `to` never ends.
        expect(await ids({ activeAt: D0 + 30 * DAY })).toEqual([theirs.id]);
        expect(await ids({ activeAt: D0 - 1 })).toEqual([]);
      });

      it("revokes by ending the period, keeping the exemption listed with who, when and why", async () => {
        const e = await store.addExemption(EXEMPTION);
        const at = D0 + 5 * DAY;
        const r = await store.revokeExemption(e.id, { at, by: "maire", reason: "Luminaires remplacés." });
        expect(r).toEqual({
          ...e,
          to: at,
          revokedAt: at,
          revokedBy: "maire",
          revokeReason: "Luminaires remplacés.",
        });
        expect(await store.listExemptions()).toEqual([r]);
        expect(await store.listExemptions({ activeAt: at - 1 })).toEqual([r]);
        expect(await store.listExemptions({ activeAt: at })).toEqual([]);
        expect(await codeOf(store.revokeExemption(e.id, { at, by: "maire", reason: "again" }))).toBe(
          "ERR_EXEMPTION_INVALID",
        );
      });

      it("never moves the end later, nor before the start, when revoking", async () => {
        const late = await store.addExemption(EXEMPTION);
        const r1 = await store.revokeExemption(late.id, { at: D0 + 90 * DAY, by: "dpo", reason: "fin" });
        expect(r1.to).toBe(D0 + 30 * DAY);
        const early = await store.addExemption({ ...EXEMPTION, from: D0 + 10 * DAY, to: undefined });
        const r2 = await store.revokeExemption(early.id, { at: D0, by: "dpo", reason: "retirée" });
        expect(r2).toMatchObject({ from: D0 + 10 * DAY, to: D0 + 10 * DAY, revokedAt: D0 });
        expect(await store.listExemptions({ activeAt: D0 + 10 * DAY })).toEqual([r1]);
      });

      it("refuses invalid exemptions and unknown ids with codes", async () => {
        const invalid: NewExemption[] = [
          { ...EXEMPTION, reason: "" },
          { ...EXEMPTION, reason: "   " },
          { ...EXEMPTION, reason: "x".repeat(2_001) },
          { ...EXEMPTION, decision: "" },
          { ...EXEMPTION, to: D0 },
          { ...EXEMPTION, to: D0 - 1 },
          { ...EXEMPTION, contractId: "" },
          { ...EXEMPTION, obligation: "tea" as "format" },
          { ...EXEMPTION, createdBy: "" },
        ];
        for (const e of invalid) expect(await codeOf(store.addExemption(e))).toBe("ERR_EXEMPTION_INVALID");
        expect(await store.addExemption({ ...EXEMPTION, reason: "x".repeat(2_000) })).toHaveProperty("id");
        const revocation = { at: D0, by: "dpo", reason: "fin" };
        expect(await codeOf(store.revokeExemption(999, revocation))).toBe("ERR_EXEMPTION_NOT_FOUND");
        const [e] = await store.listExemptions();
        expect(await codeOf(store.revokeExemption(e?.id ?? 0, { ...revocation, reason: "" }))).toBe(
          "ERR_EXEMPTION_INVALID",
        );
        expect((await store.listExemptions())[0]).not.toHaveProperty("revokedAt");
      });
    });

    describe("breach record", () => {
      const BREACH = {
        awareAt: NOW - 10 * HOUR,
        description: "Export des relevés de compteurs d'eau envoyé au mauvais destinataire.",
        contractIds: ["water-meter"],
        fields: ["index_m3"],
        devicesAffected: 120,
        openedBy: "dpo",
      };

      it("opens a breach due 72 h after awareness", async () => {
        const b = await store.openBreach(BREACH);
        expect(b).toEqual({
          ...BREACH,
          id: b.id,
          openedAt: NOW,
          dueAt: BREACH.awareAt + AUTHORITY_NOTICE_MS,
          status: "open",
          history: [],
        });
        expect(await store.getBreach(b.id)).toEqual(b);
        expect(await store.getBreach(b.id + 100)).toBeUndefined();
        const { devicesAffected: _d, ...without } = BREACH;
        const c = await store.openBreach(without);
        expect(c.id).toBeGreaterThan(b.id);
        expect(c).not.toHaveProperty("devicesAffected");
        expect((await store.listBreaches()).map((x) => x.id)).toEqual([b.id, c.id]);
      });

      it("keeps every update in the history, with who and when", async () => {
        const b = await store.openBreach(BREACH);
        advance(HOUR);
        const notified = await store.updateBreach(
          b.id,
          { notifiedAuthorityAt: NOW + HOUR, note: "Notification CNIL n° 123" },
          "dpo",
        );
        expect(notified).toMatchObject({ status: "notified", notifiedAuthorityAt: NOW + HOUR });
        expect(notified).not.toHaveProperty("note");
        advance(HOUR);
        await store.updateBreach(
          b.id,
          { measures: "Destinataire contacté, fichier supprimé." },
          "technicien",
        );
        advance(HOUR);
        const closed = await store.updateBreach(
          b.id,
          { measures: "Procédure d'export revue.", closedAt: NOW + 3 * HOUR },
          "dpo",
        );
        expect(closed).toMatchObject({
          status: "closed",
          measures: "Procédure d'export revue.",
          closedAt: NOW + 3 * HOUR,
          notifiedAuthorityAt: NOW + HOUR,
        });
        expect(closed.history).toEqual([
          {
            at: NOW + HOUR,
            by: "dpo",
            patch: { notifiedAuthorityAt: NOW + HOUR, note: "Notification CNIL n° 123" },
          },
          {
            at: NOW + 2 * HOUR,
            by: "technicien",
            patch: { measures: "Destinataire contacté, fichier supprimé." },
          },
          {
            at: NOW + 3 * HOUR,
            by: "dpo",
            patch: { measures: "Procédure d'export revue.", closedAt: NOW + 3 * HOUR },
          },
        ]);
        expect(await store.getBreach(b.id)).toEqual(closed);
        expect(await store.listBreaches()).toEqual([closed]);
      });

      it("refuses invalid breaches and updates with codes", async () => {
        expect(await codeOf(store.openBreach({ ...BREACH, description: "" }))).toBe("ERR_BREACH_INVALID");
        expect(await codeOf(store.openBreach({ ...BREACH, awareAt: Number.NaN }))).toBe("ERR_BREACH_INVALID");
        expect(await codeOf(store.openBreach({ ...BREACH, devicesAffected: -1 }))).toBe("ERR_BREACH_INVALID");
        expect(await codeOf(store.updateBreach(42, { note: "x" }, "dpo"))).toBe("ERR_BREACH_NOT_FOUND");
        const b = await store.openBreach(BREACH);
        expect(await codeOf(store.updateBreach(b.id, {}, "dpo"))).toBe("ERR_BREACH_INVALID");
        expect(await codeOf(store.updateBreach(b.id, { note: "x" }, ""))).toBe("ERR_BREACH_INVALID");
        expect(await codeOf(store.updateBreach(b.id, { closedAt: Number.NaN }, "dpo"))).toBe(
          "ERR_BREACH_INVALID",
        );
        expect((await store.getBreach(b.id))?.history).toEqual([]);
      });

      it("tells what the authority notice owes: hours left, overdue, late", async () => {
        const b = await store.openBreach(BREACH);
        expect(breachDeadlines(b, NOW)).toEqual({
          authority: { dueAt: b.dueAt, overdue: false, late: false, hoursLeft: 62 },
        });
        expect(breachDeadlines(b, b.dueAt).authority).toMatchObject({ overdue: false, hoursLeft: 0 });
        expect(breachDeadlines(b, b.dueAt + 6 * HOUR).authority).toMatchObject({
          overdue: true,
          hoursLeft: -6,
        });
        const onTime = await store.updateBreach(b.id, { notifiedAuthorityAt: b.dueAt - 1 }, "dpo");
        expect(breachDeadlines(onTime, b.dueAt + DAY)).toEqual({
          authority: { dueAt: b.dueAt, notifiedAt: b.dueAt - 1, overdue: false, late: false },
        });
        const late = await store.updateBreach(b.id, { notifiedAuthorityAt: b.dueAt + HOUR }, "dpo");
        expect(breachDeadlines(late, NOW).authority).toMatchObject({ overdue: false, late: true });
      });
    });
  });
}
