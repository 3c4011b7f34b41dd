import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDuckdbReplayLog } from "../../services/clauses/duckdb-replay-log.ts";
import { createMemoryReplayLog } from "../../services/clauses/memory-replay-log.ts";
import type { ReplayLog } from "../../services/clauses/replay-log.ts";
import { replayLogConformance } from "../conformance/replay-log.suite.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-replays-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function started(log: ReplayLog): Promise<ReplayLog> {
  await log.start();
  return log;
}

replayLogConformance("MemoryReplayLog", () => started(createMemoryReplayLog()));
replayLogConformance("DuckdbReplayLog (:memory:)", () =>
  started(createDuckdbReplayLog({ path: ":memory:" })),
);

describe("DuckdbReplayLog on a file", () => {
  it("keeps traces across close() and start(), and still refuses a second trace of an entry", async () => {
    const path = join(dir, "nested", "replays.duckdb");
    const trace = {
      quarantineId: 7,
      replayedAt: 1,
      replayedBy: "admin",
      role: "admin",
      outcome: "accepted" as const,
      reasons: [],
      newQuarantineIds: [],
      entry: { operatorId: "op-a", receivedAt: 0, codes: [] },
    };
    const first = await started(createDuckdbReplayLog({ path }));
    await first.record([trace]);
    await first.close();
    const second = await started(createDuckdbReplayLog({ path }));
    expect((await second.replayedIds([7])).get(7)).toMatchObject({ quarantineId: 7, outcome: "accepted" });
    await expect(second.record([trace])).rejects.toMatchObject({ code: "ERR_REPLAY_ALREADY_REPLAYED" });
    await second.close();
  });
});
