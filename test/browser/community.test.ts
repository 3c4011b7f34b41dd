import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  focused,
  launchBrowser,
  newPage,
  saveScreenshot,
  severeViolations,
} from "../helpers/browser.ts";
import { admin, basic, DEMO_SECRETS, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * Re-users on the public pages, in a real browser against the whole platform: a reuse declared
 * through the dataset page's form is not shown until an administrator publishes it
 * (POST /api/v1/community/reuses/:id/moderate), then is, as text with a rel="nofollow ugc noopener"
 * link; a question asked through the form is shown with its answer once answered; the page of
 * every reuse counts reuses and downloads per dataset. axe, the CSP and the keyboard as elsewhere.
 */

const available = chromiumAvailable();

const DATASET = "dechets-taux-de-remplissage";
const DAY = 86_400_000;
const FED: Record<string, number> = { "57038": 12, "54580": 9, "57603": 6 };
const DAYS = 3;
const HOSTILE = '<img src="x" onerror="window.__injected = 1">Carte <b>du</b> remplissage';
const URL_OF_REUSE = "https://exemple.fr/carte-des-conteneurs?src=lanterne";
const QUESTION = "Pourquoi certains chiffres sont-ils masqués ? <script>window.__injected = 2</script>";
const ANSWER = "Par secret statistique : moins de 5 conteneurs derrière le chiffre.";

const t: TestPlatform | undefined = available ? await startTestPlatform() : undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];

function platform(): TestPlatform {
  if (!t) throw new Error("no platform");
  return t;
}

async function seed(): Promise<void> {
  const collector = basic("collecte-nord", DEMO_SECRETS["collecte-nord"]);
  const today = Math.floor(Date.now() / DAY) * DAY;
  for (let back = DAYS + 1; back >= 2; back--) {
    const day = today - back * DAY;
    const readings = Object.entries(FED).flatMap(([commune, count]) =>
      Array.from({ length: count }, (_, i) => i + 1).map((i) => ({
        device: `pav-${commune}-${String(i).padStart(3, "0")}`,
        time: new Date(day + 12 * 3_600_000).toISOString(),
        data: { filling_level: ((i * 7 + back * 5) % 100) / 100 },
      })),
    );
    const res = await fetch(`${platform().apiUrl}/api/v1/readings`, {
      method: "POST",
      body: JSON.stringify({ readings }),
      headers: { "content-type": "application/json", authorization: collector },
    });
    expect(res.status).toBe(200);
  }
  await platform().platform.rollups.pass();
  const approved = await call("POST", `/api/v1/opendata/datasets/${DATASET}/approve`);
  expect(approved.status).toBe(200);
  await platform().platform.publisher.run();
}

/** The API as an administrator (the bearer), or as anyone when `anonymous`. */
async function call(method: "GET" | "POST", path: string, body?: unknown, anonymous = false) {
  const headers: Record<string, string> = anonymous ? {} : { authorization: admin };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${platform().apiUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Listed {
  id: number;
  title?: string;
  text?: string;
  state: string;
}

describe.skipIf(!available)("re-users on the open-data pages", () => {
  beforeAll(async () => {
    browser = await launchBrowser();
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

  /** The dataset's page once its re-users' sections are drawn. */
  async function openDataset(path: string): Promise<void> {
    const response = await page.goto(`${platform().apiUrl}${path}`);
    expect(response?.status()).toBe(200);
    await page.locator("#reuses > *").first().waitFor();
    await page.locator("#questions > *").first().waitFor();
  }

  it("declares a reuse through the form; shows it only once an administrator publishes it, as text", async () => {
    await openDataset(`/donnees/${DATASET}`);
    expect(await page.locator("#reuses-title").textContent()).toBe("Réutilisations");
    expect(await page.locator("#reuses").textContent()).toBe("Aucune réutilisation publiée pour l'instant.");
    expect(await page.locator("#reuse-form").textContent()).toContain("ni nom, ni adresse e-mail");
    await page.locator("#reuse-title").fill(HOSTILE);
    await page.locator("#reuse-url").fill(URL_OF_REUSE);
    await page.locator("#reuse-kind").selectOption("visualisation");
    await page.locator("#reuse-description").fill("Une carte.\nMise à jour chaque semaine.");
    await page.locator("#reuse-form button[type=submit]").click();
    await page
      .locator("#reuse-result", { hasText: "Merci : votre réutilisation sera publiée après relecture." })
      .waitFor();
    expect(await page.locator("#reuse-result").getAttribute("aria-live")).toBe("polite");
    expect(await page.locator("#reuse-title").inputValue()).toBe("");

    // Pending: not public.
    expect((await call("GET", "/opendata/reuses", undefined, true)).body.reuses).toEqual([]);
    const pending = (await call("GET", "/api/v1/community/reuses?state=pending")).body.reuses as Listed[];
    expect(pending.map((r) => r.title)).toEqual([HOSTILE]);
    const id = pending[0]?.id;
    expect(
      (await call("POST", `/api/v1/community/reuses/${id}/moderate`, { decision: "published" })).status,
    ).toBe(200);

    await openDataset(`/donnees/${DATASET}`);
    const item = page.locator(`#reuses li[data-reuse="${id}"]`);
    const link = item.locator("h3 a");
    expect(await link.textContent()).toBe(HOSTILE);
    expect(await link.getAttribute("href")).toBe(URL_OF_REUSE);
    expect(await link.getAttribute("rel")).toBe("nofollow ugc noopener");
    expect(await item.locator(".od-reuse-url").textContent()).toBe(URL_OF_REUSE);
    expect(await item.textContent()).toContain("Visualisation");
    expect(await item.textContent()).toMatch(/Publiée le \d+/);
    expect(await item.locator(".od-text").textContent()).toBe("Une carte.\nMise à jour chaque semaine.");
    expect(await page.locator("main img:not(.leaflet-marker-icon), main b").count()).toBe(0);
    expect(await page.evaluate("typeof window.__injected")).toBe("undefined");
    await saveScreenshot(page, "community-dataset-fr");
    expect(cspErrors).toEqual([]);
  });

  it("asks a question through the form; shows it with the collectivity's answer once answered", async () => {
    await openDataset(`/donnees/${DATASET}`);
    expect(await page.locator("#questions").textContent()).toBe("Aucune question publiée pour l'instant.");
    await page.locator("#question-text").fill(QUESTION);
    await page.locator("#question-form button[type=submit]").click();
    await page.locator("#question-result", { hasText: "Merci : votre question" }).waitFor();
    expect(
      (await call("GET", `/opendata/questions?dataset=${DATASET}`, undefined, true)).body.questions,
    ).toEqual([]);
    const pending = (await call("GET", "/api/v1/community/questions?state=pending")).body
      .questions as Listed[];
    expect(pending.map((q) => q.text)).toEqual([QUESTION]);
    const answered = await call("POST", `/api/v1/community/questions/${pending[0]?.id}/answer`, {
      text: ANSWER,
    });
    expect(answered.status).toBe(200);

    await openDataset(`/donnees/${DATASET}`);
    const item = page.locator(`#questions li[data-question="${pending[0]?.id}"]`);
    expect(await item.locator("h3").textContent()).toMatch(/^Question du \d+/);
    expect(await item.locator(".od-text").first().textContent()).toBe(QUESTION);
    expect(await item.locator(".od-answer .od-text").textContent()).toBe(ANSWER);
    expect(await item.locator(".od-answer-title").textContent()).toContain("Réponse de la collectivité");
    expect(await page.locator("main script").count()).toBe(0);
    expect(await page.evaluate("typeof window.__injected")).toBe("undefined");
  });

  it("lists every reuse with reuses and downloads per dataset, linked from the catalogue, in French and English", async () => {
    const catalogue = await page.goto(`${platform().apiUrl}/donnees`);
    expect(catalogue?.status()).toBe(200);
    await page.locator("[data-dataset]").first().waitFor();
    expect(await page.locator("#reuses-link").getAttribute("href")).toBe("/donnees/reutilisations");
    await page.locator("#reuses-link").click();
    await page.waitForURL(/\/donnees\/reutilisations$/);
    await page.locator("#reuses li[data-reuse]").first().waitFor();
    expect(await page.locator("h1").textContent()).toBe("Réutilisations des données ouvertes");
    const meta = (await call("GET", `/opendata/datasets/${DATASET}`, undefined, true)).body as {
      title: string;
      downloads: Record<string, number>;
    };
    const downloads = Object.values(meta.downloads).reduce((a, b) => a + b, 0);
    const row = page.locator("#by-dataset tbody tr", { hasText: meta.title });
    expect(await row.locator("a").getAttribute("href")).toBe(`/donnees/${DATASET}`);
    expect(await row.locator('[data-count="reuses"]').textContent()).toBe("1");
    expect(await row.locator('[data-count="downloads"]').textContent()).toBe(String(downloads));
    const item = page.locator("#reuses li[data-reuse]");
    expect(await item.locator("h3 a").textContent()).toBe(HOSTILE);
    expect(await item.locator(".od-reuse-data a").getAttribute("href")).toBe(`/donnees/${DATASET}`);
    expect(await item.locator(".od-reuse-data a").textContent()).toBe(meta.title);
    expect(await page.locator("#status").textContent()).toBe("1 réutilisation publiée.");
    await saveScreenshot(page, "community-reuses-fr");

    await page.goto(`${platform().apiUrl}/data/reuses`);
    await page.locator("#reuses li[data-reuse]").first().waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("h1").textContent()).toBe("Reuses of the open data");
    expect(await page.locator("#reuses .od-reuse-data a").getAttribute("href")).toBe(`/data/${DATASET}`);
    await openDataset(`/data/${DATASET}`);
    expect(await page.locator("#reuses-title").textContent()).toBe("Reuses");
    expect(await page.locator("#reuse-form label[for=reuse-title]").textContent()).toBe("Title");
    expect(await page.locator("#all-reuses").getAttribute("href")).toBe("/data/reuses");
    expect(cspErrors).toEqual([]);
  });

  it("has no serious or critical accessibility violation (axe-core), in French and English", async () => {
    for (const path of [`/donnees/${DATASET}`, `/data/${DATASET}`]) {
      await openDataset(path);
      const severe = await severeViolations(page);
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
    for (const path of ["/donnees/reutilisations", "/data/reuses"]) {
      await page.goto(`${platform().apiUrl}${path}`);
      await page.locator("#reuses li[data-reuse]").first().waitFor();
      const severe = await severeViolations(page);
      expect(severe, `${path}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
    }
  });

  it("is sent with the strict CSP and runs under it without a violation", async () => {
    for (const path of ["/donnees/reutilisations", `/donnees/${DATASET}`]) {
      const response = await page.goto(`${platform().apiUrl}${path}`);
      const csp = response?.headers()["content-security-policy"] ?? "";
      const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src ")) ?? "";
      expect(scriptSrc.trim(), path).toBe("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).not.toContain("unsafe-inline");
      await page.waitForLoadState("networkidle");
    }
    expect(cspErrors).toEqual([]);
  });

  it("reaches every field and button of both forms with Tab, with a visible focus", async () => {
    await openDataset(`/donnees/${DATASET}`);
    const wanted = [
      "reuse-title",
      "reuse-url",
      "reuse-kind",
      "reuse-description",
      "reuse-send",
      "question-text",
      "question-send",
    ];
    const reached = new Set<string>();
    for (let i = 0; i < 200 && reached.size < wanted.length; i++) {
      await page.keyboard.press("Tab");
      const key = (await page.evaluate(`(() => {
        const e = document.activeElement;
        if (e.id) return e.id;
        const form = e.closest("form");
        return form && e.tagName === "BUTTON" ? form.id.replace("-form", "-send") : "";
      })()`)) as string;
      if (!wanted.includes(key)) continue;
      const f = await focused(page);
      expect(f.outline, `${key} has a visible focus`).toBeGreaterThanOrEqual(2);
      reached.add(key);
    }
    expect([...reached].sort()).toEqual([...wanted].sort());
  });
});
