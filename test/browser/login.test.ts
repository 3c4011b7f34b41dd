import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  launchBrowser,
  logInThroughForm,
  newPage,
  severeViolations,
} from "../helpers/browser.ts";
import { DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The login page in a real browser against the whole platform: a technician logs in through the
 * form and lands where they were going; a wrong secret is said, and repeated failures lock the
 * account out with a French message; the page passes axe and runs under its strict CSP.
 */

const available = chromiumAvailable();

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];

describe.skipIf(!available)("the login page", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
  });
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

  it("sends a visitor of the desk to the login page, then back to the desk once logged in", async () => {
    await page.goto(`${t.apiUrl}/alertes`);
    expect(new URL(page.url()).pathname).toBe("/connexion");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/alertes");
    expect(await page.locator("h1").textContent()).toBe("Connexion");
    await page.locator("#identifier").fill("technicien");
    await page.locator("#secret").fill(DEMO_SECRETS.technicien);
    await page.locator("#login-form button[type=submit]").click();
    await page.waitForURL(/\/alertes$/);
    await page.locator("#shell .user").waitFor();
    expect(await page.locator("#shell .user").textContent()).toBe("Connecté : technicien (technicien)");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "lanterne_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    expect(await page.evaluate("document.cookie")).toBe("");
    expect(cspErrors).toEqual([]);
  });

  it("says a wrong secret, then locks the account out after repeated failures (429, in French)", async () => {
    await logInThroughForm(page, t.apiUrl, { kind: "staff", identifier: "admin", secret: "wrong" });
    const message = page.locator("#login-message");
    await expect.poll(() => message.textContent()).toBe("Identifiant ou secret incorrect.");
    expect(await page.evaluate("document.activeElement.id")).toBe("secret");
    for (let i = 0; i < 8; i++) {
      await page.locator("#secret").fill(`wrong-${i}`);
      await page.locator("#login-form button[type=submit]").click();
      await expect.poll(() => message.textContent()).not.toBe("Connexion en cours…");
      if ((await message.textContent())?.startsWith("Trop de tentatives")) break;
    }
    expect(await message.textContent()).toMatch(
      /^Trop de tentatives échouées\. Réessayez dans \d+ secondes\.$/,
    );
    // Even the right token is refused while locked out.
    await page.locator("#secret").fill(DEMO_SECRETS.admin);
    await page.locator("#login-form button[type=submit]").click();
    await expect.poll(() => message.textContent()).toMatch(/^Trop de tentatives/);
    expect(new URL(page.url()).pathname).toBe("/connexion");
  });

  it("is in English at /login", async () => {
    await page.goto(`${t.apiUrl}/login`);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("h1").textContent()).toBe("Log in");
    expect(await page.locator("label[for=identifier]").textContent()).toBe("Identifier");
  });

  it("logs an operator in, who can log out from the shell", async () => {
    await logInThroughForm(page, t.apiUrl, {
      kind: "operator",
      identifier: "lumiere-est",
      secret: DEMO_SECRETS["lumiere-est"],
    });
    await page.waitForURL(/\/alertes$/);
    await page.locator("#shell .user").waitFor();
    expect(await page.locator("#shell .user").textContent()).toBe("Connecté : lumiere-est (exploitant)");
    await page.locator("#shell [data-action=logout]").click();
    await page.waitForURL(/\/connexion$/);
    await page.goto(`${t.apiUrl}/alertes`);
    expect(new URL(page.url()).pathname).toBe("/connexion");
  });

  it("never follows ?next= to another site", async () => {
    await page.goto(`${t.apiUrl}/connexion?next=${encodeURIComponent("//example.org/x")}`);
    await page.locator("#identifier").fill("technicien");
    await page.locator("#secret").fill(DEMO_SECRETS.technicien);
    await page.locator("#login-form button[type=submit]").click();
    await page.waitForURL(/\/alertes$/);
    expect(new URL(page.url()).host).toBe(new URL(t.apiUrl).host);
  });

  it("has no serious or critical accessibility violation, and a CSP without 'unsafe-inline'", async () => {
    for (const path of ["/connexion", "/login"]) {
      const response = await page.goto(`${t.apiUrl}${path}`);
      const csp = response?.headers()["content-security-policy"] ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const severe = await severeViolations(page);
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
    expect(cspErrors).toEqual([]);
  });
});
