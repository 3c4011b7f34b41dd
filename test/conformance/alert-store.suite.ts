import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertStore } from "../../services/alerts/store.ts";
import type { Alert, AlertChange, AlertInput, AlertQuery } from "../../services/alerts/types.ts";

/**
 * The behaviour every alert store owes Lanterne, asserted only through the port, so that the
 * in-memory twin and the DuckDB adapter run the same suite (as store.suite.ts does for
 * time series). `make` returns a started, empty store; `reopen`, when given, returns a started
 * store over the storage of the last one `make` returned (the suite closes that one first).
 */
export interface AlertConformanceOptions {
  reopen?: () => Promise<AlertStore>;
}

const T0 = Date.UTC(2025, 0, 6, 18);
const MINUTE = 60_000;

function input(overrides: Partial<AlertInput> = {}): AlertInput {
  return {
    ruleId: "streetlight.dark-at-night",
    subject: "lamp-1",
    severity: "major",
    domain: "streetlight",
    commune: "01053",
    operatorId: "lumiere-est",
    detail: "off after dusk",
    ...overrides,
  };
}

function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (err: { code?: string }) => err.code,
  );
}

async function pagesOf<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** Alerts in every state: commented, assigned, acknowledged, cleared, closed, reopened, correlated. */
async function populate(s: AlertStore): Promise<void> {
  const a = await s.raise(input({ subject: "lamp-1" }), T0);
  await s.comment(a.id, "alice", "<b>first</b> ' OR '1'='1 é", T0 + 1, 1);
  await s.assign(a.id, "dave", "carol", T0 + 2, 2);
  const b = await s.raise(input({ subject: "lamp-2", kind: "silence" }), T0 + 3);
  await s.acknowledge(b.id, "alice", T0 + 4, 1);
  await s.clear("lamp-2", b.ruleId, T0 + 5);
  const cabinet = input({ subject: "cabinet:arm-1", ruleId: "cabinet.down", kind: "band" });
  await s.raise({ ...cabinet, children: ["lamp-1", "lamp-2"] }, T0 + 6);
  await s.raise({ ...cabinet, children: ["lamp-1", "lamp-2", "lamp-3"] }, T0 + 7);
  const c = await s.raise(input({ subject: "lamp-3", ruleId: "x" }), T0 + 8);
  const c2 = await s.comment(c.id, "bob", "repaired", T0 + 9, 1);
  await s.closeAlert(c.id, "bob", T0 + 10, c2.version);
  const d = await s.raise(input({ subject: "lamp-3", ruleId: "x" }), T0 + 11);
  await s.clear("lamp-3", "x", T0 + 12);
  await s.raise(input({ subject: "lamp-3", ruleId: "x" }), T0 + 13);
  await codeOf(s.acknowledge(d.id, "eve", T0 + 14, 99));
  await s.raise(
    { ruleId: "water.low", subject: "tank-1", severity: "minor", domain: "water", detail: "low" },
    T0 + 15,
  );
}

/** What a reader of the store can ask, for comparing two stores. */
async function answers(s: AlertStore): Promise<unknown> {
  const all = await s.list({ limit: 1000 });
  const queries: AlertQuery[] = [
    { limit: 1000, status: "open" },
    { limit: 1000, status: "closed" },
    { limit: 1000, cleared: true },
    { limit: 1000, cleared: false },
    { limit: 1000, subject: "lamp-3" },
    { limit: 1000, domain: "water" },
    { limit: 2, beforeId: all[1]?.id ?? 0 },
  ];
  for (let t = T0 - 1; t <= T0 + 16; t++) queries.push({ limit: 1000, openAt: t });
  const ids = all.map((a) => a.id);
  const last = Math.max(0, ...ids);
  return {
    all,
    lists: await Promise.all(queries.map((q) => s.list(q))),
    gets: await Promise.all([...ids, last + 1].map((id) => s.get(id))),
    histories: await Promise.all(ids.map((id) => s.history(id))),
    changes: await s.changes(0, 1000),
    someChanges: await s.changes(5, 3),
    lastChangeId: await s.lastChangeId(),
  };
}

export function alertStoreConformance(
  name: string,
  make: () => Promise<AlertStore>,
  options: AlertConformanceOptions = {},
): void {
  describe(`${name} conforms to AlertStore`, () => {
    let store: AlertStore;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    /** An alert brought to a given state through the port. */
    async function inState(state: "open" | "acknowledged" | "cleared" | "closed"): Promise<Alert> {
      let a = await store.raise(input(), T0);
      if (state === "acknowledged") a = await store.acknowledge(a.id, "alice", T0 + MINUTE, a.version);
      if (state === "cleared") a = (await store.clear(a.subject, a.ruleId, T0 + 2 * MINUTE)) ?? a;
      if (state === "closed") a = await store.closeAlert(a.id, "bob", T0 + 3 * MINUTE, a.version);
      return a;
    }

    it("raises an open alert with its input, version 1", async () => {
      const a = await store.raise(input({ children: ["lamp-7", "lamp-8"] }), T0);
      expect(a).toMatchObject({ ...input(), children: ["lamp-7", "lamp-8"], status: "open", openedAt: T0 });
      expect(a.version).toBe(1);
      expect(a.comments).toEqual([]);
      expect(await store.get(a.id)).toEqual(a);
    });

    describe("lifecycle table", () => {
      type Act = "acknowledge" | "close" | "assign";
      const act = (a: Alert, what: Act): Promise<Alert> => {
        const at = T0 + 10 * MINUTE;
        if (what === "acknowledge") return store.acknowledge(a.id, "carol", at, a.version);
        if (what === "close") return store.closeAlert(a.id, "carol", at, a.version);
        return store.assign(a.id, "dave", "carol", at, a.version);
      };
      const table: [state: "open" | "acknowledged" | "cleared" | "closed", what: Act, legal: boolean][] = [
        ["open", "acknowledge", true],
        ["open", "close", true],
        ["open", "assign", true],
        ["acknowledged", "acknowledge", false],
        ["acknowledged", "close", true],
        ["acknowledged", "assign", true],
        ["cleared", "acknowledge", true],
        ["cleared", "close", true],
        ["cleared", "assign", true],
        ["closed", "acknowledge", false],
        ["closed", "close", false],
        ["closed", "assign", false],
      ];
      for (const [state, what, legal] of table) {
        it(`${what} from ${state} is ${legal ? "legal" : "refused"}`, async () => {
          const a = await inState(state);
          if (legal) {
            const b = await act(a, what);
            expect(b.version).toBe(a.version + 1);
            expect(await store.get(a.id)).toEqual(b);
          } else {
            expect(await codeOf(act(a, what))).toBe("ERR_ALERT_TRANSITION");
            expect(await store.get(a.id)).toEqual(a);
          }
        });
      }
    });

    it("records who and when, and the derived times", async () => {
      const a = await store.raise(input(), T0);
      const b = await store.acknowledge(a.id, "alice", T0 + 5 * MINUTE, 1);
      const c = await store.clear(a.subject, a.ruleId, T0 + 30 * MINUTE);
      const d = await store.closeAlert(a.id, "bob", T0 + 60 * MINUTE, c?.version ?? 0);
      expect(b).toMatchObject({ acknowledgedAt: T0 + 5 * MINUTE, acknowledgedBy: "alice" });
      expect(b.timeToAcknowledgeMs).toBe(5 * MINUTE);
      expect(c).toMatchObject({ clearedAt: T0 + 30 * MINUTE, timeToRepairMs: 30 * MINUTE });
      expect(d).toMatchObject({ status: "closed", closedAt: T0 + 60 * MINUTE, closedBy: "bob", version: 4 });
      const events = (await store.history(a.id)).map((e) => [e.event, e.fromState, e.toState, e.by]);
      expect(events).toEqual([
        ["raised", undefined, "open", "system"],
        ["acknowledged", "open", "acknowledged", "alice"],
        ["cleared", "acknowledged", "cleared", "system"],
        ["closed", "cleared", "closed", "bob"],
      ]);
    });

    it("an alert cleared by the data stays listed until closed", async () => {
      const a = await inState("cleared");
      expect((await store.list({ limit: 10 })).map((x) => x.id)).toEqual([a.id]);
      expect(await store.list({ limit: 10, cleared: false })).toEqual([]);
      expect((await store.list({ limit: 10, status: "open", cleared: true }))[0]?.id).toBe(a.id);
    });

    it("raise is idempotent: 100 concurrent raises of one key make one alert", async () => {
      const all = await Promise.all(Array.from({ length: 100 }, (_, i) => store.raise(input(), T0 + i)));
      expect(new Set(all.map((a) => a.id)).size).toBe(1);
      expect(await store.list({ limit: 1000 })).toHaveLength(1);
      expect(await store.history(all[0]?.id ?? 0)).toHaveLength(1);
    });

    it("a replayed raise returns the same alert unchanged", async () => {
      const a = await store.raise(input(), T0);
      const b = await store.raise(input({ detail: "replayed" }), T0 + 1);
      expect(b).toEqual(a);
    });

    it("clear is idempotent and a no-op without an active alert", async () => {
      expect(await store.clear("lamp-1", "streetlight.dark-at-night", T0)).toBeUndefined();
      const a = await store.raise(input(), T0);
      const once = await store.clear(a.subject, a.ruleId, T0 + MINUTE);
      const twice = await store.clear(a.subject, a.ruleId, T0 + 2 * MINUTE);
      expect(twice).toEqual(once);
      expect(once?.version).toBe(2);
    });

    it("clear then raise reactivates the same alert", async () => {
      const a = await store.raise(input(), T0);
      await store.clear(a.subject, a.ruleId, T0 + MINUTE);
      const b = await store.raise(input(), T0 + 2 * MINUTE);
      expect(b.id).toBe(a.id);
      expect(b.clearedAt).toBeUndefined();
      expect(b.version).toBe(3);
      expect((await store.history(a.id)).map((e) => e.event)).toEqual(["raised", "cleared", "reopened"]);
    });

    it("close then raise opens a new alert", async () => {
      const a = await inState("closed");
      const b = await store.raise(input(), T0 + 10 * MINUTE);
      expect(b.id).not.toBe(a.id);
      expect(b.status).toBe("open");
      expect(await store.clear(a.subject, a.ruleId, T0 + 11 * MINUTE)).toMatchObject({ id: b.id });
      expect((await store.get(a.id))?.status).toBe("closed");
    });

    it("refuses a stale version and leaves the alert as it was", async () => {
      const a = await store.raise(input(), T0);
      await store.assign(a.id, "dave", "carol", T0 + 1, 1);
      const before = await store.get(a.id);
      expect(await codeOf(store.acknowledge(a.id, "alice", T0 + 2, 1))).toBe("ERR_ALERT_STALE");
      expect(await codeOf(store.closeAlert(a.id, "alice", T0 + 2, 1))).toBe("ERR_ALERT_STALE");
      expect(await codeOf(store.comment(a.id, "alice", "hi", T0 + 2, 7))).toBe("ERR_ALERT_STALE");
      expect(await store.get(a.id)).toEqual(before);
    });

    it("answers ERR_ALERT_NOT_FOUND for an unknown id", async () => {
      expect(await store.get(424242)).toBeUndefined();
      expect(await codeOf(store.acknowledge(424242, "a", T0, 1))).toBe("ERR_ALERT_NOT_FOUND");
      expect(await codeOf(store.comment(424242, "a", "x", T0, 1))).toBe("ERR_ALERT_NOT_FOUND");
    });

    it("stores comments as given, in order", async () => {
      const a = await store.raise(input(), T0);
      const hostile = "<script>alert('x')</script> ' OR '1'='1 -- é\n\ttab";
      const b = await store.comment(a.id, "alice", hostile, T0 + 1, 1);
      const c = await store.comment(a.id, "bob", "second", T0 + 2, b.version);
      expect(c.comments).toEqual([
        { author: "alice", at: T0 + 1, text: hostile },
        { author: "bob", at: T0 + 2, text: "second" },
      ]);
      expect((await store.get(a.id))?.comments).toEqual(c.comments);
    });

    it("refuses an empty or over-long comment", async () => {
      const a = await store.raise(input(), T0);
      expect(await codeOf(store.comment(a.id, "alice", "  ", T0, 1))).toBe("ERR_ALERT_COMMENT");
      expect(await codeOf(store.comment(a.id, "alice", "x".repeat(4001), T0, 1))).toBe("ERR_ALERT_COMMENT");
      expect((await store.comment(a.id, "alice", "x".repeat(4000), T0, 1)).comments).toHaveLength(1);
    });

    it("answers which alerts were open at T from the history", async () => {
      const a = await store.raise(input({ subject: "lamp-1" }), T0);
      const b = await store.raise(input({ subject: "lamp-2" }), T0 + 10 * MINUTE);
      await store.closeAlert(a.id, "bob", T0 + 20 * MINUTE, 1);
      await store.clear("lamp-2", b.ruleId, T0 + 30 * MINUTE);
      const openAt = async (t: number) => (await store.list({ openAt: t, limit: 10 })).map((x) => x.id);
      expect(await openAt(T0 - 1)).toEqual([]);
      expect(await openAt(T0)).toEqual([a.id]);
      expect(await openAt(T0 + 15 * MINUTE)).toEqual([b.id, a.id]);
      expect(await openAt(T0 + 20 * MINUTE)).toEqual([b.id]);
      // Cleared but not closed: still open for the technician.
      expect(await openAt(T0 + 40 * MINUTE)).toEqual([b.id]);
    });

    it("filters and pages newest first", async () => {
      const made: Alert[] = [];
      for (let i = 0; i < 5; i++) {
        made.push(
          await store.raise(input({ subject: `lamp-${i}`, commune: i % 2 ? "01004" : "01053" }), T0 + i),
        );
      }
      made.push(
        await store.raise(
          input({ subject: "tank-1", domain: "water", ruleId: "water.low", operatorId: "eau-sud" }),
          T0 + 9,
        ),
      );
      const ids = (xs: Alert[]) => xs.map((x) => x.id);
      const all = ids(made).reverse();
      expect(ids(await store.list({ limit: 10 }))).toEqual(all);
      const page1 = await store.list({ limit: 4 });
      const page2 = await store.list({ limit: 4, beforeId: page1.at(-1)?.id });
      expect([...ids(page1), ...ids(page2)]).toEqual(all);
      expect(ids(await store.list({ limit: 10, domain: "water" }))).toEqual([made[5]?.id]);
      expect(ids(await store.list({ limit: 10, ruleId: "water.low" }))).toEqual([made[5]?.id]);
      expect(ids(await store.list({ limit: 10, operatorId: "eau-sud" }))).toEqual([made[5]?.id]);
      expect(ids(await store.list({ limit: 10, subject: "lamp-3" }))).toEqual([made[3]?.id]);
      expect(ids(await store.list({ limit: 10, commune: "01004", domain: "streetlight" }))).toEqual([
        made[3]?.id,
        made[1]?.id,
      ]);
      expect(await store.list({ limit: 10, subject: "x' OR '1'='1" })).toEqual([]);
      await store.acknowledge(made[0]?.id ?? 0, "alice", T0 + 20, 1);
      expect(ids(await store.list({ limit: 10, status: "acknowledged" }))).toEqual([made[0]?.id]);
    });

    describe("change feed", () => {
      it("lists every change in history order, with the alert after it and its subject's state", async () => {
        const silent = await store.raise(input({ ruleId: "any.silent", kind: "silence" }), T0);
        const fault = await store.raise(input({ ruleId: "any.band", kind: "band" }), T0 + 1);
        await store.comment(fault.id, "alice", "<i>on it</i>", T0 + 2, 1);
        await store.clear("lamp-1", "any.band", T0 + 3);
        await store.clear("lamp-1", "any.silent", T0 + 4);
        await store.closeAlert(silent.id, "bob", T0 + 5, 2);
        const changes = await store.changes(0, 100);
        expect(changes.map((c) => [c.alertId, c.event, c.subjectBefore, c.subjectAfter])).toEqual([
          [silent.id, "raised", "ok", "silent"],
          [fault.id, "raised", "silent", "fault"],
          [fault.id, "commented", "fault", "fault"],
          [fault.id, "cleared", "fault", "silent"],
          [silent.id, "cleared", "silent", "ok"],
          [silent.id, "closed", "ok", "ok"],
        ]);
        const ids = changes.map((c) => c.id);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        expect(new Set(ids).size).toBe(ids.length);
        // The alert as it was just after each change, not as it is now.
        expect(changes[1]?.alert).toMatchObject({ id: fault.id, version: 1, status: "open", kind: "band" });
        expect(changes[1]?.alert.clearedAt).toBeUndefined();
        expect(changes[2]?.comment).toEqual({ author: "alice", at: T0 + 2, text: "<i>on it</i>" });
        expect(changes[3]?.alert).toMatchObject({ clearedAt: T0 + 3, version: 3 });
        expect(changes[5]?.alert).toMatchObject({ status: "closed", closedBy: "bob" });
        expect(changes.every((c) => c.alert.comments.length === 0)).toBe(true);
      });

      it("resumes after an id and pages with a limit", async () => {
        for (let i = 0; i < 5; i++) await store.raise(input({ subject: `lamp-${i}` }), T0 + i);
        const all = await store.changes(0, 100);
        expect(all).toHaveLength(5);
        const from = all[1]?.id ?? 0;
        expect((await store.changes(from, 2)).map((c) => c.alert.subject)).toEqual(["lamp-2", "lamp-3"]);
        expect(await store.changes(all.at(-1)?.id ?? 0, 10)).toEqual([]);
      });

      it("tells listeners each durable change once, in order, and nothing refused", async () => {
        const heard: string[] = [];
        const alsoHeard: number[] = [];
        const stopThrowing = store.onChange(() => {
          throw new Error("a faulty consumer");
        });
        const stop = store.onChange((c) => heard.push(`${c.alert.subject}:${c.event}`));
        store.onChange((c) => alsoHeard.push(c.id));
        const a = await store.raise(input(), T0);
        await Promise.all([store.raise(input(), T0), store.raise(input(), T0)]);
        await codeOf(store.acknowledge(a.id, "alice", T0 + 1, 7));
        await store.acknowledge(a.id, "alice", T0 + 1, 1);
        stop();
        stopThrowing();
        await store.clear("lamp-1", a.ruleId, T0 + 2);
        expect(heard).toEqual(["lamp-1:raised", "lamp-1:acknowledged"]);
        expect(alsoHeard).toEqual((await store.changes(0, 10)).map((c) => c.id));
      });

      it("grows a correlated alert's children on a raise naming more, once", async () => {
        const group = input({ subject: "cabinet:arm-1", children: ["lamp-1", "lamp-2"] });
        const a = await store.raise(group, T0);
        const b = await store.raise({ ...group, children: ["lamp-1", "lamp-2", "lamp-3"] }, T0 + 1);
        expect(b).toMatchObject({ id: a.id, version: 2, children: ["lamp-1", "lamp-2", "lamp-3"] });
        expect(await store.raise({ ...group, children: ["lamp-1", "lamp-2", "lamp-3"] }, T0 + 2)).toEqual(b);
        expect((await store.history(a.id)).map((e) => e.event)).toEqual(["raised", "regrouped"]);
        expect(await store.get(a.id)).toEqual(b);
      });

      it("gives a correlated alert's state to its subject", async () => {
        await store.raise(
          input({ subject: "cabinet:arm-1", children: ["lamp-1", "lamp-2"], kind: "silence" }),
          T0,
        );
        const [change] = await store.changes(0, 1);
        expect(change).toMatchObject({ subjectBefore: "ok", subjectAfter: "silent" });
        expect(change?.alert.children).toEqual(["lamp-1", "lamp-2"]);
      });
    });

    describe("scan and restore (reversibility)", () => {
      it("scans each alert and history entry once, whole, in id order, in bounded pages", async () => {
        await populate(store);
        const alertPages = await pagesOf(store.scanAlerts(2));
        expect(alertPages.map((p) => p.length)).toEqual([2, 2, 2]);
        const alerts = alertPages.flat();
        const listed = (await store.list({ limit: 1000 })).reverse();
        expect(alerts).toEqual(listed);
        for (const a of alerts) expect(a).toEqual(await store.get(a.id));
        expect(alerts.some((a) => a.comments.length > 0 && a.children === undefined)).toBe(true);
        expect(alerts.some((a) => a.children?.length === 3)).toBe(true);
        const historyPages = await pagesOf(store.scanHistory(4));
        expect(historyPages.map((p) => p.length)).toEqual([4, 4, 4, 3]);
        expect(historyPages.flat()).toEqual(await store.changes(0, 1000));
        expect(await pagesOf(store.scanAlerts())).toEqual([listed]);
        expect(await pagesOf(store.scanAlerts(6))).toEqual([listed]);
        expect(await pagesOf(store.scanHistory(15))).toEqual([await store.changes(0, 1000)]);
      });

      it("scans an empty store as no pages", async () => {
        expect(await pagesOf(store.scanAlerts(2))).toEqual([]);
        expect(await pagesOf(store.scanHistory())).toEqual([]);
      });

      it("restores page by page into an empty store that then answers as the source", async () => {
        await populate(store);
        let copy = await make();
        try {
          const heard: AlertChange[] = [];
          copy.onChange((c) => heard.push(c));
          for await (const page of store.scanAlerts(2)) await copy.restore(page, []);
          for await (const page of store.scanHistory(4)) await copy.restore([], page);
          expect(heard).toEqual([]);
          expect(await answers(copy)).toEqual(await answers(store));
          if (options.reopen) {
            await copy.close();
            copy = await options.reopen();
            expect(await answers(copy)).toEqual(await answers(store));
          }
          const heardAfter: number[] = [];
          copy.onChange((c) => heardAfter.push(c.id));
          // Ids continue after the restored ones: the same acts give the same answers in both.
          const after = await store.lastChangeId();
          const next = input({ subject: "lamp-9" });
          expect(await copy.raise(next, T0 + 20)).toEqual(await store.raise(next, T0 + 20));
          // A restored active alert is found again: raise is idempotent, clear and reopen reach it.
          const active = (await store.list({ limit: 1000, cleared: false, status: "open" })).map((a) => a.id);
          const lamp1 = await copy.raise(input({ subject: "lamp-1" }), T0 + 21);
          expect(active).toContain(lamp1.id);
          expect(lamp1).toEqual(await store.raise(input({ subject: "lamp-1" }), T0 + 21));
          expect(await copy.clear("lamp-1", lamp1.ruleId, T0 + 22)).toEqual(
            await store.clear("lamp-1", lamp1.ruleId, T0 + 22),
          );
          const lamp2 = input({ subject: "lamp-2", kind: "silence" });
          expect(await copy.raise(lamp2, T0 + 23)).toEqual(await store.raise(lamp2, T0 + 23));
          const cabinet = input({
            subject: "cabinet:arm-1",
            ruleId: "cabinet.down",
            kind: "band",
            children: ["lamp-1", "lamp-2", "lamp-3", "lamp-4"],
          });
          expect(await copy.raise(cabinet, T0 + 24)).toEqual(await store.raise(cabinet, T0 + 24));
          expect(await copy.changes(after, 100)).toEqual(await store.changes(after, 100));
          expect(await answers(copy)).toEqual(await answers(store));
          expect(heardAfter).toEqual((await copy.changes(after, 100)).map((c) => c.id));
        } finally {
          await copy.close();
        }
      });

      it("refuses an id it has, ids not increasing or a second active alert, writing nothing", async () => {
        await populate(store);
        const [alerts = []] = await pagesOf(store.scanAlerts(1000));
        const [history = []] = await pagesOf(store.scanHistory(1000));
        const first = alerts[0];
        const active = alerts.find((a) => a.status !== "closed" && a.clearedAt === undefined);
        const lastId = alerts.at(-1)?.id ?? 0;
        const lastEntry = history.at(-1);
        if (!first || !active || !lastEntry) throw new Error("populate made no alerts");
        const before = await answers(store);
        const fresh = (id: number): Alert => ({
          ...first,
          id,
          status: "closed",
          closedAt: T0,
          closedBy: "x",
        });
        const entry = (id: number): AlertChange => ({ ...lastEntry, id, alertId: lastId + 1 });
        const refusals: [Alert[], AlertChange[]][] = [
          [[first], []],
          [[fresh(lastId + 1), first], []],
          [[fresh(lastId + 2), fresh(lastId + 1)], []],
          [[fresh(lastId + 1), fresh(lastId + 1)], []],
          [[fresh(1.5 + lastId)], []],
          [[{ ...active, id: lastId + 1 }], []],
          [[fresh(lastId + 1)], [history[0] ?? lastEntry]],
          [[fresh(lastId + 1)], [entry(lastEntry.id + 2), entry(lastEntry.id + 1)]],
          [[], [lastEntry]],
        ];
        for (const [a, h] of refusals) {
          expect(await codeOf(store.restore(a, h))).toBe("ERR_ALERT_RESTORE");
        }
        expect(await answers(store)).toEqual(before);
        await store.restore([fresh(lastId + 1)], [entry(lastEntry.id + 1)]);
        expect(await store.get(lastId + 1)).toEqual(fresh(lastId + 1));
        expect(await codeOf(store.restore([fresh(lastId + 1)], []))).toBe("ERR_ALERT_RESTORE");
      });

      it("restores above a store's own ids, with gaps, and continues after the highest", async () => {
        const own = await store.raise(input({ subject: "lamp-1" }), T0);
        const closed: Alert = {
          ...own,
          id: own.id + 6,
          subject: "lamp-7",
          status: "closed",
          closedAt: T0 + 2,
          closedBy: "bob",
          version: 2,
        };
        const record = (id: number, event: "raised" | "closed"): AlertChange => ({
          id,
          alertId: closed.id,
          at: T0 + (event === "raised" ? 1 : 2),
          by: event === "raised" ? "system" : "bob",
          event,
          ...(event === "closed" ? { fromState: "open" as const } : {}),
          toState: event === "raised" ? "open" : "closed",
          alert: event === "raised" ? { ...closed, status: "open", version: 1 } : { ...closed },
          subjectBefore: event === "raised" ? "ok" : "fault",
          subjectAfter: event === "raised" ? "fault" : "ok",
        });
        const own1 = await store.lastChangeId();
        await store.restore([closed], [record(own1 + 9, "raised"), record(own1 + 19, "closed")]);
        expect(await store.get(closed.id)).toEqual(closed);
        expect(await store.lastChangeId()).toBe(own1 + 19);
        expect((await store.changes(own1, 10)).map((c) => c.id)).toEqual([own1 + 9, own1 + 19]);
        expect((await store.changes(own1 + 9, 10)).map((c) => c.id)).toEqual([own1 + 19]);
        expect(await store.changes(own1 + 9, 10)).toEqual([record(own1 + 19, "closed")]);
        expect((await store.history(closed.id)).map((e) => [e.id, e.event, e.fromState])).toEqual([
          [own1 + 9, "raised", undefined],
          [own1 + 19, "closed", "open"],
        ]);
        expect((await store.list({ limit: 10, openAt: T0 + 1 })).map((a) => a.id)).toEqual([
          closed.id,
          own.id,
        ]);
        expect((await store.list({ limit: 10, openAt: T0 + 2 })).map((a) => a.id)).toEqual([own.id]);
        const next = await store.raise(input({ subject: "lamp-7" }), T0 + 3);
        expect(next.id).toBe(closed.id + 1);
        expect(await store.lastChangeId()).toBe(own1 + 20);
        expect((await store.raise(input({ subject: "lamp-1" }), T0 + 4)).id).toBe(own.id);
      });
    });

    if (options.reopen) {
      const reopen = options.reopen;
      it("keeps alerts, comments, history and idempotence across close and start", async () => {
        const a = await store.raise(input({ children: ["lamp-9"] }), T0);
        const b = await store.comment(a.id, "alice", "<b>kept</b>", T0 + 1, 1);
        await store.close();
        store = await reopen();
        expect(await store.get(a.id)).toEqual(b);
        expect(await store.history(a.id)).toHaveLength(2);
        expect((await store.changes(0, 10)).map((c) => c.event)).toEqual(["raised", "commented"]);
        expect((await store.raise(input(), T0 + 2)).id).toBe(a.id);
        const c = await store.raise(input({ subject: "lamp-2" }), T0 + 3);
        expect(c.id).toBeGreaterThan(a.id);
      });
    }
  });
}
