import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { axeViolations, chromiumAvailable, launchBrowser, newPage } from "../helpers/browser.ts";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The public register page in a real browser, against the whole platform on 127.0.0.1: it shows
 * every rule the API lists, in French by default and in English on request, passes axe without
 * serious or critical violations, runs under its strict CSP without a single violation, can be
 * used with the keyboard, and shows data as text, never as markup.
 */

const available = chromiumAvailable();

interface Register {
  count: number;
  rules: Array<{ rule: string; description?: string; [key: string]: unknown }>;
}

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** What the page's CSP refused, as the browser reports it in the console. */
let cspErrors: string[];

describe.skipIf(!available)("the algorithm register page", () => {
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

  async function open(path: string): Promise<void> {
    const response = await page.goto(`${t.apiUrl}${path}`);
    expect(response?.status()).toBe(200);
    await page.locator("[data-rule]").first().waitFor();
  }

  async function apiRegister(): Promise<Register> {
    return (await (await fetch(`${t.apiUrl}/api/v1/algorithms`)).json()) as Register;
  }

  it("lists every rule of /api/v1/algorithms, in French by default", async () => {
    const register = await apiRegister();
    await open("/algorithmes");
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    expect(await page.locator("h1").textContent()).toBe("Registre des algorithmes");
    const ids = await page
      .locator("[data-rule]")
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-rule")));
    expect(register.count).toBeGreaterThan(0);
    expect(ids).toHaveLength(register.count);
    expect([...ids].sort()).toEqual(register.rules.map((r) => r.rule).sort());
    // Each rule states that it only raises an alert, and shows its history.
    const first = page.locator("[data-rule]").first();
    expect(await first.textContent()).toContain("Il lève une alerte ; une personne décide.");
    expect(await first.locator("h4").allTextContents()).toEqual([
      "Paramètres et seuils",
      "Historique des versions",
    ]);
    expect(cspErrors).toEqual([]);
  });

  it("is in English at /algorithms, with ?lang=en, and through the language switch", async () => {
    for (const path of ["/algorithms", "/algorithmes?lang=en"]) {
      await open(path);
      expect(await page.locator("html").getAttribute("lang"), path).toBe("en");
      expect(await page.locator("h1").textContent(), path).toBe("Register of algorithms");
    }
    await open("/algorithmes");
    await page.locator('.lang-switch a[hreflang="en"]').click();
    await page.waitForURL(/lang=en/);
    await page.locator("[data-rule]").first().waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator('.lang-switch a[aria-current="true"]').getAttribute("hreflang")).toBe("en");
    expect(await page.locator("[data-rule]").first().textContent()).toContain(
      "It raises an alert; a person decides.",
    );
  });

  it("has no serious or critical accessibility violation (axe-core), in either language", async () => {
    for (const path of ["/algorithmes", "/algorithms"]) {
      await open(path);
      const severe = (await axeViolations(page)).filter(
        (v) => v.impact === "serious" || v.impact === "critical",
      );
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
  });

  it("is sent with a CSP that allows no inline script, and runs under it without a violation", async () => {
    const response = await page.goto(`${t.apiUrl}/algorithmes`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src ")) ?? "";
    expect(scriptSrc.trim()).toBe("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await page.locator("[data-rule]").first().waitFor();
    expect(cspErrors).toEqual([]);
  });

  it("reaches the language switch with Tab, with a visible focus, and follows it with Enter", async () => {
    await open("/algorithmes");
    let focused: { hreflang: string | null; outlineStyle: string; outlineWidth: string } | undefined;
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press("Tab");
      focused = (await page.evaluate(`(() => {
        const e = document.activeElement;
        const s = getComputedStyle(e);
        return { hreflang: e.getAttribute("hreflang"), outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth };
      })()`)) as typeof focused;
      if (focused?.hreflang === "en") break;
    }
    expect(focused?.hreflang).toBe("en");
    expect(focused?.outlineStyle).not.toBe("none");
    expect(Number.parseFloat(focused?.outlineWidth ?? "0")).toBeGreaterThanOrEqual(2);
    await page.keyboard.press("Enter");
    await page.waitForURL(/lang=en/);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
  });

  it("starts with a skip link to the content", async () => {
    await open("/algorithmes");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.className")).toBe("skip-link");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement.id")).toBe("contenu");
  });

  it("shows a description containing markup as text, running nothing", async () => {
    const register = await apiRegister();
    const hostile = '<script>window.__injected = 1</script><img src="x" onerror="window.__injected = 2">';
    const [first, ...rest] = register.rules;
    if (!first) throw new Error("the demo territory has no rule");
    const crafted = { count: register.count, rules: [{ ...first, description: hostile }, ...rest] };
    await page.route("**/api/v1/algorithms", (route) => route.fulfill({ json: crafted }));
    await open("/algorithmes");
    const rule = page.locator(`[data-rule="${first.rule}"]`);
    expect(await rule.locator("h3").textContent()).toBe(hostile);
    expect(await page.locator("#register script, #register img").count()).toBe(0);
    expect(await page.evaluate("typeof window.__injected")).toBe("undefined");
  });
});
