import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoCredentials } from "../../cli/demo.ts";
import type { Device } from "../../services/domain/types.ts";
import { DEMO_FAULTS, type FaultEntry } from "../../simulator/faults.ts";
import { Simulator } from "../../simulator/simulator.ts";
import {
  chromiumAvailable,
  launchBrowser,
  logInThroughForm,
  newPage,
  SCREENSHOTS_DIR,
  saveScreenshot,
  severeViolations,
} from "../helpers/browser.ts";
import { DEMO_SECRETS, startTestPlatform, type TestPlatform, technician } from "../helpers/platform.ts";

/**
 * The supervision app from one end to the other, as a technician then an operator use it, against
 * a whole platform fed by the demo's simulator over MQTT: the technician logs in, sees the demo
 * fleet on the map, watches a lamp the simulator makes defective arrive on the alert desk without
 * a reload, acknowledges and closes its alert, opens the lamp's page (chart and its data table),
 * looks at the map as it was before the fault, and logs out; the water operator then finds no
 * trace of the lamp of the lighting operator. Every page passes axe-core, and each step leaves a
 * full-page screenshot in `test-results/screenshots/`.
 */

const available = chromiumAvailable();

/** The demo's defective-lamp fault, on its lamp of lumiere-est. */
const DEFECT = DEMO_FAULTS.find((e) => e.fault === "defective-lamp") as FaultEntry;
const LAMP = DEFECT.device;
/** The fault begins this long after the simulator starts: the lamp first reports healthy. */
const FAULT_AFTER_MS = 5000;
/** The lamp reports this often (wall clock), so that the fault is seen at once. */
const REPORT_EVERY_MS = 1000;

interface ApiDevice {
  id: string;
  commune: string;
  condition: string;
}

let t: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let simulator: Simulator | undefined;
let lamp: Device;
let fleet: ApiDevice[];
let cspErrors: string[];
const simulatorErrors: string[] = [];

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${t.apiUrl}${path}`, { headers: { authorization: technician } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** axe-core on the page as it is now (no serious or critical violation), then its screenshot. */
async function checkStep(step: string): Promise<void> {
  const severe = await severeViolations(page);
  expect(severe, `${step}: ${JSON.stringify(severe, null, 2)}`).toEqual([]);
  await saveScreenshot(page, step);
}

/** A link of the shell's navigation, followed as a person would. */
async function navigate(name: string, path: RegExp): Promise<void> {
  await page.locator("#shell nav").getByRole("link", { name, exact: true }).click();
  await page.waitForURL(path);
}

/** The devices the map's markers hold, groups and single devices together. */
async function markerTotal(): Promise<number> {
  const counts = await page
    .locator("#map [data-count]")
    .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute("data-count"))));
  return counts.reduce((a, b) => a + b, 0);
}

/** The counts per state the map shows as text, added up. */
async function stateTotal(): Promise<number> {
  const counts = await page
    .locator("#counts li strong")
    .evaluateAll((nodes) => nodes.map((n) => Number(n.textContent)));
  return counts.reduce((a, b) => a + b, 0);
}

/** The desk's item of the alert on this subject. */
function deskItem(subject: string) {
  return page
    .locator("#alerts li[data-alert-id]")
    .filter({ has: page.locator(".subject", { hasText: subject }) })
    .first();
}

/** The lamp's simulator: only its defective-lamp fault, a few seconds after the start. */
function startSimulator(): Simulator {
  const sim = new Simulator({
    url: t.mqttUrl,
    devices: [lamp],
    credentials: demoCredentials(),
    faults: [{ ...DEFECT, atMs: FAULT_AFTER_MS, historyMs: 0 }],
    intervalMs: { streetlight: REPORT_EVERY_MS },
    qos: 1,
    onError: (err) => simulatorErrors.push(err.message),
  });
  sim.start();
  return sim;
}

/** Shows the map at this instant (a whole second) through its control, which takes local time. */
async function showInstant(at: Date): Promise<void> {
  expect(at.getMilliseconds()).toBe(0);
  const local = (await page.evaluate(`(() => { const d = new Date(${at.getTime()});
    const p = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" +
      p(d.getMinutes()) + ":" + p(d.getSeconds()); })()`)) as string;
  await page.locator("#instant-at").fill(local);
  await page.locator("#instant button[type=submit]").click();
  await expect.poll(() => new URL(page.url()).searchParams.get("at")).toBe(at.toISOString());
}

describe.skipIf(!available)("the supervision app, from one end to the other", () => {
  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    lamp = t.platform.devices.list({}).find((d) => d.id === LAMP) as Device;
    expect(lamp?.assignments.at(-1)?.operatorId).toBe("lumiere-est");
    fleet = (await api<{ devices: ApiDevice[] }>("/api/v1/devices")).devices;
    ({ context, page, cspErrors } = await newPage(browser));
  });
  afterAll(async () => {
    await simulator?.close();
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it("takes a technician from a simulated fault to its closing, then shows an operator only its own", async () => {
    const began = Date.now();

    // 1. The login page, then the technician's login, going to the map.
    await page.goto(`${t.apiUrl}/connexion?next=${encodeURIComponent("/carte")}`);
    expect(await page.locator("h1").textContent()).toBe("Connexion");
    await checkStep("01-connexion");
    await logInThroughForm(page, t.apiUrl, {
      kind: "staff",
      identifier: "technicien",
      secret: DEMO_SECRETS.technicien,
      path: `/connexion?next=${encodeURIComponent("/carte")}`,
    });
    await page.waitForURL(/\/carte$/);

    // 2. The map: every device the API lists, the groups' counts adding up.
    await page.locator("#map [data-count]").first().waitFor();
    await expect.poll(() => page.locator("#status").textContent()).toBe("");
    expect(fleet.length).toBeGreaterThan(1000);
    expect(await page.locator("#shell .user").textContent()).toBe("Connecté : technicien (technicien)");
    expect(await markerTotal()).toBe(fleet.length);
    expect(await stateTotal()).toBe(fleet.length);
    expect(await page.locator("#shown").textContent()).toBe(`${fleet.length} équipements affichés.`);
    await checkStep("02-carte");

    // 3. The alert desk, reached from the navigation, live before anything goes wrong.
    await navigate("Alertes", /\/alertes$/);
    expect(await page.locator("h1").textContent()).toBe("Alertes");
    await expect.poll(() => page.locator("#live").textContent()).toBe("Mises à jour en direct.");
    expect(await deskItem(LAMP).count()).toBe(0);
    await page.evaluate("window.__sameDocument = true");
    await checkStep("03-alertes-avant");

    // 4. The simulator starts once the desk is live, so that the fault happens under the
    // technician's eyes: the lamp reports healthy, then defective, and its alert appears.
    const simStart = Date.now();
    simulator = startSimulator();
    const alert = deskItem(LAMP);
    await alert.waitFor({ timeout: FAULT_AFTER_MS + 10_000 });
    const appearedAfter = Date.now() - simStart;
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(await alert.getAttribute("data-status")).toBe("open");
    const id = await alert.getAttribute("data-alert-id");
    const raised = await api<{ subject: string; rule: string; openedAt: string }>(`/api/v1/alerts/${id}`);
    expect(raised.subject).toBe(LAMP);
    expect(raised.rule).toBe("ccphva-streetlight/lamp-defective");
    expect(Date.parse(raised.openedAt)).toBeGreaterThanOrEqual(simStart + FAULT_AFTER_MS - 1000);
    await checkStep("04-alerte-recue");
    // The instant control works to the second: the alert stays open past a whole second, so that
    // the map can be shown at an instant while it was (at once, unless the steps above were quick).
    const whileOpen = new Date(Math.ceil(Date.parse(raised.openedAt) / 1000) * 1000);
    await expect.poll(() => Date.now() > whileOpen.getTime() + 100).toBe(true);

    // 5. Acknowledged, then closed: it leaves the current alerts, and shows closed among all.
    await alert.locator("button[data-act=acknowledge]").click();
    await expect.poll(() => alert.getAttribute("data-status")).toBe("acknowledged");
    await checkStep("05-alerte-acquittee");
    await alert.locator("button[data-act=close]").click();
    const byId = page.locator(`#alerts li[data-alert-id="${id}"]`);
    await expect.poll(() => byId.count()).toBe(0);
    await page.locator("#filter-status").selectOption("all");
    await expect.poll(() => byId.getAttribute("data-status")).toBe("closed");
    const closed = await api<{ status: string; closedBy: string; closedAt: string }>(`/api/v1/alerts/${id}`);
    expect(closed).toMatchObject({ status: "closed", closedBy: "technicien" });
    await checkStep("06-alerte-fermee");

    // 6. The lamp's page, from the device list: its latest values, chart, data table and alert.
    await navigate("Équipements", /\/equipements$/);
    await page.locator("#list tbody tr").first().waitFor();
    await page.locator("#filter-text").fill(LAMP);
    await expect.poll(() => page.locator("#list tbody tr").count()).toBe(1);
    await checkStep("07-equipements");
    await page.locator("#list a", { hasText: LAMP }).click();
    await page.waitForURL(new RegExp(`/equipements/${LAMP}$`));
    expect(await page.locator("h1").textContent()).toBe(`Équipement ${LAMP}`);
    await page.locator("#identity dl").waitFor();
    expect(await page.locator("#identity").textContent()).toContain("lumiere-est");
    await expect.poll(() => page.locator("#latest").textContent()).toContain("defectiveLamp");
    const chart = page.locator("#charts section.chart", {
      has: page.locator("h3", { hasText: "active_power_w" }),
    });
    await chart.locator("canvas").waitFor();
    const toggle = chart.locator("button[data-toggle=data]");
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    await expect.poll(() => chart.locator("table tbody tr").count()).toBeGreaterThan(1);
    await page.locator("#alert-history table").waitFor();
    expect(await page.locator("#alert-history").textContent()).toContain("ccphva-streetlight/lamp-defective");
    await checkStep("08-equipement");

    // 7. Back to the map, the lamp's commune, in the table. Of its devices only the lamp has
    // reported, so it is the one device in service now (its alert closed), the one in fault at an
    // instant while its alert was open, and again the one in service before its fault.
    await navigate("Carte", /\/carte$/);
    await page.locator("#map [data-count]").first().waitFor();
    await page.locator("#filter-commune").selectOption(lamp.commune);
    await page.locator("#table-toggle").click();
    const rows = page.locator("#table-panel tbody tr");
    const conditions = () =>
      rows.evaluateAll((trs) => trs.map((tr) => `${tr.dataset.deviceId} ${tr.dataset.condition}`));
    await page.locator("#filter-condition").selectOption("ok");
    await expect.poll(conditions).toEqual([`${LAMP} ok`]);
    await checkStep("09-carte-maintenant");

    expect(Date.parse(closed.closedAt)).toBeGreaterThan(whileOpen.getTime());
    await page.locator("#filter-condition").selectOption("fault");
    await showInstant(whileOpen);
    await expect.poll(conditions).toEqual([`${LAMP} fault`]);
    expect(await page.locator("#view").textContent()).toMatch(/^Vue au /);
    await page.locator("#alert-list li", { hasText: LAMP }).waitFor();
    await checkStep("10-carte-pendant-la-panne");

    // Between the lamp's first (healthy) report and its fault.
    const beforeFault = new Date(Math.floor((simStart + FAULT_AFTER_MS - 2000) / 1000) * 1000);
    await showInstant(beforeFault);
    await expect.poll(() => rows.count()).toBe(0);
    expect(await page.locator("#alert-list li", { hasText: LAMP }).count()).toBe(0);
    await page.locator("#filter-condition").selectOption("ok");
    await expect.poll(conditions).toEqual([`${LAMP} ok`]);
    const then = await api<{ devices: ApiDevice[] }>(
      `/api/v1/devices?at=${encodeURIComponent(beforeFault.toISOString())}&commune=${lamp.commune}`,
    );
    expect(then.devices.find((d) => d.id === LAMP)?.condition).toBe("ok");
    await checkStep("11-carte-avant-la-panne");

    // 8. The technician logs out; the water operator logs in.
    await page.locator("#shell [data-action=logout]").click();
    await page.waitForURL(/\/connexion$/);
    await logInThroughForm(page, t.apiUrl, {
      kind: "operator",
      identifier: "eaux-alzette",
      secret: DEMO_SECRETS["eaux-alzette"],
      path: `/connexion?next=${encodeURIComponent("/equipements")}`,
    });
    await page.waitForURL(/\/equipements$/);
    await page.locator("#list tbody tr").first().waitFor();
    expect(await page.locator("#shell .user").textContent()).toBe("Connecté : eaux-alzette (exploitant)");
    const ids = await page.locator("#list tbody th").allTextContents();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.some((i) => i.startsWith("lum-"))).toBe(false);
    await page.locator("#filter-text").fill(LAMP);
    await expect.poll(() => page.locator("#status").textContent()).toBe("Aucun équipement ne correspond.");
    expect(await page.locator("#list tbody tr").count()).toBe(0);
    await checkStep("12-exploitant-equipements");

    // 9. Nor does the lamp's page show it to this operator.
    await page.goto(`${t.apiUrl}/equipements/${LAMP}`);
    await expect
      .poll(() => page.locator("#status").textContent())
      .toBe("Cet équipement n'existe pas, ou vous n'avez pas le droit de le consulter.");
    expect(await page.locator("#identity dl").count()).toBe(0);
    expect(await page.locator("#charts canvas").count()).toBe(0);
    await checkStep("13-exploitant-equipement-refuse");

    expect(cspErrors).toEqual([]);
    expect(simulatorErrors).toEqual([]);
    console.info(
      `Journey screenshots: ${SCREENSHOTS_DIR} (the alert appeared ${appearedAfter} ms after the simulator ` +
        `started, the fault being due at ${FAULT_AFTER_MS} ms; whole journey ${Date.now() - began} ms)`,
    );
  }, 90_000);
});
