import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ProcessingRegister } from "../../services/clauses/processing-register.ts";
import type { SobrietyReport } from "../../services/clauses/sobriety.ts";
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
  reading,
  startTestPlatform,
  type TestPlatform,
} from "../helpers/platform.ts";

/**
 * The sobriety page (`/sobriete`, `/sobriety`) in a real browser against the whole platform: the
 * year's report per contract as the API gives it (a section per contract, the months as a table),
 * the processing register with its CSV, both languages, an operator refused in words, axe-core
 * clean, no CSP violation, the form and the download reached by keyboard, data shown as text.
 */
const available = chromiumAvailable();
const YEAR = new Date().getUTCFullYear();
const HOSTILE = "<img src=x onerror=alert(1)>";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const LAMPS = ["lum-57038-0001", "lum-57038-0002"];

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${t.apiUrl}${path}`, { headers: { authorization: admin } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
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

describe.skipIf(!available)("the sobriety page", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    const time = new Date(Date.now() - 60_000).toISOString();
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      headers: { authorization: lumiere, "content-type": "application/json" },
      body: JSON.stringify({
        readings: LAMPS.map((d) => reading(d, { power_state: "on", status: "ok", colour: "blue" }, time)),
      }),
    });
    expect(res.status).toBeLessThan(300);
    await t.platform.deliveries.flush();
    // A file whose name is markup, in the data folder the footprint lists: shown as text.
    writeFileSync(join(t.dataDir, HOSTILE), "x");
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

  it("shows the year's report per contract and the processing register, in French and English", async () => {
    await logIn(`/sobriete?annee=${YEAR}`);
    await page.locator("#report h2").waitFor();
    await page.locator("#register-table").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Sobriété des données et registre des traitements");
    expect(await page.locator('#shell nav a[aria-current="page"]').textContent()).toBe("Sobriété et RGPD");
    const report = await api<SobrietyReport>(`/api/v1/reports/sobriety?year=${YEAR}`);
    expect(await page.locator("#report section.sobriety-contract").count()).toBe(report.contracts.length);
    const lamp = report.contracts.find((c) => c.contractId === "ccphva-streetlight");
    expect(lamp?.readings.total).toBe(LAMPS.length);
    const lampSection = page.locator("section.sobriety-contract").filter({ hasText: "ccphva-streetlight" });
    const months = lampSection.locator("table").nth(1);
    expect(await months.locator("tbody tr").count()).toBe(12);
    expect(await months.locator("tfoot td").textContent()).toBe(String(LAMPS.length));
    expect(await lampSection.textContent()).toContain(`${LAMPS.length} valeurs de champs non déclarés`);
    expect(await lampSection.locator("caption").first().textContent()).toContain("Champs collectés");

    const register = await api<ProcessingRegister>("/api/v1/personal-data/register");
    expect(await page.locator("#register-table tbody tr").count()).toBe(register.entries.length);
    expect(await page.locator("#register-table tbody").textContent()).toContain("presence_count");
    expect(await page.locator("#register-table tbody").textContent()).toContain("(par défaut)");
    const href = (await page.locator("#register-csv").getAttribute("href")) ?? "";
    const csv = await context.request.get(`${t.apiUrl}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
    expect(await csv.text()).toContain("presence_count");

    // The hostile file name is text in the footprint's table, never an element.
    expect(await page.locator("#report code", { hasText: HOSTILE }).count()).toBe(1);
    expect(await page.locator("#report img").count()).toBe(0);
    expect(await severeViolations(page)).toEqual([]);

    await page.goto(`${t.apiUrl}/sobriety?annee=${YEAR}`);
    await page.locator("#register-table").waitFor();
    await page.locator("#report h2").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Data sobriety and processing register");
    expect(await page.locator("#report h2").textContent()).toBe(`Sobriety report for ${YEAR}`);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await severeViolations(page)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });

  it("shows another year on request and reaches the form and the download by keyboard", async () => {
    await logIn("/sobriete");
    await page.locator("#report h2").waitFor();
    expect(await page.locator("#annee").inputValue()).toBe(String(YEAR));
    const reached: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      const now = await focused(page);
      expect(now.outline, `${now.tag} ${now.text}`).toBeGreaterThan(0);
      reached.push(`${now.tag}:${now.text}`);
      if (now.text === "Télécharger le registre (CSV)") break;
    }
    expect(reached).toContain("INPUT:");
    expect(reached).toContain("BUTTON:Afficher");
    expect(reached).toContain("A:Télécharger le registre (CSV)");
    await page.locator("#annee").fill(String(YEAR - 1));
    await page.locator("#year-form button[type=submit]").click();
    await page.locator("#report h2", { hasText: String(YEAR - 1) }).waitFor();
    expect(page.url()).toContain(`annee=${YEAR - 1}`);
    await page.locator("#annee").fill("abc");
    await page.locator("#year-form button[type=submit]").click();
    expect(await page.locator("#annee").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#status").textContent()).toMatch(/année sur quatre chiffres/);
    expect(cspErrors).toEqual([]);
  });

  it("tells an operator in words that the page is for staff", async () => {
    await logIn("/sobriete", "collecte-nord");
    await page.locator("#status", { hasText: "réservé" }).waitFor();
    expect(await page.locator("#register-body").textContent()).toMatch(/réservé aux administrateurs/);
    expect(await page.locator("#register-table").count()).toBe(0);
    expect(await severeViolations(page)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
