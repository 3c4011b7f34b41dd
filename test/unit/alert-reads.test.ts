import { describe, expect, it } from "vitest";
import { createAlertReads } from "../../services/access/alert-reads.ts";
import { MemoryAlertStore } from "../../services/alerts/memory-alert-store.ts";
import type { AlertInput } from "../../services/alerts/types.ts";
import type { Principal } from "../../services/auth/principals.ts";
import type { Device } from "../../services/domain/types.ts";

const HANDOVER = 1_000_000;
/** Held by "a" until HANDOVER, by "b" after. */
const lamp: Device = {
  id: "lamp-1",
  domain: "streetlight",
  contractId: "streetlight",
  ownerId: "owner",
  commune: "57038",
  lat: 49,
  lon: 6,
  attributes: {},
  assignments: [
    { operatorId: "a", from: 0, to: HANDOVER },
    { operatorId: "b", from: HANDOVER },
  ],
};
const operatorA: Principal = { id: "a", role: "operator", operatorId: "a" };
const staff: Principal = { id: "tech", role: "technician" };

function setup(now: number) {
  const store = new MemoryAlertStore();
  const reads = createAlertReads({
    // The policy's rule for operators: pinned to themselves; staff read all.
    policy: { operatorScope: (p) => (p?.role === "operator" ? p.operatorId : undefined) },
    store,
    devices: { get: (id) => (id === lamp.id ? lamp : undefined) },
    clock: { now: () => now },
  });
  return { store, reads };
}

const input = (subject: string, operatorId: string): AlertInput => ({
  ruleId: "r",
  subject,
  severity: "minor",
  domain: "streetlight",
  operatorId,
  detail: "d",
});

describe("alert reads", () => {
  it("shows an operator its device's alert while it holds the device, not after the hand-over", async () => {
    const before = setup(HANDOVER - 1);
    const raised = await before.store.raise(input(lamp.id, "a"), 10);
    expect((await before.reads.list(operatorA, { limit: 10 })).entries.map((a) => a.id)).toEqual([raised.id]);

    const after = setup(HANDOVER + 1);
    const again = await after.store.raise(input(lamp.id, "a"), 10);
    expect((await after.reads.list(operatorA, { limit: 10 })).entries).toEqual([]);
    await expect(after.reads.get(operatorA, again.id)).rejects.toMatchObject({ code: "ERR_ALERT_NOT_FOUND" });
    expect((await after.reads.get(staff, again.id)).operator).toBe("a");
  });

  it("shows a group subject's alert by the operator's name alone", async () => {
    const { store, reads } = setup(5);
    await store.raise(input("gateway:aa55", "a"), 1);
    await store.raise(input("gateway:bb66", "b"), 1);
    const seen = await reads.list(operatorA, { limit: 10 });
    expect(seen.entries.map((a) => a.subject)).toEqual(["gateway:aa55"]);
  });

  it("pages from the store's page, so that filtering does not end the paging early", async () => {
    const { store, reads } = setup(5);
    for (const s of ["g:1", "g:2", "g:3"]) await store.raise(input(s, "b"), 1);
    const page = await reads.list(staff, { limit: 2 });
    expect(page.entries.map((a) => a.subject)).toEqual(["g:3", "g:2"]);
    const rest = await reads.list(staff, { limit: 2, before: page.next ?? 0 });
    expect([rest.entries.map((a) => a.subject), rest.next]).toEqual([["g:1"], null]);
  });

  it("lets only staff act, the staff member being the actor", async () => {
    const { store, reads } = setup(5);
    const raised = await store.raise(input("g:1", "a"), 1);
    await expect(reads.act(operatorA, raised.id, { kind: "acknowledge", version: 1 })).rejects.toMatchObject({
      code: "ERR_FORBIDDEN",
    });
    const done = await reads.act(staff, raised.id, { kind: "acknowledge", version: 1 });
    expect([done.acknowledgedBy, done.timeToAcknowledgeS]).toEqual(["tech", 0.004]);
  });
});
