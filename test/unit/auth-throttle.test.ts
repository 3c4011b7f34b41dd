import { describe, expect, it } from "vitest";
import { clientIdOwner, sessionClientId } from "../../services/auth/client-id.ts";
import { createKdfGate } from "../../services/auth/kdf-gate.ts";
import { createAuthenticator, retryAfterSeconds, type User } from "../../services/auth/principals.ts";
import { createLoginThrottle, type ThrottleConfig } from "../../services/auth/throttle.ts";
import { fixedClock } from "../../services/domain/clock.ts";
import type { Operator } from "../../services/domain/types.ts";
import { createPlatformMetrics } from "../../services/metrics/platform-metrics.ts";

const CONFIG: ThrottleConfig = {
  maxFailures: 3,
  windowMs: 60_000,
  backoffMs: 10_000,
  maxBackoffMs: 40_000,
  maxEntries: 100,
};

describe("login throttle", () => {
  it("refuses a key after maxFailures until its backoff expires, doubling it each time", () => {
    const clock = fixedClock(1_000_000);
    const t = createLoginThrottle(CONFIG, clock);
    t.failed("a");
    t.failed("a");
    expect(t.retryAfterMs("a")).toBe(0);
    t.failed("a");
    expect(t.retryAfterMs("a")).toBe(10_000);
    expect(t.retryAfterMs("b")).toBe(0); // other keys are not affected
    clock.advance(10_000);
    expect(t.retryAfterMs("a")).toBe(0);
    t.failed("a"); // still over the limit: blocked again at once, twice as long
    expect(t.retryAfterMs("a")).toBe(20_000);
    clock.advance(20_000);
    t.failed("a");
    expect(t.retryAfterMs("a")).toBe(40_000);
    clock.advance(40_000);
    t.failed("a");
    expect(t.retryAfterMs("a")).toBe(40_000); // capped
  });

  it("does not lengthen a block with failures of attempts already under way", () => {
    const clock = fixedClock(0);
    const t = createLoginThrottle(CONFIG, clock);
    for (let i = 0; i < 10; i++) t.failed("a");
    expect(t.retryAfterMs("a")).toBe(10_000);
  });

  it("forgets a key a window after its last failure, and on success", () => {
    const clock = fixedClock(0);
    const t = createLoginThrottle(CONFIG, clock);
    t.failed("a");
    t.failed("a");
    expect(t.suspect("a")).toBe(true);
    clock.advance(60_001);
    expect(t.suspect("a")).toBe(false);
    t.failed("a"); // counting starts over: 1 failure, not 3
    expect(t.retryAfterMs("a")).toBe(0);
    t.failed("b");
    t.succeeded("b");
    expect(t.suspect("b")).toBe(false);
  });

  it("keeps at most maxEntries keys, forgetting the oldest failure first", () => {
    const clock = fixedClock(0);
    const t = createLoginThrottle({ ...CONFIG, maxEntries: 3 }, clock);
    for (const key of ["a", "b", "c"]) t.failed(key);
    t.failed("a"); // a is now the most recent
    for (let i = 0; i < 50; i++) t.failed(`spray-${i}`);
    expect(t.size).toBe(3);
    expect(t.suspect("b")).toBe(false);
  });
});

describe("KDF gate", () => {
  it("runs at most `concurrency` checks, clean ones before suspects, and turns away past maxQueued", async () => {
    const gate = createKdfGate({ concurrency: 1, maxQueued: 2 });
    const order: string[] = [];
    let open: () => void = () => {};
    const blocker = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = gate.tryRun(async () => {
      await blocker;
      order.push("first");
    }, false);
    const suspect = gate.tryRun(async () => order.push("suspect"), true);
    const clean = gate.tryRun(async () => order.push("clean"), false);
    expect(gate.running).toBe(1);
    expect(gate.queued).toBe(2);
    expect(gate.tryRun(async () => order.push("overflow"), false)).toBeUndefined();
    open();
    await Promise.all([first, suspect, clean]);
    expect(order).toEqual(["first", "clean", "suspect"]);
    expect(gate.running).toBe(0);
  });

  it("frees the slot when a check fails", async () => {
    const gate = createKdfGate({ concurrency: 1, maxQueued: 1 });
    await expect(
      gate.tryRun(async () => {
        throw new Error("boom");
      }, false),
    ).rejects.toThrow("boom");
    await expect(gate.tryRun(async () => 42, false)).resolves.toBe(42);
  });
});

describe("client id namespaces", () => {
  const ops = ["lumiere", "lumiere-est", "eaux-alzette"];
  it("compares whole operator ids, never a bare string prefix", () => {
    expect(clientIdOwner("lumiere-estX", ["lumiere-est"])).toBeUndefined();
    expect(clientIdOwner("lumiere-estX", ops)).toBe("lumiere"); // lumiere + "-" + estX
  });
  it.each([
    ["lumiere-est", "lumiere-est"],
    ["lumiere-est-1", "lumiere-est"],
    ["lumiere-est:sim", "lumiere-est"],
    ["lumiere-est/armoire/1", "lumiere-est"],
    ["lumiere-1", "lumiere"],
    ["lumiere_est", undefined],
    ["mqttjs_3f9a", undefined],
    ["", undefined],
  ])("%s belongs to %s", (id, owner) => {
    expect(clientIdOwner(id, ops)).toBe(owner);
  });

  it("keeps own ids, refuses other operators' and confines the rest", () => {
    expect(sessionClientId("lumiere-est-1", "lumiere-est", ops)).toBe("lumiere-est-1");
    expect(sessionClientId("lumiere-est-1", "eaux-alzette", ops)).toBeUndefined();
    expect(sessionClientId("lumiere-est-1", "lumiere", ops)).toBeUndefined();
    expect(sessionClientId("mqttjs_3f9a", "eaux-alzette", ops)).toBe("eaux-alzette/mqttjs_3f9a");
    expect(sessionClientId("aedes_0b1c", "lumiere", ops)).toBe("lumiere/aedes_0b1c");
  });
});

describe("authenticator", () => {
  const operators: Operator[] = [
    { id: "lumiere-est", name: "L", username: "lumiere-est", secretHash: "op-secret" },
    { id: "eaux-alzette", name: "E", username: "eaux-alzette", secretHash: "eau-secret" },
  ];
  const users: User[] = [{ id: "technicien", role: "technician", tokenHash: "tech-token" }];
  /** A fake KDF: the stored "hash" is the secret; calls are counted. */
  const setup = () => {
    const clock = fixedClock(0);
    let kdfCalls = 0;
    const verify = async (secret: string, stored: string) => {
      kdfCalls++;
      return secret === stored;
    };
    const auth = createAuthenticator(operators, users, verify, { clock });
    return { auth, clock, kdfCalls: () => kdfCalls };
  };
  const basic = (address = "10.0.0.1") => ({ scheme: "basic" as const, address });
  const throttledSeconds = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return retryAfterSeconds(err);
    }
    return undefined;
  };

  it("accepts each credential in its own method only", async () => {
    const { auth } = setup();
    expect(await auth.operator("lumiere-est", "op-secret", basic())).toMatchObject({
      role: "operator",
      operatorId: "lumiere-est",
    });
    expect(await auth.user("technicien", "tech-token")).toMatchObject({ role: "technician" });
    expect(await auth.operator("technicien", "tech-token", basic())).toBeUndefined();
    expect(await auth.user("lumiere-est", "op-secret")).toBeUndefined();
    expect(auth.stats.failures).toEqual({ mqtt: 0, basic: 1, bearer: 1 });
  });

  it("throttles a username after 5 failures before the KDF, and counts it", async () => {
    const { auth, clock, kdfCalls } = setup();
    for (let i = 0; i < 5; i++) {
      expect(await auth.operator("lumiere-est", `guess-${i}`, basic(`10.0.1.${i}`))).toBeUndefined();
    }
    const calls = kdfCalls();
    expect(await throttledSeconds(auth.operator("lumiere-est", "guess-6", basic("10.0.2.1")))).toBe(30);
    expect(kdfCalls()).toBe(calls); // refused without running the KDF
    expect(auth.stats).toEqual({
      failures: { mqtt: 0, basic: 5, bearer: 0 },
      throttled: { mqtt: 0, basic: 1, bearer: 0 },
    });
    // Another operator is not affected.
    expect(await auth.operator("eaux-alzette", "eau-secret", basic("10.0.2.1"))).toBeDefined();
    clock.advance(30_000);
    expect(await auth.operator("lumiere-est", "op-secret", basic("10.0.2.1"))).toBeDefined();
  });

  it("throttles an address after 20 failures, whatever the usernames", async () => {
    const { auth } = setup();
    for (let i = 0; i < 20; i++) await auth.operator(`nobody-${i}`, "x", basic("10.9.9.9"));
    expect(await throttledSeconds(auth.operator("eaux-alzette", "eau-secret", basic("10.9.9.9")))).toBe(30);
    expect(await auth.operator("eaux-alzette", "eau-secret", basic("10.0.0.2"))).toBeDefined();
  });

  it("keeps an operator's verified credential working while its username is throttled", async () => {
    const { auth } = setup();
    expect(await auth.operator("lumiere-est", "op-secret", basic("10.0.0.1"))).toBeDefined();
    for (let i = 0; i < 5; i++) await auth.operator("lumiere-est", `guess-${i}`, basic("10.6.6.6"));
    // The real operator, from its own address: its cached credential still works.
    expect(await auth.operator("lumiere-est", "op-secret", basic("10.0.0.1"))).toBeDefined();
    // The attacker's next guesses, right or wrong, are refused.
    expect(await throttledSeconds(auth.operator("lumiere-est", "guess-9", basic("10.6.6.7")))).toBe(30);
  });

  it("pays the KDF once for the same credentials sent at once", async () => {
    const { auth, kdfCalls } = setup();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => auth.operator("eaux-alzette", "eau-secret", basic())),
    );
    expect(results.every((p) => p?.operatorId === "eaux-alzette")).toBe(true);
    expect(kdfCalls()).toBe(1);
  });

  it("stops running the KDF for a flood of guesses once the username is throttled", async () => {
    const { auth, kdfCalls } = setup();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => auth.operator("lumiere-est", `guess-${i}`, basic(`10.1.0.${i}`))),
    );
    // The gate runs two checks at a time; queued checks see the block when their turn comes.
    expect(kdfCalls()).toBeLessThanOrEqual(5 + 2);
    expect(outcomes.filter((o) => o.status === "rejected").length).toBeGreaterThanOrEqual(40 - 7);
    expect(auth.stats.throttled.basic).toBe(outcomes.filter((o) => o.status === "rejected").length);
  });

  it("namespaces MQTT client ids by operator", () => {
    const { auth } = setup();
    expect(auth.mqttClientId("lumiere-est", "lumiere-est-1")).toBe("lumiere-est-1");
    expect(auth.mqttClientId("eaux-alzette", "lumiere-est-1")).toBeUndefined();
    expect(auth.mqttClientId("eaux-alzette", "mqttjs_1")).toBe("eaux-alzette/mqttjs_1");
  });
});

describe("auth metrics", () => {
  it("renders failed and throttled logins as counters by scheme", async () => {
    const stats = {
      failures: { mqtt: 2, basic: 5, bearer: 0 },
      throttled: { mqtt: 0, basic: 1, bearer: 0 },
    };
    const metrics = createPlatformMetrics({
      writePending: () => 0,
      mqttConnections: () => 0,
      mqttAuthFailures: () => 0,
      mqttForbidden: () => 0,
      spool: () => ({ bytes: 0, segments: 0, oldestAgeMs: 0 }),
      rollups: () => ({
        passes: 0,
        deviceRows: 0,
        groupRows: 0,
        failures: 0,
        dirtyBuckets: 0,
        lastPassMs: 0,
        lastSuccessAt: 0,
      }),
      auth: () => stats,
    });
    let text = await metrics.registry.metrics();
    expect(text).toContain("# TYPE lanterne_auth_failures_total counter");
    expect(text).toContain('lanterne_auth_failures_total{scheme="basic"} 5');
    expect(text).toContain('lanterne_auth_failures_total{scheme="mqtt"} 2');
    expect(text).toContain('lanterne_auth_throttled_total{scheme="basic"} 1');
    stats.failures.basic = 8;
    text = await metrics.registry.metrics();
    expect(text).toContain('lanterne_auth_failures_total{scheme="basic"} 8');
  });
});
