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
import { admin, basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * The public open-data pages in a real browser, against the whole platform on 127.0.0.1, with a
 * dataset published as the open channel's integration test does (containers' readings over two
 * weeks, rollups, an administrator's approval, the publisher's run): the catalogue lists the
 * published dataset and not the unapproved one; the dataset's page shows its chart, a map with a
 * shape per place, a paged table where secret figures read as such and no device is named, its
 * downloads and changelog; both pass axe in French and English, run under the strict CSP, are
 * usable with the keyboard, and show the API's strings as text.
 */

const available = chromiumAvailable();

const DATASET = "dechets-taux-de-remplissage";
const UNAPPROVED = "dechets-conteneurs-pleins";
const DAY = 86_400_000;
/** Containers per commune: 57565 has 3 (under the contract's 5), 57603 is hidden with it. */
const FED: Record<string, number> = { "57038": 12, "54580": 9, "57603": 6, "57565": 3 };
/** Fourteen days of four communes: 56 figures, more than one page of the table (50). */
const DAYS = 14;
const DEVICE_ID = /pav-\d{5}-\d{3}/;

interface ApiDataset {
  id: string;
  title: string;
  downloads?: Record<string, number>;
}
interface ApiRecords {
  total: number;
  records: Array<{ place_code: string; place_name: string; status: string; value: number | null }>;
}

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];

async function seed(): Promise<void> {
  const collector = basic("collecte-nord", DEMO_SECRETS["collecte-nord"]);
  const today = Math.floor(Date.now() / DAY) * DAY;
  for (let back = DAYS + 1; back >= 2; back--) {
    const day = today - back * DAY;
    const readings = Object.entries(FED).flatMap(([commune, count]) =>
      Array.from({ length: count }, (_, i) => i + 1).flatMap((i) =>
        [6, 12, 18].map((h) => ({
          device: `pav-${commune}-${String(i).padStart(3, "0")}`,
          time: new Date(day + h * 3_600_000).toISOString(),
          data: { filling_level: ((i * 7 + h + back * 5 + commune.length) % 100) / 100 },
        })),
      ),
    );
    const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
      method: "POST",
      body: JSON.stringify({ readings }),
      headers: { "content-type": "application/json", authorization: collector },
    });
    expect(res.status).toBe(200);
  }
  await t.platform.rollups.pass();
  const approved = await fetch(`${t.apiUrl}/api/v1/opendata/datasets/${DATASET}/approve`, {
    method: "POST",
    headers: { authorization: admin },
  });
  expect(approved.status).toBe(200);
  await t.platform.publisher.run();
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${t.apiUrl}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

describe.skipIf(!available)("the open-data pages", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    await seed();
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

  async function openCatalogue(path: string): Promise<void> {
    const response = await page.goto(`${t.apiUrl}${path}`);
    expect(response?.status()).toBe(200);
    await page.locator("[data-dataset]").first().waitFor();
  }

  /** The dataset's page, once its table, chart, map and changelog are drawn. */
  async function openDataset(path: string): Promise<void> {
    const response = await page.goto(`${t.apiUrl}${path}`);
    expect(response?.status()).toBe(200);
    await page.locator("#figures tbody tr").first().waitFor();
    await page.locator("#chart canvas").first().waitFor();
    await page.locator("#od-map path.od-place").first().waitFor();
    await page.locator("#changelog table").waitFor();
  }

  it("lists the published dataset, not the unapproved one, with its facts and downloads", async () => {
    const catalog = await api<{ datasets: ApiDataset[] }>("/opendata/catalog");
    expect(catalog.datasets.map((d) => d.id)).toEqual([DATASET]);
    await openCatalogue("/donnees");
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    expect(await page.locator("h1").textContent()).toBe("Données ouvertes");
    expect(await page.locator(".lead").textContent()).toContain("secret statistique");
    const ids = await page
      .locator("[data-dataset]")
      .evaluateAll((n) => n.map((e) => e.getAttribute("data-dataset")));
    expect(ids).toEqual([DATASET]);
    expect(await page.locator(`[data-dataset="${UNAPPROVED}"]`).count()).toBe(0);
    const card = page.locator(`[data-dataset="${DATASET}"]`);
    const title = card.locator("h2 a");
    // Set as text from the API's own string.
    expect(await title.textContent()).toBe(catalog.datasets[0]?.title);
    expect(await title.getAttribute("href")).toBe(`/donnees/${DATASET}`);
    const text = (await card.textContent()) ?? "";
    for (const word of ["Licence", "quotidienne", "commune", "Période couverte", "Dernière mise à jour"]) {
      expect(text).toContain(word);
    }
    expect(await card.locator('a[rel="license"]').getAttribute("href")).toMatch(/^https:\/\//);
    const downloads = await card
      .locator("a[data-format]")
      .evaluateAll((n) => n.map((e) => e.getAttribute("href")));
    expect(downloads).toEqual(
      ["csv", "json", "geojson", "parquet"].map((f) => `/opendata/datasets/${DATASET}/data.${f}`),
    );
    expect(await page.locator('a[href="/opendata/catalog.jsonld"]').count()).toBe(1);
    expect(await page.locator('a[href="/opendata/catalog.ttl"]').count()).toBe(1);
    // The filter hides what does not match and says so.
    await page.locator("#filter").fill("éclairage");
    expect(await card.isHidden()).toBe(true);
    expect(await page.locator("#shown").textContent()).toBe(
      "Aucun jeu de données ne correspond à ce filtre.",
    );
    await page.locator("#filter").fill("dechets");
    expect(await card.isVisible()).toBe(true);
    await saveScreenshot(page, "opendata-catalogue-fr");
    expect(cspErrors).toEqual([]);
  });

  it("shows a dataset: its title from the API, chart, map per place, paged table with secrecy, downloads, changelog", async () => {
    const meta = await api<ApiDataset>(`/opendata/datasets/${DATASET}`);
    const latest = await api<{ features: Array<{ properties: { place_code: string } }> }>(
      `/opendata/datasets/${DATASET}/data.geojson?from=${encodeURIComponent(
        (await api<{ last_period: string }>(`/opendata/datasets/${DATASET}`)).last_period,
      )}`,
    );
    await openDataset(`/donnees/${DATASET}`);
    expect(await page.locator("h1").textContent()).toBe(meta.title);
    expect(await page.title()).toBe(`${meta.title} — Lanterne`);
    const about = (await page.locator("#about").textContent()) ?? "";
    expect(about).toContain("5 équipements au moins par chiffre");
    expect(about).toContain("ccphva-waste-container, version 1.0.0");
    // The chart: a canvas, a line per place in its legend, and the caption on secrecy.
    expect(await page.locator("#chart canvas").count()).toBeGreaterThan(0);
    expect(await page.locator(".od-legend-lines li").count()).toBe(Object.keys(FED).length);
    expect(await page.locator("#chart figcaption").textContent()).toContain("secret statistique");
    // The map: one shape per place of the latest period, each placed by its code.
    const places = await page
      .locator("#od-map path.od-place")
      .evaluateAll((n) => n.map((e) => e.getAttribute("data-place")).sort());
    expect(places).toEqual(latest.features.map((f) => f.properties.place_code).sort());
    expect(await page.locator("#od-map path.od-place-secret").count()).toBe(2);
    expect(await page.locator(".leaflet-tile-pane img").count()).toBe(0);
    // The table: 50 rows of 56, secret figures as words, never a device.
    const records = await api<ApiRecords>(`/opendata/datasets/${DATASET}/records?limit=1000`);
    expect(records.total).toBe(DAYS * Object.keys(FED).length);
    expect(await page.locator("#figures tbody tr").count()).toBe(50);
    expect(await page.locator("#figures .od-rows").textContent()).toBe(`Lignes 1 à 50 sur ${records.total}.`);
    const secretRows = page.locator('#figures tbody tr[data-status^="suppressed"]');
    expect(await secretRows.count()).toBeGreaterThan(0);
    for (const cells of await secretRows.evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent)),
    )) {
      expect(cells[1]).toBe("secret statistique");
      expect(cells[2]).toBe("—");
    }
    const rédange = page.locator('#figures tbody tr[data-status="suppressed-primary"]').first();
    expect(await rédange.textContent()).toContain("Rédange (57565)");
    const body = (await page.locator("main").textContent()) ?? "";
    expect(body).not.toMatch(DEVICE_ID);
    expect(body).not.toContain("collecte-nord");
    // Downloads with their counts, and the changelog with its reasons.
    const links = await page
      .locator("#downloads a[data-format]")
      .evaluateAll((n) => n.map((e) => e.getAttribute("href")));
    expect(links).toEqual(
      ["csv", "json", "geojson", "parquet"].map((f) => `/opendata/datasets/${DATASET}/data.${f}`),
    );
    expect(await page.locator('#downloads li[data-format="csv"]').textContent()).toContain(
      "pas encore téléchargé",
    );
    expect(await page.locator("#changelog tbody tr").count()).toBe(20);
    expect(await page.locator("#changelog tbody").textContent()).toContain("première publication");
    await saveScreenshot(page, "opendata-dataset-fr");
    expect(cspErrors).toEqual([]);
  });

  it("is in English at /data and /data/<id>, and through the language switch", async () => {
    await openCatalogue("/data");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("h1").textContent()).toBe("Open data");
    expect(await page.locator(`[data-dataset="${DATASET}"] h2 a`).getAttribute("href")).toBe(
      `/data/${DATASET}`,
    );
    expect(await page.locator('.site-footer a[data-local-path="/donnees"]').getAttribute("href")).toBe(
      "/donnees?lang=en",
    );
    await saveScreenshot(page, "opendata-catalogue-en");
    await openDataset(`/data/${DATASET}`);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("#figures caption").textContent()).toBe(
      "Published figures, by period and place",
    );
    expect(await page.locator('#figures tbody tr[data-status^="suppressed"] td').nth(1).textContent()).toBe(
      "statistical secrecy",
    );
    await saveScreenshot(page, "opendata-dataset-en");
    await openDataset(`/donnees/${DATASET}`);
    await page.locator('.lang-switch a[hreflang="en"]').click();
    await page.waitForURL(/lang=en/);
    await page.locator("#figures tbody tr").first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/donnees/${DATASET}`);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("#table-title").textContent()).toBe("Table of the figures");
  });

  it("has no serious or critical accessibility violation (axe-core), in French and English", async () => {
    for (const path of ["/donnees", "/data"]) {
      await openCatalogue(path);
      const severe = await severeViolations(page);
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
    for (const path of [`/donnees/${DATASET}`, `/data/${DATASET}`]) {
      await openDataset(path);
      const severe = await severeViolations(page);
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
  });

  it("is sent with a CSP that allows no inline script or style, and runs under it without a violation", async () => {
    for (const path of ["/donnees", `/donnees/${DATASET}`]) {
      const response = await page.goto(`${t.apiUrl}${path}`);
      const csp = response?.headers()["content-security-policy"] ?? "";
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src ")) ?? "";
      expect(scriptSrc.trim(), path).toBe("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).not.toContain("unsafe-inline");
      await page.waitForLoadState("networkidle");
    }
    await page.locator("#od-map path.od-place").first().waitFor();
    expect(cspErrors).toEqual([]);
  });

  it("reaches the download links and the table's paging with Tab, with a visible focus, and pages with Enter", async () => {
    await openDataset(`/donnees/${DATASET}`);
    const reached = new Set<string>();
    for (let i = 0; i < 80 && !(reached.has("next") && reached.has("parquet")); i++) {
      await page.keyboard.press("Tab");
      const f = await focused(page);
      const key = (await page.evaluate(
        `(() => { const e = document.activeElement; return e.getAttribute("data-page") || e.getAttribute("data-format") || ""; })()`,
      )) as string;
      if (key === "") continue;
      expect(f.outline, `${key} has a visible focus`).toBeGreaterThanOrEqual(2);
      reached.add(key);
    }
    expect([...reached].sort()).toEqual(["csv", "geojson", "json", "next", "parquet", "previous"]);
    // Back to the "next" button: Enter shows the second page and the focus stays on the button.
    await page.locator('#figures button[data-page="next"]').focus();
    await page.keyboard.press("Enter");
    await page.locator("#figures .od-rows", { hasText: "Lignes 51 à" }).waitFor();
    expect(await page.locator("#figures tbody tr").count()).toBe(DAYS * Object.keys(FED).length - 50);
    expect(await page.evaluate(`document.activeElement.getAttribute("data-page")`)).toBe("next");
    expect(await page.locator('#figures button[data-page="next"]').getAttribute("aria-disabled")).toBe(
      "true",
    );
    expect(await page.locator('#figures button[data-page="previous"]').getAttribute("aria-disabled")).toBe(
      "false",
    );
  });

  it("shows the API's strings as text: a title with markup runs nothing", async () => {
    const meta = await api<ApiDataset & Record<string, unknown>>(`/opendata/datasets/${DATASET}`);
    const hostile = '<img src="x" onerror="window.__injected = 1"><script>window.__injected = 2</script>';
    await page.route(`**/opendata/datasets/${DATASET}`, (route) =>
      route.fulfill({ json: { ...meta, title: hostile, description: hostile } }),
    );
    await openDataset(`/donnees/${DATASET}`);
    expect(await page.locator("h1").textContent()).toBe(hostile);
    expect(await page.locator("#about .od-description").textContent()).toBe(hostile);
    expect(await page.locator("main img:not(.leaflet-marker-icon), main script").count()).toBe(0);
    expect(await page.evaluate("typeof window.__injected")).toBe("undefined");
  });

  it("says clearly when a dataset does not exist", async () => {
    const response = await page.goto(`${t.apiUrl}/donnees/jeu-qui-n-existe-pas`);
    expect(response?.status()).toBe(200);
    await page.locator("#not-found").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Jeu de données introuvable");
    expect(await page.locator("#not-found").textContent()).toContain("Aucun jeu de données publié");
    expect(await page.locator("#not-found a").getAttribute("href")).toBe("/donnees");
    expect(await page.locator("[data-od-section]:visible").count()).toBe(0);
    // Unapproved is the same as absent for the public.
    await page.goto(`${t.apiUrl}/donnees/${UNAPPROVED}`);
    await page.locator("#not-found").waitFor();
    await saveScreenshot(page, "opendata-not-found");
    console.info(`Open-data screenshots: ${SCREENSHOTS_DIR}`);
  });
});
