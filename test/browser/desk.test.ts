import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Alert } from "../../services/alerts/types.ts";
import {
  chromiumAvailable,
  focused,
  launchBrowser,
  logInThroughForm,
  newPage,
  severeViolations,
} from "../helpers/browser.ts";
import { basic, DEMO_SECRETS, reading, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The alert desk in a real browser against the whole platform: the alerts the API gives, kept up
 * to date live (a defective lamp posted meanwhile appears without a reload), acted on from the
 * page (acknowledge, comment, close), shown as text whatever they contain, grouped alerts
 * expandable, a new critical alert announced; an operator sees its own alerts and no action;
 * changes made with the cookie need the CSRF token; everything reachable by keyboard; axe clean.
 */

const available = chromiumAvailable();
const HOSTILE = "<img src=x onerror=alert(1)>";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];
let dialogs: string[];
let waterAlert: Alert;
let cabinetAlert: Alert;

/** Posts a defective lamp reading as the lamp's operator, as its controller would. */
async function defectiveLamp(lamp: string): Promise<void> {
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: lumiere },
    body: JSON.stringify({ readings: [reading(lamp, { power_state: "on", status: "defectiveLamp" })] }),
  });
  expect(res.status).toBeLessThan(300);
}

async function asTechnician(): Promise<void> {
  await logInThroughForm(page, t.apiUrl, {
    kind: "staff",
    identifier: "technicien",
    secret: DEMO_SECRETS.technicien,
  });
  await page.waitForURL(/\/alertes$/);
  await page.locator("#alerts li[data-alert-id]").first().waitFor();
}

/** The desk's item of the alert on this subject (the newest one). */
function item(subject: string) {
  return page
    .locator("#alerts li[data-alert-id]")
    .filter({ has: page.locator(".subject", { hasText: subject }) })
    .first();
}

describe.skipIf(!available)("the alert desk", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    const now = Date.now();
    await defectiveLamp("lum-54521-0001");
    waterAlert = await t.platform.alerts.raise(
      {
        ruleId: "ccphva-water-pressure/test",
        subject: "pre-54521-001",
        severity: "major",
        domain: "water_pressure",
        commune: "54521",
        operatorId: "eaux-alzette",
        detail: "pressure below its band",
      },
      now - 60_000,
    );
    cabinetAlert = await t.platform.alerts.raise(
      {
        ruleId: "ccphva-streetlight/cabinet",
        subject: "cabinet:arm-54521-01",
        severity: "major",
        domain: "streetlight",
        commune: "54521",
        operatorId: "lumiere-est",
        detail: "several lamps of one cabinet went dark together",
        children: ["lum-54521-0001", "lum-54521-0003", "lum-54521-0004"],
        kind: "group",
      },
      now - 30_000,
    );
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    ({ context, page, cspErrors } = await newPage(browser));
    dialogs = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  afterEach(async () => {
    await context?.close();
  });

  it("shows the alerts, and a fault produced meanwhile within seconds without a reload", async () => {
    await asTechnician();
    await item("lum-54521-0001").waitFor();
    await item("pre-54521-001").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Alertes");
    expect(await page.locator('#shell nav a[aria-current="page"]').textContent()).toBe("Alertes");
    await expect.poll(() => page.locator("#live").textContent()).toBe("Mises à jour en direct.");
    await page.evaluate("window.__sameDocument = true");
    await defectiveLamp("lum-54521-0002");
    await item("lum-54521-0002").waitFor({ timeout: 8000 });
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(cspErrors).toEqual([]);
  });

  it("acknowledges then closes an alert, and shows a hostile comment as text", async () => {
    await asTechnician();
    const lamp = item("lum-54521-0001");
    await lamp.locator("textarea").fill(HOSTILE);
    await lamp.locator("form[data-act=comment] button").click();
    await expect
      .poll(() => page.locator("#announce").textContent())
      .toBe("Commentaire ajouté à l'alerte lum-54521-0001.");
    await lamp.locator(".comment-text", { hasText: HOSTILE }).waitFor();
    expect(await lamp.locator(".comment-text").first().textContent()).toBe(HOSTILE);
    expect(await page.locator("#alerts img").count()).toBe(0);
    await lamp.locator("button[data-act=acknowledge]").click();
    await expect.poll(() => lamp.getAttribute("data-status")).toBe("acknowledged");
    expect(await lamp.locator("button[data-act=acknowledge]").count()).toBe(0);
    const id = await lamp.getAttribute("data-alert-id");
    await lamp.locator("button[data-act=close]").click();
    // Closed alerts leave the default view ("current"); with "all" it is there, closed.
    await expect.poll(() => page.locator(`#alerts li[data-alert-id="${id}"]`).count()).toBe(0);
    await page.locator("#filter-status").selectOption("all");
    expect(await page.locator(`#alerts li[data-alert-id="${id}"]`).getAttribute("data-status")).toBe(
      "closed",
    );
    const api = await fetch(`${t.apiUrl}/api/v1/alerts/${id}`, {
      headers: { authorization: `Bearer technicien.${DEMO_SECRETS.technicien}` },
    });
    const closed = (await api.json()) as {
      status: string;
      closedBy: string;
      comments: Array<{ text: string }>;
    };
    expect(closed.status).toBe("closed");
    expect(closed.closedBy).toBe("technicien");
    expect(closed.comments.map((c) => c.text)).toContain(HOSTILE);
    expect(dialogs).toEqual([]);
  });

  it("reloads an alert that changed meanwhile and says so (409 ERR_ALERT_STALE)", async () => {
    // No live stream for this desk: what another person does is not shown until the desk asks.
    await page.route("**/api/v1/events*", (route) => route.abort());
    await asTechnician();
    const water = item("pre-54521-001");
    await water.waitFor();
    const shown = Number(await water.getAttribute("data-version"));
    await t.platform.alerts.comment(waterAlert.id, "admin", "seen on site", Date.now(), shown);
    await water.locator("button[data-act=acknowledge]").click();
    await expect
      .poll(() => page.locator("#announce").textContent())
      .toBe(
        "L'alerte pre-54521-001 a changé entre-temps : elle a été rechargée. Vérifiez-la puis recommencez.",
      );
    expect(Number(await water.getAttribute("data-version"))).toBe(shown + 1);
    expect(await water.locator(".comment-text").allTextContents()).toContain("seen on site");
    expect(await water.getAttribute("data-status")).toBe("open");
  });

  it("expands a correlated alert to its devices, with aria-expanded", async () => {
    await asTechnician();
    const cabinet = item("cabinet:arm-54521-01");
    const toggle = cabinet.locator("[data-toggle=devices]");
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await cabinet.locator("ul.devices").isVisible()).toBe(false);
    await toggle.click();
    await expect
      .poll(() => cabinet.locator("[data-toggle=devices]").getAttribute("aria-expanded"))
      .toBe("true");
    expect(await cabinet.locator("ul.devices li").allTextContents()).toEqual(cabinetAlert.children);
  });

  it("announces a new critical alert in the title and an assertive live region", async () => {
    await asTechnician();
    await expect.poll(() => page.locator("#live").textContent()).toBe("Mises à jour en direct.");
    expect(await page.locator("#critical").getAttribute("aria-live")).toBe("assertive");
    expect(await page.locator("#sound").isChecked()).toBe(false);
    await t.platform.alerts.raise(
      {
        ruleId: "ccphva-water-pressure/burst",
        subject: "pre-54521-002",
        severity: "critical",
        domain: "water_pressure",
        commune: "54521",
        operatorId: "eaux-alzette",
        detail: HOSTILE,
      },
      Date.now(),
    );
    await expect.poll(() => page.title(), { timeout: 8000 }).toBe("(1 critique) Alertes — Lanterne");
    expect(await page.locator("#critical p").textContent()).toBe(
      `Nouvelle alerte critique : pre-54521-002 — ${HOSTILE}`,
    );
    await page.locator("#critical button").click();
    expect(await page.title()).toBe("Alertes — Lanterne");
    expect(dialogs).toEqual([]);
  });

  it("shows an operator its own alerts only, without any action", async () => {
    await logInThroughForm(page, t.apiUrl, {
      kind: "operator",
      identifier: "lumiere-est",
      secret: DEMO_SECRETS["lumiere-est"],
    });
    await page.waitForURL(/\/alertes$/);
    await page.locator("#filter-status").selectOption("all");
    await item("cabinet:arm-54521-01").waitFor();
    const subjects = await page.locator("#alerts .subject").allTextContents();
    expect(subjects.length).toBeGreaterThan(0);
    expect(subjects.every((s) => s.startsWith("lum-") || s.startsWith("cabinet:"))).toBe(true);
    expect(await page.locator("#alerts [data-act]").count()).toBe(0);
    expect(await page.locator("#alerts button:not([data-toggle])").count()).toBe(0);
  });

  it("refuses a change sent with the session cookie but without the CSRF token (403, coded)", async () => {
    await asTechnician();
    const answer = (await page.evaluate(`fetch("/api/v1/alerts/${waterAlert.id}/comments", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ version: 1, text: "forged" }) }).then(async (r) => ({ status: r.status, body: await r.json() }))`)) as {
      status: number;
      body: { code: string };
    };
    expect(answer.status).toBe(403);
    expect(answer.body.code).toMatch(/^FST_CSRF_/);
  });

  it("reaches every action with Tab, each with a visible focus", async () => {
    await asTechnician();
    const wanted = new Set(["acknowledge", "close", "assign", "comment", "devices", "logout"]);
    const reached = new Set<string>();
    for (let i = 0; i < 200 && reached.size < wanted.size; i++) {
      await page.keyboard.press("Tab");
      const f = await focused(page);
      const name =
        f.act ??
        (await page.evaluate(`(() => { const e = document.activeElement;
          if (e.dataset.toggle) return "devices";
          if (e.dataset.action) return e.dataset.action;
          const form = e.closest("form[data-act]");
          return form && e.tagName === "BUTTON" ? form.dataset.act : null; })()`));
      if (typeof name === "string" && wanted.has(name)) {
        expect(f.outline, `${name} has a visible focus`).toBeGreaterThanOrEqual(2);
        reached.add(name);
      }
    }
    expect([...reached].sort()).toEqual([...wanted].sort());
  });

  it("has no serious or critical accessibility violation, and a CSP without 'unsafe-inline'", async () => {
    await asTechnician();
    await item("cabinet:arm-54521-01").locator("[data-toggle=devices]").click();
    const severe = await severeViolations(page);
    expect(severe, JSON.stringify(severe, null, 2)).toEqual([]);
    const response = await page.goto(`${t.apiUrl}/alerts`);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await page.locator("#alerts li[data-alert-id]").first().waitFor();
    expect(await page.locator("h1").textContent()).toBe("Alerts");
    expect((await severeViolations(page)).map((v) => v.id)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
