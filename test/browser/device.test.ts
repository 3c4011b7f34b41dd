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
  basic,
  DEMO_SECRETS,
  eventually,
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The device list and a device's page in a real browser against the whole platform: the demo
 * fleet listed and filtered; a lamp's identity, latest values, chart and its table alternative
 * with the values posted; its alert history after a defective status; its quarantined message
 * with the reason and a hostile raw payload shown as text; an operator's own device and a clear
 * refusal of another's; keyboard, axe-core and the CSP.
 */

const available = chromiumAvailable();
const LAMP = "lum-54521-0001";
const OTHERS = "pre-54521-001";
const HOSTILE = "<script>window.__hostile = 1</script>";
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];

async function post(readings: unknown[]): Promise<{ accepted: number; quarantined: number }> {
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: lumiere },
    body: JSON.stringify({ readings }),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { accepted: number; quarantined: number };
}

async function asTechnician(path: string): Promise<void> {
  await logInThroughForm(page, t.apiUrl, {
    kind: "staff",
    identifier: "technicien",
    secret: DEMO_SECRETS.technicien,
    path: `/connexion?next=${encodeURIComponent(path)}`,
  });
  await page.waitForURL((url) => url.pathname === path.split("?")[0]);
}

describe.skipIf(!available)("the device list and the device page", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    const now = Date.now();
    const at = (ago: number) => new Date(now - ago).toISOString();
    const posted = await post([
      reading(
        LAMP,
        { power_state: "on", status: "ok", active_power_w: 41.5, illuminance_level: 0.8 },
        at(3_600_000),
      ),
      reading(
        LAMP,
        { power_state: "on", status: "ok", active_power_w: 42.25, illuminance_level: 0.9 },
        at(1_800_000),
      ),
      reading(LAMP, { power_state: "on", status: "defectiveLamp", active_power_w: 3.5 }, at(60_000)),
    ]);
    expect(posted.accepted).toBe(3);
    // A required field of the wrong type: the message goes to quarantine, whole.
    const refused = await post([reading(LAMP, { power_state: "on", status: 42, note: HOSTILE }, at(30_000))]);
    expect(refused.quarantined).toBe(1);
    await eventually(async () => {
      const res = await fetch(`${t.apiUrl}/api/v1/alerts?subject=${LAMP}`, {
        headers: { authorization: technician },
      });
      const body = (await res.json()) as { entries: unknown[] };
      return body.entries.length > 0;
    });
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

  it("lists the demo fleet for a technician and filters it", async () => {
    await asTechnician("/equipements");
    await page.locator("#list tbody tr").first().waitFor();
    expect(await page.locator("h1").textContent()).toBe("Équipements");
    const res = await fetch(`${t.apiUrl}/api/v1/devices`, { headers: { authorization: technician } });
    const fleet = (await res.json()) as { count: number };
    expect(await page.locator("#status").textContent()).toBe(`${fleet.count} équipements correspondent.`);
    expect(await page.locator("#list tbody tr").count()).toBe(50);
    await page.locator("#filter-domain").selectOption("water_pressure");
    await page.locator("#filter-commune").selectOption("54521");
    await expect
      .poll(async () =>
        (await page.locator("#list tbody th").allTextContents()).every((id) => id.startsWith("pre-54521-")),
      )
      .toBe(true);
    await page.locator("#filter-domain").selectOption("");
    await page.locator("#filter-text").fill(LAMP);
    await expect.poll(() => page.locator("#list tbody tr").count()).toBe(1);
    await page.locator(`#list a`, { hasText: LAMP }).click();
    await page.waitForURL(new RegExp(`/equipements/${LAMP}$`));
    await page.locator("#identity dl").waitFor();
    expect(cspErrors).toEqual([]);
  });

  it("shows a lamp's identity, latest values, chart with its table, alerts and quarantine", async () => {
    await asTechnician(`/equipements/${LAMP}`);
    expect(await page.locator("h1").textContent()).toBe(`Équipement ${LAMP}`);
    await page.locator("#identity dl").waitFor();
    expect(await page.locator("#identity dd").first().textContent()).toBe(LAMP);
    expect(await page.locator("#identity").textContent()).toContain("lumiere-est");
    expect(await page.locator("#latest").textContent()).toContain("defectiveLamp");
    expect(await page.locator("#latest").textContent()).toContain("3.5 W");
    const chart = page.locator("#charts section.chart", {
      has: page.locator("h3", { hasText: "active_power_w" }),
    });
    await chart.locator("canvas").waitFor();
    const toggle = chart.locator("button[data-toggle=data]");
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    const cells = await chart.locator("table td").allTextContents();
    expect(cells).toEqual(["41.5 W", "42.25 W", "3.5 W"]);
    await page.locator("#alert-history table").waitFor();
    expect(await page.locator("#alert-history").textContent()).toContain("ccphva-streetlight/lamp-defective");
    const entry = page.locator("#quarantine .quarantine-entry").first();
    await entry.waitFor();
    expect(await entry.textContent()).toContain("status");
    expect(await entry.locator(".raw-payload").textContent()).toContain(HOSTILE);
    expect(await page.evaluate("window.__hostile")).toBeUndefined();
    expect(await page.locator("#quarantine script").count()).toBe(0);
    // Hourly buckets: the mean with its min and max.
    await page.locator("#resolution").selectOption("1h");
    await expect
      .poll(() => chart.locator("table th[scope=col]").allTextContents())
      .toEqual(["Heure", "Moyenne", "Minimum", "Maximum"]);
    expect(cspErrors).toEqual([]);
  });

  it("draws the contract's band on a pressure chart and says it in words", async () => {
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]),
      },
      body: JSON.stringify({ readings: [reading(OTHERS, { pressure_bar: 4.2 })] }),
    });
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
    await asTechnician(`/equipements/${OTHERS}`);
    const chart = page.locator("#charts section.chart", {
      has: page.locator("h3", { hasText: "pressure_bar" }),
    });
    await chart.locator("canvas").waitFor();
    expect(await chart.locator("h3").textContent()).toBe("pressure_bar (bar)");
    expect(await chart.locator(".chart-band").textContent()).toBe(
      "Plage du contrat : minimum 1.5 bar, maximum 8 bar",
    );
    await chart.locator("button[data-action=reset-zoom]").click();
  });

  it("shows an operator its own device, and refuses another operator's clearly", async () => {
    await logInThroughForm(page, t.apiUrl, {
      kind: "operator",
      identifier: "lumiere-est",
      secret: DEMO_SECRETS["lumiere-est"],
      path: `/connexion?next=${encodeURIComponent(`/equipements/${LAMP}`)}`,
    });
    await page.waitForURL(new RegExp(`/equipements/${LAMP}$`));
    await page.locator("#identity dl").waitFor();
    expect(await page.locator("#identity").textContent()).toContain("Vos périodes d'exploitation");
    await page.locator("#quarantine .quarantine-entry").first().waitFor();
    await page.goto(`${t.apiUrl}/equipements/${OTHERS}`);
    await expect
      .poll(() => page.locator("#status").textContent())
      .toBe("Cet équipement n'existe pas, ou vous n'avez pas le droit de le consulter.");
    expect(await page.locator("#identity dl").count()).toBe(0);
    await page.goto(`${t.apiUrl}/equipements`);
    await page.locator("#list tbody tr").first().waitFor();
    const ids = await page.locator("#list tbody th").allTextContents();
    expect(ids.every((id) => id.startsWith("lum-"))).toBe(true);
    expect(await page.locator("#feed-heard").textContent()).toMatch(/^1 équipements sur \d+ ont envoyé/);
    await page.locator("#quarantine-link").click();
    await page.locator("#quarantine .quarantine-entry").first().waitFor();
    expect(await page.locator("#quarantine .raw-payload").first().textContent()).toContain(HOSTILE);
    expect(cspErrors).toEqual([]);
  });

  it("reaches the pickers and the disclosure with Tab, each with a visible focus", async () => {
    await asTechnician(`/equipements/${LAMP}`);
    await page.locator("#charts canvas").first().waitFor();
    const wanted = new Set(["resolution", "period", "data", "reset-zoom"]);
    const reached = new Set<string>();
    for (let i = 0; i < 120 && reached.size < wanted.size; i++) {
      await page.keyboard.press("Tab");
      const f = await focused(page);
      const name = (await page.evaluate(`(() => { const e = document.activeElement;
        return e.id === "resolution" || e.id === "period" ? e.id : e.dataset.toggle || e.dataset.action || null; })()`)) as
        | string
        | null;
      if (name && wanted.has(name)) {
        expect(f.outline, `${name} has a visible focus`).toBeGreaterThanOrEqual(2);
        reached.add(name);
      }
    }
    expect([...reached].sort()).toEqual([...wanted].sort());
  });

  it("has no serious or critical accessibility violation, in both languages, under a strict CSP", async () => {
    await asTechnician(`/equipements/${LAMP}`);
    await page.locator("#charts canvas").first().waitFor();
    await page.locator("#quarantine .quarantine-entry").first().waitFor();
    await page.locator("#charts button[data-toggle=data]").first().click();
    const severe = await severeViolations(page);
    expect(severe, JSON.stringify(severe, null, 2)).toEqual([]);
    const response = await page.goto(`${t.apiUrl}/devices/${LAMP}`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.locator("#charts canvas").first().waitFor();
    expect(await page.locator("h1").textContent()).toBe(`Device ${LAMP}`);
    expect((await severeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.goto(`${t.apiUrl}/devices`);
    await page.locator("#list tbody tr").first().waitFor();
    expect(await page.locator("h1").textContent()).toBe("Devices");
    expect((await severeViolations(page)).map((v) => v.id)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });

  it("shows staff the table of the device's operators over time, and an operator none of it", async () => {
    const asStaff = await fetch(`${t.apiUrl}/api/v1/devices/${LAMP}`, {
      headers: { authorization: technician },
    });
    const device = (await asStaff.json()) as { assignments?: Array<{ operator: string; to: string | null }> };
    expect(device.assignments?.length).toBeGreaterThan(0);
    const asOperator = await fetch(`${t.apiUrl}/api/v1/devices/${LAMP}`, {
      headers: { authorization: lumiere },
    });
    expect(await asOperator.json()).not.toHaveProperty("assignments");
    await asTechnician(`/equipements/${LAMP}`);
    const table = page.locator("#identity #assignments table");
    await table.waitFor();
    expect(await table.locator("caption").textContent()).toBe("Exploitants successifs de l'équipement");
    expect(await table.locator("th[scope=col]").allTextContents()).toEqual([
      "Exploitant",
      "Du",
      "Au (exclu)",
    ]);
    const rows = await table
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
    expect(rows.map((r) => r[0])).toEqual(device.assignments?.map((a) => a.operator));
    // The demo lamp is still held by its operator: the last period is open, said in words.
    expect(device.assignments?.at(-1)?.to).toBeNull();
    expect(rows.at(-1)?.[2]).toBe("en cours");
    expect((await severeViolations(page)).map((v) => v.id)).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
