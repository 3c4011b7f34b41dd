import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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
  reading,
  startTestPlatform,
  type TestPlatform,
  technician,
} from "../helpers/platform.ts";

/**
 * The map of the devices in a real browser against the whole platform: every device the API
 * lists is on the map (the groups' counts add up), the filters change the counts, the table
 * gives the same devices, a lamp posted defective turns to fault without a reload (live stream),
 * the instant control shows it as it was before, and the page is usable by keyboard, axe clean,
 * under the strict CSP, loading nothing from another site.
 */

const available = chromiumAvailable();
const HOSTILE = "<img src=x onerror=alert(1)>";
const LAMP = "lum-54521-0001";
const COMMUNE = "54521";

interface ApiDevice {
  id: string;
  commune: string;
  domain: string;
}

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cspErrors: string[];
let dialogs: string[];
let foreign: string[];
let devices: ApiDevice[];
/** An instant before the lamp's fault. */
let beforeFault: Date;

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${t.apiUrl}${path}`, { headers: { authorization: technician } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function defectiveLamp(lamp: string): Promise<void> {
  const res = await fetch(`${t.apiUrl}/api/v1/readings`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: basic("lumiere-est", DEMO_SECRETS["lumiere-est"]),
    },
    body: JSON.stringify({ readings: [reading(lamp, { power_state: "on", status: "defectiveLamp" })] }),
  });
  expect(res.status).toBeLessThan(300);
}

/** Logs in as the technician and opens the map (at `path`), once its devices are drawn. */
async function openMap(path = "/carte"): Promise<void> {
  await logInThroughForm(page, t.apiUrl, {
    kind: "staff",
    identifier: "technicien",
    secret: DEMO_SECRETS.technicien,
    path: `/connexion?next=${encodeURIComponent(path)}`,
  });
  await page.waitForURL((url) => url.pathname === new URL(path, "http://x").pathname);
  await page.locator("#map [data-count]").first().waitFor();
  await expect.poll(() => page.locator("#status").textContent()).toBe("");
}

/** The devices the map's markers hold, groups and single devices together. */
async function markerTotal(): Promise<number> {
  const counts = await page
    .locator("#map [data-count]")
    .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute("data-count"))));
  return counts.reduce((a, b) => a + b, 0);
}

/** The counts per state shown as text. */
async function stateCounts(): Promise<Record<string, number>> {
  const entries = await page
    .locator("#counts li")
    .evaluateAll((nodes) =>
      nodes.map((n) => [
        n.getAttribute("data-condition") ?? "",
        Number(n.querySelector("strong")?.textContent),
      ]),
    );
  return Object.fromEntries(entries);
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe.skipIf(!available)("the map of the devices", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    devices = (await api<{ devices: ApiDevice[] }>("/api/v1/devices")).devices;
    await t.platform.alerts.raise(
      {
        ruleId: "ccphva-water-pressure/test",
        subject: "pre-54521-001",
        severity: "major",
        domain: "water_pressure",
        commune: COMMUNE,
        operatorId: "eaux-alzette",
        detail: HOSTILE,
      },
      Date.now() - 60_000,
    );
    // Readings and alerts are stamped to the millisecond: leave a clear gap before the fault.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    beforeFault = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    ({ context, page, cspErrors } = await newPage(browser));
    dialogs = [];
    foreign = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("request", (request) => {
      if (!request.url().startsWith(t.apiUrl) && !request.url().startsWith("data:"))
        foreign.push(request.url());
    });
  });
  afterEach(async () => {
    await context?.close();
  });

  it("shows every device the API lists, the groups' counts adding up, with the counts per state", async () => {
    await openMap();
    expect(devices.length).toBeGreaterThan(1000);
    expect(await page.locator("h1").textContent()).toBe("Carte des équipements");
    expect(await page.locator('#shell nav a[aria-current="page"]').textContent()).toBe("Carte");
    expect(await markerTotal()).toBe(devices.length);
    // Thousands of devices, a few dozen markers.
    expect(await page.locator("#map [data-count]").count()).toBeLessThan(300);
    expect(sum(await stateCounts())).toBe(devices.length);
    expect(await page.locator("#shown").textContent()).toBe(`${devices.length} équipements affichés.`);
    // The communes' outlines, named: the territory's imported ones, so none is a hull (whose name says so).
    expect(await page.locator("#map .map-commune-name").count()).toBeGreaterThan(0);
    // (a redraw fades the former names out for a moment)
    await expect.poll(() => page.locator("#map .map-commune-name", { hasText: "Thil" }).count()).toBe(1);
    expect(await page.locator("#map .map-commune-name span[title]").count()).toBe(0);
    // Leaflet's stylesheet comes from Lanterne, and nothing from another site.
    const sheets = await page.evaluate(`[...document.styleSheets].map((s) => s.href)`);
    expect(sheets).toContain(`${t.apiUrl}/assets/leaflet/leaflet.css`);
    expect(foreign).toEqual([]);
    expect(cspErrors).toEqual([]);
  });

  it("changes the counts with the filters, and lists the same devices in the table", async () => {
    await openMap();
    const inCommune = devices.filter((d) => d.commune === COMMUNE);
    await page.locator("#filter-commune").selectOption(COMMUNE);
    await expect
      .poll(() => page.locator("#shown").textContent())
      .toBe(`${inCommune.length} équipements affichés.`);
    expect(sum(await stateCounts())).toBe(inCommune.length);
    await expect.poll(markerTotal).toBe(inCommune.length);
    const lights = inCommune.filter((d) => d.domain === "streetlight");
    await page.locator("#filter-domain").selectOption("streetlight");
    await expect.poll(async () => sum(await stateCounts())).toBe(lights.length);

    const toggle = page.locator("#table-toggle");
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    const rows = page.locator("#table-panel tbody tr");
    expect(await rows.count()).toBe(lights.length);
    const ids = await page.locator("#table-panel tbody tr th a").allTextContents();
    expect(ids.sort()).toEqual(lights.map((d) => d.id).sort());
    expect(await page.locator(`#table-panel tr[data-device-id="${LAMP}"] a`).getAttribute("href")).toBe(
      `/equipements/${LAMP}`,
    );
    // Without filter the table stops at 500 rows and says so.
    await page.locator("#filter-commune").selectOption("");
    await page.locator("#filter-domain").selectOption("");
    await expect.poll(() => rows.count()).toBe(500);
    expect(await page.locator("#table-panel .notice").textContent()).toContain(String(devices.length));
    // The alert's detail is text, not markup.
    await page.locator("#alert-list li", { hasText: HOSTILE }).waitFor();
    expect(await page.locator("#alert-list img").count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("turns a lamp posted defective to fault without a reload, and shows it before the fault at an instant", async () => {
    await openMap();
    await page.locator("#filter-commune").selectOption(COMMUNE);
    await page.locator("#table-toggle").click();
    const row = page.locator(`#table-panel tr[data-device-id="${LAMP}"]`);
    const before = await row.getAttribute("data-condition");
    expect(before === "ok" || before === "unknown").toBe(true);
    const faults = (await stateCounts()).fault ?? 0;
    await expect.poll(() => page.locator("#view").getAttribute("data-live")).toBe("open");
    await page.evaluate("window.__sameDocument = true");
    await defectiveLamp(LAMP);
    await expect.poll(() => row.getAttribute("data-condition"), { timeout: 8000 }).toBe("fault");
    expect((await stateCounts()).fault).toBe(faults + 1);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    await page.locator("#alert-list li", { hasText: LAMP }).waitFor({ timeout: 8000 });

    // The instant control: back before the fault, the address keeps it.
    const field = page.locator("#instant-at");
    const local = (await page.evaluate(`(() => { const d = new Date(${beforeFault.getTime()});
      const p = (n) => String(n).padStart(2, "0");
      return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" +
        p(d.getMinutes()) + ":" + p(d.getSeconds()); })()`)) as string;
    await field.fill(local);
    await page.locator("#instant button[type=submit]").click();
    await expect.poll(() => new URL(page.url()).searchParams.get("at")).not.toBeNull();
    await expect.poll(() => row.getAttribute("data-condition")).not.toBe("fault");
    expect(await page.locator("#view").textContent()).toMatch(/^Vue au /);
    expect(await page.locator("#alert-list li", { hasText: LAMP }).count()).toBe(0);

    // Back to now: the fault again.
    await page.locator("#instant-now").click();
    await expect.poll(() => new URL(page.url()).searchParams.get("at")).toBeNull();
    await expect.poll(() => row.getAttribute("data-condition")).toBe("fault");
    expect(cspErrors).toEqual([]);
  });

  it("opens a shared view at an instant from its address", async () => {
    await openMap(`/carte?at=${encodeURIComponent(beforeFault.toISOString())}`);
    expect(await page.locator("#instant-at").inputValue()).not.toBe("");
    await page.locator("#filter-commune").selectOption(COMMUNE);
    await page.locator("#table-toggle").click();
    const state = await page
      .locator(`#table-panel tr[data-device-id="${LAMP}"]`)
      .getAttribute("data-condition");
    expect(state === "ok" || state === "unknown").toBe(true);
    const at = await api<{ devices: Array<{ id: string; condition: string }> }>(
      `/api/v1/devices?at=${encodeURIComponent(beforeFault.toISOString())}&commune=${COMMUNE}`,
    );
    expect(state).toBe(at.devices.find((d) => d.id === LAMP)?.condition);
  });

  it("reaches the time control, the filters and the table with Tab, each with a visible focus", async () => {
    await openMap();
    const wanted = new Set([
      "instant-at",
      "instant-now",
      "filter-domain",
      "filter-commune",
      "filter-operator",
      "filter-condition",
      "map",
      "table-toggle",
    ]);
    const reached = new Set<string>();
    for (let i = 0; i < 80 && reached.size < wanted.size; i++) {
      await page.keyboard.press("Tab");
      const id = (await page.evaluate("document.activeElement.id")) as string;
      if (wanted.has(id)) {
        expect((await focused(page)).outline, `${id} has a visible focus`).toBeGreaterThanOrEqual(2);
        reached.add(id);
      }
    }
    expect([...reached].sort()).toEqual([...wanted].sort());
    // The table opens from the keyboard.
    await page.locator("#table-toggle").focus();
    await page.keyboard.press("Enter");
    expect(await page.locator("#table-toggle").getAttribute("aria-expanded")).toBe("true");
  });

  it("has no serious or critical accessibility violation in either language, under a CSP without 'unsafe-inline'", async () => {
    await openMap();
    await page.locator("#table-toggle").click();
    const severe = await severeViolations(page);
    expect(severe, JSON.stringify(severe, null, 2)).toEqual([]);
    const response = await page.goto(`${t.apiUrl}/map`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await page.locator("#map [data-count]").first().waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("h1").textContent()).toBe("Map of the devices");
    await expect.poll(() => page.locator("#shown").textContent()).toBe(`${devices.length} devices shown.`);
    expect((await severeViolations(page)).map((v) => v.id)).toEqual([]);
    expect(cspErrors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});

/** A transparent 1×1 PNG: what the tile server below answers for every tile. */
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

describe.skipIf(!available)("the map over a configured tile server", () => {
  let tileServer: Server;
  let tileOrigin: string;
  const tiles: string[] = [];

  beforeAll(async () => {
    tileServer = createServer((request, response) => {
      tiles.push(request.url ?? "");
      response.writeHead(200, { "content-type": "image/png", "content-length": PIXEL.length });
      response.end(PIXEL);
    });
    await new Promise<void>((resolve) => tileServer.listen(0, "127.0.0.1", resolve));
    tileOrigin = `http://127.0.0.1:${(tileServer.address() as AddressInfo).port}`;
    [t, browser] = await Promise.all([
      startTestPlatform({ mapTiles: `${tileOrigin}/{z}/{x}/{y}.png`, mapAttribution: HOSTILE }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => tileServer?.close(resolve));
  });

  it("requests the tiles from that server only, allowed by the CSP, its attribution shown as text", async () => {
    ({ context, page, cspErrors } = await newPage(browser));
    dialogs = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    try {
      const config = await api<{ tiles: string | null }>("/api/v1/map/config");
      expect(config.tiles).toBe(`${tileOrigin}/{z}/{x}/{y}.png`);
      await openMap();
      await expect.poll(() => tiles.length).toBeGreaterThan(0);
      expect(tiles.every((path) => /^\/\d+\/\d+\/\d+\.png$/.test(path))).toBe(true);
      const response = await page.goto(`${t.apiUrl}/carte`);
      const csp = response?.headers()["content-security-policy"] ?? "";
      expect(csp).toContain(`img-src 'self' ${tileOrigin} data:;`);
      expect(csp).not.toContain("*");
      await page.locator("#map .leaflet-tile-loaded").first().waitFor();
      expect(await page.locator("#map .leaflet-control-attribution").textContent()).toContain(HOSTILE);
      expect(await page.locator("#map .leaflet-control-attribution img").count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(cspErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
