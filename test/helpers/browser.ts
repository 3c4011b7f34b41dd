import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core, headless, for the web pages' tests, and axe-core
 * run inside the page for accessibility. The browser comes from the system (`apt-get install
 * chromium`, which `npm test` does), never downloaded by a test tool.
 *
 * Without Chromium the browser tests skip with a loud warning; under CI=true they fail instead,
 * since CI must run every test.
 */

export const CHROMIUM = process.env.LANTERNE_CHROMIUM ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    if (process.env.CI === "true") {
      throw new Error(`${CHROMIUM} is missing: CI must run the browser tests (apt-get install chromium)`);
    }
    console.warn(
      `\n*** ${CHROMIUM} not found: the browser tests are SKIPPED. Install it: apt-get install chromium ***\n`,
    );
    return false;
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root (CI) Chromium refuses its sandbox. The other flags keep it off the network: this
    // machine's closed network refuses its background connections, and a test reads only 127.0.0.1.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 20_000,
  });
}

/**
 * A page of its own context, with short timeouts so a broken page fails fast, and the
 * Content-Security-Policy violations its console reports, collected from its first navigation.
 */
export async function newPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; cspErrors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);
  const cspErrors: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
  });
  return { context, page, cspErrors };
}

export interface AxeViolation {
  id: string;
  impact: "minor" | "moderate" | "serious" | "critical" | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

const axeSource = (): string =>
  readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now and returns its violations.
 * axe is evaluated through the DevTools protocol (`page.evaluate`), which the page's CSP does not
 * govern, so the pages' strict policy needs no exception (no `bypassCSP`) for the test.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource());
  const run = `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`;
  return (await page.evaluate(run)) as AxeViolation[];
}

/** Logs in through the login page's form, as a person would, and waits for the page it leads to. */
export async function logInThroughForm(
  page: Page,
  base: string,
  login: { kind: "staff" | "operator"; identifier: string; secret: string; path?: string },
): Promise<void> {
  await page.goto(`${base}${login.path ?? "/connexion"}`);
  await page.locator(login.kind === "staff" ? "#kind-staff" : "#kind-operator").check();
  await page.locator("#identifier").fill(login.identifier);
  await page.locator("#secret").fill(login.secret);
  await page.locator("#login-form button[type=submit]").click();
}

/** The focused element's identity and outline, to check that the focus is visible. */
export async function focused(
  page: Page,
): Promise<{ tag: string; text: string; act: string | null; outline: number }> {
  return (await page.evaluate(`(() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    return { tag: e.tagName, text: (e.textContent || "").trim(), act: e.getAttribute("data-act"),
      outline: s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth) };
  })()`)) as { tag: string; text: string; act: string | null; outline: number };
}

/** axe's serious and critical violations only. */
export async function severeViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Where the browser tests leave their screenshots (`test-results/`, ignored by git). */
export const SCREENSHOTS_DIR = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

/** A full-page screenshot of the page as it is now, saved as `<SCREENSHOTS_DIR>/<step>.png`. */
export async function saveScreenshot(page: Page, step: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${step}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
