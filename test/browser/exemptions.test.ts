import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chromiumAvailable, launchBrowser, newPage, severeViolations } from "../helpers/browser.ts";
import { admin, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The public register of exemptions, in a real browser against the whole platform: an exemption
 * an administrator registers is listed for everyone, with its decision, period and reason as
 * text (markup in a reason stays text); a revoked one says so; French and English; axe and the
 * CSP as elsewhere; the catalogue links to it.
 */
const available = chromiumAvailable();
const DAY = 86_400_000;
const HOSTILE = 'Travaux du secteur nord <img src="x" onerror="window.__injected = 1">';

const t: TestPlatform | undefined = available ? await startTestPlatform() : undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];

function platform(): TestPlatform {
  if (!t) throw new Error("no platform");
  return t;
}

async function post(path: string, body: unknown) {
  const res = await fetch(`${platform().apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: admin, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { id: number };
}

describe.skipIf(!available)("the public register of exemptions", () => {
  beforeAll(async () => {
    browser = await launchBrowser();
    const now = Date.now();
    const base = {
      contractId: "ccphva-streetlight",
      fields: [],
      decidedAt: new Date(now - 3 * DAY).toISOString(),
      from: new Date(now - 3 * DAY).toISOString(),
    };
    await post("/api/v1/exemptions", {
      ...base,
      operatorId: "lumiere-est",
      obligation: "completeness",
      reason: HOSTILE,
      decision: "Délibération 2026-041",
      to: new Date(now + 30 * DAY).toISOString(),
    });
    const revoked = await post("/api/v1/exemptions", {
      ...base,
      obligation: "latency",
      reason: "Passerelles en remplacement.",
      decision: "Arrêté 2026-112",
    });
    await post(`/api/v1/exemptions/${revoked.id}/revoke`, { reason: "Passerelles remplacées." });
  }, 90_000);
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

  it("lists each decision for everyone, its reason as text, in force or revoked", async () => {
    const response = await page.goto(`${platform().apiUrl}/donnees/derogations`);
    expect(response?.status()).toBe(200);
    const rows = page.locator("#register tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const first = await rows.nth(0).locator("th, td").allTextContents();
    expect(first[0]).toBe("ccphva-streetlight");
    expect(first[1]).toBe("tous les opérateurs du contrat");
    expect(first[7]).toMatch(/^retirée le .*Passerelles remplacées\./);
    const second = await rows.nth(1).locator("th, td").allTextContents();
    expect(second).toEqual(expect.arrayContaining(["lumiere-est", "complétude", HOSTILE, "en vigueur"]));
    expect(await page.evaluate("window.__injected")).toBeUndefined();
    expect(await page.locator("#register img").count()).toBe(0);
    expect(await severeViolations(page)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });

  it("is in English at /data/exemptions, and the catalogue links to it", async () => {
    await page.goto(`${platform().apiUrl}/data/exemptions`);
    await page.locator("#register tbody tr").first().waitFor();
    expect(await page.locator("h1").textContent()).toBe("Exemptions from the data clauses");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.goto(`${platform().apiUrl}/donnees`);
    const link = page.locator("#exemptions-link");
    expect(await link.getAttribute("href")).toBe("/donnees/derogations");
    expect(await severeViolations(page)).toEqual([]);
  });
});
