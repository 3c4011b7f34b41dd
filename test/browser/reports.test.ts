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
import { admin, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The residents' pages in a real browser, against the whole platform on 127.0.0.1: the report
 * form opened from a QR code's address finds the lamp and its commune, takes a category with the
 * keyboard alone and answers a reference, which is a `platform/citizen-report` alert on the admin
 * API; a second report joins the same case and says so; the outages page shows the lamp in its
 * table ("en panne") and as a marker, with filters and counts; errors (unknown asset, throttled,
 * no network) are said in the live region and take the focus; both pages pass axe in French and
 * English, run under the strict CSP, and show the API's strings as text.
 *
 * The platform limits reports to five an hour per address and the browser always comes from
 * 127.0.0.1: this file sends two real reports; the throttle's answer is played by the test.
 */

const available = chromiumAvailable();

const LAMP = "lum-57038-0007";
const CONTAINER = "pav-57038-001";
const CITIZEN_REPORT = "platform/citizen-report";

interface ApiAlert {
  id: number;
  rule: string;
  status: string;
}

interface ApiOutage {
  asset: string;
  domain: string;
  commune: string;
  commune_name: string;
  lat: number;
  lon: number;
  status: string;
  since: string;
  repaired_at: string | null;
  reported_by_residents: boolean;
  detected_by_sensors: boolean;
}

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];
/** The first report's reference and when its receipt showed (the second must come later). */
let firstReference: number | undefined;
let firstAt = 0;

async function alertsOf(subject: string): Promise<ApiAlert[]> {
  const res = await fetch(`${t.apiUrl}/api/v1/alerts?subject=${subject}&limit=20`, {
    headers: { authorization: admin },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: ApiAlert[] }).entries;
}

async function publicOutages(): Promise<ApiOutage[]> {
  const res = await fetch(`${t.apiUrl}/opendata/outages`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { outages: ApiOutage[] }).outages;
}

async function cellsOf(row: ReturnType<Page["locator"]>): Promise<string[]> {
  return row.evaluate((r) => [...r.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim()));
}

describe.skipIf(!available)("the residents' pages: report a fault, see the outages", () => {
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

  /** The form opened at this address, once the asset it names is shown (or an error is). */
  async function openForm(path: string): Promise<void> {
    const response = await page.goto(`${t.apiUrl}${path}`);
    expect(response?.status()).toBe(200);
    await page.locator("#asset-form").waitFor();
  }

  async function openOutages(path: string): Promise<void> {
    const response = await page.goto(`${t.apiUrl}${path}`);
    expect(response?.status()).toBe(200);
    // Waiting through a locator: a function evaluated by polling would be an eval under the CSP.
    await page
      .locator("#status:not(:empty)")
      .filter({ hasNotText: /Chargement|Loading/ })
      .waitFor();
  }

  it("reports a fault from the QR code's address with the keyboard alone, and answers a reference", async () => {
    await openForm(`/signaler?asset=${LAMP}`);
    await page.locator("#asset-found").waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    expect(await page.locator("h1").textContent()).toBe("Signaler une panne");
    expect(await page.locator("#asset").inputValue()).toBe(LAMP);
    const facts = (await page.locator("#asset-facts").textContent()) ?? "";
    expect(facts).toContain(LAMP);
    expect(facts).toContain("lampadaire");
    expect(facts).toContain("Audun-le-Tiche (57038)");
    const privacy = (await page.locator("#privacy").textContent()) ?? "";
    for (const word of ["Rien de personnel", "ni nom", "ni texte", "ni adresse", "l'heure"]) {
      expect(privacy).toContain(word);
    }
    // The categories are radio buttons in a fieldset with its legend, each labelled.
    expect(await page.locator("#report-form fieldset legend").textContent()).toBe("Quel est le problème ?");
    const labels = await page
      .locator("#category-choices label")
      .evaluateAll((n) => n.map((e) => e.textContent));
    expect(labels).toEqual(["Éteint la nuit", "Allumé en plein jour", "Lanterne ou mât endommagé"]);
    expect(await page.locator("#asset").getAttribute("aria-describedby")).toBe("asset-hint");
    await saveScreenshot(page, "reports-form-fr");
    // Keyboard only: Tab to the first answer, Space to choose it, an arrow to the next one, Tab
    // to the button, Enter to send; every stop has a visible focus.
    let onRadio = false;
    for (let i = 0; i < 30 && !onRadio; i++) {
      await page.keyboard.press("Tab");
      const f = await focused(page);
      expect(f.outline, `${f.tag} "${f.text}" has a visible focus`).toBeGreaterThanOrEqual(2);
      onRadio = (await page.evaluate(`document.activeElement.name`)) === "category";
    }
    expect(onRadio).toBe(true);
    await page.keyboard.press("Space");
    await page.keyboard.press("ArrowDown");
    expect(await page.locator('input[name="category"]:checked').inputValue()).toBe("allume-le-jour");
    await page.keyboard.press("Tab");
    const button = await focused(page);
    expect(button.text).toBe("Envoyer le signalement");
    expect(button.outline).toBeGreaterThanOrEqual(2);
    await page.keyboard.press("Enter");
    await page.locator("#result").waitFor();
    firstAt = Date.now();
    const reference = Number(
      /Numéro de référence : (\d+)/.exec((await page.locator("#result").textContent()) ?? "")?.[1],
    );
    expect(reference).toBeGreaterThan(0);
    firstReference = reference;
    expect(await page.evaluate(`document.activeElement.id`)).toBe("result");
    expect(await page.locator("#result").textContent()).toContain("le voit dès maintenant");
    expect(await page.locator("#report-form").isHidden()).toBe(true);
    expect(await page.locator("#outages-link").getAttribute("href")).toBe("/pannes");
    await saveScreenshot(page, "reports-receipt-fr");
    // The reference is the alert the desk sees.
    const alerts = await alertsOf(LAMP);
    const opened = alerts.find((a) => a.id === reference);
    expect(opened).toMatchObject({ rule: CITIZEN_REPORT, status: "open" });
    expect(cspErrors).toEqual([]);
  });

  it("shows the lamp on the outages page: in the table as 'en panne' and as a marker, with filters and counts", async () => {
    const outages = await publicOutages();
    const lamp = outages.find((o) => o.asset === LAMP);
    expect(lamp).toMatchObject({
      status: "out",
      reported_by_residents: true,
      commune_name: "Audun-le-Tiche",
    });
    await openOutages("/pannes");
    expect(await page.locator("h1").textContent()).toBe("Pannes en cours");
    const row = page.locator(`#outages-list tbody tr[data-asset="${LAMP}"]`);
    await row.waitFor();
    const cells = await cellsOf(row);
    expect(cells.slice(0, 4)).toEqual([LAMP, "lampadaire (éclairage public)", "Audun-le-Tiche", "en panne"]);
    expect(cells[5]).toBe("—");
    expect(cells[6]).toBe("des habitants");
    expect(await row.locator("a").getAttribute("href")).toBe(`/signaler?asset=${LAMP}`);
    expect(await page.locator("#outages-list tbody tr").count()).toBe(outages.length);
    const out = outages.filter((o) => o.status === "out").length;
    expect(await page.locator("#status").textContent()).toBe(
      `En panne : ${out}. Prises en charge : 0. Réparées ces 30 derniers jours : 0.`,
    );
    // The marker: an SVG shape carrying its asset and state, no tile, a legend in words.
    const marker = page.locator(`#rp-map path[data-asset="${LAMP}"]`);
    expect(await marker.getAttribute("data-status")).toBe("out");
    expect(await page.locator(".leaflet-tile-pane img").count()).toBe(0);
    expect(await page.locator("#map-legend").textContent()).toContain("prise en charge");
    await marker.click();
    const popup = page.locator(".leaflet-popup-content");
    await popup.waitFor();
    expect(await popup.textContent()).toContain("Audun-le-Tiche");
    expect(await popup.locator("a").getAttribute("href")).toBe(`/signaler?asset=${LAMP}`);
    await saveScreenshot(page, "reports-outages-fr");
    // Filters: a state with no outage empties both views; the lamp's commune keeps it.
    await page.locator("#filter-status").selectOption("repaired");
    expect(await page.locator("#shown").textContent()).toBe("Aucune panne ne correspond à ces filtres.");
    expect(await page.locator("#outages-list tbody tr").count()).toBe(0);
    expect(await page.locator("#rp-map path.rp-marker").count()).toBe(0);
    await page.locator("#filter-status").selectOption("out");
    await page.locator("#filter-commune").selectOption("57038");
    expect(await row.isVisible()).toBe(true);
    expect(await page.locator("#shown").textContent()).toMatch(/^Affichées : \d+ sur \d+\.$/);
    expect(cspErrors).toEqual([]);
  });

  it("says that a second report on the same lamp joined the case already open", async () => {
    expect(firstReference).toBeDefined();
    // The case must be older than the answer by more than the page's margin (a few seconds).
    const wait = firstAt + 6_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await openForm(`/signaler?asset=${LAMP}`);
    await page.locator("#asset-found").waitFor();
    await page.locator("#category-2").check();
    await page.locator("#report-form button[type=submit]").click();
    await page.locator("#result").waitFor();
    const text = (await page.locator("#result").textContent()) ?? "";
    expect(text).toContain(`Numéro de référence : ${firstReference}`);
    expect(text).toContain("Cet équipement était déjà signalé : votre signalement a été ajouté");
    const open = (await alertsOf(LAMP)).filter((a) => a.status !== "closed");
    expect(open.map((a) => a.id)).toEqual([firstReference]);
    await saveScreenshot(page, "reports-joined-fr");
  }, 20_000);

  it("says clearly when an asset is unknown or its number malformed, with the focus on the message", async () => {
    await openForm("/signaler");
    await page.locator("#asset").fill("lum-00000-9999");
    await page.locator("#asset").press("Enter");
    const message = page.locator("#message");
    await page.locator("#message.rp-error").waitFor();
    expect(await message.textContent()).toContain("Aucun équipement ne porte ce numéro");
    expect(await message.getAttribute("aria-live")).toBe("polite");
    expect(await page.evaluate(`document.activeElement.id`)).toBe("message");
    expect(await page.locator("#asset").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#asset").getAttribute("aria-describedby")).toBe("asset-hint message");
    expect(await page.locator("#asset-found").isHidden()).toBe(true);
    await saveScreenshot(page, "reports-unknown-fr");
    await page.locator("#asset").fill("pas un numéro");
    await page.locator("#asset-form button[type=submit]").click();
    await page.locator("#message", { hasText: "n'a pas la forme attendue" }).waitFor();
    // A known asset after an error clears it; the container is found too.
    await page.locator("#asset").fill(CONTAINER);
    await page.locator("#asset").press("Enter");
    await page.locator("#asset-found").waitFor();
    expect(await page.locator("#asset-facts").textContent()).toContain("conteneur à déchets");
    expect(await page.evaluate(`document.activeElement.id`)).toBe("found-title");
    expect(await page.locator("#asset").getAttribute("aria-invalid")).toBeNull();
    expect(await message.textContent()).toBe("");
    // Sending without a choice says so.
    await page.locator("#report-form button[type=submit]").click();
    await page.locator("#message", { hasText: "Choisissez le problème" }).waitFor();
    expect(cspErrors).toEqual([]);
  });

  it("says when the reports are throttled or the network fails, and sends nothing else", async () => {
    const sent: string[] = [];
    await page.route("**/opendata/reports", async (route) => {
      sent.push(route.request().postData() ?? "");
      if (sent.length === 1) {
        await route.fulfill({
          status: 429,
          json: { statusCode: 429, code: "ERR_REPORT_THROTTLED", error: "Too Many Requests", message: "x" },
        });
      } else {
        await route.abort("failed");
      }
    });
    await openForm(`/report?asset=${CONTAINER}`);
    await page.locator("#asset-found").waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("#asset-facts").textContent()).toContain("waste container");
    await page.locator("#category-0").check();
    await page.locator("#report-form button[type=submit]").click();
    await page.locator("#message", { hasText: "Too many reports" }).waitFor();
    expect(await page.locator("#message").textContent()).toContain("Try again in an hour");
    expect(await page.evaluate(`document.activeElement.id`)).toBe("message");
    await page.locator("#report-form button[type=submit]").click();
    await page.locator("#message", { hasText: "The server does not answer" }).waitFor();
    // The body is the asset and the category, nothing else.
    expect(sent.map((b) => JSON.parse(b))).toEqual([
      { asset: CONTAINER, category: "plein" },
      { asset: CONTAINER, category: "plein" },
    ]);
    await saveScreenshot(page, "reports-throttled-en");
    expect(cspErrors).toEqual([]);
  });

  it("is in English at /report and /outages, and the footer and the catalogue link to both", async () => {
    await openForm(`/report?asset=${LAMP}`);
    await page.locator("#asset-found").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Report a fault");
    expect(await page.locator("#asset-facts").textContent()).toContain("street lamp");
    expect(
      await page.locator("#category-choices label").evaluateAll((n) => n.map((e) => e.textContent)),
    ).toEqual(["Dark at night", "Lit in daylight", "Damaged lantern or pole"]);
    expect(await page.locator("#privacy").textContent()).toContain("Nothing personal");
    expect(await page.locator('.site-footer a[data-local-path="/pannes"]').getAttribute("href")).toBe(
      "/pannes?lang=en",
    );
    await saveScreenshot(page, "reports-form-en");
    await openOutages("/outages");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    const row = page.locator(`#outages-list tbody tr[data-asset="${LAMP}"]`);
    expect((await cellsOf(row))[3]).toBe("out of order");
    expect(await row.locator("a").getAttribute("href")).toBe(`/report?asset=${LAMP}`);
    await saveScreenshot(page, "reports-outages-en");
    await page.goto(`${t.apiUrl}/donnees`);
    expect(await page.locator('main a[data-local-path="/signaler"]').getAttribute("href")).toBe("/signaler");
    expect(await page.locator('main a[data-local-path="/pannes"]').getAttribute("href")).toBe("/pannes");
    expect(await page.locator('.site-footer a[href="/signaler"]').count()).toBe(1);
  });

  it("says when there is no outage, and draws five thousand on one canvas with a paged table", async () => {
    await page.route("**/opendata/outages", (route) => route.fulfill({ json: { outages: [] } }));
    await openOutages("/pannes");
    expect(await page.locator("#status").textContent()).toBe("Aucune panne en cours.");
    expect(await page.locator("#map-section").isHidden()).toBe(true);
    expect(await page.locator("#table-section").isHidden()).toBe(true);
    await saveScreenshot(page, "reports-outages-empty-fr");
    await page.unrouteAll();
    const statuses = ["out", "in-hand", "repaired"] as const;
    const many: ApiOutage[] = Array.from({ length: 5000 }, (_, i) => ({
      asset: `lum-57038-${String(i).padStart(4, "0")}`,
      domain: "streetlight",
      commune: "57038",
      commune_name: "Audun-le-Tiche",
      lat: 49.45 + (i % 100) * 0.001,
      lon: 5.9 + Math.floor(i / 100) * 0.002,
      status: statuses[i % 3] ?? "out",
      since: new Date(Date.now() - i * 60_000).toISOString(),
      repaired_at: i % 3 === 2 ? new Date().toISOString() : null,
      reported_by_residents: i % 2 === 0,
      detected_by_sensors: true,
    }));
    await page.route("**/opendata/outages", (route) => route.fulfill({ json: { outages: many } }));
    await openOutages("/pannes");
    await page.locator("#outages-list tbody tr").first().waitFor();
    expect(await page.locator("#rp-map canvas").count()).toBe(1);
    expect(await page.locator("#rp-map path.rp-marker").count()).toBe(0);
    expect(await page.locator("#outages-list tbody tr").count()).toBe(100);
    expect(await page.locator("#outages-table .od-rows").textContent()).toBe("Lignes 1 à 100 sur 5000.");
    expect(await page.locator("#status").textContent()).toBe(
      "En panne : 1667. Prises en charge : 1667. Réparées ces 30 derniers jours : 1666.",
    );
    await page.locator('#outages-table button[data-page="next"]').click();
    await page.locator("#outages-table .od-rows", { hasText: "Lignes 101 à 200" }).waitFor();
    await saveScreenshot(page, "reports-outages-5000");
    expect(cspErrors).toEqual([]);
  }, 30_000);

  it("shows the API's strings as text: a commune or a category with markup runs nothing", async () => {
    const hostile = '<img src="x" onerror="window.__injected = 1"><script>window.__injected = 2</script>';
    await page.route(`**/opendata/assets/${LAMP}`, (route) =>
      route.fulfill({
        json: {
          asset: LAMP,
          domain: "streetlight",
          commune: "57038",
          commune_name: hostile,
          lat: 49.47,
          lon: 5.95,
          categories: [{ id: "eteint-la-nuit", title: hostile, titleEn: hostile }],
        },
      }),
    );
    await openForm(`/signaler?asset=${LAMP}`);
    await page.locator("#asset-found").waitFor();
    expect(await page.locator("#asset-facts").textContent()).toContain(hostile);
    expect(await page.locator("#category-choices label").textContent()).toBe(hostile);
    const outages = await publicOutages();
    await page.route("**/opendata/outages", (route) =>
      route.fulfill({ json: { outages: outages.map((o) => ({ ...o, commune_name: hostile })) } }),
    );
    await openOutages("/pannes");
    const row = page.locator(`#outages-list tbody tr[data-asset="${LAMP}"]`);
    expect((await cellsOf(row))[2]).toBe(hostile);
    expect(await page.locator("main img:not(.leaflet-marker-icon), main script").count()).toBe(0);
    expect(await page.evaluate("typeof window.__injected")).toBe("undefined");
  });

  it("has no serious or critical accessibility violation (axe-core), in French and English", async () => {
    for (const path of [`/signaler?asset=${LAMP}`, `/report?asset=${LAMP}`]) {
      await openForm(path);
      await page.locator("#asset-found").waitFor();
      const severe = await severeViolations(page);
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
    await openForm("/signaler");
    await page.locator("#asset").fill("lum-00000-9999");
    await page.locator("#asset").press("Enter");
    await page.locator("#message.rp-error").waitFor();
    expect(await severeViolations(page)).toEqual([]);
    for (const path of ["/pannes", "/outages"]) {
      await openOutages(path);
      await page.locator("#outages-list tbody tr").first().waitFor();
      const severe = await severeViolations(page);
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
  });

  it("is sent with a CSP that allows no inline script or style, runs under it, and needs no login", async () => {
    for (const path of ["/signaler", "/report", "/pannes", "/outages"]) {
      const response = await page.goto(`${t.apiUrl}${path}`);
      expect(response?.status(), path).toBe(200);
      expect(new URL(page.url()).pathname, path).toBe(path);
      const csp = response?.headers()["content-security-policy"] ?? "";
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src ")) ?? "";
      expect(scriptSrc.trim(), path).toBe("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).not.toContain("unsafe-inline");
      await page.waitForLoadState("networkidle");
    }
    await page.locator("#rp-map path.rp-marker").first().waitFor();
    expect(cspErrors).toEqual([]);
    console.info(`Report screenshots: ${SCREENSHOTS_DIR}`);
  });
});
