import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scorecardTable } from "../../services/clauses/scorecard-table.ts";
import { tableSchema } from "../../services/opendata/formats/index.ts";
import { readWithSchema } from "../helpers/open-formats.ts";
import {
  admin,
  basic,
  DEMO_SECRETS,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The data clauses on the real platform: readings an operator sends reach its scorecard through
 * the delivery ledger; each operator reads its own; the CSV reads back against its Table Schema;
 * the exemption register is public and only administrators write it; the breach record runs the
 * 72-hour clock; a day under target raises a notice the operator sees.
 */
let t: TestPlatform;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
const today = new Date().toISOString().slice(0, 10);
const DAY = 86_400_000;

interface Card {
  operatorId: string;
  contractId: string | null;
  completeness: { received: number; expected: number; ratio: number | null };
  timeliness: { readings: number; onTime: number; promisedMs: number | null };
  conformity: { quarantined: number; droppedValues: number; reasons: { code: string }[] };
  breaches: { measure: string; exempted: boolean }[];
}

async function get(path: string, auth?: string) {
  const res = await fetch(`${t.apiUrl}${path}`, auth ? { headers: { authorization: auth } } : {});
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

async function send(method: string, path: string, body: unknown, auth: string) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function cards(auth: string, query = ""): Promise<Card[]> {
  const res = await get(`/api/v1/scorecards?period=${today}${query}`, auth);
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { scorecards: Card[] }).scorecards;
}

beforeAll(async () => {
  t = await startTestPlatform();
  const time = new Date(Date.now() - 60_000).toISOString();
  const lamps = Array.from({ length: 12 }, (_, i) =>
    reading(`lum-57038-${String(i + 1).padStart(4, "0")}`, { power_state: "on", status: "ok" }, time),
  );
  lamps.push(reading("lum-57038-0013", { power_state: "on", status: "ok", active_power_w: 99_999 }, time));
  lamps.push(reading("lum-99999-9999", { power_state: "on" }, time));
  const res = await send("POST", "/api/v1/readings", { readings: lamps }, lumiere);
  expect(res.body.accepted).toBe(13);
  // The ledger adds what was made durable every few seconds: at once here.
  await t.platform.deliveries.flush();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("compliance scorecards", () => {
  it("counts what the operator delivered, how late, and what was refused, by reason", async () => {
    const all = await cards(admin);
    const streetlight = all.find(
      (c) => c.operatorId === "lumiere-est" && c.contractId === "ccphva-streetlight",
    );
    expect(streetlight?.timeliness).toMatchObject({ readings: 13, onTime: 13, promisedMs: 300_000 });
    expect(streetlight?.completeness.expected).toBeGreaterThan(13);
    expect(streetlight?.conformity.droppedValues).toBe(1);
    expect(streetlight?.breaches.map((b) => b.measure)).toContain("completeness");
    const unknown = all.find((c) => c.operatorId === "lumiere-est" && c.contractId === null);
    expect(unknown?.conformity.quarantined).toBe(1);
    expect(unknown?.conformity.reasons.map((r) => r.code)).toEqual(["ERR_DEVICE_UNKNOWN"]);
  });

  it("shows an operator its own cards only, and nobody's to the public", async () => {
    const own = await cards(eaux, "&operator=lumiere-est");
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((c) => c.operatorId === "eaux-alzette")).toBe(true);
    expect((await get(`/api/v1/scorecards?period=${today}`)).status).toBe(401);
    expect((await get(`/api/v1/scorecards?period=2026-13`, admin)).status).toBe(400);
  });

  it("writes a CSV that reads back against its Table Schema", async () => {
    const res = await get(`/api/v1/scorecards?period=${today}&operator=lumiere-est&format=csv`, technician);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    const rows = await readWithSchema(res.text, tableSchema(scorecardTable([])));
    const row = rows.find((r) => r.operator === "lumiere-est" && r.contract === "ccphva-streetlight");
    expect(row?.received_readings).toBe(13);
    expect(row?.promised_latency_s).toBe(300);
    expect(rows.every((r) => r.operator === "lumiere-est")).toBe(true);
  });
});

describe("compliance notices", () => {
  it("raises a breach of the day's targets as an alert its operator sees, and no other", async () => {
    const dayStart = Math.floor(Date.now() / DAY) * DAY;
    await t.platform.deliveries.flush();
    await t.platform.complianceWatch.judge(dayStart, Date.now());
    const alerts = async (auth: string) => {
      const res = await get("/api/v1/alerts?rule=platform/compliance-breach&limit=100", auth);
      expect(res.status).toBe(200);
      return (JSON.parse(res.text) as { entries: { subject: string; operatorId?: string; detail: string }[] })
        .entries;
    };
    const mine = await alerts(lumiere);
    expect(mine.map((a) => a.subject)).toContain("compliance:lumiere-est/ccphva-streetlight");
    expect(mine.every((a) => a.subject.startsWith("compliance:lumiere-est/"))).toBe(true);
    expect(mine[0]?.detail).toMatch(/complétude/);
    const staff = await alerts(admin);
    expect(staff.some((a) => a.subject.startsWith("compliance:eaux-alzette/"))).toBe(true);
  });
});

describe("the exemption register", () => {
  const exemption = {
    contractId: "ccphva-streetlight",
    operatorId: "lumiere-est",
    obligation: "completeness",
    fields: [],
    reason: "Remplacement des luminaires du secteur nord : relevés interrompus pendant les travaux.",
    decision: "Délibération 2026-041",
    decidedAt: new Date(Date.now() - 2 * DAY).toISOString(),
    from: new Date(Date.now() - 2 * DAY).toISOString(),
    to: new Date(Date.now() + 5 * DAY).toISOString(),
  };

  it("is written by administrators only, read by everyone, and excuses the breach", async () => {
    expect((await send("POST", "/api/v1/exemptions", exemption, lumiere)).status).toBe(403);
    expect((await send("POST", "/api/v1/exemptions", exemption, technician)).status).toBe(403);
    const created = await send("POST", "/api/v1/exemptions", exemption, admin);
    expect(created.status).toBe(201);
    const list = JSON.parse((await get("/api/v1/exemptions?contract=ccphva-streetlight")).text);
    expect(list.exemptions).toHaveLength(1);
    expect(list.exemptions[0]).toMatchObject({
      decision: "Délibération 2026-041",
      obligation: "completeness",
    });
    expect(list.exemptions[0].createdBy).toBeUndefined();
    const card = (await cards(admin, "&operator=lumiere-est")).find(
      (c) => c.contractId === "ccphva-streetlight",
    );
    expect(card?.breaches.find((b) => b.measure === "completeness")?.exempted).toBe(true);
    // An exempted breach is no breach: the day judged again clears the operator's notice.
    await t.platform.complianceWatch.judge(Math.floor(Date.now() / DAY) * DAY, Date.now());
    const subject = "compliance:lumiere-est/ccphva-streetlight";
    const notice = await get(`/api/v1/alerts?rule=platform/compliance-breach&subject=${subject}`, admin);
    expect(JSON.parse(notice.text).entries[0]?.clearedAt).toBeTruthy();
    const revoked = await send(
      "POST",
      `/api/v1/exemptions/${created.body.id}/revoke`,
      { reason: "Travaux terminés plus tôt que prévu." },
      admin,
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokeReason).toBe("Travaux terminés plus tôt que prévu.");
  });

  it("refuses an exemption without its decision, with a period that ends before it starts, or for no contract", async () => {
    const noDecision = await send("POST", "/api/v1/exemptions", { ...exemption, decision: "" }, admin);
    expect(noDecision.status).toBe(400);
    const backwards = await send(
      "POST",
      "/api/v1/exemptions",
      { ...exemption, to: exemption.decidedAt, from: exemption.to },
      admin,
    );
    expect(backwards.body.code).toBe("ERR_EXEMPTION_INVALID");
    const unknown = await send(
      "POST",
      "/api/v1/exemptions",
      { ...exemption, contractId: "ccphva-traffic" },
      admin,
    );
    expect(unknown.body.code).toBe("ERR_BAD_REQUEST");
  });
});

describe("the personal-data breach record", () => {
  it("starts the 72-hour clock and keeps every change", async () => {
    const awareAt = Date.now() - 3_600_000;
    const opened = await send(
      "POST",
      "/api/v1/breaches",
      {
        awareAt: new Date(awareAt).toISOString(),
        description: "Export des pesées par foyer envoyé à une mauvaise adresse.",
        contractIds: ["ccphva-waste-container"],
        fields: [],
      },
      admin,
    );
    expect(opened.status).toBe(201);
    expect(opened.body.dueAt).toBe(awareAt + 72 * 3_600_000);
    expect(opened.body.deadlines).toMatchObject({ authority: { overdue: false } });
    const notified = await send(
      "PATCH",
      `/api/v1/breaches/${opened.body.id}`,
      { notifiedAuthorityAt: new Date().toISOString(), note: "Notification CNIL n° 42" },
      admin,
    );
    expect(notified.body).toMatchObject({ status: "notified" });
    expect(notified.body.history).toHaveLength(1);
    expect((await get("/api/v1/breaches", technician)).status).toBe(403);
    expect((await get("/api/v1/breaches", lumiere)).status).toBe(403);
    expect((await send("PATCH", "/api/v1/breaches/999", { note: "x" }, admin)).status).toBe(404);
  });
});
