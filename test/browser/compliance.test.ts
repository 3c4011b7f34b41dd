import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  focused,
  launchBrowser,
  logInThroughForm,
  newPage,
  severeViolations,
} from "../helpers/browser.ts";
import {
  admin,
  basic,
  DEMO_SECRETS,
  eventually,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

/**
 * The compliance pages in a real browser against the whole platform: the scorecards of a month
 * with data as the API gives them (readings posted over HTTP by two demo operators feed the
 * delivery ledger), the CSV download, the trend chart with its alt text, an operator's own cards
 * only, the monthly report in French sentences, axe-core clean and no CSP violation.
 */

const available = chromiumAvailable();
const MINUTE = 60_000;
const NOW = Date.now();
const monthStart = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth(), 1);
// Readings inside the current month, the newest a minute ago (or just after the month began).
const LAST = Math.max(monthStart + 20 * MINUTE, NOW - MINUTE);
const MONTH = new Date(LAST).toISOString().slice(0, 7);
const HOSTILE = "<img src=x onerror=alert(1)>";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const collecte = basic("collecte-nord", DEMO_SECRETS["collecte-nord"]);

const lampReadings = ["lum-57038-0001", "lum-57038-0002"].flatMap((device) =>
  Array.from({ length: 4 }, (_, k) => ({
    device,
    time: LAST - k * 15 * MINUTE,
    data: { power_state: "on", status: "ok", energy_kwh: 100 + k },
  })),
);
const wasteReadings = Array.from({ length: 3 }, (_, k) => ({
  device: "pav-54521-002",
  time: LAST - k * 30 * MINUTE,
  data: { filling_level: 0.5 },
}));

interface Card {
  operatorId: string;
  contractId: string | null;
  timeliness: { readings: number };
  conformity: { quarantined: number };
}

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];

async function post(auth: string, readings: unknown[]): Promise<void> {
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({ readings }),
  });
  expect(res.status).toBeLessThan(300);
}

async function cards(auth = admin): Promise<Card[]> {
  const res = await fetch(`${t.apiUrl}/api/v1/scorecards?period=${MONTH}`, {
    headers: { authorization: auth },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { scorecards: Card[] }).scorecards;
}

async function logIn(next: string, who: "admin" | "collecte-nord" = "admin"): Promise<void> {
  await logInThroughForm(page, t.apiUrl, {
    kind: who === "admin" ? "staff" : "operator",
    identifier: who,
    secret: DEMO_SECRETS[who],
    path: `/connexion?next=${encodeURIComponent(next)}`,
  });
  await page.waitForURL((url) => `${url.pathname}${url.search}` === next);
}

async function rowHeaders(): Promise<string[]> {
  return (await page.locator("#scorecards tbody th").allTextContents()).map((s) => s.trim());
}

describe.skipIf(!available)("the compliance pages", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    await post(lumiere, lampReadings);
    await post(collecte, wasteReadings);
    // A lamp's state of the wrong type: refused, quarantined, counted against conformity.
    await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      headers: { authorization: lumiere, "content-type": "application/json" },
      body: JSON.stringify({
        readings: [{ device: "lum-57038-0003", time: LAST, data: { power_state: 42 } }],
      }),
    });
    // An exemption whose decision holds markup: shown as text.
    const exemption = await fetch(`${t.apiUrl}/api/v1/exemptions`, {
      method: "POST",
      headers: { authorization: admin, "content-type": "application/json" },
      body: JSON.stringify({
        contractId: "ccphva-waste-container",
        operatorId: "collecte-nord",
        obligation: "latency",
        reason: "Passerelles remplacées.",
        decision: `Délibération ${HOSTILE}`,
        decidedAt: new Date(monthStart).toISOString(),
        from: new Date(monthStart).toISOString(),
      }),
    });
    expect(exemption.status).toBe(201);
    // The delivery ledger is flushed every 5 s.
    await eventually(async () => {
      const got = await cards();
      const has = (op: string) => got.some((c) => c.operatorId === op && c.timeliness.readings > 0);
      const refused = got.some((c) => c.operatorId === "lumiere-est" && c.conformity.quarantined > 0);
      return has("lumiere-est") && has("collecte-nord") && refused;
    }, 30_000);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    ({ context, page, cspErrors } = await newPage(browser));
  });
  afterEach(async () => {
    await context?.close();
  });

  it("lists every operator's scorecards of the month for an administrator, with the CSV and the chart", async () => {
    await logIn(`/conformite?periode=${MONTH}`);
    await page.locator("#scorecards").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Conformité des opérateurs aux clauses de données");
    expect(await page.locator('#shell nav a[aria-current="page"]').textContent()).toBe("Conformité");
    const api = await cards();
    expect(await page.locator("#scorecards tbody tr").count()).toBe(api.length);
    const shown = await rowHeaders();
    expect(shown).toEqual(expect.arrayContaining(["lumiere-est", "collecte-nord"]));
    expect(new Set(shown)).toEqual(new Set(api.map((c) => c.operatorId)));
    expect(await page.locator("#scorecards caption").textContent()).toContain(
      new Intl.DateTimeFormat("fr-FR", { month: "long", year: "numeric", timeZone: "UTC" }).format(
        Date.parse(`${MONTH}-01`),
      ),
    );
    expect(await page.locator("#scorecards thead th[scope=col]").count()).toBe(9);
    // Each measure is against its target, written out.
    const lamps = page
      .locator("#scorecards tbody tr")
      .filter({ has: page.locator("th", { hasText: "lumiere-est" }) });
    expect(await lamps.first().textContent()).toMatch(/objectif 95\s%/);

    const href = await page.locator("#download-csv").getAttribute("href");
    expect(href).toBe(`/api/v1/scorecards?period=${MONTH}&format=csv`);
    const csv = await context.request.get(`${t.apiUrl}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
    expect(await csv.text()).toContain("lumiere-est");

    const image = page.locator("#chart-image");
    await image.waitFor();
    expect((await image.getAttribute("alt"))?.length ?? 0).toBeGreaterThan(20);
    const loaded = `(() => { const i = document.getElementById("chart-image"); return i.complete ? i.naturalWidth : 0; })()`;
    await expect.poll(() => page.evaluate(loaded)).toBeGreaterThan(0);
    const src = (await image.getAttribute("src")) ?? "";
    const png = await context.request.get(`${t.apiUrl}${src}`);
    expect(png.headers()["content-type"]).toBe("image/png");
    expect(decodeURIComponent(png.headers()["x-alt-text"] ?? "")).toBe(await image.getAttribute("alt"));
    expect(await page.locator("#trend-table tbody tr").count()).toBe(12);

    expect(await page.locator("#violations-link").getAttribute("href")).toBe("/api/v1/violations");
    expect(await severeViolations(page)).toEqual([]);

    await page.goto(`${t.apiUrl}/compliance?periode=${MONTH}`);
    await page.locator("#chart-image").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Operators' compliance with the data clauses");
    expect(await page.locator("#chart-image").getAttribute("alt")).toMatch(/^Line chart of the completeness/);
    expect(await page.locator("#scorecards tbody tr").count()).toBe(api.length);
    expect(await severeViolations(page)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });

  it("opens the reasons' disclosure and reaches the form by keyboard with a visible focus", async () => {
    await logIn(`/conformite?periode=${MONTH}`);
    await page.locator("#scorecards").waitFor();
    const reached: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      const now = await focused(page);
      const id = String(await page.evaluate("document.activeElement.id"));
      expect(now.outline, `${now.tag} ${id} ${now.text}`).toBeGreaterThan(0);
      reached.push(id);
      if (now.tag === "BUTTON" && now.text === "Afficher") break;
    }
    expect(reached).toEqual(expect.arrayContaining(["period-kind", "period-month", "operator", "contract"]));
    const summary = page.locator("details.reasons summary").first();
    await summary.focus();
    await page.keyboard.press("Enter");
    expect(await page.locator("details.reasons").first().getAttribute("open")).toBe("");
    expect(await page.locator("details.reasons li").first().textContent()).toMatch(
      /^ERR_[A-Z_]+ \(message en quarantaine\) : 1$/,
    );
    await page.locator("#period-kind").selectOption("year");
    expect(await page.locator("#period-year").isVisible()).toBe(true);
    expect(await page.locator("#period-month").isVisible()).toBe(false);
    await page.locator("#period-year").fill(MONTH.slice(0, 4));
    await page.locator("#compliance-form button[type=submit]").click();
    await expect
      .poll(() => page.locator("#download-csv").getAttribute("href"))
      .toContain(`period=${MONTH.slice(0, 4)}&`);
    await page.locator("#scorecards").waitFor();
    expect(cspErrors).toEqual([]);
  });

  it("shows an operator its own scorecards only, without the operator filter", async () => {
    await logIn(`/conformite?periode=${MONTH}`, "collecte-nord");
    await page.locator("#scorecards").waitFor();
    const shown = await rowHeaders();
    expect(shown.length).toBeGreaterThan(0);
    expect(new Set(shown)).toEqual(new Set(["collecte-nord"]));
    expect(await page.locator("#operator").isVisible()).toBe(false);
    expect(await page.locator("#scorecards").textContent()).toContain(`Délibération ${HOSTILE}`);
    expect(await page.locator("#scorecards img").count()).toBe(0);
    const image = page.locator("#chart-image");
    await image.waitFor();
    expect(await image.getAttribute("alt")).toContain("collecte-nord");
    expect(await page.locator("#quarantine-link").getAttribute("href")).toBe("/equipements?vue=quarantaine");
    expect(await severeViolations(page)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });

  it("writes the monthly report in French sentences, and in English", async () => {
    await logIn(`/conformite/rapport?mois=${MONTH}`);
    const report = page.locator("#report");
    await report.locator("h3").first().waitFor();
    const month = new Intl.DateTimeFormat("fr-FR", {
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    }).format(Date.parse(`${MONTH}-01`));
    const text = (await report.textContent()) ?? "";
    expect(text).toContain(`En ${month}, lumiere-est a transmis`);
    expect(text).toMatch(
      /des relevés promis pour le contrat « Éclairage public — points lumineux \(ccphva-streetlight\) » \(objectif 95\s%\)/,
    );
    expect(text).toContain(`En ${month}, collecte-nord a transmis`);
    expect(text).toMatch(/Dérogations en vigueur en/);
    expect(text).toContain(`Délibération ${HOSTILE} : contrat « Déchets`);
    expect(await report.locator("img").count()).toBe(0);
    expect(await report.locator(".report-operator h3").allTextContents()).toEqual(
      expect.arrayContaining(["lumiere-est", "collecte-nord"]),
    );
    expect(await severeViolations(page)).toEqual([]);
    await page.goto(`${t.apiUrl}/compliance/report?mois=${MONTH}`);
    await page.locator("#report h3").first().waitFor();
    expect(await page.locator("#report").textContent()).toContain("lumiere-est delivered");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await severeViolations(page)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
