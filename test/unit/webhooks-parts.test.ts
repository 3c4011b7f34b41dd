import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backoffDelay } from "../../services/alerts/sinks/backoff.ts";
import { readCursor, writeCursor } from "../../services/alerts/sinks/cursor-file.ts";
import { alertEvent, webhookBody } from "../../services/alerts/sinks/payload.ts";
import { signBody } from "../../services/alerts/sinks/signature.ts";
import type { AlertChange } from "../../services/alerts/types.ts";

const dir = mkdtempSync(join(tmpdir(), "lanterne-webhooks-parts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("webhook signature", () => {
  it("is the hex HMAC-SHA256 of timestamp, dot, body", () => {
    const body = '{"delivery":"7"}';
    const expected = createHmac("sha256", "s3cret-s3cret-s3cret").update(`1780000000.${body}`).digest("hex");
    expect(signBody("s3cret-s3cret-s3cret", "1780000000", body)).toBe(`sha256=${expected}`);
    expect(signBody("s3cret-s3cret-s3cret", "1780000001", body)).not.toBe(`sha256=${expected}`);
  });
});

describe("webhook backoff", () => {
  const config = { initialMs: 1_000, maxMs: 300_000 };
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [9, 256_000],
    [10, 300_000],
    [1_000, 300_000],
  ])("after %i failures waits at most %i ms, at least half of it", (failures, ceiling) => {
    expect(backoffDelay(failures, config, () => 0.999_999)).toBe(ceiling);
    expect(backoffDelay(failures, config, () => 0)).toBe(ceiling / 2);
  });
});

describe("webhook cursor file", () => {
  it("reads what was written, and nothing when there is no file", async () => {
    const path = join(dir, "cursors", "gmao.cursor");
    expect(await readCursor(path)).toBeUndefined();
    await writeCursor(path, 41);
    await writeCursor(path, 42);
    expect(await readCursor(path)).toBe(42);
    expect(readdirSync(join(dir, "cursors"))).toEqual(["gmao.cursor"]);
  });

  it.each([["not json"], ['{"after":-1}'], ['{"after":"12"}'], ["{}"]])("refuses %s", async (text) => {
    const path = join(dir, "broken.cursor");
    writeFileSync(path, text);
    await expect(readCursor(path)).rejects.toMatchObject({ code: "ERR_WEBHOOK_CURSOR" });
  });
});

describe("webhook body", () => {
  const change: AlertChange = {
    id: 12,
    alertId: 3,
    at: Date.UTC(2026, 5, 1, 8),
    by: "system",
    event: "cleared",
    fromState: "open",
    toState: "cleared",
    subjectBefore: "fault",
    subjectAfter: "ok",
    alert: {
      id: 3,
      ruleId: "lamp-out",
      subject: "lum-57038-0002",
      severity: "major",
      domain: "streetlight",
      detail: "lamp out",
      status: "open",
      openedAt: Date.UTC(2026, 5, 1, 7),
      clearedAt: Date.UTC(2026, 5, 1, 8),
      comments: [],
      version: 2,
    },
  };

  it("carries the live stream's alert and device events", () => {
    expect(webhookBody(change)).toEqual({
      delivery: "12",
      event: "alert.cleared",
      change: alertEvent(change),
      device: {
        subject: "lum-57038-0002",
        state: "ok",
        previous: "fault",
        at: "2026-06-01T08:00:00.000Z",
        alert: 3,
        children: [],
      },
    });
    expect(webhookBody(change).change).toMatchObject({ id: 12, event: "cleared", fromState: "open" });
  });

  it("has no device part when the subject's state did not move", () => {
    expect(webhookBody({ ...change, subjectBefore: "ok" }).device).toBeNull();
  });
});
