import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Device } from "../../services/domain/types.ts";
import { admin, basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * A concession renewed: the streetlight passed from lumiere-est to eaux-alzette yesterday, and
 * the outgoing operator's archive is imported into the running platform. Each reading is checked
 * at its own time: the days lumiere-est held the lamp are stored under its name, a reading of
 * after the hand-over and a line that is not a reading go to quarantine with their reasons.
 */
const DEVICE = "lum-54521-0003";
const DAY = 86_400_000;
let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform();
  const handover = Date.now() - DAY;
  (t.platform.devices.get(DEVICE) as Device).assignments = [
    { operatorId: "lumiere-est", from: 0, to: handover },
    { operatorId: "eaux-alzette", from: handover },
  ];
}, 60_000);
afterAll(async () => {
  await t?.close();
});

function post(body: string, auth: string, operator = "lumiere-est") {
  return fetch(`${t.apiUrl}/api/v1/archives?operator=${operator}`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/x-ndjson" },
    body,
  });
}

describe("an outgoing operator's archive", () => {
  it("is checked reading by reading at its own time: provenance kept, the rest in quarantine", async () => {
    const line = (msAgo: number) =>
      JSON.stringify({
        device: DEVICE,
        time: new Date(Date.now() - msAgo).toISOString(),
        data: { power_state: "on", status: "ok" },
      });
    // A line over the payload limit (256 KiB by default) is refused like any oversized message.
    const huge = JSON.stringify({
      device: DEVICE,
      time: new Date().toISOString(),
      data: { note: "x".repeat(300_000) },
    });
    const archive = [line(3 * DAY), line(2 * DAY), huge, line(DAY / 2), "pas un relevé", ""].join("\n");
    const res = await post(archive, admin);
    expect(res.status).toBe(200);
    const report = (await res.json()) as Record<string, unknown>;
    expect(report).toMatchObject({ operator: "lumiere-est", lines: 5, accepted: 2, quarantined: 3 });
    expect(Object.keys(report.reasons as object).sort()).toEqual([
      "ERR_DEVICE_NOT_ASSIGNED",
      "ERR_PAYLOAD_SHAPE",
      "ERR_PAYLOAD_TOO_LARGE",
    ]);
    const stored = await t.platform.store.countValues({ deviceIds: [DEVICE], operatorId: "lumiere-est" });
    expect(stored).toBe(4);
    const quarantined = await t.platform.store.listQuarantine({ operatorId: "lumiere-est", limit: 10 });
    expect(quarantined.every((q) => q.source === "archive")).toBe(true);
    expect(quarantined.filter((q) => q.truncated)).toHaveLength(1);
  });

  it("is the administrators' to import, and the import is in the access log", async () => {
    const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
    expect((await post("{}", lumiere)).status).toBe(403);
    await t.platform.accessLog.flush();
    const log = await t.platform.accessLog.read({ action: "import", limit: 10 });
    expect(log.map((e) => [e.who, e.what])).toEqual([
      ["admin", "POST /api/v1/archives?operator=lumiere-est"],
    ]);
  });
});
