import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReplayLog, ReplayTrace } from "../../services/clauses/replay-log.ts";
import { isReplayed } from "../../services/clauses/replay-log.ts";

/**
 * What every replay log owes the quarantine workflow, through the port only: one trace per entry
 * (a second is refused, all or nothing), traces found by entry id, listed most recent first with
 * paging, counted with the quarantine's own filter, and deleted with their entries by retention.
 */
const T0 = Date.UTC(2025, 0, 6);
const MINUTE = 60_000;

function trace(quarantineId: number, fields: Partial<ReplayTrace> = {}): ReplayTrace {
  return {
    quarantineId,
    replayedAt: T0 + quarantineId * MINUTE,
    replayedBy: "admin",
    role: "admin",
    outcome: "accepted",
    reasons: [],
    contract: "streetlight@1",
    newQuarantineIds: [],
    entry: {
      operatorId: "op-a",
      deviceId: "lamp-1",
      receivedAt: T0 + quarantineId,
      codes: ["ERR_TIME_INVALID"],
    },
    ...fields,
  };
}

const REQUARANTINED = trace(3, {
  outcome: "quarantined-again",
  reasons: [{ code: "ERR_CONTRACT_WRONG_TYPE", path: "data.x", detail: "expected a number" }],
  newQuarantineIds: [41, 42],
  replayedBy: "op-b",
  role: "operator",
  entry: { operatorId: "op-b", receivedAt: T0 + 3, codes: ["ERR_DEVICE_UNKNOWN", "ERR_PAYLOAD_SHAPE"] },
});

export function replayLogConformance(name: string, make: () => Promise<ReplayLog>): void {
  describe(`${name} conforms to the replay log port`, () => {
    let log: ReplayLog;
    beforeEach(async () => {
      log = await make();
    });
    afterEach(async () => {
      await log.close();
    });

    it("keeps a trace as given, found by its entry's id", async () => {
      await log.record([trace(1), REQUARANTINED]);
      const found = await log.replayedIds([1, 2, 3]);
      expect([...found.keys()].sort()).toEqual([1, 3]);
      const { id: _one, ...first } = found.get(1) as ReplayTrace;
      expect(first).toEqual(trace(1));
      const { id: _three, ...again } = found.get(3) as ReplayTrace;
      expect(again).toEqual(REQUARANTINED);
      expect(await isReplayed(log, 1)).toBe(true);
      expect(await isReplayed(log, 2)).toBe(false);
      expect((await log.replayedIds([])).size).toBe(0);
    });

    it("refuses a second trace of an entry, and writes nothing of that batch", async () => {
      await log.record([trace(1)]);
      await expect(log.record([trace(2), trace(1)])).rejects.toMatchObject({
        code: "ERR_REPLAY_ALREADY_REPLAYED",
      });
      await expect(log.record([trace(4), trace(4)])).rejects.toMatchObject({
        code: "ERR_REPLAY_ALREADY_REPLAYED",
      });
      expect([...(await log.replayedIds([1, 2, 4])).keys()]).toEqual([1]);
    });

    it("lists traces most recent first, by operator and replay time, with paging", async () => {
      await log.record([trace(1), trace(2)]);
      await log.record([REQUARANTINED]);
      const all = await log.list({ limit: 10 });
      expect(all.map((t) => t.quarantineId)).toEqual([3, 2, 1]);
      const page = await log.list({ limit: 2 });
      const rest = await log.list({ limit: 2, beforeId: page.at(-1)?.id as number });
      expect([...page, ...rest].map((t) => t.quarantineId)).toEqual([3, 2, 1]);
      expect((await log.list({ operatorId: "op-b", limit: 10 })).map((t) => t.quarantineId)).toEqual([3]);
      const timed = await log.list({ from: T0 + 2 * MINUTE, to: T0 + 3 * MINUTE, limit: 10 });
      expect(timed.map((t) => t.quarantineId)).toEqual([2]);
    });

    it("counts replayed entries with the quarantine's filter, on the entry's own fields", async () => {
      await log.record([trace(1), trace(2), REQUARANTINED]);
      expect(await log.countReplayed({})).toBe(3);
      expect(await log.countReplayed({ operatorId: "op-a" })).toBe(2);
      expect(await log.countReplayed({ deviceId: "lamp-1" })).toBe(2);
      expect(await log.countReplayed({ code: "ERR_PAYLOAD_SHAPE" })).toBe(1);
      expect(await log.countReplayed({ from: T0 + 2, to: T0 + 3 })).toBe(1);
    });

    it("deletes the traces of entries received before a time, and only those", async () => {
      await log.record([trace(1), trace(2), REQUARANTINED]);
      expect(await log.deleteBefore(T0 + 2)).toBe(1);
      expect([...(await log.replayedIds([1, 2, 3])).keys()].sort()).toEqual([2, 3]);
      expect(await log.deleteBefore(T0)).toBe(0);
    });
  });
}
