import { describe, expect, it } from "vitest";
import { StoreWatch } from "../../gateway/pipeline/store-watch.ts";
import type { WriterHealth } from "../../gateway/pipeline/writer.ts";

/** The watch's inputs are values here (the writer's health, a ping); its decisions are the test. */
function setup() {
  const state = { now: 1_000_000, health: {} as WriterHealth, ping: true };
  const logs: string[] = [];
  const failed: string[] = [];
  const watch = new StoreWatch(
    {
      writer: { health: () => state.health },
      ping: async () => state.ping,
      now: () => state.now,
      log: (line) => logs.push(line),
      onFailed: (reason) => failed.push(reason),
    },
    { checkMs: 1000, unreadyAfterMs: 5000, exitAfterMs: 30_000 },
  );
  return { state, logs, failed, watch };
}

const failing = (since: number, retryable: boolean): WriterHealth => ({
  failingSince: since,
  lastError: { code: retryable ? "ERR_STORE_UNAVAILABLE" : "ERR_STORE_FAILED", message: "disk", retryable },
});

describe("StoreWatch", () => {
  it("stays ready through a short outage of retryable failures", async () => {
    const { state, watch, logs } = setup();
    state.health = failing(state.now - 4000, true);
    expect(await watch.check()).toBe(true);
    expect(logs).toEqual([]);
  });

  it("is not ready once retryable failures last, logs the cause once, and gives up at the bound", async () => {
    const { state, watch, logs, failed } = setup();
    const since = state.now;
    state.health = failing(since, true);
    state.now = since + 5000;
    expect(await watch.check()).toBe(false);
    expect(watch.problem).toMatch(/ERR_STORE_UNAVAILABLE: disk/);
    state.now = since + 10_000;
    await watch.check();
    expect(logs).toHaveLength(1);
    expect(failed).toEqual([]);
    state.now = since + 30_000;
    await watch.check();
    await watch.check();
    expect(failed).toHaveLength(1);
  });

  it("is not ready at once on a fatal failure", async () => {
    const { state, watch } = setup();
    state.health = failing(state.now, false);
    expect(await watch.check()).toBe(false);
    expect(watch.healthy).toBe(false);
  });

  it("counts a store that does not answer, and is ready again when writes succeed", async () => {
    const { state, watch, logs } = setup();
    state.ping = false;
    await watch.check();
    state.now += 6000;
    expect(await watch.check()).toBe(false);
    expect(watch.problem).toMatch(/not answered/);
    state.ping = true;
    expect(await watch.check()).toBe(true);
    expect(logs.at(-1)).toMatch(/ready/);
  });
});
