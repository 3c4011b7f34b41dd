import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  focused,
  launchBrowser,
  newPage,
  SCREENSHOTS_DIR,
  saveScreenshot,
  severeViolations,
} from "../helpers/browser.ts";
import { basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * "Le territoire en direct" (`/en-direct`, `/live`) in a real browser, against the whole platform
 * on 127.0.0.1: the street lights' figures match the inventory, a lamp reported faulty by its
 * operator raises Audun-le-Tiche's outages on the page without a reload (Server-Sent Events), and
 * the page says so in its polite region; both languages pass axe, the page runs under the strict
 * CSP, its links are reached with Tab, and the API's strings show as text.
 */

const available = chromiumAvailable();

const LAMP = "lum-57038-0009";
const AUDUN = "57038";
const LIGHTS = 'section[data-domain="streetlight"]';

interface Live {
  at: string;
  domains: Array<{
    domain: string;
    title: string;
    assets: number;
    outages: number;
    communes: Array<{ commune: string; name: string; outages: number }>;
    other_communes: { assets: number; reporting: number; outages: number } | null;
  }>;
}

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];

async function live(): Promise<Live> {
  const res = await fetch(`${t.apiUrl}/opendata/live.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as Live;
}

/** A figure of the page as a number (its raw value, `data-value`), or -1 while it is not drawn. */
async function figure(selector: string): Promise<number> {
  const value = await page.locator(selector).first().getAttribute("data-value", { timeout: 2000 });
  return value === null ? -1 : Number(value);
}

describe.skipIf(!available)("the live page", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
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

  async function openLive(path: string): Promise<void> {
    const response = await page.goto(`${t.apiUrl}${path}`);
    expect(response?.status()).toBe(200);
    await page.locator(`${LIGHTS} .lv-figures [data-figure="assets"][data-value]`).waitFor();
  }

  it("shows the street lights as the inventory counts them, and a new outage without a reload", async () => {
    const snapshot = await live();
    const lights = snapshot.domains.find((d) => d.domain === "streetlight");
    expect(lights).toBeDefined();
    await openLive("/en-direct");
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    expect(await page.locator("h1").textContent()).toBe("Le territoire en direct");
    expect(await page.title()).toBe("Le territoire en direct — Lanterne");
    expect(await page.locator(`${LIGHTS} h2`).textContent()).toBe(lights?.title);
    expect(await figure(`${LIGHTS} .lv-figures [data-figure="assets"]`)).toBe(
      t.platform.devices.list({ domain: "streetlight" }).length,
    );
    expect(await page.locator(`${LIGHTS} .lv-figures dt`).allTextContents()).toEqual([
      "Équipements",
      "Transmettent en ce moment",
      "Pannes en cours",
    ]);
    // The table per commune: a caption, headers with their scope, a row per commune shown.
    const table = page.locator(`${LIGHTS} table`);
    expect(await table.locator("caption").textContent()).toBe(`${lights?.title} : chiffres par commune`);
    expect(await table.locator('thead th[scope="col"]').count()).toBe(4);
    const others = lights?.other_communes ? 1 : 0;
    expect(await table.locator('tbody th[scope="row"]').count()).toBe(
      (lights?.communes.length ?? 0) + others,
    );
    expect(await table.locator('tr[data-commune="other"]').count()).toBe(others);
    const audun = `${LIGHTS} tr[data-commune="${AUDUN}"]`;
    expect(await page.locator(`${audun} th`).textContent()).toBe(
      `${lights?.communes.find((c) => c.commune === AUDUN)?.name} (${AUDUN})`,
    );
    expect(await page.locator("#at").textContent()).toMatch(/^Chiffres (de|du .+ à) \d{1,2} h \d{2}$/);
    // The links to the other public pages.
    for (const href of ["/pannes", "/signaler", "/donnees"]) {
      expect(await page.locator(`main .lv-links a[href="${href}"]`).count(), href).toBe(1);
    }
    expect(await page.locator('.site-footer a[href="/en-direct"]').textContent()).toBe(
      "Le territoire en direct",
    );
    // Live: the stream is open.
    await page.locator('#live-state[data-state="live"]').waitFor();
    expect(await page.locator("#live-state").textContent()).toContain("En direct");
    const before = await figure(`${audun} [data-figure="outages"]`);
    const totalBefore = await figure(`${LIGHTS} .lv-figures [data-figure="outages"]`);
    expect(Number.isInteger(before) && before >= 0, `outages shown: ${before}`).toBe(true);
    // A marker that a reload would lose.
    await page.evaluate("window.__sameDocument = true");
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      body: JSON.stringify({
        readings: [
          {
            device: LAMP,
            time: new Date().toISOString(),
            data: { power_state: "on", status: "defectiveLamp" },
          },
        ],
      }),
      headers: {
        "content-type": "application/json",
        authorization: basic("lumiere-est", DEMO_SECRETS["lumiere-est"]),
      },
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 20_000;
    let after = before;
    while (after <= before && Date.now() < deadline) {
      await page.waitForTimeout(250);
      after = await figure(`${audun} [data-figure="outages"]`);
    }
    expect(after, "Audun-le-Tiche's outages rose within 20 s").toBe(before + 1);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(await figure(`${LIGHTS} .lv-figures [data-figure="outages"]`)).toBe(totalBefore + 1);
    // Said once, politely, with the domain's title.
    const changes = page.locator("#changes");
    expect(await changes.getAttribute("aria-live")).toBe("polite");
    expect(await changes.textContent()).toContain(`${lights?.title} : `);
    expect(await changes.textContent()).toMatch(/panne(s)? en cours \(contre/);
    expect(await page.locator("#live-state").getAttribute("role")).toBe("status");
    await saveScreenshot(page, "live-fr");
    expect(cspErrors).toEqual([]);
    console.info(`Live page screenshot: ${SCREENSHOTS_DIR}live-fr.png`);
  }, 40_000);

  it("is in English at /live and with ?lang=en", async () => {
    await openLive("/live");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("h1").textContent()).toBe("The territory live");
    expect(await page.locator(`${LIGHTS} .lv-figures dt`).allTextContents()).toEqual([
      "Assets",
      "Reporting right now",
      "Current outages",
    ]);
    // The contract's title is French, and marked so.
    expect(await page.locator(`${LIGHTS} h2`).getAttribute("lang")).toBe("fr");
    expect(await page.locator("#at").textContent()).toMatch(/^Figures as of /);
    expect(await page.locator('main .lv-links a[data-local-path="/pannes"]').getAttribute("href")).toBe(
      "/pannes?lang=en",
    );
    expect(await page.locator('.site-footer a[data-local-path="/en-direct"]').textContent()).toBe(
      "The territory live",
    );
    await page.locator('#live-state[data-state="live"]').waitFor();
    expect(await page.locator("#live-state").textContent()).toContain("Live");
    await openLive("/en-direct?lang=en");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("h1").textContent()).toBe("The territory live");
    await saveScreenshot(page, "live-en");
  });

  it("has no serious or critical accessibility violation (axe-core), in French and English", async () => {
    for (const path of ["/en-direct", "/live"]) {
      await openLive(path);
      await page.locator('#live-state[data-state="live"]').waitFor();
      const severe = await severeViolations(page);
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
  });

  it("is sent with a CSP that allows no inline script or style, and runs under it without a violation", async () => {
    for (const path of ["/en-direct", "/live"]) {
      const response = await page.goto(`${t.apiUrl}${path}`);
      const csp = response?.headers()["content-security-policy"] ?? "";
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src ")) ?? "";
      expect(scriptSrc.trim(), path).toBe("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).toContain("connect-src 'self'");
      expect(csp, path).not.toContain("unsafe-inline");
      await page.locator('#live-state[data-state="live"]').waitFor();
      await page.locator(`${LIGHTS} [data-figure="assets"][data-value]`).first().waitFor();
    }
    expect(cspErrors).toEqual([]);
  });

  it("reaches its links with Tab, with a visible focus", async () => {
    await openLive("/en-direct");
    const reached = new Set<string>();
    for (let i = 0; i < 30 && reached.size < 3; i++) {
      await page.keyboard.press("Tab");
      const f = await focused(page);
      const href = (await page.evaluate(`document.activeElement.getAttribute("href") || ""`)) as string;
      if (!["/pannes", "/signaler", "/donnees"].includes(href)) continue;
      expect(f.outline, `${href} has a visible focus`).toBeGreaterThanOrEqual(2);
      reached.add(href);
    }
    expect([...reached].sort()).toEqual(["/donnees", "/pannes", "/signaler"]);
  });

  it("shows the API's strings as text, and says when the stream is down", async () => {
    const snapshot = await live();
    const hostile = '<img src="x" onerror="window.__injected = 1"><script>window.__injected = 2</script>';
    await page.route("**/opendata/live.json", (route) =>
      route.fulfill({
        json: {
          ...snapshot,
          domains: snapshot.domains.map((d) => ({
            ...d,
            title: hostile,
            communes: d.communes.map((c) => ({ ...c, name: hostile })),
          })),
        },
      }),
    );
    await page.route("**/opendata/live", (route) => route.abort());
    await openLive("/en-direct");
    expect(await page.locator(`${LIGHTS} h2`).textContent()).toBe(hostile);
    expect(await page.locator(`${LIGHTS} tr[data-commune="${AUDUN}"] th`).textContent()).toBe(
      `${hostile} (${AUDUN})`,
    );
    expect(await page.locator("main img, main script").count()).toBe(0);
    expect(await page.evaluate("typeof window.__injected")).toBe("undefined");
    await page.locator('#live-state:is([data-state="reconnecting"], [data-state="interrupted"])').waitFor();
    expect(await page.locator("#live-state").textContent()).toMatch(/Reconnexion…|Le direct est interrompu/);
  });
});
