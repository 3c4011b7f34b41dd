import { check } from "@placemarkio/check-geojson";
import { parse } from "csv-parse/sync";
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
import { feedAndRollUp, type PostedReading } from "../helpers/each-store.ts";
import {
  basic,
  DEMO_SECRETS,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The domain pages in a real browser against the whole platform: the overview's counts as the API
 * gives them, the lighting savings of a period against a reference (the euros following the
 * tariff), the water night flow with its rising trend said in words, the waste round with its CSV
 * and GeoJSON downloads, an operator's own view without the staff's figures, data shown as text,
 * axe-core clean and a strict CSP on every page in French and English.
 */

const available = chromiumAvailable();
const HOSTILE = "<img src=x onerror=alert(1)>";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const DAY0 = Math.floor(NOW / DAY) * DAY;
const lumiere = basic("lumiere-est", DEMO_SECRETS["lumiere-est"]);
const eaux = basic("eaux-alzette", DEMO_SECRETS["eaux-alzette"]);
const collecte = basic("collecte-nord", DEMO_SECRETS["collecte-nord"]);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

// Lighting: two lamps of cabinet arm-57038-01, 2 + 1 kWh a day in the reference, 1.5 + 1 in the period.
const REFERENCE = { from: DAY0 - 10 * DAY, to: DAY0 - 8 * DAY };
const PERIOD = { from: DAY0 - 3 * DAY, to: DAY0 - 2 * DAY };
const LAMPS = [
  { id: "lum-57038-0001", reference: 2, period: 1.5 },
  { id: "lum-57038-0016", reference: 1, period: 1 },
];

function meter(device: string, range: { from: number; to: number }, perDay: number, start: number) {
  const out: PostedReading[] = [];
  for (let time = range.from - HOUR; time < range.to; time += HOUR) {
    const energy = start + (perDay * (time - range.from + HOUR)) / DAY;
    out.push({
      device,
      time,
      data: { power_state: "on", status: "ok", energy_kwh: Math.round(energy * 1e6) / 1e6 },
    });
  }
  return out;
}

const lampReadings = LAMPS.flatMap((l) => [
  ...meter(l.id, REFERENCE, l.reference, 100),
  ...meter(l.id, PERIOD, l.period, 500),
]);

// Water: the night flow of deb-54521-nord rises by 0.5 m³/h a night (a leak).
const parisHour = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Paris",
  hour: "2-digit",
  hourCycle: "h23",
});
const flowReadings: PostedReading[] = [];
for (let time = DAY0 - 4 * DAY; time < DAY0; time += HOUR) {
  const hour = Number(parisHour.format(time));
  const night = Math.floor((time - (DAY0 - 4 * DAY)) / DAY);
  const flow = hour >= 2 && hour < 5 ? 1 + 0.5 * night : 10 + (hour % 3);
  flowReadings.push({ device: "deb-54521-nord", time, data: { flow_m3h: flow } });
}

// Waste: pav-54521-002 stays at 0.85, above the default threshold.
const wasteReadings: PostedReading[] = Array.from({ length: 12 }, (_, k) => ({
  device: "pav-54521-002",
  time: NOW - 30 * 60_000 - (11 - k) * 6 * HOUR,
  data: { filling_level: 0.85 },
}));

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];
let dialogs: string[];

async function apiJson<T>(path: string, auth = technician): Promise<T> {
  const res = await fetch(`${t.apiUrl}${path}`, { headers: { authorization: auth } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Logs in through the form and lands on `next`. */
async function logIn(next: string, who: "technicien" | "collecte-nord" = "technicien"): Promise<void> {
  await logInThroughForm(page, t.apiUrl, {
    kind: who === "technicien" ? "staff" : "operator",
    identifier: who,
    secret: DEMO_SECRETS[who],
    path: `/connexion?next=${encodeURIComponent(next)}`,
  });
  await page.waitForURL((url) => `${url.pathname}${url.search}` === next);
}

/** Texts of the cells of a table's row whose header cell is `name`. */
async function row(tableId: string, name: string): Promise<string[]> {
  const r = page
    .locator(`#${tableId} tr`)
    .filter({ has: page.locator("th", { hasText: name }) })
    .first();
  await r.waitFor();
  return (await r.locator("th, td").allTextContents()).map((s) => s.replace(/\s/g, " ").trim());
}

async function computeEnergy(tariff: string): Promise<void> {
  await page.locator("#from").fill(dayOf(PERIOD.from));
  await page.locator("#to").fill(dayOf(PERIOD.to - DAY));
  await page.locator("#reference-from").fill(dayOf(REFERENCE.from));
  await page.locator("#reference-to").fill(dayOf(REFERENCE.to - DAY));
  await page.locator("#group-by").selectOption("cabinet");
  await page.locator("#tariff").fill(tariff);
  await page.locator("#energy-form button[type=submit]").click();
}

interface Overview {
  domains: { domain: string; devices: number }[];
  silent: { count: number; devices: { device: string }[] };
  operators: { operator: string }[];
  worstCommunes: { commune: string }[];
}

describe.skipIf(!available)("the domain pages", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    await feedAndRollUp(t, lumiere, lampReadings);
    await feedAndRollUp(t, eaux, flowReadings);
    await feedAndRollUp(t, collecte, wasteReadings);
  }, 120_000);
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

  it("shows the fleet's counts per domain as the API gives them, with links to the alerts and devices", async () => {
    await logIn("/");
    await page.locator("#domaines-table").waitFor();
    const api = await apiJson<Overview>("/api/v1/overview");
    expect(await page.locator("h1").textContent()).toBe("Vue d'ensemble");
    expect(await page.locator('#shell nav a[aria-current="page"]').textContent()).toBe("Vue d'ensemble");
    const labels: Record<string, string> = {
      streetlight: "éclairage public",
      water_pressure: "pression du réseau d'eau",
      waste_container: "conteneurs à déchets",
      water_flow: "débit du réseau d'eau",
    };
    for (const d of api.domains) {
      const cells = await row("domaines-table", labels[d.domain] ?? d.domain);
      expect(cells[1]).toBe(String(d.devices));
    }
    const total = api.domains.reduce((sum, d) => sum + d.devices, 0);
    expect((await row("domaines-table", "Total"))[1]).toBe(String(total));
    expect(await page.locator("#alerts-link").getAttribute("href")).toBe("/alertes");
    for (const o of api.operators) await row("flux-table", o.operator);
    if (api.silent.count > 0) {
      const first = api.silent.devices[0]?.device ?? "";
      const link = page.locator("#muets-table a", { hasText: first }).first();
      expect(await link.getAttribute("href")).toBe(`/equipements/${encodeURIComponent(first)}`);
    }
    await page.goto(`${t.apiUrl}/?lang=en`);
    await page.locator("#domaines-table").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Overview");
    expect((await row("domaines-table", "Total"))[1]).toBe(String(total));
    expect(await page.locator("#alerts-link").getAttribute("href")).toBe("/alertes?lang=en");
    expect(cspErrors).toEqual([]);
  });

  it("computes the lighting savings of a period against a reference, the euros following the tariff", async () => {
    await logIn("/eclairage");
    expect(await page.locator("#tariff").inputValue()).toBe("0,20");
    await computeEnergy("0,20");
    await page.locator("#energy-table").waitFor();
    const cabinet = await row("energy-table", "arm-57038-01");
    // Reference 3 kWh a day, period 2.5: 0.5 kWh saved, 16.7 %, 0.10 € at 0.20 €/kWh.
    expect(cabinet.slice(2)).toEqual(["2,5", "3,0", "0,5", "16,7 %", "0,10 €"]);
    const api = await apiJson<{ groups: { key: string }[] }>(
      `/api/v1/lighting/energy?from=${iso(PERIOD.from)}&to=${iso(PERIOD.to)}&referenceFrom=${iso(REFERENCE.from)}` +
        `&referenceTo=${iso(REFERENCE.to)}&groupBy=cabinet&tariff=0.2`,
    );
    expect(await page.locator("#energy-table tbody tr").count()).toBe(api.groups.length);
    expect(await page.locator("#chart svg rect").count()).toBe(api.groups.length);
    expect(await page.locator("#chart svg").getAttribute("aria-describedby")).toBe("energy-table");
    await computeEnergy("0,40");
    await expect.poll(async () => (await row("energy-table", "arm-57038-01"))[6]).toBe("0,20 €");
    await page.locator("#tariff").fill("abc");
    await page.locator("#energy-form button[type=submit]").click();
    expect(await page.locator("#form-error").textContent()).toContain("Le tarif doit être un nombre");
    expect(await page.locator("#tariff").getAttribute("aria-invalid")).toBe("true");
    expect(cspErrors).toEqual([]);
  });

  it("reaches every field and the button of the lighting form by keyboard, with a visible focus", async () => {
    await logIn("/eclairage");
    const reached: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      const now = await focused(page);
      expect(now.outline, `${now.tag} ${now.text}`).toBeGreaterThan(0);
      const id = await page.evaluate("document.activeElement.id");
      reached.push(String(id));
      if (now.tag === "BUTTON" && now.text === "Calculer") break;
    }
    expect(reached).toEqual(
      expect.arrayContaining(["from", "to", "reference-from", "reference-to", "group-by", "tariff"]),
    );
    await page.keyboard.press("Enter");
    await page.locator("#energy-table").waitFor();
  });

  it("shows the water sectors and a rising night flow in words, with its chart and table", async () => {
    await logIn("/eau");
    const meterView = page.locator('article.meter[data-device="deb-54521-nord"]');
    await meterView.waitFor();
    expect(await meterView.locator(".trend").textContent()).toMatch(
      /^Tendance en hausse : \+0,50 m³\/h par jour/,
    );
    expect(await meterView.locator("canvas").count()).toBeGreaterThan(0);
    expect(await meterView.locator("tbody tr").count()).toBeGreaterThanOrEqual(3);
    await page.locator("#pressure-sectors").waitFor();
    expect(cspErrors).toEqual([]);
  });

  it("lists a nearly full container and offers the same list as CSV and GeoJSON", async () => {
    await logIn("/dechets");
    const cells = await row("containers", "pav-54521-002");
    expect(cells[3]).toBe("85 %");
    expect(cells[6]).toBe("oui");
    await page.locator("#commune").selectOption("54521");
    await page.locator("#waste-form button[type=submit]").click();
    await expect.poll(() => page.locator("#download-csv").getAttribute("href")).toContain("commune=54521");
    expect(await page.locator("#download-csv").getAttribute("download")).not.toBeNull();
    const csvHref = (await page.locator("#download-csv").getAttribute("href")) ?? "";
    const csv = await page.request.get(`${t.apiUrl}${csvHref}`);
    expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    const pav = rows.find((r) => r.device === "pav-54521-002");
    expect(pav?.to_collect).toBe("true");
    expect(rows.every((r) => r.commune === "54521")).toBe(true);
    const geoHref = (await page.locator("#download-geojson").getAttribute("href")) ?? "";
    const geo = await page.request.get(`${t.apiUrl}${geoHref}`);
    const collection = check(await geo.text());
    expect(collection.type).toBe("FeatureCollection");
    const features = collection.type === "FeatureCollection" ? collection.features : [];
    expect(features.some((f) => f.properties?.device === "pav-54521-002")).toBe(true);
    expect(cspErrors).toEqual([]);
  });

  it("shows an operator its own view on /, without asking for the staff's figures", async () => {
    const asked: string[] = [];
    page.on("request", (request) => asked.push(new URL(request.url()).pathname));
    await logIn("/", "collecte-nord");
    await page.locator("#own-heard").waitFor();
    expect(await page.locator("#staff-view").isHidden()).toBe(true);
    expect(await page.locator("#staff-view").textContent()).toBe("");
    const own = await apiJson<{ devices: { operator: string | null }[] }>("/api/v1/devices", collecte);
    const held = own.devices.filter((d) => d.operator !== null).length;
    expect((await row("vos-equipements-table", "Total"))[1]).toBe(String(held));
    await page.locator("#own-waste").waitFor();
    expect(await page.locator("#operator-view").textContent()).not.toMatch(/lumiere-est|eaux-alzette/);
    expect(asked).not.toContain("/api/v1/overview");
    expect(cspErrors).toEqual([]);
  });

  it("says in French that the staff's pages are not an operator's", async () => {
    await logIn("/eclairage", "collecte-nord");
    await page.locator("#energy-form button[type=submit]").click();
    await expect
      .poll(() => page.locator("#status").textContent())
      .toBe("Cette page est réservée aux agents de la collectivité.");
  });

  it("shows names from data as text", async () => {
    await page.route("**/api/v1/overview", async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as Overview & {
        worstCommunes: {
          commune: string;
          devices: number;
          openAlerts: number;
          openAlertsPer100Devices: number;
        }[];
        silent: { count: number; devices: Record<string, unknown>[] };
      };
      body.worstCommunes = [{ commune: HOSTILE, devices: 1, openAlerts: 1, openAlertsPer100Devices: 100 }];
      body.silent = {
        count: 1,
        devices: [
          {
            device: HOSTILE,
            domain: "streetlight",
            commune: HOSTILE,
            operator: HOSTILE,
            lastReadingAt: null,
          },
        ],
      };
      await route.fulfill({ response, json: body });
    });
    await page.route("**/api/v1/waste/to-collect?*", async (route) => {
      const response = await route.fetch();
      if (!route.request().url().includes("format=json")) return route.fulfill({ response });
      const body = (await response.json()) as { containers: Record<string, unknown>[] };
      body.containers = [
        {
          device: HOSTILE,
          commune: HOSTILE,
          stream: HOSTILE,
          lat: 49.4,
          lon: 6,
          fillingLevel: 0.9,
          measuredAt: null,
          emptiedAt: null,
          fillRatePerDay: null,
          predictedFullAt: null,
          toCollect: true,
        },
      ];
      await route.fulfill({ response, json: body });
    });
    await logIn("/");
    await page.locator("#communes-table").waitFor();
    expect((await row("communes-table", HOSTILE))[0]).toBe(HOSTILE);
    const link = page.locator("#muets-table a").first();
    expect(await link.textContent()).toBe(HOSTILE);
    expect(await link.getAttribute("href")).toBe(`/equipements/${encodeURIComponent(HOSTILE)}`);
    expect(await page.locator("main img").count()).toBe(0);
    await page.goto(`${t.apiUrl}/dechets`);
    expect((await row("containers", HOSTILE))[1]).toBe(HOSTILE);
    expect(await page.locator("#commune option", { hasText: HOSTILE }).count()).toBe(1);
    expect(await page.locator("main img").count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("has no serious or critical accessibility violation and a strict CSP on every page, in French and English", async () => {
    await logIn("/");
    const meterChart = 'article.meter[data-device="deb-54521-nord"] canvas';
    const pages: Array<[string, string, "fr" | "en"]> = [
      ["/", "#domaines-table", "fr"],
      ["/?lang=en", "#domaines-table", "en"],
      ["/overview", "#domaines-table", "en"],
      ["/eclairage", "#energy-form", "fr"],
      ["/lighting", "#energy-form", "en"],
      ["/eau", meterChart, "fr"],
      ["/water", meterChart, "en"],
      ["/dechets", "#containers", "fr"],
      ["/waste", "#containers", "en"],
    ];
    for (const [path, ready, lang] of pages) {
      const response = await page.goto(`${t.apiUrl}${path}`);
      const csp = response?.headers()["content-security-policy"] ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      await page.locator(ready).first().waitFor();
      if (path === "/eclairage" || path === "/lighting") {
        await computeEnergy(lang === "fr" ? "0,20" : "0.20");
        await page.locator("#energy-table").waitFor();
      }
      expect(await page.locator("html").getAttribute("lang")).toBe(lang);
      const violations = await severeViolations(page);
      expect(violations, `${path}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
    }
    expect(cspErrors).toEqual([]);
  });
});
