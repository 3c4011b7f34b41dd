import { ReplayRecordedError } from "../domain/errors.ts";
import type { EpochMs } from "../domain/types.ts";
import { matchesReplayed, type ReplayLog, type ReplayTrace } from "./replay-log.ts";

/** The replay log in memory, for tests: the same conformance suite as the DuckDB adapter. */
export function createMemoryReplayLog(): ReplayLog {
  const byEntry = new Map<number, ReplayTrace>();
  let nextId = 1;
  const copy = (t: ReplayTrace): ReplayTrace => structuredClone(t);
  return {
    async start() {},
    async close() {},
    async record(traces) {
      const seen = new Set<number>();
      for (const t of traces) {
        if (byEntry.has(t.quarantineId) || seen.has(t.quarantineId))
          throw new ReplayRecordedError(t.quarantineId);
        seen.add(t.quarantineId);
      }
      for (const t of traces) byEntry.set(t.quarantineId, { ...copy(t), id: nextId++ });
    },
    async replayedIds(ids) {
      const found = new Map<number, ReplayTrace>();
      for (const id of ids) {
        const t = byEntry.get(id);
        if (t) found.set(id, copy(t));
      }
      return found;
    },
    async list(q) {
      return [...byEntry.values()]
        .filter(
          (t) =>
            (q.operatorId === undefined || t.entry.operatorId === q.operatorId) &&
            (q.from === undefined || t.replayedAt >= q.from) &&
            (q.to === undefined || t.replayedAt < q.to) &&
            (q.beforeId === undefined || (t.id ?? 0) < q.beforeId),
        )
        .sort((a, b) => (b.id ?? 0) - (a.id ?? 0))
        .slice(0, Math.max(0, q.limit))
        .map(copy);
    },
    async countReplayed(filter) {
      return [...byEntry.values()].filter((t) => matchesReplayed(t, filter)).length;
    },
    async deleteBefore(time: EpochMs) {
      let removed = 0;
      for (const [id, t] of byEntry) {
        if (t.entry.receivedAt < time) {
          byEntry.delete(id);
          removed++;
        }
      }
      return removed;
    },
  };
}
