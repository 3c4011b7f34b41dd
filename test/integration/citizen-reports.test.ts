import { check } from "@placemarkio/check-geojson";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CITIZEN_REPORT } from "../../services/reports/citizen-reports.ts";
import {
  admin,
  basic,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

/**
 * Residents' reports on the real platform: a report opens a case in the alert desk; a second
 * report joins it; the sensors' alert raised later on the same lamp absorbs it (one case, not
 * two); the public map shows the asset's case with its dates and nothing private; limits and bad
 * input get coded answers.
 */

let t: TestPlatform;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const LAMP = "lum-57038-0007";
const OTHER = "lum-57038-0008";

async function report(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.apiUrl}/opendata/reports`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function alertsOf(subject: string) {
  const res = await fetch(`${t.apiUrl}/api/v1/alerts?subject=${subject}&limit=20`, {
    headers: { authorization: admin },
  });
  return (
    (await res.json()) as {
      entries: Array<{
        id: number;
        rule: string;
        status: string;
        comments: Array<{ author: string; text: string }>;
      }>;
    }
  ).entries;
}

interface PublicOutage {
  asset: string;
  status: string;
  since: string;
  reported_by_residents: boolean;
  detected_by_sensors: boolean;
}

async function outages(): Promise<PublicOutage[]> {
  return ((await (await fetch(`${t.apiUrl}/opendata/outages`)).json()) as { outages: PublicOutage[] })
    .outages;
}

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

describe("residents' reports", () => {
  it("lists what may be reported and an asset's public identity", async () => {
    const categories = (await (await fetch(`${t.apiUrl}/opendata/reports/categories`)).json()) as {
      domains: Array<{ domain: string; categories: Array<{ id: string }> }>;
    };
    expect(categories.domains.map((d) => d.domain).sort()).toEqual(["streetlight", "waste_container"]);
    const asset = (await (await fetch(`${t.apiUrl}/opendata/assets/${LAMP}`)).json()) as Record<
      string,
      unknown
    >;
    expect(asset).toMatchObject({
      asset: LAMP,
      domain: "streetlight",
      commune: "57038",
      commune_name: "Audun-le-Tiche",
    });
    expect(JSON.stringify(asset)).not.toContain("lumiere-est");
    // A water-pressure sensor takes no reports: not a public asset here.
    expect((await fetch(`${t.apiUrl}/opendata/assets/pre-54521-001`)).status).toBe(404);
  });

  it("opens one case for a report, joins a second to it, and shows it on the public map", async () => {
    const first = await report(
      { asset: LAMP, category: "eteint-la-nuit" },
      { "x-forwarded-for": "192.0.2.1" },
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ asset: LAMP, status: "open", merged: false });
    const second = await report({ asset: LAMP, category: "endommage" });
    expect(second.body.reference).toBe(first.body.reference);
    const cases = (await alertsOf(LAMP)).filter((a) => a.status !== "closed");
    expect(cases.map((a) => a.rule)).toEqual([CITIZEN_REPORT]);
    expect(cases[0]?.comments.map((c) => c.author)).toEqual(["habitant"]);
    const mine = (await outages()).find((o) => o.asset === LAMP);
    expect(mine).toMatchObject({ status: "out", reported_by_residents: true, detected_by_sensors: false });
    const geojson = await (await fetch(`${t.apiUrl}/opendata/outages.geojson`)).text();
    expect(check(geojson)).toBeTruthy();
    expect(geojson).not.toContain("lumiere-est");
  });

  it("folds the resident's case into the sensors' alert raised later on the same lamp", async () => {
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      body: JSON.stringify({ readings: [reading(LAMP, { power_state: "on", status: "defectiveLamp" })] }),
      headers: { "content-type": "application/json", authorization: lumiere },
    });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const open = (await alertsOf(LAMP)).filter((a) => a.status !== "closed");
      const noted = open[0]?.comments.some((c) => c.author === "habitant" && c.text.includes("Déjà signalé"));
      return open.length === 1 && open[0]?.rule === "ccphva-streetlight/lamp-defective" && noted === true;
    });
    const all = await alertsOf(LAMP);
    const sensor = all.find((a) => a.rule === "ccphva-streetlight/lamp-defective");
    expect(sensor?.comments.some((c) => c.author === "habitant" && c.text.includes("Déjà signalé"))).toBe(
      true,
    );
    expect(all.find((a) => a.rule === CITIZEN_REPORT)?.status).toBe("closed");
    const mine = (await outages()).filter((o) => o.asset === LAMP);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: "out", reported_by_residents: true, detected_by_sensors: true });
    // A report now joins the sensors' case.
    const again = await report(
      { asset: LAMP, category: "eteint-la-nuit" },
      { "x-forwarded-for": "192.0.2.2" },
    );
    expect(again.body).toMatchObject({ reference: sensor?.id, merged: true });
  });

  it("counts the outage in the live public figures, as a snapshot and as a stream", async () => {
    interface Live {
      domains: Array<{
        domain: string;
        assets: number;
        outages: number;
        communes: Array<{ commune: string; outages: number; assets: number }>;
      }>;
    }
    const live = (await (await fetch(`${t.apiUrl}/opendata/live.json`)).json()) as Live;
    const lights = live.domains.find((d) => d.domain === "streetlight");
    expect(lights?.assets).toBe(t.platform.devices.list({ domain: "streetlight" }).length);
    expect(lights?.communes.find((c) => c.commune === "57038")?.outages).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(live)).not.toMatch(/lum-\d{5}-\d{4}|lumiere-est/);
    const source = new EventSource(`${t.apiUrl}/opendata/live`);
    try {
      const first = await new Promise<Live>((resolve, reject) => {
        source.addEventListener("figures", (e) => resolve(JSON.parse(e.data) as Live));
        source.onerror = () => reject(new Error("stream failed"));
      });
      expect(first.domains.map((d) => d.domain)).toEqual(live.domains.map((d) => d.domain));
    } finally {
      source.close();
    }
  });

  it("refuses bad input with coded answers and limits one address", async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ asset: LAMP, category: "plein" }, 400, "ERR_BAD_REQUEST"],
      [{ asset: "lum-99999-0001", category: "eteint-la-nuit" }, 404, "ERR_NOT_FOUND"],
      [{ asset: "pre-54521-001", category: "eteint-la-nuit" }, 400, "ERR_BAD_REQUEST"],
      [{ asset: "<script>", category: "eteint-la-nuit" }, 400, "FST_ERR_VALIDATION"],
      [{ asset: LAMP, category: "eteint-la-nuit", name: "Jean Dupont" }, 400, "FST_ERR_VALIDATION"],
    ];
    for (const [body, status, code] of cases) {
      const res = await report(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(String(res.body.code)).toMatch(
        code === "FST_ERR_VALIDATION" ? /^(FST_ERR_VALIDATION|ERR_BAD_REQUEST)$/ : new RegExp(`^${code}$`),
      );
    }
    let last = 0;
    for (let i = 0; i < 8 && last !== 429; i++)
      last = (await report({ asset: OTHER, category: "endommage" })).status;
    expect(last).toBe(429);
    const throttled = await report({ asset: OTHER, category: "endommage" });
    expect(throttled.body.code).toBe("ERR_REPORT_THROTTLED");
  });
});
